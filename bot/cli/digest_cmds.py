"""`advisor digest preview | run | status`: the weekly digest from the terminal (or a cron)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import EXIT_USAGE, fail, open_advisor, print_json, run
from bot.digest_runner import configured_senders, send_due
from graphs.digest import Digest
from knowledge.tenants import TenantError

digest_app = typer.Typer(help="Weekly digests for leadership channels.")


def register(app: typer.Typer) -> None:
    app.add_typer(digest_app, name="digest")


def render_digest_text(digest: Digest) -> str:
    lines = [
        f"Weekly AI leadership digest, {digest.period_start:%d %b} – "
        f"{digest.period_end:%d %b %Y}" + (" (late)" if digest.late else "")
    ]
    for section in digest.sections:
        lines += ["", section.title]
        lines += [
            f"  • {item.text}" + "".join(f" [{n}]" for n in item.citations)
            for item in section.items
        ]
    if digest.citations:
        lines += ["", "Sources:"] + [f"  [{c.n}] {c.label}" for c in digest.citations]
    return "\n".join(lines)


@digest_app.command("preview")
def preview(
    tenant: Annotated[str | None, typer.Option(help="Client whose digest to build.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Build the digest of the last seven days now, and print it."""
    with open_advisor() as advisor:
        try:
            if tenant:
                advisor.tenants.require(tenant)
        except TenantError as exc:
            fail(str(exc), EXIT_USAGE)
        digest = run(advisor.write_digest(advisor.digest_preview(tenant)))
    if as_json:
        print_json(digest.model_dump(mode="json"))
    else:
        typer.echo(render_digest_text(digest))


@digest_app.command("run")
def run_now() -> None:
    """Send every digest that is due and not yet sent (once per channel per week), then exit."""
    with open_advisor() as advisor:
        senders = configured_senders(advisor)
        if not senders:
            fail("no channel is configured to send digests (set SLACK_BOT_TOKEN)", EXIT_USAGE)
        handled = run(send_due(advisor, senders))
    for channel, period, outcome in handled:
        typer.echo(f"{channel} {period}: {outcome}")
    if not handled:
        typer.echo("nothing due")
    if any(outcome == "failed" for *_, outcome in handled):
        raise typer.Exit(1)


@digest_app.command("status")
def status() -> None:
    """Subscriptions, and the latest deliveries with failures and their reasons."""
    with open_advisor() as advisor:
        subs, deliveries = advisor.digests.subscriptions(), advisor.digests.deliveries()
    typer.echo("Subscriptions:" if subs else "No subscriptions.")
    for sub in subs:
        typer.echo(
            f"  {sub.channel_kind}:{sub.channel_id} tenant={sub.tenant or '-'} {sub.describe()}"
        )
    if deliveries:
        typer.echo("Deliveries (newest first):")
    for d in deliveries[:50]:
        extra = f" — {d['error']}" if d["error"] else ""
        typer.echo(
            f"  {d['channel_kind']}:{d['channel_id']} {d['period']} {d['status']}"
            f"{' (late)' if d['late'] else ''} attempts={d['attempts']}{extra}"
        )
