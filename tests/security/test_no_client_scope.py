"""One rule for "no client": a caller mapped to no client reads the public field report only.

Two clients and one other unmapped company have been busy (answers, checks, assessments,
notes, conversation turns). Every read method of every store that holds tenant data is
called with an unmapped caller's scope, and every face's digest is asked for from an
unmapped workspace and tenant: none of it may carry a client's (or the other unmapped
company's) questions, note text or note titles.
"""

from __future__ import annotations

import ast
import inspect
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.server import build_app
from bot.slack.home import HomePublisher, Viewer
from bot.slack.home_store import HomeStore
from bot.slack.tenancy import ScopeResolver
from bot.slack.threads import SlackThreads
from bot.teams.store import ConversationStore as TeamsConversations
from graphs.assessment.records import AssessmentRecords
from graphs.audit import AuditLog
from graphs.digest_schedule import DigestStore
from graphs.models import Facts
from graphs.qa.conversation import ConversationStore
from graphs.runtime import Advisor
from knowledge.corpus import ingest_samples
from knowledge.index import KnowledgeIndex
from knowledge.scope import DataScope
from knowledge.tenants import TenantRegistry
from tests import slack_signing as sign
from tests.conftest import make_settings
from tests.fakes.bot_connector import FakeConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.security.test_tenant_isolation import corpus_shingles, leaks
from tests.slack_harness import BOT_TOKEN, SlackHarness

CLIENT_QUESTIONS = {
    "northwind": "Zebra-17: what did we decide about the Brightlane vendor trial?",
    "acme": "Quokka-42: who owns the Rotterdam pilot now?",
}
OTHER_UNMAPPED_QUESTION = "Walrus-99: our confidential Series A plan, should we hire now?"
SECRETS = (*CLIENT_QUESTIONS.values(), OTHER_UNMAPPED_QUESTION)
PUBLIC = DataScope.public()


def _assessment(advisor: Advisor, thread: str, tenant: str | None) -> None:
    rec = advisor.recommend(Facts(stage="seed", signals={"pilot_stalled": True}))
    advisor.records.save(
        {
            "thread_id": thread,
            "run_id": thread,
            "tenant": tenant,
            "channel": "slack",
            "user_id": "U9",
            "facts": rec.facts.model_dump(),
            "recommendation": rec.model_dump(mode="json"),
        }
    )


async def _busy_week(advisor: Advisor) -> None:
    """Both sample clients and one unmapped company use the bot."""
    for tenant, question in CLIENT_QUESTIONS.items():
        advisor.tenants.add(tenant, slack_team=f"T-{tenant}", teams_tenant=f"aad-{tenant}")
        ingest_samples(advisor.ingestor, tenant)
        await advisor.ask(question, tenant, channel="slack", conversation=f"thread-{tenant}")
        await advisor.check(question, tenant, channel="slack")
        _assessment(advisor, f"run-{tenant}", tenant)
    await advisor.ask(OTHER_UNMAPPED_QUESTION, None, channel="slack", conversation="thread-x")
    await advisor.check(OTHER_UNMAPPED_QUESTION, None, channel="teams")
    _assessment(advisor, "run-unmapped", None)


@pytest.fixture
async def busy(advisor: Advisor) -> Advisor:
    await _busy_week(advisor)
    return advisor


def _assert_nothing_confidential(payload: object) -> None:
    text = json.dumps(payload, ensure_ascii=False, default=str)
    for secret in SECRETS:
        assert secret.split(":")[0] not in text, secret
    for tenant in CLIENT_QUESTIONS:
        assert not leaks(payload, corpus_shingles(tenant)), tenant


# --- every read of every store --------------------------------------------------------------
def _week() -> dict[str, datetime]:
    now = datetime.now(UTC)
    return {"since": now - timedelta(days=7), "until": now + timedelta(minutes=1)}


