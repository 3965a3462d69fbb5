"""Only Slack gets in, and nothing anyone types can ping a channel or plant a link."""

from __future__ import annotations

import time

import pytest

from bot.slack.render import escape_mrkdwn, render_answer
from graphs.models import Answer, Citation
from tests import slack_signing as sign
from tests.slack_harness import SlackHarness

BROADCASTS = ["<!channel>", "<!here>", "<!everyone>", "<@U999>", "<!subteam^S123>"]


def _event() -> bytes:
    return sign.event_body(sign.mention("Do we need a fractional AI CTO?"))


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda b: {"Content-Type": "application/json"}, id="unsigned"),
        pytest.param(
            lambda b: sign.signed_headers(b, secret="not-the-secret", json_body=True), id="forged"
        ),
        pytest.param(
            lambda b: sign.signed_headers(b, timestamp=int(time.time()) - 301, json_body=True),
            id="stale",
        ),
        pytest.param(
            lambda b: sign.signed_headers(b, timestamp="soon", json_body=True), id="garbled-ts"
        ),
    ],
)
async def test_unsigned_forged_and_stale_requests_are_rejected_unprocessed(
    slack: SlackHarness, headers
) -> None:
    body = _event()
    response = await slack.post(body, headers(body))
    await slack.settle()
    assert response.status == 401
    assert [c.method for c in slack.fake.calls] == []


async def test_a_body_changed_after_signing_is_rejected(slack: SlackHarness) -> None:
    body = _event()
    headers = sign.signed_headers(body, json_body=True)
    response = await slack.post(body.replace(b"fractional", b"fractionaL"), headers)
    assert response.status == 401


async def test_broadcast_mentions_in_a_question_are_neutralised(slack: SlackHarness) -> None:
    question = "Do we need a fractional AI CTO? " + " ".join(BROADCASTS) + " see https://evil.test"
    await slack.event(sign.message(question, channel="D1"))
    await slack.fake.wait_for("chat.update")
    await slack.settle()
    for call in slack.fake.calls:
        shown = call.text()
        for token in BROADCASTS:
            assert token not in shown
        assert "https://evil.test" not in shown


def test_escaper_neutralises_mentions_links_and_entities() -> None:
    text = "a & b <!channel> <@U1|x> <https://evil.test|click> www.evil.test &amp;"
    escaped = escape_mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.startswith("a &amp; b &lt;!channel&gt;")
    assert "https://" not in escaped and "www.evil" not in escaped
    assert escaped.endswith("&amp;amp;")


def test_note_text_in_answers_and_sources_is_escaped() -> None:
    cite = Citation(
        n=1,
        source="Note <!here>",
        section="Kickoff <@U1>",
        quote="q",
        tenant="acme",
        chunk_id="c1",
        date="2026-01-02",
    )
    answer = Answer(answer="Ping <!channel> now [1]", citations=[cite], notice="<!everyone>")
    [message] = render_answer(answer, answer_id="a1")
    rendered = str(message)
    for token in ("<!channel>", "<!here>", "<@U1>", "<!everyone>"):
        assert token not in rendered
