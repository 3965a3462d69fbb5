"""Scale benchmark (on demand, not in CI): many synthetic clients, lexical search in the store.

shared:   PostgreSQL + a `chroma run` server + two `advisor serve` replicas (real processes).
          Ingest rate; replica start-up time and RSS (on an empty index and at full size);
          answer p50/p95 per tenant, idle and while another tenant ingests; the time until a
          note added on replica A (`/advisor note add`) is answered from on replica B.
embedded: one `advisor serve` on SQLite + Chroma in its data dir (one process: Chroma's
          PersistentClient is not process-safe): the same figures, the restart included.

Run: .venv/bin/python bench/scale.py shared --clients 20 --notes 2000
     .venv/bin/python bench/scale.py embedded --notes 2000
(PostgreSQL from ADVISOR_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test.)
Prints Markdown rows; docs/benchmarks.md records them with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import aiohttp  # noqa: E402
from ingest_and_ask import PEOPLE, VENDORS, percentile, synthetic_note  # noqa: E402

from tests import slack_signing as sign  # noqa: E402
from tests.fakes.slack_api import FakeSlackApi  # noqa: E402
from tests.servers import free_port, wait_http  # noqa: E402

QUESTIONS = [
    "Who owns the data boundary policy?",
    "Which vendor won on latency for the support assistant?",
    "How long did the rollback take after the stale prices incident?",
    "Why did the pilot slip and what scope was proposed?",
    "What is the eval pass rate now?",
    "Do we need a fractional AI CTO?",
]
NOTE_CHANNEL = "CNOTES"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def write_notes(folder: Path, client: int, count: int, start: int = 0) -> None:
    """A client's notes: the shared templates, with vendors and people of its own."""
    rng = random.Random(client * 7919 + start)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        text = synthetic_note(i, rng)
        for name in VENDORS + PEOPLE:
            text = text.replace(name, f"{name}{client}")
        (folder / f"note-{i:05d}.md").write_text(text, encoding="utf-8")


class Replica:
    """One `advisor serve` process."""

    def __init__(self, name: str, env: dict[str, str], data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        data_dir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port)],
            env=env | {"ADVISOR_DATA_DIR": str(data_dir)},
            stdout=(data_dir / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        wait_http(f"{self.url}/readyz", 300, proc=self.proc)
        self.start_s = time.perf_counter() - started
        self.start_rss = rss_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)


class Asker:
    """Signed Slack mentions to a replica; an answer is the `chat.update` that follows."""

    def __init__(self, fake: FakeSlackApi) -> None:
        self.fake = fake

    async def ask(self, url: str, team: str, question: str) -> tuple[float, str]:
        before = len(self.fake.calls_to("chat.update"))
        # a timestamp of its own: a rerun on a kept database is not taken for a retry
        event = sign.mention(question, ts=f"{time.time():.6f}")
        body = sign.event_body(event, event_id=f"Ev{uuid.uuid4().hex}", team=team)
        started = time.perf_counter()
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{url}/slack/events", data=body, headers=sign.signed_headers(body, json_body=True)
            ) as response,
        ):
            assert response.status == 200, response.status
        updates = await self.fake.wait_for("chat.update", count=before + 1, within_s=60)
        return (time.perf_counter() - started) * 1000, updates[-1].text()

    async def add_note(self, url: str, team: str, text: str) -> None:
        body = sign.command_body(
            "/advisor",
            f"note add {text}",
            response_url=self.fake.response_url(uuid.uuid4().hex[:8]),
            channel=NOTE_CHANNEL,
            team=team,
        )
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{url}/slack/events", data=body, headers=sign.signed_headers(body, json_body=False)
            ) as response,
        ):
            assert response.status == 200, response.status


async def answers(
    asker: Asker, urls: list[str], teams: list[str], until: subprocess.Popen | None, least: int
) -> dict[str, list[float]]:
    """Questions round-robin over tenants and replicas, `least` each, and on until `until`
    exits (the concurrent ingest)."""
    timings: dict[str, list[float]] = {team: [] for team in teams}
    i = 0
    while min(len(t) for t in timings.values()) < least or (until and until.poll() is None):
        team = teams[i % len(teams)]
        ms, _ = await asker.ask(urls[i % len(urls)], team, QUESTIONS[i % len(QUESTIONS)])
        timings[team].append(ms)
        i += 1
    return timings


async def propagation(asker: Asker, writer: str, reader: str, team: str, n: int) -> float:
    """Seconds from `/advisor note add` on `writer` until `reader`'s answer quotes the note."""
    word = f"zanzibar{n}{uuid.uuid4().hex[:6]}"
    started = time.perf_counter()
    await asker.add_note(writer, team, f"{word} renewal: the Osprey contract renews in March.")
    while True:
        _, text = await asker.ask(reader, team, f"When does the {word} Osprey contract renew?")
        if word in text.lower():
            return time.perf_counter() - started
        if time.perf_counter() - started > 120:
            return float("inf")
        await asyncio.sleep(0.2)


