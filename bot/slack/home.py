"""The App Home (`app_home_opened` → `views.publish`), per user and client.

Published when the user opens the Home tab, and again when something it shows changes: an
assessment finished, a digest command ran, a digest went out (`after_digest`). Everything it
reads goes through the stores with the caller's `DataScope`: a workspace mapped to no client
sees no client data.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.home_store import HomeStore
from bot.slack.render_home import (
    AssessmentView,
    EvalSummary,
    HomeFacts,
    OperatorFacts,
    render_home,
)
from bot.slack.tenancy import ScopeResolver
from bot.slack.workers import describe_api_error
from graphs.digest_schedule import Subscription
from graphs.runtime import Advisor
from knowledge.identity import hash_user
from knowledge.scope import DataScope

log = logging.getLogger(__name__)
_FAILURES = (SlackApiError, SlackClientError, OSError, TimeoutError)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Whose App Home: a Slack user in a workspace (team, or Enterprise Grid org)."""

    team_id: str | None
    enterprise_id: str | None
    user_id: str

    @property
    def workspace(self) -> str:
        """ "enterprise:team", as digest subscriptions name their workspace."""
        return f"{self.enterprise_id or ''}:{self.team_id or ''}"


class HomePublisher:
    """Builds and publishes one user's App Home."""

    def __init__(self, advisor: Advisor, scopes: ScopeResolver) -> None:
        self._advisor, self._scopes = advisor, scopes
        self.store = HomeStore(advisor.engine)

    def facts(self, viewer: Viewer, now: datetime | None = None) -> HomeFacts:
        """What `viewer`'s Home shows (blocking: database reads)."""
        client = self._scopes.client_for(viewer.team_id, viewer.enterprise_id)
        scope = DataScope.of(client)
        records = self._advisor.records
        me = hash_user("slack", viewer.user_id)
        rows = records.latest(scope, user_hash=me, limit=2) or records.latest(scope, limit=2)
        views = [_assessment_view(row, me) for row in rows]
        settings = self._advisor.settings
        operator = None
        if viewer.user_id and viewer.user_id in settings.slack_operators:
            notes = self.store.note_stats(scope)
            operator = OperatorFacts(
                notes=notes.count if notes else None,
                last_note=notes.last_added if notes else None,
                eval=read_eval_report(settings.eval_report_path),
            )
        return HomeFacts(
            client=client,
            latest=views[0] if views else None,
            previous=views[1] if len(views) > 1 else None,
            schedules=self.store.schedules(scope, viewer.workspace),
            for_operator=operator,
            now=now or datetime.now(UTC),
        )

    async def publish(
        self, client: AsyncWebClient, viewer: Viewer, token: str | None = None
    ) -> None:
        view = render_home(await asyncio.to_thread(self.facts, viewer))
        extra = {"token": token} if token else {}
        await client.views_publish(user_id=viewer.user_id, view=view, **extra)

    async def opened(self, client: AsyncWebClient, viewer: Viewer) -> None:
        """The user opened the Home tab: remember them (a digest run refreshes it), publish."""
        await asyncio.to_thread(self.store.seen, viewer.workspace, viewer.user_id)
        await self.publish(client, viewer)

    async def refresh(
        self, client: AsyncWebClient, viewer: Viewer, token: str | None = None
    ) -> None:
        """Publish again because something shown changed. Cosmetic: failures are logged."""
        if not viewer.user_id:
            return
        try:
            await self.publish(client, viewer, token)
        except _FAILURES as exc:
            why = " ".join(describe_api_error(exc)) if isinstance(exc, SlackApiError) else ""
            log.warning("could not refresh an App Home: %s", why or type(exc).__name__)
        except Exception:  # e.g. the database: the work that asked for it is done regardless
            log.exception("could not build an App Home to refresh")

    async def after_digest(
        self, client: AsyncWebClient, subscription: Subscription, token: str | None = None
    ) -> None:
        """A digest went out: refresh the Home of everyone in its workspace who opened it."""
        enterprise, _, team = (subscription.workspace or ":").partition(":")
        try:
            users = await asyncio.to_thread(self.store.viewers, f"{enterprise}:{team}")
        except Exception:  # the digest is out: a failure here must not make it be sent again
            log.exception("could not list the App Homes to refresh after a digest")
            return
        for user in users:
            await self.refresh(client, Viewer(team or None, enterprise or None, user), token)


def _assessment_view(row: dict[str, Any], viewer_hash: str) -> AssessmentView:
    facts = row.get("facts") or {}
    at = row["created_at"]
    return AssessmentView(
        option=row["recommendation"],
        runner_up=row["runner_up"],
        confidence=float(row["confidence"]),
        stage=row.get("stage"),
        signals=dict(facts.get("signals") or {}),
        at=at if at.tzinfo else at.replace(tzinfo=UTC),
        by_viewer=row.get("user_hash") == viewer_hash,
    )


def read_eval_report(path: Path) -> EvalSummary | None:
    """The last `advisor eval --json` result, when its file is there and readable."""
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
        at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("the eval report %s is unreadable: %s", path, type(exc).__name__)
        return None
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        log.warning("the eval report %s is not the output of `advisor eval --json`", path)
        return None
    failed = [str(r.get("name", "?")) for r in results if not r.get("passed")]
    return EvalSummary(passed=len(results) - len(failed), total=len(results), failed=failed, at=at)
