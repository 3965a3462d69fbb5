"""1,000 signed Slack requests built from the payloads Slack really sends, then broken.

A good signature proves only who sent the bytes, not that they make sense: every request here
is correctly signed, and each is a real payload shape (a mention, a DM, an assistant thread,
App Home, a button click, a form submission, a slash command) with fields deleted, retyped,
blown up or nested to absurd depth. None may get a 5xx, and none may end in a traceback:
whatever cannot be handled is a 400 naming the field, or is answered as far as it makes sense.
"""

from __future__ import annotations

import copy
import json
import logging
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests import slack_signing as sign
from tests.slack_harness import SlackHarness, slack_app

CASES = 1000
SEED = 20261201


def _event(event: dict[str, Any]) -> dict[str, Any]:
    return json.loads(sign.event_body(event))


def templates(response_url: str) -> list[tuple[str, dict[str, Any]]]:
    """(kind, payload): one of each shape Slack sends to the Request URL."""
    click = sign.block_action(
        {
            "action_id": "interview_answer_0",
            "block_id": "b",
            "type": "button",
            "value": "stage:seed",
        },
        message={"ts": "1700000000.000001", "thread_ts": "1700000000.000001", "text": "…"},
        response_url=response_url,
    )
    feedback = sign.block_action(
        {"action_id": "feedback_up", "block_id": "b", "type": "button", "value": "req-1"},
        message={"ts": "1700000000.000002"},
        response_url=response_url,
    )
    form = sign.view_submission(
        {
            "type": "modal",
            "callback_id": "trigger_check",
            "private_metadata": json.dumps({"response_url": ""}),
        },
        {"stage": {"stage": {"type": "static_select", "selected_option": {"value": "seed"}}}},
    )
    thread = {
        "type": "assistant_thread_started",
        "assistant_thread": {"user_id": "U1", "channel_id": "D1", "thread_ts": "1.1"},
    }
    return [
        ("json", _event(sign.mention("Do we need a fractional AI CTO?"))),
        ("json", _event(sign.message("our pilot stalled, what now?"))),
        ("json", _event(thread)),
        ("json", _event({"type": "app_home_opened", "user": "U1", "channel": "D1",
                         "tab": "messages"})),
        ("json", {"type": "url_verification", "challenge": "abc", "token": "t"}),
        ("form", click),
        ("form", feedback),
        ("form", form),
        ("command", {"command": "/advisor", "text": "help", "response_url": response_url,
                     "trigger_id": "t.1", "team_id": "T1", "user_id": "U1", "channel_id": "C1"}),
        ("command", {"command": "/trigger-check", "text": "seed, pilot stalled",
                     "response_url": response_url, "trigger_id": "t.2", "team_id": "T1",
                     "user_id": "U1", "channel_id": "C1"}),
    ]  # fmt: skip


ODD_VALUES: list[Any] = [
    None, 0, -1, 5, 3.5, True, "", "x", "𝕏" * 500, [], {}, [1, [2, [3]]], {"type": 7},
    "<!channel> @here", "\u202eevil", "x" * 20_000,
]  # fmt: skip


def _paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*prefix, i)
            yield from _paths(value, (*prefix, i))


def _parent(root: Any, path: tuple) -> Any:
    for step in path[:-1]:
        root = root[step]
    return root


def mutate(payload: dict[str, Any], rng: random.Random) -> dict[str, Any] | str:
    """The payload with one to three breakages; sometimes a wholly different body."""
    if rng.random() < 0.05:
        return "[" * rng.choice([100, 5_000, 50_000]) + "]" * 10
    broken = copy.deepcopy(payload)
    for _ in range(rng.randint(1, 3)):
        paths = list(_paths(broken))
        if not paths:
            break
        path = rng.choice(paths)
        parent = _parent(broken, path)
        if rng.random() < 0.35 and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
    return broken


def encode(kind: str, body: dict[str, Any] | str, rng: random.Random) -> tuple[bytes, bool]:
    """(bytes, is JSON) as Slack would post them; now and then not UTF-8 at all."""
    text = body if isinstance(body, str) else json.dumps(body)
    if kind == "json" or isinstance(body, str):
        raw = text.encode()
        as_json = True
    elif kind == "form":
        raw, as_json = urlencode({"payload": text}).encode(), False
    else:
        fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
        raw, as_json = urlencode(fields).encode(), False
    if rng.random() < 0.03:
        raw += b"\xff\xfe\x80"
    return raw, as_json


@pytest.fixture
async def slack(tmp_path: Path) -> Iterator[SlackHarness]:
    async with slack_app(tmp_path / "data", slack_timeout_s=2) as harness:
        yield harness


async def test_a_thousand_broken_signed_payloads_get_no_5xx_and_no_traceback(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    rng = random.Random(SEED)
    shapes = templates(slack.fake.response_url("fuzz"))
    statuses: dict[int, int] = {}
    for n in range(CASES):
        kind, payload = rng.choice(shapes)
        raw, as_json = encode(kind, mutate(payload, rng), rng)
        response = await slack.post(raw, sign.signed_headers(raw, json_body=as_json))
        statuses[response.status] = statuses.get(response.status, 0) + 1
        assert response.status < 500, (n, raw[:300])
        if n % 50 == 0:
            await slack.settle()
    await slack.settle()
    tracebacks = [r for r in caplog.records if r.exc_info and r.levelno >= logging.ERROR]
    assert not tracebacks, [f"{r.name}: {r.getMessage()}" for r in tracebacks[:5]]
    assert statuses.get(400, 0) > CASES // 4, statuses  # the breakages were seen as such
    assert statuses.get(200, 0) > CASES // 10, statuses  # and handleable ones were handled


async def test_a_signed_body_that_is_not_utf8_is_a_400(slack: SlackHarness) -> None:
    raw = b'{"type": "event_callback", "event": "\xff"}'
    response = await slack.post(raw, sign.signed_headers(raw, json_body=True))
    assert response.status == 400
    forged = await slack.post(raw, sign.signed_headers(raw, json_body=True, secret="wrong"))
    assert forged.status == 401


async def test_a_mention_without_a_channel_is_a_400_naming_the_field(slack: SlackHarness) -> None:
    event = sign.mention("hello")
    del event["channel"]
    response = await slack.event(event)
    assert response.status == 400
    assert "event.channel" in (await response.json())["error"]
