"""Where one answer's time goes, stage by stage, on an index that is already built (on demand).

Opens the product in process against a PostgreSQL database and a Chroma server holding many
clients (e.g. built by `bench/scale.py shared --keep`), and times each stage of an answer for
a few tenants and the scale benchmark's questions: the lexical store's statistics and search,
the question's embedding, the report's revision and its ranking in process, the dense query
of the tenant's collection, the fetch of the fused chunks, the whole hybrid retrieval, the
coverage judgement, the offline composition, and `Advisor.ask` end to end (retrieval,
composition, audit record). The Slack round trip around it is `bench/scale.py`'s answer
timing minus this last row. With
`--ingest-notes N` the stages are timed while an `advisor ingest` of N new notes for client0
runs (and on until it exits): where an answer's time goes while another client ingests.

Run: .venv/bin/python bench/answer_budget.py --database-url postgresql://…/db \
       --chroma-port 8000 --tenants client1,client2,client3
Prints one Markdown row per stage: p50 / p95 in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from ingest_and_ask import percentile  # noqa: E402
from scale import QUESTIONS, Asker, Replica, base_env, ingest, write_notes  # noqa: E402

from graphs.qa.coverage import judge  # noqa: E402
from graphs.runtime import Advisor  # noqa: E402
from knowledge.embedding import embed  # noqa: E402
from knowledge.fulltext import query_terms  # noqa: E402
from knowledge.index import CANDIDATES, allowed_tenants  # noqa: E402
from knowledge.settings import Settings  # noqa: E402
from knowledge.vocabulary import expand_query  # noqa: E402
from tests.fakes.slack_api import FakeSlackApi  # noqa: E402


def store_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The built index these benchmarks run on: a PostgreSQL database and a Chroma server."""
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--chroma-port", type=int, required=True)
    return parser


def stores_env(fake: FakeSlackApi, args: argparse.Namespace) -> dict[str, str]:
    """The environment of an `advisor` process on those stores, Slack at `fake`."""
    return base_env(fake) | {
        "ADVISOR_DATABASE_URL": args.database_url,
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(args.chroma_port),
    }


def timed(times: dict[str, list[float]], stage: str, call: Callable[[], object]) -> object:
    started = time.perf_counter()
    result = call()
    times.setdefault(stage, []).append((time.perf_counter() - started) * 1000)
    return result


def one_answer(
    adv: Advisor,
    loop: asyncio.AbstractEventLoop,
    times: dict[str, list[float]],
    question: str,
    tenant: str,
) -> None:
    index, k = adv.index, adv.settings.top_k
    store, vectors = index._store, index._vectors  # the stages, called one by one
    allowed = allowed_tenants(tenant)
    terms = query_terms(expand_query(question))
    model_dir = adv.settings.data_dir / "models" / "wordllama"
    timed(times, "lexical: statistics (N, avgdl, df)", lambda: store.scoring(terms, allowed))
    hits = timed(
        times,
        "lexical: search (statistics + SQL)",
        lambda: store.search(terms, allowed, CANDIDATES),
    )
    vector = timed(
        times, "dense: embed the question", lambda: embed(model_dir, [expand_query(question)])
    )
    report = timed(times, "dense: the report's revision (state db)", index._report.current)
    dense = timed(
        times,
        "dense: query the client's collection",
        lambda: vectors.query(vector, [tenant], CANDIDATES),
    )
    dense += timed(  # type: ignore[operator]
        times, "dense: rank the report in process", lambda: report.nearest(vector, CANDIDATES)
    )
    dense = sorted(dense, key=lambda hit: (hit[1], hit[0]))[:CANDIDATES]  # type: ignore[index]
    ids = list(dict.fromkeys([cid for cid, _ in dense][:k] + [cid for cid, _ in hits][:k]))[:k]  # type: ignore[union-attr]
    timed(times, "fetch the fused chunks", lambda: index._fetch(ids, tenant, report))
    passages = timed(
        times,
        "retrieve_for_tenant (all the above)",
        lambda: index.retrieve_for_tenant(question, tenant, k),
    )
    timed(times, "coverage (judge)", lambda: judge(index, question, passages, tenant))
    timed(
        times,
        "compose (offline)",
        lambda: adv.offline.compose_sync(question, passages, tenant=tenant),
    )
    timed(
        times,
        "Advisor.ask end to end",
        lambda: loop.run_until_complete(adv.ask(question, tenant, channel="bench")),
    )


async def slack_round_trips(
    args: argparse.Namespace, work: Path, tenants: list[str]
) -> list[float]:
    """The same questions as signed Slack mentions to one `advisor serve` on the same stores,
    each timed until the `chat.update` carrying its answer (tenant `clientN` is team `TN`)."""
    fake = await FakeSlackApi().start()
    env = stores_env(fake, args)
    replica = Replica("serve", env, work / "serve")
    try:
        asker, teams = Asker(fake), [f"T{t.removeprefix('client')}" for t in tenants]
        timings = []
        for round_ in range(args.rounds + 1):  # the first round warms
            for team in teams:
                for question in QUESTIONS:
                    ms, _ = await asker.ask(replica.url, team, question)
                    timings += [ms] if round_ else []
        return timings
    finally:
        replica.stop()
        await fake.close()


def concurrent_ingest(args: argparse.Namespace, work: Path) -> subprocess.Popen | None:
    """`advisor ingest` of `--ingest-notes` new notes for client0 on the same stores."""
    if not args.ingest_notes:
        return None
    folder = work / "more"
    write_notes(folder, 0, args.ingest_notes, start=random.randrange(10**5, 10**7))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "CHROMA_"))}
    env |= {
        "ADVISOR_DATABASE_URL": args.database_url,
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(args.chroma_port),
        "ADVISOR_LOG_LEVEL": "WARNING",
    }
    return ingest(env, folder, "client0", work / "ingest")


def main() -> None:
    parser = store_options(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--tenants", default="client1,client2,client3")
    parser.add_argument("--rounds", type=int, default=5, help="times each question per tenant")
    parser.add_argument("--ingest-notes", type=int, default=0, help="time while client0 ingests")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="advisor-budget-") as tmp:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            data_dir=Path(tmp),
            database_url=args.database_url,
            chroma_host="127.0.0.1",
            chroma_port=args.chroma_port,
        )
        adv = Advisor.open(settings)
        adv.warm_answer_path()
        times: dict[str, list[float]] = {}
        loop = asyncio.new_event_loop()  # one loop and executor, as in `advisor serve`
        tenants = args.tenants.split(",")
        writer, rounds = concurrent_ingest(args, Path(tmp)), 0
        while rounds < args.rounds or (writer and writer.poll() is None):
            for tenant in tenants:
                for question in QUESTIONS:
                    one_answer(adv, loop, times, question, tenant)
            rounds += 1
        if writer and writer.wait():
            raise SystemExit(f"advisor ingest failed ({writer.returncode})")
        print(f"| stage | p50 / p95 ms ({len(times['compose (offline)'])} answers) |\n|---|---|")
        for stage, values in times.items():
            print(f"| {stage} | {percentile(values, 0.5):.1f} / {percentile(values, 0.95):.1f} |")
        loop.run_until_complete(adv.aclose())
        loop.close()
        adv.close()
        slack = asyncio.run(slack_round_trips(args, Path(tmp), tenants))
        print(
            f"| Slack mention → chat.update, one replica | {percentile(slack, 0.5):.1f} / "
            f"{percentile(slack, 0.95):.1f} |"
        )


if __name__ == "__main__":
    main()
