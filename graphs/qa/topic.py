"""Is a question about technical leadership for AI work at all? The gate before "not covered".

Lexical coverage alone cannot tell "how do I write a job ad for our AI engineer?" (off topic:
the sources say nothing about job ads) from "how do I know it's time for outside AI help?" (on
topic, in words the report never uses): both share the domain's vocabulary. A small classifier
over the same features as the description reader (WordLlama token vectors, hashed words),
trained on a committed corpus of on- and off-topic questions in founders' voices
(`topic_training/*.yaml`, `advisor train topic`), gives the probability that a question is on
topic; the coverage judgement combines it with what retrieval found.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from graphs.assessment.reader.bank import Bank, cached_bank, similarity_view
from graphs.assessment.reader.features import FEATURE_VERSION_TAG, Featurizer
from graphs.assessment.reader.softmax import Softmax, TrainingOptions, fit
from graphs.assessment.reader.train import read_yaml

TRAINING = Path(__file__).parent / "topic_training"
ARTEFACT = Path(__file__).parent / "topic.npz"
TOLERANCE = 2e-3


def load_examples(folder: Path = TRAINING) -> list[tuple[str, bool]]:
    examples = []
    for path in sorted(folder.glob("*.yaml")):
        for n, item in enumerate(read_yaml(path) or [], 1):
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError(f"{path.name} item {n}: needs a `text`")
            if not isinstance(item.get("on_topic"), bool):
                raise ValueError(f"{path.name} item {n}: `on_topic` must be true or false")
            examples.append((item["text"], item["on_topic"]))
    return examples


def corpus_digest(folder: Path = TRAINING) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def train(featurizer: Featurizer, options: TrainingOptions | None = None) -> TopicModel:
    options = options or TrainingOptions(none_weight_cap=10.0)
    examples = load_examples()
    rows = featurizer.rows([text for text, _ in examples])
    labels = np.array([int(on) for _, on in examples])  # class 1: on topic
    manifest = {
        "corpus_sha256": corpus_digest(),
        "examples": len(examples),
        "features": FEATURE_VERSION_TAG,
        "options": asdict(options),
    }
    return TopicModel(fit(rows, labels, 2, options), manifest)


NEIGHBOURS = 5  # the classifier is averaged with the share of on-topic nearest questions


class TopicModel:
    def __init__(self, model: Softmax, manifest: dict[str, Any]) -> None:
        self.model, self.manifest = model, manifest
        self._bank: Bank | None = None
        self._lock = threading.Lock()

    def on_topic(self, text: str, featurizer: Featurizer) -> float:
        """The probability that `text` asks about what the sources cover: the linear
        classifier, averaged with how many of its nearest training questions are on topic
        (a question much like "which payroll provider?" is off topic, whatever its words)."""
        row = featurizer.rows([text])
        linear = float(self.model.probabilities(row)[0, 1])
        bank = self._neighbours(featurizer)
        near = np.argsort(-bank.scores(similarity_view(row))[0])[:NEIGHBOURS]
        return (linear + float(bank.labels["on_topic"][near].mean())) / 2

    def _neighbours(self, featurizer: Featurizer) -> Bank:
        """The training questions as a bank: featurised once (~0.6 s), then read from the
        cache dir by every later process."""

        def build() -> tuple[np.ndarray, dict[str, np.ndarray]]:
            examples = load_examples()
            rows = featurizer.rows([text for text, _ in examples])
            return similarity_view(rows), {"on_topic": np.array([float(on) for _, on in examples])}

        with self._lock:
            if self._bank is None:
                self._bank = cached_bank(featurizer.cache_dir, "topic", corpus_digest(), build)
            return self._bank

    def save(self, path: Path = ARTEFACT) -> None:
        meta = np.frombuffer(json.dumps(self.manifest, sort_keys=True).encode(), dtype=np.uint8)
        np.savez_compressed(path, w=self.model.weights, b=self.model.bias, meta=meta)

    @classmethod
    def load(cls, path: Path = ARTEFACT) -> TopicModel:
        with np.load(path) as data:
            return cls(Softmax(data["w"], data["b"]), json.loads(bytes(data["meta"]).decode()))


def check(featurizer: Featurizer, committed: TopicModel) -> list[str]:
    """Why the committed artefact is not what training on the committed corpus gives."""
    if committed.manifest.get("corpus_sha256") != corpus_digest():
        return ["the topic corpus changed since the artefact was trained"]
    if committed.manifest.get("features") != FEATURE_VERSION_TAG:
        return ["the features changed since the artefact was trained"]
    fresh = train(featurizer, TrainingOptions(**committed.manifest["options"]))
    rows = featurizer.rows([text for text, _ in load_examples()])
    diff = np.abs(committed.model.probabilities(rows) - fresh.model.probabilities(rows)).max()
    return [f"retraining moves a probability by {diff:.4f}"] if diff > TOLERANCE else []


class TopicGate:
    """The shipped model with a featurizer, loaded once per process (read-only)."""

    def __init__(self, model_dir: Path, artefact: Path = ARTEFACT) -> None:
        self._featurizer = Featurizer(model_dir)
        self._artefact = artefact
        self._model: TopicModel | None = None
        self._lock = threading.Lock()

    def on_topic(self, text: str) -> float:
        with self._lock:
            if self._model is None:
                self._model = TopicModel.load(self._artefact)
            return self._model.on_topic(text, self._featurizer)
