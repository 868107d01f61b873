"""Alembic environment of the cctvscope store.

``upgrade_database`` passes an open connection in ``config.attributes``; the
``alembic`` command line (``alembic -c src/cctvscope/store/alembic.ini -x
url=sqlite:///cctvscope.db upgrade head``) gives a URL instead.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection

from cctvscope.store.engine import connect, parse_url
from cctvscope.store.migrate import include_name, include_object_for
from cctvscope.store.tables import metadata, register_spatial_events

register_spatial_events()  # also for the ``alembic`` command line

config = context.config
if config.config_file_name is not None and "connection" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the store URL: alembic -x url=sqlite:///FILE ...")
    return url


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=metadata,
        include_name=include_name,
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Emit SQL for a URL without connecting (``alembic upgrade head --sql``)."""
    url = parse_url(_url())
    _configure(
        url=url,
        literal_binds=True,
        include_object=include_object_for(url.get_backend_name()),
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_with(connection: Connection) -> None:
    _configure(connection=connection, include_object=include_object_for(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the caller's connection, or one opened from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return
    engine = connect(_url())
    try:
        with engine.begin() as conn:
            _run_with(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
