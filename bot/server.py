"""The one aiohttp server: Slack's Request URL, a health check, and (wired by the lead) Teams."""

from __future__ import annotations

import asyncio
import gc
import logging
import time

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.observability import Metrics
from bot.slack.http import SlackEndpoint
from bot.slack.oauth import INSTALL_PATH, REDIRECT_PATH, slack_mode
from graphs.models import Answer
from graphs.runtime import Advisor

log = logging.getLogger(__name__)
ADVISOR_KEY: web.AppKey[Advisor] = web.AppKey("advisor", Advisor)
METRICS_KEY: web.AppKey[Metrics] = web.AppKey("metrics", Metrics)
DRAINING_KEY: web.AppKey[asyncio.Event] = web.AppKey("draining", asyncio.Event)
CHANNEL_PATHS = {"/slack/events": "slack", "/api/messages": "teams"}
SLACK_KEY: web.AppKey[SlackEndpoint] = web.AppKey("slack", SlackEndpoint)


async def healthz(_request: web.Request) -> web.Response:
    """The process is alive (liveness): no dependency is checked here."""
    return web.json_response({"ok": True})


async def readyz(request: web.Request) -> web.Response:
    """Ready for traffic: database and index reachable, and not shutting down."""
    app = request.app
    if app[DRAINING_KEY].is_set():
        return web.json_response({"ok": False, "failed": {"process": "shutting down"}}, status=503)
    problems = await asyncio.to_thread(app[ADVISOR_KEY].readiness)
    if problems:
        return web.json_response({"ok": False, "failed": problems}, status=503)
    return web.json_response({"ok": True})


async def metrics_endpoint(request: web.Request) -> web.Response:
    body = generate_latest(request.app[METRICS_KEY].registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


@web.middleware
async def observe_requests(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """Request counts by channel and outcome, and ack latency for the channel endpoints."""
    channel = CHANNEL_PATHS.get(request.path)
    if channel is None:
        return await handler(request)
    metrics: Metrics = request.app[METRICS_KEY]
    started = time.perf_counter()
    outcome = "error"
    try:
        response = await handler(request)
        outcome = "ok" if response.status < 400 else f"http_{response.status}"
        return response
    except web.HTTPException as exc:
        outcome = f"http_{exc.status}"
        raise
    finally:
        metrics.ack_seconds.labels(channel).observe(time.perf_counter() - started)
        metrics.requests.labels(channel, outcome).inc()


def _observe_answers(advisor: Advisor, metrics: Metrics) -> None:
    def observe(answer: Answer, seconds: float, channel: str) -> None:
        mode = "degraded" if answer.degraded else answer.mode
        metrics.answer_seconds.labels(channel, mode).observe(seconds)
        if answer.degraded:
            metrics.llm_fallbacks.inc()
        if answer.usage:
            metrics.llm_tokens.labels("input").inc(answer.usage.input_tokens)
            metrics.llm_tokens.labels("output").inc(answer.usage.output_tokens)
            metrics.llm_tokens.labels("cache_read").inc(answer.usage.cache_read_input_tokens)

    advisor.answer_observers.append(observe)


def build_app(advisor: Advisor, *, served: bool = False) -> web.Application:
    """Routes: `GET /healthz`, `/readyz`, `/metrics`, `POST /slack/events` (when Slack is
    configured) and Teams' `POST /api/messages`. Before it listens, the advisor is warmed
    up. `served`: a long-lived `advisor serve` process, which also applies the retention
    settings every few hours and freezes its start-up heap."""
    app = web.Application(client_max_size=1_000_000, middlewares=[observe_requests])
    app[ADVISOR_KEY] = advisor
    app[METRICS_KEY] = Metrics()
    app[DRAINING_KEY] = asyncio.Event()
    _observe_answers(advisor, app[METRICS_KEY])
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_endpoint)
    app.on_shutdown.append(_start_draining)
    _setup_slack(app, advisor)

    from bot.teams.routes import setup_teams

    setup_teams(app, advisor)

    if advisor.settings.digest_scheduler:
        _setup_digests(app, advisor)
    app.on_startup.insert(0, _warm_up)
    if served:
        from bot.retention import setup_retention

        setup_retention(app, advisor)
        app.on_startup.append(_freeze_heap)
    app.on_cleanup.append(_close_interviews)
    return app


async def _warm_up(app: web.Application) -> None:
    await app[ADVISOR_KEY].warm_up()


async def _freeze_heap(_app: web.Application) -> None:
    """Everything alive after start-up (modules, models, indexes) lives as long as the process.
    Freezing it keeps the collector from scanning it again: without this, the first full
    collection under traffic stops every thread, the event loop included, for ~100 ms."""
    gc.collect()
    gc.freeze()


def _setup_digests(app: web.Application, advisor: Advisor) -> None:
    """The in-process digest loop (ADVISOR_DIGEST_SCHEDULER=false hands it to a cron job)."""
    from bot.digest_runner import TICK_S, configured_senders, digest_job
    from bot.periodic import Periodic
    from bot.teams.routes import TEAMS_KEY

    senders = configured_senders(advisor, app.get(TEAMS_KEY))
    if not senders:
        return
    metrics = app[METRICS_KEY]
    job = digest_job(
        advisor,
        senders,
        lambda kind, outcome: metrics.digest_deliveries.labels(kind, outcome).inc(),
    )
    Periodic("digests", TICK_S, job).attach(app)


def _setup_slack(app: web.Application, advisor: Advisor) -> None:
    settings = advisor.settings
    if slack_mode(settings) is None or not settings.slack_signing_secret:
        log.info(
            "Slack is not configured (SLACK_SIGNING_SECRET with SLACK_BOT_TOKEN, or with "
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET): no /slack/events"
        )
        return
    endpoint = SlackEndpoint(advisor)
    app[SLACK_KEY] = endpoint
    app.router.add_post("/slack/events", endpoint.handle)
    if endpoint.app.oauth_flow is not None:
        app.router.add_get(INSTALL_PATH, endpoint.install)
        app.router.add_get(REDIRECT_PATH, endpoint.oauth_redirect)
        log.info("Slack installs through OAuth: send workspace admins to %s", INSTALL_PATH)

    async def close_slack(_app: web.Application) -> None:
        await endpoint.close()

    app.on_cleanup.append(close_slack)


async def _start_draining(app: web.Application) -> None:
    """SIGTERM: the listener is closed; readiness turns 503 while in-flight work finishes."""
    app[DRAINING_KEY].set()
    log.info("shutting down: finishing in-flight work")


async def _close_interviews(app: web.Application) -> None:
    await app[ADVISOR_KEY].interviews.aclose()
