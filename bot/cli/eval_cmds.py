"""`advisor eval [retrieval|recommendations|citations]`: golden sets against thresholds.

Runs on a throwaway index of the bundled corpus (never the operator's data), offline, and exits
non-zero when any result is below its threshold, so CI can gate on it.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bot.cli.common import console, fail, load_settings, print_json
from graphs.assessment.evaluation import (
    SituationReport,
    confusion_table,
    evaluate_situations,
    load_situations,
)
from graphs.evals import (
    CheckGate,
    EvalResult,
    check_results,
    citation_failures,
    evaluate_recommendations,
    load_recommendations,
)
from graphs.models import Answer
from graphs.qa.evaluation import evaluate_answers, load_questions
from graphs.runtime import Advisor
from knowledge.corpus import SAMPLE_TENANTS, ingest_samples
from knowledge.evaluation import GoldenQuestion, evaluate_all, load_golden

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "tests" / "golden"
RECALL_AT_5_THRESHOLD = 0.90
ANSWERS_ACCURACY_THRESHOLD = 1.0
# CI gates on the frozen test half only (the dev half is what the reader was tuned on, so
# its numbers are reported, not trusted). Floors just under what the check measures today,
# so a regression fails; the goals (right ≥ 0.86, wrong ≤ 0.056, facts P ≥ 0.9, R ≥ 0.8)
# are not all met yet. The half grew to 120 on 2026-12-03 (test-081..120, a third writer,
# measured once before tuning: right 30 of 40, P 0.79); on 2026-12-03 (986ec69): right 102,
# wrong 5, undecided 13 of 120; facts P 0.842, R 0.836.
TEST_HALF_GATE = CheckGate(right=0.81, wrong=0.056, fact_precision=0.82, fact_recall=0.82)
# Answers on the frozen test half of tests/golden/questions: floors under today's numbers
# (goals: section 0.94, advice phrase 0.80, ≤ 1 fair question in 64 refused, ≥ 5 of 6
# off-topic declined).
ANSWER_GATE = {"section": 0.93, "phrase": 0.83, "answered": 0.97, "declined": 0.8, "named": 0.75}
CITATION_VALIDITY_THRESHOLD = 1.0

eval_app = typer.Typer(help="Run the golden sets and print metrics against thresholds.")
GoldenDir = Annotated[Path, typer.Option(help="Folder with the golden sets.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print results as JSON.")]


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")


def open_eval_advisor(workdir: Path) -> Advisor:
    """A fresh advisor in `workdir` with the field report and the sample clients indexed."""
    settings = load_settings().model_copy(
        update={
            "data_dir": workdir,
            "database_url": None,
            "chroma_host": None,
            "anthropic_api_key": None,
        }
    )
    advisor = Advisor.open(settings)
    for tenant in SAMPLE_TENANTS:
        advisor.tenants.add(tenant)
        ingest_samples(advisor.ingestor, tenant)
    return advisor


def _golden(golden_dir: Path, name: str) -> Path:
    path = golden_dir / name
    if not path.exists():
        fail(f"{path}: golden set not found (run from a checkout, or pass --golden-dir)", 2)
    return path


def retrieval_results(advisor: Advisor, questions: list[GoldenQuestion]) -> list[EvalResult]:
    """The hybrid ranker's recall@5 against its threshold, and whether it beats both others."""
    metrics = {m.ranker: m for m in evaluate_all(advisor.index, questions)}
    _retrieval_table(list(metrics.values()), len(questions))
    hybrid, others = metrics["hybrid"], [metrics["bm25"], metrics["dense"]]
    beats = hybrid.mrr > max(m.mrr for m in others) and hybrid.recall_at_5 >= max(
        m.recall_at_5 for m in others
    )
    return [
        EvalResult(
            "retrieval recall@5 (hybrid)",
            hybrid.recall_at_5,
            RECALL_AT_5_THRESHOLD,
            len(questions),
            [f"miss: {q}" for q in hybrid.misses],
            {"recall@1": hybrid.recall_at_1, "mrr": hybrid.mrr},
        ),
        EvalResult(
            "hybrid beats bm25 and dense (MRR, recall@5)",
            float(beats),
            1.0,
            len(questions),
            [] if beats else ["hybrid does not beat both rankers"],
        ),
    ]


