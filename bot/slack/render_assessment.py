"""Block Kit for the assessment: interview questions, the recommendation, the trigger check,
and the trigger-check modal. Pure functions of the reply models; escaping via `render`."""

from __future__ import annotations

import json
from typing import Any

from bot.slack.render import (
    Block,
    ButtonValueError,
    Message,
    actions,
    button,
    context,
    escape_mrkdwn,
    paginate,
    plain,
    section,
    sections,
    source_blocks,
)
from graphs.assessment.explain import Explanation, Reason, answers_said, explain
from graphs.assessment.rubric import OPTION_NAMES
from graphs.assessment.signals import stage_label, topic_label
from graphs.models import (
    DISQUALIFIER_KEYS,
    SIGNAL_KEYS,
    STAGES,
    Facts,
    InterviewQuestion,
    Recommendation,
)

ACTION_ANSWER = "interview_answer"  # + "_<i>": one action id per button in the block
ACTION_CANCEL = "interview_cancel"
ACTION_RESTART = "interview_restart"
ACTION_SHARE_RECOMMENDATION = "recommendation_share"
ACTION_SHARE_CHECK = "check_share"
CHECK_MODAL = "trigger_check_modal"
MAX_BUTTONS = 5


def answer_value(key: str, value: str) -> str:
    """What an interview button sends back: the question it answers, and the answer."""
    return json.dumps({"k": key, "v": value}, separators=(",", ":"))


def parse_answer_value(raw: str) -> tuple[str, str]:
    try:
        data = json.loads(raw)
        return str(data["k"]), str(data["v"])
    except (ValueError, TypeError, KeyError) as exc:
        raise ButtonValueError("not an interview answer") from exc


def render_question(question: InterviewQuestion, message: str | None = None) -> Message:
    """One interview question with a button (or a select) per choice, and Cancel."""
    blocks: list[Block] = []
    if message:
        blocks.append(context(f"_{escape_mrkdwn(message)}_"))
    blocks += _question_head(question)
    if len(question.choices) <= MAX_BUTTONS:
        elements = [
            button(c.label, f"{ACTION_ANSWER}_{i}", answer_value(question.key, c.value))
            for i, c in enumerate(question.choices)
        ]
    else:
        elements = [_select(question)]
    elements.append(button("Cancel", ACTION_CANCEL, question.key))
    blocks.append(actions(elements, block_id=f"interview:{question.key}"))
    return paginate(blocks, f"Question {question.number}: {escape_mrkdwn(question.prompt)}")[0]


def _question_head(question: InterviewQuestion) -> list[Block]:
    head = f"*Question {question.number} of {question.total}* · {escape_mrkdwn(question.prompt)}"
    blocks = [section(head)]
    if question.help:
        cite = f" — {escape_mrkdwn(question.help_citation)}" if question.help_citation else ""
        blocks.append(context(f"_{escape_mrkdwn(question.help)}_{cite}"))
    return blocks


def _select(question: InterviewQuestion) -> dict[str, Any]:
    return {
        "type": "static_select",
        "action_id": f"{ACTION_ANSWER}_select",
        "placeholder": {"type": "plain_text", "text": "Choose…"},
        "options": [
            {
                "text": {"type": "plain_text", "text": plain(c.label)},
                "value": answer_value(question.key, c.value),
            }
            for c in question.choices
        ],
    }


def render_answered(question: InterviewQuestion, answer: str | None) -> Message:
    """The question as it reads once answered: the buttons replaced by the answer."""
    blocks = _question_head(question)
    if answer is None:
        blocks.append(context("_Asked again below._"))
    else:
        blocks.append(section(f"✓ *{escape_mrkdwn(answer)}*"))
    return paginate(blocks, f"Question {question.number}: answered")[0]


def render_recommendation(rec: Recommendation, *, restart: bool = True) -> list[Message]:
    """Option, confidence in words, the reasons for it and against the runner-up (each with
    the founder's answer and a citation), advice, the 30-day plan, sources."""
    blocks = recommendation_body(explain(rec, said=answers_said(rec.facts)))
    buttons = [button("Share", ACTION_SHARE_RECOMMENDATION, facts_value(rec.facts), "primary")]
    if restart:
        buttons.append(button("Start over", ACTION_RESTART, "restart"))
    blocks.append(actions(buttons, block_id="recommendation_actions"))
    return paginate(blocks, f"Recommendation: {OPTION_NAMES[rec.recommendation]}")


