"""A signed request replayed within Slack's five-minute window does its work once.

The signature only proves who sent the bytes and when; anyone who saw them (a log, a proxy)
can send them again. Slash commands and clicks carry a `trigger_id` Slack issues once per
invocation, so a replay is recognised and does nothing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from knowledge.db import channel_notes, feedback
from tests import slack_signing as sign
from tests.slack_harness import SlackHarness


async def test_a_replayed_note_add_stores_one_note(slack: SlackHarness) -> None:
    slack.advisor.tenants.add("acme", slack_team=sign.TEAM)
    body = sign.command_body(
        "/advisor",
        "note add Kickoff: the pilot stalled on data access.",
        response_url=slack.fake.response_url(),
        channel="CNOTES",
    )
    headers = sign.signed_headers(body, json_body=False)
    for _ in range(3):
        assert (await slack.post(body, headers)).status == 200
    await slack.settle()
    notes = list((Path(slack.advisor.settings.data_dir) / "notes" / "acme").glob("*.md"))
    with slack.advisor.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(channel_notes)).scalar()
    assert len(notes) == 1 and stored == 1
    assert len(slack.fake.calls_to("response_url")) == 1


async def test_a_replayed_click_counts_once(slack: SlackHarness) -> None:
    payload = sign.block_action(
        {"action_id": "feedback_up", "type": "button", "value": "answer-1"},
        message={"ts": "1700000000.000001"},
        response_url=slack.fake.response_url("fb"),
    )
    body = sign.interactive_body(payload)
    headers = sign.signed_headers(body, json_body=False)
    for _ in range(3):
        assert (await slack.post(body, headers)).status == 200
    await slack.settle()
    with slack.advisor.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(feedback)).scalar() == 1
    assert len(slack.fake.calls_to("response_url")) == 1


async def test_two_commands_with_their_own_trigger_ids_both_run(slack: SlackHarness) -> None:
    for _ in range(2):
        await slack.command("/trigger-check", "seed startup, our pilot stalled after the demo")
    await slack.settle()
    assert len(slack.fake.calls_to("response_url")) == 2
