"""The assistant pane (Bolt `AsyncAssistant`) and the Messages tab: a greeting with suggested
prompts, then every message takes the same path as a DM."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp, AsyncAssistant, AsyncBoltContext
from slack_bolt.context.set_suggested_prompts.async_set_suggested_prompts import (
    AsyncSetSuggestedPrompts,
)

from bot.slack.delivery import NO_UNFURL
from bot.slack.messages import spawn_turn
from bot.slack.render import render_text
from bot.slack.services import Incoming, SlackServices, without_mentions

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
        payload: dict, context: AsyncBoltContext, set_suggested_prompts: AsyncSetSuggestedPrompts
    ) -> None:
        thread = payload["assistant_thread"]

        async def job() -> None:
            await context.client.chat_postMessage(
                channel=thread["channel_id"],
                thread_ts=thread["thread_ts"],
                **render_text(GREETING),
                **NO_UNFURL,
            )
            if set_suggested_prompts is not None:  # Bolt offers it for real assistant threads
                await set_suggested_prompts(prompts=PROMPTS)

        svc.spawn_for_event(context, job(), name="slack.assistant_greeting")

    @assistant.user_message
    async def on_user_message(payload: dict, body: dict, context: AsyncBoltContext) -> None:
        msg = Incoming(
            team_id=context.team_id,
            enterprise_id=context.enterprise_id,
            channel=payload["channel"],
            thread_ts=str(payload["thread_ts"]),
            user=payload.get("user") or "",
            text=without_mentions(payload.get("text") or ""),
            body=body,
            assistant=True,
        )
        spawn_turn(svc, context, msg, "slack.assistant")

    app.assistant(assistant)

    async def on_home_opened(event: dict, context: AsyncBoltContext) -> None:
        if event.get("tab") == "messages" and event.get("channel"):
            job = greet_once(svc, context, event["channel"], event.get("user") or "")
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
