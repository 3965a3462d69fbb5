"""Sending to Slack: every message goes out without unfurls, `link_names` or `parse=full`, and
through clients that honour 429 `Retry-After`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack.render import Message

log = logging.getLogger(__name__)
NO_UNFURL: dict[str, bool] = {"unfurl_links": False, "unfurl_media": False}


def retry_handlers() -> list[AsyncRetryHandler]:
    """Connection errors once, rate limits (429, honouring Retry-After) up to three times."""
    return [AsyncConnectionErrorRetryHandler(), AsyncRateLimitErrorRetryHandler(max_retry_count=3)]


def make_web_client(token: str | None, base_url: str, timeout_s: float = 15.0) -> AsyncWebClient:
    url = base_url if base_url.endswith("/") else base_url + "/"
    return AsyncWebClient(
        token=token, base_url=url, timeout=int(max(1, timeout_s)), retry_handlers=retry_handlers()
    )


async def post_thread(
    client: AsyncWebClient,
    channel: str,
    thread_ts: str | None,
    messages: Sequence[Message],
    *,
    replace_ts: str | None = None,
) -> str:
    """Post `messages` in a thread (the first may replace a placeholder); the first one's ts."""
    first_ts = ""
    for i, message in enumerate(messages):
        if i == 0 and replace_ts:
            await client.chat_update(channel=channel, ts=replace_ts, **message)
            first_ts = replace_ts
            continue
        response = await client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, **message, **NO_UNFURL
        )
        first_ts = first_ts or str(response["ts"])
    return first_ts


async def post_ephemeral(client: AsyncWebClient, channel: str, user: str, message: Message) -> None:
    await client.chat_postEphemeral(channel=channel, user=user, **message)


async def respond_to(response_url: str, message: Message, **options: Any) -> None:
    """Answer through a `response_url` (slash commands, buttons); works outside the channel."""
    if not response_url.startswith(("https://", "http://")):
        log.warning("no reply: the response_url is not a URL")
        return
    hook = AsyncWebhookClient(url=response_url, retry_handlers=retry_handlers())
    payload = {**message, **NO_UNFURL, **options}
    try:
        response = await hook.send_dict(payload)
    except (aiohttp.ClientError, ValueError) as exc:
        log.warning("slack response_url failed: %s", type(exc).__name__)
        return
    if response.status_code != 200:
        log.error(
            "slack response_url failed: HTTP %s %s", response.status_code, response.body[:200]
        )
