"""Terminal rendering of reply models (pure functions: text in, text out)."""

from __future__ import annotations

from graphs.models import Answer


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
