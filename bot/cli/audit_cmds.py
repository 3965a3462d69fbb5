"""`advisor audit export | purge`: the audit trail, for the operator and the client's auditors."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated, Literal

import typer

from bot.cli.common import EXIT_USAGE, fail, open_advisor, run
from bot.retention import Purged, apply_retention
from graphs.audit import export
from graphs.runtime import Advisor
from knowledge.scope import DataScope

audit_app = typer.Typer(help="Export or purge the audit log.")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


def _parse_day(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--{name}: {value!r} is not a date (use YYYY-MM-DD)", EXIT_USAGE)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@audit_app.command("export")
def audit_export(
    since: Annotated[str, typer.Option(help="Start date (YYYY-MM-DD or ISO timestamp), UTC.")],
    until: Annotated[str | None, typer.Option(help="End date, exclusive.")] = None,
    tenant: Annotated[str | None, typer.Option(help="Only this client's records.")] = None,
    fmt: Annotated[Literal["csv", "jsonl"], typer.Option("--format", help="csv or jsonl.")] = "csv",
) -> None:
    """Print audit records (answers, checks, recommendations, digests) to stdout."""
    start = _parse_day(since, "since")
    end = _parse_day(until, "until") if until else None
    with open_advisor() as advisor:
        # The operator's own export: every client unless --tenant names one.
        scope = DataScope.of(tenant) if tenant else DataScope.operator()
        rows = advisor.audit.rows(scope, since=start, until=end)
        for line in export(rows, fmt):
            sys.stdout.write(line)


@audit_app.command("purge")
def audit_purge() -> None:
    """Apply the retention settings now: audit records (ADVISOR_AUDIT_RETENTION_DAYS),
    conversation turns (ADVISOR_CONVERSATION_HOURS) and idle interview threads
    (ADVISOR_INTERVIEW_RETENTION_DAYS). `advisor serve` also does this every six hours."""
    with open_advisor() as advisor:
        s = advisor.settings
        purged = run(_purge(advisor))
    typer.echo(
        f"removed {purged.audit_records} audit record(s) older than {s.audit_retention_days} days"
    )
    typer.echo(
        f"removed {purged.conversation_turns} conversation turn(s) older than "
        f"{s.conversation_hours:g} hours"
    )
    typer.echo(
        f"removed {purged.interview_threads} interview thread(s) idle for "
        f"{s.interview_retention_days} days"
    )


async def _purge(advisor: Advisor) -> Purged:
    try:
        return await apply_retention(advisor)
    finally:
        await advisor.interviews.aclose()
