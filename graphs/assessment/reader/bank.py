"""A committed corpus as a bank of unit vectors, kept on disk between processes.

The reader's neighbours and the topic gate's compare a text with every training text. Their
vectors are a pure function of the corpus and the feature code, so they are built once and
kept in the cache dir under both digests. The hashed-words block is 4,096 columns of which a
text uses a few dozen: held dense it was ~90 MB per process for the reader's corpus and most
of a second to read at every start; held sparse (by column, since a query gathers the few
columns it uses) it is a few MB and loads in milliseconds, with the same scores.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from graphs.assessment.reader.features import EMBED_DIM, FEATURE_VERSION_TAG, HASH_DIM, HASH_START


def similarity_view(rows: np.ndarray) -> np.ndarray:
    """Meaning and hashed words of feature rows, unit length: "a text much like this"."""
    view = np.hstack([rows[:, :EMBED_DIM], rows[:, HASH_START : HASH_START + HASH_DIM]])
    return view / (np.linalg.norm(view, axis=1, keepdims=True) + 1e-8)


@dataclass(frozen=True, slots=True)
class Bank:
    """Training texts as similarity views (meaning dense, words by column) and their labels."""

    meaning: np.ndarray  # (texts, EMBED_DIM)
    indptr: np.ndarray  # words block, compressed by column: column c is indptr[c]:indptr[c+1]
    rows: np.ndarray  # ... the text each stored value belongs to
    values: np.ndarray
    labels: dict[str, np.ndarray]

    @classmethod
    def from_view(cls, view: np.ndarray, labels: dict[str, np.ndarray]) -> Bank:
        words = view[:, EMBED_DIM:]
        columns, rows = np.nonzero(words.T)  # column-major: grouped by column, rows ascending
        indptr = np.zeros(words.shape[1] + 1, dtype=np.int64)
        np.cumsum(np.bincount(columns, minlength=words.shape[1]), out=indptr[1:])
        return cls(
            np.ascontiguousarray(view[:, :EMBED_DIM], dtype=np.float32),
            indptr,
            rows.astype(np.int32),
            words[rows, columns].astype(np.float32),
            labels,
        )

    @property
    def size(self) -> int:
        return self.meaning.shape[0]

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Cosine of each query view (rows of `similarity_view`) with every text in the bank.
        Only the word columns the queries use are expanded: the same products, far less work."""
        out = query[:, :EMBED_DIM] @ self.meaning.T
        used = np.flatnonzero(np.any(query[:, EMBED_DIM:] != 0, axis=0))
        if used.size:
            starts, ends = self.indptr[used], self.indptr[used + 1]
            counts = ends - starts
            at = np.repeat(ends - counts.cumsum(), counts) + np.arange(counts.sum())
            gathered = np.zeros((used.size, self.size), dtype=np.float32)
            gathered[np.repeat(np.arange(used.size), counts), self.rows[at]] = self.values[at]
            out += query[:, EMBED_DIM + used] @ gathered
        return out

    def save(self, path: Path) -> None:
        """Written beside its final name and moved into place: replicas and test workers
        sharing a cache dir never read a half-written bank."""
        arrays = {f"label:{k}": v for k, v in self.labels.items()}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(out, meaning=self.meaning, indptr=self.indptr, rows=self.rows,
                         values=self.values, **arrays)  # fmt: skip
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    @classmethod
    def load(cls, path: Path) -> Bank:
        with np.load(path) as data:
            labels = {k.split(":", 1)[1]: data[k] for k in data.files if k.startswith("label:")}
            return cls(data["meaning"], data["indptr"], data["rows"], data["values"], labels)


Builder = Callable[[], tuple[np.ndarray, dict[str, np.ndarray]]]


def cached_bank(cache_dir: Path, name: str, corpus_digest: str, build: Builder) -> Bank:
    """The bank of `name` for this corpus and feature code: read from the cache dir, or built
    (`build` gives the similarity views and labels) and kept there. A read-only or broken
    cache only costs the rebuild."""
    path = cache_dir / f"{name}-bank-{FEATURE_VERSION_TAG}-{corpus_digest[:16]}.npz"
    try:
        return Bank.load(path)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        pass  # absent, torn or from another layout: build it
    view, labels = build()
    bank = Bank.from_view(view, labels)
    with contextlib.suppress(OSError):  # a read-only cache dir: the next process rebuilds it
        bank.save(path)
    return bank
