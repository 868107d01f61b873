"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

from typing import Annotated

import typer

from cctvscope.cli.render import err_console
from cctvscope.config import get_settings
from cctvscope.errors import CctvscopeError

DbOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="CCTVSCOPE_DATABASE_URL",
        help="Store URL (default sqlite:///./cctvscope.db).",
        show_default=False,
    ),
]

EXIT_INPUT_ERROR = 2


def store_url(option: str | None) -> str:
    """The store URL: the command's option, else the settings (environment or default)."""
    return option or get_settings().database_url


def fail(exc: CctvscopeError) -> typer.Exit:
    """Print a one-line error and return the exit (code 1) to raise."""
    err_console.print(f"[red]error:[/red] {exc}")
    return typer.Exit(code=1)
