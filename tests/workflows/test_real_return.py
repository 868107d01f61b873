"""A borough's real register replaces its synthetic council cameras, and nothing else.

The register below is written the way published borough registers are: camera
numbers that repeat across wards, a "PTZ/Fixed" column, model names instead of
lenses, fault comments instead of a status, UK and Excel dates, a VMS and a data
custodian. Every expected number is counted by hand from the rows.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import shapely

from cctvscope.errors import InputError, StoreError
from cctvscope.ingest.london import london_empty_estate
from cctvscope.ingest.merge import MergeScope
from cctvscope.model.enums import ImportMode, OwnerType
from cctvscope.model.frames import records_to_frame, with_points
from cctvscope.model.provenance import attribute_sources
from cctvscope.store import init_store, list_estates, load_estate, save_estate
from cctvscope.workflows.confidence import Confidence, data_confidence
from cctvscope.workflows.imports import ImportRequest, import_file
from tests.conftest import make_camera

HACKNEY = "E09000012"
CAMDEN = "E09000007"

HEADER = [
    "Camera No", "Ward", "Location", "PTZ/Fixed", "Camera Model", "VMS", "Easting", "Northing",
    "Fault Comments", "Last Update", "Data Custodian",
]  # fmt: skip


def _points(code: str, n: int) -> list[tuple[float, float]]:
    boroughs = london_empty_estate("x").boroughs
    poly = boroughs.loc[boroughs["gss_code"] == code, "geometry"].iloc[0]
    centre = poly.representative_point()
    pts = [(centre.x + 40.0 * i, centre.y) for i in range(n)]
    assert all(poly.contains(shapely.Point(p)) for p in pts)
    return pts


@pytest.fixture
def engine(tmp_path: Path):
    """A store with London's boroughs and synthetic cameras: Hackney 5 council + 2 TfL, Camden 3."""
    estate = london_empty_estate("london")
    cams = []
    for i, (x, y) in enumerate(_points(HACKNEY, 7)):
        owner = "council" if i < 5 else "tfl"
        cams.append(make_camera(f"SYN-H{i}", HACKNEY, x, y, owner_type=owner))
    for i, (x, y) in enumerate(_points(CAMDEN, 3)):
        cams.append(make_camera(f"SYN-C{i}", CAMDEN, x, y))
    estate = estate.replace_tables(cameras=with_points(records_to_frame(type(cams[0]), cams)))
    eng = init_store(f"sqlite:///{tmp_path / 'store.db'}")
    save_estate(eng, estate)
    return eng


def _register(path: Path) -> Path:
    """Six Hackney council cameras; numbers 1-3 repeat in two wards."""
    pts = _points(HACKNEY, 6)
    rows = [
        ["1", "Dalston", "Kingsland Rd", "PTZ", "Hikvision DS-2DE7A432IW-AEB", "Genetec", "", "",
         "", "31/03/2024", "LBH CCTV"],
        ["2", "Dalston", "Ridley Rd", "Fixed", "Hikvision DS-2CD2087G2-LU", "Genetec", "", "",
         "No power", "45382", "LBH CCTV"],
        ["3", "Dalston", "Ashwin St", "Dome", "Acme Unknown-9", "Genetec", "", "",
         "Not working - awaiting repair", "2024-03-31", "LBH CCTV"],
        ["1", "Hoxton", "Pitfield St", "ptz", "", "Genetec", "", "", "", "", "LBH CCTV"],
        ["2", "Hoxton", "Hoxton St", "Static", "", "Genetec", "", "", "", "", "LBH CCTV"],
        ["3", "Hoxton", "Nile St", "Fixed", "", "Genetec", "", "", "", "", "LBH CCTV"],
    ]  # fmt: skip
    for row, (x, y) in zip(rows, pts, strict=True):
        row[6], row[7] = f"{x:.1f}", f"{y:.1f}"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _request(path: Path, **kw: object) -> ImportRequest:
    base: dict[str, object] = {
        "table": "cameras",
        "path": path,
        "id_from": ("Ward", "Camera No"),
        "constants": {"owner_type": "council", "operator": "Hackney Council"},
    }
    base.update(kw)
    return ImportRequest(**base)  # type: ignore[arg-type]


