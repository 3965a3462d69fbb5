"""Dense half at scale (on demand, not in CI): what one Chroma query costs per index layout.

Loads synthetic clients (bench/scale.py's generator, the real chunker and WordLlama) into a
`chroma run` server twice: one collection holding every tenant (queried with
`where={"tenant": {"$in": [...]}}`, as knowledge/index.py did) and one collection per tenant
plus one for the field report (both queried, merged by distance). After each step of clients it
times `count()`, the filtered query, and the two per-tenant queries.

Run: .venv/bin/python bench/chroma_layout.py --steps 1,2,5 --notes 2000
Prints Markdown rows; docs/benchmarks.md records them with the machine.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import chromadb  # noqa: E402
from chromadb.config import Settings as ChromaSettings  # noqa: E402
from ingest_and_ask import percentile  # noqa: E402
from scale import QUESTIONS, start_chroma, wait_ready, write_notes  # noqa: E402

from knowledge.chunking import chunk_document  # noqa: E402
from knowledge.corpus import field_report_chunks  # noqa: E402
from knowledge.embedding import embed  # noqa: E402
from knowledge.sources import load_document  # noqa: E402
from knowledge.vocabulary import expand_query  # noqa: E402

SPACE = {"hnsw": {"space": "cosine"}}


def client_chunks(work: Path, client: int, notes: int) -> list:
    folder = work / f"notes{client}"
    write_notes(folder, client, notes)
    chunks = []
    for path in sorted(folder.glob("*.md")):
        chunks += chunk_document(load_document(path, path.name), f"client{client}")
    return chunks


def load(collection, chunks, model_dir: Path) -> None:  # type: ignore[no-untyped-def]
    for start in range(0, len(chunks), 1000):
        batch = chunks[start : start + 1000]
        collection.upsert(
            ids=[c.chunk_id for c in batch],
            documents=[c.text for c in batch],
            embeddings=embed(model_dir, [c.index_text for c in batch]),
            metadatas=[c.metadata() for c in batch],
        )


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def measure(client, clients: int, model_dir: Path, repeat: int) -> None:  # type: ignore[no-untyped-def]
    shared = client.get_collection("all")
    public = client.get_collection("t_public")
    vectors = [embed(model_dir, [expand_query(q)]) for q in QUESTIONS]
    results: dict[str, list[float]] = {"count()": [], "one collection, $in": [], "per tenant": []}
    for tenant in sorted({0, clients - 1}):
        own = client.get_collection(f"t_client{tenant}")
        allowed = ["public", f"client{tenant}"]
        for vec in vectors:
            results["count()"] += timed(shared.count, repeat)
            results["one collection, $in"] += timed(
                lambda vec=vec, allowed=allowed: shared.query(
                    query_embeddings=vec,
                    n_results=20,
                    where={"tenant": {"$in": allowed}},
                    include=["distances"],
                ),
                repeat,
            )
            results["per tenant"] += timed(
                lambda vec=vec, own=own: [
                    c.query(query_embeddings=vec, n_results=20, include=["distances"])
                    for c in (public, own)
                ],
                repeat,
            )
    total = shared.count()
    for label, ms in results.items():
        print(
            f"| {clients} | {total} | {label} | {percentile(ms, 0.5):.1f} / "
            f"{percentile(ms, 0.95):.1f} ms ({len(ms)}) |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="1,2,5", help="client counts to measure at")
    parser.add_argument("--notes", type=int, default=2000, help="notes per client")
    parser.add_argument("--repeat", type=int, default=5, help="timings per question")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    steps = [int(s) for s in args.steps.split(",")]
    with tempfile.TemporaryDirectory(prefix="advisor-chroma-") as tmp:
        work = Path(tmp)
        model_dir = work / "models"
        chroma, port = start_chroma(work / "chroma")
        try:
            wait_ready(f"http://127.0.0.1:{port}/api/v2/heartbeat", chroma)
            client = chromadb.HttpClient(
                host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)
            )
            shared = client.create_collection("all", configuration=SPACE)
            report = list(field_report_chunks())
            load(shared, report, model_dir)
            load(client.create_collection("t_public", configuration=SPACE), report, model_dir)
            print("| clients | chunks | call | p50 / p95 |\n|---|---|---|---|", flush=True)
            loaded = 0
            for step in steps:
                for c in range(loaded, step):
                    chunks = client_chunks(work, c, args.notes)
                    load(shared, chunks, model_dir)
                    load(
                        client.create_collection(f"t_client{c}", configuration=SPACE),
                        chunks,
                        model_dir,
                    )
                loaded = step
                measure(client, step, model_dir, args.repeat)
        finally:
            chroma.terminate()
            chroma.wait(timeout=60)


if __name__ == "__main__":
    main()
