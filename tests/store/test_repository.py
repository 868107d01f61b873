"""Saving, loading, versioning, deleting estates and recording runs, on both backends."""

from __future__ import annotations

import datetime as dt
import math
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cctvscope.errors import StoreError, UnknownEstateError
from cctvscope.model.estate import TABLES
from cctvscope.store import (
    delete_estate,
    list_estates,
    list_runs,
    load_estate,
    record_run,
    repository,
    save_estate,
    store_snapshot,
)
from tests.store.builders import make_cameras, make_estate


def assert_same_estate(loaded, expected):
    """Every table equal (values, dtypes, column order, geometry, CRS) and the same hash."""
    assert loaded.name == expected.name
    assert loaded.region == expected.region
    for name in TABLES:
        got, want = loaded.table(name), expected.table(name)
        if isinstance(want, gpd.GeoDataFrame):
            assert isinstance(got, gpd.GeoDataFrame)
            assert got.crs.to_epsg() == 27700
            assert got.geometry.name == "geometry"
            assert bool(shapely.equals_exact(got.geometry.array, want.geometry.array, 0).all())
            got, want = (
                pd.DataFrame(got.drop(columns="geometry")),
                pd.DataFrame(want.drop(columns="geometry")),
            )
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert loaded.input_hash() == expected.input_hash()


def test_round_trip_reproduces_every_table(store, estate):
    saved = save_estate(store, estate, description="fixture")
    assert saved.version == 1
    loaded = load_estate(store, "testville")
    assert loaded.version == 1
    assert_same_estate(loaded, estate)
    assert_same_estate(saved, estate)
    assert dict(loaded.metadata) == {"built_by": "tests", "seed": 7, "sources": ["fixture"]}
    # Values that are easy to lose on the way: None, tuples, dates, booleans, exact floats.
    cams = loaded.cameras.set_index("camera_id")
    assert cams.loc["B-1", "ptz"] is np.True_
    assert cams.loc["B-1", "defaulted_fields"] == "fps;retention_days"
    assert cams.loc["A-1", "onvif_profiles"] == "S;G;T"
    assert cams.loc["A-1", "export_formats"] == ""
    assert math.isnan(cams.loc["A-1", "sensor_width_mm"])
    assert cams.loc["A-2", "control_room_id"] is None
    assert cams.loc["B-2", "x_m"] == 531_000.0 + (0.1 + 0.2)
    assert cams.loc["B-1", "location_text"] == "Junction of A and B, outside the café"
    assert loaded.control_rooms.loc[1, "borough_code"] is None
    assert loaded.contracts.loc[0, "end_date"] == dt.date(2026, 3, 31)
    assert loaded.boroughs.geometry[2].geom_type == "MultiPolygon"
    assert loaded.boroughs.geometry[2].area == pytest.approx(1_200_000.0)
    assert loaded.cameras.geometry[0].equals(shapely.Point(530_100.25, 180_100.5))


def test_findings_round_trip(store, estate):
    save_estate(store, estate)
    found = load_estate(store, "testville").findings
    assert found.to_dict("records") == [
        {
            "table": "cameras",
            "record_id": "B-2",
            "row": 4,
            "field": "fps",
            "value": "0",
            "reason": "fps defaulted",
            "source": "survey.csv",
        },
        {
            "table": "cameras",
            "record_id": None,
            "row": None,
            "field": None,
            "value": None,
            "reason": "file has no header comment",
            "source": "survey.csv",
        },
    ]


def test_row_order_is_kept(store, estate):
    reversed_cameras = estate.cameras.iloc[::-1].reset_index(drop=True)
    saved = save_estate(store, estate.replace_tables(cameras=reversed_cameras))
    loaded = load_estate(store, "testville")
    assert list(loaded.cameras["camera_id"]) == ["C-1", "B-2", "B-1", "A-2", "A-1"]
    assert loaded.input_hash() == saved.input_hash() == estate.input_hash()


def test_findings_saved_in_batches_keep_their_order(store, estate, monkeypatch):
    # One finding a batch: the fixture's two findings go in two inserts.
    monkeypatch.setattr(repository, "SAVE_BATCH_ROWS", 1)
    save_estate(store, estate)
    found = load_estate(store, "testville").findings
    assert found["reason"].tolist() == ["fps defaulted", "file has no header comment"]
    assert found["record_id"].tolist()[0] == "B-2" and found["row"].tolist()[0] == 4