def test_the_audit_log_gives_an_unmapped_caller_no_rows(busy: Advisor) -> None:
    assert list(busy.audit.rows(PUBLIC, **_week())) == []
    assert list(busy.audit.rows(PUBLIC, **_week(), kinds=["answer", "check"])) == []
    # the rule is not vacuous: the same rows are there for their own client and the operator
    own = list(busy.audit.rows(DataScope.of("acme"), **_week()))
    assert {r["tenant"] for r in own} == {"acme"} and len(own) >= 2
    assert len(list(busy.audit.rows(DataScope.operator(), **_week()))) >= 6


def test_assessment_records_give_an_unmapped_caller_none(busy: Advisor) -> None:
    week = _week()
    assert busy.records.between(PUBLIC, week["since"], week["until"]) == []
    own = busy.records.between(DataScope.of("northwind"), week["since"], week["until"])
    assert [r["tenant"] for r in own] == ["northwind"]


def test_conversation_memory_never_crosses_into_a_client_thread(busy: Advisor) -> None:
    for tenant in CLIENT_QUESTIONS:
        assert busy.conversations.recent(f"thread-{tenant}", PUBLIC) == []
        assert busy.conversations.recent(f"thread-{tenant}", DataScope.of(tenant))
    # an unmapped caller's own thread still reads its own report-only turns
    [turn] = busy.conversations.recent("thread-x", PUBLIC)
    assert turn.question == OTHER_UNMAPPED_QUESTION


def test_the_index_gives_an_unmapped_caller_no_client_chunk(busy: Advisor) -> None:
    client_ids = [c.chunk_id for t in CLIENT_QUESTIONS for c in busy.index.chunks_for_tenant(t)]
    assert client_ids and busy.index.get_chunks(client_ids, PUBLIC) == []
    mine = busy.index.get_chunks(client_ids, DataScope.of("acme"))
    assert mine and {c.tenant for c in mine} == {"acme"}
    assert busy.index.note_term_shares(PUBLIC, ["scout", "brightlan"]) == {}
    assert busy.index.note_term_shares(DataScope.of("acme"), ["brightlan"])["brightlan"] > 0
    for question in SECRETS:
        passages = busy.index.retrieve_for_tenant(question, None, 10)
        assert passages and {p.chunk.tenant for p in passages} == {"public"}


def test_the_app_home_of_an_unmapped_workspace_shows_no_client_data(busy: Advisor) -> None:
    busy.digests.subscribe("slack", "C-ACME", "acme", "monday 9:00", workspace=":T-acme")
    busy.digests.subscribe("slack", "C-OTHER", None, "monday 9:00", workspace=":T-UNMAPPED")
    homes = HomePublisher(busy, ScopeResolver(busy.tenants))
    stranger = homes.facts(Viewer("T-UNMAPPED", None, "U9"))
    assert stranger.client is None and stranger.latest is None
    assert [s.channel_id for s in stranger.schedules] == ["C-OTHER"]  # its own, no client's
    assert HomeStore(busy.engine).note_stats(PUBLIC) is None
    # the rule is not vacuous: a client's own user sees its assessment and its schedule
    own = homes.facts(Viewer("T-acme", None, "U9"))
    assert own.client == "acme" and own.latest is not None
    assert [s.channel_id for s in own.schedules] == ["C-ACME"]
    notes = HomeStore(busy.engine).note_stats(DataScope.of("acme"))
    assert notes is not None and notes.count > 0


def test_a_digest_for_no_client_is_the_field_report_only_and_says_why(busy: Advisor) -> None:
    digest = busy.digest_preview(None)
    _assert_nothing_confidential(digest.model_dump(mode="json"))
    assert digest.quiet and {c.tenant for c in digest.citations} == {"public"}
    assert "not mapped to a client" in digest.sections[0].items[0].text
    # the same data does show up in a client's own digest
    own = busy.digest_preview("northwind").model_dump_json()
    assert "Zebra-17" in own and "Quokka-42" not in own and "Walrus-99" not in own


