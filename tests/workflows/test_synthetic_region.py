"""A calibrated synthetic fill for any region: ``estate create --synthetic --council-counts``.

The small Stockport test region (two wards, three small areas, three crimes inside)
gets a synthetic estate from a counts table. Every figure is worked out here from
the test's own files (ward boxes projected with pyproj, crimes counted by hand),
not read back from the generator.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from cctvscope.errors import UnknownEstateError
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.estate import Estate
from cctvscope.store import init_store, list_estates, load_estate
from cctvscope.workflows.dates import current_assumptions
from tests.ingest.region_files import EAST, WEST, write_region
from tests.workflows.test_any_region import _crime_bng, _no_london, _ward_bng, cli

__all__ = ["cli"]  # the fixture, re-exported for pytest

WEST_CODE, EAST_CODE = "E05000780", "E05000781"
COUNTS = {WEST_CODE: 40, EAST_CODE: 25}
#: The test crime file spans two months (2024-03 and 2024-04).
CRIME_MONTHS = 2


def _region(cli, tmp_path: Path, *, layers: bool = True) -> None:
    files = write_region(tmp_path / "files")
    extra: list[str] = []
    if layers:
        extra = ["--small-areas", str(files["small_areas"]), "--crime", str(files["crime"])]
        extra += ["--population", str(files["population"])]
    cli("region", "create", "heatons", "--boundaries", str(files["boundaries"]), *extra)


def _counts_file(tmp_path: Path, text: str, name: str = "counts.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _counts_csv(tmp_path: Path, counts: dict[str, int]) -> Path:
    rows = "".join(f"{code},{n}\n" for code, n in counts.items())
    return _counts_file(tmp_path, "area_code,council_cameras\n" + rows)


def _estate(tmp_path: Path, name: str) -> Estate:
    return load_estate(init_store(f"sqlite:///{tmp_path / 'store.db'}"), name)


def _synthetic(cli, name: str, counts: Path, seed: int = 7, code: int = 0) -> str:
    return cli(
        "estate",
        "create",
        name,
        "--region",
        "heatons",
        "--synthetic",
        "--council-counts",
        str(counts),
        "--seed",
        str(seed),
        code=code,
    )


def _row(*cells_then_text: str) -> bool:
    """Whether a findings-table row with these cells (in order) is in the console text."""
    *cells, text = cells_then_text
    return re.search(r"[│\s]+".join(re.escape(c) for c in cells), text) is not None


def test_fill_places_the_published_counts_inside_each_area(cli, tmp_path: Path):
    _region(cli, tmp_path)
    said = _synthetic(cli, "heatons-synth", _counts_csv(tmp_path, COUNTS))
    estate = _estate(tmp_path, "heatons-synth")
    cams = estate.cameras
    # Business cameras: 0.25 per council camera of the area (synthetic_private), rounded.
    ratio = read_assumptions().value("synthetic_private.registered_per_council_camera")
    private = {code: int(np.rint(ratio * n)) for code, n in COUNTS.items()}
    assert private == {WEST_CODE: 10, EAST_CODE: 6}
    council = cams[cams["owner_type"] == "council"]
    assert council.groupby("borough_code").size().to_dict() == COUNTS
    assert cams[cams["owner_type"] == "private"].groupby("borough_code").size().to_dict() == (
        private
    )
    assert set(cams["owner_type"]) == {"council", "private"}  # no police, no TfL
    assert len(cams) == 40 + 25 + 10 + 6 == 81
    # Every camera inside its ward, checked against the ward boxes projected here.
    # 1 mm of slack: the store's polygon went through the same projection, in another order.
    wards = {WEST_CODE: _ward_bng(WEST).buffer(0.001), EAST_CODE: _ward_bng(EAST).buffer(0.001)}
    for code, ward in wards.items():
        mine = cams[cams["borough_code"] == code]
        assert shapely.contains_xy(ward, mine["x_m"], mine["y_m"]).all(), code
    # Provenance: every record of every table is synthetic, and says which generator and seed.
    for table in ("cameras", "control_rooms", "links", "contracts", "evidence_stats"):
        frame = estate.table(table)
        assert len(frame) and set(frame["provenance"]) == {"synthetic"}, table
    assert set(cams["source"]) == {"cctvscope synthetic estate v1, seed 7"}
    assert cams["operator"][cams["owner_type"] == "private"].str.endswith("(synthetic)").all()
    # One room per ward with cameras, one link per council camera, five contracts per ward.
    assert sorted(estate.control_rooms["borough_code"]) == [WEST_CODE, EAST_CODE]
    assert len(estate.links) == 65
    assert estate.contracts.groupby("borough_code").size().to_dict() == {
        WEST_CODE: 5,
        EAST_CODE: 5,
    }
    # Evidence requests = annual crimes x (23,278 + 118,287) / 771,566 (London Assembly FOI).
    crimes = {
        code: sum(ward.contains(p) for p in _crime_bng()) * 12 // CRIME_MONTHS
        for code, ward in wards.items()
    }
    assert crimes == {WEST_CODE: 12, EAST_CODE: 6}
    share = (23_278 + 118_287) / 771_566
    requests = estate.evidence_stats.set_index("borough_code")["requests_per_year"].to_dict()
    assert (
        requests
        == {code: int(np.rint(n * share)) for code, n in crimes.items()}
        == {
            WEST_CODE: 2,
            EAST_CODE: 1,
        }
    )
    assert set(estate.evidence_stats["year"]) == {2024}
    assert estate.cost_items.empty  # London's cost profile is not carried over
    # Metadata: seed, generator version and the counts used, as London's estate has.
    meta = estate.metadata
    assert meta["seed"] == 7 and meta["generator_version"] == "1"
    assert {r["gss_code"]: r["cameras"] for r in meta["council_counts"]} == COUNTS
    assert all("counts.csv (sha256 " in r["source"] for r in meta["council_counts"])
    assert meta["areas_without_counts"] == [] and meta["region"] == "heatons"
    assert meta["counts_by_provenance"] == {"synthetic": 81}
    # No London: no borough code E09, no London text, no London cost profile.
    assert not any(str(c).startswith("E09") for c in cams["borough_code"])
    assert "london" not in " ".join(map(str, cams["camera_id"])).lower()
    _no_london(said)
    assert "81 synthetic cameras (council 65, private 16)" in said
    # The stored description, `estates` and `status` say the records are synthetic.
    listing = cli("estates")
    assert "synthetic estate of region heatons" in listing
    status = cli("status", "--estate", "heatons-synth")
    assert "Synthetic: 81 of 81 cameras are synthetic (cctvscope synthetic estate v1, seed 7)" in (
        status
    )
    _no_london(status)


def test_same_seed_same_estate(cli, tmp_path: Path):
    _region(cli, tmp_path)
    counts = _counts_csv(tmp_path, COUNTS)
    hashes = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        said = _synthetic(cli, name, counts, seed=seed)
        digest = _estate(tmp_path, name).input_hash()
        assert f"input hash {digest[:12]}" in said
        hashes.append(digest)
    assert hashes[0] == hashes[1] != hashes[2]


def test_an_area_missing_from_the_counts_gets_no_council_cameras(cli, tmp_path: Path):
    _region(cli, tmp_path)
    said = _synthetic(cli, "west-only", _counts_csv(tmp_path, {WEST_CODE: 12}))
    assert f"1 area(s) not in counts.csv get no council cameras: {EAST_CODE}" in said
    estate = _estate(tmp_path, "west-only")
    assert set(estate.cameras["borough_code"]) == {WEST_CODE}
    assert (estate.cameras["owner_type"] == "council").sum() == 12
    assert list(estate.control_rooms["borough_code"]) == [WEST_CODE]
    assert set(estate.contracts["borough_code"]) == {WEST_CODE}
    assert estate.metadata["areas_without_counts"] == [EAST_CODE]


def test_a_region_without_crime_spreads_cameras_uniformly(cli, tmp_path: Path):
    _region(cli, tmp_path, layers=False)
    _synthetic(cli, "bare", _counts_csv(tmp_path, {WEST_CODE: 400, EAST_CODE: 3}))
    estate = _estate(tmp_path, "bare")
    council = estate.cameras[estate.cameras["owner_type"] == "council"]
    assert council.groupby("borough_code").size().to_dict() == {WEST_CODE: 400, EAST_CODE: 3}
    west = _ward_bng(WEST)
    assert shapely.contains_xy(
        west.buffer(0.001),
        *council[council["borough_code"] == WEST_CODE][["x_m", "y_m"]].to_numpy().T,
    ).all()
    # Uniform, not clustered: each half of the ward (split north/south) holds about half.
    mid = (west.bounds[1] + west.bounds[3]) / 2
    north = (council[council["borough_code"] == WEST_CODE]["y_m"] > mid).sum()
    assert 160 < north < 240  # binomial(400, ~0.5): outside this is > 5 sd away
    assert estate.evidence_stats.empty and estate.metadata["crime_year"] is None


def test_a_bad_counts_file_lists_every_finding_and_stores_nothing(cli, tmp_path: Path):
    _region(cli, tmp_path)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    before = [(i.name, i.version) for i in list_estates(init_store(db))]
    bad = _counts_file(
        tmp_path,
        "area_code,council_cameras\n"
        f"{WEST_CODE},40\n"
        "E09000001,3\n"
        f"{EAST_CODE},-2\n"
        f"{WEST_CODE},2.5\n"
        ",7\n",
        "bad.csv",
    )
    said = _synthetic(cli, "broken", bad, code=2)
    assert _row("2", "area_code", "E09000001", "bad.csv: not an area of the region", said)
    assert _row("3", "council_cameras", "-2", "bad.csv: not a whole number", said)
    assert _row("4", "area_code", WEST_CODE, "bad.csv: duplicate (row 1)", said)
    assert _row("4", "council_cameras", "2.5", "bad.csv: not a whole number", said)
    assert _row("5", "area_code", "bad.csv: blank area code", said)
    assert "5 error(s); nothing was stored" in said
    missing = _counts_file(tmp_path, "code,cameras\nx,1\n", "columns.csv")
    said = _synthetic(cli, "broken", missing, code=2)
    assert "no column area_code, council_cameras" in said
    assert [(i.name, i.version) for i in list_estates(init_store(db))] == before
    with pytest.raises(UnknownEstateError):
        _estate(tmp_path, "broken")
    # --synthetic needs the counts, and the counts need --synthetic.
    said = cli("estate", "create", "x", "--region", "heatons", "--synthetic", code=2)
    assert "needs both --synthetic and --council-counts" in said
    said = cli("estate", "create", "x", "--region", "heatons", "--council-counts", str(bad), code=2)
    assert "needs both --synthetic and --council-counts" in said
    assert [(i.name, i.version) for i in list_estates(init_store(db))] == before


def test_comply_on_a_fill_without_a_cost_profile(cli, tmp_path: Path):
    """The fill holds no cost profile: comply prices a new camera at the assumptions' default.

    (It used to look for London's profile by name and stop.)
    """
    _region(cli, tmp_path)
    _synthetic(cli, "heatons-synth", _counts_csv(tmp_path, COUNTS))
    out = tmp_path / "comply"
    said = cli("comply", "--estate", "heatons-synth", "--out", str(out))
    assert "heatons compliance with london-cctv v1.0 (0 % real records)" in said
    options = pd.read_csv(out / "fix_options.csv")
    assert len(options) > 0
    a = current_assumptions()  # comply prices at today's price base, as the command does
    raw = a.value("synthetic_costs.camera_installation")
    # By hand: the default installation cost moved to the price base year, v·(1 + g)^Δyears.
    base_year = int(a.value("economics.price_base_year"))
    rate = float(a.value("economics_prices.price_uplift_rate"))
    expected = raw["value_gbp"] * (1 + rate) ** (base_year - raw["price_base_year"])
    alone = options[options["fixes"] == "replace_camera"]["cost_gbp"]
    assert len(alone) and np.allclose(alone.to_numpy(float), expected)
