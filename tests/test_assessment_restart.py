"""A process killed mid-interview and started again resumes at the same question."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest


def _spawn(data_dir: Path, database_url: str | None, thread: str) -> subprocess.Popen[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k == "ADVISOR_CACHE_DIR" or not k.startswith(("ADVISOR_", "ANTHROPIC_"))
    }
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


class _Output:
    """Collects a child's stderr on a thread, so the test can wait for text with a timeout."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.text = ""
        self._lock = threading.Lock()
        assert proc.stderr is not None
        threading.Thread(target=self._pump, args=(proc.stderr,), daemon=True).start()

    def _pump(self, stream) -> None:
        for char in iter(lambda: stream.read(1), ""):
            with self._lock:
                self.text += char

    def wait_for(self, marker: str, after: int = 0, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if marker in self.text[after:]:
                    return self.text
            time.sleep(0.05)
        raise AssertionError(f"never saw {marker!r}; got:\n{self.text}")


def _kill_mid_interview_then_resume(tmp_path: Path, database_url: str | None) -> None:
    first = _spawn(tmp_path, database_url, "restart-test")
    out = _Output(first)
    assert first.stdin is not None
    out.wait_for("1/")
    for reply in ("seed", "yes"):
        first.stdin.write(reply + "\n")
        first.stdin.flush()
    out.wait_for("3/")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    second = _spawn(tmp_path, database_url, "restart-test")
    try:
        seen = _Output(second).wait_for("3/")
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
