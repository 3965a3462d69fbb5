"""The offline detector reads founders' own words, negation included."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from graphs.assessment.detect import detect_facts
from knowledge.corpus import FIELD_REPORT_FILE, field_report_labels

CASES = [
    # text, expected stage, expected {key: value} (a subset of what is detected)
    (
        "We're a seed startup, the founder fixes the bot at 2am, we can't hire a full-time CTO "
        "yet, and we don't have any governance.",
        "seed",
        {
            "founders_firefighting": True,
            "decisions_cannot_wait": True,
            "no_ai_governance": True,
            "can_attract_cto": False,
        },
    ),
    ("Our first pilot stalled after the demo.", None, {"pilot_stalled": True}),
    ("The POC is stuck and going nowhere since the board meeting.", None, {"pilot_stalled": True}),
    ("Our pilot hasn't stalled, it shipped last month.", None, {"pilot_stalled": False}),
    (
        "The board keeps asking for an AI strategy and we keep trialling tools.",
        None,
        {"strategy_by_tools": True},
    ),
    (
        "Engineering builds prototypes that never make it to production.",
        None,
        {"prototypes_not_shipping": True},
    ),
    ("Every cool experiment stays on a side branch.", None, {"prototypes_not_shipping": True}),
    (
        "We're worried about getting locked in with one model provider.",
        None,
        {"vendor_lock_in_fear": True},
    ),
    ("Lock-in is not a concern for us.", None, {"vendor_lock_in_fear": False}),
    (
        "I'm the CEO and I'm still debugging our chatbot at midnight.",
        None,
        {"founders_firefighting": True},
    ),
    (
        "The agency built a beautiful demo but every change request is expensive.",
        None,
        {"agency_dependence": True},
    ),
    ("We are burning money on an outside dev shop.", None, {"agency_dependence": True}),
    (
        "There's no AI policy and staff use personal ChatGPT accounts.",
        None,
        {"no_ai_governance": True},
    ),
    ("We have a clear AI usage policy owned by our COO.", None, {"no_ai_governance": False}),
    ("We're PE-backed with lots of manual workflows.", "pe_smb", {}),
    ("We just raised our Series A.", "series_ab", {}),
    ("I run an AI programme in a department of a Fortune 500 insurer.", "enterprise", {}),
    ("Honestly we only want a deck for the board.", None, {"pitch_deck_only": True}),
    ("We have a strong CTO who owns AI; we need extra hands.", None, {"strong_cto_owns_ai": True}),
    (
        "We don't know yet which problem AI should solve, we just want to do something with AI.",
        None,
        {"problem_undefined": True},
    ),
    (
        "It's a political compromise between sales and product.",
        None,
        {"political_compromise": True},
    ),
    ("We can't give an outsider access to our repo or data.", None, {"no_access": True}),
    (
        "We're a SaaS company and technology is our core product.",
        None,
        {"tech_permanent_center": True},
    ),
    (
        "The project is well-scoped and our CTO owns the architecture.",
        None,
        {"work_well_scoped": True, "architecture_owned": True},
    ),
    ("Nobody owns the architecture.", None, {"architecture_owned": False}),
    ("A few hours a month of advice would be plenty.", None, {"needs_occasional_input": True}),
]


@pytest.mark.parametrize(("text", "stage", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_detects(text: str, stage: str | None, expected: dict[str, bool]) -> None:
    found = detect_facts(text)
    assert found.stage == stage
    merged = {**found.signals, **found.disqualifiers, **found.context}
    assert {k: merged.get(k) for k in expected} == expected


def test_unmentioned_keys_stay_unknown() -> None:
    found = detect_facts("We sell bicycles in Utrecht.")
    assert (found.stage, found.signals, found.disqualifiers, found.context) == (None, {}, {}, {})


def test_the_later_statement_wins_when_people_correct_themselves() -> None:
    found = detect_facts("Our pilot stalled. Actually no, the pilot has not stalled.")
    assert found.signals["pilot_stalled"] is False


def _string_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


GRAPHS = Path(__file__).resolve().parents[1] / "graphs"


@pytest.mark.parametrize("module", sorted(p.name for p in GRAPHS.glob("*.py")))
def test_no_report_sentence_is_typed_into_code(module: str) -> None:
    path = GRAPHS / module
    report = " ".join(FIELD_REPORT_FILE.read_text(encoding="utf-8").split()).lower()
    headings = {part for label in field_report_labels() for part in label.split(" › ")}
    for literal in _string_literals(path):
        words = re.sub(r"\s+", " ", literal).strip()
        if words in headings:  # headings are citation labels, not prose
            continue
        if len(words.split()) >= 8:  # long enough to be a copied sentence
            assert words.lower() not in report, f"{module} copies the report: {words!r}"
