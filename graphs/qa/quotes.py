"""The quotes after the answer line: the best first, a symptom kept with its prescription,
one strong section before scattered neighbours, and another section's say when it ranks close.
"""

from __future__ import annotations

from graphs.qa.options import option_of
from graphs.qa.sentences import Unit
from graphs.qa.timeline import Candidate

MAX_SUPPORT = 3  # quotes after the answer line, the best first
MAX_FROM_TOP = 2  # of them from the best section (besides the answer line)
MAX_QUOTES = 4  # after the answer line, with a symptom's prescription and another section's say
ANOTHER_SECTION = 1.0  # a section not yet quoted has its say within this of the best score


def support_quotes(
    ranked: list[Candidate], exclude: Unit | None, verdict: str | None = None
) -> list[Candidate]:
    """Two to four more quotes, the best first, each sentence once, at most two from the
    best section (the next-best section has its say); a symptom sentence is followed by the
    prescription after it in the same chunk; then one from a section not quoted yet. Under
    a verdict, no quote recommends another option (the answer line would be argued against
    by its own bullets)."""
    chosen: list[Candidate] = []
    seen = {exclude.text} if exclude else set()
    if verdict is not None:
        seen |= {c.unit.text for c in ranked if option_of(c.unit.text) not in (None, verdict)}
    by_chunk: dict[str, list[Candidate]] = {}
    for c in ranked:
        by_chunk.setdefault(c.chunk_id, []).append(c)
    top = ranked[0].passage.chunk.section
    for c in ranked:
        if len(chosen) >= MAX_SUPPORT:
            break
        if c.unit.text in seen:
            continue
        same = sum(1 for x in chosen if x.passage.chunk.section == top)
        if c.passage.chunk.section == top and same >= MAX_FROM_TOP:
            continue
        chosen.append(c)
        seen.add(c.unit.text)
        if c.unit.symptoms:
            after = next(
                (n for n in by_chunk[c.chunk_id] if n.unit.position > c.unit.position
                 and n.unit.prescribes and n.unit.text not in seen), None,
            )  # fmt: skip
            if after is not None:
                chosen.append(after)
                seen.add(after.unit.text)
    return chosen + another_section(ranked, chosen, seen)


def another_section(
    ranked: list[Candidate], chosen: list[Candidate], seen: set[str]
) -> list[Candidate]:
    """One more quote, from a section no quote came from yet, when it ranks close enough: a
    question the best section answers only in part (or a near-tie between two sections)
    gets the other section cited too."""
    if len(chosen) >= MAX_QUOTES:
        return []
    quoted = {ranked[0].passage.chunk.section, *(c.passage.chunk.section for c in chosen)}
    floor = ranked[0].score - ANOTHER_SECTION
    extra = next(
        (c for c in ranked if c.score >= floor and c.unit.text not in seen
         and c.passage.chunk.section not in quoted), None,
    )  # fmt: skip
    return [extra] if extra is not None else []