async def test_answers_and_checks_for_an_unmapped_caller_cite_the_report_only(
    busy: Advisor,
) -> None:
    for question in (*CLIENT_QUESTIONS.values(), "What did we decide about vendors?"):
        answer = await busy.ask(question, None, channel="slack", conversation="thread-x")
        assert {c.tenant for c in answer.citations} <= {"public"}
        _assert_nothing_confidential(answer.model_dump())
        result = await busy.check(question, None, channel="slack")
        _assert_nothing_confidential(_without_own_words(result.model_dump(), question))


def _without_own_words(payload: dict[str, Any], question: str) -> dict[str, Any]:
    """A check shows the caller the words it read in their own message ("you said: …"):
    that is their text, not a client's, so it is left out of what must not leak."""
    for read in payload.get("read") or []:
        if read.get("evidence") and read["evidence"] in question:
            read["evidence"] = None
    return payload


# Reads that return no tenant data, or that only the operator's tools and the scheduler call
# (never a face): each with why. A new public method on a store must be added to one table.
SCOPED_READS = {
    AuditLog: {"rows"},
    AssessmentRecords: {"between", "latest"},
    HomeStore: {"schedules", "note_stats"},
    ConversationStore: {"recent"},
    KnowledgeIndex: {
        "get_chunks",
        "retrieve_for_tenant",
        "term_stats",
        "term_known",
        "note_term_shares",
    },
}
NOT_CALLER_READS = {
    AuditLog: {"record": "a write", "purge": "retention"},
    AssessmentRecords: {"save": "a write", "engine": "plumbing"},
    ConversationStore: {"add": "a write", "purge": "retention"},
    KnowledgeIndex: {
        "upsert": "a write",
        "delete": "a write",
        "drop_tenant": "a write (offboarding)",
        "bump_revision": "a write",
        "count": "a number, no content",
        "ping": "readiness, no content",
        "close": "plumbing: releases the Chroma client",
        "chunks_for_tenant": "names one client explicitly (offboarding, tests); no None",
        "retrieve_dense": "eval tool; scoped like retrieve_for_tenant",
        "retrieve_lexical": "eval tool; scoped like retrieve_for_tenant",
    },
    DigestStore: {
        "subscribe": "a write",
        "unsubscribe": "a write, keyed by the caller's own channel",
        "claim": "scheduler",
        "finish": "scheduler",
        "subscriptions": "operator and scheduler only (see the face check below)",
        "deliveries": "operator only (see the face check below)",
    },
    TenantRegistry: {
        "add": "operator",
        "names": "operator",
        "get": "operator",
        "all": "operator",
        "require": "a name check",
        "resolve": "maps the caller's own id",
        "resolve_slack": "maps the caller's own id",
        "remove": "operator",
    },
    SlackThreads: {
        "remember": "a write",
        "known": "keyed by the caller's own thread",
        "question_ts": "keyed by the caller's own thread",
        "shown_question": "keyed by the caller's own thread",
    },
    TeamsConversations: {
        "save": "a write",
        "get": "keyed by a conversation id (digest delivery)",
    },
    HomeStore: {
        "seen": "a write",
        "viewers": "user ids of the caller's own workspace, no client data",
    },
}


def _public_methods(cls: type) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and (callable(member) or isinstance(member, property))
    }


@pytest.mark.parametrize("store", list(NOT_CALLER_READS), ids=lambda c: c.__name__)
def test_every_store_method_is_scoped_or_explained(store: type) -> None:
    known = SCOPED_READS.get(store, set()) | set(NOT_CALLER_READS[store])
    assert _public_methods(store) <= known, _public_methods(store) - known


SCOPED_CALLS = {
    "audit.rows": lambda a, s: list(a.audit.rows(s, since=datetime.now(UTC))),
    "records.between": lambda a, s: a.records.between(s, datetime.now(UTC), datetime.now(UTC)),
    "records.latest": lambda a, s: a.records.latest(s),
    "home.schedules": lambda a, s: HomeStore(a.engine).schedules(s, ":T1"),
    "home.note_stats": lambda a, s: HomeStore(a.engine).note_stats(s),
    "conversations.recent": lambda a, s: a.conversations.recent("thread", s),
    "index.get_chunks": lambda a, s: a.index.get_chunks(["x"], s),
    "index.note_term_shares": lambda a, s: a.index.note_term_shares(s, ["scout"]),
}


