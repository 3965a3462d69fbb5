"""What a note sentence claims, so that a newer note supersedes an older one only where the two
say different things of the same matter: another figure of the same quantity ("212 cases",
then "248 cases"), another owner ("owner: Tomasz", then "…: Lena Brandt"), or a matter left
open that a newer note settles ("whether … is rebuilt", then "chose to rebuild"). A newer note
that repeats or agrees with the older one supersedes nothing: "Scout no longer runs on anyone's
laptop" is as true after "R0 Laptop hosting (closed …)" as before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from knowledge.lexical import tokenize

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
DATE = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}\s+{_MONTH}|\b{_MONTH}\s+\d{{1,2}}\b|\bQ[1-4]\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?:(\w+)\W{1,3})?(?:(\w+)\W{1,3})?\b(\d[\d,.]*\d|\d)(%|\s+(\w+))?")
# A number in a rule or a target ("once the set passes 95%", "under 2 working hours") is no
# measurement: a newer measurement does not replace it.
_RULE = re.compile(
    r"\b(once|if|unless|threshold|target|goal|under|over|above|below|at least|at most|"
    r"no more than|up to)\b",
    re.IGNORECASE,
)
# A matter the sentence leaves open; a newer one that settles it says something else.
_OPEN = re.compile(
    r"\b(whether|ownerless|no owner|nobody owns|not (?:yet )?decided|undecided|pending|"
    r"unknown|needed|no written|until|open question|tbd)\b",
    re.IGNORECASE,
)
_SETTLED = re.compile(
    r"\b(adopted|decided|chose|chosen|signed|approved|closed|done|since|from|agreed|owner)\b",
    re.IGNORECASE,
)
_OWNERLESS = re.compile(r"\b(ownerless|no owner|nobody owns)\b", re.IGNORECASE)
_CALENDAR = re.compile(
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)days?)$",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r";\s+|(?<=[.!?])\s+(?=[A-Z(])")
_CAPITALISED = re.compile(r"\b[A-Z][a-zà-ÿ]+(?:[-'][A-Za-zà-ÿ]+)*")
# An owner statement: "owner: Tomasz", "…: Lena Brandt (CEO)", "Dana looks after …"
_OWNER = re.compile(
    r"(?i:\bowner\b|\bowns\b|\blooks after\b|\bin charge\b|\bresponsible\b)|:\s+[A-Z][a-zà-ÿ]+"
)


@lru_cache(maxsize=8192)  # each pair of sentences is compared: read each clause once
def clauses(text: str) -> tuple[str, ...]:
    """The parts of a sentence that each say one thing ("R5 Grader drift. … Mitigation: …")."""
    return tuple(c for c in (p.strip() for p in _CLAUSE.split(text)) if c)


@lru_cache(maxsize=8192)
def figures(clause: str) -> dict[str, frozenset[str]]:
    """Measured numbers by what they count ("212 cases" → cases: 212; "passed 91%" → pass:
    91%), dates aside; none in a rule or a target."""
    if _RULE.search(clause):
        return {}
    found: dict[str, set[str]] = {}
    for m in _NUMBER.finditer(DATE.sub(" ", clause)):
        first, second, number, unit, after = m.groups()
        value = number.replace(",", "") + ("%" if unit == "%" else "")
        words = [first or "", second or ""] if unit == "%" else [after or ""]
        for term in tokenize(" ".join(words)):
            found.setdefault(term, set()).add(value)
    return {term: frozenset(values) for term, values in found.items()}


def people(text: str, vocabulary: frozenset[str]) -> frozenset[str]:
    """The terms of the names in a text: capitalised words the notes and the report never
    write in lower case ("Tomasz", "Lena Brandt"; not "Quarterly", "Mitigation")."""
    words = (w for w in _CAPITALISED.findall(text) if not _CALENDAR.match(w))
    return frozenset(t for t in tokenize(" ".join(words)) if t not in vocabulary)


def lower_vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """The terms the texts write in lower case somewhere: common words, not names."""
    return frozenset().union(*(_lower_terms(t) for t in texts))


@lru_cache(maxsize=4096)  # the same chunks come back for question after question
def _lower_terms(text: str) -> frozenset[str]:
    return frozenset(tokenize(" ".join(re.findall(r"\b[a-zà-ÿ][\w'-]*", text))))


@lru_cache(maxsize=8192)
def _words(clause: str) -> frozenset[str]:
    return frozenset(t for t in tokenize(DATE.sub(" ", clause)) if not t[0].isdigit())


@lru_cache(maxsize=8192)  # both the owner and the open-matter tests read it
def _closest(older: str, newer: str) -> tuple[str, str]:
    """The clause of each that shares most words with the other's (the first on a tie)."""
    pairs = [(a, b) for a in clauses(older) for b in clauses(newer)]
    return max(pairs, key=lambda p: len(_words(p[0]) & _words(p[1])))


@lru_cache(maxsize=8192)
def _measured(text: str) -> tuple[tuple[str, dict[str, frozenset[str]]], ...]:
    """The clauses that measure something, with their figures (most sentences: none)."""
    return tuple((c, figures(c)) for c in clauses(text) if figures(c))


def other_figure(older: str, newer: str, about: set[str]) -> bool:
    """A clause of each measures the same thing with other numbers; a count ("20 cases")
    only when the older clause also names something else the newer or the question names
    (a weekly hand check of 20 cases is no size of the eval set)."""
    for a, mine in _measured(older):
        for b, theirs in _measured(newer):
            for term in mine.keys() & theirs.keys():
                if mine[term] == theirs[term]:
                    continue
                percent = any(v.endswith("%") for v in mine[term])
                context = _words(a) - mine.keys()
                if percent or context & (_words(b) | about):
                    return True
    return False


def other_owner(older: str, newer: str, vocabulary: frozenset[str]) -> bool:
    """The newer clause names an owner the older sentence does not, and the older clause
    names someone else: "owner: Tomasz" → "…: Lena Brandt". A newer owner line naming whom
    the older already named ("she takes over the eval set" → "…: Priya Raman") agrees."""
    mine, theirs = _closest(older, newer)
    if not _reads(theirs)[3]:
        return False
    named, before = people(theirs, vocabulary), people(mine, vocabulary)
    return bool(named and before) and not named <= people(older, vocabulary) and not before <= named


@lru_cache(maxsize=8192)
def _reads(clause: str) -> tuple[bool, bool, bool, bool]:
    """Whether the clause leaves a matter open, settles one, says it has no owner, names one."""
    return tuple(bool(p.search(clause)) for p in (_OPEN, _SETTLED, _OWNERLESS, _OWNER))  # type: ignore[return-value]


def settles(older: str, newer: str) -> bool:
    """The older clause leaves the matter open and the newer settles it ("an acceptable-use
    rule … needed this month" → "Acceptable-use rule adopted")."""
    mine, theirs = _closest(older, newer)
    (open_, _, ownerless, _), (still_open, settled, _, owner) = _reads(mine), _reads(theirs)
    return open_ and not still_open and (settled or (ownerless and owner))


def says_otherwise(older: str, newer: str, about: set[str], vocabulary: frozenset[str]) -> bool:
    """The newer sentence says something else of what the older says: another figure,
    another owner, or a settled matter the older left open."""
    return (
        other_figure(older, newer, about)
        or other_owner(older, newer, vocabulary)
        or settles(older, newer)
    )
