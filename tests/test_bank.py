"""The neighbour banks: the same cosines as the dense vectors, kept on disk whole or not at all."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from graphs.assessment.reader.bank import Bank, cached_bank, similarity_view
from graphs.assessment.reader.features import EMBED_DIM, HASH_DIM, HASH_START, N_FEATURES


def _views(texts: int, seed: int) -> np.ndarray:
    """Feature rows shaped like the reader's: dense meaning, a few dozen hashed words each."""
    rng = np.random.default_rng(seed)
    rows = np.zeros((texts, N_FEATURES), dtype=np.float32)
    rows[:, :EMBED_DIM] = rng.normal(size=(texts, EMBED_DIM))
    for row in rows:
        row[HASH_START + rng.choice(HASH_DIM, size=30, replace=False)] = 1.0
    rows[3, HASH_START:] = 0.0  # a text with no hashed words at all
    return similarity_view(rows)


def test_scores_are_the_dense_cosines_with_every_text() -> None:
    bank_views, queries = _views(200, seed=1), _views(5, seed=2)
    queries[1] = bank_views[7]  # a query that is a training text
    bank = Bank.from_view(bank_views, {})
    np.testing.assert_allclose(bank.scores(queries), queries @ bank_views.T, atol=1e-5)
    assert int(np.argmax(bank.scores(queries)[1])) == 7


def test_a_query_without_hashed_words_scores_on_meaning_alone() -> None:
    bank_views, query = _views(50, seed=3), _views(4, seed=4)[3:4]
    bank = Bank.from_view(bank_views, {})
    np.testing.assert_allclose(bank.scores(query), query @ bank_views.T, atol=1e-5)


def test_a_bank_is_built_once_then_read_from_the_cache(tmp_path: Path) -> None:
    builds: list[int] = []
    labels = {"on_topic": np.arange(40) % 2}

    def build() -> tuple[np.ndarray, dict[str, np.ndarray]]:
        builds.append(1)
        return _views(40, seed=5), labels

    first = cached_bank(tmp_path, "topic", "ab" * 32, build)
    again = cached_bank(tmp_path, "topic", "ab" * 32, build)
    assert len(builds) == 1
    np.testing.assert_array_equal(again.meaning, first.meaning)
    np.testing.assert_array_equal(again.labels["on_topic"], labels["on_topic"])
    cached_bank(tmp_path, "topic", "cd" * 32, build)  # another corpus: another bank
    assert len(builds) == 2
    assert not list(tmp_path.glob("*.tmp")), "no half-written file is left behind"


def test_a_broken_cache_file_is_rebuilt_and_a_read_only_cache_only_costs_the_build(
    tmp_path: Path,
) -> None:
    build = lambda: (_views(10, seed=6), {})  # noqa: E731
    cached_bank(tmp_path, "reader", "ef" * 32, build)
    (cached,) = tmp_path.glob("reader-bank-*.npz")
    good = cached.read_bytes()
    cached.write_bytes(good[: len(good) // 2])  # torn, as by a full disk
    assert cached_bank(tmp_path, "reader", "ef" * 32, build).size == 10
    cached.write_bytes(b"not a bank")
    assert cached_bank(tmp_path, "reader", "ef" * 32, build).size == 10
    assert Bank.load(cached).size == 10, "the rebuilt bank replaced the broken file"
    missing = tmp_path / "file-not-dir"
    missing.write_text("x")  # a cache dir that cannot be created
    assert cached_bank(missing, "reader", "ef" * 32, build).size == 10