@pytest.mark.parametrize("call", list(SCOPED_CALLS.values()), ids=list(SCOPED_CALLS))
@pytest.mark.parametrize("wrong", [None, "northwind", ""])
def test_a_scoped_read_refuses_anything_but_a_scope(
    advisor: Advisor, call: Any, wrong: object
) -> None:
    with pytest.raises(TypeError, match="DataScope"):
        call(advisor, wrong)


def test_no_face_calls_an_operator_only_read() -> None:
    root = Path(__file__).resolve().parents[2] / "bot"
    faces = [*(root / "slack").glob("*.py"), *(root / "teams").glob("*.py")]
    assert len(faces) > 10
    offenders = []
    for path in faces:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("subscriptions", "deliveries"):
                offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr == "operator":
                offenders.append(f"{path.name}:{node.lineno} builds an operator scope")
    assert not offenders, offenders


# --- the faces, end to end --------------------------------------------------------------------
@pytest.fixture
async def slack_busy(tmp_path: Path) -> AsyncIterator[SlackHarness]:
    fake = await FakeSlackApi().start()
    advisor = Advisor.open(
        make_settings(
            tmp_path / "data",
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=sign.SECRET,
            slack_api_url=fake.api_url,
        )
    )
    await _busy_week(advisor)
    http = TestClient(TestServer(build_app(advisor)))
    await http.start_server()
    try:
        yield SlackHarness(fake, http, advisor)
    finally:
        await http.close()
        await fake.close()
        advisor.close()


async def test_an_unmapped_slack_workspace_sees_no_client_data(slack_busy: SlackHarness) -> None:
    for text in ("digest preview", "ask What did we decide about vendors?", "ask Who owns what?"):
        response = await slack_busy.command("/advisor", text, team="T-UNMAPPED")
        assert response.status == 200
    replies = await slack_busy.fake.wait_for("response_url", count=3)
    for reply in replies:
        _assert_nothing_confidential(reply.params)
    assert any("not mapped to a client" in r.text() for r in replies)
    home = {"type": "app_home_opened", "user": "U9", "channel": "D9", "tab": "home"}
    await slack_busy.event(home, team="T-UNMAPPED")
    [published] = await slack_busy.fake.wait_for("views.publish")
    _assert_nothing_confidential(published.params)
    assert "No assessment yet" in published.text() and "isn't mapped" in published.text()


async def test_an_unmapped_teams_tenant_sees_no_client_data(tmp_path: Path) -> None:
    connector = await FakeConnector().start()
    advisor = Advisor.open(make_settings(tmp_path / "data"))
    await _busy_week(advisor)
    http = TestClient(TestServer(build_app(advisor)))
    await http.start_server()
    try:
        for n, text in enumerate(("digest preview", "What did we decide about vendors?")):
            response = await http.post(
                "/api/messages",
                json={
                    "type": "message",
                    "id": f"in-{n}",
                    "channelId": "msteams",
                    "serviceUrl": connector.url,
                    "from": {"id": "29:stranger", "name": "Stranger"},
                    "recipient": {"id": "28:bot", "name": "Advisor"},
                    "conversation": {"id": "conv-unmapped", "conversationType": "personal"},
                    "channelData": {"tenant": {"id": "aad-somebody-else"}},
                    "text": text,
                },
            )
            assert response.status in (200, 201)
        sent = [s.activity for s in connector.sent if s.method == "POST"]
        assert len(sent) == 2
        for activity in sent:
            _assert_nothing_confidential(activity)
        assert "not mapped to a client" in sent[0]["text"]
    finally:
        await http.close()
        await connector.close()
        advisor.close()
