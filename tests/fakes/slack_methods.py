"""What the fake Slack Web API keeps and checks as Slack does: messages (for
`conversations.replies`), streamed messages (chat.startStream / appendStream / stopStream),
the published App Home views, and the assistant thread's status and title.

A mixin of `FakeSlackApi` (tests/fakes/slack_api.py), which routes those methods here.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from tests.fakes.slack_validation import block_problems, view_problems

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
STREAM_METHODS = ("chat.startStream", "chat.appendStream", "chat.stopStream")
MAX_CHUNK_CHARS = 12_000
MAX_LOADING_MESSAGES = 10
Answer = dict[str, Any]


@dataclass
class Stream:
    """A message being streamed (chat.startStream … chat.stopStream)."""

    channel: str
    ts: str
    thread_ts: str
    started: float
    text: str = ""
    state: Literal["streaming", "stopped", "stopped_by_user"] = "streaming"
    appends: int = 0


class SlackMethods:
    """State and answers of the methods Slack keeps something for."""

    def _init_methods(self) -> None:
        self._ts = itertools.count(1)
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) → message
        self.streams: dict[str, Stream] = {}  # ts → stream
        self.streaming = True  # False: a Slack without the streaming methods
        self.stream_lifetime_s = 300.0  # Slack closes a stream about five minutes in
        self.home_views: dict[str, dict[str, Any]] = {}  # user → the published Home view

    def _method(self, method: str) -> Callable[[dict[str, Any]], Answer] | None:
        """The handler of a method this mixin answers, if it is one."""
        if method in STREAM_METHODS and not self.streaming:
            return lambda _params: {"ok": False, "error": "unknown_method"}
        return {
            "chat.startStream": self._start_stream,
            "chat.appendStream": self._append_stream,
            "chat.stopStream": self._stop_stream,
            "views.publish": self._publish,
            "views.open": self._open_view,
            "assistant.threads.setStatus": self._set_status,
            "assistant.threads.setTitle": self._set_title,
            "chat.delete": self._delete,
        }.get(method)

    def stop_stream(self, ts: str) -> None:
        """The user pressed Stop on a streaming message."""
        self.streams[ts].state = "stopped_by_user"

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """The bot's messages in a thread, oldest first, as Slack keeps them now."""
        found = [
            m
            for (ch, ts), m in self.messages.items()
            if ch == channel and (m.get("thread_ts") == thread_ts or ts == thread_ts)
        ]
        return sorted(found, key=lambda m: m["ts"])

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _keep(self, channel: str, ts: str, params: dict[str, Any]) -> dict[str, Any]:
        message = {
            "type": "message",
            "ts": ts,
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": params.get("text") or "",
            "blocks": params.get("blocks") or [],
            **{k: params[k] for k in ("thread_ts", "metadata") if params.get(k) is not None},
        }
        self.messages[(channel, ts)] = message
        return message

    def _replies(self, channel: str, ts: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        with_metadata = str(params.get("include_all_metadata")).lower() in ("1", "true")
        return [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in self.thread(channel, ts)
        ]

    def _delete(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (str(params.get("channel")), str(params.get("ts")))
        if self.messages.pop(key, None) is None:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": key[0], "ts": key[1]}

    # --- streaming (chat.startStream / appendStream / stopStream) ---------------------------
    def _start_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, thread_ts = params.get("channel"), params.get("thread_ts")
        if not channel or not thread_ts:
            return {"ok": False, "error": "invalid_arguments"}
        if not str(channel).startswith("D"):  # outside DMs Slack needs the recipient
            for field_name in ("recipient_user_id", "recipient_team_id"):
                if not params.get(field_name):
                    return {"ok": False, "error": f"missing_{field_name}"}
        text, error = _chunk_text(params)
        if error:
            return {"ok": False, "error": error}
        if not text:
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        self.streams[ts] = Stream(str(channel), ts, str(thread_ts), time.monotonic(), text)
        self._keep(str(channel), ts, {"text": text, "thread_ts": thread_ts})
        return {"ok": True, "channel": channel, "ts": ts}

    def _streaming(self, params: dict[str, Any]) -> tuple[Stream | None, str | None]:
        stream = self.streams.get(str(params.get("ts")))
        if stream is None or stream.channel != params.get("channel"):
            return None, "message_not_found"
        if stream.state == "stopped_by_user":
            return None, "stopped_by_user"
        expired = time.monotonic() - stream.started > self.stream_lifetime_s
        if stream.state != "streaming" or expired:
            return None, "message_not_in_streaming_state"
        return stream, None

    def _append_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        stream, error = self._streaming(params)
        text, chunk_error = _chunk_text(params)
        if stream is None or chunk_error:
            return {"ok": False, "error": error or chunk_error}
        if not text:
            return {"ok": False, "error": "no_text"}
        stream.text += text
        stream.appends += 1
        self.messages[(stream.channel, stream.ts)]["text"] = stream.text
        return {"ok": True, "channel": stream.channel, "ts": stream.ts}

    def _stop_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        stream, error = self._streaming(params)
        text, chunk_error = _chunk_text(params)
        if stream is None or chunk_error:
            return {"ok": False, "error": error or chunk_error}
        blocks = params.get("blocks") or []
        if block_problems(blocks):
            return {"ok": False, "error": "invalid_blocks", "errors": block_problems(blocks)}
        stream.text += text
        stream.state = "stopped"
        message = self.messages[(stream.channel, stream.ts)]
        message["text"] = stream.text
        message["blocks"] = [{"type": "markdown", "text": stream.text}, *blocks]
        return {"ok": True, "channel": stream.channel, "ts": stream.ts, "message": message}

    # --- views and the assistant thread ---------------------------------------------------
    def _publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user, view = params.get("user_id"), params.get("view")
        if not user or view_problems(view) or (view or {}).get("type") != "home":
            return {"ok": False, "error": "invalid_arguments", "errors": view_problems(view)}
        current = self.home_views.get(str(user))
        if params.get("hash") and current and params["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        published = {**view, "id": f"VH{user}", "hash": f"h{next(self._ts)}"}
        self.home_views[str(user)] = published
        return {"ok": True, "view": published}

    def _open_view(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not params.get("trigger_id") or view_problems(view):
            return {"ok": False, "error": "invalid_arguments", "errors": view_problems(view)}
        return {"ok": True, "view": {"id": "V1", **view}}

    def _set_status(self, params: dict[str, Any]) -> dict[str, Any]:
        loading = params.get("loading_messages") or []
        if not params.get("channel_id") or not params.get("thread_ts") or "status" not in params:
            return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(loading, list) or len(loading) > MAX_LOADING_MESSAGES:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True}

    def _set_title(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel_id") or not params.get("thread_ts") or not params.get("title"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True}


def _chunk_text(params: dict[str, Any]) -> tuple[str, str | None]:
    """The markdown a stream call carries (`markdown_text` or `markdown_text` chunks)."""
    parts = [str(params["markdown_text"])] if params.get("markdown_text") else []
    for chunk in params.get("chunks") or []:
        if not isinstance(chunk, dict) or chunk.get("type") != "markdown_text":
            return "", "invalid_chunks"
        parts.append(str(chunk.get("text") or ""))
    if any(len(p) > MAX_CHUNK_CHARS for p in parts):
        return "", "msg_too_long"
    return "".join(parts), None
