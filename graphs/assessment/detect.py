"""The offline detector: stage, trigger signals, disqualifiers and context from free text.

Deterministic and fast. Text is cut into clauses; each phrase table entry that matches sets its
key, flipped when a negation sits just before it ("our pilot hasn't stalled"). When a key is
mentioned twice, the later mention wins (people correct themselves). Unmentioned keys stay
unknown.
"""

from __future__ import annotations

import re

from graphs.assessment.detect_patterns import CONTEXT, DISQUALIFIERS, NEG, SIGNALS, STAGES, Entry
from graphs.models import Facts

_CLAUSE = re.compile(r"(?<=[.!?;])\s+|\n+|\s+(?:but|however|although|though|whereas)\s+", re.I)
_NEGATION = re.compile(rf"\b{NEG}\b|n't\b", re.I)
NEGATION_WINDOW = 24  # characters before a match in which a negation flips it
_BOUNDARY = re.compile(r",|\band\b|\bbut\b", re.I)
_DENIED_AFTER = re.compile(
    r"\s*(?:(?:is|are|was|were)\s+(?:not|never)|isn't|aren't|wasn't)\b", re.I
)


def clauses(text: str) -> list[str]:
    normalised = text.replace("’", "'").replace("‘", "'")
    return [c.strip() for c in _CLAUSE.split(normalised) if c and c.strip()]


def _negated(clause: str, match: re.Match[str]) -> bool:
    before = clause[max(0, match.start() - NEGATION_WINDOW) : match.start()]
    before = _BOUNDARY.split(before)[-1]  # a negation never reaches across ", and …"
    window = before + clause[match.start() : match.end()]
    # "lock-in is not a concern": a denial right after the phrase counts too.
    return bool(_NEGATION.search(window) or _DENIED_AFTER.match(clause, match.end()))


def _scan(parts: list[str], table: dict[str, tuple[Entry, ...]]) -> dict[str, bool]:
    found: dict[str, tuple[int, bool]] = {}
    for index, clause in enumerate(parts):
        for key, entries in table.items():
            for pattern, value, literal in entries:
                match = pattern.search(clause)
                if match is None:
                    continue
                result = value if literal or not _negated(clause, match) else not value
                found[key] = (index, result)
    return {key: value for key, (_index, value) in found.items()}


def _stage(text: str) -> str | None:
    for stage, pattern in STAGES:
        if pattern.search(text):
            return stage
    return None


def detect_facts(text: str) -> Facts:
    """What `text` says about the company; keys it does not mention are absent."""
    parts = clauses(text)
    return Facts(
        stage=_stage(text),  # type: ignore[arg-type]
        signals=_scan(parts, SIGNALS),
        disqualifiers=_scan(parts, DISQUALIFIERS),
        context=_scan(parts, CONTEXT),
    )