def _retrieval_table(metrics: list, total: int) -> None:  # list[Metrics]
    table = Table(title=f"Retrieval on {total} golden questions")
    for column in ("ranker", "recall@1", "recall@5", "MRR"):
        table.add_column(column, justify="right" if column != "ranker" else "left")
    for m in metrics:
        table.add_row(m.ranker, f"{m.recall_at_1:.3f}", f"{m.recall_at_5:.3f}", f"{m.mrr:.3f}")
    console.print(table)


def citation_results(advisor: Advisor, questions: list[GoldenQuestion]) -> EvalResult:
    async def run() -> list[str]:
        failures = []
        for q in questions:
            answer = await advisor.ask(q.question, q.caller, channel="eval")
            failures += [f"{q.id}: {p}" for p in citation_failures(answer, q.caller, advisor.index)]
        return failures

    failures = asyncio.run(run())
    failed_ids = {f.split(":", 1)[0] for f in failures}
    score = 1 - len(failed_ids) / len(questions) if questions else 0.0
    return EvalResult(
        "citation validity", score, CITATION_VALIDITY_THRESHOLD, len(questions), failures
    )


def _report(results: list[EvalResult], as_json: bool) -> None:
    if as_json:
        print_json(
            [
                {
                    "name": r.name,
                    "score": r.score,
                    "threshold": r.threshold,
                    "total": r.total,
                    "passed": r.passed,
                    "failures": r.failures,
                    **r.extra,
                }
                for r in results
            ]
        )
    else:
        table = Table(title="Fractional Advisor evals (offline)")
        for column in ("eval", "n", "score", "threshold", "result"):
            table.add_column(column)
        for r in results:
            extra = r.extra
            detail = "".join(f"  {k} {v:.3f}" for k, v in extra.items())
            table.add_row(
                r.name,
                str(r.total),
                f"{r.score:.3f}{detail}",
                f"{r.threshold:.2f}",
                "PASS" if r.passed else "FAIL",
            )
        console.print(table)
        for r in results:
            for failure in r.failures[:10] if not r.passed else []:
                console.print(f"  {r.name}: {failure}", highlight=False, markup=False)
    if not all(r.passed for r in results):
        raise typer.Exit(1)


def situation_results(workdir: Path, golden_dir: Path) -> list[EvalResult]:
    """The trigger check on both halves of the free-text situations, side by side."""
    from graphs.assessment.reader import Reader

    reader = Reader(workdir / "models" / "wordllama")
    results = []
    for half, gate in (("dev", CheckGate()), ("test", TEST_HALF_GATE)):
        path = _golden(golden_dir, f"situations/{half}.yaml")
        report = evaluate_situations(half, load_situations(path), reader.read)
        _situation_table(report)
        results += check_results(report, gate)
    return results


def answer_results(advisor: Advisor, golden_dir: Path) -> list[EvalResult]:
    """Answers on both halves of the founders' questions: the right section cited, the
    advice-carrying phrase in the text, fair questions answered, off-topic ones declined."""
    results = []
    for half in ("dev", "test"):
        questions = load_questions(_golden(golden_dir, f"questions/{half}.yaml"))

        async def ask(question: str, tenant: str | None) -> Answer:
            return await advisor.ask(question, tenant, channel="eval")

        report = asyncio.run(evaluate_answers(half, questions, ask))
        gate = ANSWER_GATE if half == "test" else dict.fromkeys(ANSWER_GATE, 0.0)
        n, off = max(report.answerable, 1), max(report.off_topic, 1)
        misses = report.misses
        results += [
            EvalResult(f"answers: section cited ({half})", report.section_cited / n,
                       gate["section"], n, [m for m in misses if "section" in m]),
            EvalResult(f"answers: advice in the text ({half})", report.phrase_said / n,
                       gate["phrase"], n, [m for m in misses if "advice" in m]),
            EvalResult(f"answers: fair questions answered ({half})",
                       1 - report.fair_refused / n, gate["answered"], n,
                       [m for m in misses if "refused" in m]),
            EvalResult(f"answers: off-topic declined ({half})", report.off_topic_declined / off,
                       gate["declined"], off, [m for m in misses if "off-topic" in m]),
        ]  # fmt: skip
        if report.decisions:  # "should we…": the answer line names the option the report implies
            results.append(EvalResult(
                f"answers: decisions name the option ({half})",
                report.decisions_named / report.decisions, gate["named"], report.decisions,
                [m for m in misses if ": does not name " in m]))  # fmt: skip
        if report.timelines:  # newer notes supersede older ones: the newest leads
            results.append(EvalResult(
                f"answers: notes read as a timeline ({half})",
                report.timelines_read / report.timelines, 0.0, report.timelines,
                [m for m in misses if m.endswith("not marked superseded")]))  # fmt: skip
        if report.standings:  # an older statement that still holds is never labelled replaced
            results.append(EvalResult(
                f"answers: still-true notes not labelled superseded ({half})",
                report.standings_kept / report.standings, 0.0, report.standings,
                [m for m in misses if m.endswith("labelled replaced")]))  # fmt: skip
    return results


