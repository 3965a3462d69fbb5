"""The non-interactive answers file of `advisor assess --answers FILE`, validated strictly."""

from __future__ import annotations

from typing import Any

from graphs.models import CONTEXT_KEYS, DISQUALIFIER_KEYS, SIGNAL_KEYS, STAGES, Facts

_GROUPS = {"signals": SIGNAL_KEYS, "disqualifiers": DISQUALIFIER_KEYS, "context": CONTEXT_KEYS}


class AnswersFileError(ValueError):
    """The answers file is malformed; the message names the offending field."""


def parse_answers(data: Any) -> Facts:
    """`{"stage", "signals", "disqualifiers", "context"}` → Facts, or an error naming the field."""
    if not isinstance(data, dict):
        raise AnswersFileError("the answers file must hold a JSON object")
    unknown = sorted(set(data) - {"stage", *_GROUPS})
    if unknown:
        raise AnswersFileError(
            f"unknown field(s) {', '.join(unknown)}; "
            "expected stage, signals, disqualifiers, context"
        )
    stage = data.get("stage")
    if stage is not None and stage not in STAGES:
        raise AnswersFileError(f"stage: {stage!r} is not one of {', '.join(STAGES)}")
    groups: dict[str, dict[str, bool | None]] = {}
    for group, keys in _GROUPS.items():
        values = data.get(group, {})
        if not isinstance(values, dict):
            raise AnswersFileError(f"{group}: expected an object of key → true/false/null")
        for key, value in values.items():
            if key not in keys:
                raise AnswersFileError(
                    f"{group}.{key}: unknown key; expected one of {', '.join(keys)}"
                )
            if value is not None and not isinstance(value, bool):
                raise AnswersFileError(
                    f"{group}.{key}: expected true, false or null, got {value!r}"
                )
        groups[group] = dict(values)
    return Facts(stage=stage, **groups)
