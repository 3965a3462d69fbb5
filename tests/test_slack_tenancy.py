"""A workspace sees its client's notes; a Slack Connect channel sees the field report only."""

from __future__ import annotations

from pathlib import Path

from tests import slack_signing as sign
from tests.slack_harness import SlackHarness

QUESTION = "What is the budget of Project Osprey?"


def _with_client_notes(slack: SlackHarness, tmp_path: Path) -> None:
    folder = tmp_path / "acme-notes"
    folder.mkdir()
    (folder / "budget.md").write_text(
        "---\ntitle: Budget\ndate: 2026-10-02\n---\n\n## Budget\n"
        "Project Osprey has a budget of 40k for the AI pilot.\n",
        encoding="utf-8",
    )
    slack.advisor.tenants.add("acme", slack_team=sign.TEAM)
    slack.advisor.ingestor.ingest_path(folder, "acme")


async def _answer_text(slack: SlackHarness, **kw: object) -> str:
    await slack.event(sign.mention(QUESTION, channel="C1"), **kw)
    [update] = await slack.fake.wait_for("chat.update")
    return update.text()


async def test_the_workspaces_client_notes_are_cited_in_its_own_channels(
    slack: SlackHarness, tmp_path: Path
) -> None:
    _with_client_notes(slack, tmp_path)
    text = await _answer_text(slack)
    assert "Budget › Budget › 2026-10-02" in text or "Budget › 2026-10-02" in text


async def test_slack_connect_channel_is_answered_from_the_field_report_only(
    slack: SlackHarness, tmp_path: Path
) -> None:
    _with_client_notes(slack, tmp_path)
    text = await _answer_text(slack, is_ext_shared_channel=True)
    assert "40k" not in text and "2026-10-02" not in text
    assert "shared with another organisation (Slack Connect)" in text
