"""`advisor ask | ingest | demo | tenants …`: the knowledge base from the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from bot.cli.common import EXIT_USAGE, console, fail, open_advisor, print_json, run
from bot.console import answer_json, render_answer_text
from graphs.qa.graph import QuestionError
from knowledge.corpus import SAMPLE_TENANTS, ingest_samples
from knowledge.ingest import IngestReport
from knowledge.tenants import TenantError

DEMO_QUESTIONS: tuple[tuple[str | None, str], ...] = (
    (None, "Our pilot stalled after the demo, what now?"),
    ("northwind", "What did we decide about vendors?"),
    ("acme", "Where should automation come first for us?"),
)

tenants_app = typer.Typer(help="Clients (tenants) and the Slack/Teams identities mapped to them.")
notes_app = typer.Typer(help="Notes added from Slack or Teams (`note add`).")


def register(app: typer.Typer) -> None:
    app.command()(ask)
    app.command()(ingest)
    app.command()(demo)
    app.add_typer(tenants_app, name="tenants")
    app.add_typer(notes_app, name="notes")


def ask(
    question: Annotated[str, typer.Argument(help="The question, in your own words.")] = "",
    tenant: Annotated[
        str | None, typer.Option(help="Client whose engagement notes may be used.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Answer a question with citations from the field report (and a client's notes)."""
    if not question.strip():
        fail('usage: advisor ask "your question" [--tenant NAME] [--json]', EXIT_USAGE)
    with open_advisor() as advisor:
        try:
            answer = run(advisor.ask(question, tenant))
        except (QuestionError, TenantError) as exc:
            fail(str(exc), EXIT_USAGE)
    if as_json:
        print_json(answer_json(answer))
    else:
        typer.echo(render_answer_text(answer))


def ingest(
    path: Annotated[Path, typer.Argument(help="A file or folder of .md/.txt/.pdf/.docx notes.")],
    tenant: Annotated[str, typer.Option(help="The client these notes belong to.")],
    force: Annotated[
        bool, typer.Option("--force", help="Re-embed every file (e.g. after an index restore).")
    ] = False,
) -> None:
    """Index engagement notes for one client: incremental, idempotent, removes vanished files."""
    with open_advisor(ingesting=True) as advisor:
        try:
            advisor.tenants.require(tenant)
        except TenantError as exc:
            fail(f"{exc}. Register it first: advisor tenants add {tenant}", EXIT_USAGE)
        if tenant == "public":
            fail("the field report is bundled; notes need a client tenant", EXIT_USAGE)
        if not path.exists():
            fail(f"{path}: no such file or folder", EXIT_USAGE)
        with _progress() as bar:
            task = bar.add_task("indexing", total=None)

            def step(done: int, total: int, name: str) -> None:
                bar.update(task, completed=done, total=total, description=name[-40:])

            report = advisor.ingestor.ingest_path(path, tenant, progress=step, force=force)
    _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


@notes_app.command("sync")
def notes_sync(
    tenant: Annotated[str | None, typer.Option(help="Only this client's notes.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Re-embed every note (after an index rebuild).")
    ] = False,
) -> None:
    """Write the channel notes stored in the database into this data dir and index them."""
    from knowledge.notes import sync_channel_notes

    with open_advisor(ingesting=True) as advisor:
        if tenant is not None:
            try:
                advisor.tenants.require(tenant)
            except TenantError as exc:
                fail(str(exc), EXIT_USAGE)
        written, report = sync_channel_notes(
            advisor.ingestor, advisor.settings.data_dir, tenant, force=force
        )
    typer.echo(f"{written} note file(s) written")
    _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def demo() -> None:
    """Index the bundled report and the two fictional clients, then answer sample questions."""
    with open_advisor() as advisor:
        for tenant in SAMPLE_TENANTS:
            advisor.tenants.add(tenant)
            report = ingest_samples(advisor.ingestor, tenant)
            console.print(f"[bold]{tenant}[/bold] notes: {report.summary()}", highlight=False)
        for tenant, question in DEMO_QUESTIONS:
            flag = f" --tenant {tenant}" if tenant else ""
            typer.echo(f'\n❯ advisor ask{flag} "{question}"')
            typer.echo(render_answer_text(run(advisor.ask(question, tenant))))
    typer.echo('\nNext: advisor ask "…" · advisor check "…" · advisor assess · advisor --help')


@tenants_app.command("add")
def tenants_add(
    name: Annotated[str, typer.Argument(help="Tenant name: lower-case letters, digits, - or _.")],
    slack_team: Annotated[
        str | None, typer.Option("--slack-team", help="Slack team or enterprise id (T…/E…).")
    ] = None,
    teams_tenant: Annotated[
        str | None, typer.Option("--teams-tenant", help="Microsoft Entra tenant id.")
    ] = None,
) -> None:
    """Register a client, or add a Slack/Teams identity to an existing one."""
    with open_advisor() as advisor:
        try:
            tenant = advisor.tenants.add(name, slack_team=slack_team, teams_tenant=teams_tenant)
        except TenantError as exc:
            fail(str(exc), EXIT_USAGE)
    typer.echo(
        f"{tenant.name}: slack={tenant.slack_teams or '-'} teams={tenant.teams_tenants or '-'}"
    )


@tenants_app.command("remove")
def tenants_remove(
    name: Annotated[str, typer.Argument(help="The client whose material is deleted.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Delete (without it: show what would go).")
    ] = False,
) -> None:
    """Offboard a client: delete its notes from the index, channel notes, conversation memory,
    digest subscriptions and channel mappings. Audit records and assessment results stay until
    their retention."""
    from knowledge.offboard import offboard

    with open_advisor() as advisor:
        try:
            advisor.tenants.require(name)
        except TenantError as exc:
            fail(str(exc), EXIT_USAGE)
        if name == "public":
            fail("the field report is not a client", EXIT_USAGE)
        done = offboard(
            advisor.index, advisor.engine, advisor.settings.data_dir, name, dry_run=not yes
        )
    typer.echo(("Deleted" if yes else "Would delete") + f" for {name}:")
    for line in done.lines():
        typer.echo(line)
    if not yes:
        typer.echo(f"Nothing deleted. Run again with --yes: advisor tenants remove {name} --yes")
        raise typer.Exit(EXIT_USAGE)
    typer.echo(f"Other replicas: delete notes/{name}/ from their data directories too.")


@tenants_app.command("list")
def tenants_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List clients and their Slack/Teams identities."""
    with open_advisor() as advisor:
        rows = advisor.tenants.all()
    if as_json:
        print_json(
            [{"name": t.name, "slack": t.slack_teams, "teams": t.teams_tenants} for t in rows]
        )
        return
    if not rows:
        typer.echo("No tenants yet. Add one: advisor tenants add NAME [--slack-team T…]")
    for t in rows:
        typer.echo(
            f"{t.name:<20} slack={','.join(t.slack_teams) or '-':<24} "
            f"teams={','.join(t.teams_tenants) or '-'}"
        )


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    )


def _print_report(report: IngestReport) -> None:
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    for failure in report.failed:
        console.print(f"[red]failed:[/red] {failure}", highlight=False)
    console.print(report.summary(), highlight=False)
