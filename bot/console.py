"""Terminal rendering of reply models (pure functions: text in, text out)."""

from __future__ import annotations

from graphs.assessment.rubric import OPTION_NAMES
from graphs.models import Answer, Recommendation


def render_answer_text(answer: Answer) -> str:
    """An answer with its numbered sources, as plain text for a terminal."""
    lines = [answer.answer]
    if answer.citations:
        lines += ["", "Sources:"]
        lines += [f"  [{c.n}] {c.label}" for c in answer.citations]
    footer = []
    if answer.notice:
        footer.append(answer.notice)
    mode = "Claude" if answer.mode == "llm" else "offline"
    footer.append(f"mode: {mode}{' (degraded)' if answer.degraded else ''}")
    lines += ["", " · ".join(footer)]
    return "\n".join(lines)


def answer_json(answer: Answer) -> dict:
    """The documented `--json` schema of `advisor ask`."""
    return {
        "answer": answer.answer,
        "citations": [
            {
                "n": c.n,
                "source": c.source,
                "section": c.section,
                "quote": c.quote,
                "tenant": c.tenant,
                "chunk_id": c.chunk_id,
                "date": c.date,
            }
            for c in answer.citations
        ],
        "mode": answer.mode,
        "degraded": answer.degraded,
        "covered": answer.covered,
        "notice": answer.notice,
    }


def render_recommendation_text(rec: Recommendation) -> str:
    """The recommendation with its reasons, advice, plan and numbered sources."""
    lines = [
        f"Recommendation: {OPTION_NAMES[rec.recommendation]} "
        f"(confidence {rec.confidence:.0%}; runner-up: {OPTION_NAMES[rec.runner_up]})",
        "",
        "Why:",
    ]
    lines += [f"  • {r.reason} [{r.citation}]" for r in rec.rules if r.weight > 0]
    against = [r for r in rec.rules if r.weight < 0]
    if against:
        lines += ["Weighed against:"] + [f"  • {r.reason} [{r.citation}]" for r in against]
    if rec.advice:
        lines += ["", "From the report:"]
        lines += [f"  • “{a.text}” [{a.citation}]" for a in rec.advice]
    if rec.plan:
        lines += ["", "A 30-day evaluation:"]
        lines += [f"  {w.title} [{w.citation}]\n    “{w.text}”" for w in rec.plan]
    lines += ["", "Sources:"] + [f"  [{c.n}] {c.label}" for c in rec.citations]
    return "\n".join(lines)
