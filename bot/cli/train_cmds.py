"""`advisor train reader [--check]`: train the description reader from the committed corpus.

The artefact it writes (graphs/assessment/reader/model.npz) ships in the package; `--check`
retrains in a scratch folder and fails when the committed artefact is not what the committed
corpus produces (so nobody ships weights trained on data that is not in the repo).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import console, fail

train_app = typer.Typer(help="Train the models the product ships (offline, from the repo).")


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")


@train_app.command("reader")
def train_reader(
    check: Annotated[
        bool, typer.Option("--check", help="Retrain and compare with the committed artefact.")
    ] = False,
    out: Annotated[Path | None, typer.Option(help="Where to write (default: the package).")] = None,
) -> None:
    """Train the reader of descriptions (per-fact classifiers over the bundled embeddings)."""
    from graphs.assessment.reader.features import Featurizer
    from graphs.assessment.reader.model import ARTEFACT, ReaderModel
    from graphs.assessment.reader.train import check as check_artefact
    from graphs.assessment.reader.train import load_examples, train

    with tempfile.TemporaryDirectory(prefix="advisor-train-") as scratch:
        featurizer = Featurizer(Path(scratch) / "models" / "wordllama")
        started = time.perf_counter()
        if check:
            _checked("reader", check_artefact(featurizer, ReaderModel.load(ARTEFACT)), started)
            return
        examples = load_examples()
        model = train(featurizer, examples)
        target = out or ARTEFACT
        model.save(target)
    console.print(
        f"trained on {len(examples)} examples in {time.perf_counter() - started:.0f} s → {target}",
        highlight=False,
    )


@train_app.command("topic")
def train_topic(
    check: Annotated[
        bool, typer.Option("--check", help="Retrain and compare with the committed artefact.")
    ] = False,
) -> None:
    """Train the on-topic gate of questions (before "the sources don't cover this")."""
    from graphs.assessment.reader.features import Featurizer
    from graphs.qa.topic import ARTEFACT, TopicModel, load_examples, train
    from graphs.qa.topic import check as check_artefact

    with tempfile.TemporaryDirectory(prefix="advisor-train-") as scratch:
        featurizer = Featurizer(Path(scratch) / "models" / "wordllama")
        started = time.perf_counter()
        if check:
            _checked("topic", check_artefact(featurizer, TopicModel.load(ARTEFACT)), started)
            return
        train(featurizer).save(ARTEFACT)
    console.print(
        f"trained on {len(load_examples())} questions in {time.perf_counter() - started:.0f} s",
        highlight=False,
    )


def _checked(name: str, problems: list[str], started: float) -> None:
    """Print what `--check` found; fail (exit 1) unless the artefact is what training gives."""
    for problem in problems:
        console.print(f"  {problem}", highlight=False, markup=False)
    if problems:
        fail(f"the committed {name} is not what `advisor train {name}` produces")
    console.print(f"{name} artefact matches its corpus ({time.perf_counter() - started:.0f} s)")
