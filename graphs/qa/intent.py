"""What a question asks for: a decision, a named part of the report, or several things.

- A decision ("should we…", "do we need…", "is it too early…", "who should I bring in…",
  "… is that ok?", "good idea?") is answered with the rubric's verdict on what the question
  says about the company.
- A named part of the report ("week 1", "the fifth signal", "at seed", "series B") is found
  by its heading, whatever the retrieval scores say: one strong section beats neighbours.
- Two questions in one message are each answered, each cited.
"""

from __future__ import annotations

import re
from functools import cache

from knowledge.corpus import field_report_chunks
from knowledge.lexical import tokenize

_DECISION = re.compile(
    r"\b(should (we|i|they)|do (we|i|they) (even |really |actually )?need|too (early|late)|"
    r"is it (worth|time)|are we (ready|too)|who (should|do) (we|i)|what (kind|type|sort) of "
    r"(help|person|role|leader)|which (option|one|role)|(hire|bring in|get|engage) (a|an|some)"
    r"\b.*\?|fractional or|or (a|an) (full[- ]time|agency|advisor|specialist)|worth it|"
    r"what do (we|i) (hire|need)|what should (we|i) (do|hire|get)|"
    r"(is|would) (that|this|it) (be )?(ok|okay|fine|enough|acceptable|a good idea|smart|wise)|"
    r"good idea|(does|would) (that|this) (work|make sense)|"
    # "would a fractional CTO work as a tie-breaker?", "is an agency the right call?"; "how
    # would a fractional CTO work with us" asks how, not whether
    r"(?<!how )(?<!what )(would|could|will|can) (a|an|one|some) [\w' -]{1,40}? (work|help|"
    r"make sense|fit|be (a fit|right|enough|worth it))|"
    r"is (a|an|hiring a|hiring an) [\w' -]{1,40}? the (right|best|smart) (call|move|choice|fit)|"
    # asking for someone or a choice without naming one ("who fixes it", "options?"); "what
    # now?" after a symptom asks for the remedy, not for a hire, and is not among them
    r"who (fixes|owns|handles|sorts out|should (own|fix|handle)) (it|this|that)|"
    r"(our|my|the) options|options(?=\?)|what would you (recommend|suggest)|"
    # "do we bring in someone senior now or not?", "need throughput. Who?", "is this the kind
    # of thing you'd bring a fractional CTO in for, or do I keep pushing IT?"
    r"(do|should|can|could) (we|i) (bring in|bring on|hire|engage|sign|take on)|"
    r"(?<=[.!?] )who(?=\?)|^who(?=\?)|kind of (thing|problem|situation) (you'd|you would|"
    r"to|we'd|we would) (bring|hire|get|call)|"
    r"or (do|should) (we|i) (just )?(keep|stick|wait|stay))\b",
    re.IGNORECASE,
)
_NUMBER = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "last": 4, "final": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
    "6th": 6, "7th": 7, "8th": 8, "initial": 1, "opening": 1,
}  # fmt: skip
_N = r"(\d|one|two|three|four|five|six|seven|eight|first|second|third|fourth|fifth|sixth|" \
     r"seventh|eighth|last|final|initial|opening|[1-8](?:st|nd|rd|th))"  # fmt: skip
