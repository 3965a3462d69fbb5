"""What every command shares: settings, logging, the advisor, clean exits."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from bot.observability import configure_logging
from graphs.runtime import Advisor
from knowledge.priority import lower_this_process
from knowledge.settings import Settings

log = logging.getLogger(__name__)
console = Console(stderr=True, soft_wrap=True)
EXIT_USAGE = 2


def fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        fail(f"invalid configuration: {problems}", EXIT_USAGE)


@contextmanager
def open_advisor(*, ingesting: bool = False) -> Iterator[Advisor]:
    """The advisor for one command; `ingesting`: a batch of notes, run at the OS priority
    `ADVISOR_INGEST_PRIORITY` sets, so the replicas' answers on this box come first."""
    settings = load_settings()
    configure_logging(settings)
    if ingesting:
        log.info("ingesting at %s priority", lower_this_process(settings.ingest_priority))
    advisor = Advisor.open(settings)
    try:
        yield advisor
    finally:
        advisor.close()


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
