"""Offline embeddings: WordLlama, whose weights ship inside the wheel.

wordllama 0.4.0 looks for its tokenizer in `<package>/tokenizer/` while the wheel ships it
in `<package>/tokenizers/`; we copy it into a cache dir of ours and load with downloads
disabled, so nothing ever reaches the network.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

MODEL_CONFIG = "l2_supercat"
MODEL_DIM = 256
_TOKENIZER_FILE = f"{MODEL_CONFIG}_tokenizer_config.json"
_lock = threading.Lock()
_models: dict[str, Any] = {}


class EmbeddingUnavailableError(RuntimeError):
    """The bundled model could not be loaded (a broken install, not a network issue)."""


def _prepare_cache(cache_dir: Path) -> Path:
    import wordllama

    target = cache_dir / "tokenizers" / _TOKENIZER_FILE
    if not target.exists():
        shipped = Path(wordllama.__file__).parent / "tokenizers" / _TOKENIZER_FILE
        if not shipped.exists():
            raise EmbeddingUnavailableError(f"wordllama ships no tokenizer at {shipped}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shipped, target)
    return cache_dir


def load_model(cache_dir: Path) -> Any:
    """The WordLlama model, loaded once per process (it is read-only and thread-safe). Its
    weights come from the installed package, whatever `cache_dir` holds the tokenizer copy,
    so one model serves every index and data dir in the process (one per data dir grew a
    test run past 15 GB)."""
    key = f"{MODEL_CONFIG}:{MODEL_DIM}"
    with _lock:
        if key not in _models:
            from wordllama import WordLlama

            try:
                _models[key] = WordLlama.load(
                    MODEL_CONFIG,
                    cache_dir=_prepare_cache(cache_dir),
                    dim=MODEL_DIM,
                    disable_download=True,
                )
            except FileNotFoundError as exc:
                raise EmbeddingUnavailableError(str(exc)) from exc
        return _models[key]


@register_embedding_function
class WordLlamaEmbedding(EmbeddingFunction[Documents]):
    """Chroma embedding function backed by the bundled WordLlama model (cosine space)."""

    def __init__(self, cache_dir: str | Path) -> None:
        self._cache_dir = Path(cache_dir)

    def __call__(self, input: Documents) -> Embeddings:
        vectors = embed(self._cache_dir, list(input))
        return [row for row in vectors]

    @staticmethod
    def name() -> str:
        return "advisor-wordllama"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return {"cache_dir": str(self._cache_dir), "model": MODEL_CONFIG, "dim": MODEL_DIM}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> WordLlamaEmbedding:
        return WordLlamaEmbedding(config["cache_dir"])


def embed(cache_dir: Path, texts: list[str]) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, MODEL_DIM), dtype=np.float32)
    vectors = np.asarray(load_model(cache_dir).embed(texts, norm=True), dtype=np.float32)
    return vectors