def row(label: str, value: str) -> None:
    print(f"| {label} | {value} |", flush=True)


def latency_rows(label: str, timings: dict[str, list[float]]) -> None:
    every = [ms for t in timings.values() for ms in t]
    per = ", ".join(
        f"{team}: {percentile(t, 0.5):.0f}/{percentile(t, 0.95):.0f}" for team, t in timings.items()
    )
    row(
        f"answer p50 / p95, {label}",
        f"{percentile(every, 0.5):.0f} / {percentile(every, 0.95):.0f} ms over {len(every)} "
        f"(per tenant p50/p95: {per})",
    )


def ingest_all(env: dict[str, str], work: Path, clients: int, notes: int, workers: int) -> float:
    """Every client's notes through `advisor ingest` processes, `workers` at a time."""
    pending = list(range(clients))
    running: list[subprocess.Popen] = []
    started = time.perf_counter()
    while pending or running:
        while pending and len(running) < workers:
            c = pending.pop(0)
            write_notes(work / f"notes{c}", c, notes)
            running.append(ingest(env, work / f"notes{c}", f"client{c}", work / "ingest"))
        for proc in list(running):
            if proc.poll() is not None:
                running.remove(proc)
                if proc.returncode:
                    raise SystemExit(f"advisor ingest failed ({proc.returncode})")
        time.sleep(0.2)
    return time.perf_counter() - started


def ingest(env: dict[str, str], folder: Path, tenant: str, data_dir: Path) -> subprocess.Popen:
    data_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ingest", str(folder), "--tenant", tenant],
        env=env | {"ADVISOR_DATA_DIR": str(data_dir)},
        stdout=subprocess.DEVNULL,
        stderr=(data_dir / f"{tenant}.err").open("a"),
        cwd=ROOT,
    )


def start_chroma(path: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(path)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port


def base_env(fake: FakeSlackApi) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ADVISOR_", "SLACK_", "ANTHROPIC_", "CHROMA_", "Microsoft"))
    }
    return env | {
        "SLACK_BOT_TOKEN": "xoxb-bench-0000",
        "SLACK_SIGNING_SECRET": sign.SECRET,
        "SLACK_API_URL": fake.api_url,
        "ADVISOR_DIGEST_SCHEDULER": "false",
        "ADVISOR_NOTE_CHANNELS": NOTE_CHANNEL,
        "ADVISOR_LOG_LEVEL": "WARNING",
    }


def map_tenants(url: str | None, data_dir: Path, clients: int) -> None:
    from knowledge.db import make_engine
    from knowledge.migrate import upgrade
    from knowledge.settings import Settings
    from knowledge.tenants import TenantRegistry

    settings = Settings(_env_file=None, data_dir=data_dir, database_url=url)  # type: ignore[call-arg]
    settings.ensure_data_dir()
    engine = make_engine(settings.state_url)
    upgrade(engine)
    registry = TenantRegistry(engine)
    for c in range(clients):
        registry.add(f"client{c}", slack_team=f"T{c}")
    engine.dispose()


