"""`/trigger-check` (text or a form) and `/advisor ask|assess|note add|help`."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot.observability import request_id
from bot.slack import render_assessment as ra
from bot.slack.delivery import NO_UNFURL, respond_to
from bot.slack.digest import digest_command
from bot.slack.home import Viewer
from bot.slack.interview import start_in_new_thread
from bot.slack.render import APOLOGY, render_answer, render_text
from bot.slack.render_check import render_check
from bot.slack.services import SlackServices
from bot.slack.tenancy import Scope
from graphs.models import CheckResult
from graphs.qa.graph import QuestionError
from knowledge.notes import NoteError
from knowledge.tenants import TenantError

USAGE = """Usage:
• /advisor ask <question> — a cited answer
• /advisor assess — the assessment interview, in a thread
• /advisor note add <text> — add an engagement note for this workspace's client
• /advisor digest preview | subscribe [monday 9:00 Europe/Amsterdam] | unsubscribe
• /advisor help — this message
• /trigger-check [description] — the quick check (a form when empty)"""
SHARED_REFUSAL = "Notes can't be added from a channel shared with another organisation."
FORM_UNREADABLE = "I couldn't read that form. Please run /trigger-check again."
INVITE = "I can't post in this channel. Invite me (/invite) or DM me “assess”."


@dataclass(frozen=True, slots=True)
class Subcommand:
    name: str  # ask | assess | note_add | digest | help | unknown
    arg: str = ""


def parse_advisor(text: str) -> Subcommand:
    """`/advisor` text → subcommand; anything unrecognised is `unknown` (answered with usage)."""
    words = (text or "").strip().split(maxsplit=1)
    head = words[0].lower() if words else "help"
    rest = words[1].strip() if len(words) > 1 else ""
    if head in ("ask", "assess", "help", "digest"):
        return Subcommand(head, rest)
    if head == "note":
        parts = rest.split(maxsplit=1)
        if parts and parts[0].lower() == "add":
            return Subcommand("note_add", parts[1].strip() if len(parts) > 1 else "")
    return Subcommand("unknown", head)


def register(app: AsyncApp, svc: SlackServices) -> None:
    def spawn(context: AsyncBoltContext, job: Any, name: str, response_url: str) -> None:
        """After the ack, once per `trigger_id`: a replayed signed command does nothing."""

        async def apologise() -> None:
            if response_url:
                await respond_to(response_url, render_text(APOLOGY), response_type="ephemeral")

        svc.spawn_for_event(context, job, name=name, apology=apologise)

    async def trigger_check(ack: AsyncAck, command: dict, context: AsyncBoltContext) -> None:
        await ack()
        url = command["response_url"]
        if command.get("text", "").strip():
            spawn(context, quick_check(svc, command, context), "slack.trigger_check", url)
        else:
            meta = json.dumps({"channel": command.get("channel_id"), "response_url": url})
            view = ra.render_check_modal(meta)
            opened = context.client.views_open(trigger_id=command["trigger_id"], view=view)
            spawn(context, opened, "modal", url)

    async def check_submitted(ack: AsyncAck, view: dict, context: AsyncBoltContext) -> None:
        await ack()
        meta = json.loads(view.get("private_metadata") or "{}")
        url = meta.get("response_url") or ""
        reply = _form_reply(context, url, meta.get("channel"))
        spawn(context, modal_check(svc, view, reply), "slack.trigger_check_form", url)

    async def advisor(ack: AsyncAck, command: dict, context: AsyncBoltContext) -> None:
        sub = parse_advisor(command.get("text", ""))
        url = command["response_url"]
        if sub.name in ("help", "unknown"):
            await ack(**render_text(USAGE), response_type="ephemeral")
            return
        refusal = note_refusal(svc, command, context) if sub.name == "note_add" else None
        if refusal:
            await ack(**render_text(refusal), response_type="ephemeral")
            return
        await ack()
        job = {"ask": ask, "assess": assess, "note_add": add_note, "digest": digest}[sub.name]
        spawn(context, job(svc, command, context, sub.arg), f"slack.advisor_{sub.name}", url)

    app.command("/trigger-check")(trigger_check)
    app.view(ra.CHECK_MODAL)(check_submitted)
    app.command("/advisor")(advisor)


async def _scope(svc: SlackServices, command: dict, context: AsyncBoltContext) -> Scope:
    return await svc.scopes.resolve(
        context.client,
        team_id=context.team_id,
        enterprise_id=context.enterprise_id,
        channel_id=command.get("channel_id"),
        body=command,
    )


async def _reply(command: dict, messages: list[dict[str, Any]]) -> None:
    for message in messages:
        await respond_to(command["response_url"], message, response_type="ephemeral")


async def quick_check(svc: SlackServices, command: dict, context: AsyncBoltContext) -> None:
    scope = await _scope(svc, command, context)
    try:
        result = await svc.advisor.check(
            command["text"],
            scope.tenant,
            channel="slack",
            user_id=context.user_id,
            request_id=request_id.get(),
        )
    except (QuestionError, TenantError) as exc:
        await _reply(command, [render_text(str(exc))])
        return
    await _reply(command, render_check(result))


FormReply = Callable[[dict[str, Any]], Awaitable[None]]


def _form_reply(context: AsyncBoltContext, response_url: str, channel: object) -> FormReply:
    """Where a form's result goes: its command's response_url, or (opened from the App Home,
    which has none) the user's DM with the app."""

    async def reply(message: dict[str, Any]) -> None:
        if response_url or not isinstance(channel, str) or not channel:
            await respond_to(response_url, message, response_type="ephemeral")
            return
        await context.client.chat_postMessage(channel=channel, **message, **NO_UNFURL)

    return reply


