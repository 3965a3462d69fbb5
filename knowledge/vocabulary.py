"""How founders say things vs. how the sources say them: query-side expansions.

Applied to questions only (never to indexed text), for both rankers. Entries are plain
vocabulary, ours; extend when `advisor eval retrieval` shows a miss caused by wording.
"""

from __future__ import annotations

import re

EXPANSIONS: dict[str, str] = {
    r"\bceo\b|\bco-?founders?\b": "founder",
    r"\bmidnight\b|\blate at night\b|\bat night\b|\bnights\b": "2am night",
    r"\bdebugg\w*\b|\bfixing\b|\bfirefight\w*\b": "coding patch",
    r"\bfirst week\b|\bweek one\b": "week 1",
    r"\bsecond week\b|\bweek two\b": "week 2",
    r"\bthird week\b|\bweek three\b": "week 3",
    r"\bfourth week\b|\bweek four\b|\bend of the month\b": "week 4",
    r"\ba month\b|\bone[- ]month\b|\bfirst month\b|\bfour weeks\b": "30 days",
    r"\bpoc\b|\bproof of concept\b|\bmvp\b": "pilot prototype",
    r"\blocked in(to)?\b|\block ?in\b": "lock-in vendor",
    r"\bself-?host\w*\b": "self-host vendor",
    r"\bprivate equity\b|\bpe[- ]owned\b": "PE-backed",
    r"\bcorporate\b|\bbig company\b|\bfortune 500\b": "enterprise department",
    r"\binvestors?\b": "board",
    r"\bdev shop\b|\bconsultancy\b|\boutsourc\w*\b": "agency",
    r"\bwhen to\b|\bwhen do(es)?\b|\bshould we\b": "when hire",
    r"\bone rule\b|\brule of thumb\b": "simple rule",
    r"\bindefinitely\b|\bpermanently\b|\bfor (years|good|ever)\b|\blong[- ]term\b": "forever",
    r"\bmiddle ground\b|\bneutral\b|\btie-?break\w*\b|\bdisagree\w*\b|\bkeep (the )?peace\b|"
    r"\bboth (sides|camps)\b|\breferee\w*\b|\bmediat\w*\b|\barbitrat\w*\b|\bsit between\b|"
    r"\bbetween (them|the two of them|the two|us two)\b": "political compromise",
    # "legal won't let them near the codebase": the report's "will not give access to the repo"
    r"\bwon'?t let (them|him|her|anyone|outsiders?|an outsider) (near|into|see|touch)\b|"
    r"\b(keep|kept) (them|him|her|outsiders?) (away from|out of)\b|\bno access\b|"
    r"\bnot allowed (near|into|to see|to touch)\b": "give access repo systems data",
    r"\bwait(ing)?\b|\bhold(ing)? off\b|\b(another|next) quarter\b|\bput\w* off\b": "cost of delay",
    r"\bchatgpt\b|\bcopilot\b|\bgemini\b|\b(own|private) accounts?\b": "AI tools personal accounts",
    r"\bcustomer (info|information|records|details)\b|\bclient data\b|\bpii\b": "customer data",
    r"\bprod\b|\blive system\w*\b": "production",
    r"\ballowed to (touch|do|access|change)\b|\baccess rights?\b": "agent permissions",
    r"\bregular\b|\bordinary\b|\btraditional\b|\bstandard\b|\bgeneric\b|\bplain\b": "normal",
    r"\bcandidates?\b|\bapplicants?\b|\b(ticks?|checks?) (all|every) (the )?box(es)?\b|"
    r"\bperfect (fit|match|hire|person)\b|\bunicorn\b|\bpicky\b": "person matches spec fit",
    # the report asks "How much does a fractional CTO charge per hour?" and answers it
    r"\b(day|daily|hourly|monthly|weekly|going) rates?\b|\brate card\b|\bfees?\b|"
    r"\bretainer\b": "charge per hour",
    # "own" is a stop word and Porter2 keeps "owns" apart from "owner": the notes say "Owner:"
    r"\bown(s|ed|ing)?\b|\bin charge of\b|\bresponsible for\b|\baccountable\b": "owner",
}
_COMPILED = [(re.compile(pattern, re.IGNORECASE), extra) for pattern, extra in EXPANSIONS.items()]


# Chat shorthand as founders type it in Slack ("wat do these ppl charge per hr?"), in plain
# words: the sources spell words out, so the shorthand counts as words they never use.
# General English chat usage, not this domain's vocabulary. "HR" stays: only "per hr"; the
# shorthands that are also names or titles ("RN", "U.S.", "Mo") only in lower case.
SHORTHAND: dict[str, str] = {
    r"\bppl\b": "people",
    r"\b(per|an|a|/) ?hr\b": r"\1 hour",
    r"\bhrs\b": "hours",
    r"\b(?-i:rn)\b": "right now",  # lower case only: "RN" is a nurse
    r"\bwat\b|\bwut\b": "what",
    r"\b(?-i:u)\b(?!\.)": "you",  # not "U.S."
    r"\bur\b": "your",
    r"\bb/?c\b|\bcuz\b|\bcoz\b": "because",
    r"\bw/o\b": "without",
    r"\bw/(?=\s)": "with",
    r"\bdunno\b": "don't know",
    r"\bgonna\b": "going to",
    r"\bwanna\b": "want to",
    r"\babt\b": "about",
    r"(?<=\d)(?-i:mo)\b": " month",  # "3mo"; not "Mo from sales"
    r"(?<=\d )(?-i:mo)\b|\bmth\b": "month",
    r"\b(per|a) (?-i:mo)\b": r"\1 month",
    r"\byr\b": "year",
    r"\bb4\b": "before",
    r"\bsmth\b|\bsth\b": "something",
    r"\bfull[- ]?timers?\b": "full-time",
    r"\bpart[- ]?timers?\b": "part-time",
}
_SHORTHAND = [(re.compile(p, re.IGNORECASE), plain) for p, plain in SHORTHAND.items()]


def spelled_out(question: str) -> str:
    """The question with chat shorthand in plain words."""
    for pattern, plain in _SHORTHAND:
        question = pattern.sub(plain, question)
    return question


def expand_query(question: str) -> str:
    """The question, shorthand spelled out, plus the source vocabulary for any founder
    phrasing it contains."""
    plain = spelled_out(question)
    extras = _expansions_of(plain)
    return f"{plain} {' '.join(extras)}" if extras else plain


def expansions(question: str) -> list[str]:
    """The source vocabulary the question's founder phrasing stands for, read as
    `expand_query` reads it (shorthand spelled out)."""
    return _expansions_of(spelled_out(question))


def _expansions_of(plain: str) -> list[str]:
    return [extra for pattern, extra in _COMPILED if pattern.search(plain)]
