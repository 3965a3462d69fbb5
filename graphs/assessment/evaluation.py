"""Measuring the check on free-text situations: is it right, and does it read the facts?

Each golden situation (tests/golden/situations/{dev,test}.yaml) is a founder's message with
the facts it states and the option the field report implies. The check is scored three ways:
right (decided, and the expected or an acceptable option), confidently wrong (decided, and
something else), undecided (a leaning plus questions: better than wrong, not yet right). The
reading is scored per fact: precision and recall of what it says it read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graphs.assessment.decide import decide, second_look
from graphs.assessment.reader import Reading
from graphs.models import OPTIONS

UNDECIDED = "undecided"


@dataclass(frozen=True, slots=True)
class Situation:
    id: str
    text: str
    expect: str
    acceptable: tuple[str, ...]
    facts: frozenset[tuple[str, Any]]  # (fact key, value) pairs the text states


def load_situations(path: Path) -> list[Situation]:
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [_situation(item) for item in items]


def _situation(item: dict[str, Any]) -> Situation:
    labelled = item.get("facts") or {}
    pairs = {("stage", labelled["stage"])} if labelled.get("stage") else set()
    for group in ("signals", "disqualifiers", "context"):
        pairs |= set((labelled.get(group) or {}).items())
    return Situation(
        id=item["id"],
        text=item["text"],
        expect=item["expect"],
        acceptable=tuple(item.get("acceptable") or ()),
        facts=frozenset(pairs),
    )


@dataclass(slots=True)
class SituationReport:
    name: str
    total: int = 0
    right: int = 0
    wrong: int = 0
    undecided: int = 0
    leaning_right: int = 0  # undecided, but leaning to an acceptable option
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    def precision(self, key: str | None = None) -> float:
        tp, fp = self._counts(key, self.fp)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, key: str | None = None) -> float:
        tp, fn = self._counts(key, self.fn)
        return tp / (tp + fn) if tp + fn else 1.0

    def _counts(self, key: str | None, other: Counter[str]) -> tuple[int, int]:
        if key is None:
            return sum(self.tp.values()), sum(other.values())
        return self.tp[key], other[key]

    def fact_keys(self) -> list[str]:
        return sorted(set(self.tp) | set(self.fp) | set(self.fn))

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "total": self.total,
            "right": self.right,
            "confidently_wrong": self.wrong,
            "undecided": self.undecided,
            "undecided_leaning_right": self.leaning_right,
            "fact_precision": round(self.precision(), 3),
            "fact_recall": round(self.recall(), 3),
            "per_fact": {
                k: {"precision": round(self.precision(k), 3), "recall": round(self.recall(k), 3)}
                for k in self.fact_keys()
            },
            "confusion": {f"{e} -> {g}": n for (e, g), n in sorted(self.confusion.items())},
            "misses": self.misses,
        }


def evaluate_situations(
    name: str, situations: list[Situation], read: Callable[[str], Reading]
) -> SituationReport:
    report = SituationReport(name=name)
    for situation in situations:
        reading = second_look(read(situation.text))
        facts = reading.to_facts()
        decision = decide(facts, reading)
        _score_facts(report, situation, reading)
        _score_option(report, situation, decision.recommendation.recommendation, decision.decided)
    return report


def _score_facts(report: SituationReport, situation: Situation, reading: Reading) -> None:
    got = {(r.key, r.value) for r in reading.known()}
    for key, _value in got & situation.facts:
        report.tp[key] += 1
    for key, _value in got - situation.facts:
        report.fp[key] += 1
    for key, _value in situation.facts - got:
        report.fn[key] += 1


def _score_option(report: SituationReport, situation: Situation, top: str, decided: bool) -> None:
    report.total += 1
    good = {situation.expect, *situation.acceptable}
    shown = top if decided else UNDECIDED
    report.confusion[(situation.expect, shown)] += 1
    if not decided:
        report.undecided += 1
        report.leaning_right += top in good
        report.misses.append(
            f"{situation.id}: undecided (leaning {top}), expected {situation.expect}"
        )
    elif top in good:
        report.right += 1
    else:
        report.wrong += 1
        report.misses.append(f"{situation.id}: {top}, expected {situation.expect}")


def confusion_table(report: SituationReport) -> list[str]:
    """Rows: expected option; columns: what the check said (or undecided)."""
    columns = [*OPTIONS, UNDECIDED]
    short = {o: o[:10] for o in columns}
    lines = ["expected \\ said".ljust(18) + " ".join(short[c].rjust(10) for c in columns)]
    for expected in OPTIONS:
        cells = [str(report.confusion[(expected, c)] or ".").rjust(10) for c in columns]
        lines.append(expected[:17].ljust(18) + " ".join(cells))
    return lines
