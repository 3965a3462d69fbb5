"""Reading a founder's own words: which facts their text states, how surely, and where.

`Reader(model_dir).read(text)` returns a `Reading`: per fact a value (or None: not said), a
confidence and the span of the text it read. The trained artefact ships in the package
(`model.npz`, from `advisor train reader`); the embeddings are WordLlama's bundled weights.
Nothing is downloaded, and nothing here needs PyTorch.
"""

from __future__ import annotations

import threading
from pathlib import Path

from graphs.assessment.reader.features import Featurizer
from graphs.assessment.reader.model import ARTEFACT, FactReading, ReaderModel, Reading
from graphs.assessment.reader.spans import Span

__all__ = ["FactReading", "Reader", "Reading", "Span"]


class Reader:
    """The trained model and the featurizer, loaded once (both are read-only)."""

    def __init__(
        self, model_dir: Path, artefact: Path = ARTEFACT, cache_dir: Path | None = None
    ) -> None:
        self._featurizer = Featurizer(model_dir, cache_dir)
        self._artefact = artefact
        self._model: ReaderModel | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> ReaderModel:
        with self._lock:
            if self._model is None:
                self._model = ReaderModel.load(self._artefact)
            return self._model

    @property
    def featurizer(self) -> Featurizer:
        return self._featurizer

    def read(self, text: str) -> Reading:
        """CPU work (tokenising, a few small matrix products): call it off the event loop."""
        return self.model.read(text, self._featurizer)
