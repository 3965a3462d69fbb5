"""The `advisor` command, run as a user runs it: a real process with its own data dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ADVISOR = [sys.executable, "-m", "bot.cli"]


def advisor(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k == "ADVISOR_CACHE_DIR" or not k.startswith(("ADVISOR_", "ANTHROPIC_"))
    }
    env["ADVISOR_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [*ADVISOR, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


def test_ask_json_follows_the_documented_schema(data_dir: Path) -> None:
    result = advisor(data_dir, "ask", "--json", "Founders are patching the AI flows at night")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) >= {"answer", "citations", "mode", "degraded"}
    assert payload["mode"] == "offline" and payload["degraded"] is False
    first = payload["citations"][0]
    assert set(first) >= {"n", "source", "section", "quote", "tenant", "chunk_id"}
    assert first["n"] == 1 and first["tenant"] == "public"


def test_blank_question_exits_2_with_usage(data_dir: Path) -> None:
    result = advisor(data_dir, "ask", "   ")
    assert result.returncode == 2
    assert "usage: advisor ask" in result.stderr


def test_unknown_tenant_exits_2_listing_known_ones(data_dir: Path) -> None:
    assert advisor(data_dir, "tenants", "add", "zeta", "--slack-team", "T42").returncode == 0
    result = advisor(data_dir, "ask", "--tenant", "nobody", "what now?")
    assert result.returncode == 2
    assert "unknown tenant 'nobody'" in result.stderr and "zeta" in result.stderr


def test_tenants_list_shows_mappings(data_dir: Path) -> None:
    advisor(data_dir, "tenants", "add", "zeta", "--teams-tenant", "aad-9")
    result = advisor(data_dir, "tenants", "list", "--json")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["zeta"]["slack"] == ["T42"] and rows["zeta"]["teams"] == ["aad-9"]


def test_ingest_reports_failures_by_name_and_exits_nonzero(data_dir: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ok.md").write_text("---\ntitle: Kickoff\ndate: 2026-10-01\n---\nWe met.\n")
    (notes / "bad.pdf").write_bytes(b"not a pdf")
    advisor(data_dir, "tenants", "add", "zeta")
    result = advisor(data_dir, "ingest", str(notes), "--tenant", "zeta")
    assert result.returncode == 1
    assert "bad.pdf" in result.stderr and "1 added" in result.stderr and "1 failed" in result.stderr


def test_demo_indexes_once_and_answers_with_citations(tmp_path: Path) -> None:
    first = advisor(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("Sources:") == 3
    second = advisor(tmp_path, "demo")
    assert second.returncode == 0
    assert "0 chunks written" in second.stderr and "0 added" in second.stderr


def test_audit_purge_applies_every_retention_setting(data_dir: Path) -> None:
    result = advisor(data_dir, "audit", "purge")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("removed 0 audit record(s) older than 365 days")
    assert "conversation turn(s) older than 72 hours" in lines[1]
    assert "interview thread(s) idle for 30 days" in lines[2]


def test_notes_sync_restores_channel_notes_into_a_data_dir(tmp_path: Path) -> None:
    from graphs.runtime import Advisor
    from tests.conftest import make_settings

    shared = tmp_path / "state.db"
    adv = Advisor.open(make_settings(tmp_path / "a", database_url=f"sqlite:///{shared}"))
    adv.tenants.add("zeta")
    adv.add_note("zeta", author="Ann", text="Decision: the Zephyr gateway stays in house.")
    adv.close()
    replica_b = tmp_path / "b"

    result = subprocess.run(
        [*ADVISOR, "notes", "sync", "--tenant", "zeta"],
        capture_output=True,
        text=True,
        env={
            k: v
            for k, v in os.environ.items()
            if k == "ADVISOR_CACHE_DIR" or not k.startswith(("ADVISOR_", "ANTHROPIC_"))
        }
        | {"ADVISOR_DATA_DIR": str(replica_b), "ADVISOR_DATABASE_URL": f"sqlite:///{shared}"},
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "1 note file(s) written" in result.stdout
    [note] = (replica_b / "notes" / "zeta").glob("*.md")
    assert "Zephyr gateway" in note.read_text()


def test_tenants_remove_shows_the_plan_then_deletes_with_yes(tmp_path: Path) -> None:
    assert advisor(tmp_path, "tenants", "add", "gone", "--slack-team", "TGONE").returncode == 0

    plan = advisor(tmp_path, "tenants", "remove", "gone")
    assert plan.returncode == 2 and "Would delete for gone:" in plan.stdout
    assert "channel identities" in plan.stdout and "Nothing deleted" in plan.stdout

    done = advisor(tmp_path, "tenants", "remove", "gone", "--yes")
    assert done.returncode == 0 and "Deleted for gone:" in done.stdout
    listed = advisor(tmp_path, "tenants", "list", "--json")
    assert "gone" not in listed.stdout
