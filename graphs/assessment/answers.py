"""Understanding interview replies: button values and free text ("yeah, kind of")."""

from __future__ import annotations

import re
from typing import Literal

from graphs.models import STAGES, Stage, Tri

Command = Literal["cancel", "restart"]


class Unclear:
    """Sentinel: the reply could not be understood; the question is asked again."""

    def __repr__(self) -> str:
        return "UNCLEAR"


UNCLEAR = Unclear()

_YES = re.compile(
    r"^(y|yes|yeah|yep|yup|ya|sure|true|correct|right|definitely|absolutely|indeed|totally|"
    r"kind of|kinda|sort of|sorta|somewhat|a bit|a little|partly|partially|mostly|often|"
    r"it does|we do|we are|we have|i think so|pretty much|afraid so|unfortunately yes)\b"
)
_NO = re.compile(
    r"^(n|no|nope|nah|not really|never|false|not at all|hardly|we don'?t|we do not|we are not|"
    r"we'?re not|it doesn'?t|not us|none|no way|not yet)\b"
)
_UNSURE = re.compile(
    r"^(\?|unsure|not sure|maybe|perhaps|possibly|don'?t know|do not know|dunno|idk|no idea|"
    r"hard to say|unclear|skip|pass|n/?a|it depends|depends)\b"
)
_STAGE_PATTERNS: tuple[tuple[Stage, re.Pattern[str]], ...] = (
    ("pe_smb", re.compile(r"\b(pe|private equity|pe[- ]backed|portfolio company|smb|sme)\b")),
    ("series_ab", re.compile(r"\b(series[ -]?(a|b)|series_ab|a round|b round|growth stage)\b")),
    ("seed", re.compile(r"\b(seed|pre[- ]?seed|angel|bootstrapp?ed|early[- ]stage|mvp)\b")),
    ("enterprise", re.compile(r"\b(enterprise|department|corporate|fortune|large company|bu)\b")),
    ("other", re.compile(r"\b(other|none of these|something else|series [c-z]|public company)\b")),
)


def normalise(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").strip().split()).strip(" .!")


def parse_command(text: str) -> Command | None:
    word = normalise(text)
    if word in ("cancel", "stop", "quit", "exit", "abort"):
        return "cancel"
    if word in ("restart", "start over", "reset", "begin again"):
        return "restart"
    return None


def parse_tri(text: str) -> Tri | Unclear:
    """yes → True, no → False, not sure → None; anything else is UNCLEAR."""
    reply = normalise(text)
    if reply in ("unsure", "not_sure", "notsure"):
        return None
    # "not sure" must win over "no", and "not really" over "yes"-ish words.
    if _UNSURE.match(reply):
        return None
    if _NO.match(reply):
        return False
    if _YES.match(reply):
        return True
    return UNCLEAR


def parse_stage(text: str) -> Stage | Unclear:
    reply = normalise(text)
    if reply in STAGES:
        return reply  # type: ignore[return-value]
    for stage, pattern in _STAGE_PATTERNS:
        if pattern.search(reply):
            return stage
    return UNCLEAR