async def shared(args: argparse.Namespace, work: Path) -> None:
    import psycopg

    admin = os.environ.get(
        "ADVISOR_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    name = f"advisor_scale_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{admin.rsplit('/', 1)[0]}/{name}"
    chroma, chroma_port = start_chroma(work / "chroma")
    fake = await FakeSlackApi().start()
    replicas: list[Replica] = []
    try:
        wait_http(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", 300, proc=chroma)
        env = base_env(fake) | {
            "ADVISOR_DATABASE_URL": url,
            "CHROMA_HOST": "127.0.0.1",
            "CHROMA_PORT": str(chroma_port),
        }
        map_tenants(url, work / "setup", args.clients)
        empty = [Replica(n, env, work / n) for n in ("a", "b")]
        for r in empty:
            row(
                f"replica {r.port} start-up, empty index",
                f"{r.start_s:.1f} s, {r.start_rss:.0f} MB",
            )
            r.stop()
        seconds = ingest_all(env, work, args.clients, args.notes, args.workers)
        total = args.clients * args.notes
        row(
            "ingest",
            f"{total} notes, {args.clients} clients: {seconds:.0f} s "
            f"({total / seconds:.0f} notes/s)",
        )
        with psycopg.connect(url) as conn:
            chunks, size = conn.execute(
                "SELECT count(*), pg_total_relation_size('lexical_chunks') FROM lexical_chunks"
            ).fetchone()
        row("lexical rows in PostgreSQL", f"{chunks} chunks, {size / 2**20:.0f} MB with indexes")
        replicas = [Replica(n, env, work / n) for n in ("a", "b")]
        for r in replicas:
            row(
                f"replica start-up, {chunks} chunks", f"{r.start_s:.1f} s, {r.start_rss:.0f} MB RSS"
            )
        asker = Asker(fake)
        urls, teams = [r.url for r in replicas], [f"T{c}" for c in range(1, min(4, args.clients))]
        await answers(asker, urls, teams, None, 3)  # warm
        latency_rows("idle", await answers(asker, urls, teams, None, args.questions))
        write_notes(work / "more0", 0, args.more, start=args.notes)
        started = time.perf_counter()
        writer = ingest(env, work / "more0", "client0", work / "ingest")
        timings = await answers(asker, urls, teams, writer, args.questions)
        row(
            "concurrent ingest (client0)",
            f"{args.more} notes in {time.perf_counter() - started:.1f} s",
        )
        latency_rows("while client0 ingests", timings)
        waits = [await propagation(asker, urls[i % 2], urls[1 - i % 2], "T1", i) for i in range(5)]
        row(
            "note added on one replica → answered on the other",
            ", ".join(f"{w:.1f} s" for w in waits),
        )
        for r in replicas:
            row(f"replica RSS after the run (pid {r.proc.pid})", f"{rss_mb(r.proc.pid):.0f} MB")
        row("Chroma server RSS", f"{rss_mb(chroma.pid):.0f} MB")
    finally:
        for r in replicas:
            r.stop()
        chroma.terminate()
        chroma.wait(timeout=60)
        await fake.close()
        if not args.keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def embedded(args: argparse.Namespace, work: Path) -> None:
    fake = await FakeSlackApi().start()
    env = base_env(fake)
    data = work / "data"
    replica: Replica | None = None
    try:
        map_tenants(None, data, args.clients)
        started = time.perf_counter()
        for c in range(args.clients):
            write_notes(work / f"notes{c}", c, args.notes)
            proc = ingest(env, work / f"notes{c}", f"client{c}", data)
            if proc.wait():
                raise SystemExit("advisor ingest failed")
        seconds = time.perf_counter() - started
        total = args.clients * args.notes
        row("ingest", f"{total} notes: {seconds:.0f} s ({total / seconds:.0f} notes/s)")
        asker = Asker(fake)
        teams = [f"T{c}" for c in range(args.clients)]
        for label in ("first start", "restart"):
            replica = Replica("serve", env, data)
            row(f"start-up ({label})", f"{replica.start_s:.1f} s, {replica.start_rss:.0f} MB RSS")
            await answers(asker, [replica.url], teams, None, 3)
            latency_rows(
                f"idle, {label}", await answers(asker, [replica.url], teams, None, args.questions)
            )
            if label == "first start":
                replica.stop()
        assert replica is not None
        waits = [await propagation(asker, replica.url, replica.url, "T0", i) for i in range(5)]
        row("note added → answerable (same process)", ", ".join(f"{w:.1f} s" for w in waits))
        row("RSS after the run", f"{rss_mb(replica.proc.pid):.0f} MB")
    finally:
        if replica:
            replica.stop()
        await fake.close()


def rankers(args: argparse.Namespace, work: Path) -> None:
    """The lexical rankers considered, on the golden retrieval questions: alone, and fused with
    the dense ranker as `retrieve_for_tenant` fuses them (docs/benchmarks.md)."""
    import psycopg
    from sqlalchemy import text

    from bot.cli.eval_cmds import GOLDEN_DIR
    from graphs.runtime import Advisor
    from knowledge.corpus import SAMPLE_TENANTS, ingest_samples
    from knowledge.evaluation import evaluate, load_golden
    from knowledge.fulltext import query_terms
    from knowledge.index import DENSE_WEIGHT, LEXICAL_WEIGHT, allowed_tenants, fuse
    from knowledge.settings import Settings
    from knowledge.vocabulary import expand_query

    admin = os.environ.get(
        "ADVISOR_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    name = f"advisor_rankers_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    opened = {}
    for label, url in (("sqlite", None), ("postgres", f"{admin.rsplit('/', 1)[0]}/{name}")):
        if url:
            map_tenants(url, work / "setup", 0)  # migrates
        adv = Advisor.open(Settings(_env_file=None, data_dir=work / label, database_url=url))  # type: ignore[call-arg]
        for tenant in SAMPLE_TENANTS:
            adv.tenants.add(tenant)
            ingest_samples(adv.ingestor, tenant)
        opened[label] = adv
    sq, pg = opened["sqlite"], opened["postgres"]
    with pg.engine.begin() as conn:  # PostgreSQL's English configuration over the chunk text
        conn.execute(text("CREATE TABLE ts_english (chunk_id text, tenant text, tsv tsvector)"))
        for tenant in ("public", *SAMPLE_TENANTS):
            rows = [
                {"id": c.chunk_id, "t": c.tenant, "x": c.index_text}
                for c in pg.index.chunks_for_tenant(tenant)
            ]
            conn.execute(
                text("INSERT INTO ts_english VALUES (:id, :t, to_tsvector('english', :x))"), rows
            )

    def sql_ranker(engine, sql: str, terms):  # type: ignore[no-untyped-def]
        as_sql = json.dumps if engine.dialect.name == "sqlite" else list

        def rank(question: str, tenant: str | None) -> list[str]:
            with engine.connect() as conn:
                rows = conn.execute(
                    text(sql),
                    {
                        "q": terms(expand_query(question)),
                        "tenants": as_sql(sorted(allowed_tenants(tenant))),
                    },
                )
                return [r[0] for r in rows]

        return rank

    english = (
        "WITH q AS (SELECT CAST(coalesce(string_agg(quote_literal(lexeme), ' | '), '') AS tsquery)"
        " AS q FROM unnest(to_tsvector('english', :q))) SELECT chunk_id FROM ts_english, q"
        " WHERE tenant = ANY(:tenants) AND tsv @@ q.q ORDER BY {rank} DESC, chunk_id LIMIT 20"
    )
    fts5 = (
        "SELECT c.chunk_id FROM fulltext.lexical_fts JOIN lexical_chunks AS c"
        " ON c.id = lexical_fts.rowid WHERE lexical_fts MATCH :q AND c.tenant IN"
        " (SELECT value FROM json_each(:tenants)) ORDER BY bm25(lexical_fts) LIMIT 20"
    )
    lexical = {
        "store BM25, SQLite FTS5 (shipped)": lambda q, t: sq.index.retrieve_lexical(q, t, 20),
        "store BM25, PostgreSQL (shipped)": lambda q, t: pg.index.retrieve_lexical(q, t, 20),
        "FTS5's own bm25() alone": sql_ranker(
            sq.engine,
            fts5.replace(":tenants", "json(:tenants)"),
            lambda q: " OR ".join(f'"{w}"' for w in query_terms(q)) or '""',
        ),
        "ts_rank_cd, english config": sql_ranker(
            pg.engine, english.format(rank="ts_rank_cd(tsv, q.q)"), str
        ),
        "ts_rank, english, length-normalised": sql_ranker(
            pg.engine, english.format(rank="ts_rank(tsv, q.q, 1)"), str
        ),
    }
    golden = load_golden(GOLDEN_DIR / "retrieval.yaml")
    print("| lexical ranker | alone: R@1 / R@5 / MRR | hybrid: R@1 / R@5 / MRR |\n|---|---|---|")
    for label, ranker in lexical.items():

        def hybrid(q: str, t: str | None, ranker=ranker) -> list[str]:  # type: ignore[no-untyped-def]
            dense = pg.index.retrieve_dense(q, t, 20)
            fused = fuse([dense, ranker(q, t)], weights=(DENSE_WEIGHT, LEXICAL_WEIGHT))
            return [f.chunk_id for f in fused[:10]]

        alone, both = (evaluate(pg.index, golden, label, r) for r in (ranker, hybrid))
        print(
            f"| {label} | {alone.recall_at_1:.3f} / {alone.recall_at_5:.3f} / {alone.mrr:.3f} "
            f"| {both.recall_at_1:.3f} / {both.recall_at_5:.3f} / {both.mrr:.3f} |"
        )
    try:
        import chromadb
        from chromadb import Schema, SparseVectorIndexConfig

        schema = Schema().create_index(key="sparse", config=SparseVectorIndexConfig())
        chromadb.PersistentClient(str(work / "chroma")).create_collection("bm25", schema=schema)
        print("Chroma: a sparse (BM25) index was created")
    except Exception as exc:  # what the local Chroma answers is the measurement
        print(f"Chroma {chromadb.__version__} local sparse index: {type(exc).__name__}: {exc}")
    for adv in opened.values():
        adv.close()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["shared", "embedded", "rankers"])
    parser.add_argument("--clients", type=int, default=None)
    parser.add_argument("--notes", type=int, default=2000, help="notes per client")
    parser.add_argument("--more", type=int, default=300, help="notes ingested under load")
    parser.add_argument("--questions", type=int, default=30, help="per tenant and phase")
    parser.add_argument("--workers", type=int, default=2, help="ingest processes at once")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    args.clients = args.clients or (20 if args.mode == "shared" else 1)
    with tempfile.TemporaryDirectory(prefix="advisor-scale-") as tmp:
        if args.mode == "rankers":
            rankers(args, Path(tmp))
            return
        print(f"{args.mode}: {args.clients} clients × {args.notes} notes, {os.cpu_count()} cores")
        print("| measure | value |\n|---|---|")
        run = shared if args.mode == "shared" else embedded
        asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
