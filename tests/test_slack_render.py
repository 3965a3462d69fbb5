"""Block Kit limits: long answers are split into ≤ 3,000-char sections and ≤ 50-block messages."""

from __future__ import annotations

from bot.slack.render import MAX_BLOCKS, MAX_SECTION_CHARS, render_answer, split_text
from bot.slack.render_assessment import render_question
from graphs.assessment.questions import build_question
from graphs.models import Answer, Citation


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
    assert [b["type"] for b in messages[-1]["blocks"][-2:]] == ["actions", "context_actions"]
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


def test_bare_domains_emails_and_channel_words_never_become_links_or_pings() -> None:
    from bot.slack.render import escape_mrkdwn

    shown = escape_mrkdwn("Email ceo@corp.example or see evil.example/x, @channel and @here")
    assert "corp.example" not in shown and "evil.example" not in shown
    assert "@channel" not in shown and "@here" not in shown
    assert shown.replace("\u2060", "") == (
        "Email ceo@corp.example or see evil.example/x, @channel and @here"
    )  # the breaks are invisible: the text reads the same
    assert escape_mrkdwn("Version 3.5 costs $220k.") == "Version 3.5 costs $220k."


def test_the_notification_text_never_ends_in_half_an_entity() -> None:
    from bot.slack.render import fallback_text

    text = fallback_text("x" * 297 + "&amp;" * 5)
    assert text.endswith("…") and "&am…" not in text and not text[:-1].endswith("&")


def test_labels_drop_control_and_right_to_left_characters() -> None:
    from knowledge.chunks import Chunk

    chunk = Chunk(
        tenant="acme",
        source="Invoice\u202egpj.exe\nreview",
        section="Risks\u200b › Owner\r\nof data",
        text="t",
        path="p.md",
    )
    citation = Citation(
        n=1, source=chunk.source, section=chunk.section, quote="t", tenant="acme", chunk_id="c"
    )
    assert citation.label == "Invoicegpj.exe review › Risks › Owner of data"
    assert chunk.label == citation.label
