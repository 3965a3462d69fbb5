"""Where one turn's reply goes, and how it shows that work is under way.

In the assistant pane: a status with loading messages that say what is happening, and the
reply through Bolt's `say()` (so Bolt's thread-context store sees it). In any other thread: a
"Thinking…" placeholder that the reply replaces. A Claude answer streams natively when the
workspace can (the placeholder is removed once the stream shows); otherwise its text is edited
into the placeholder at most once a second, as before streaming existed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.delivery import NO_UNFURL, post_thread
from bot.slack.render import APOLOGY, THINKING, Block, Message, escape_mrkdwn, render_text
from bot.slack.services import Incoming, SlackServices
from bot.slack.streaming import AnswerStream, StreamUnavailable
from bot.slack.workers import describe_api_error

log = logging.getLogger(__name__)
STATUS = "is thinking…"
EDIT_EVERY_S = 1.0  # the placeholder edit: Slack's per-channel rate
MAX_LOADING_MESSAGES = 10  # Slack's limit for assistant.threads.setStatus
OnDelta = Callable[[str], Awaitable[None]]
_FAILURES = (SlackApiError, SlackClientError, OSError, TimeoutError)


@dataclass(frozen=True, slots=True)
class AssistantPane:
    """Bolt's utilities for one assistant thread (`say` carries the thread context)."""

    say: Callable[..., Awaitable[Any]]
    set_status: Callable[..., Awaitable[Any]]
    set_title: Callable[..., Awaitable[Any]]


class ThreadReply:
    """The reply to one message: status or placeholder first, then the messages."""

    def __init__(
        self,
        svc: SlackServices,
        client: AsyncWebClient,
        msg: Incoming,
        pane: AssistantPane | None = None,
    ) -> None:
        self.svc, self.client, self.msg, self.pane = svc, client, msg, pane
        self.placeholder_ts: str | None = None
        self.stream: AnswerStream | None = None
        self._native = True  # until a stream could not start
        self._edited: list[str] = []
        self._last_edit = 0.0

    @property
    def workspace(self) -> str:
        return self.msg.team_id or self.msg.enterprise_id or "-"

    async def title(self, title: str) -> None:
        """Name the assistant thread (cosmetic: a failure is only logged)."""
        if self.pane is None:
            return
        try:
            await self.pane.set_title(title)
        except _FAILURES as exc:
            log.warning("could not title the assistant thread: %s", _why(exc))

    async def working(self, loading: Sequence[str]) -> None:
        """Show that the reply is on its way: the pane's status (cosmetic: a failure is only
        logged), else a placeholder."""
        if self.pane is not None:
            messages = list(loading)[:MAX_LOADING_MESSAGES]
            try:
                await self.pane.set_status(status=STATUS, loading_messages=messages or None)
            except _FAILURES as exc:
                log.warning("could not set the assistant status: %s", _why(exc))
            return
        msg = self.msg
        posted = await self.client.chat_postMessage(
            channel=msg.channel, thread_ts=msg.thread_ts, text=THINKING, **NO_UNFURL
        )
        self.placeholder_ts = str(posted["ts"])

    def on_delta(self) -> OnDelta | None:
        """With ADVISOR_STREAM, what takes Claude's text as it is written."""
        if not self.svc.advisor.settings.stream_answers:
            return None
        return self._delta

    async def _delta(self, text: str) -> None:
        if self._native and self.stream is None:
            if self.svc.streams.available(self.client, self.workspace):
                self.stream = self._new_stream()
            else:
                self._native = False
        if self.stream is not None and self._native:
            try:
                await self.stream.write(text)
            except StreamUnavailable as exc:
                self.svc.streams.failed(self.workspace, exc.code)
                self._native, self._edited = False, list(self.stream.written)
                self.stream = None
                await self._edit("")
                return
            if self.stream.ts is not None and self.placeholder_ts is not None:
                await self._drop_placeholder()
            return
        await self._edit(text)

    def _new_stream(self) -> AnswerStream:
        msg = self.msg
        return AnswerStream(
            self.client,
            channel=msg.channel,
            thread_ts=msg.thread_ts,
            recipient_team_id=msg.user_team or msg.team_id or msg.enterprise_id,
            recipient_user_id=msg.user or None,
            interval_s=self.svc.advisor.settings.slack_stream_interval_s,
        )

    async def _edit(self, text: str) -> None:
        """The fallback: the text so far in the placeholder, at most once a second."""
        self._edited.append(text)
        if self.placeholder_ts is None or time.monotonic() - self._last_edit < EDIT_EVERY_S:
            return
        self._last_edit = time.monotonic()
        partial = escape_mrkdwn("".join(self._edited))[-2900:] + " …"
        await self.client.chat_update(
            channel=self.msg.channel, ts=self.placeholder_ts, text=partial
        )

    async def _drop_placeholder(self) -> None:
        """The stream shows now: the placeholder goes (cosmetic: a failure is only logged)."""
        ts, self.placeholder_ts = self.placeholder_ts, None
        try:
            await self.client.chat_delete(channel=self.msg.channel, ts=ts)
        except _FAILURES as exc:
            log.warning("could not remove the placeholder: %s", _why(exc))

    async def deliver(
        self,
        messages: Sequence[Message],
        *,
        tail: Sequence[Block] = (),
        streamed_as: str | None = None,
    ) -> None:
        """Post the reply. After a stream: stop it with `tail` (sources, next step, feedback),
        then write the finished messages over it unless the stream already reads as them
        (`streamed_as`: the answer's text when it renders exactly as streamed)."""
        stream, self.stream = self.stream, None
        if stream is not None and stream.ts is not None:
            finished = await stream.finish(tail)
            if stream.state == "stopped":
                return  # the user stopped it: nothing more goes in
            if finished and len(messages) == 1 and _reads_as(stream.text, streamed_as):
                return
            await post_thread(
                self.client, self.msg.channel, self.msg.thread_ts, messages, replace_ts=stream.ts
            )
            return
        if self.pane is not None:
            for message in messages:
                await self.pane.say(**message, **NO_UNFURL)
            return
        replace, self.placeholder_ts = self.placeholder_ts, None
        msg = self.msg
        await post_thread(self.client, msg.channel, msg.thread_ts, messages, replace_ts=replace)

    async def apologise(self) -> None:
        """Something failed: say so where the reply would have been."""
        stream, self.stream = self.stream, None
        if stream is not None and stream.ts is not None:
            await stream.finish(())
            await self.client.chat_update(
                channel=self.msg.channel, ts=stream.ts, **render_text(APOLOGY)
            )
            return
        await self.deliver([render_text(APOLOGY)])


def _reads_as(streamed: str, final: str | None) -> bool:
    """Whether the streamed message already shows `final`: the same text, and none that was
    escaped (streamed markdown may show an entity such as `&amp;` as typed)."""
    return final is not None and streamed == final and not {"&", "<", ">"} & set(final)


def _why(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        method, error = describe_api_error(exc)
        return f"{method} {error}"
    return type(exc).__name__
