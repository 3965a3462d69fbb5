"""Benchmark: `advisor ingest` on the hostile notes corpus of issue 13, in a child process.

Each hostile file is ingested alone by a fresh `advisor ingest FILE` (so its wall time and peak
RSS are its own, read with `os.wait4`, the per-child form of `getrusage(RUSAGE_CHILDREN)`);
then the whole folder (every hostile file, the symlinks, and 20 good notes) in one run, whose
peak RSS is `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`. The goal is under 1 GiB for
every input, with the good notes recorded.

Run: .venv/bin/python bench/hostile_notes.py [--bomb-gb 1.5]
Prints a Markdown table; docs/benchmarks.md records the numbers with the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile_notes_corpus import (
    INDEXED,
    MB,
    Sizes,
    build_hostile_folder,
    write_content_pdf,
    write_form_bomb_pdf,
    write_xml_junk_docx,
)

_SUMMARY = re.compile(r"(\d+) added, .* (\d+) failed; (\d+) chunks written")


@dataclass(frozen=True, slots=True)
class ChildRun:
    seconds: float
    peak_rss_mb: float
    exit_code: int
    stderr: str


def run_child(data_dir: Path, *args: str) -> ChildRun:
    """One `advisor` process; wall time and its own peak RSS (ru_maxrss is KiB on Linux)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "ANTHROPIC_"))}
    env |= {"ADVISOR_DATA_DIR": str(data_dir), "ADVISOR_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: Popen must not wait
        err.seek(0)
        return ChildRun(seconds, usage.ru_maxrss / 1024, proc.returncode, err.read())


def outcome(run: ChildRun) -> str:
    failed = [line for line in run.stderr.splitlines() if line.startswith("failed:")]
    if failed:
        reason = failed[0].split(": ", 2)[-1]
        return "refused: " + (reason if len(reason) <= 90 else reason[:89] + "…")
    match = _SUMMARY.search(run.stderr)
    return f"indexed, {match.group(3)} chunks" if match else f"exit {run.exit_code}"


def write_bench_only_inputs(folder: Path) -> dict[str, str]:
    """Inputs too slow for the test suite: the costliest .docx and PDFs the limits allow."""
    write_xml_junk_docx(folder / "xml-junk.docx", 60 * MB)
    write_form_bomb_pdf(folder / "form-bomb.pdf")
    string = b"BT /F1 12 Tf 72 720 Td (" + b"a" * (15 * MB) + b") Tj ET\n"
    write_content_pdf(folder / "big-string.pdf", string)
    ops = b"BT /F1 12 Tf 72 720 Td (hello world) Tj ET\n" * 350_000
    write_content_pdf(folder / "many-operators.pdf", ops)
    return {
        "xml-junk.docx": INDEXED,
        "form-bomb.pdf": "ADVISOR_INGEST_MAX_PDF_SECONDS",
        "big-string.pdf": "ADVISOR_INGEST_MAX_CHARS",
        "many-operators.pdf": "PDF safety limit",
    }


def size_of(path: Path) -> str:
    if path.is_symlink():
        return "link"
    return f"{path.stat().st_size / MB:,.2f} MB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bomb-gb", type=float, default=1.5, help="expansion bomb, unzipped")
    args = parser.parse_args()
    sizes = Sizes(bomb_unpacked_bytes=int(args.bomb_gb * 1024) * MB)
    with tempfile.TemporaryDirectory(prefix="advisor-hostile-") as tmp:
        base = Path(tmp)
        start = time.perf_counter()
        corpus = build_hostile_folder(base / "corpus", sizes)
        corpus.expected.update(write_bench_only_inputs(corpus.folder))
        parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"corpus generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        rows = []
        singles = base / "data-singles"
        run_child(singles, "tenants", "add", "acme")
        first_good = corpus.good[0]
        baseline = run_child(singles, "ingest", str(first_good), "--tenant", "acme")
        rows.append((f"one good note ({first_good.name}), baseline", size_of(first_good), baseline))
        for rel in corpus.expected:
            path = corpus.folder / rel
            if path.is_symlink():
                continue  # a link named on the command line is the operator's choice: see below
            run = run_child(singles, "ingest", str(path), "--tenant", "acme")
            rows.append((rel, size_of(path), run))
        whole = base / "data-whole"
        run_child(whole, "tenants", "add", "acme")
        folder_run = run_child(whole, "ingest", str(corpus.folder), "--tenant", "acme")
        children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print("| input | on disk | outcome | wall | peak RSS |\n|---|---|---|---|---|")
    for name, size, run in rows:
        cells = (name, size, outcome(run), f"{run.seconds:.1f} s", f"{run.peak_rss_mb:.0f} MB")
        print("| " + " | ".join(cells) + " |")
    match = _SUMMARY.search(folder_run.stderr)
    summary = (
        f"{match.group(1)} added, {match.group(2)} failed, {match.group(3)} chunks"
        if match
        else "no summary"
    )
    print(
        f"| whole folder ({len(corpus.expected)} hostile entries + {len(corpus.good)} good notes)"
        f" | | exit {folder_run.exit_code}: {summary} | {folder_run.seconds:.1f} s "
        f"| {folder_run.peak_rss_mb:.0f} MB |"
    )
    print(f"\npeak RSS of any child (RUSAGE_CHILDREN): {children_peak:.0f} MB")
    print(f"(this benchmark process itself peaked at {parent_mb:.0f} MB while generating)")
    good_failed = [p for p in corpus.good if f"failed: {p.resolve()}" in folder_run.stderr]
    recorded = bool(match) and int(match.group(1)) >= len(corpus.good) and not good_failed
    print(f"all {len(corpus.good)} good notes recorded: {'yes' if recorded else 'NO'}")


if __name__ == "__main__":
    main()
