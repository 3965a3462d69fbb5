"""The shape of what Slack sends, checked before Bolt or a listener reads it.

A request with a good signature can still carry a body no Slack client would send (a replayed
body edited by hand, a proxy's mangling, a bug): `event` a string, `actions: 5`, no `type`.
Bolt and our listeners index such bodies without checking, which ends in a 500 or a traceback
in the log. Here each kind of payload is checked for the fields that code reads, with their
types, and anything else is a 400 that says which field is wrong. Fields we never read are
left alone, so real payloads with extra or newer fields pass.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs


class PayloadError(ValueError):
    """The body is not a payload Slack sends; the message names the field."""


def parse_signed_body(text: str, content_type: str) -> dict[str, Any]:
    """The payload of a signed request, checked; raises `PayloadError` saying what is wrong."""
    if content_type == "application/json":
        payload = _json_object(text, "body")
        _check_json_payload(payload)
        return payload
    if content_type == "application/x-www-form-urlencoded":
        fields = parse_qs(text, keep_blank_values=True)
        if "payload" in fields:
            payload = _json_object(fields["payload"][0], "payload")
            _check_interaction(payload)
            return payload
        if "ssl_check" in fields:
            return {"ssl_check": fields["ssl_check"][0]}
        if "command" in fields:
            command = {k: v[0] for k, v in fields.items()}
            _check_command(command)
            return command
        raise PayloadError("a form without `payload`, `command` or `ssl_check`")
    raise PayloadError(f"content type {content_type or 'missing'} is not one Slack sends")


def _json_object(text: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except RecursionError as exc:  # the C parser stops deep nesting before the stack does
        raise PayloadError(f"{name} nests too deep") from exc
    except ValueError as exc:
        raise PayloadError(f"{name} is not JSON") from exc
    if not isinstance(value, dict):
        raise PayloadError(f"{name} is not a JSON object")
    return value


Kind = type | tuple[type, ...]


def _require(container: dict[str, Any], field: str, kind: Kind, where: str) -> Any:
    value = container.get(field)
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise PayloadError(f"{where}{field} must be {names}, got {type(value).__name__}")
    return value


def _optional(container: dict[str, Any], field: str, kind: Kind, where: str) -> Any:
    if container.get(field) is None:
        return None
    return _require(container, field, kind, where)


MAX_ID_CHARS = 64  # Slack ids ("T0123ABCD", "1700000000.000100") are far shorter
_ENTITIES = ("enterprise", "team", "user", "channel")  # a string id, or an object with `id`
_IDS = ("team_id", "user_id", "channel_id", "enterprise_id", "thread_ts", "ts", "message_ts")
_NESTED = ("event", "view", "message", "previous_message", "item", "assistant_thread")


def _check_ids(node: dict[str, Any], where: str, depth: int = 0) -> None:
    """The ids Bolt reads to route a request (team, user, channel, …), wherever it looks."""
    for field in _ENTITIES:
        value = node.get(field)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, dict):
            raise PayloadError(f"{where}{field} must be an id or an object")
        for key in ("id", "team_id", "enterprise_id"):
            if len(_optional(value, key, str, f"{where}{field}.") or "") > MAX_ID_CHARS:
                raise PayloadError(f"{where}{field}.{key} is longer than any Slack id")
    for field in _IDS:
        if len(_optional(node, field, str, where) or "") > MAX_ID_CHARS:
            raise PayloadError(f"{where}{field} is longer than any Slack id")
    authorizations = _optional(node, "authorizations", list, where)
    for entry in authorizations or []:
        if not isinstance(entry, dict):
            raise PayloadError(f"{where}authorizations must hold objects")
        _check_ids(entry, f"{where}authorizations[].", depth + 1)
    if depth < 3:
        for field in _NESTED:
            nested = _optional(node, field, dict, where)
            if nested is not None:
                _check_ids(nested, f"{where}{field}.", depth + 1)


def _check_json_payload(payload: dict[str, Any]) -> None:
    _check_ids(payload, "")
    kind = _require(payload, "type", str, "")
    if kind == "url_verification":
        _require(payload, "challenge", str, "")
    elif kind == "event_callback":
        for field in ("team_id", "enterprise_id", "event_id", "api_app_id"):
            _optional(payload, field, str, "")
        _optional(payload, "authorizations", list, "")
        _check_event(_require(payload, "event", dict, ""))


_MESSAGE_FIELDS = ("user", "text", "ts", "thread_ts", "channel_type", "subtype", "bot_id")


def _check_event(event: dict[str, Any]) -> None:
    kind = _require(event, "type", str, "event.")
    if kind in ("app_mention", "message"):
        _require(event, "channel", str, "event.")
        _require(event, "ts", str, "event.")
        for field in _MESSAGE_FIELDS:
            _optional(event, field, str, "event.")
    elif kind.startswith("assistant_thread_"):
        thread = _require(event, "assistant_thread", dict, "event.")
        _require(thread, "channel_id", str, "event.assistant_thread.")
        _require(thread, "thread_ts", str, "event.assistant_thread.")
        _optional(thread, "context", dict, "event.assistant_thread.")
    elif kind == "app_home_opened":
        for field in ("user", "channel", "tab"):
            _optional(event, field, str, "event.")


def _check_interaction(payload: dict[str, Any]) -> None:
    _check_ids(payload, "payload.")
    kind = _require(payload, "type", str, "payload.")
    user = _optional(payload, "user", dict, "payload.")
    if user is not None:
        _optional(user, "id", str, "payload.user.")
    team = _optional(payload, "team", dict, "payload.")
    if team is not None:
        _optional(team, "id", str, "payload.team.")
    for field in ("trigger_id", "response_url", "api_app_id"):
        _optional(payload, field, str, "payload.")
    if kind == "block_actions":
        _check_block_actions(payload)
    elif kind in ("view_submission", "view_closed"):
        view = _require(payload, "view", dict, "payload.")
        _require(view, "type", str, "payload.view.")
        _optional(view, "private_metadata", str, "payload.view.")
        _optional(view, "callback_id", str, "payload.view.")
        state = _optional(view, "state", dict, "payload.view.")
        values = _optional(state or {}, "values", dict, "payload.view.state.")
        for block in (values or {}).values():
            if not isinstance(block, dict) or not all(isinstance(v, dict) for v in block.values()):
                raise PayloadError("payload.view.state.values must hold objects of objects")


def _check_block_actions(payload: dict[str, Any]) -> None:
    actions = _require(payload, "actions", list, "payload.")
    if not actions:
        raise PayloadError("payload.actions is empty")
    for action in actions:
        if not isinstance(action, dict):
            raise PayloadError("payload.actions must hold objects")
        _require(action, "action_id", str, "payload.actions[].")
        _optional(action, "value", str, "payload.actions[].")
        _optional(action, "block_id", str, "payload.actions[].")
        selected = _optional(action, "selected_option", dict, "payload.actions[].")
        if selected is not None:
            _require(selected, "value", str, "payload.actions[].selected_option.")
    for field in ("channel", "container", "message"):
        _optional(payload, field, dict, "payload.")
    channel = payload.get("channel") or {}
    _optional(channel, "id", str, "payload.channel.")
    container = payload.get("container") or {}
    for field in ("channel_id", "message_ts", "thread_ts"):
        _optional(container, field, str, "payload.container.")
    message = payload.get("message") or {}
    for field in ("ts", "thread_ts"):
        _optional(message, field, str, "payload.message.")


def _check_command(command: dict[str, Any]) -> None:
    if not command.get("command", "").startswith("/"):
        raise PayloadError("command must start with /")
    for field in ("response_url", "trigger_id"):
        if not command.get(field):
            raise PayloadError(f"{field} is missing")
