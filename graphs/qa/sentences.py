"""Sentence units a quote can be: whole sentences, verbatim, each knowing what it is.

A quote must read as a sentence: not a fragment cut at a quoted question ("the question is not
“Do we need a CTO?”"), not a question presented as an answer, not a link or navigation leftover,
and not a heading. Each unit also says whether it names symptoms (which should be quoted with
the prescription that follows them) and whether it prescribes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? … (with a closing quote or bracket) before a capital or a digit;
# a question inside quotation marks ("…is not “Do we need a CTO?” It is…") does not end one.
_BOUNDARY = re.compile(r"(?<=[.!?…])([\"”’)]?)\s+(?=[\"“‘(]?[A-Z0-9])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_PRESCRIBES = re.compile(
    r"\b(should|must|do not|don't|start|hire|use|get|make|define|map|move|install|end with|"
    r"ask|turn|is right when|needs?|the answer is|first move)\b",
    re.IGNORECASE,
)
_SYMPTOMS = re.compile(r"^\s*Symptoms:", re.IGNORECASE)
# Leftovers of the web page the report was taken from: link texts and calls to action.
_NAVIGATION = re.compile(r"\b(start with what is|talk to us|related paths)\b", re.IGNORECASE)
MIN_CHARS = 25
LEANING_WORDS = 7
_WHEN = re.compile(r"\b(when|once|as soon as)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Unit:
    text: str
    position: int  # index in its chunk
    question: bool  # ends in a question mark of its own: never quoted as an answer
    symptoms: bool  # "Symptoms: …": quoted together with the sentence after it
    prescribes: bool

    @property
    def prohibits(self) -> bool:
        """It says when not to ("Do not hire one if …")."""
        return bool(_WARNING.match(self.text))

    @property
    def conditional(self) -> bool:
        """It says when to ("Hire a Fractional AI CTO when …", "An agency is right when …")."""
        return self.prescribes and not self.prohibits and bool(_WHEN.search(self.text))

    @property
    def quotable(self) -> bool:
        """A sentence a founder can read on its own: not a question, not a fragment."""
        return not self.question and len(self.text) >= MIN_CHARS and len(self.text.split()) >= 4


MAX_ITEM_CHARS = 320  # a list item up to this long is quoted whole: its parts lean on it


def _paragraph_units(text: str) -> list[tuple[str, bool]]:
    """(unit, is a list item): paragraphs with hard-wrapped lines joined, list items apart."""
    units: list[tuple[str, bool]] = []
    for paragraph in re.split(r"\n\s*\n", text):
        current: list[str] = []
        item = False
        for line in paragraph.splitlines():
            if _LIST_ITEM.match(line) and current:
                units.append((" ".join(current), item))
                current = []
            if _LIST_ITEM.match(line):
                item = True
            if line.strip():
                current.append(_LIST_ITEM.sub("", line).strip())
        if current:
            units.append((" ".join(current), item))
    return units


def split_sentences(text: str) -> list[str]:
    """Sentences of a chunk, verbatim up to whitespace: wrapped lines are re-joined. A short
    list item stays whole ("ERP export: whether … Decision due 4 November, owner Lena.")."""
    return [sentence for group in _sentence_groups(text) for sentence in group]


def _sentence_groups(text: str) -> list[list[str]]:
    """The sentences of each paragraph or list item, in order."""
    groups: list[list[str]] = []
    for unit, item in _paragraph_units(text):
        if item and len(unit) <= MAX_ITEM_CHARS:
            groups.append([unit])
            continue
        sentences: list[str] = []
        start = 0
        for match in _BOUNDARY.finditer(unit):
            closing = match.group(1)
            if closing in ("”", '"', "’") and unit[match.start() - 1] in "?!":
                continue  # a quoted question inside the sentence
            piece = unit[start : match.start() + len(closing)].strip()
            if piece:
                sentences.append(piece)
            start = match.end()
        tail = unit[start:].strip()
        if tail:
            sentences.append(tail)
        groups.append(sentences)
    return groups


def _too_short(sentence: str) -> bool:
    """Too short to stand alone: under four words, or under LEANING_WORDS without advice in
    it ("The risk surface says otherwise.": a remark on the sentence before)."""
    words = len(sentence.split())
    if len(sentence) < MIN_CHARS or words < 4:
        return True
    return words < LEANING_WORDS and not _PRESCRIBES.search(sentence)


def _is_question(sentence: str) -> bool:
    return sentence.rstrip('”"’) ').endswith("?")


# A question quoted inside a sentence ("This is the classic answer to “When should…?”"):
# the sentence frames a question, it does not answer one.
_QUOTED_QUESTION = re.compile(r"[“\"‘][^”\"’]*\?[”\"’]")


def _frames_question(sentence: str) -> bool:
    return _is_question(sentence) or bool(_QUOTED_QUESTION.search(sentence))


_WARNING = re.compile(r"^(do not|don't|never)\b", re.IGNORECASE)
# A sentence whose subject is the sentence before it ("It should also say what not to do.",
# "They are dangerous when …") says nothing on its own: it is quoted with that sentence.
_ANAPHORA = re.compile(r"^(It|They|That|This|These|Those)\b")
REMEDY_WORDS = 6


def _remedy(sentence: str) -> bool:
    """A short instruction ("Get an advisor or strategist.") that, after a warning, says
    what to do instead: one thought with the warning."""
    return (
        len(sentence.split()) <= REMEDY_WORDS
        and bool(_PRESCRIBES.search(sentence))
        and not _WARNING.match(sentence)
        and not _is_question(sentence)
    )


def _leaning(sentences: list[str]) -> list[str]:
    """A sentence too short to stand alone ("It varies.", "This is a real fear.") leans on
    the one after it in its paragraph (the last one on the one before), so it is quoted with
    what it introduces instead of dropped; a warning keeps the short remedy after it; a
    question is never joined to an answer."""
    out: list[str] = []
    carry = ""
    for sentence in sentences:
        if carry and not _is_question(sentence):
            sentence, carry = f"{carry} {sentence}", ""
        elif carry:
            out.append(carry)
            carry = ""
        if _too_short(sentence) and not _is_question(sentence):
            carry = sentence
            continue
        if out and _WARNING.match(out[-1]) and _remedy(sentence):
            out[-1] = f"{out[-1]} {sentence}"  # "Do not … if …. Get an advisor or strategist."
            continue
        if out and _ANAPHORA.match(sentence) and not _is_question(out[-1]):
            out[-1] = f"{out[-1]} {sentence}"  # "The memo should …. It should also say …"
            continue
        out.append(sentence)
    if carry:
        if out and not _is_question(out[-1]) and not _too_short(out[-1]):
            out[-1] = f"{out[-1]} {carry}"
        else:
            out.append(carry)
    return out


def units(text: str) -> list[Unit]:
    """The chunk's sentences that may be quoted, minus navigation leftovers; a sentence too
    short to stand alone is one unit with its neighbour."""
    sentences = [s for group in _sentence_groups(text) for s in _leaning(group)]
    out = []
    for position, sentence in enumerate(sentences):
        if _NAVIGATION.search(sentence):
            continue
        out.append(
            Unit(
                text=sentence,
                position=position,
                question=_frames_question(sentence),
                symptoms=bool(_SYMPTOMS.match(sentence)),
                prescribes=bool(_PRESCRIBES.search(sentence)),
            )
        )
    return out
