"""The calibrated synthetic London estate, built once per module, checked by hand arithmetic."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
import yaml

from cctvscope.ingest.synthetic import build_london_estate
from cctvscope.ingest.synthetic_attributes import hfov_deg
from cctvscope.model.assumptions import default_assumptions_path, read_assumptions
from cctvscope.model.entities import ENTITY_TYPES
from cctvscope.model.estate import Estate
from cctvscope.model.frames import frame_to_records

SEED = 20170628
SOURCE = f"cctvscope synthetic estate v1, seed {SEED}"

#: Published council camera counts, chosen by hand from london_cctv_provision_facts.csv and
#: the City AM supplement by the most-recent rule (Wandsworth: the council's ~1,100).
PUBLISHED = {
    "E09000012": 2900,  # Hackney, BBW 2016
    "E09000032": 1100,  # Wandsworth, council statement c. 2016 (override of BBW 2,246)
    "E09000013": 1150,  # Hammersmith and Fulham, BBW 2016
    "E09000033": 134,  # Westminster, BBW 2016 (not 310 of 2009)
    "E09000027": 103,  # Richmond, BBW 2016
    "E09000014": 857,  # Haringey, 2009
    "E09000007": 1015,  # Camden, City AM 2016 (not 488 of 2009)
    "E09000025": 204,  # Newham, 2018 map
    "E09000019": 1000,  # Islington, undated
    "E09000030": 350,  # Tower Hamlets, 2006-2011
    "E09000005": 175,  # Brent, undated
    "E09000011": 680,  # Greenwich, City AM 2016
    "E09000017": 674,  # Hillingdon, City AM 2016
    "E09000009": 615,  # Ealing, City AM 2016
}


@pytest.fixture(scope="module")
def steps() -> list[str]:
    return []


@pytest.fixture(scope="module")
def estate(steps: list[str]) -> Estate:
    return build_london_estate("london", on_step=steps.append)


@pytest.fixture(scope="module")
def cams(estate: Estate) -> pd.DataFrame:
    return pd.DataFrame(estate.cameras)


def _council_counts(estate: Estate) -> pd.Series:
    cams = estate.cameras
    return cams[cams["owner_type"] == "council"].groupby("borough_code").size()


def test_name_metadata_and_progress(estate: Estate, steps: list[str]) -> None:
    assert estate.name == "london"
    assert estate.metadata["seed"] == SEED
    assert estate.metadata["assumptions_sha256"] == read_assumptions().sha256
    assert estate.metadata["generator_version"] == "1"
    by_prov = estate.metadata["counts_by_provenance"]
    assert by_prov == {"real": 900, "synthetic": len(estate.cameras) - 900}
    assert len(steps) >= 6
    assert all(isinstance(s, str) and s for s in steps)
    assert 20_000 <= len(estate.cameras) <= 35_000


def test_same_seed_same_hash_other_seed_other_hash(estate: Estate) -> None:
    again = build_london_estate("london", seed=SEED)
    other = build_london_estate("other", seed=SEED + 1)
    assert again.input_hash() == estate.input_hash()
    assert other.input_hash() != estate.input_hash()
    assert other.name == "other"
    assert other.metadata["seed"] == SEED + 1


def test_published_counts_reproduced(estate: Estate) -> None:
    counts = _council_counts(estate)
    for code, expected in PUBLISHED.items():
        assert counts[code] == expected, code
    table = pd.DataFrame(estate.metadata["council_counts"]).set_index("gss_code")
    assert set(table.index[table["basis"] == "published"]) == set(PUBLISHED)


def test_imputation_recomputed_by_hand(estate: Estate) -> None:
    b = estate.boroughs.set_index("gss_code")
    ratios = [
        PUBLISHED[c] / b.loc[c, "recorded_crimes_per_year"] * 1000
        for c in PUBLISHED
        if b.loc[c, "recorded_crimes_per_year"] > 0
    ]
    median_per_1000 = statistics.median(ratios)
    assert 20 < median_per_1000 < 35  # between Ealing (22.5) and Haringey (31.2)
    inner_density = statistics.median(
        PUBLISHED[c] / b.loc[c, "area_km2"] for c in PUBLISHED if b.loc[c, "inner_outer"] == "Inner"
    )
    counts = _council_counts(estate)
    for code in b.index.difference(list(PUBLISHED)):
        crimes = b.loc[code, "recorded_crimes_per_year"]
        if crimes > 0:
            expected = round(median_per_1000 * crimes / 1000)
        else:
            expected = round(inner_density * b.loc[code, "area_km2"])
        assert counts[code] == expected, code
    # Croydon by hand: median of the 14 ratios is (Greenwich 27.86 + Hillingdon 28.30) / 2,
    # from the 2021 totals of the ten major categories (Greenwich 24,410, Hillingdon 23,814).
    croydon = b.loc["E09000008", "recorded_crimes_per_year"]
    assert croydon == 31_161
    by_hand = (680 / 24410 * 1000 + 674 / 23814 * 1000) / 2
    assert counts["E09000008"] == round(by_hand * croydon / 1000)


def test_every_camera_inside_its_borough(estate: Estate, cams: pd.DataFrame) -> None:
    for code, poly in zip(estate.boroughs["gss_code"], estate.boroughs.geometry, strict=True):
        sub = cams[cams["borough_code"] == code]
        inside = shapely.contains_xy(poly, sub["x_m"].to_numpy(), sub["y_m"].to_numpy())
        assert inside.all(), (code, int((~inside).sum()))


def test_provenance_and_sources(estate: Estate, cams: pd.DataFrame) -> None:
    real = cams[cams["provenance"] == "real"]
    assert len(real) == 900
    assert (real["owner_type"] == "tfl").all()
    assert (real["operator"] == "Transport for London").all()
    assert real["source"].str.contains("TfL Open Data").all()
    assert real["source"].str.contains("JamCam").all()
    synth = cams[cams["provenance"] != "real"]
    assert (synth["provenance"] == "synthetic").all()
    assert synth["source"].str.startswith(SOURCE).all()
    for table in ("control_rooms", "links", "contracts", "evidence_stats"):
        assert (estate.table(table)["provenance"] == "synthetic").all(), table
    assert estate.control_rooms["source"].str.startswith(SOURCE).all()


def test_tfl_defaults_and_heading(cams: pd.DataFrame) -> None:
    from cctvscope.ingest.london import read_tfl_cameras

    tfl = cams[cams["owner_type"] == "tfl"].set_index("camera_id")
    src = read_tfl_cameras().set_index("camera_id")
    assert set(tfl.index) == set(src.index)
    hint = src["view_direction_hint_deg"].reindex(tfl.index)
    has = hint.notna()
    assert np.allclose(tfl.loc[has, "heading_deg"], hint[has] % 360)
    assert tfl.loc[~has, "defaulted_fields"].str.contains("heading_deg").all()
    assert not tfl.loc[has, "defaulted_fields"].str.contains("heading_deg").any()
    assert tfl["defaulted_fields"].str.contains("mount_height_m").all()
    assert np.allclose(tfl["x_m"], src.geometry.x.reindex(tfl.index))
    assert (tfl["control_room_id"] == "room-tfl").all()


def test_records_validate_as_entities(estate: Estate) -> None:
    for name in ("control_rooms", "cameras", "links", "contracts", "evidence_stats", "cost_items"):
        records = frame_to_records(ENTITY_TYPES[name], pd.DataFrame(estate.table(name)))
        assert len(records) == len(estate.table(name))


def test_attribute_invariants(cams: pd.DataFrame) -> None:
    synth = cams[cams["provenance"] == "synthetic"]
    analogue = synth["signal"] == "analogue"
    assert (synth.loc[analogue, "onvif_profiles"] == "").all()
    assert (synth.loc[analogue, "resolution_h_px"] == 720).all()
    old = synth[synth["install_year"] < 2010]
    new = synth[synth["install_year"] > 2018]
    assert (old["signal"] == "analogue").mean() > (new["signal"] == "analogue").mean() + 0.3
    assert (synth.loc[~synth["ptz"], "ptz_max_zoom"] == 1).all()
    assert (synth.loc[synth["ptz"], "ptz_max_zoom"] >= 20).all()
    expected = np.degrees(2 * np.arctan(synth["sensor_width_mm"] / (2 * synth["focal_length_mm"])))
    assert np.allclose(synth["hfov_deg"], expected)
    assert synth["export_formats"].str.startswith("native").all()
    assert (synth.loc[synth["owner_type"] != "private", "retention_days"] == 31).all()
    priv = synth[synth["owner_type"] == "private"]
    assert priv["retention_days"].mean() < 31
    assert ((synth["heading_deg"] >= 0) & (synth["heading_deg"] < 360)).all()
    ntp_old = (old["time_sync"] == "ntp").mean()
    assert (new["time_sync"] == "ntp").mean() > ntp_old
    assert 0 < (synth["status"] == "faulty").mean() < 0.1


def test_hfov_published_example() -> None:
    assert round(float(hfov_deg(4.8, 2.8)), 1) == 81.2
    assert round(float(hfov_deg(5.37, 2.8)), 1) == 87.6  # research quotes 87.5 (rounded down)


def test_control_rooms(estate: Estate, cams: pd.DataFrame) -> None:
    rooms = estate.control_rooms.set_index("room_id")
    monitored = cams[cams["owner_type"] != "private"]
    assert monitored["control_room_id"].isin(rooms.index).all()
    assert cams.loc[cams["owner_type"] == "private", "control_room_id"].isna().all()
    served = Counter(c for s in rooms["served_boroughs"] for c in s.split(";") if c)
    assert set(served) == set(estate.boroughs["gss_code"]) and set(served.values()) == {1}
    shared = rooms.loc["room-shared-E09000013"]
    assert shared["served_boroughs"] == "E09000013;E09000020"
    council = cams[cams["owner_type"] == "council"]
    kc = council[council["borough_code"] == "E09000020"]
    assert (kc["control_room_id"] == "room-shared-E09000013").all()
    assert (cams.loc[cams["owner_type"] == "police", "control_room_id"] == "room-mps-lambeth").all()
    # staffing: positions = max(2, ceil(cameras / 300)); FTE = positions * 168 / 37 / 0.85
    n = monitored.groupby("control_room_id").size().reindex(rooms.index, fill_value=0)
    positions = np.maximum(2, np.ceil(n / 300)).astype(int)
    assert (rooms["operator_positions"] == positions).all()
    assert np.allclose(rooms["staff_fte"], positions * 24 * 7 / 37 / 0.85, atol=0.01)
    assert rooms.loc["room-E09000012", "operator_positions"] == math.ceil(2900 / 300)
    for code, poly in zip(estate.boroughs["gss_code"], estate.boroughs.geometry, strict=True):
        rid = f"room-{code}"
        if rid in rooms.index:
            assert shapely.contains_xy(poly, rooms.loc[rid, "x_m"], rooms.loc[rid, "y_m"])


def test_links(estate: Estate, cams: pd.DataFrame) -> None:
    links = estate.links
    monitored = cams[cams["control_room_id"].notna()].set_index("camera_id")
    assert len(links) == len(monitored)
    assert links["camera_id"].is_unique
    assert links["camera_id"].isin(monitored.index).all()
    assert links["control_room_id"].isin(estate.control_rooms["room_id"]).all()
    cam = monitored.loc[links["camera_id"]]
    assert (cam["control_room_id"].to_numpy() == links["control_room_id"].to_numpy()).all()
    room = estate.control_rooms.set_index("room_id").loc[links["control_room_id"]]
    dist = np.hypot(
        cam["x_m"].to_numpy() - room["x_m"].to_numpy(),
        cam["y_m"].to_numpy() - room["y_m"].to_numpy(),
    )
    assert np.allclose(links["length_km"], dist / 1000)
    analogue = cam["signal"].to_numpy() == "analogue"
    assert set(links.loc[analogue, "link_type"]) <= {"copper", "fibre"}
    # 1080p25 H.264: 1920 * 1080 * 25 * 0.08 * 1.25 / 1e6 = 5.184 Mbit/s
    sel = (cam["resolution_h_px"].to_numpy() == 1920) & (cam["fps"].to_numpy() == 25)
    sel &= cam["codec"].to_numpy() == "h264"
    assert sel.any()
    assert np.allclose(links.loc[sel, "bandwidth_mbps"], 5.184)
    fibre = links["link_type"] == "fibre"
    assert np.allclose(
        links.loc[fibre, "annual_cost_gbp"], 80 + 10 * links.loc[fibre, "length_km"], atol=0.01
    )


def test_contracts(estate: Estate) -> None:
    con = estate.contracts
    assert len(con) == 33 * 5
    assert not con.duplicated(["borough_code", "category"]).any()
    assert set(Counter(con["borough_code"]).values()) == {5}
    ref = dt.date(2024, 4, 1)
    assert (con["end_date"] > ref).all() and (con["start_date"] <= ref).all()
    assert len({d.year for d in con["end_date"]}) >= 4
    assert con["supplier"].str.endswith("(synthetic)").all()
    assert con.groupby("supplier")["borough_code"].nunique().max() > 5
    counts = _council_counts(estate)
    shares = {
        "maintenance": 0.30,
        "transmission": 0.20,
        "equipment_supply": 0.10,
        "vms_software": 0.05,
        "monitoring_staff": 0.35,
    }
    # £494 per camera-year at 2010 prices, moved to 2024 at 2 % a year (1.02**14 = 1.3195).
    running_2024 = 494 * 1.02**14
    base = con["borough_code"].map(counts) * running_2024 * con["category"].map(shares)
    ratio = con["annual_value_gbp"] / base
    assert ratio.between(math.exp(-5 * 0.2), math.exp(5 * 0.2)).all()
    assert 0.8 < ratio.median() < 1.25


def test_evidence_stats(estate: Estate) -> None:
    ev = estate.evidence_stats.set_index("borough_code")
    assert len(ev) == 33
    crimes = estate.boroughs.set_index("gss_code")["recorded_crimes_per_year"]
    share = (23_278 + 118_287) / 771_566
    assert (ev["requests_per_year"] == (crimes.reindex(ev.index) * share).round().astype(int)).all()
    # Westminster by hand: 47,630 crimes in 2021 (the ten major categories).
    assert ev.loc["E09000033", "requests_per_year"] == round(47630 * share)
    assert (ev["footage_available_share"] == 0.65).all()
    assert (ev["year"] == 2021).all()
    assert set(ev["retrieval_model"]) <= {"embedded_police", "officer_attends", "digital_transfer"}


def test_cost_items(estate: Estate) -> None:
    items = estate.cost_items.set_index("item")
    assert (items["profile"] == "london-default").all()
    assert (estate.boroughs["cost_profile"] == "london-default").all()
    assert items.loc["camera_installation", "value_gbp"] == 5000
    assert items.loc["camera_installation", "price_base_year"] == 2010
    assert items.loc["camera_running", "value_gbp"] == 494
    assert "Wandsworth" in items.loc["camera_running", "source"]
    assert items.loc["operator_fte", "source"] == "assumption"


def test_private_cameras(estate: Estate, cams: pd.DataFrame) -> None:
    priv = cams[cams["owner_type"] == "private"]
    council = _council_counts(estate)
    per_borough = priv.groupby("borough_code").size()
    assert (per_borough == (council * 0.25).round().astype(int).reindex(per_borough.index)).all()
    assert priv["operator"].str.endswith("(synthetic)").all()
    assert priv["operator"].nunique() < len(priv)  # sites hold several cameras
    police = cams[cams["owner_type"] == "police"]
    assert len(police) == 64 and (police["borough_code"] == "E09000033").all()


def test_assumption_entries_used_exist_and_complete(estate: Estate) -> None:
    raw = yaml.safe_load(Path(default_assumptions_path()).read_text(encoding="utf-8"))
    used = estate.metadata["assumption_keys"]
    assert used
    for key in used:
        section, name = key.split(".", 1)
        entry = raw[section][name]
        for field in ("value", "unit", "source", "note", "status"):
            assert field in entry, (key, field)
            if field != "value":
                assert str(entry[field]).strip(), (key, field)
        assert entry["status"] in {"verified", "unverified", "assumption"}
        if entry["status"] == "assumption":
            assert entry["source"] == "assumption", key
    synthetic_keys = {
        f"{s}.{n}" for s, body in raw.items() if s.startswith("synthetic") for n in body
    }
    assert synthetic_keys <= set(used), sorted(synthetic_keys - set(used))
    assert raw["camera_defaults"]["retention_days"]["value"] == 31