def test_duplicate_numbers_name_the_columns_that_make_them_unique(engine, tmp_path):
    path = _register(tmp_path / "hackney.csv")
    with pytest.raises(InputError) as caught:
        import_file(
            engine, "london", _request(path, id_from=(), field_map={"camera_id": "Camera No"})
        )
    errors = [f for f in caught.value.findings if f.severity == "error"]
    assert [(f.row, f.field, f.value) for f in errors] == [
        (4, "camera_id", "1"), (5, "camera_id", "2"), (6, "camera_id", "3"),
    ]  # fmt: skip
    assert "--id-from Camera No,Ward" in errors[0].reason
    assert len(load_estate(engine, "london").cameras) == 10  # nothing written


def test_replace_removes_only_the_scope_and_keeps_real_attributes(engine, tmp_path):
    path = _register(tmp_path / "hackney.csv")
    preview = import_file(engine, "london", _request(path, dry_run=True))
    assert not preview.written
    assert preview.plan.scope == MergeScope((HACKNEY,), (OwnerType.COUNCIL,))
    assert len(preview.plan.added) == 6
    assert sorted(preview.plan.synthetic_replaced) == [f"SYN-H{i}" for i in range(5)]
    row = preview.plan.by_borough.set_index("borough_code").loc[HACKNEY]
    assert (row["added"], row["removed"], row["synthetic_replaced"]) == (6, 5, 5)
    assert len(list_estates(engine)) == 1  # the dry run wrote nothing

    outcome = import_file(engine, "london", _request(path))
    cams = outcome.estate.cameras.set_index("camera_id")
    # Hackney: 6 real council + 2 synthetic TfL; Camden's 3 synthetic untouched.
    assert len(cams) == 6 + 2 + 3
    assert set(cams.index[cams["borough_code"] == CAMDEN]) == {"SYN-C0", "SYN-C1", "SYN-C2"}
    assert set(cams.index[cams["owner_type"] == "tfl"]) == {"SYN-H5", "SYN-H6"}
    assert outcome.estate.version == 2

    # PTZ column words; model from the catalogue; fault comments to status; dates.
    assert cams.loc["Dalston-1", "ptz"] and cams.loc["Hoxton-1", "ptz"]
    assert not cams.loc["Dalston-2", "ptz"] and not cams.loc["Hoxton-2", "ptz"]
    assert (cams.loc["Dalston-2", "resolution_h_px"], cams.loc["Dalston-2", "hfov_deg"]) == (
        3840,
        102.0,
    )
    assert cams.loc["Dalston-2", "status"] == "faulty"  # "No power"
    assert cams.loc["Dalston-3", "status"] == "faulty"  # "Not working - awaiting repair"
    assert cams.loc["Hoxton-3", "status"] == "operational"  # assumptions default
    assert cams.loc["Dalston-1", "last_updated"] == dt.date(2024, 3, 31)
    assert cams.loc["Dalston-2", "last_updated"] == dt.date(2024, 3, 31)  # Excel serial
    assert cams.loc["Dalston-1", "vms"] == "Genetec"
    assert cams.loc["Dalston-1", "custodian"] == "LBH CCTV"
    assert cams.loc["Dalston-2", "fault_notes"] == "No power"
    assert cams.loc["Dalston-1", "make"] == "" and "DS-2DE7A432IW" in cams.loc["Dalston-1", "model"]

    sources = attribute_sources(outcome.estate.cameras).set_index("camera_id")
    assert sources.loc["Dalston-2", "hfov_deg"] == "catalogue"
    assert sources.loc["Dalston-2", "ptz"] == "real"  # the register said Fixed
    assert sources.loc["Hoxton-2", "hfov_deg"] == "default"
    assert sources.loc["Dalston-3", "hfov_deg"] == "default"  # model not in the catalogue
    assert sources.loc["SYN-C0", "hfov_deg"] == "synthetic"


