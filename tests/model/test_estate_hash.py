"""The estate's input hash, written in pieces, equals the whole-table computation."""

from __future__ import annotations

import hashlib
import io

import geopandas as gpd
import pandas as pd

from cctvscope.model.estate import ID_COLUMNS, TABLES, table_csv_chunks
from tests.store.builders import make_cameras, make_estate


def whole_table_hash(estate) -> str:
    """The hash as first written: every table copied, sorted and written out whole."""
    digest = hashlib.sha256()
    digest.update(estate.region.model_dump_json().encode())
    for name in TABLES:
        frame = pd.DataFrame(estate.table(name)).copy()
        if "geometry" in frame.columns:
            frame["geometry"] = gpd.GeoSeries(frame["geometry"]).to_wkb(hex=True)
        frame = frame.sort_values(ID_COLUMNS[name]).reset_index(drop=True)
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, float_format="%.17g")
        digest.update(name.encode())
        digest.update(buffer.getvalue().encode())
    return digest.hexdigest()


def test_hash_in_pieces_equals_the_whole_table_hash(monkeypatch) -> None:
    monkeypatch.setattr("cctvscope.model.estate.HASH_CHUNK_ROWS", 50)  # six pieces of cameras
    small = make_estate()
    many = make_cameras(257).sample(frac=1.0, random_state=3)  # rows out of id order
    estate = small.replace_tables(cameras=many)
    assert estate.input_hash() == whole_table_hash(estate)


def test_pieces_of_any_size_join_to_the_whole_csv() -> None:
    cameras = make_cameras(101).sample(frac=1.0, random_state=1)  # unsorted rows
    whole = "".join(table_csv_chunks(cameras, ["camera_id"], chunk_rows=10**6))
    for size in (1, 7, 100, 101):
        assert "".join(table_csv_chunks(cameras, ["camera_id"], chunk_rows=size)) == whole
    lines = whole.splitlines()
    assert lines[0].startswith("camera_id,") and len(lines) == 102
    ids = [line.split(",", 1)[0] for line in lines[1:]]
    assert ids == sorted(ids)


def test_an_empty_table_is_its_header() -> None:
    empty = make_cameras(0)
    (only,) = list(table_csv_chunks(empty, ["camera_id"], chunk_rows=5))
    assert only.strip() == ",".join(empty.columns)
