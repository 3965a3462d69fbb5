"""Terminal rendering of reply models (pure functions: text in, text out)."""

from __future__ import annotations

from graphs.assessment.explain import Explanation, answers_said, check_said, explain
from graphs.assessment.rubric import OPTION_NAMES
from graphs.models import Answer, CheckResult, Recommendation


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
    """An interview's result, its reasons paired with the founder's answers."""
    return render_explanation_text(explain(rec, said=answers_said(rec.facts)))


def render_explanation_text(ex: Explanation) -> str:
    """The option with its confidence in words, the reasons for it, against the runner-up
    and against it (each with the founder's words), advice, plan and numbered sources."""
    runner_up = f" Runner-up: {ex.runner_up_name}." if ex.runner_up_argued else ""
    lines = [f"{ex.headline}", f"{ex.strength}{runner_up}"]
    for title, reasons in (
        ("Why", ex.why),
        (f"Why not {ex.runner_up_name.lower()}", ex.against_runner_up),
        ("What speaks against it", ex.caveats),
    ):
        if reasons:
            lines += ["", f"{title}:"]
            for r in reasons:
                lines.append(f"  • {r.text} [{r.citation}]")
                if r.said:
                    lines.append(f"      {r.said}")
    if ex.advice:
        lines += ["", "From the report:"]
        lines += [f"  • “{a.text}” [{a.citation}]" for a in ex.advice]
    if ex.plan:
        lines += ["", "A 30-day evaluation:"]
        lines += [f"  {w.title} [{w.citation}]\n    “{w.text}”" for w in ex.plan]
    lines += ["", "Sources:"] + [f"  [{c.n}] {c.label}" for c in ex.citations]
    return "\n".join(lines)


def render_check_text(result: CheckResult) -> str:
    """What was read (with the founder's words), then the verdict or the leaning and the
    questions that would settle it."""
    lines = ["What I read:"]
    for r in result.read:
        value = "" if r.value is True else f": {r.value}"
        lines.append(f"  • {r.key}{value} — “{r.evidence}” ({r.confidence:.0%})")
    if not result.read:
        lines.append("  (nothing I could use yet)")
    said = check_said(result)
    decided = result.recommendation is not None
    lines += ["", render_explanation_text(explain(result.outcome, said=said, verdict=decided))]
    if not decided:
        lines += ["", result.undecided_because or "", "To settle it:"]
        lines += [f"  {i}. {q.prompt}" for i, q in enumerate(result.questions, 1)]
        lines.append("Run `advisor assess` to answer them, or describe more with `advisor check`.")
    return "\n".join(lines)


def check_json(result: CheckResult) -> dict:
    """`advisor check --json`: `recommendation` is the option, or null when undecided (then
    `leaning` and `questions` say where it points and what would settle it)."""
    outcome = result.outcome
    said = check_said(result)
    ex = explain(outcome, said=said, verdict=result.recommendation is not None)
    payload = outcome.model_dump(mode="json")
    payload.update(
        recommendation=result.recommendation.recommendation if result.recommendation else None,
        leaning=result.leaning.recommendation if result.leaning else None,
        confidence_words=ex.confidence_words,
        undecided_because=result.undecided_because,
        questions=[q.model_dump(mode="json") for q in result.questions],
        read=[r.model_dump(mode="json") for r in result.read],
        hinted=[r.model_dump(mode="json") for r in result.hinted],
        detected=result.detected.model_dump(mode="json"),
        explanation={
            "why": [_reason(r) for r in ex.why],
            "against_runner_up": [_reason(r) for r in ex.against_runner_up],
            "caveats": [_reason(r) for r in ex.caveats],
        },
        source=result.source,
    )
    payload["citations"] = [c.model_dump(mode="json") for c in ex.citations]
    if result.recommendation is None:
        # Undecided: the questions are the answer. The rubric's advice and plan for its
        # leaning would read as a verdict ("Recommendation: Not yet") the check did not give.
        payload.update(advice=[], plan=None, summary=_undecided_summary(result))
    return payload


def _undecided_summary(result: CheckResult) -> str:
    leaning = OPTION_NAMES[result.leaning.recommendation] if result.leaning else "none"
    return f"Undecided (leaning: {leaning}). {result.undecided_because or ''}".strip()


def _reason(reason) -> dict:  # type: ignore[no-untyped-def]
    return {"text": reason.text, "citation": reason.citation, "said": reason.said}
