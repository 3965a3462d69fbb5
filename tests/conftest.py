"""Shared fixtures: real settings, real SQLite/Chroma in temp dirs, a real PostgreSQL when asked."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphs.runtime import Advisor
from knowledge.corpus import SAMPLE_TENANTS, ingest_samples
from knowledge.settings import Settings
from tests.fakes.anthropic_api import FakeMessagesAPI
from tests.servers import free_port, wait_http

_OUR_PREFIXES = ("ADVISOR_", "SLACK_", "ANTHROPIC_", "CHROMA_", "Microsoft")


@pytest.fixture(scope="session")
def _derived_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache of derived data (the reader's neighbour bank) for the session's processes,
    the `advisor` subprocesses included; never the user's own ~/.cache."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _clean_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, _derived_cache: Path
) -> None:
    """Tests configure the app through Settings kwargs only; the host's env never leaks in."""
    for name in list(os.environ):
        if name.startswith(_OUR_PREFIXES) and name not in (
            "ADVISOR_TEST_POSTGRES_URL",
            "ADVISOR_REQUIRE_POSTGRES",
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(_derived_cache))
    monkeypatch.chdir(tmp_path)  # no stray ./.env or ./.advisor from the checkout


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, **overrides)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def advisor(settings: Settings) -> Iterator[Advisor]:
    adv = Advisor.open(settings)
    yield adv
    adv.close()


@pytest.fixture(scope="session")
def demo_advisor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Advisor]:
    """The field report and both sample clients, indexed once for the whole session (read-only)."""
    adv = Advisor.open(make_settings(tmp_path_factory.mktemp("demo")))
    for tenant in SAMPLE_TENANTS:
        adv.tenants.add(tenant)
        ingest_samples(adv.ingestor, tenant)
    yield adv
    adv.close()


# --- Chroma server (loopback) ------------------------------------------------------------
@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real `chroma run` server on a free loopback port."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp_path_factory.mktemp("chroma")),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- Anthropic Messages API (loopback) ----------------------------------------------------
@pytest.fixture
def anthropic_api() -> Iterator[FakeMessagesAPI]:
    api = FakeMessagesAPI().start()
    yield api
    api.stop()


@pytest.fixture
def claude_settings(tmp_path: Path, anthropic_api: FakeMessagesAPI) -> Settings:
    return make_settings(
        tmp_path / "data",
        anthropic_api_key="sk-ant-test-key",
        anthropic_base_url=anthropic_api.url,
        answer_deadline_s=5,
        llm_max_retries=1,
    )


# --- PostgreSQL ---------------------------------------------------------------------------
def _postgres_admin_url() -> str | None:
    return os.environ.get("ADVISOR_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The admin URL of a reachable PostgreSQL; skips on a laptop without one, fails in CI."""
    url = _postgres_admin_url() or "postgresql://postgres@127.0.0.1:5432/test"
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("select 1")
    except Exception as exc:
        if os.environ.get("ADVISOR_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required but not reachable at {url}: {exc}")
        pytest.skip(
            f"PostgreSQL not reachable at {url} ({exc.__class__.__name__}); "
            "set ADVISOR_TEST_POSTGRES_URL to run these tests"
        )
    return url


@pytest.fixture
def empty_postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    import psycopg

    name = f"advisor_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = postgres_server_url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(postgres_server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(empty_postgres_url: str) -> str:
    """A fresh database with the schema migrated, as `advisor db upgrade` leaves it."""
    from knowledge.db import make_engine
    from knowledge.migrate import upgrade

    engine = make_engine(empty_postgres_url)
    upgrade(engine)
    engine.dispose()
    return empty_postgres_url


# --- Slack ------------------------------------------------------------------------------------
from tests.slack_harness import slack  # noqa: E402, F401  (fixture: the Slack app under test)
