"""Migrations create exactly the schema of ``store.tables``, idempotently, on both backends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from cctvscope.model.entities import ENTITY_TYPES
from cctvscope.store import init_store, save_estate, store_snapshot, upgrade_database
from cctvscope.store.migrate import (
    MIGRATIONS_DIR,
    at_head,
    current_revision,
    downgrade_database,
    head_revision,
    scanned_head_revision,
    schema_differences,
)
from cctvscope.store.tables import ESTATE_TABLES, GEOMETRY_TYPES, metadata
from tests.store.builders import make_estate

STORE_TABLES = {
    "estates",
    "boroughs",
    "control_rooms",
    "cameras",
    "links",
    "contracts",
    "evidence_stats",
    "cost_items",
    "findings",
    "runs",
    "cop_assessments",
    "evidence_requests",
    "request_cameras",
    "evidence_items",
    "private_registrations",
    "users",
    "user_boroughs",
    "api_tokens",
    "audit_log",
    "web_sessions",
    "web_jobs",
    "web_uploads",
    "login_failures",
    "regions",
    "region_areas",
    "region_layers",
    "region_small_areas",
    "region_crime_points",
    "region_features",
}


def test_migration_creates_every_table(store):
    names = set(sa.inspect(store).get_table_names())
    assert names >= STORE_TABLES
    assert "alembic_version" in names
    assert set(metadata.tables) == STORE_TABLES
    assert current_revision(store) == head_revision() == "0014"


def test_migrated_schema_equals_metadata(store):
    # What `alembic check` verifies: autogenerate finds nothing to add, drop or alter.
    assert schema_differences(store) == []


def test_columns_follow_the_entities(store):
    inspector = sa.inspect(store)
    for name, entity in ENTITY_TYPES.items():
        if name == "regions":
            continue
        expected = ["estate_id", "position", *entity.model_fields]
        if name in GEOMETRY_TYPES:
            expected.append("geometry")
        # ALTER TABLE appends: columns added by later migrations sit after geometry.
        assert sorted(c["name"] for c in inspector.get_columns(name)) == sorted(expected)
        assert [c.name for c in ESTATE_TABLES[name].columns] == expected
    nullable = {c["name"]: c["nullable"] for c in inspector.get_columns("cameras")}
    assert nullable["sensor_width_mm"] is True  # float | None
    assert nullable["control_room_id"] is True  # str | None
    assert nullable["camera_id"] is False
    unique = {i["name"]: i for i in inspector.get_indexes("cameras")}
    assert unique["ux_cameras_id"]["unique"]
    assert unique["ux_cameras_id"]["column_names"] == ["estate_id", "camera_id"]


def test_upgrade_is_idempotent(store, estate):
    save_estate(store, estate)
    before = store_snapshot(store)
    upgrade_database(store)
    init_store(store)
    assert store_snapshot(store) == before
    assert current_revision(store) == head_revision()


def test_downgrade_then_upgrade(store):
    downgrade_database(store, "base")
    assert not STORE_TABLES & set(sa.inspect(store).get_table_names())
    assert current_revision(store) is None
    upgrade_database(store)
    assert schema_differences(store) == []


def test_the_scanned_head_is_alembics_head():
    """The head read from the files without Alembic (the fast path of ``init_store``) is the
    one Alembic finds."""
    assert scanned_head_revision() == head_revision()


def test_at_head_only_for_a_store_recording_the_head(store):
    assert at_head(store)
    downgrade_database(store, "base")
    assert not at_head(store)  # Alembic's table is empty
    upgrade_database(store, "0007")
    assert not at_head(store)  # an older store is migrated by Alembic, not skipped
    upgrade_database(store)
    assert current_revision(store) == head_revision()
    assert schema_differences(store) == []
    assert at_head(store)


def test_a_database_without_alembics_table_is_not_at_head(tmp_path):
    assert not at_head(sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}"))


def test_migrations_ship_inside_the_package():
    package = Path(__import__("cctvscope").__file__).parent
    assert package / "store" / "migrations" == MIGRATIONS_DIR
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0001_initial.py").is_file()
    assert (package / "store" / "alembic.ini").is_file()


def test_alembic_command_line(tmp_path):
    # The ini file works for the alembic CLI too, given the URL with -x.
    db = tmp_path / "cli.db"
    ini = MIGRATIONS_DIR.parent / "alembic.ini"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "alembic",
            "-c",
            str(ini),
            "-x",
            f"url=sqlite:///{db}",
            "upgrade",
            "head",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        assert set(sa.inspect(engine).get_table_names()) >= STORE_TABLES
        assert schema_differences(engine) == []
        saved = save_estate(engine, make_estate())
        assert saved.version == 1
    finally:
        engine.dispose()
