"""Every card the Teams face can send parses cleanly in the official Adaptive Cards parser.

The parser (npm `adaptivecards`, what Teams' renderers build on) runs under node: it is
installed into a cache folder at first use. Where node or npm (or the registry) is missing the
test is skipped with the reason, and fails instead when ADVISOR_REQUIRE_NODE=1 (CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.teams import cards, render
from bot.teams.actions import RESERVED, reserved_names
from graphs.assessment.questions import build_question, interview_keys
from graphs.assessment.rubric import recommend
from graphs.models import Facts, NextStep
from graphs.runtime import Advisor

PARSER = "adaptivecards@3.0.6"
VALIDATOR = Path(__file__).parent / "js" / "validate_cards.mjs"
# Read at import: the suite's autouse fixture clears ADVISOR_* variables before each test.
REQUIRE_NODE = os.environ.get("ADVISOR_REQUIRE_NODE") == "1"
CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "fractional-advisor"
    / PARSER.replace("@", "-")
)

SITUATIONS = {
    "pilot stalled, founders firefighting, Series A": Facts(
        stage="series_ab", signals={"pilot_stalled": True, "founders_firefighting": True}
    ),
    "a strong CTO owns AI": Facts(stage="enterprise", disqualifiers={"strong_cto_owns_ai": True}),
    "pitch deck only, seed": Facts(stage="seed", disqualifiers={"pitch_deck_only": True}),
    "scoped work, owned architecture": Facts(
        stage="pe_smb", context={"work_well_scoped": True, "architecture_owned": True}
    ),
    "technology is the core and a CTO can be hired": Facts(
        stage="series_ab", context={"tech_permanent_center": True, "can_attract_cto": True}
    ),
    "nothing known": Facts(),
}
CHECKS = [
    "We are a Series A startup; our AI pilot stalled after the demo and the founders are "
    "firefighting every night. We have no CTO.",
    "Our CTO owns the AI roadmap and it ships every week.",
    "we want ai",
]


def sendable_cards(checks: list[Any]) -> dict[str, dict[str, Any]]:
    """One of each card the bot sends, from real reply models."""
    shown: dict[str, dict[str, Any]] = {}
    for key in interview_keys():
        question = build_question(key, 3, 19)
        shown[f"question {key}"] = cards.question_card(question, "teams:conv", of=19)
        label = question.choices[0].label
        shown[f"answered {key}"] = cards.answered_card(question, label, of=19)
    stage = build_question("stage", 1, 19)
    shown["question re-asked, typed answer shown"] = cards.question_card(
        stage, "teams:conv", of=19, message="Sorry, I didn't get that.", answered="Stage: Seed"
    )
    shown["answered cancelled"] = cards.answered_card(stage, "Cancel", of=19)
    shown["answered stale"] = cards.answered_card(stage, None, of=19, stale=True)
    shown["in progress"] = cards.in_progress_card(stage, 19)
    for kind in ("assessment", "check"):
        step = cards.next_step_card(NextStep(kind=kind, text="run it on your own situation."))
        assert step is not None
        shown[f"next step {kind}"] = step
    for name, facts in SITUATIONS.items():
        shown[f"recommendation: {name}"] = cards.recommendation_card(recommend(facts))
    for i, result in enumerate(checks):
        said = {r.key: f"you said: “{r.evidence}”" for r in result.read if r.evidence}
        for going_on in (False, True):
            shown[f"check {i} asking_next={going_on}"] = cards.check_card(
                result, said, asking_next=going_on
            )
    shown["notice"] = render.notice("That card belongs to another conversation's interview.")
    return shown


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def every_card(demo_advisor: Advisor) -> dict[str, dict[str, Any]]:
    checks = [await demo_advisor.check(text, "northwind") for text in CHECKS]
    return sendable_cards(checks)


def _unavailable(reason: str) -> None:
    if REQUIRE_NODE:
        pytest.fail(f"ADVISOR_REQUIRE_NODE=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def parser_modules() -> Path:
    """node_modules holding the official parser, installed into the cache at first use."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _unavailable(
            "node and npm are needed to run the Adaptive Cards parser (apt install nodejs npm)"
        )
    modules = CACHE / "node_modules"
    if not (modules / "adaptivecards" / "package.json").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        install = subprocess.run(
            [str(npm), "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", PARSER],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if install.returncode != 0:
            _unavailable(f"npm could not install {PARSER}: {install.stderr.strip()[-300:]}")
    return modules


def validate(modules: Path, shown: list[dict[str, Any]]) -> list[dict[str, list[str]]]:
    run = subprocess.run(
        ["node", str(VALIDATOR), str(modules)],
        input=json.dumps(shown),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(run.stdout)


def test_every_card_parses_with_no_errors_or_warnings_in_adaptive_cards_1_5(
    every_card: dict[str, dict[str, Any]], parser_modules: Path
) -> None:
    results = validate(parser_modules, list(every_card.values()))
    problems = {
        name: result
        for name, result in zip(every_card, results, strict=True)
        if result["errors"] or result["warnings"]
    }
    assert len(results) == len(every_card) >= 50
    assert problems == {}


def test_the_parser_does_report_too_many_actions(parser_modules: Path) -> None:
    """The check above can fail: six actions in one set is the parser's TooManyActions."""
    buttons = [{"type": "Action.Submit", "title": str(i)} for i in range(6)]
    [result] = validate(parser_modules, [render.card([render.text("six")], buttons)])
    assert any("TooManyActions" in e for e in result["errors"])


def _action_data(card: Any) -> list[Any]:
    if isinstance(card, dict):
        found = [card["data"]] if str(card.get("type", "")).startswith("Action.") else []
        return found + [d for value in card.values() for d in _action_data(value)]
    if isinstance(card, list):
        return [d for value in card for d in _action_data(value)]
    return []


def _action_sets(card: Any) -> list[list[Any]]:
    if isinstance(card, dict):
        found = [card["actions"]] if isinstance(card.get("actions"), list) else []
        return found + [s for value in card.values() for s in _action_sets(value)]
    if isinstance(card, list):
        return [s for value in card for s in _action_sets(value)]
    return []


def test_no_button_carries_a_name_teams_renderers_reserve(
    every_card: dict[str, dict[str, Any]],
) -> None:
    data = {name: _action_data(card) for name, card in every_card.items()}
    assert sum(len(d) for d in data.values()) > 90
    offenders = {name: reserved_names(d) for name, d in data.items() if reserved_names(d)}
    assert offenders == {}, f"reserved: {sorted(RESERVED)}"
    assert all(set(d) == {"advisor"} for found in data.values() for d in found)


def test_no_action_set_holds_more_than_five_buttons(
    every_card: dict[str, dict[str, Any]],
) -> None:
    sizes = {name: [len(s) for s in _action_sets(card)] for name, card in every_card.items()}
    assert max(max(s, default=0) for s in sizes.values()) <= cards.MAX_ACTIONS
    assert sorted(sizes["question stage"]) == [1, 2, 3]  # five stages in two rows, Cancel apart
