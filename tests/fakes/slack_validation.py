"""What Slack would refuse in a message or a view, checked with slack_sdk's own validators.

Every block is parsed into slack_sdk's model (an unknown type is refused) and validated
(`validate_json`), keys the model would drop are refused too, and Slack's documented limits
are applied: ≤ 50 blocks and ≤ 40,000 characters of text in a message, ≤ 100 blocks in a view,
a `home` or `modal` view that `View(...).validate_json()` accepts.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT_CHARS = 40_000  # Slack truncates beyond this; we keep ours far shorter


class _Ignored(logging.Handler):
    """slack_sdk logs, at debug level, the keys a model's constructor ignored."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "were ignored" in message:
            self.seen.append(message.split(" If they")[0])


@contextlib.contextmanager
def _watch_ignored() -> Iterator[_Ignored]:
    logger = logging.getLogger("slack_sdk.models")
    handler, level = _Ignored(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def block_problems(blocks: Any, limit: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """Why Slack would refuse these blocks (empty: it would take them)."""
    if not isinstance(blocks, list):
        return [f"blocks must be a list, not {type(blocks).__name__}"]
    problems = [f"{len(blocks)} blocks (at most {limit})"] if len(blocks) > limit else []
    with _watch_ignored() as ignored:
        for i, raw in enumerate(blocks):
            if not isinstance(raw, dict):
                problems.append(f"block {i} is not an object")
                continue
            block = Block.parse(dict(raw))
            if block is None:
                problems.append(f"block {i}: unknown type {raw.get('type')!r}")
                continue
            try:
                block.validate_json()
            except SlackObjectFormationError as exc:
                problems.append(f"block {i} ({raw.get('type')}): {exc}")
    return problems + [f"ignored keys: {m}" for m in ignored.seen]


def message_problems(message: dict[str, Any]) -> list[str]:
    """Why Slack would refuse a message (chat.postMessage, chat.update, a response_url)."""
    text, blocks = message.get("text"), message.get("blocks")
    problems = []
    if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
        problems.append(f"text of {len(text)} characters")
    if blocks is not None:
        problems += block_problems(blocks)
    elif not text and not message.get("markdown_text"):
        problems.append("neither text nor blocks")
    return problems


def view_problems(view: Any) -> list[str]:
    """Why Slack would refuse a view (views.publish, views.open)."""
    if not isinstance(view, dict):
        return ["view must be an object"]
    if view.get("type") not in ("home", "modal"):
        return [f"view type {view.get('type')!r}"]
    problems = block_problems(view.get("blocks") or [], MAX_VIEW_BLOCKS)
    with _watch_ignored() as ignored:
        try:
            View(**view).validate_json()
        except (SlackObjectFormationError, TypeError) as exc:
            problems.append(f"view: {exc}")
    return problems + [f"ignored keys: {m}" for m in ignored.seen]