_WEEK_WORD = r"(?:week|wk)"  # "wk 2" as founders type it
_NO = r"(?:\s*#|\s+(?:number|no\.?|nr\.?|n°))?\s*"  # "signal number 4", "week no. 2"
_WEEK = re.compile(rf"\b{_WEEK_WORD}{_NO}{_N}\b|\b{_N}\s+{_WEEK_WORD}\b", re.IGNORECASE)
_SIGNAL = re.compile(rf"\b(?:signal|trigger){_NO}{_N}\b|\b{_N}\s+(?:trigger\s+)?signal\b", re.I)
_STAGES = (
    ("Seed", re.compile(r"\b(pre[- ]?seed|seed|angel)\b", re.IGNORECASE)),
    ("Series A or B", re.compile(r"\bseries[ -]?(a|b)\b|\b(a|b) round\b", re.IGNORECASE)),
    ("PE-backed", re.compile(r"\b(pe[- ]backed|private equity|pe fund|portfolio co|portco)", re.I)),
    ("Enterprise", re.compile(r"\b(enterprise|department|fortune 500|corporate)\b", re.I)),
)
_OPTIONS = re.compile(
    r"\b(fractional|cto|advisor|agency|agencies|consultan\w*|specialist|freelanc\w*|hire|"
    r"hiring|bring (someone|somebody|one) in| vs\.?|versus)\b",
    re.IGNORECASE,
)
_WHEN_TO = re.compile(
    r"\bwhen (should|do|does|would|must|can|is it|to)\b|\bright (time|moment)\b|"
    r"\b(time|moment) (to|for) (hire|bring|get)",
    re.IGNORECASE,
)
_SIGNS = re.compile(
    r"\b(red flags?|warning signs?|signs|symptoms?|the tell|tell[- ]?tale|"
    r"how (do|can|would|will|could) (i|we|you) (know|tell|spot|recogni[sz]e))\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"\b(not|never|avoid|wrong|mistake)\b|n't\b|\bdont\b", re.IGNORECASE)
_OPTION_WORDS = {
    "fractional_ai_cto": re.compile(r"\bfractional\b", re.I),
    "full_time_cto": re.compile(r"\bfull[- ]?tim(e|er)\b|\bpermanent\b|\bin[- ]house cto\b", re.I),
    "agency": re.compile(r"\bagenc(y|ies)\b|\bdev shop\b|\bconsultanc(y|ies)\b", re.I),
    "advisor": re.compile(r"\badvis[oe]rs?\b", re.I),
    "specialist": re.compile(r"\bspecialists?\b|\bfreelanc\w*\b|\bcontractors?\b", re.I),
}
_EXPLAINS = re.compile(r"\bdiff[ie]?rences?\b|\bdifferent\b|\bcompare[sd]?\b|\bexplain\b", re.I)
_NOW = re.compile(
    r"\b(now|currently|still|stil|yet|latest|going forward|anymore|any more|any longer|today|"
    r"these days|at the moment|so far|by now|most recent|recently|at this point|as of)\b",
    re.IGNORECASE,
)
# where a client's things stand, without a time word: what was settled, who holds it
_SETTLED = re.compile(
    r"\b(what did (we|they) (\w+ )?decide|did (we|they) (\w+ ){0,2}(decid|switch|settl|chos|"
    r"pick|agree)\w*|where did (we|they) land|who(?:'?s| is| now)? (owns?|in charge|on the hook|"
    r"responsible|running)|took it over|taken (it )?over|did that change|has that changed)\b",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    r"\bhow (many|much|big|large)\b|\b(number|count|size|rate|percent\w*|figure|total)s?\b|%",
    re.IGNORECASE,
)
_PARTS = re.compile(r"(?<=\?)\s+(?=\S)")


# "what fees should we expect", "how should we measure it": a question about content that
# says "should", not a choice; "what should we do / hire / get" is still one.
_WH_BEFORE = re.compile(r"\b(what|which|how)\b[^.?!]*$", re.IGNORECASE)
_CHOICE_VERB = re.compile(
    r"\s+(do|hire|get|bring|use|go|choose|pick|engage|start|stop|keep|wait)\b", re.IGNORECASE
)


def is_decision(question: str) -> bool:
    """A choice to make ("should we…", "do we need…", "good idea?"), not a question about
    content that happens to say "should" ("what fees should we expect?")."""
    for match in _DECISION.finditer(question):
        about_content = (
            match.group(0).lower().startswith("should")
            and _WH_BEFORE.search(question[: match.start()])
            and not _CHOICE_VERB.match(question, match.end())
        )
        if not about_content:
            return True
    return False


def asks_when(question: str) -> bool:
    """It asks for the conditions ("when should I hire one", "when not to"), not a choice."""
    return bool(_WHEN_TO.search(question))


def asks_when_to(question: str) -> bool:
    """It asks when to act ("when should I hire one", "is it the right moment"), not when
    not to: answered by the report's conditions, not its warnings."""
    return asks_when(question) and not _NEGATED.search(question)


def asks_for_signs(question: str) -> bool:
    """It asks how to recognise a problem ("red flags", "how do I tell if…"): answered by
    the report's symptoms."""
    return bool(_SIGNS.search(question))


def asks_current_state(question: str) -> bool:
    """It asks where things stand now ("who owns it now", "still on the laptop?", "can we use
    the tickets yet", "what did we decide", "who's in charge of…"): the newest notes answer it."""
    return bool(_NOW.search(question) or _SETTLED.search(question))


def time_terms(question: str) -> set[str]:
    """The terms of the question's time words ("now", "at this point"): they say when it
    asks about, not what, so no sentence matches the question by them."""
    return {t for m in _NOW.finditer(question) for t in tokenize(m.group(0))}


_COUNTED = re.compile(r"\bhow many\s+(\w+)(?:\s+(\w+))?", re.IGNORECASE)


def counted_terms(question: str) -> set[str]:
    """What a count question counts ("how many test cases" → test, cases): the thing asked
    for, however many of the client's notes name it."""
    return {
        t for m in _COUNTED.finditer(question) for t in tokenize(" ".join(filter(None, m.groups())))
    }


def asks_quantity(question: str) -> bool:
    """It asks for a figure ("how many cases", "the pass rate"): a newer figure of the same
    thing replaces an older one."""
    return bool(_QUANTITY.search(question))


def weighs_options(question: str) -> bool:
    """It names two or more of the options ("agency vs fractional ai cto?", "keep a
    fractional cto … cheaper than a full timer"): a choice, even without "should"; not when
    it asks how they differ ("fractional vs interim vs full-time: what's different?")."""
    return len(named_options(question)) >= 2 and not _EXPLAINS.search(question)


def named_options(question: str) -> set[str]:
    """The options the question names in its own words ("agency", "full-timer", "advisor")."""
    return {option for option, pattern in _OPTION_WORDS.items() if pattern.search(question)}


_PART_TIME = re.compile(r"\bpart[- ]tim(e|er)\b", re.IGNORECASE)


def options_asked_about(question: str) -> set[str]:
    """The options a choice is about: those it names, and a fractional role when it says
    "part-time CTO" ("sign a part-time tech exec?"), which does not by itself make it a
    choice between two options."""
    named = named_options(question)
    return named | {"fractional_ai_cto"} if _PART_TIME.search(question) else named


def mentions_options(question: str) -> bool:
    """It weighs who to bring in (a CTO, an agency, an advisor…), even without asking "should"."""
    return bool(_OPTIONS.search(question))


def _number(token: str) -> int | None:
    token = token.lower()
    return int(token) if token.isdigit() else _NUMBER.get(token)


# A question names a heading when it uses most of the heading's words, and at least three.
HEADING_MIN_WORDS = 3
HEADING_SHARE = 0.6


@cache
def _headings() -> tuple[str, ...]:
    """Every section label of the bundled report (`Field report › H2 › H3`)."""
    return tuple(dict.fromkeys(c.section for c in field_report_chunks()))


@cache
def _heading_words() -> dict[str, frozenset[str]]:
    """Each heading's own words: those in three or more headings ("fractional AI CTO")
    name no part of the report."""
    words = {h: frozenset(tokenize(h.rsplit(" › ", 1)[-1])) for h in _headings()}
    seen: dict[str, int] = {}
    for terms in words.values():
        for term in terms:
            seen[term] = seen.get(term, 0) + 1
    return {h: frozenset(t for t in terms if seen[t] < 3) for h, terms in words.items()}


def named_sections(question: str) -> list[str]:
    """Section labels (without the source) of the parts of the report the question names."""
    found: list[str] = []
    for pattern, prefix in ((_WEEK, "Week {n}:"), (_SIGNAL, "{n}. ")):
        for match in pattern.finditer(question):
            n = _number(next(g for g in match.groups() if g))
            if n is None:
                continue
            want = prefix.format(n=n)
            found += [h for h in _headings() if h.rsplit(" › ", 1)[-1].startswith(want)]
    for name, pattern in _STAGES:
        if pattern.search(question):
            found += [h for h in _headings() if h.rsplit(" › ", 1)[-1].startswith(name)]
    asked = set(tokenize(question))
    for heading, words in _heading_words().items():
        shared = len(words & asked)
        if shared >= HEADING_MIN_WORDS and shared >= HEADING_SHARE * len(words):
            found.append(heading)  # "our pilot stalled after the demo" names signal 1
    return list(dict.fromkeys(found))


def parts(question: str) -> list[str]:
    """The questions in a message: "What is X? And how long does Y take?" → two."""
    pieces = [p.strip() for p in _PARTS.split(question.strip()) if len(p.split()) >= 3]
    return pieces if len(pieces) > 1 else [question]
