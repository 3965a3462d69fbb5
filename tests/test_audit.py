"""Every answer leaves an audit record; the export is what an auditor can read."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from graphs.audit import AuditEvent, AuditLog, export
from graphs.runtime import Advisor
from knowledge.identity import hash_user
from knowledge.scope import DataScope
from tests.conftest import make_settings


async def test_an_answer_is_audited_with_sources_mode_and_hashed_user(advisor: Advisor) -> None:
    answer = await advisor.ask(
        "Our pilot stalled after the demo",
        None,
        channel="slack",
        user_id="U123",
        request_id="req-1",
    )
    [row] = list(
        advisor.audit.rows(DataScope.operator(), since=datetime.now(UTC) - timedelta(minutes=5))
    )
    assert row["kind"] == "answer" and row["channel"] == "slack" and row["mode"] == "offline"
    assert row["chunk_ids"] == [c.chunk_id for c in answer.citations]
    assert row["user_hash"] == hash_user("slack", "U123") and "U123" not in json.dumps(
        {k: str(v) for k, v in row.items()}
    )
    assert row["question"] == "Our pilot stalled after the demo"
    assert row["request_id"] == "req-1" and row["latency_ms"] >= 0


async def test_questions_can_be_stored_as_hashes_only(tmp_path) -> None:
    adv = Advisor.open(make_settings(tmp_path / "d", audit_hash_questions=True))
    await adv.ask("Confidential: our Series A is at risk", None)
    [row] = list(
        adv.audit.rows(DataScope.operator(), since=datetime.now(UTC) - timedelta(minutes=5))
    )
    assert row["question"] is None and len(row["question_hash"]) == 64
    adv.close()


def test_purge_keeps_only_the_retention_window(advisor: Advisor) -> None:
    log = AuditLog(advisor.engine, hash_questions=False, retention_days=30)
    now = datetime.now(UTC)
    log.record(AuditEvent(kind="answer", tenant=None, channel="terminal"), at=now - timedelta(40))
    log.record(AuditEvent(kind="answer", tenant=None, channel="terminal"), at=now - timedelta(2))
    assert log.purge(now=now) == 1
    assert len(list(log.rows(DataScope.operator(), since=now - timedelta(days=365)))) == 1


def test_export_as_csv_and_jsonl_filters_by_tenant(advisor: Advisor) -> None:
    now = datetime.now(UTC)
    for tenant in ("alpha", "beta"):
        advisor.audit.record(
            AuditEvent(
                kind="check",
                tenant=tenant,
                channel="teams",
                question=f"q for {tenant}",
                chunk_ids=["c1", "c2"],
            )
        )
    rows = advisor.audit.rows(DataScope.of("alpha"), since=now - timedelta(minutes=1))
    lines = [json.loads(line) for line in export(rows, "jsonl")]
    assert [(r["tenant"], r["question"], r["chunk_ids"]) for r in lines] == [
        ("alpha", "q for alpha", ["c1", "c2"])
    ]
    text = "".join(
        export(advisor.audit.rows(DataScope.operator(), since=now - timedelta(minutes=1)), "csv")
    )
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [r["tenant"] for r in parsed] == ["alpha", "beta"]
    assert parsed[0]["chunk_ids"] == "c1 c2"
