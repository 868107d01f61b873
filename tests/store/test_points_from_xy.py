"""An imported camera table is saved with points built from x_m/y_m a batch at a time.

The import never holds a shapely point per camera: the store builds each batch's
points when it writes the batch, and the input hash builds each piece's. Checked
against second methods: the WKB bytes of a 2D point written by hand (byte order,
type, x, y), and the same estate saved the old way, with every point built at once.
"""

from __future__ import annotations

import struct
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import shapely
import sqlalchemy as sa

from cctvscope.model.estate import ID_COLUMNS, table_csv_chunks
from cctvscope.model.frames import with_points
from cctvscope.store import load_estate, save_estate
from cctvscope.store import repository as repo
from cctvscope.workflows.imports import ImportRequest, TableImportOutcome, import_file

#: Twelve cameras in central London (Westminster, Camden, the City, Southwark).
LON_LAT = [
    (-0.1246, 51.5007), (-0.1419, 51.5014), (-0.1276, 51.5080), (-0.1337, 51.5194),
    (-0.1426, 51.5390), (-0.0922, 51.5155), (-0.0759, 51.5081), (-0.0877, 51.5045),
    (-0.0990, 51.5033), (-0.1181, 51.5111), (-0.1062, 51.5136), (-0.1503, 51.5136),
]  # fmt: skip


Imported = tuple[sa.Engine, TableImportOutcome]


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "twelve.csv"
    lines = ["id,lon,lat,hfov_deg,heading_deg,mount_height_m"]
    lines += [f"P{i:02d},{lon},{lat},60,{i * 30},6" for i, (lon, lat) in enumerate(LON_LAT)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _point_wkb(x_m: float, y_m: float) -> bytes:
    """ISO WKB of a 2D point: little-endian flag 1, type 1 (Point), x, y as doubles."""
    return struct.pack("<BIdd", 1, 1, x_m, y_m)


@pytest.fixture
def imported(store: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Imported:
    """The twelve cameras imported into a store on each backend with batches of 5 rows
    (3 batches: 5, 5, 2)."""
    monkeypatch.setattr(repo, "SAVE_BATCH_ROWS", 5)
    return store, import_file(store, "e", ImportRequest("cameras", _csv(tmp_path)))


def test_stored_points_are_the_wkb_of_x_and_y(imported: Imported) -> None:
    engine, outcome = imported
    cams = outcome.estate.cameras
    assert "geometry" not in cams.columns  # no shapely point held for the import
    # PostGIS: the geometry's WKB as PostGIS writes it, and its SRID.
    postgis = engine.dialect.name == "postgresql"
    wkb = "ST_AsBinary(c.geometry, 'NDR')" if postgis else "c.geometry"
    srid = "ST_SRID(c.geometry)" if postgis else "27700"
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                f"SELECT c.camera_id, c.x_m, c.y_m, {wkb}, {srid} FROM cameras c "
                "JOIN estates e ON e.id = c.estate_id ORDER BY c.position"
            )
        ).all()
    assert [r[0] for r in rows] == [f"P{i:02d}" for i in range(12)]
    assert {r[4] for r in rows} == {27700}
    for _cid, x_m, y_m, blob, _srid in rows:
        assert 500_000 < x_m < 560_000 and 170_000 < y_m < 190_000  # BNG, central London
        assert bytes(blob) == _point_wkb(x_m, y_m)
    loaded = load_estate(engine, "e").cameras
    direct = shapely.points(loaded["x_m"].to_numpy(), loaded["y_m"].to_numpy())
    assert shapely.equals_exact(loaded.geometry.to_numpy(), direct, tolerance=0).all()


def test_saved_as_if_every_point_were_built_at_once(imported: Imported) -> None:
    """The old path (a shapely point per row, built before saving) stores the same rows
    and the same input hash."""
    engine, outcome = imported
    estate = outcome.estate
    old_way = replace(estate.replace_tables(cameras=with_points(estate.cameras)), name="old")
    saved = save_estate(engine, old_way)
    assert saved.input_hash() == estate.input_hash()
    with engine.connect() as conn:
        stored = dict(conn.execute(sa.text("SELECT name, input_hash FROM estates")).all())
    assert stored == {"e": estate.input_hash(), "old": estate.input_hash()}
    new_rows = load_estate(engine, "e")
    old_rows = load_estate(engine, "old")
    pd.testing.assert_frame_equal(new_rows.cameras, old_rows.cameras)
    assert new_rows.input_hash() == old_rows.input_hash() == estate.input_hash()


@pytest.mark.parametrize("chunk_rows", [1, 5, 12])
def test_hash_text_with_points_from_x_and_y(imported: Imported, chunk_rows: int) -> None:
    """Hashed in pieces, a table without geometry reads as the table with its points."""
    _engine, outcome = imported
    cams = outcome.estate.cameras
    ids = ID_COLUMNS["cameras"]
    with_geometry = "".join(table_csv_chunks(with_points(cams), ids, chunk_rows=12))
    built = "".join(table_csv_chunks(cams, ids, chunk_rows=chunk_rows, points=True))
    assert built == with_geometry
    # The geometry cell is the hand-written WKB of the row's x and y, in hex.
    first = cams.sort_values("camera_id").iloc[0]
    header, row = with_geometry.splitlines()[:2]
    assert header.split(",")[-1] == "geometry"
    assert row.split(",")[-1] == _point_wkb(first["x_m"], first["y_m"]).hex().upper()
