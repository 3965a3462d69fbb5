"""Which option a report sentence recommends, for a decision-shaped question the check cannot
settle: the report says it in so many words ("An agency is right when …", "Do not hire one as a
political compromise."), so the answer line can name that option and quote the sentence.

Data, matched on the start of the sentence: each opening is verbatim from the field report
(tests/test_answer_shape.py checks that every one is still there).
"""

from __future__ import annotations

OPENINGS: dict[str, tuple[str, ...]] = {
    "fractional_ai_cto": (
        "Hire a Fractional AI CTO when",
        "A Fractional AI CTO is right when",
        "A seed company should hire a Fractional AI CTO when",
        "Hire it because irreversible decisions are being made",
        "A Fractional AI CTO at this stage should connect",
        "A Fractional AI CTO can define a controlled path",
    ),
    "full_time_cto": (
        "A full-time CTO is right when",
        "Do not use fractional forever to avoid that hire.",
    ),
    "agency": ("An agency is right when",),
    "advisor": (
        "An advisor is right when",
        "Do not hire one if you only want a pitch deck. Get an advisor",
    ),
    "specialist": ("If you already have a strong CTO who owns AI and only needs extra hands",),
    "not_yet": (
        "Do not hire one if the business problem is undefined",
        "Do not hire one as a political compromise.",
        "Do not hire one if you expect magic",
        "Fractional leadership needs authority over a defined lane",
    ),
}


def option_of(sentence: str) -> str | None:
    """The option a report sentence recommends in its own words, if it names one."""
    for option, openings in OPENINGS.items():
        if sentence.startswith(openings):
            return option
    return None
