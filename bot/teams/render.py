"""Teams rendering: Markdown text and Adaptive Cards as pure functions of the reply models.

Teams renders a Markdown/HTML subset and turns `<at>…</at>` into mentions: every piece of user,
note or model text is escaped here, so nothing can mention anyone, inject HTML or make a link.
"""

from __future__ import annotations

import re
from typing import Any

from graphs.assessment.explain import Explanation, Reason, answers_said, explain
from graphs.assessment.signals import stage_label, topic_label
from graphs.models import Answer, CheckResult, Citation, InterviewQuestion, Recommendation

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|>~])")
_URL = re.compile(r"(?i)\b(https?|ftp)://")
CARD = "application/vnd.microsoft.card.adaptive"


def escape(text: str) -> str:
    """Neutralise HTML, mention tags, Markdown and auto-links in text we did not write."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _URL.sub(lambda m: m.group(1) + ":/\u200b/", text)
    return text.replace("www.", "www\u200b.").replace("@", "@\u200b")


def sources_text(citations: list[Citation]) -> str:
    return "\n\n".join(f"[{c.n}] {escape(c.label)}" for c in citations)


def answer_text(answer: Answer) -> str:
    """The answer line in bold, then each quote as its own paragraph (Teams joins single
    newlines into one paragraph), the sources, the notice."""
    lines = [line for line in answer.answer.split("\n") if line.strip()]
    if answer.lead and lines and lines[0] == answer.lead:
        lines[0] = f"**{escape(answer.lead)}**"
        parts = [lines[0], *(escape(line) for line in lines[1:])]
    else:
        parts = [escape(line) for line in lines]
    if answer.citations:
        parts.append("**Sources**\n\n" + sources_text(answer.citations))
    if answer.notice:
        parts.append(f"_{escape(answer.notice)}_")
    return "\n\n".join(parts)


def _submit(title: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": title, "data": data}


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def feedback_card(answer_id: str) -> dict[str, Any]:
    return _card(
        [_text("Was this helpful?", isSubtle=True)],
        [
            _submit("👍 Helpful", {"advisor": "feedback", "helpful": True, "answer": answer_id}),
            _submit(
                "👎 Not helpful", {"advisor": "feedback", "helpful": False, "answer": answer_id}
            ),
            _submit("Run the assessment", {"advisor": "assess"}),
        ],
    )


def question_card(question: InterviewQuestion, thread: str, message: str | None) -> dict:
    body = []
    if message:
        body.append(_text(escape(message), color="Attention"))
    body.append(_text(f"**{question.number}/{question.total}. {escape(question.prompt)}**"))
    if question.help:
        body.append(_text(escape(question.help), isSubtle=True, size="Small"))
    actions = [
        _submit(
            c.label, {"advisor": "answer", "thread": thread, "key": question.key, "value": c.value}
        )
        for c in question.choices
    ]
    actions.append(
        _submit(
            "Cancel",
            {"advisor": "answer", "thread": thread, "key": question.key, "value": "cancel"},
        )
    )
    return _card(body, actions)


def answered_card(question_key: str, label: str) -> dict[str, Any]:
    return _card([_text(f"✓ {escape(label)}", weight="Bolder")])


def recommendation_card(rec: Recommendation) -> dict[str, Any]:
    """An interview's result: the reasons paired with the founder's answers."""
    body = explanation_body(explain(rec, said=answers_said(rec.facts)))
    return _card(body, [_submit("Start over", {"advisor": "assess"})])


def explanation_body(ex: Explanation) -> list[dict[str, Any]]:
    """Option, confidence in words, reasons for it apart from those against the runner-up and
    what speaks against it, each with the founder's words, advice, plan, sources."""
    body = [
        _text(f"**{escape(ex.headline)}**", size="Large"),
        _text(f"{escape(ex.strength)} Runner-up: {escape(ex.runner_up_name)}.", isSubtle=True),
    ]
    for title, reasons in (
        ("Why", ex.why),
        (f"Why not {ex.runner_up_name.lower()}", ex.against_runner_up),
        ("What speaks against it", ex.caveats),
    ):
        if reasons:
            body.append(_text(f"**{escape(title)}**"))
            body += [_reason(r) for r in reasons]
    if ex.advice:
        body.append(_text("**From the report**"))
        body += [_text(f"- “{escape(a.text)}” [{a.citation}]", isSubtle=True) for a in ex.advice]
    if ex.plan:
        body.append(_text("**A 30-day evaluation**"))
        body += [_text(f"{escape(w.title)} [{w.citation}]") for w in ex.plan]
    body.append(_text("**Sources**\n\n" + sources_text(ex.citations), size="Small"))
    return body


def _reason(reason: Reason) -> dict[str, Any]:
    text = f"- {escape(reason.text)} [{reason.citation}]"
    if reason.said:
        text += f"\n\n  _{escape(reason.said)}_"
    return _text(text)


def check_card(result: CheckResult, said: dict[str, str], *, asking_next: bool) -> dict:
    """The trigger check: what was read, then the verdict or the leaning and its questions."""
    lines = [
        f"- {escape(_read_name(r.key, r.value))}"
        + (f" — “{escape(r.evidence)}”" if r.evidence else "")
        for r in result.read[:8]
    ]
    head = "**Trigger check** · what I read\n\n" + (
        "\n".join(lines) if lines else "nothing I could use yet"
    )
    decided = result.recommendation is not None
    body = [_text(head), *explanation_body(explain(result.outcome, said=said, verdict=decided))]
    if not decided:
        if result.undecided_because:
            body.append(_text(f"_{escape(result.undecided_because)}_", isSubtle=True))
        questions = [f"{i}. {escape(q.prompt)}" for i, q in enumerate(result.questions, 1)]
        if questions:
            body.append(_text("**To settle it**\n\n" + "\n".join(questions)))
    if decided or asking_next:
        return _card(body, [_submit("Run the full assessment", {"advisor": "assess"})])
    return _card(body)


def _read_name(key: str, value: object) -> str:
    if key == "stage":
        return f"Stage: {stage_label(str(value))}"
    return topic_label(key) + ("" if value else ": no")


def attachment(card: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": CARD, "content": card}


def citation_entity(citations: list[Citation]) -> dict[str, Any]:
    """Teams' citation entity (schema.org Message with Claims): numbered [n] markers in the
    text become hoverable citations in clients that support them; others ignore it."""
    return {
        "type": "https://schema.org/Message",
        "@type": "Message",
        "@context": "https://schema.org",
        "@id": "",
        "additionalType": ["AIGeneratedContent"],
        "citation": [
            {
                "@type": "Claim",
                "position": c.n,
                "appearance": {
                    "@type": "DigitalDocument",
                    "name": c.label[:80],
                    "abstract": c.quote[:160],
                },
            }
            for c in citations
        ],
    }