def test_rows_saved_in_batches_keep_their_order_and_values(store, estate, monkeypatch):
    # Batches of two rows: the five cameras go in three inserts, and a failure in the
    # last batch still leaves the store as it was.
    monkeypatch.setattr(repository, "SAVE_BATCH_ROWS", 2)
    reversed_cameras = estate.cameras.iloc[::-1].reset_index(drop=True)
    saved = save_estate(store, estate.replace_tables(cameras=reversed_cameras))
    loaded = load_estate(store, "testville")
    assert list(loaded.cameras["camera_id"]) == ["C-1", "B-2", "B-1", "A-2", "A-1"]
    assert_same_estate(loaded, saved)
    before = store_snapshot(store)
    real_insert = repository._insert_rows
    sizes: list[int] = []

    def fail_at_third_batch(connection, table, estate_id, rows):
        if table.name == "cameras":
            sizes.append(len(rows))
            if len(sizes) == 3:
                raise RuntimeError("disk on fire")
        real_insert(connection, table, estate_id, rows)

    monkeypatch.setattr(repository, "_insert_rows", fail_at_third_batch)
    with pytest.raises(RuntimeError, match="disk on fire"):
        save_estate(store, estate)
    assert sizes == [2, 2, 1]
    assert store_snapshot(store) == before


def test_empty_tables_round_trip(store, estate):
    empty = estate.replace_tables(
        cameras=estate.cameras.iloc[0:0],
        links=estate.links.iloc[0:0],
        findings=estate.findings.iloc[0:0],
    )
    save_estate(store, empty)
    loaded = load_estate(store, "testville")
    assert len(loaded.cameras) == 0
    assert isinstance(loaded.cameras, gpd.GeoDataFrame)
    assert list(loaded.cameras.columns) == list(estate.cameras.columns)
    assert loaded.cameras.dtypes.equals(estate.cameras.dtypes)
    assert loaded.input_hash() == empty.input_hash()
    assert list_estates(store)[0].cameras == 0


