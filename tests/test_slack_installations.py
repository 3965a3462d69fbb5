"""Slack installations and install-flow states live in our database (SQLite or PostgreSQL),
tokens sealed at rest: what Bolt's authorize and OAuth flow rely on."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import Engine, select, update

from bot.slack.installations import SqlInstallationStore, SqlOAuthStateStore
from knowledge.db import make_engine, slack_bots, slack_installations, slack_oauth_states
from knowledge.migrate import upgrade
from knowledge.sealing import SealedValueError, Sealer, new_key

CLIENT = "111.222"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'state.db'}")
        upgrade(eng)
    else:
        eng = make_engine(request.getfixturevalue("postgres_url"))
    yield eng
    eng.dispose()


def installation(team: str = "T1", token: str = "xoxb-first", **kw: object) -> Installation:
    values: dict[str, object] = {
        "app_id": "A1",
        "team_id": team,
        "team_name": "Northwind",
        "user_id": "UADMIN",
        "bot_token": token,
        "bot_id": "B1",
        "bot_user_id": "UBOT",
        "bot_scopes": "chat:write,commands",
    }
    return Installation(**(values | kw))  # type: ignore[arg-type]


def test_a_saved_installation_is_found_by_workspace_and_by_installer(engine: Engine) -> None:
    store = SqlInstallationStore(engine, CLIENT, Sealer([new_key()]))
    store.save(installation())

    bot = store.find_bot(None, "T1")
    assert bot is not None and bot.bot_token == "xoxb-first"
    assert bot.bot_scopes == ["chat:write", "commands"]
    found = store.find_installation(None, "T1", user_id="UADMIN")
    assert found is not None and found.team_name == "Northwind"
    assert store.find_bot(None, "T2") is None
    assert store.find_installation(None, "T1", user_id="USOMEONE") is None


def test_a_reinstall_replaces_the_bot_token_for_every_installer(engine: Engine) -> None:
    store = SqlInstallationStore(engine, CLIENT, Sealer())
    store.save(installation(token="xoxb-old"))
    store.save(installation(token="xoxb-new", user_id="UOTHER"))

    assert store.find_bot(None, "T1").bot_token == "xoxb-new"  # type: ignore[union-attr]
    first_installer = store.find_installation(None, "T1", user_id="UADMIN")
    assert first_installer is not None and first_installer.bot_token == "xoxb-new"


def test_installations_of_other_apps_and_workspaces_stay_apart(engine: Engine) -> None:
    ours = SqlInstallationStore(engine, CLIENT, Sealer())
    other_app = SqlInstallationStore(engine, "999.999", Sealer())
    ours.save(installation("T1", "xoxb-t1"))
    ours.save(installation("T2", "xoxb-t2"))
    other_app.save(installation("T1", "xoxb-other-app"))

    assert ours.find_bot(None, "T1").bot_token == "xoxb-t1"  # type: ignore[union-attr]
    assert ours.find_bot(None, "T2").bot_token == "xoxb-t2"  # type: ignore[union-attr]
    assert other_app.find_bot(None, "T1").bot_token == "xoxb-other-app"  # type: ignore[union-attr]
    assert sorted(w.team_id for w in ours.workspaces()) == ["T1", "T2"]


def test_an_org_wide_install_is_keyed_by_the_enterprise(engine: Engine) -> None:
    store = SqlInstallationStore(engine, CLIENT, Sealer())
    store.save(installation(None, "xoxb-org", enterprise_id="E1", is_enterprise_install=True))  # type: ignore[arg-type]

    bot = store.find_bot("E1", "T-any-workspace", is_enterprise_install=True)
    assert bot is not None and bot.bot_token == "xoxb-org"
    assert store.find_bot("E1", "T-any-workspace") is None  # not a workspace install


async def test_deleting_all_forgets_the_workspace_only(engine: Engine) -> None:
    store = SqlInstallationStore(engine, CLIENT, Sealer())
    store.save(installation("T1", "xoxb-t1"))
    store.save(installation("T2", "xoxb-t2"))

    await store.async_delete_all(enterprise_id=None, team_id="T1")

    assert store.find_bot(None, "T1") is None
    assert store.find_installation(None, "T1") is None
    assert store.find_bot(None, "T2") is not None


def test_tokens_are_sealed_at_rest_and_open_after_a_key_rotation(engine: Engine) -> None:
    old_key, new = new_key(), new_key()
    SqlInstallationStore(engine, CLIENT, Sealer([old_key])).save(installation(token="xoxb-s3cret"))

    with engine.connect() as conn:
        stored = [*conn.execute(select(slack_bots.c.data)).scalars()]
        stored += [*conn.execute(select(slack_installations.c.data)).scalars()]
    assert stored and all(s.startswith("fernet:") and "xoxb-s3cret" not in s for s in stored)

    rotated = SqlInstallationStore(engine, CLIENT, Sealer([new, old_key]))
    assert rotated.find_bot(None, "T1").bot_token == "xoxb-s3cret"  # type: ignore[union-attr]


def test_a_token_sealed_with_an_unknown_key_is_not_used_and_the_log_says_why(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    SqlInstallationStore(engine, CLIENT, Sealer([new_key()])).save(installation())

    with caplog.at_level(logging.ERROR):
        assert (
            SqlInstallationStore(engine, CLIENT, Sealer([new_key()])).find_bot(None, "T1") is None
        )
        assert SqlInstallationStore(engine, CLIENT, Sealer()).find_bot(None, "T1") is None
    assert "ADVISOR_SECRET_KEYS" in caplog.text


def test_unsealed_tokens_still_open_once_a_key_is_added(engine: Engine) -> None:
    SqlInstallationStore(engine, CLIENT, Sealer()).save(installation(token="xoxb-plain"))
    sealed = SqlInstallationStore(engine, CLIENT, Sealer([new_key()]))
    assert sealed.find_bot(None, "T1").bot_token == "xoxb-plain"  # type: ignore[union-attr]


def test_a_malformed_key_is_refused_with_how_to_make_one() -> None:
    with pytest.raises(ValueError, match="advisor slack keygen"):
        Sealer(["not-a-fernet-key"])
    with pytest.raises(SealedValueError, match="unknown format"):
        Sealer().open("xoxb-raw")


def test_a_state_is_good_once_on_any_replica(engine: Engine) -> None:
    issuing, consuming = SqlOAuthStateStore(engine), SqlOAuthStateStore(engine)
    state = issuing.issue()

    assert consuming.consume(state) is True
    assert consuming.consume(state) is False
    assert issuing.consume("never-issued") is False
    assert issuing.consume(None) is False


def test_an_expired_state_is_refused(engine: Engine) -> None:
    store = SqlOAuthStateStore(engine, expiration_seconds=600)
    state = store.issue()
    with engine.begin() as conn:
        conn.execute(
            update(slack_oauth_states).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert store.consume(state) is False
