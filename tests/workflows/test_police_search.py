"""The police search's cached lookup: answers as a fresh one, rebuilt when stale or damaged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from cctvscope.evidence.registry import (
    Actor,
    consenting_camera_ids,
    save_registrations,
    seed_registrations,
)
from cctvscope.model import Camera, Estate
from cctvscope.model.frames import records_to_frame, with_points
from cctvscope.store import init_store, load_estate, save_estate
from cctvscope.store.registry_tables import private_registrations
from cctvscope.workflows.police_search import (
    candidates_at,
    police_lookup,
    police_search,
    search_point,
    search_point_rows,
)
from tests.conftest import make_camera

N_CAMERAS = 60
INCIDENT = dt.datetime(2024, 4, 8, 21, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)


def _camera(i: int, rng: np.random.Generator) -> Camera:
    # Every fifth camera private: Shop A's consent to share, Shop B's do not.
    owner = "private" if i % 5 == 0 else "council"
    operator = ("Shop A" if i % 10 == 0 else "Shop B") if owner == "private" else "Test Council"
    return make_camera(
        f"c{i:03d}",
        "E09000001",
        round(500_100 + rng.uniform(0, 200), 1),
        round(180_100 + rng.uniform(0, 200), 1),
        heading_deg=float(round(rng.uniform(0, 360)) % 360),
        hfov_deg=float(rng.choice([40.0, 60.0, 90.0])),
        retention_days=int(rng.choice([7, 31, 90])),
        owner_type=owner,
        operator=operator,
    )


@pytest.fixture
def estate(tiny_estate: Estate) -> Estate:
    rng = np.random.default_rng(18)
    cameras = records_to_frame(Camera, [_camera(i, rng) for i in range(N_CAMERAS)])
    return tiny_estate.replace_tables(cameras=with_points(cameras))


@pytest.fixture
def engine(tmp_path: Path, estate: Estate) -> sa.Engine:
    engine = init_store(f"sqlite:///{tmp_path / 'store.db'}")
    save_estate(engine, estate)
    rows = seed_registrations(estate, registered_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    rows["consent_share"] = rows["business_id"] == "shop-a"
    save_registrations(engine, "tiny", rows)
    return engine


def _points(estate: Estate) -> list[tuple[float, float]]:
    """Five metres in front of every camera (seen by it at least), and random points."""
    cams = estate.cameras
    bearing = np.radians(cams["heading_deg"].to_numpy(float))
    ahead = np.column_stack(
        [cams["x_m"] + 5.0 * np.sin(bearing), cams["y_m"] + 5.0 * np.cos(bearing)]
    )
    rng = np.random.default_rng(7)
    spread = rng.uniform([500_050, 180_050], [500_350, 180_350], (60, 2))
    return [(float(x), float(y)) for x, y in np.vstack([ahead, spread])]


def _fresh(engine: sa.Engine, name: str = "tiny") -> list[pd.DataFrame]:
    estate = load_estate(engine, name)
    lookup = police_lookup(engine, estate)
    return [
        candidates_at(lookup, estate, x, y, incident_at=INCIDENT, now=NOW)
        for x, y in _points(estate)
    ]


def _cached(engine: sa.Engine, cache: Path) -> list[pd.DataFrame]:
    estate = load_estate(engine, "tiny")
    return [
        search_point(engine, "tiny", x, y, cache_dir=cache, incident_at=INCIDENT, now=NOW)
        for x, y in _points(estate)
    ]


def _assert_same(got: list[pd.DataFrame], want: list[pd.DataFrame]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        pd.testing.assert_frame_equal(g, w)


def test_cached_answers_equal_fresh_answers(engine, estate, tmp_path):
    cache = tmp_path / "cache"
    first = police_search(engine, "tiny", cache_dir=cache)
    again = police_search(engine, "tiny", cache_dir=cache)
    assert first.built and not again.built and first.key == again.key
    want = _fresh(engine)
    _assert_same(_cached(engine, cache), want)
    found = pd.concat(want)
    # Every camera but Shop B's (private, no consent) is found in front of itself.
    shop_b = {f"c{i:03d}" for i in range(0, N_CAMERAS, 5) if i % 10 != 0}
    assert set(found["camera_id"]) == {f"c{i:03d}" for i in range(N_CAMERAS)} - shop_b
    assert set(found["retention_days"]) == {7, 31, 90}
    assert found["within_retention"].isin([True, False]).all()
    # The cache holds only what the police may search: Shop B's cameras are not in it.
    assert not shop_b & set(again.attributes["camera_id"])
    assert len(again.attributes) == N_CAMERAS - len(shop_b)


def test_rows_without_pandas_equal_the_fresh_tables_records(engine, tmp_path):
    # search_point_rows (the CLI's table, no pandas) against a fresh lookup's DataFrame:
    # the same cameras, order, distances and retention, both when built and when cached.
    cache = tmp_path / "cache"
    estate = load_estate(engine, "tiny")
    want = [w.to_dict("records") for w in _fresh(engine)]
    assert sum(len(w) for w in want) > N_CAMERAS  # many points see several cameras
    assert any(r["within_retention"] is False for w in want for r in w)
    for _ in ("built", "cached"):
        got = [
            search_point_rows(engine, "tiny", x, y, cache_dir=cache, incident_at=INCIDENT, now=NOW)
            for x, y in _points(estate)
        ]
        assert got == want
        assert not police_search(engine, "tiny", cache_dir=cache).built
    without = search_point_rows(engine, "tiny", *_points(estate)[0], cache_dir=cache)
    assert [r["camera_id"] for r in without] == [r["camera_id"] for r in want[0]]
    assert all("retention_ends_at" not in r for r in without)


def test_the_key_is_read_from_the_consenting_ids_alone(engine, tmp_path):
    # Shop A's cameras are every tenth (private and consenting); Shop B's do not consent.
    assert consenting_camera_ids(engine, "tiny", Actor.police()) == [
        f"c{i:03d}" for i in range(0, N_CAMERAS, 10)
    ]
    assert consenting_camera_ids(engine, "tiny", Actor.analyst()) == []
    assert consenting_camera_ids(engine, "tiny", Actor.business("shop-b")) == []
    built = police_search(engine, "tiny", cache_dir=tmp_path)
    again = police_search(engine, "tiny", cache_dir=tmp_path)
    # The narrow query's key finds what was built from the full registrations.
    assert built.built and not again.built and again.key == built.key


def test_a_new_version_or_consent_gives_a_new_key(engine, estate, tmp_path):
    cache = tmp_path / "cache"
    v1 = police_search(engine, "tiny", cache_dir=cache)
    moved = estate.cameras.copy()
    moved.loc[0, "x_m"] += 30.0  # c000 (Shop A, consenting) moves 30 m east
    save_estate(engine, estate.replace_tables(cameras=with_points(moved.drop(columns="geometry"))))
    v2 = police_search(engine, "tiny", cache_dir=cache)
    assert v2.built and v2.version == v1.version + 1 and v2.key != v1.key
    (estate_folder,) = cache.iterdir()
    assert [p.name for p in estate_folder.iterdir()] == [v2.key]  # v1's folder removed
    x = float(moved.loc[0, "x_m"])
    got = v2.lookup.cameras_at(x, float(moved.loc[0, "y_m"]))
    assert "c000" in set(got["camera_id"])
    _assert_same(_cached(engine, cache), _fresh(engine))
    # Shop B now consents to share: same version, another key, its cameras searchable.
    with engine.begin() as connection:
        connection.execute(sa.update(private_registrations).values(consent_share=True))
    v3 = police_search(engine, "tiny", cache_dir=cache)
    assert v3.built and v3.version == v2.version and v3.key != v2.key
    assert len(v3.attributes) == N_CAMERAS
    _assert_same(_cached(engine, cache), _fresh(engine))


@pytest.mark.parametrize(
    ("damage", "caught_on_read"),
    [
        ("delete manifest.json", True),
        ("delete bounds.npy", True),
        ("truncate wkb.npy", True),
        ("empty polygon_rank.npy", True),
        ("flip bounds.npy", True),
        ("flip attributes.json", True),
        ("flip wkb.npy", False),  # same size, not hashed: its CRC catches it on a query
    ],
)
def test_a_damaged_or_missing_cache_is_rebuilt(engine, tmp_path, damage, caught_on_read):
    cache = tmp_path / "cache"
    first = police_search(engine, "tiny", cache_dir=cache)
    folder = next(cache.iterdir()) / first.key
    action, name = damage.split()
    path = folder / name
    if action == "delete":
        path.unlink()
    elif action == "truncate":
        path.write_bytes(path.read_bytes()[:-100])
    elif action == "empty":
        path.write_bytes(b"")
    else:
        data = bytearray(path.read_bytes())
        at = len(data) - 200 if name != "wkb.npy" else 200  # inside the data, past the header
        data[at] ^= 0xFF
        path.write_bytes(bytes(data))
    second = police_search(engine, "tiny", cache_dir=cache)
    assert second.built is caught_on_read
    want = _fresh(engine)
    _assert_same(_cached(engine, cache), want)  # a CRC failure while answering rebuilds too
    kept = police_search(engine, "tiny", cache_dir=cache)
    assert not kept.built  # the rebuild is kept...
    kept.lookup.verify()  # ...and is whole (the flipped WKB byte is gone)


def test_the_command_answers_from_the_cache(engine, estate, tmp_path):
    from typer.testing import CliRunner

    from cctvscope.cli.main import app

    cache = tmp_path / "cache"
    url = str(engine.url)
    (x, y), *_ = _points(load_estate(engine, "tiny"))
    want = _fresh(engine)[0]
    for run in range(2):  # builds the cache, then reads it
        out = tmp_path / f"c{run}.csv"
        args = ["evidence", "cameras-at", "--estate", "tiny", "--x", str(x), "--y", str(y)]
        args += ["--out", str(out), "--database-url", url, "--cache-dir", str(cache)]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        got = pd.read_csv(out)
        assert list(got["camera_id"]) == list(want["camera_id"]) and len(got) >= 1
        assert got["distance_m"].tolist() == pytest.approx(want["distance_m"].tolist())
    assert len(list(cache.iterdir())) == 1
    # The default cache folder is beside the SQLite store.
    default = Path(str(engine.url.database)).with_name("store.db.lookup-cache")
    result = CliRunner().invoke(app, args[:-2])
    assert result.exit_code == 0, result.output
    assert default.is_dir()


def test_a_cache_that_cannot_be_written_still_answers(engine, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")  # the cache folder cannot be made under a file
    first = police_search(engine, "tiny", cache_dir=blocked / "cache")
    again = police_search(engine, "tiny", cache_dir=blocked / "cache")
    assert first.built and again.built  # nothing kept, every call builds
    x, y = _points(load_estate(engine, "tiny"))[0]
    got = candidates_at(first.lookup, first.attributes, x, y, incident_at=INCIDENT, now=NOW)
    pd.testing.assert_frame_equal(got, _fresh(engine)[0])
