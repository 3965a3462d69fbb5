"""Secrets never reach the logs; JSON logs carry the request id."""

from __future__ import annotations

import io
import json
import logging

from bot.observability import configure_logging, new_request_id
from tests.conftest import make_settings


def test_secrets_from_settings_are_masked_in_every_log_line(tmp_path) -> None:
    settings = make_settings(
        tmp_path,
        anthropic_api_key="sk-ant-api03-SUPERSECRETVALUE",
        slack_bot_token="xoxb-1-2-abc",
        slack_signing_secret="signing-secret-value",
        microsoft_app_password="ms-password-123",
    )
    stream = io.StringIO()
    configure_logging(settings, stream)
    log = logging.getLogger("test.secrets")
    log.warning("calling with key %s", "sk-ant-api03-SUPERSECRETVALUE")
    log.warning("headers: Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345")
    log.warning("slack token xoxb-1-2-abc and secret signing-secret-value, ms ms-password-123")
    try:
        raise RuntimeError("failed with signing-secret-value")
    except RuntimeError:
        log.exception("boom")
    output = stream.getvalue()
    for secret in (
        "SUPERSECRETVALUE",
        "xoxb-1-2-abc",
        "signing-secret-value",
        "ms-password-123",
        "abcdefghijklmnopqrstuvwxyz012345",
    ):
        assert secret not in output
    assert output.count("***") >= 5


def test_json_logs_carry_the_request_id(tmp_path) -> None:
    stream = io.StringIO()
    configure_logging(make_settings(tmp_path, log_json=True), stream)
    rid = new_request_id()
    logging.getLogger("test.json").info("answered")
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["msg"] == "answered" and line["request_id"] == rid and line["level"] == "INFO"