def _strength_line(ex: Explanation) -> str:
    line = escape_mrkdwn(ex.strength)
    if ex.runner_up_argued:
        line += f" · *Runner-up:* {escape_mrkdwn(ex.runner_up_name)}"
    return line


def recommendation_body(ex: Explanation) -> list[Block]:
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": plain(ex.headline, 150)}},
        section(_strength_line(ex)),
    ]
    for title, reasons in (
        ("Why", ex.why),
        (f"Why not {ex.runner_up_name.lower()}", ex.against_runner_up),
        ("What speaks against it", ex.caveats),
    ):
        if reasons:
            blocks += sections(f"*{escape_mrkdwn(title)}*\n" + "\n".join(map(_reason, reasons)))
    if ex.advice:
        lines = [f"• “{escape_mrkdwn(a.text)}” [{a.citation}]" for a in ex.advice]
        blocks += sections("*From the report*\n" + "\n".join(lines))
    if ex.plan:
        weeks = [
            f"*{escape_mrkdwn(w.title)}* [{w.citation}]\n{escape_mrkdwn(w.text)}" for w in ex.plan
        ]
        blocks += sections("*A 30-day evaluation*\n" + "\n\n".join(weeks))
    blocks += source_blocks(ex.citations)
    return blocks


def _reason(reason: Reason) -> str:
    line = f"• {escape_mrkdwn(reason.text)} [{reason.citation}]"
    if reason.said:
        line += f"\n      _{escape_mrkdwn(reason.said)}_"
    return line


def render_shared(rec: Recommendation, user_id: str | None) -> list[Message]:
    """A shared result: the recommendation without buttons, saying who shared it."""
    who = f"<@{user_id}>" if user_id and _is_user_id(user_id) else "Someone"
    blocks = [context(f"{who} shared an assessment result"), *recommendation_body(explain(rec))]
    return paginate(blocks, f"Shared: {OPTION_NAMES[rec.recommendation]}")


def _is_user_id(value: str) -> bool:
    return value[:1] in ("U", "W") and value[1:].isalnum() and value.isupper() and len(value) < 24


def facts_value(facts: Facts) -> str:
    """Facts compact enough for a button value (≤ 2,000 chars): the rubric re-derives the rest."""
    return facts.model_dump_json(exclude_defaults=True)


def parse_facts_value(raw: str) -> Facts:
    try:
        return Facts.model_validate_json(raw)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ButtonValueError("not an assessment result") from exc


def render_check_modal(metadata: str) -> dict[str, Any]:
    """The form behind `/trigger-check` with no text: stage, the eight signals, disqualifiers."""
    return {
        "type": "modal",
        "callback_id": CHECK_MODAL,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": "Trigger check"},
        "submit": {"type": "plain_text", "text": "Check"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _input("stage", "Which best describes your company?", _stage_select()),
            _input("signals", "Which of these are true today?", _checkboxes(SIGNAL_KEYS)),
            _input("disqualifiers", "Any of these?", _checkboxes(DISQUALIFIER_KEYS)),
        ],
    }


def _input(block_id: str, label: str, element: dict[str, Any]) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def _stage_select() -> dict[str, Any]:
    return {
        "type": "static_select",
        "action_id": "value",
        "placeholder": {"type": "plain_text", "text": "Stage"},
        "options": [_option(stage_label(s), s) for s in STAGES],
    }


def _checkboxes(keys: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "checkboxes",
        "action_id": "value",
        "options": [_option(topic_label(k), k) for k in keys],
    }


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": plain(label)}, "value": value}


def facts_from_modal(values: dict[str, Any]) -> Facts:
    """The modal's state as facts: ticked → yes, unticked → no (the form asked about each)."""
    try:
        return _facts_from_modal(values)
    except (AttributeError, TypeError, KeyError) as exc:
        raise ButtonValueError("not the trigger-check form") from exc


def _facts_from_modal(values: dict[str, Any]) -> Facts:
    stage_opt = (values.get("stage", {}).get("value") or {}).get("selected_option")
    stage = stage_opt["value"] if stage_opt and stage_opt["value"] in STAGES else None

    def ticked(block: str) -> set[str]:
        chosen = (values.get(block, {}).get("value") or {}).get("selected_options") or []
        return {o["value"] for o in chosen}

    signals, disqualifiers = ticked("signals"), ticked("disqualifiers")
    return Facts(
        stage=stage,
        signals={k: k in signals for k in SIGNAL_KEYS},
        disqualifiers={k: k in disqualifiers for k in DISQUALIFIER_KEYS},
    )