def _situation_table(report: SituationReport) -> None:
    console.print(
        f"Check on the {report.name} half ({report.total} situations): right {report.right}, "
        f"confidently wrong {report.wrong}, undecided {report.undecided} "
        f"(leaning right {report.leaning_right}); facts read: precision "
        f"{report.precision():.2f}, recall {report.recall():.2f}",
        highlight=False,
    )
    table = Table(title=f"Facts read ({report.name})")
    for column in ("fact", "precision", "recall", "tp", "fp", "fn"):
        table.add_column(column, justify="left" if column == "fact" else "right")
    for key in report.fact_keys():
        table.add_row(
            key,
            f"{report.precision(key):.2f}",
            f"{report.recall(key):.2f}",
            *(str(c[key]) for c in (report.tp, report.fp, report.fn)),
        )
    console.print(table)
    for line in confusion_table(report):
        console.print(line, highlight=False, markup=False)


@eval_app.callback(invoke_without_command=True)
def eval_all(
    ctx: typer.Context, golden_dir: GoldenDir = GOLDEN_DIR, as_json: AsJson = False
) -> None:
    """Every golden set: retrieval, the check on situations (both halves), answer files,
    citations."""
    if ctx.invoked_subcommand is not None:
        return
    questions = load_golden(_golden(golden_dir, "retrieval.yaml"))
    recs = load_recommendations(_golden(golden_dir, "recommendations.yaml"))
    with tempfile.TemporaryDirectory(prefix="advisor-eval-") as workdir:
        advisor = open_eval_advisor(Path(workdir))
        try:
            results = retrieval_results(advisor, questions)
            results += situation_results(Path(workdir), golden_dir)
            results.append(evaluate_recommendations(recs, ANSWERS_ACCURACY_THRESHOLD))
            results.append(citation_results(advisor, questions))
            results += answer_results(advisor, golden_dir)
        finally:
            advisor.close()
    _report(results, as_json)


@eval_app.command("retrieval")
def eval_retrieval(golden_dir: GoldenDir = GOLDEN_DIR, as_json: AsJson = False) -> None:
    """Recall@1, recall@5 and MRR for BM25-only, dense-only and hybrid, side by side."""
    questions = load_golden(_golden(golden_dir, "retrieval.yaml"))
    with tempfile.TemporaryDirectory(prefix="advisor-eval-") as workdir:
        advisor = open_eval_advisor(Path(workdir))
        try:
            results = retrieval_results(advisor, questions)
        finally:
            advisor.close()
    _report(results, as_json)


@eval_app.command("answers")
def eval_answers(golden_dir: GoldenDir = GOLDEN_DIR, as_json: AsJson = False) -> None:
    """Answers on founders' questions (dev and frozen test halves): the right section cited,
    the advice phrase in the text, fair questions answered, off-topic ones declined."""
    with tempfile.TemporaryDirectory(prefix="advisor-eval-") as workdir:
        advisor = open_eval_advisor(Path(workdir))
        try:
            results = answer_results(advisor, golden_dir)
        finally:
            advisor.close()
    _report(results, as_json)


@eval_app.command("recommendations")
def eval_recommendations(golden_dir: GoldenDir = GOLDEN_DIR, as_json: AsJson = False) -> None:
    """The check on free-text situations (dev and frozen test halves: right, confidently
    wrong, undecided; per-fact precision and recall; a confusion matrix), and the rubric on
    answer files."""
    recs = load_recommendations(_golden(golden_dir, "recommendations.yaml"))
    with tempfile.TemporaryDirectory(prefix="advisor-eval-") as workdir:
        results = situation_results(Path(workdir), golden_dir)
    results.append(evaluate_recommendations(recs, ANSWERS_ACCURACY_THRESHOLD))
    _report(results, as_json)