def test_versions(store, estate):
    first = save_estate(store, estate, description="first")
    fewer = estate.replace_tables(cameras=estate.cameras.iloc[:3])
    second = save_estate(store, fewer, description="second")
    save_estate(store, make_estate("another"))
    assert (first.version, second.version) == (1, 2)
    latest = load_estate(store, "testville")
    assert latest.version == 2
    assert len(latest.cameras) == 3
    assert_same_estate(load_estate(store, "testville", 1), estate)
    assert_same_estate(load_estate(store, "testville", 2), fewer)
    infos = list_estates(store)
    assert [(i.name, i.version, i.cameras, i.description) for i in infos] == [
        ("another", 1, 5, ""),
        ("testville", 2, 3, "second"),
        ("testville", 1, 5, "first"),
    ]
    assert infos[1].input_hash == fewer.input_hash()
    assert infos[2].input_hash == estate.input_hash()
    assert infos[0].created_at.tzinfo is dt.UTC
    assert abs(infos[0].created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_save_ignores_the_estates_own_version(store, estate):
    save_estate(store, estate)
    assert save_estate(store, load_estate(store, "testville")).version == 2


def test_failed_save_changes_nothing(store, estate, monkeypatch):
    save_estate(store, estate)
    before = store_snapshot(store)
    assert before["cameras"] == 5
    assert before["estates"] == 1

    real_insert = repository._insert_rows

    def fail_at_cameras(connection, table, estate_id, rows):
        if table.name == "cameras":
            raise RuntimeError("disk on fire")
        real_insert(connection, table, estate_id, rows)

    monkeypatch.setattr(repository, "_insert_rows", fail_at_cameras)
    with pytest.raises(RuntimeError, match="disk on fire"):
        save_estate(store, estate)
    assert store_snapshot(store) == before
    assert [i.version for i in list_estates(store)] == [1]


def test_duplicate_ids_reject_the_whole_save(store, estate):
    save_estate(store, estate)
    before = store_snapshot(store)
    twice = pd.concat([estate.cameras, estate.cameras.iloc[[0]]], ignore_index=True)
    duplicated = estate.replace_tables(cameras=gpd.GeoDataFrame(twice, crs=estate.cameras.crs))
    with pytest.raises(StoreError, match="saving estate 'testville'"):
        save_estate(store, duplicated)
    assert store_snapshot(store) == before
    # The failure left no transaction or lock behind: the next save works.
    assert save_estate(store, estate).version == 2


def test_unknown_estate_lists_what_exists(store, estate):
    with pytest.raises(
        UnknownEstateError, match="no estate named 'nowhere'; the store holds no estates"
    ):
        load_estate(store, "nowhere")
    save_estate(store, estate)
    save_estate(store, estate)
    save_estate(store, make_estate("alpha"))
    with pytest.raises(UnknownEstateError) as caught:
        load_estate(store, "nowhere")
    assert "alpha (version 1), testville (versions 1-2)" in str(caught.value)
    with pytest.raises(
        UnknownEstateError, match="'testville' has no version 7; its versions: 1, 2"
    ):
        load_estate(store, "testville", 7)


def test_delete(store, estate):
    save_estate(store, estate)
    save_estate(store, estate)
    save_estate(store, make_estate("keep"))
    record_run(store, "testville", 1, "assess", {}, estate.input_hash(), {})
    assert delete_estate(store, "testville", 1) == 1
    assert [(i.name, i.version) for i in list_estates(store)] == [("keep", 1), ("testville", 2)]
    assert list_runs(store) == []
    with pytest.raises(UnknownEstateError):
        delete_estate(store, "testville", 1)
    assert delete_estate(store, "testville") == 1
    with pytest.raises(UnknownEstateError, match="keep"):
        delete_estate(store, "testville")
    counts = store_snapshot(store)
    assert counts["estates"] == 1
    assert counts["cameras"] == 5  # only "keep" is left
    assert counts["findings"] == 2
    delete_estate(store, "keep")
    assert set(store_snapshot(store).values()) == {0}


def test_runs(store, estate):
    saved = save_estate(store, estate)
    other = save_estate(store, make_estate("other"))
    options = {
        "seed": None,
        "year": np.int64(2024),
        "share": np.float64(0.25),
        "when": dt.date(2024, 4, 1),
        "path": Path("/tmp/x.csv"),
        "boroughs": ("E09000001", "E09000002"),
    }
    result = {"cameras": 5, "coverage": float("nan"), "nested": {"a": [1, 2.5]}}
    first = record_run(store, "testville", 1, "assess", options, saved.input_hash(), result)
    second = record_run(
        store, "other", 1, "plan", {}, other.input_hash(), {"error": "x"}, status="failed"
    )
    assert second > first
    runs = list_runs(store)
    assert [(r.id, r.kind, r.estate_name, r.estate_version, r.status) for r in runs] == [
        (first, "assess", "testville", 1, "ok"),
        (second, "plan", "other", 1, "failed"),
    ]
    run = runs[0]
    assert run.options == {
        "seed": None,
        "year": 2024,
        "share": 0.25,
        "when": "2024-04-01",
        "path": "/tmp/x.csv",
        "boroughs": ["E09000001", "E09000002"],
    }
    assert run.result == {"cameras": 5, "coverage": None, "nested": {"a": [1, 2.5]}}
    assert run.input_hash == saved.input_hash()
    assert run.cctvscope_version == __import__("cctvscope").__version__
    assert run.created_at.tzinfo is dt.UTC
    assert [r.kind for r in list_runs(store, "other")] == ["plan"]
    assert list_runs(store, "nobody") == []


def test_run_on_unknown_estate(store, estate):
    save_estate(store, estate)
    before = store_snapshot(store)
    with pytest.raises(UnknownEstateError, match="its versions: 1"):
        record_run(store, "testville", 2, "assess", {}, "x", {})
    with pytest.raises(StoreError, match="cannot store a object"):
        record_run(store, "testville", 1, "assess", {"bad": object()}, "x", {})
    assert store_snapshot(store) == before


def test_rejects_what_it_cannot_keep(store, estate):
    extra = estate.cameras.assign(index_right=1)
    with pytest.raises(StoreError, match="index_right"):
        save_estate(store, estate.replace_tables(cameras=extra))
    with pytest.raises(StoreError, match="EPSG:4326"):
        save_estate(store, estate.replace_tables(boroughs=estate.boroughs.to_crs("EPSG:4326")))
    with pytest.raises(StoreError, match="metadata"):
        save_estate(store, estate.replace_tables(metadata={"f": print}))
    assert set(store_snapshot(store).values()) == {0}


def test_point_geometry_built_when_missing(store, estate):
    plain = pd.DataFrame(estate.cameras.drop(columns="geometry"))
    saved = save_estate(store, estate.replace_tables(cameras=plain))
    assert saved.input_hash() == estate.input_hash()
    assert load_estate(store, "testville").input_hash() == estate.input_hash()


def test_url_instead_of_engine(tmp_path, estate):
    url = f"sqlite:///{tmp_path / 'by-url.db'}"
    repository.init_store(url).dispose()
    assert save_estate(url, estate).version == 1
    assert load_estate(url, "testville").input_hash() == estate.input_hash()
    assert [i.name for i in list_estates(url)] == ["testville"]


def test_bulk_save_and_load_is_fast(store, estate):
    """~35,000 cameras (the size of London's public estate) save and load in seconds."""
    big = estate.replace_tables(cameras=make_cameras(35_000))
    started = time.perf_counter()
    saved = save_estate(store, big)
    saved_s = time.perf_counter() - started
    started = time.perf_counter()
    loaded = load_estate(store, "testville")
    loaded_s = time.perf_counter() - started
    assert len(loaded.cameras) == 35_000
    assert loaded.input_hash() == saved.input_hash() == big.input_hash()
    # Generous bounds (measured ~1.5 s and ~0.6 s): they catch a per-row ORM regression.
    assert saved_s < 20
    assert loaded_s < 20
