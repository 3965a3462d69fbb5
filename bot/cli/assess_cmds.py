"""`advisor assess` (the interview in a terminal) and `advisor check` (the quick trigger check)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.prompt import Prompt

from bot.cli.common import EXIT_USAGE, console, fail, open_advisor, print_json, run
from bot.console import check_json, render_check_text, render_recommendation_text
from graphs.assessment.answers_file import AnswersFileError, parse_answers
from graphs.models import CheckResult, InterviewTurn
from graphs.qa.graph import QuestionError
from graphs.runtime import Advisor
from knowledge.tenants import TenantError


def register(app: typer.Typer) -> None:
    app.command()(assess)
    app.command()(check)


def assess(
    answers: Annotated[
        Path | None, typer.Option(help="Answers file (JSON) for a non-interactive assessment.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    thread: Annotated[
        str | None, typer.Option(help="Resume (or name) an interview thread in the terminal.")
    ] = None,
    tenant: Annotated[str | None, typer.Option(help="Client this assessment is for.")] = None,
) -> None:
    """Run the assessment interview, or score an answers file, and print the recommendation."""
    if answers is not None:
        _assess_file(answers, as_json)
        return
    with open_advisor() as advisor:
        try:
            if tenant:
                advisor.tenants.require(tenant)
        except TenantError as exc:
            fail(str(exc), EXIT_USAGE)
        turn = run(_interview(advisor, thread or f"terminal:{uuid.uuid4().hex[:12]}", tenant))
    if turn.status == "done" and turn.recommendation:
        if as_json:
            print_json(turn.recommendation.model_dump(mode="json"))
        else:
            typer.echo(render_recommendation_text(turn.recommendation))
    elif turn.status == "cancelled":
        typer.echo(turn.message or "Cancelled.")


def _assess_file(path: Path, as_json: bool) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        facts = parse_answers(data)
    except FileNotFoundError:
        fail(f"{path}: no such file", EXIT_USAGE)
    except json.JSONDecodeError as exc:
        fail(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})", EXIT_USAGE)
    except AnswersFileError as exc:
        fail(f"{path}: {exc}", EXIT_USAGE)
    from graphs.assessment.rubric import recommend

    rec = recommend(facts)
    if as_json:
        print_json(rec.model_dump(mode="json"))
    else:
        typer.echo(render_recommendation_text(rec))


async def _interview(advisor: Advisor, thread_id: str, tenant: str | None) -> InterviewTurn:
    service = advisor.interviews
    try:
        turn = await service.pending(thread_id)
        if turn is None:
            turn = await service.start(
                thread_id, tenant=tenant, user_id="terminal", channel="terminal"
            )
        else:
            console.print(f"Resuming interview {thread_id}.", highlight=False)
        console.print(
            f"(thread {thread_id}; type 'cancel' or 'restart' at any time)", highlight=False
        )
        while turn.status == "asking" and turn.question is not None:
            if turn.message:
                console.print(f"[yellow]{turn.message}[/yellow]", highlight=False)
            q = turn.question
            console.print(f"\n[bold]{q.number}/{q.total}. {q.prompt}[/bold]", highlight=False)
            if q.help:
                console.print(f"  [dim]{q.help}[/dim]", highlight=False)
            options = " / ".join(f"{c.label} ({c.value})" for c in q.choices)
            reply = Prompt.ask(f"  {options}", console=console)
            turn = await service.reply(thread_id, reply, user_id="terminal")
        return turn
    finally:
        await service.aclose()


def check(
    text: Annotated[str, typer.Argument(help="Describe the company and its AI work.")] = "",
    tenant: Annotated[str | None, typer.Option(help="Client this check is for.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Quick trigger check: read stage, signals, disqualifiers and context (with the words they
    rest on), then the rubric's verdict, or a leaning and the questions that would settle it."""
    if not text.strip():
        fail('usage: advisor check "we are a seed startup and our pilot stalled…"', EXIT_USAGE)
    with open_advisor() as advisor:
        try:
            if tenant:
                advisor.tenants.require(tenant)
            result: CheckResult = run(advisor.check(text, tenant))
        except (QuestionError, TenantError) as exc:
            fail(str(exc), EXIT_USAGE)
    if as_json:
        print_json(check_json(result))
        return
    typer.echo(render_check_text(result))
