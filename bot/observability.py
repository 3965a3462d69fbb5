"""Logs and metrics: JSON logs with a request id, secrets scrubbed, Prometheus counters.

Every face sets `request_id` for the work it does; every log line carries it. Secret values
from the settings are registered once at start and masked in any log line that contains them.
"""

from __future__ import annotations

import contextvars
import itertools
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram

from knowledge.settings import Settings

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_TOKEN_SHAPES = re.compile(
    r"(xox[abposr]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,}|sk-ant-[A-Za-z0-9_-]{8,}|"
    r"Bearer\s+[A-Za-z0-9._~+/=-]{16,})"
)


_PROCESS = uuid.uuid4().hex[:8]  # unique per process (replica); the counter within it
_SERIAL = itertools.count(1)


def new_request_id() -> str:
    """Unique across replicas and cheap: no random read per request (it is on the ack path)."""
    rid = f"{_PROCESS}{next(_SERIAL):08x}"
    request_id.set(rid)
    return rid


class SecretScrubber(logging.Filter):
    """Masks configured secret values and token-shaped strings in every record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _TOKEN_SHAPES.sub("***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = self.scrub(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_text:
            payload["exc"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False)


def secret_values(settings: Settings) -> list[str]:
    values = []
    for name in (
        "anthropic_api_key",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_client_secret",
        "microsoft_app_password",
    ):
        secret = getattr(settings, name)
        if secret is not None and secret.get_secret_value():
            values.append(secret.get_secret_value())
    return values


def configure_logging(settings: Settings, stream=None) -> SecretScrubber:  # type: ignore[no-untyped-def]
    """Root logging for the process: one handler, scrubbed, JSON if configured."""
    handler = logging.StreamHandler(stream or sys.stderr)
    scrubber = SecretScrubber(secret_values(settings))
    handler.addFilter(scrubber)
    if settings.log_json:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for noisy in (
        "chromadb",
        "httpx",
        "httpx2",
        "httpcore",
        "urllib3",
        "aiohttp.access",
        "alembic",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return scrubber


class Metrics:
    """The Prometheus series the advisor exports (one registry per app, so tests are isolated)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "advisor_requests_total",
            "Requests handled, by channel and outcome",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "advisor_ack_seconds",
            "Time to acknowledge a channel request",
            ["channel"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3),
            registry=self.registry,
        )
        self.answer_seconds = Histogram(
            "advisor_answer_seconds",
            "Time to compose an answer",
            ["channel", "mode"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30),
            registry=self.registry,
        )
        self.llm_tokens = Counter(
            "advisor_llm_tokens_total", "Claude tokens", ["kind"], registry=self.registry
        )
        self.llm_fallbacks = Counter(
            "advisor_llm_fallbacks_total",
            "Answers that fell back to offline",
            registry=self.registry,
        )
        self.digest_deliveries = Counter(
            "advisor_digest_deliveries_total",
            "Digest deliveries by channel and outcome",
            ["channel", "outcome"],
            registry=self.registry,
        )
