"""The assistant pane (Bolt `AsyncAssistant`), the Messages tab and the Home tab.

The pane greets with suggested prompts; every message then takes the same path as a DM, with
Bolt's utilities for the thread: `say()` (its replies carry the thread context, so Bolt's
context store works), the status, the title.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp, AsyncAssistant, AsyncBoltContext
from slack_bolt.context.say.async_say import AsyncSay
from slack_bolt.context.set_status.async_set_status import AsyncSetStatus
from slack_bolt.context.set_suggested_prompts.async_set_suggested_prompts import (
    AsyncSetSuggestedPrompts,
)
from slack_bolt.context.set_title.async_set_title import AsyncSetTitle

from bot.slack.delivery import NO_UNFURL
from bot.slack.home import Viewer
from bot.slack.messages import incoming, spawn_turn
from bot.slack.render import render_text
from bot.slack.reply import AssistantPane
from bot.slack.services import SlackServices

GREETING = (
    "Hi! I help founders work out what technical leadership their AI work needs: a fractional AI "
    "CTO, an advisor, an agency, a full-time CTO, a specialist, or not yet. Ask me anything, "
    "say “assess” for the full assessment, or pick a prompt."
)
PROMPTS = [
    {"title": "Do we need a fractional AI CTO?", "message": "Do we need a fractional AI CTO?"},
    {"title": "Run a trigger check", "message": "Run a trigger check"},
    {"title": "What should week 1 look like?", "message": "What should week 1 look like?"},
]
GREETING_SCOPE = "slack-greeting"


def register(app: AsyncApp, svc: SlackServices) -> None:
    assistant = AsyncAssistant()

    @assistant.thread_started
    async def greet(
        say: AsyncSay,
        context: AsyncBoltContext,
        set_suggested_prompts: AsyncSetSuggestedPrompts,
    ) -> None:
        async def job() -> None:
            await say(**render_text(GREETING), **NO_UNFURL)
            if set_suggested_prompts is not None:  # Bolt offers it for real assistant threads
                await set_suggested_prompts(prompts=PROMPTS)

        svc.spawn_for_event(context, job(), name="slack.assistant_greeting")

    @assistant.user_message
    async def on_user_message(
        payload: dict,
        body: dict,
        context: AsyncBoltContext,
        say: AsyncSay,
        set_status: AsyncSetStatus,
        set_title: AsyncSetTitle,
    ) -> None:
        msg = incoming(payload, body, context, assistant=True)
        pane = AssistantPane(say=say, set_status=set_status, set_title=set_title)
        spawn_turn(svc, context, msg, "slack.assistant", pane)

    app.assistant(assistant)

    async def on_home_opened(event: dict, context: AsyncBoltContext) -> None:
        user = event.get("user") or ""
        if event.get("tab") == "home" and user:
            viewer = Viewer(context.team_id, context.enterprise_id, user)
            job = svc.homes.opened(context.client, viewer)
            svc.spawn_for_event(context, job, name="slack.home")
        elif event.get("tab") == "messages" and event.get("channel"):
            job = greet_once(svc, context, event["channel"], user)
            svc.spawn_for_event(context, job, name="slack.greeting")

    app.event("app_home_opened")(on_home_opened)


async def greet_once(
    svc: SlackServices, context: AsyncBoltContext, channel: str, user: str
) -> None:
    """Agent view (Messages tab): greet each user once, durably."""
    if not await svc.claim(GREETING_SCOPE, f"{context.team_id}:{user}"):
        return
    lines = [GREETING, ""] + [f"• {p['message']}" for p in PROMPTS]
    await context.client.chat_postMessage(
        channel=channel, **render_text("\n".join(lines)), **NO_UNFURL
    )
