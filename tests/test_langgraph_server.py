"""The graphs on LangGraph Server: `langgraph dev` serves both from langgraph.json, driven through
`langgraph_sdk`; and the faces run them there when ADVISOR_LANGGRAPH_URL is set.

Real processes on loopback: `langgraph dev` (the in-memory runtime) and a `chroma run` server,
sharing one SQLite state file (WAL) with this process, as replicas share a database in
production. Nothing is downloaded; the CLI's usage ping, the version check and tracing are off,
so no traffic leaves 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import NotFoundError
from sqlalchemy import select

from graphs.models import Answer
from graphs.qa.conversation import Turn
from graphs.qa.graph import QARequest
from graphs.remote import remote_thread_id
from graphs.runtime import Advisor
from knowledge.chunks import PUBLIC_TENANT
from knowledge.db import assessments, make_engine
from knowledge.settings import Settings
from knowledge.tenants import TenantError
from tests import slack_signing as sign
from tests.conftest import make_settings
from tests.fakes.slack_api import Call
from tests.servers import free_port, wait_http
from tests.slack_harness import SlackHarness, slack_app

pytest.importorskip("langgraph_api", reason="needs the server extra: pip install -e '.[server]'")

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OSPREY = "What is the budget of Project Osprey?"
NOTES = {
    "acme": "Project Osprey has a budget of 40k for the AI pilot.",
    "beta": "Project Heron has a budget of 95k for the AI pilot.",
}
# Ours and the LangChain stack's: the host's values never reach the servers.
_CHILD_DROPS = ("ADVISOR_", "SLACK_", "ANTHROPIC_", "CHROMA_", "Microsoft", "LANG")
_QUIET = {
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",  # the CLI's usage ping (documented opt-out)
    "LANGGRAPH_NO_VERSION_CHECK": "true",  # langgraph-api's check for a newer release on PyPI
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "ANONYMIZED_TELEMETRY": "false",  # Chroma
    "LOG_JSON": "true",  # langgraph-api's log as JSON lines: the runs it did, by graph
    "PYTHONUNBUFFERED": "1",
}


@contextlib.contextmanager
def running(command: list[str], log: Path, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """A server process of ours (its own process group), stopped on exit."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(_CHILD_DROPS)}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=log.parent,  # langgraph dev keeps its in-memory state in ./.langgraph_api
            env=base | _QUIET | env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


@dataclass
class Deployment:
    url: str
    database_url: str
    chroma_port: int
    log: Path
    started_s: float  # `langgraph dev` spawned → /ok answers
    first_run_s: float  # the first run: this process's advisor opened and warmed

    def face(self, **overrides: Any) -> dict[str, Any]:
        """Settings of `advisor serve` pointed at this deployment, on its database and index."""
        return {
            "langgraph_url": self.url,
            "database_url": self.database_url,
            "chroma_host": "127.0.0.1",
            "chroma_port": self.chroma_port,
        } | overrides

    def settings(self, data_dir: Path) -> Settings:
        return make_settings(data_dir, **self.face(langgraph_url=None))

    def runs(self, graph_id: str, *, at_least: int = 0, within_s: float = 10) -> int:
        """Runs of `graph_id` the deployment finished, from its log (once there are
        `at_least`: a run's line is written just after its result is sent)."""
        deadline = time.monotonic() + within_s
        while (done := self._runs(graph_id)) < at_least and time.monotonic() < deadline:
            time.sleep(0.05)
        return done

    def _runs(self, graph_id: str) -> int:
        done: Counter[str] = Counter()
        for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict) and entry.get("event") == "Background run succeeded":
                    done[entry.get("graph_id", "")] += 1
        return done[graph_id]


def _seed(settings: Settings) -> None:
    """Two clients with notes, acme mapped to the Slack workspace of the signed test events."""
    advisor = Advisor.open(settings)
    try:
        for tenant, text in NOTES.items():
            folder = settings.data_dir / f"{tenant}-notes"
            folder.mkdir(parents=True)
            (folder / "budget.md").write_text(
                f"---\ntitle: Budget\ndate: 2026-10-02\n---\n\n## Budget\n{text}\n",
                encoding="utf-8",
            )
            advisor.tenants.add(tenant, slack_team=sign.TEAM if tenant == "acme" else "T2")
            advisor.ingestor.ingest_path(folder, tenant)
    finally:
        advisor.close()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("deployment")
    chroma_port, port = free_port(), free_port()
    chroma = [str(BIN / "chroma"), "run", "--path", str(root / "chroma")]
    chroma += ["--host", "127.0.0.1", "--port", str(chroma_port)]
    (root / "chroma-run").mkdir()
    chroma_log = root / "chroma-run" / "chroma.log"
    with running(chroma, chroma_log):
        wait_http(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", 60, chroma_log)
        database_url = f"sqlite:///{root / 'state.db'}"
        server_dir = root / "server"
        server_dir.mkdir()
        deployment = Deployment(
            f"http://127.0.0.1:{port}", database_url, chroma_port, server_dir / "server.log", 0, 0
        )
        _seed(deployment.settings(root / "seed"))
        command = [str(BIN / "langgraph"), "dev", "--config", str(ROOT / "langgraph.json")]
        command += ["--host", "127.0.0.1", "--port", str(port), "--no-browser", "--no-reload"]
        command += ["--allow-blocking"]  # the `record` node writes to SQLite on the loop
        env = {"ADVISOR_DATA_DIR": str(server_dir / "data"), "ADVISOR_DATABASE_URL": database_url}
        env["LANGGRAPH_STRICT_MSGPACK"] = "true"  # the faces' runs load no pickled-in types
        env |= {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_port)}
        started = time.perf_counter()
        with running(command, deployment.log, **env):
            wait_http(f"{deployment.url}/ok", 120, deployment.log)
            deployment.started_s = time.perf_counter() - started
            started = time.perf_counter()
            with httpx.Client(base_url=deployment.url, timeout=120) as http:
                body = {"assistant_id": "qa", "input": {"question": "What is week 1?"}}
                http.post("/runs/wait", json=body).raise_for_status()
            deployment.first_run_s = time.perf_counter() - started
            yield deployment


