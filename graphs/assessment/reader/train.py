"""Training the reader: `advisor train reader` writes the artefact, `--check` proves it.

The training corpus is committed next to this file (`training/*.yaml`): short texts in
founders' voices, each labelled with the facts it states (true or false; `{}` for none). The
artefact (`model.npz`) is committed too, with a manifest naming the corpus digest, so a
reviewer can see it was trained on exactly this corpus, and `--check` retrains and compares.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from graphs.assessment.reader.features import READER_FEATURES, Featurizer, reader_rows
from graphs.assessment.reader.model import (
    DEFAULT_THRESHOLDS,
    FACT_GROUPS,
    STAGE_CLASSES,
    ReaderModel,
)
from graphs.assessment.reader.softmax import TrainingOptions, fit_many

TRAINING = Path(__file__).parent / "training"
FEATURE_VERSION = 4  # 4: letter n-grams (features.char_gram_rows)
TRAINER_VERSION = 2  # one matrix product per step for every fact
# The reader's own optimiser settings (the topic gate keeps TrainingOptions' defaults). Less
# L2 and a larger step than those defaults fit the corpus more closely, and so read surely
# what it does state: on the dev half (dev-001..080 / dev-081..140) right 65 / 43 → 67 / 46,
# confidently wrong 1 / 2 → 1 / 1, facts P 0.86 / 0.76 → 0.90 / 0.79 (L2 1e-2 and 0 are worse).
READER_OPTIONS = TrainingOptions(learning_rate=0.01, l2=1e-4)
# Largest probability difference a retrain may show: float32 kernels differ by CPU (0.0030
# seen between two machines of the same kind, 0.0112 on an AVX-512 AMD EPYC, where no training
# text changed class); data and code changes are caught exactly by the corpus digest and the
# feature and trainer versions above, and a retrain that reads any training text as another
# class fails whatever the size of the difference.
TOLERANCE = 3e-2


class TrainingDataError(ValueError):
    """A training file is malformed; the message names the file and the item."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    labels: dict[str, Any]


def read_yaml(path: Path) -> Any:
    """A training file's items. Read at every start-up (the neighbour banks' labels), so with
    libyaml's parser where PyYAML has it: the same data, ~7x faster than the pure-Python one
    (0.11 s against 0.79 s for the reader's 11 files)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def load_examples(folder: Path = TRAINING) -> list[Example]:
    examples: list[Example] = []
    for path in sorted(folder.glob("*.yaml")):
        for n, item in enumerate(read_yaml(path) or [], 1):
            examples.append(_example(item, f"{path.name} item {n}"))
    return examples


def _example(item: Any, where: str) -> Example:
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise TrainingDataError(f"{where}: needs a `text`")
    labels = item.get("labels") or {}
    for key, value in labels.items():
        if key == "stage":
            if value not in STAGE_CLASSES[1:]:
                raise TrainingDataError(f"{where}: stage {value!r} is not a stage")
        elif key not in FACT_GROUPS or not isinstance(value, bool):
            raise TrainingDataError(f"{where}: {key}: {value!r} is not a fact and true/false")
    return Example(item["text"], labels)


def corpus_digest(folder: Path = TRAINING) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def targets(key: str, examples: list[Example]) -> np.ndarray:
    """Class index per example: 0 = states nothing about `key`."""
    if key == "stage":
        return np.array([STAGE_CLASSES.index(e.labels.get("stage") or "none") for e in examples])
    return np.array([0 if key not in e.labels else (1 if e.labels[key] else 2) for e in examples])


def train(
    featurizer: Featurizer,
    examples: list[Example],
    options: TrainingOptions | None = None,
    thresholds: dict[str, float] | None = None,
) -> ReaderModel:
    options = options or READER_OPTIONS
    rows = reader_rows(featurizer, [e.text for e in examples])
    keys = ("stage", *FACT_GROUPS)
    tasks = [(targets(key, examples), len(STAGE_CLASSES) if key == "stage" else 3) for key in keys]
    models = dict(zip(keys, fit_many(rows, tasks, options), strict=True))
    manifest = {
        "corpus_sha256": corpus_digest(),
        "examples": len(examples),
        "features": READER_FEATURES,
        "feature_version": FEATURE_VERSION,
        "trainer_version": TRAINER_VERSION,
        "options": asdict(options),
    }
    return ReaderModel(models, thresholds or dict(DEFAULT_THRESHOLDS), manifest)


def check(featurizer: Featurizer, committed: ReaderModel) -> list[str]:
    """Why the committed artefact is not what training on the committed corpus gives."""
    problems = []
    if committed.manifest.get("corpus_sha256") != corpus_digest():
        problems.append("the training corpus changed since the artefact was trained")
    if committed.manifest.get("feature_version") != FEATURE_VERSION:
        problems.append("the features changed since the artefact was trained")
    if committed.manifest.get("trainer_version") != TRAINER_VERSION:
        problems.append("the trainer changed since the artefact was trained")
    if problems:
        return problems
    examples = load_examples()
    options = TrainingOptions(**committed.manifest["options"])
    fresh = train(featurizer, examples, options, committed.thresholds)
    rows = reader_rows(featurizer, [e.text for e in examples])
    for key, model in committed.models.items():
        ours, theirs = model.probabilities(rows), fresh.models[key].probabilities(rows)
        diff = np.abs(ours - theirs).max()
        flips = int((ours.argmax(axis=1) != theirs.argmax(axis=1)).sum())
        if diff > TOLERANCE:
            problems.append(f"{key}: retraining moves a probability by {diff:.4f}")
        if flips:
            problems.append(f"{key}: retraining reads {flips} training texts as another class")
    return problems
