"""`advisor eval …`: golden-set evaluations, run on a throwaway index of the bundled corpus."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bot.cli.common import console, fail, load_settings, print_json
from graphs.runtime import Advisor
from knowledge.corpus import SAMPLE_TENANTS, ingest_samples
from knowledge.evaluation import evaluate_all, load_golden

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "tests" / "golden"
RECALL_AT_5_THRESHOLD = 0.90

eval_app = typer.Typer(help="Run the golden sets and print metrics against thresholds.")


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")


def open_eval_advisor(workdir: Path) -> Advisor:
    """A fresh advisor in `workdir` with the field report and the sample clients indexed."""
    settings = load_settings().model_copy(
        update={"data_dir": workdir, "database_url": None, "chroma_host": None}
    )
    advisor = Advisor.open(settings)
    for tenant in SAMPLE_TENANTS:
        advisor.tenants.add(tenant)
        ingest_samples(advisor.ingestor, tenant)
    return advisor


@eval_app.command("retrieval")
def eval_retrieval(
    golden: Annotated[Path, typer.Option(help="Golden set (YAML).")] = GOLDEN_DIR
    / "retrieval.yaml",
    as_json: Annotated[bool, typer.Option("--json", help="Print metrics as JSON.")] = False,
) -> None:
    """Recall@1, recall@5 and MRR for BM25-only, dense-only and hybrid, side by side."""
    if not golden.exists():
        fail(f"{golden}: golden set not found (run from a checkout, or pass --golden)", 2)
    questions = load_golden(golden)
    with tempfile.TemporaryDirectory(prefix="advisor-eval-") as workdir:
        advisor = open_eval_advisor(Path(workdir))
        try:
            results = evaluate_all(advisor.index, questions)
        finally:
            advisor.close()
    hybrid = next(m for m in results if m.ranker == "hybrid")
    passed = hybrid.recall_at_5 >= RECALL_AT_5_THRESHOLD
    if as_json:
        print_json(
            {
                "questions": len(questions),
                "threshold_recall_at_5": RECALL_AT_5_THRESHOLD,
                "passed": passed,
                "rankers": [m.__dict__ | {"misses": list(m.misses)} for m in results],
            }
        )
    else:
        table = Table(title=f"Retrieval on {len(questions)} golden questions")
        for column in ("ranker", "recall@1", "recall@5", "MRR", "misses@5"):
            table.add_column(column)
        for m in results:
            table.add_row(
                m.ranker,
                f"{m.recall_at_1:.3f}",
                f"{m.recall_at_5:.3f}",
                f"{m.mrr:.3f}",
                str(len(m.misses)),
            )
        console.print(table)
        verdict = "PASS" if passed else "FAIL"
        console.print(
            f"{verdict}: hybrid recall@5 {hybrid.recall_at_5:.3f} "
            f"(threshold {RECALL_AT_5_THRESHOLD:.2f})",
            highlight=False,
        )
    if not passed:
        raise typer.Exit(1)
