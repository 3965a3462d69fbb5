"""The App Home: per user and client, the latest assessment (its option, the trigger signals as
a scoreboard, what changed), the digest schedule, buttons for the check and the assessment, and
for operators the client's notes and the last eval; refreshed when any of it changes."""

from __future__ import annotations

import json
from pathlib import Path

from slack_sdk.models.views import View

from bot.digest_runner import configured_senders
from graphs.assessment.rubric import OPTION_NAMES
from graphs.models import Facts
from graphs.runtime import Advisor
from knowledge.scope import DataScope
from tests import slack_signing as sign
from tests.fakes.slack_api import Call
from tests.slack_harness import SlackHarness, slack_app


def _assess(advisor: Advisor, run: str, facts: Facts, user: str = "U1") -> None:
    rec = advisor.recommend(facts)
    advisor.records.save(
        {
            "thread_id": run,
            "run_id": run,
            "tenant": "acme",
            "channel": "slack",
            "user_id": user,
            "facts": rec.facts.model_dump(),
            "recommendation": rec.model_dump(mode="json"),
        }
    )


async def _home(slack: SlackHarness, user: str = "U1", count: int = 1) -> Call:
    await slack.event(sign.home_opened(user=user))
    published = await slack.fake.wait_for("views.publish", count=count)
    await slack.settle()
    return published[-1]


async def test_opening_the_home_tab_publishes_a_view_slack_accepts(slack: SlackHarness) -> None:
    published = await _home(slack)
    view = published.params["view"]
    View(**view).validate_json()  # slack_sdk's own validator (the fake checks it too)
    assert published.params["user_id"] == "U1" and view["type"] == "home"
    text = published.text()
    assert "isn't mapped to a client" in text and "No assessment yet" in text
    assert "no channel here gets it yet" in text
    buttons = [
        e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["home_assess", "home_check"]
    assert "Operator" not in text  # U1 is no operator


async def test_the_home_shows_the_latest_assessment_and_what_changed(slack: SlackHarness) -> None:
    slack.advisor.tenants.add("acme", slack_team=sign.TEAM)
    _assess(slack.advisor, "run-1", Facts(stage="seed"))
    stalled = {"pilot_stalled": True, "founders_firefighting": True, "no_ai_governance": False}
    _assess(slack.advisor, "run-2", Facts(stage="seed", signals=stalled))

    view = (await _home(slack)).params["view"]
    View(**view).validate_json()
    [latest] = slack.advisor.records.latest(DataScope.of("acme"), limit=1)
    text = json.dumps(view, ensure_ascii=False)
    assert f"*{OPTION_NAMES[latest['recommendation']]}*" in text
    assert "(yours)" in text and "For *acme*" in text
    scoreboard = next(b for b in view["blocks"] if b.get("fields"))
    assert scoreboard["text"]["text"] == "*Trigger signals: 2 of 8*"
    fields = [f["text"] for f in scoreboard["fields"]]
    assert "✅ " in fields[0] and len(fields) == 8
    assert "now true: " in text and "no longer: " not in text  # no signal was true before


async def test_finishing_the_assessment_in_slack_refreshes_the_home(slack: SlackHarness) -> None:
    def is_question(call: Call) -> bool:
        return any(b.get("block_id", "").startswith("interview:") for b in call.params["blocks"])

    await slack.event(sign.mention("assess", channel="C1"))
    [question] = await slack.fake.wait_for("chat.postMessage", where=is_question)
    await slack.settle()
    assert slack.fake.calls_to("views.publish") == []
    while is_question(question):
        block = next(b for b in question.params["blocks"] if b["type"] == "actions")
        await slack.click(question, block["elements"][0]["action_id"])
        await slack.settle()
        question = slack.fake.calls_to("chat.postMessage")[-1]
    [published] = slack.fake.calls_to("views.publish")
    assert published.params["user_id"] == "U1"
    # an unmapped workspace keeps no results, so the Home still says there is none here
    assert "No assessment yet" in published.text()


async def test_a_digest_subscription_shows_with_its_next_send_time(slack: SlackHarness) -> None:
    await slack.command("/advisor", "digest subscribe monday 9:00 Europe/Amsterdam", channel="C7")
    [published] = await slack.fake.wait_for("views.publish")  # refreshed by the command
    assert "<#C7> Mondays at 09:00 (Europe/Amsterdam) · next Mon " in published.text()


async def test_operators_also_see_the_clients_notes_and_the_last_eval(tmp_path: Path) -> None:
    async with slack_app(tmp_path / "data", slack_operators=["U1"]) as slack:
        slack.advisor.tenants.add("acme", slack_team=sign.TEAM)
        slack.advisor.add_note("acme", author="op", text="Kickoff: the pilot stalled.")
        results = [
            {"name": "retrieval recall@5 (hybrid)", "passed": True},
            {"name": "answers: section cited (test)", "passed": False},
        ]
        slack.advisor.settings.eval_report_path.write_text(json.dumps(results), encoding="utf-8")
        text = (await _home(slack)).text()
        assert "1 note file for acme, the last added " in text
        assert "1 of 2 passed. Failing: answers: section cited (test)." in text
        others = (await _home(slack, user="U2", count=2)).text()
        assert "Operator" not in others and "note file" not in others


async def test_the_home_buttons_start_the_assessment_and_the_check_in_the_dm(
    slack: SlackHarness,
) -> None:
    await slack.interact(sign.home_action({"action_id": "home_assess", "type": "button"}))
    await slack.settle()
    [opened] = slack.fake.calls_to("conversations.open")
    assert opened.params["users"] == "U1"
    intro, question = slack.fake.calls_to("chat.postMessage")[:2]
    assert intro.params["channel"] == "DU1" and "thread_ts" not in intro.params
    assert question.params["thread_ts"] == intro.ts  # the interview, in a thread of the DM

    await slack.interact(sign.home_action({"action_id": "home_check", "type": "button"}))
    [form] = await slack.fake.wait_for("views.open")
    view = form.params["view"]
    values = {"stage": {"value": {"type": "static_select", "selected_option": {"value": "seed"}}}}
    await slack.interact(sign.view_submission(view, values))
    await slack.settle()
    result = slack.fake.calls_to("chat.postMessage")[-1]
    assert result.params["channel"] == "DU1" and "Trigger check" in result.text()


async def test_a_sent_digest_refreshes_the_homes_that_were_opened(slack: SlackHarness) -> None:
    await _home(slack, user="U1")
    await _home(slack, user="U2", count=2)
    sender = configured_senders(slack.advisor)["slack"]  # as the scheduler builds it
    subscription = slack.advisor.digests.subscribe(
        "slack", "C7", None, "monday 9:00", workspace=f":{sign.TEAM}"
    )
    await sender.send(subscription, slack.advisor.digest_preview(None))
    published = slack.fake.calls_to("views.publish")[2:]
    assert sorted(c.params["user_id"] for c in published) == ["U1", "U2"]
    assert all("<#C7> Mondays at 09:00" in c.text() for c in published)
