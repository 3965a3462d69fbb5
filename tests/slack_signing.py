"""Signed Slack requests, as Slack sends them: events (JSON), slash commands and interactivity
(form-encoded), each with `X-Slack-Signature` over `v0:{timestamp}:{body}`."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

SECRET = "test-signing-secret-0123456789"
TEAM = "T1"
_ids = itertools.count(1)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: bytes, *, secret: str = SECRET, timestamp: int | str | None = None, json_body: bool
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/json" if json_body else "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(secret, ts, body),
    }


def event_body(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    team: str = TEAM,
    is_ext_shared_channel: bool = False,
) -> bytes:
    payload = {
        "token": "legacy",
        "team_id": team,
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
        "is_ext_shared_channel": is_ext_shared_channel,
    }
    return json.dumps(payload).encode()


def mention(
    text: str,
    *,
    channel: str = "C1",
    user: str = "U1",
    ts: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@UBOT> {text}",
        "ts": ts or f"1699999999.{next(_ids):06d}",
        "channel": channel,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(
    text: str,
    *,
    channel: str = "D1",
    user: str = "U1",
    channel_type: str = "im",
    thread_ts: str | None = None,
) -> dict[str, Any]:
    event = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": f"1699999998.{next(_ids):06d}",
        "channel": channel,
        "channel_type": channel_type,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def command_body(
    command: str,
    text: str,
    *,
    response_url: str,
    channel: str = "C1",
    user: str = "U1",
    team: str = TEAM,
) -> bytes:
    return urlencode(
        {
            "token": "legacy",
            "team_id": team,
            "channel_id": channel,
            "user_id": user,
            "user_name": "founder",
            "command": command,
            "text": text,
            "response_url": response_url,
            "trigger_id": f"trig.{next(_ids)}",
            "api_app_id": "A1",
        }
    ).encode()


def interactive_body(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def block_action(
    action: dict[str, Any],
    *,
    message: dict[str, Any],
    response_url: str,
    channel: str = "C1",
    user: str = "U1",
    team: str = TEAM,
    ephemeral: bool = False,
) -> dict[str, Any]:
    """A click on `action` in `message` (a message as our fake recorded it: ts, thread_ts…)."""
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": "test"},
        "user": {"id": user, "team_id": team},
        "api_app_id": "A1",
        "container": {
            "type": "message",
            "message_ts": message.get("ts"),
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "channel": {"id": channel},
        "message": None if ephemeral else message,
        "response_url": response_url,
        "trigger_id": f"trig.{next(_ids)}",
        "actions": [{**action, "action_ts": str(time.time())}],
    }


def view_submission(
    view: dict[str, Any], values: dict[str, Any], *, user: str = "U1", team: str = TEAM
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": team},
        "user": {"id": user, "team_id": team},
        "api_app_id": "A1",
        "view": {**view, "id": "V1", "state": {"values": values}},
    }


def home_opened(*, user: str = "U1", channel: str = "D1") -> dict[str, Any]:
    """The user opened the app's Home tab (an `app_home_opened` event)."""
    return {"type": "app_home_opened", "user": user, "channel": channel, "tab": "home"}


def home_action(action: dict[str, Any], *, user: str = "U1", team: str = TEAM) -> dict[str, Any]:
    """A click on the App Home: no channel, no message, no response_url."""
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": "test"},
        "user": {"id": user, "team_id": team},
        "api_app_id": "A1",
        "container": {"type": "view", "view_id": f"VH{user}"},
        "view": {"id": f"VH{user}", "type": "home", "callback_id": "advisor_home"},
        "trigger_id": f"trig.{next(_ids)}",
        "actions": [{**action, "action_ts": str(time.time())}],
    }