@pytest.fixture
async def sdk(deployment: Deployment) -> AsyncIterator[LangGraphClient]:
    client = get_client(url=deployment.url, api_key=None)
    yield client
    await client.aclose()


# --- `langgraph dev` and the SDK ------------------------------------------------------------
async def test_both_graphs_publish_json_schemas(
    deployment: Deployment, sdk: LangGraphClient
) -> None:
    async with httpx.AsyncClient(base_url=deployment.url) as http:
        for graph_id in ("qa", "assessment"):
            [assistant] = await sdk.assistants.search(graph_id=graph_id)
            response = await http.get(f"/assistants/{assistant['assistant_id']}/schemas")
            assert response.status_code == 200, response.text
            schemas = response.json()
            for name in ("input_schema", "output_schema", "state_schema", "context_schema"):
                assert schemas[name] and schemas[name]["properties"], (graph_id, name)
            assert set(schemas["context_schema"]["properties"]) == {"tenant", "channel", "user_id"}
    up, first = deployment.started_s, deployment.first_run_s
    print(f"\nlanggraph dev up in {up:.1f} s; its first run (opening the advisor) {first:.1f} s")


async def _answer(sdk: LangGraphClient, question: str, tenant: str | None, **kw: Any) -> Answer:
    context = {"tenant": tenant, "channel": "sdk", "user_id": "U-sdk"}
    inputs = {"question": question, "tenant": kw.pop("named", tenant)}
    run = await sdk.runs.wait(None, "qa", input=inputs, context=context)
    return Answer.model_validate(run["answer"])


async def test_a_question_through_the_sdk_gets_a_cited_answer(sdk: LangGraphClient) -> None:
    started = time.perf_counter()
    answer = await _answer(sdk, "Our pilot stalled after the demo; what should we do?", None)
    seconds = time.perf_counter() - started
    assert answer.covered and answer.citations
    assert {c.tenant for c in answer.citations} == {PUBLIC_TENANT}
    assert all(f"[{c.n}]" in answer.answer for c in answer.citations)
    print(f"\nremote answer in {seconds:.2f} s")


async def test_the_callers_tenant_selects_what_a_run_may_read(sdk: LangGraphClient) -> None:
    own = await _answer(sdk, OSPREY, "acme")
    assert "40k" in own.answer and {c.tenant for c in own.citations} <= {PUBLIC_TENANT, "acme"}
    other = await _answer(sdk, OSPREY, "beta")
    assert "40k" not in other.answer
    assert {c.tenant for c in other.citations} <= {PUBLIC_TENANT, "beta"}
    with pytest.raises(Exception, match="TenantMismatchError"):
        await _answer(sdk, OSPREY, "beta", named="acme")  # beta's caller, acme's state
    with pytest.raises(Exception, match="TenantMismatchError"):
        await _answer(sdk, OSPREY, None, named="acme")  # no tenant in the context
    with pytest.raises(Exception, match="unknown tenant 'nobody'"):
        await _answer(sdk, OSPREY, "nobody")


async def _interrupts(sdk: LangGraphClient, thread_id: str) -> list[dict[str, Any]]:
    state = await sdk.threads.get_state(thread_id)
    return [i for task in state["tasks"] for i in task["interrupts"]]


async def test_an_interview_through_the_sdk_reaches_a_recorded_recommendation(
    deployment: Deployment, sdk: LangGraphClient
) -> None:
    started = time.perf_counter()
    thread_id = (await sdk.threads.create())["thread_id"]
    caller = {"tenant": "acme", "channel": "sdk", "user_id": "U-sdk"}
    opening = {**caller, "text": "We're a seed startup and our first AI pilot stalled."}
    await sdk.runs.wait(thread_id, "assessment", input=opening, context=caller)
    asked = 0
    while interrupts := await _interrupts(sdk, thread_id):
        question = interrupts[0]["value"]["question"]
        resume = {"resume": question["choices"][0]["value"]}
        await sdk.runs.wait(thread_id, "assessment", command=resume, context=caller)
        asked += 1
    values = (await sdk.threads.get_state(thread_id))["values"]
    seconds = time.perf_counter() - started
    assert asked > 0 and values["status"] == "done" and values["facts"]["stage"] == "seed"
    engine = make_engine(deployment.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(assessments).where(assessments.c.thread_id == thread_id))
            [row] = rows.mappings().all()
    finally:
        engine.dispose()
    assert row["tenant"] == "acme" and row["channel"] == "sdk" and row["user_hash"]
    assert row["recommendation"] == values["recommendation"]["recommendation"]
    print(f"\nremote interview: {asked} answers in {seconds:.1f} s")


