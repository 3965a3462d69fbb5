"""The Adaptive Cards the bot sends, as pure functions of the reply models.

Every button is an `Action.Execute` (Teams answers it with the card that replaces the clicked
one), carries its data under our own name (`actions.action_data`) and sits in a set of at most
five actions, the default host config's limit: more choices go in rows of their own.
"""

from __future__ import annotations

from typing import Any

from bot.teams.actions import TEXT_INPUT, action_data, execute
from bot.teams.render import card, escape, sources_text, text
from graphs.assessment.explain import Explanation, Reason, answers_said, explain
from graphs.assessment.signals import stage_label, topic_label
from graphs.models import CheckResult, InterviewQuestion, NextStep, Recommendation

MAX_ACTIONS = 5  # per action set, in the Adaptive Cards parser's default host config
ROW = 3  # choices per row when they do not fit beside Cancel


def counter(number: int, of: int) -> str:
    return f"{number}/{max(of, number)}"


def fact_name(key: str) -> str:
    """What a question is about, as a label: "Stage", "First AI pilot stalled"."""
    return "Stage" if key == "stage" else topic_label(key)


def question_card(
    question: InterviewQuestion,
    thread: str,
    *,
    of: int,
    message: str | None = None,
    answered: str | None = None,
) -> dict[str, Any]:
    """One interview question: its counter (`of` kept steady by the caller), the report's
    symptoms, a button per choice and Cancel. `answered`: the previous answer, when it was
    typed (its card could not be updated)."""
    body: list[dict[str, Any]] = []
    if answered:
        body.append(text(f"✓ {escape(answered)}", isSubtle=True, size="Small"))
    if message:
        body.append(text(escape(message), color="Attention"))
    body.append(text(f"**{counter(question.number, of)} · {escape(question.prompt)}**"))
    if question.help:
        body.append(text(escape(question.help), isSubtle=True, size="Small"))

    def answer(value: str, label: str) -> dict[str, Any]:
        data = action_data(
            "answer",
            thread=thread,
            question=question.key,
            choice=value,
            label=label,
            n=question.number,
            of=max(of, question.number),
        )
        return execute(label, data, style="positive" if value == "yes" else None)

    choices = [answer(c.value, c.label) for c in question.choices]
    cancel = answer("cancel", "Cancel")
    if len(choices) < MAX_ACTIONS:
        return card(body, [*choices, cancel])
    for start in range(0, len(choices), ROW):
        body.append({"type": "ActionSet", "actions": choices[start : start + ROW]})
    return card(body, [cancel])


def answered_card(
    question: InterviewQuestion, label: str | None, *, of: int, stale: bool = False
) -> dict[str, Any]:
    """A question once answered: its counter and prompt, then "Stage: Series A/B"."""
    body = [
        text(f"{counter(question.number, of)} · {escape(question.prompt)}", isSubtle=True),
    ]
    if stale:
        body.append(text("Already answered. The open question is below.", isSubtle=True))
    elif label is None or label == "Cancel":
        body.append(text("✗ Cancelled", weight="Bolder"))
    else:
        body.append(text(f"✓ {escape(fact_name(question.key))}: {escape(label)}", weight="Bolder"))
    return card(body)


def in_progress_card(question: InterviewQuestion, of: int) -> dict[str, Any]:
    """Asked before a button from an older card would restart a live interview."""
    return card(
        [
            text(
                f"An assessment is in progress here (question {counter(question.number, of)}). "
                "Go on where you left off, or start over?"
            )
        ],
        [
            execute("Go on", action_data("resume"), style="positive"),
            execute("Start over", action_data("assess", restart=True)),
        ],
    )


def next_step_card(step: NextStep) -> dict[str, Any] | None:
    """The button under an answer that starts the flow its next step names."""
    line = text(escape(step.text[:1].upper() + step.text[1:]), isSubtle=True)
    if step.kind == "assessment":
        return card([line], [execute("Run the assessment", action_data("assess"))])
    if step.kind == "check":
        box = {
            "type": "Input.Text",
            "id": TEXT_INPUT,
            "isMultiline": True,
            "label": "Your situation, in a few sentences",
            "placeholder": "e.g. Series A, our pilot stalled after the demo, no CTO yet",
            "isRequired": True,
            "errorMessage": "Describe your situation first.",
            "maxLength": 4000,
        }
        return card([line, box], [execute("Run the trigger check", action_data("check"))])
    return None


def recommendation_card(rec: Recommendation) -> dict[str, Any]:
    """An interview's result: the reasons paired with the founder's answers."""
    body = explanation_body(explain(rec, said=answers_said(rec.facts)))
    return card(body, [execute("Start over", action_data("assess"))])


def _runner_up(ex: Explanation) -> str:
    return f" Runner-up: {ex.runner_up_name}." if ex.runner_up_argued else ""


def explanation_body(ex: Explanation) -> list[dict[str, Any]]:
    """Option, confidence in words, reasons for it apart from those against the runner-up and
    what speaks against it, each with the founder's words, advice, plan, sources."""
    body = [
        text(f"**{escape(ex.headline)}**", size="Large"),
        text(escape(ex.strength + _runner_up(ex)), isSubtle=True),
    ]
    for title, reasons in (
        ("Why", ex.why),
        (f"Why not {ex.runner_up_name.lower()}", ex.against_runner_up),
        ("What speaks against it", ex.caveats),
    ):
        if reasons:
            body.append(text(f"**{escape(title)}**"))
            body += [_reason(r) for r in reasons]
    if ex.advice:
        body.append(text("**From the report**"))
        body += [text(f"- “{escape(a.text)}” [{a.citation}]", isSubtle=True) for a in ex.advice]
    if ex.plan:
        body.append(text("**A 30-day evaluation**"))
        body += [text(f"{escape(w.title)} [{w.citation}]") for w in ex.plan]
    body.append(text("**Sources**\n\n" + sources_text(ex.citations), size="Small"))
    return body


def _reason(reason: Reason) -> dict[str, Any]:
    line = f"- {escape(reason.text)} [{reason.citation}]"
    if reason.said:
        line += f"\n\n  _{escape(reason.said)}_"
    return text(line)


def check_card(result: CheckResult, said: dict[str, str], *, asking_next: bool) -> dict:
    """The trigger check: what was read, then the verdict or the leaning and its questions."""
    lines = [
        f"- {escape(_read_name(r.key, r.value))}"
        + (f" — “{escape(r.evidence)}”" if r.evidence else "")
        for r in result.read[:8]
    ]
    head = "**Trigger check** · what I read\n\n" + (
        "\n\n".join(lines) if lines else "nothing I could use yet"
    )
    decided = result.recommendation is not None
    body = [text(head), *explanation_body(explain(result.outcome, said=said, verdict=decided))]
    if not decided:
        if result.undecided_because:
            body.append(text(f"_{escape(result.undecided_because)}_", isSubtle=True))
        questions = [f"{i}\\. {escape(q.prompt)}" for i, q in enumerate(result.questions, 1)]
        if questions:
            body.append(text("**To settle it**\n\n" + "\n\n".join(questions)))
    if decided or asking_next:
        return card(body, [execute("Run the full assessment", action_data("assess"))])
    return card(body)


def _read_name(key: str, value: object) -> str:
    if key == "stage":
        return f"Stage: {stage_label(str(value))}"
    return topic_label(key) + ("" if value else ": no")