async def modal_check(svc: SlackServices, view: dict, reply: FormReply) -> None:
    """The form's ticks are the facts; the rubric decides (deterministic, no model)."""
    try:
        facts = ra.facts_from_modal(view["state"]["values"])
    except (ra.ButtonValueError, KeyError, TypeError):
        await reply(render_text(FORM_UNREADABLE))
        return
    result = CheckResult(
        detected=facts, recommendation=svc.advisor.recommend(facts, channel="slack")
    )
    for message in render_check(result):
        await reply(message)


async def ask(svc: SlackServices, command: dict, context: AsyncBoltContext, text: str) -> None:
    scope = await _scope(svc, command, context)
    try:
        answer = await svc.advisor.ask(
            text,
            scope.tenant,
            channel="slack",
            user_id=context.user_id,
            request_id=request_id.get(),
        )
    except (QuestionError, TenantError) as exc:
        await _reply(command, [render_text(str(exc))])
        return
    answer_id = request_id.get() or command.get("trigger_id", "")[:64]
    await _reply(command, render_answer(answer, answer_id=answer_id, notices=scope.notices))


async def assess(svc: SlackServices, command: dict, context: AsyncBoltContext, _: str) -> None:
    scope = await _scope(svc, command, context)
    started = await start_in_new_thread(
        svc,
        context.client,
        team_id=context.team_id,
        channel=command["channel_id"],
        user=context.user_id or "",
        tenant=scope.tenant,
    )
    if not started:
        await _reply(command, [render_text(INVITE)])


def note_refusal(svc: SlackServices, command: dict, context: AsyncBoltContext) -> str | None:
    """Why a note can't be added here (checked before ack, so no network), or None."""
    if command.get("channel_id") not in svc.advisor.settings.slack_note_channels:
        return (
            "Notes can only be added in the channels configured for them (ADVISOR_NOTE_CHANNELS)."
        )
    if svc.scopes.client_for(context.team_id, context.enterprise_id) is None:
        return "This workspace isn't mapped to a client yet (advisor tenants add … --slack-team)."
    return None


async def add_note(svc: SlackServices, command: dict, context: AsyncBoltContext, text: str) -> None:
    scope = await _scope(svc, command, context)
    if scope.client is None or scope.shared:  # Slack Connect: never take notes here
        await _reply(command, [render_text(SHARED_REFUSAL)])
        return
    author = command.get("user_name") or context.user_id or "slack"
    try:
        report = await svc.advisor.add_note_in_background(scope.client, author=author, text=text)
    except (NoteError, TenantError) as exc:
        await _reply(command, [render_text(str(exc))])
        return
    await _reply(command, [render_text(f"Note added for {scope.client}: {report.summary()}")])


async def digest(svc: SlackServices, command: dict, context: AsyncBoltContext, arg: str) -> None:
    """Digest commands; in a Slack Connect channel the digest never carries the client's notes."""
    scope = await _scope(svc, command, context)
    reply = await digest_command(svc, context.client, command, scope.tenant, arg.strip())
    await _reply(command, [reply])
    viewer = Viewer(context.team_id, context.enterprise_id, context.user_id or "")
    await svc.homes.refresh(context.client, viewer)  # the Home lists the digest schedules