def test_same_file_twice_changes_nothing(engine, tmp_path):
    path = _register(tmp_path / "hackney.csv")
    import_file(engine, "london", _request(path))
    for mode in (ImportMode.REPLACE, ImportMode.UPSERT):
        again = import_file(engine, "london", _request(path, mode=mode))
        assert again.plan.is_noop and not again.written
        assert len(again.plan.unchanged) == 6
    assert max(e.version for e in list_estates(engine)) == 2


def test_upsert_changes_one_record_and_append_refuses_existing_ids(engine, tmp_path):
    path = _register(tmp_path / "hackney.csv")
    import_file(engine, "london", _request(path))
    text = path.read_text(encoding="utf-8").replace("Kingsland Rd", "Kingsland Road")
    edited = tmp_path / "hackney2.csv"
    edited.write_text(text, encoding="utf-8")
    outcome = import_file(engine, "london", _request(edited, mode=ImportMode.UPSERT))
    assert outcome.plan.changed == ("Dalston-1",) and not outcome.plan.added
    assert outcome.estate.cameras.set_index("camera_id").loc["Dalston-1", "location_text"] == (
        "Kingsland Road"
    )
    with pytest.raises(InputError) as caught:
        import_file(engine, "london", _request(edited, mode=ImportMode.APPEND))
    assert {f.value for f in caught.value.errors} == {
        "Dalston-1", "Dalston-2", "Dalston-3", "Hoxton-1", "Hoxton-2", "Hoxton-3",
    }  # fmt: skip


def test_value_map_rewrites_cells_before_parsing(engine, tmp_path):
    path = _register(tmp_path / "hackney.csv")
    text = path.read_text(encoding="utf-8").replace(",Static,", ",Moveable,")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_file(engine, "london", _request(path))
    (error,) = caught.value.errors
    assert (error.row, error.field, error.value) == (5, "ptz", "Moveable")
    outcome = import_file(engine, "london", _request(path, value_maps={"ptz": {"moveable": "ptz"}}))
    assert outcome.estate.cameras.set_index("camera_id").loc["Hoxton-2", "ptz"]


def test_replace_refuses_a_record_outside_an_explicit_scope(engine, tmp_path):
    path = _register(tmp_path / "hackney.csv")
    scope = MergeScope((CAMDEN,), (OwnerType.COUNCIL,))
    with pytest.raises(InputError) as caught:
        import_file(engine, "london", _request(path, scope=scope))
    assert len(caught.value.errors) == 6
    assert "outside the import's scope" in caught.value.errors[0].reason


def test_a_concurrent_save_is_refused_not_lost(engine, tmp_path):
    path = _register(tmp_path / "hackney.csv")
    base = load_estate(engine, "london")
    save_estate(engine, base)  # someone else saved version 2 meanwhile
    with pytest.raises(StoreError, match="changed while"):
        save_estate(engine, base, based_on=1)
    outcome = import_file(engine, "london", _request(path))
    assert outcome.estate.version == 3


def test_confidence_moves_from_provisional_to_partly_confirmed(engine, tmp_path):
    before = data_confidence(load_estate(engine, "london"))
    assert before.label_for(HACKNEY, "cameras") is Confidence.PROVISIONAL
    path = _register(tmp_path / "hackney.csv")
    after = data_confidence(import_file(engine, "london", _request(path)).estate)
    row = after.borough(HACKNEY).set_index("table").loc["cameras"]
    # 6 real of 8 (2 synthetic TfL remain): partly confirmed.
    assert (row["records"], row["real_records"]) == (8, 6)
    assert row["share_real"] == pytest.approx(0.75)
    assert row["label"] == Confidence.PARTLY.value
    assert row["last_returned"] != ""
    assert after.label_for(CAMDEN, "cameras") is Confidence.PROVISIONAL
    assert "cameras" in after.requests[HACKNEY] and "contracts" in after.requests[HACKNEY]
    region = after.by_table.set_index("table").loc["cameras"]
    assert (region["records"], region["real_records"]) == (11, 6)
    assert isinstance(region["share_real_values"], float)
    assert pd.notna(region["share_real_values"])
