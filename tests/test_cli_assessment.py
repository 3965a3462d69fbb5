"""`advisor assess --answers` and `advisor check` from the terminal, as documented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import advisor


def _answers(tmp_path: Path, payload: object) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def test_answers_file_gives_the_documented_json(tmp_path: Path) -> None:
    path = _answers(
        tmp_path,
        {
            "stage": "seed",
            "signals": {
                "pilot_stalled": True,
                "founders_firefighting": True,
                "no_ai_governance": None,
            },
            "disqualifiers": {"no_access": False},
            "context": {},
        },
    )
    result = advisor(tmp_path / "d", "assess", "--answers", str(path), "--json")
    assert result.returncode == 0, result.stderr
    rec = json.loads(result.stdout)
    assert rec["recommendation"] == "fractional_ai_cto"
    assert {
        "recommendation",
        "runner_up",
        "confidence",
        "rules",
        "advice",
        "plan",
        "citations",
    } <= set(rec)
    assert {"id", "option", "weight", "citation"} <= set(rec["rules"][0])
    assert [w["week"] for w in rec["plan"]] == [1, 2, 3, 4]
    assert {"n", "source", "section", "quote", "tenant", "chunk_id"} <= set(rec["citations"][0])


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"stage": "seed", "signalz": {}}, "unknown field(s) signalz"),
        ({"stage": "unicorn"}, "stage: 'unicorn' is not one of"),
        ({"signals": {"pilot_stalled": "yes"}}, "signals.pilot_stalled: expected true, false"),
        ({"signals": {"pilot_stoled": True}}, "signals.pilot_stoled: unknown key"),
        ({"context": ["tech_permanent_center"]}, "context: expected an object"),
        ([1, 2], "must hold a JSON object"),
    ],
)
def test_bad_answers_file_names_the_field_and_exits_2(
    tmp_path: Path, payload: object, message: str
) -> None:
    result = advisor(tmp_path / "d", "assess", "--answers", str(_answers(tmp_path, payload)))
    assert result.returncode == 2
    assert message in " ".join(result.stderr.split())


def test_check_reads_facts_with_their_evidence_and_recommends(tmp_path: Path) -> None:
    text = (
        "We're a seed startup, the founder fixes the bot at 2am, we can't hire a "
        "full-time CTO yet, and we don't have governance."
    )
    result = advisor(tmp_path / "d", "check", "--json", text)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["recommendation"] == "fractional_ai_cto" and payload["leaning"] is None
    assert payload["detected"]["stage"] == "seed"
    read = {r["key"]: r for r in payload["read"]}
    assert read["founders_firefighting"]["value"] is True
    evidence = read["founders_firefighting"]
    assert text[evidence["start"] :].startswith(evidence["evidence"])
    why = payload["explanation"]["why"]
    assert why and all(r["citation"] in {c["n"] for c in payload["citations"]} for r in why)
    assert any(r["said"] and "2am" in r["said"] for r in why)


def test_an_undecided_check_says_null_with_a_leaning_and_its_questions(tmp_path: Path) -> None:
    result = advisor(
        tmp_path / "d", "check", "--json", "We're a seed startup and thinking about AI."
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["recommendation"] is None and payload["leaning"]
    assert 1 <= len(payload["questions"]) <= 3
    assert all(q["prompt"] and q["choices"] for q in payload["questions"])
    assert payload["undecided_because"]
    assert payload["summary"].startswith("Undecided (leaning: ")
    assert payload["advice"] == [] and payload["plan"] is None


def test_check_without_text_is_a_usage_error(tmp_path: Path) -> None:
    result = advisor(tmp_path / "d", "check", "")
    assert result.returncode == 2 and "usage: advisor check" in result.stderr
