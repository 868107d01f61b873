"""Schema migrations (Alembic), run programmatically from the installed package."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import Engine

from cctvscope.store.engine import as_engine
from cctvscope.store.tables import metadata, register_spatial_events

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
"""The Alembic script directory shipped inside the package."""

#: ``revision = "0012"`` and ``down_revision = "0011"`` (or None) lines of a migration.
_REVISION_LINE = re.compile(
    r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:[\"']([^\"']+)[\"']|None)\s*$", re.M
)


def alembic_config() -> Config:
    """An Alembic config built in code, pointing at the packaged migrations."""
    from alembic.config import Config  # Alembic only where a migration may run

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest migration revision."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the packaged migrations have no head revision"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def scanned_head_revision() -> str | None:
    """The head revision read from the migration files' ``revision`` lines, without
    Alembic (importing it costs more than a whole cached police search); None when the
    files do not name exactly one head (then Alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found: dict[str, str | None] = {
            m.group(1): m.group(2) for m in _REVISION_LINE.finditer(path.read_text())
        }
        if found.get("revision") is None:
            return None
        revisions.add(str(found["revision"]))
        if found.get("down_revision"):
            parents.add(str(found["down_revision"]))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def at_head(engine: Engine) -> bool:
    """True when the store records exactly the head revision (nothing to migrate).

    A store without Alembic's table, or anything unexpected, answers False.
    """
    head = scanned_head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    except sa.exc.DBAPIError:  # no such table: a new or foreign database
        return False
    return [tuple(r) for r in rows] == [(head,)]


def upgrade_database(url: str | sa.URL | Engine, revision: str = "head") -> Engine:
    """Bring the store's schema up to ``revision`` in one transaction; a no-op when there.

    Returns the engine used, so a URL caller can keep working with it.
    """
    engine = as_engine(url)
    try:
        if revision == "head" and at_head(engine):
            return engine  # what Alembic would find, without importing it
        from alembic import command

        register_spatial_events()
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except BaseException:
        if engine is not url:
            engine.dispose()
        raise
    return engine


def downgrade_database(url: str | sa.URL | Engine, revision: str = "base") -> Engine:
    """Take the schema back to ``revision`` (``base`` drops every store table)."""
    from alembic import command

    register_spatial_events()
    engine = as_engine(url)
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    except BaseException:
        if engine is not url:
            engine.dispose()
        raise
    return engine


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Compare only the store's own tables (PostGIS adds ``spatial_ref_sys`` and others)."""
    if type_ == "table":
        return name in metadata.tables
    return True


def include_object_for(dialect: str) -> Callable[..., bool]:
    """An Alembic ``include_object`` hook that skips objects meant for another dialect.

    The GiST indexes exist only on PostgreSQL (``Index.ddl_if``); Alembic does not
    read ``ddl_if`` itself.
    """

    def include_object(
        obj: Any, _name: str | None, type_: str, _reflected: bool, _compare_to: Any
    ) -> bool:
        condition = getattr(obj, "_ddl_if", None) if type_ == "index" else None
        return condition is None or condition.dialect in (None, dialect)

    return include_object


def schema_differences(url: str | sa.URL | Engine) -> list[Any]:
    """Differences between the database schema and :data:`~cctvscope.store.tables.metadata`.

    Empty when the migrations create exactly the tables the code uses (what
    ``alembic check`` verifies).
    """
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    register_spatial_events()
    engine = as_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "include_name": include_name,
                    "include_object": include_object_for(engine.dialect.name),
                    "compare_type": True,
                },
            )
            return list(compare_metadata(context, metadata))
    finally:
        if engine is not url:
            engine.dispose()
