"""Block Kit for the quick trigger check: what was read (in the founder's words), then the
verdict, or a leaning with the questions that would settle it and a button to answer them."""

from __future__ import annotations

import json

from bot.slack.render import (
    ACTION_START_ASSESSMENT,
    Block,
    Message,
    actions,
    button,
    context,
    escape_mrkdwn,
    paginate,
    sections,
)
from bot.slack.render_assessment import (
    ACTION_SHARE_CHECK,
    ButtonValueError,
    facts_value,
    recommendation_body,
)
from graphs.assessment.explain import check_said, explain
from graphs.assessment.rubric import OPTION_NAMES
from graphs.assessment.signals import stage_label, topic_label
from graphs.models import CheckResult, Facts

ACTION_CONTINUE_CHECK = "check_continue"
MAX_READ_SHOWN = 8


def render_check(result: CheckResult, *, asking_next: bool = False) -> list[Message]:
    """Decided: the recommendation with Share and the full assessment. Undecided: the
    leaning, what could not be told, the questions, and "Answer N questions" (unless the
    questions follow right away in the thread: `asking_next`)."""
    blocks: list[Block] = [*_what_i_read(result)]
    outcome = result.outcome
    ex = explain(
        outcome,
        said=check_said(result),
        verdict=result.recommendation is not None,
    )
    blocks += recommendation_body(ex)
    if result.recommendation is None and asking_next:
        blocks += _to_settle_it(result)
        return paginate(blocks, f"Trigger check: leaning {OPTION_NAMES[outcome.recommendation]}")
    if result.recommendation is None:
        blocks += _to_settle_it(result)
        buttons = [
            button(
                f"Answer {len(result.questions)} question{'s' * (len(result.questions) != 1)}",
                ACTION_CONTINUE_CHECK,
                continue_value(result),
                "primary",
            )
        ]
    else:
        buttons = [button("Share to channel", ACTION_SHARE_CHECK, facts_value(result.detected))]
    buttons.append(button("Run the full assessment", ACTION_START_ASSESSMENT, "check"))
    blocks.append(actions(buttons, block_id="check_actions"))
    fallback = (
        f"Trigger check: {OPTION_NAMES[outcome.recommendation]}"
        if result.recommendation is not None
        else f"Trigger check: leaning {OPTION_NAMES[outcome.recommendation]}"
    )
    return paginate(blocks, fallback)


def _what_i_read(result: CheckResult) -> list[Block]:
    lines = []
    for read in result.read[:MAX_READ_SHOWN]:
        if read.key == "stage":
            name = f"Stage: {stage_label(str(read.value))}"
        else:
            name = topic_label(read.key) + ("" if read.value else ": no")
        words = f" — “{escape_mrkdwn(read.evidence)}”" if read.evidence else ""
        lines.append(f"• {escape_mrkdwn(name)}{words}")
    if not lines:
        return [context("*Trigger check* · I could not read any of the report's facts yet.")]
    return sections("*Trigger check* · what I read\n" + "\n".join(lines))


def _to_settle_it(result: CheckResult) -> list[Block]:
    blocks = []
    if result.undecided_because:
        blocks.append(context(f"_{escape_mrkdwn(result.undecided_because)}_"))
    if result.questions:
        lines = [f"{i}. {escape_mrkdwn(q.prompt)}" for i, q in enumerate(result.questions, 1)]
        blocks += sections("*To settle it*\n" + "\n".join(lines))
    return blocks


def continue_value(result: CheckResult) -> str:
    """What "Answer N questions" carries: the facts read and the questions to ask."""
    facts = json.loads(facts_value(result.prefill()))
    return json.dumps({"f": facts, "q": [q.key for q in result.questions]}, separators=(",", ":"))


def parse_continue_value(raw: object) -> tuple[Facts, list[str]]:
    try:
        data = json.loads(str(raw))
        return Facts.model_validate(data["f"]), [str(k) for k in data["q"]][:6]
    except (ValueError, TypeError, KeyError) as exc:
        raise ButtonValueError("not a trigger check to go on with") from exc