# --- the faces with ADVISOR_LANGGRAPH_URL ---------------------------------------------------
async def _mention_answer(slack: SlackHarness, deployment: Deployment, **kw: Any) -> str:
    before, updates = deployment.runs("qa"), len(slack.fake.calls_to("chat.update"))
    await slack.event(sign.mention(OSPREY, channel="C1"), **kw)
    found = await slack.fake.wait_for("chat.update", count=updates + 1, within_s=30)
    await slack.settle()
    # answered by the deployment, not in-process
    assert deployment.runs("qa", at_least=before + 1) == before + 1
    return found[-1].text()


async def test_a_slack_mention_is_answered_by_the_deployment_with_the_workspaces_notes(
    deployment: Deployment, tmp_path: Path
) -> None:
    async with slack_app(tmp_path / "face", **deployment.face()) as slack:
        text = await _mention_answer(slack, deployment)
    assert "40k" in text and "Budget › 2026-10-02" in text


async def test_the_remote_answer_reads_sent_turns_and_maps_refusals_to_tenant_errors(
    deployment: Deployment, tmp_path: Path
) -> None:
    advisor = Advisor.open(make_settings(tmp_path / "face", **deployment.face()))
    try:
        assert advisor.remote_qa is not None
        earlier = Turn("Our pilot stalled after the demo, what now?", "Ship a slice.", None, ("x",))
        caller = QARequest(tenant=None, channel="terminal", user_id="U1")
        answered = await advisor.remote_qa.answer(
            "and at seed stage?", caller, max_chars=4000, history=[earlier]
        )
        stranger = QARequest(tenant="nobody", channel="terminal", user_id="U1")
        with pytest.raises(TenantError, match="unknown tenant 'nobody'"):
            await advisor.remote_qa.answer(OSPREY, stranger, max_chars=4000)
    finally:
        await advisor.aclose()
    assert answered.follow_up and answered.answer.covered


async def test_slack_connect_and_other_workspaces_never_see_a_clients_notes_remotely(
    deployment: Deployment, tmp_path: Path
) -> None:
    async with slack_app(tmp_path / "face", **deployment.face()) as slack:
        shared = await _mention_answer(slack, deployment, is_ext_shared_channel=True)
        other = await _mention_answer(slack, deployment, team="T2")
        unmapped = await _mention_answer(slack, deployment, team="T9")
    assert "40k" not in shared and "2026-10-02" not in shared
    assert "shared with another organisation (Slack Connect)" in shared
    assert "40k" not in other and "40k" not in unmapped


def _is_question(call: Call) -> bool:
    return any(
        b.get("block_id", "").startswith("interview:") for b in call.params.get("blocks", [])
    )


def _first_choice(call: Call) -> str:
    block = next(b for b in call.params["blocks"] if b.get("block_id", "").startswith("interview:"))
    return block["elements"][0]["action_id"]


async def test_a_slack_interview_runs_on_the_deployment_and_is_recorded(
    deployment: Deployment, sdk: LangGraphClient, tmp_path: Path
) -> None:
    before = deployment.runs("assessment")
    async with slack_app(tmp_path / "face", **deployment.face()) as slack:
        await slack.event(sign.mention("assess", channel="C1"))
        [question] = await slack.fake.wait_for("chat.postMessage", where=_is_question)
        await slack.settle()
        asked = 1
        while True:
            await slack.click(question, _first_choice(question))
            await slack.fake.wait_for("chat.update", count=asked, within_s=30)
            await slack.settle()
            last = slack.fake.calls_to("chat.postMessage")[-1]
            if not _is_question(last):
                break
            question, asked = last, asked + 1
        assert any(b["type"] == "header" for b in last.params["blocks"])
        with slack.advisor.engine.connect() as conn:
            query = select(assessments).where(assessments.c.channel == "slack")
            [row] = conn.execute(query).mappings().all()
        assert row["tenant"] == "acme"
        runs = before + 1 + asked  # the start, then one run per answer
        assert deployment.runs("assessment", at_least=runs) == runs
        state = await sdk.threads.get_state(remote_thread_id(row["thread_id"]))
        assert state["values"]["status"] == "done" and state["values"]["tenant"] == "acme"

        later = datetime.now(UTC) + timedelta(minutes=1)
        assert await slack.advisor.interviews.purge(timedelta(0), now=later) >= 1
        with pytest.raises(NotFoundError):
            await sdk.threads.get(remote_thread_id(row["thread_id"]))
