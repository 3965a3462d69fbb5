"""The weekly digest: its content, its schedule, exactly-once delivery, failures, Slack."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from bot.slack.delivery import make_web_client
from bot.slack.digest import SlackDigestSender
from graphs.digest import Digest
from graphs.digest_schedule import (
    DeliveryError,
    DigestStore,
    ScheduleError,
    Subscription,
    parse_schedule,
    run_due,
)
from graphs.runtime import Advisor
from knowledge.corpus import field_report_chunks, ingest_samples
from knowledge.db import assessments, make_engine
from knowledge.scope import DataScope
from tests import slack_signing as sign
from tests.conftest import make_settings
from tests.slack_harness import BOT_TOKEN, SlackHarness

MONDAY_9 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam


def _record(advisor: Advisor, thread: str, signals: dict, when: datetime | None = None) -> None:
    rec = advisor.recommend(
        __import__("graphs.models", fromlist=["Facts"]).Facts(stage="seed", signals=signals)
    )
    state = {
        "thread_id": thread,
        "run_id": thread,
        "tenant": "northwind",
        "channel": "slack",
        "user_id": "U1",
        "facts": rec.facts.model_dump(),
        "recommendation": rec.model_dump(mode="json"),
    }
    if when is None:
        advisor.records.save(state)
        return
    with advisor.engine.begin() as conn:
        conn.execute(
            insert(assessments).values(
                run_id=thread,
                thread_id=thread,
                tenant="northwind",
                channel="slack",
                user_hash="h",
                stage="seed",
                facts=rec.facts.model_dump(),
                recommendation=rec.recommendation,
                runner_up=rec.runner_up,
                confidence=rec.confidence,
                result=rec.model_dump(mode="json"),
                created_at=when,
            )
        )


@pytest.fixture
async def week(advisor: Advisor) -> Advisor:
    """A fixture week for northwind: notes, two assessments (and one the week before), and
    questions people asked."""
    advisor.tenants.add("northwind")
    ingest_samples(advisor.ingestor, "northwind")
    now = datetime.now(UTC)
    _record(advisor, "r-old", {"pilot_stalled": True}, when=now - timedelta(days=10))
    _record(advisor, "r1", {"pilot_stalled": True, "no_ai_governance": True})
    _record(advisor, "r2", {"no_ai_governance": True})
    for question in (
        "What did we decide about vendors?",
        "Who owns the eval set?",
        "Our pilot stalled after the demo, what now?",
    ):
        await advisor.ask(question, "northwind", channel="slack", user_id="U1")
    return advisor


def _window() -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    return now - timedelta(days=7), now + timedelta(minutes=1)


async def test_digest_has_every_section_and_its_citations_resolve(week: Advisor) -> None:
    digest = week.build_digest("northwind", *_window())
    keys = [s.key for s in digest.sections]
    assert keys == ["assessments", "signals", "questions", "notes", "next_30_days"]
    text = {s.key: " ".join(i.text for i in s.items) for s in digest.sections}
    assert "2 ×" in text["assessments"] or "1 ×" in text["assessments"]
    assert "No AI governance: 2 (+2" in text["signals"]
    assert "First AI pilot stalled: 1 (+0" in text["signals"]
    assert "3 question(s)" in " ".join(s.title for s in digest.sections) or "(3)" in " ".join(
        s.title for s in digest.sections
    )
    for kind in ("Decision:", "Risk:", "Owner:"):
        assert kind in text["notes"]
    assert "From the field report" in text["next_30_days"]
    chunks = {c.chunk_id: c for c in week.index.chunks_for_tenant("northwind")}
    chunks |= {c.chunk_id: c for c in field_report_chunks()}
    cited = [n for s in digest.sections for i in s.items for n in i.citations]
    assert cited and set(cited) <= {c.n for c in digest.citations}
    for citation in digest.citations:
        assert " ".join(citation.quote.split()) in " ".join(chunks[citation.chunk_id].text.split())
        assert citation.tenant in ("public", "northwind")


async def test_no_sentence_is_quoted_twice_in_one_digest(week: Advisor) -> None:
    """'Next 30 days' never repeats a note the digest already quoted (an owner line did)."""
    digest = week.build_digest("northwind", *_window())
    quotes = [i.text.split(": ", 1)[-1] for s in digest.sections for i in s.items if "“" in i.text]
    assert quotes and len(quotes) == len(set(quotes))


async def test_a_quiet_week_says_so(advisor: Advisor) -> None:
    advisor.tenants.add("calm")
    digest = advisor.build_digest("calm", *_window())
    assert digest.quiet and digest.sections[0].key == "quiet"
    assert digest.sections[-1].key == "next_30_days" and digest.citations


async def test_digests_are_audited(week: Advisor) -> None:
    week.build_digest("northwind", *_window())
    rows = list(
        week.audit.rows(
            DataScope.of("northwind"),
            since=datetime.now(UTC) - timedelta(minutes=5),
            kinds=["digest"],
        )
    )
    assert len(rows) == 1 and rows[0]["tenant"] == "northwind" and rows[0]["chunk_ids"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (0, 9, 0, "UTC")),
        ("monday 9:00 Europe/Amsterdam", (0, 9, 0, "Europe/Amsterdam")),
        ("Fri 16:30 America/New_York", (4, 16, 30, "America/New_York")),
        ("wednesday 8", (2, 8, 0, "UTC")),
    ],
)
def test_schedules_are_read_in_plain_words(text: str, expected: tuple) -> None:
    assert parse_schedule(text) == expected


@pytest.mark.parametrize("text", ["someday 9:00", "monday 25:00", "monday 9:00 Mars/Olympus"])
def test_bad_schedules_get_a_clear_error(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def test_periods_follow_the_subscribers_week_and_timezone() -> None:
    sub = Subscription("slack", "C1", None, 0, 9, 0, "Europe/Amsterdam")
    assert sub.last_due(MONDAY_9).isoformat() == "2026-11-23T09:00:00+01:00"
    assert sub.last_due(MONDAY_9 - timedelta(minutes=1)).date().isoformat() == "2026-11-16"
    assert sub.period(sub.last_due(MONDAY_9)) == "2026-W48"


class RecordingSender:
    """Our test double of a remote channel: records what it was asked to post; can fail."""

    def __init__(self, failures: list[DeliveryError] | None = None) -> None:
        self.sent: list[tuple[str, Digest]] = []
        self.failures = list(failures or [])

    async def send(self, subscription: Subscription, digest: Digest) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((subscription.channel_id, digest))


async def _no_sleep(_s: float) -> None:
    return None


def _builder(advisor: Advisor):
    return lambda sub, start, end: advisor.build_digest(sub.tenant, start, end)


async def test_each_channel_gets_one_digest_per_week(advisor: Advisor) -> None:
    store = DigestStore(advisor.engine)
    store.subscribe("slack", "C1", None, "monday 9:00 Europe/Amsterdam")
    sender = RecordingSender()
    first = await run_due(store, _builder(advisor), {"slack": sender}, MONDAY_9, _no_sleep)
    again = await run_due(
        store, _builder(advisor), {"slack": sender}, MONDAY_9 + timedelta(minutes=5), _no_sleep
    )
    assert first == [("slack:C1", "2026-W48", "sent")] and again == []
    assert len(sender.sent) == 1 and not sender.sent[0][1].late


async def test_a_digest_missed_while_down_is_sent_once_late(advisor: Advisor) -> None:
    store = DigestStore(advisor.engine)
    store.subscribe("slack", "C1", None, "monday 9:00 Europe/Amsterdam")
    sender = RecordingSender()
    back_up = MONDAY_9 + timedelta(days=2)  # the process was down on Monday
    await run_due(store, _builder(advisor), {"slack": sender}, back_up, _no_sleep)
    await run_due(
        store, _builder(advisor), {"slack": sender}, back_up + timedelta(hours=1), _no_sleep
    )
    assert len(sender.sent) == 1 and sender.sent[0][1].late


async def test_failures_are_retried_recorded_and_isolated(advisor: Advisor) -> None:
    store = DigestStore(advisor.engine)
    for channel in ("CFLAKY", "CGONE", "COK"):
        store.subscribe("slack", channel, None, "monday 9:00 Europe/Amsterdam")
    flaky = [DeliveryError("slack ratelimited", retryable=True)] * 2
    gone = [DeliveryError("slack is_archived", retryable=False)]

    class PerChannel(RecordingSender):
        async def send(self, subscription: Subscription, digest: Digest) -> None:
            queue = {"CFLAKY": flaky, "CGONE": gone}.get(subscription.channel_id, [])
            if queue:
                raise queue.pop(0)
            self.sent.append((subscription.channel_id, digest))

    sender = PerChannel()
    handled = await run_due(store, _builder(advisor), {"slack": sender}, MONDAY_9, _no_sleep)
    assert sorted(handled) == [
        ("slack:CFLAKY", "2026-W48", "sent"),
        ("slack:CGONE", "2026-W48", "failed"),
        ("slack:COK", "2026-W48", "sent"),
    ]
    rows = {d["channel_id"]: d for d in store.deliveries()}
    assert rows["CFLAKY"]["attempts"] == 3 and rows["CGONE"]["error"] == "slack is_archived"


@pytest.mark.postgres
async def test_two_schedulers_on_postgres_post_each_digest_once(
    tmp_path: Path, postgres_url: str
) -> None:
    advisor = Advisor.open(make_settings(tmp_path / "d", database_url=postgres_url))
    DigestStore(advisor.engine).subscribe("slack", "C1", None, "monday 9:00 Europe/Amsterdam")
    replicas = [DigestStore(make_engine(postgres_url)) for _ in range(2)]
    sender = RecordingSender()
    results = await asyncio.gather(
        *(
            run_due(store, _builder(advisor), {"slack": sender}, MONDAY_9, _no_sleep)
            for store in replicas
        )
    )
    assert sorted(len(r) for r in results) == [0, 1]
    assert len(sender.sent) == 1
    advisor.close()


async def test_slack_subscribe_preview_and_delivery(slack: SlackHarness) -> None:
    await slack.command(
        "/advisor", "digest subscribe monday 9:00 Europe/Amsterdam", channel="CLEAD"
    )
    await slack.settle()
    [reply] = slack.fake.calls_to("response_url")
    assert "Mondays at 09:00 (Europe/Amsterdam)" in str(reply.params)
    await slack.command(
        "/advisor",
        "digest preview",
        channel="CLEAD",
        response_url=slack.fake.response_url("preview"),
    )
    await slack.settle()
    preview = [c for c in slack.fake.calls_to("response_url") if c.path == "preview"]
    assert "Weekly AI leadership digest" in str(preview[0].params)
    sender = SlackDigestSender(make_web_client(BOT_TOKEN, slack.fake.api_url))
    await run_due(
        slack.advisor.digests, _builder(slack.advisor), {"slack": sender}, MONDAY_9, _no_sleep
    )
    [posted] = slack.fake.calls_to("chat.postMessage", channel="CLEAD")
    assert posted.params["blocks"][0]["type"] == "header"
    assert posted.params.get("unfurl_links") in (False, "false", "0", 0)


async def test_a_slack_schedule_without_a_timezone_uses_the_subscribers(
    slack: SlackHarness,
) -> None:
    slack.fake.timezones["U1"] = "Asia/Tokyo"
    await slack.command("/advisor", "digest subscribe monday 9:00", channel="CLEAD", user="U1")
    await slack.settle()

    [reply] = slack.fake.calls_to("response_url")
    assert "Mondays at 09:00 (Asia/Tokyo)" in str(reply.params)
    assert "your Slack timezone" in str(reply.params)
    [sub] = slack.advisor.digests.subscriptions()
    assert sub.timezone == "Asia/Tokyo"


async def test_without_users_read_the_schedule_falls_back_to_utc_and_says_so(
    slack: SlackHarness,
) -> None:
    slack.fake.fail("users.info", error="missing_scope")
    await slack.command("/advisor", "digest subscribe friday 16:30", channel="CLEAD")
    await slack.settle()

    [reply] = slack.fake.calls_to("response_url")
    assert "Fridays at 16:30 (UTC)" in str(reply.params)
    assert "could not read your timezone" in str(reply.params)


async def test_slack_archived_channel_is_a_permanent_failure(slack: SlackHarness) -> None:
    slack.fake.fail("chat.postMessage", error="is_archived")
    sender = SlackDigestSender(make_web_client(BOT_TOKEN, slack.fake.api_url))
    sub = Subscription("slack", "CGONE", None, 0, 9, 0, "UTC")
    digest = slack.advisor.build_digest(None, *_window())
    with pytest.raises(DeliveryError) as raised:
        await sender.send(sub, digest)
    assert raised.value.retryable is False
    assert sign.SECRET  # the harness is the real Slack app with signing configured


async def test_with_claude_the_digest_opens_with_a_cited_write_up(
    tmp_path: Path,
    claude_settings,
    anthropic_api,
) -> None:
    from tests.fakes.anthropic_api import Reply, citation, message

    advisor = Advisor.open(claude_settings)
    advisor.tenants.add("northwind")
    ingest_samples(advisor.ingestor, "northwind")
    _record(advisor, "r1", {"pilot_stalled": True})
    offline = advisor.build_digest("northwind", *_window())
    anthropic_api.default = lambda body: Reply(
        body=message(
            [
                {
                    "type": "text",
                    "text": "One assessment ran; the team kept its vendor decision.",
                    "citations": [citation(body, 0, 30)],
                }
            ]
        )
    )
    written = await advisor.write_digest(offline)
    assert written.mode == "llm" and written.sections[0].key == "summary"
    [item] = written.sections[0].items
    assert item.citations == [offline.citations[0].n] and "[1]" in item.text
    assert written.sections[1:] == offline.sections  # the facts themselves are unchanged
    docs = [b for b in anthropic_api.bodies[0]["messages"][0]["content"] if b["type"] == "document"]
    assert [d["source"]["data"] for d in docs] == [c.quote for c in offline.citations]

    anthropic_api.default = lambda body: Reply(
        status=529,
        body={"type": "error", "error": {"type": "overloaded_error", "message": "busy"}},
        headers={"retry-after": "0"},
    )
    assert await advisor.write_digest(offline) == offline  # a failure sends the offline digest
    advisor.close()
