"""Block Kit limits: long answers are split into ≤ 3,000-char sections and ≤ 50-block messages."""

from __future__ import annotations

from bot.slack.render import MAX_BLOCKS, MAX_SECTION_CHARS, render_answer, split_text
from bot.slack.render_assessment import render_question
from graphs.models import Answer, Citation
from graphs.questions import build_question


def test_long_answers_are_split_not_rejected() -> None:
    paragraph = "A fractional AI CTO owns the architecture & the roadmap. " * 40
    text = "\n\n".join([paragraph] * 80)
    cites = [
        Citation(
            n=i,
            source="Field report",
            section=f"S{i}",
            quote="q",
            tenant="public",
            chunk_id=f"c{i}",
        )
        for i in range(1, 7)
    ]
    messages = render_answer(Answer(answer=text, citations=cites), answer_id="a1")
    assert len(messages) > 1
    for message in messages:
        assert len(message["blocks"]) <= MAX_BLOCKS
        for block in message["blocks"]:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= MAX_SECTION_CHARS
    assert messages[-1]["blocks"][-1]["type"] == "actions"
    shown = "".join(
        b["text"]["text"] for m in messages for b in m["blocks"] if b["type"] == "section"
    )
    assert shown.count("&amp;") == text.count("&")


def test_split_never_cuts_an_entity_in_half() -> None:
    text = "&amp;" * 1000
    pieces = split_text(text, 3000)
    assert all(p.endswith(";") for p in pieces)
    assert "".join(pieces) == text


def test_the_stage_question_offers_a_button_per_stage_and_cancel() -> None:
    message = render_question(build_question("stage", 1, 19))
    buttons = message["blocks"][-1]["elements"]
    assert [b["text"]["text"] for b in buttons][-1] == "Cancel"
    assert len(buttons) == 6
