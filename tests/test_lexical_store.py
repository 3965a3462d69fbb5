"""The lexical store, on SQLite (FTS5) and PostgreSQL (tsvector + GIN), as specifications.

Real databases, migrated as `advisor db upgrade` leaves them; chunks written in the caller's
transaction, read only for the tenants a caller may read.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from knowledge.chunks import PUBLIC_TENANT, Chunk
from knowledge.db import fulltext_path, lexical_tenants, lexical_terms, make_engine
from knowledge.fulltext import LexicalStore, bm25_idf, make_lexical_store, query_terms
from knowledge.lexical import tokenize
from knowledge.migrate import upgrade

PUBLIC = frozenset({PUBLIC_TENANT})


def chunk(tenant: str, text_: str, n: int = 0) -> Chunk:
    return Chunk(tenant=tenant, source=f"Note {n}", section="", text=text_, path=f"n{n}.md")


CORPUS = [
    chunk("public", "Founders patch the pilot at 2am instead of selling.", 1),
    chunk("public", "A fractional CTO sets the data boundary in week 1.", 2),
    chunk("public", "Hire an agency for the prototype; keep the roadmap.", 3),
    chunk("acme", "Acme's pilot with Heron stalled: the vendor lock-in worried the board.", 4),
    chunk("acme", "Acme interviews for a platform lead; Priya owns the scorecard.", 5),
    chunk("globex", "Globex's Heron pilot stalled too, secret pricing of 30 dollars.", 6),
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'state.db'}")
        upgrade(engine)
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
    yield engine
    engine.dispose()


def filled(engine: Engine, chunks: list[Chunk] = CORPUS) -> LexicalStore:
    store = make_lexical_store(engine)
    with engine.begin() as conn:
        store.register(conn, chunks)
    return store


def ids(found: list[tuple[str, float]]) -> list[str]:
    return [chunk_id for chunk_id, _ in found]


def test_a_chunk_is_searchable_exactly_when_its_transaction_commits(engine: Engine) -> None:
    store = make_lexical_store(engine)
    note = chunk("acme", "The Quokka integration returned stale prices.", 9)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        store.register(conn, [note])
        raise RuntimeError("the source registration failed")
    assert store.search(query_terms("quokka prices"), {"acme"}, 5) == []
    with engine.begin() as conn:
        store.register(conn, [note])
    assert ids(store.search(query_terms("quokka prices"), {"acme"}, 5)) == [note.chunk_id]


def test_a_search_returns_only_the_callers_tenants(engine: Engine) -> None:
    store = filled(engine)
    found = ids(store.search(query_terms("Heron pilot stalled"), {"public", "acme"}, 10))
    assert CORPUS[3].chunk_id in found and CORPUS[0].chunk_id in found
    assert CORPUS[5].chunk_id not in found  # globex's chunk shares every term
    assert store.search(query_terms("secret pricing"), {"public", "acme"}, 10) == []
    assert store.search(query_terms("Heron"), set(), 10) == []


def test_other_clients_notes_change_neither_ranking_nor_idf(engine: Engine) -> None:
    store = filled(engine, CORPUS[:5])
    before = store.search(query_terms("pilot stalled vendor"), {"public", "acme"}, 10)
    idf_before = store.term_stats(frozenset({"public", "acme"})).idf("pilot")
    with engine.begin() as conn:
        store.register(
            conn, [chunk("globex", f"pilot pilot stalled {i}", 20 + i) for i in range(9)]
        )
    assert store.search(query_terms("pilot stalled vendor"), {"public", "acme"}, 10) == before
    assert store.term_stats(frozenset({"public", "acme"})).idf("pilot") == idf_before


def test_scores_are_okapi_bm25_over_the_readable_chunks(engine: Engine) -> None:
    store = filled(engine)
    [(chunk_id, score)] = store.search(["agenc"], PUBLIC, 5)
    assert chunk_id == CORPUS[2].chunk_id
    lengths = [len(tokenize(c.index_text)) for c in CORPUS[:3]]
    avgdl, tf, length = sum(lengths) / 3, 1, lengths[2]
    expected = bm25_idf(3, 1) * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * length / avgdl))
    assert score == pytest.approx(expected, rel=1e-9)


def test_known_terms_and_idf_are_those_of_the_callers_chunks(engine: Engine) -> None:
    store = filled(engine)
    acme = store.term_stats(frozenset({"public", "acme"}))
    assert acme.known("heron") and acme.known("founder")
    assert not acme.known("secret") and not acme.known("sourdough")
    assert acme.idf("sourdough") == bm25_idf(5, 0)  # unseen: the highest idf
    assert acme.idf("pilot") == bm25_idf(5, 2)
    assert not store.term_stats(PUBLIC).known("heron")


def test_registering_twice_counts_once_and_removing_undoes_the_counts(engine: Engine) -> None:
    store = filled(engine)
    with engine.begin() as conn:
        assert store.register(conn, CORPUS) == 0
    assert store.term_stats(frozenset({"public", "acme"})).idf("pilot") == bm25_idf(5, 2)
    with engine.begin() as conn:
        assert store.unregister(conn, [CORPUS[3].chunk_id, CORPUS[4].chunk_id, "no-such"]) == 2
    acme = store.term_stats(frozenset({"public", "acme"}))
    assert not acme.known("heron") and acme.idf("pilot") == bm25_idf(3, 1)
    with engine.connect() as conn:
        assert conn.execute(
            select(lexical_tenants.c.chunks, lexical_tenants.c.length).where(
                lexical_tenants.c.tenant == "acme"
            )
        ).one() == (0, 0)
        assert not conn.execute(select(lexical_terms).where(lexical_terms.c.tenant == "acme")).all()
    assert store.search(query_terms("Heron"), {"acme"}, 5) == []


@pytest.mark.postgres
def test_two_replicas_writing_the_same_chunks_count_them_once(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    store = make_lexical_store(engine)
    notes = [chunk("acme", f"renewal risk {i} for the Heron pilot", 100 + i) for i in range(200)]
    barrier = threading.Barrier(2)

    def write() -> None:
        barrier.wait()
        with engine.begin() as conn:
            store.register(conn, notes)

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.document_frequencies(["renew"], {"acme"}) == {"renew": 200}
    assert store.chunk_count({"acme"}) == 200
    engine.dispose()


@pytest.mark.postgres
def test_postgres_keeps_our_terms_as_they_are(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    words = "Founders' 2am e2e 1e5 30 decisions retrievers won't x86_64 naïve"
    filled(engine, [chunk("acme", words, 1)])
    with engine.connect() as conn:
        lexemes = conn.execute(text("SELECT tsvector_to_array(terms) FROM lexical_chunks")).scalar()
    assert sorted(lexemes) == sorted(set(tokenize("Note 1\n" + words)))
    engine.dispose()


def test_an_embedded_restart_opens_the_index_without_rebuilding_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'state.db'}")
    upgrade(engine)
    filled(engine)
    engine.dispose()
    index_file = Path(fulltext_path(str(tmp_path / "state.db")))
    written = index_file.stat().st_mtime_ns
    engine = make_engine(f"sqlite:///{tmp_path / 'state.db'}")
    store = make_lexical_store(engine)
    assert "rebuilding" not in caplog.text
    assert ids(store.search(query_terms("agency"), PUBLIC, 5)) == [CORPUS[2].chunk_id]
    assert index_file.stat().st_mtime_ns == written
    engine.dispose()


def test_a_lost_embedded_index_file_is_rebuilt_from_its_rows(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'state.db'}")
    upgrade(engine)
    filled(engine)
    engine.dispose()
    Path(fulltext_path(str(tmp_path / "state.db"))).unlink()
    engine = make_engine(f"sqlite:///{tmp_path / 'state.db'}")
    store = make_lexical_store(engine)
    assert ids(store.search(query_terms("Heron"), {"acme"}, 5)) == [CORPUS[3].chunk_id]
    engine.dispose()


@pytest.mark.postgres
def test_both_databases_rank_alike(tmp_path: Path, postgres_url: str) -> None:
    embedded = make_engine(f"sqlite:///{tmp_path / 'state.db'}")
    upgrade(embedded)
    shared = make_engine(postgres_url)
    stores = [filled(embedded), filled(shared)]
    for question in ["pilot stalled vendor lock-in", "who owns the scorecard", "2am founders"]:
        sqlite_found, postgres_found = (
            s.search(query_terms(question), {"public", "acme"}, 10) for s in stores
        )
        assert ids(sqlite_found) == ids(postgres_found)
        assert [s for _, s in sqlite_found] == pytest.approx([s for _, s in postgres_found])
    embedded.dispose()
    shared.dispose()


def test_words_stemmed_in_many_threads_at_once_stem_as_they_do_alone() -> None:
    """Retrieval, ingest and the reader stem in worker threads; a Snowball stemmer shared
    between threads corrupts its working word (wrong stems, or an IndexError)."""
    import random
    import string

    import snowballstemmer

    from knowledge.lexical import stem

    rng = random.Random(7)
    endings = ("ing", "ed", "ies", "ation", "s", "ly", "")
    words = [
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 12)))
        + rng.choice(endings)
        for _ in range(20_000)
    ]
    alone = snowballstemmer.stemmer("english")
    expected = [alone.stemWord(w) for w in words]
    together: list[str | None] = [None] * len(words)
    failures: list[BaseException] = []

    def stem_every_fourth(offset: int) -> None:
        try:
            for i in range(offset, len(words), 4):
                together[i] = stem(words[i])
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=stem_every_fourth, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert together == expected
