"""``cctvscope serve`` (the web app under uvicorn) and ``cctvscope user`` (accounts)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cctvscope.cli.common import EXIT_INPUT_ERROR, DbOption, fail, store_url
from cctvscope.cli.render import console, err_console, findings_table
from cctvscope.cli.validate import in_dir
from cctvscope.cli.validate import port as port_number
from cctvscope.cli.validate import workers as worker_count
from cctvscope.errors import CctvscopeError, InputError

if TYPE_CHECKING:
    from cctvscope.web.settings import WebSettings

user_app = typer.Typer(help="Web accounts: add users, list them, issue API tokens.")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", callback=port_number)] = 8000,
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Output folder of `cctvscope demo` or `report`.", callback=in_dir
        ),
    ] = Path("out"),
    estate: Annotated[
        str | None,
        typer.Option(
            "--estate", help="Estate shown (default: CCTVSCOPE_WEB_ESTATE_NAME, else london)."
        ),
    ] = None,
    database_url: DbOption = None,
    workers: Annotated[
        int,
        typer.Option(
            help="Server processes (production: one per core, with PostgreSQL as the store).",
            callback=worker_count,
        ),
    ] = 1,
) -> None:
    """Serve the web application (pages and JSON API) for one estate of any region."""
    import uvicorn

    from cctvscope.web.app import create_app
    from cctvscope.web.settings import WebSettings

    try:
        settings = WebSettings(database_url=store_url(database_url), output_dir=out)
        if estate is not None:
            settings = settings.model_copy(update={"estate_name": estate})
        app = create_app(settings)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    console.print(
        f"serving http://{host}:{port}/ (estate {settings.estate_name}, store "
        f"{settings.database_url}, outputs {out}, {workers} "
        f"{'process' if workers == 1 else 'processes'})"
    )
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
        return
    # Each worker process builds its own app from the environment; they share the store
    # and one session key (cookies signed by one are read by all).
    os.environ.update(worker_environment(settings))
    uvicorn.run(
        "cctvscope.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=False,
    )


def worker_environment(settings: WebSettings) -> dict[str, str]:
    """The ``CCTVSCOPE_WEB_*`` variables that rebuild ``settings`` in a worker process."""
    values = settings.model_dump(mode="json")
    return {f"CCTVSCOPE_WEB_{k.upper()}": str(v) for k, v in values.items() if v is not None}


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin, analyst, borough_manager, police or business.")],
    borough: Annotated[
        list[str] | None,
        typer.Option("--borough", help="GSS code of a borough the manager manages (repeat)."),
    ] = None,
    business_id: Annotated[
        str | None, typer.Option(help="Registry business id of a business user.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    database_url: DbOption = None,
) -> None:
    """Add a web account (the password is hashed with argon2)."""
    from cctvscope.store import init_store
    from cctvscope.web.accounts import add_user

    password = _password(password_stdin)
    try:
        engine = init_store(store_url(database_url))
        user = add_user(
            engine,
            username,
            password,
            role.replace("-", "_"),
            boroughs=borough or [],
            business_id=business_id,
        )
    except InputError as exc:
        err_console.print(findings_table(exc.findings, title=str(exc)))
        raise typer.Exit(code=EXIT_INPUT_ERROR) from exc
    except CctvscopeError as exc:
        raise fail(exc) from exc
    where = f" for {', '.join(sorted(user.boroughs))}" if user.boroughs else ""
    console.print(f"added {user.username} ({user.role.value}{where})")


@user_app.command("list")
def user_list(database_url: DbOption = None) -> None:
    """List the web accounts."""
    from cctvscope.store import init_store
    from cctvscope.web.accounts import list_users

    try:
        users = list_users(init_store(store_url(database_url)))
    except CctvscopeError as exc:
        raise fail(exc) from exc
    table = Table(title="Users")
    for col in ("username", "role", "boroughs", "business", "active"):
        table.add_column(col)
    for u in users:
        table.add_row(
            u.username,
            u.role.value,
            ", ".join(sorted(u.boroughs)),
            u.business_id or "",
            "yes" if u.active else "no",
        )
    console.print(table)


@user_app.command("token")
def user_token(
    username: Annotated[str, typer.Argument(help="Account the token acts as.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    database_url: DbOption = None,
) -> None:
    """Issue an API token (printed once; only its digest is stored)."""
    from cctvscope.store import init_store
    from cctvscope.web.accounts import create_token

    try:
        token = create_token(init_store(store_url(database_url)), username, label)
    except InputError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=EXIT_INPUT_ERROR) from exc
    except CctvscopeError as exc:
        raise fail(exc) from exc
    print(token)
