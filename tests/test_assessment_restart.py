"""A process killed mid-interview and started again resumes at the same question."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _spawn(data_dir: Path, database_url: str | None, thread: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "ANTHROPIC_"))}
    env["ADVISOR_DATA_DIR"] = str(data_dir)
    env["COLUMNS"] = "200"
    if database_url:
        env["ADVISOR_DATABASE_URL"] = database_url
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "assess", "--thread", thread],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        bufsize=1,
    )


def _read_until(proc: subprocess.Popen[str], marker: str, timeout: float = 60) -> str:
    assert proc.stderr is not None
    os.set_blocking(proc.stderr.fileno(), False)
    seen, deadline = "", time.monotonic() + timeout
    while marker not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {marker!r}; got:\n{seen}")
        chunk = proc.stderr.read()
        if chunk:
            seen += chunk
        else:
            time.sleep(0.05)
    return seen


def _kill_mid_interview_then_resume(tmp_path: Path, database_url: str | None) -> None:
    first = _spawn(tmp_path, database_url, "restart-test")
    assert first.stdin is not None
    _read_until(first, "1/")
    for reply in ("seed", "yes"):
        first.stdin.write(reply + "\n")
        first.stdin.flush()
    _read_until(first, "3/")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    second = _spawn(tmp_path, database_url, "restart-test")
    try:
        seen = _read_until(second, "3/")
        assert "Resuming interview restart-test" in seen
        assert "1/" not in seen.split("Resuming", 1)[1]  # no earlier question asked again
    finally:
        second.kill()
        second.wait(timeout=10)


def test_killed_process_resumes_at_the_same_question_on_sqlite(tmp_path: Path) -> None:
    _kill_mid_interview_then_resume(tmp_path, None)


@pytest.mark.postgres
def test_killed_process_resumes_at_the_same_question_on_postgres(
    tmp_path: Path, postgres_url: str
) -> None:
    _kill_mid_interview_then_resume(tmp_path, postgres_url)
