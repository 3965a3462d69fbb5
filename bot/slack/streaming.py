"""Native streaming of Claude's answers: chat.startStream / appendStream / stopStream through
slack_sdk's `client.chat_stream()`, and knowing when a workspace cannot stream.

A stream is a thread reply addressed to the asking user (their user and team ids, which Slack
requires outside DMs). Text goes out at word boundaries, escaped like every mrkdwn text of
ours, at most once per `interval_s`. Slack closes a stream about five minutes after it started,
and the user can stop it; either way the stream ends early and the finished answer is written
with chat.update instead (see `ThreadReply`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any, Literal

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_chat_stream import AsyncChatStream
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.render import Block, escape_mrkdwn
from bot.slack.workers import api_error_code

log = logging.getLogger(__name__)

# chat.startStream answers these when the workspace, the token or the app cannot stream at all
# (an older Slack, a token type or plan without it, a scope the app was not granted): such a
# workspace gets the placeholder edit until `retry_after_s` has passed. Any other failure to
# start (this channel's type, a rate limit, an outage) falls back for that one answer only.
UNAVAILABLE = frozenset(
    {
        "unknown_method",
        "method_deprecated",
        "deprecated_endpoint",
        "method_not_supported",
        "not_allowed_token_type",
        "not_allowed",
        "missing_scope",
        "feature_not_enabled",
        "team_not_allowed",
        "enterprise_is_restricted",
        "is_bot",
    }
)
STOPPED = "stopped_by_user"  # the user pressed Stop: nothing more goes into the message
MAX_CHUNK_CHARS = 10_000  # Slack takes 12,000 characters of markdown per call
_NETWORK = (SlackClientError, aiohttp.ClientError, OSError, TimeoutError)

State = Literal["new", "open", "ended", "stopped", "done"]


class StreamUnavailable(Exception):
    """The stream could not be started; `code` is Slack's error (or the exception's name)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class StreamSupport:
    """Which workspaces stream: all of them, until chat.startStream says one cannot."""

    def __init__(self, retry_after_s: float = 3600.0) -> None:
        self._retry_after_s = retry_after_s
        self._lacking: dict[str, float] = {}  # workspace → when to try again

    def available(self, client: AsyncWebClient, workspace: str) -> bool:
        if not hasattr(client, "chat_stream"):  # slack_sdk before 3.36
            return False
        until = self._lacking.get(workspace)
        return until is None or until <= time.monotonic()

    def failed(self, workspace: str, code: str) -> None:
        """Remember a start that failed for good (an `UNAVAILABLE` error); others are passing."""
        if code in UNAVAILABLE:
            log.warning(
                "slack workspace %s cannot stream (%s): editing a placeholder", workspace, code
            )
            self._lacking[workspace] = time.monotonic() + self._retry_after_s


class AnswerStream:
    """One streamed answer: started by its first words, appended to, stopped with blocks."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        channel: str,
        thread_ts: str,
        recipient_team_id: str | None,
        recipient_user_id: str | None,
        interval_s: float = 1.0,
    ) -> None:
        self._client = client
        self._where: dict[str, Any] = {
            "channel": channel,
            "thread_ts": thread_ts,
            "recipient_team_id": recipient_team_id,
            "recipient_user_id": recipient_user_id,
        }
        self._interval_s = interval_s
        self._stream: AsyncChatStream | None = None
        self._pending = ""  # written but not sent yet (a word may be unfinished)
        self._last = 0.0
        self.written: list[str] = []  # every delta, as Claude wrote it
        self.ts: str | None = None
        self.state: State = "new"

    @property
    def text(self) -> str:
        """Everything written so far, unescaped."""
        return "".join(self.written)

    async def write(self, delta: str) -> None:
        """Take Claude's next words; send whole words when the interval has passed. Raises
        `StreamUnavailable` when the stream cannot be started."""
        self.written.append(delta)
        self._pending += delta
        if self.state not in ("new", "open"):
            return
        soon = time.monotonic() - self._last < self._interval_s
        if self.state == "open" and soon and len(self._pending) < MAX_CHUNK_CHARS:
            return
        cut = max(self._pending.rfind(" "), self._pending.rfind("\n")) + 1
        if cut == 0 and len(self._pending) < MAX_CHUNK_CHARS:
            return  # no whole word yet: escaping needs whole words (URLs, domains, `@here`)
        cut = cut or len(self._pending)
        sending, self._pending = self._pending[:cut], self._pending[cut:]
        await self._send(sending)

    async def _send(self, raw: str) -> None:
        try:
            if self._stream is None:
                self._stream = await self._client.chat_stream(buffer_size=1, **self._where)
            await self._stream.append(markdown_text=escape_mrkdwn(raw))
        except SlackApiError as exc:
            self._failed(api_error_code(exc))
            return
        except _NETWORK as exc:
            self._failed(type(exc).__name__)
            return
        self.ts = self._stream.ts
        self.state = "open"
        self._last = time.monotonic()

    def _failed(self, code: str) -> None:
        if self.ts is None:
            self.state = "ended"
            raise StreamUnavailable(code)
        self._end(code)

    def _end(self, code: str) -> None:
        self.state = "stopped" if code == STOPPED else "ended"
        log.info("slack stream %s ended early: %s", self.ts, code)

    async def finish(self, tail: Sequence[Block]) -> bool:
        """Stop the stream with the rest of the text and `tail` under it (chat.stopStream);
        False when it had already ended (Slack closed it, or the user stopped it)."""
        if self.state != "open" or self._stream is None:
            return False
        rest = escape_mrkdwn(self._pending) if self._pending.strip() else None
        self._pending = ""
        try:
            await self._stream.stop(markdown_text=rest, blocks=list(tail))
        except SlackApiError as exc:
            self._end(api_error_code(exc))
            return False
        except _NETWORK as exc:
            self._end(type(exc).__name__)
            return False
        self.state = "done"
        return True
