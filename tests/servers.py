"""Helpers for tests and benchmarks that start real servers on loopback."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(
    url: str,
    timeout: float = 60,
    log: Path | None = None,
    proc: subprocess.Popen | None = None,
) -> None:
    """Until `url` answers 200; else fail, with the end of the server's `log` if given, and
    at once if the server's `proc` has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{url}: the process exited ({proc.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    if log is None:
        raise AssertionError(f"{url} never answered")
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
    raise AssertionError(f"{url} never answered; the log ends:\n{tail}")
