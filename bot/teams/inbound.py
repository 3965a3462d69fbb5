"""Reading an inbound activity within limits: a size cap while reading, a nesting-depth check
before `json.loads`, and parsing + deserialisation meant for a worker thread.

Why: the body is attacker-controlled until the token is checked, and even after it a large
activity parsed on the event loop stalls every other request (`/healthz` included); a deeply
nested one blows Python's recursion limit (a 500).
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web
from botbuilder.schema import Activity

_CHUNK = 64 * 1024
# A JSON string (escapes included) or one bracket; everything else is skipped by finditer.
_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_OPENERS = frozenset(b"[{")


class MalformedActivity(ValueError):
    """The body is not an activity we can handle; the message is safe to return (400)."""


class BodyTooLarge(ValueError):
    """The body is over the configured cap (413)."""


async def read_capped(request: web.Request, max_bytes: int) -> bytes:
    """The body, read in chunks and abandoned as soon as it passes `max_bytes`."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise BodyTooLarge(f"body over {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge(f"body over {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def nesting_depth_exceeds(body: bytes, max_depth: int) -> bool:
    """Whether any array/object nests deeper than `max_depth`, brackets in strings ignored.
    Iterative and linear, so 100k `[` cost a scan, not a RecursionError."""
    depth = 0
    for match in _TOKENS.finditer(body):
        token = match.group()
        if token[0] in _OPENERS:
            depth += 1
            if depth > max_depth:
                return True
        elif token[0] != 0x22:  # a closing bracket (0x22 is the quote of a string token)
            depth -= 1
    return False


def parse_activity(body: bytes, max_depth: int) -> Activity:
    """Bytes → Activity, or MalformedActivity with the reason. CPU-bound: run it in a thread."""
    if nesting_depth_exceeds(body, max_depth):
        raise MalformedActivity(f"JSON nested deeper than {max_depth} levels")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise MalformedActivity("body is not JSON") from exc
    _check_shape(data)
    try:
        activity = Activity().deserialize(data)
    except Exception as exc:  # msrest raises several types (and RecursionError): all mean bad
        raise MalformedActivity("activity does not deserialize") from exc
    if not activity.type or activity.conversation is None or not activity.conversation.id:
        raise MalformedActivity("activity has no type or conversation id")
    return activity


def _check_shape(data: Any) -> None:
    """The fields CloudAdapter and the bot rely on, checked on the raw JSON (msrest would
    silently turn a number into a string)."""
    if not isinstance(data, dict) or not isinstance(data.get("type"), str) or not data["type"]:
        raise MalformedActivity("body is not an activity (no type)")
    conversation = data.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        raise MalformedActivity("activity has no conversation id")
    if not conversation["id"]:
        raise MalformedActivity("activity has no conversation id")
    if not isinstance(data.get("serviceUrl"), str):
        raise MalformedActivity("activity has no serviceUrl")
    for field in ("text", "name", "channelId", "id", "replyToId", "locale", "localTimezone"):
        if data.get(field) is not None and not isinstance(data[field], str):
            raise MalformedActivity(f"activity field {field} is not a string")
    for field in ("from", "recipient"):
        if data.get(field) is not None and not isinstance(data[field], dict):
            raise MalformedActivity(f"activity field {field} is not an object")
