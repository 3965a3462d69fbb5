"""`advisor`: the command line face. Each command group lives in its own module."""

from __future__ import annotations

import typer

from bot.cli import (
    assess_cmds,
    audit_cmds,
    db_cmds,
    digest_cmds,
    eval_cmds,
    knowledge_cmds,
    serve_cmds,
    train_cmds,
)

app = typer.Typer(
    name="advisor",
    help="Fractional Advisor: cited advice on the technical leadership your AI work needs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
knowledge_cmds.register(app)
eval_cmds.register(app)
assess_cmds.register(app)
audit_cmds.register(app)
db_cmds.register(app)
digest_cmds.register(app)
serve_cmds.register(app)
train_cmds.register(app)


def main() -> None:
    app()
