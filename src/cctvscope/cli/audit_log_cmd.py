"""``cctvscope audit verify``: walk the audit log's hash chain and report the first broken row."""

from __future__ import annotations

import typer

from cctvscope.cli.common import DbOption, fail, store_url
from cctvscope.errors import CctvscopeError

audit_app = typer.Typer(help="The web app's audit log.", no_args_is_help=True)

EXIT_CHAIN_BROKEN = 3
"""Exit status when a row was edited, removed or inserted out of the chain."""


@audit_app.command("verify")
def audit_verify(database_url: DbOption = None) -> None:
    """Check that no audit row was edited, removed or inserted out of order.

    Exit 0 when the chain is intact, 3 at the first broken row (named with the reason).
    """
    from cctvscope.cli.render import console, err_console
    from cctvscope.store import init_store
    from cctvscope.store.audit_rows import verify_chain

    try:
        engine = init_store(store_url(database_url))
        with engine.connect() as connection:
            check = verify_chain(connection)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    if not check.intact:
        err_console.print(
            f"[red]audit log broken[/red] at row id {check.broken_id} (row {check.rows} in id "
            f"order): {check.reason}; rows before it are intact"
        )
        raise typer.Exit(code=EXIT_CHAIN_BROKEN)
    console.print(f"audit log intact: {check.rows:,} rows, each chained onto the one before")
