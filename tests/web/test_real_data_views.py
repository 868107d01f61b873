"""Real-data views: data confidence, the compliance input basis, attribute sources, and the
survey intake's merge preview, checked against numbers computed here from the estate."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.provenance import MEASURED_ATTRIBUTES
from cctvscope.standards.compliance import REGION_ROW
from cctvscope.store import list_estates
from cctvscope.web import audit
from cctvscope.workflows.compliance import run_compliance
from tests.web.conftest import CAMDEN, csrf_of

ISLINGTON = "E09000019"
REAL = {"real", "imported"}
TABLES = ["cameras", "control_rooms", "links", "contracts", "evidence_stats", "cost_items"]
HEADER = "camera_id,location_text,lon,lat,owner_type,operator,mount_height_m,heading_deg,hfov_deg\n"
#: Points inside each borough (lon, lat).
POINTS = {
    CAMDEN: [(-0.1426, 51.5392), (-0.1403, 51.5505), (-0.1760, 51.5560)],
    ISLINGTON: [(-0.1030, 51.5410), (-0.1040, 51.5460), (-0.1160, 51.5530)],
}


def api(client: TestClient, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    return response.json()


def survey(borough: str, *, bad_hfov: bool = False) -> tuple[str, list[str]]:
    """A 3-row council survey of ``borough`` (fresh ids); the last row's lens angle is
    impossible when ``bad_hfov``."""
    tag = uuid.uuid4().hex[:8]
    ids = [f"RD-{tag}-{i}" for i in range(1, 4)]
    rows = [
        f"{cid},Street {i},{lon},{lat},council,Council,6,90,{400 if bad_hfov and i == 3 else 70}\n"
        for i, (cid, (lon, lat)) in enumerate(zip(ids, POINTS[borough], strict=True), start=1)
    ]
    return HEADER + "".join(rows), ids


def post_preview(client: TestClient, env, borough: str, text: str):
    return client.post(
        "/api/survey/preview",
        data={"borough": borough},
        files={"file": ("survey.csv", text.encode(), "text/csv")},
        headers={"X-CSRF-Token": csrf_of(client, env)},
    )


def versions(env) -> list[tuple[str, int]]:
    return [(e.name, e.version) for e in list_estates(env.engine)]


# --- independent computations -------------------------------------------------------------


def real_value_share(cams: pd.DataFrame) -> float:
    """Share of (camera, measured attribute) values neither synthetic nor defaulted."""
    if cams.empty:
        return float("nan")
    synthetic = cams["provenance"].astype(str) == "synthetic"
    listed = cams["defaulted_fields"].fillna("").astype(str).str.split(";")
    real = 0
    for name in MEASURED_ATTRIBUTES:
        defaulted = listed.map(lambda fields, name=name: name in fields)
        real += int((~synthetic & ~defaulted).sum())
    return real / (len(cams) * len(MEASURED_ATTRIBUTES))


def label(share: float) -> str:
    assumptions = read_assumptions()
    confirmed = float(assumptions.value("data_confidence.confirmed_share"))
    partly = float(assumptions.value("data_confidence.partly_confirmed_share"))
    if share != share:
        return "provisional"
    if share >= confirmed:
        return "confirmed"
    return "partly confirmed" if share > partly else "provisional"


def expected_row(frame: pd.DataFrame, table: str) -> dict[str, object]:
    real = int(frame["provenance"].astype(str).isin(REAL).sum()) if len(frame) else 0
    share = real / len(frame) if len(frame) else float("nan")
    return {
        "records": len(frame),
        "real_records": real,
        "share_real": share,
        "share_real_values": real_value_share(frame) if table == "cameras" else float("nan"),
        "label": label(share),
    }


def assert_row(got: dict[str, object], want: dict[str, object]) -> None:
    assert got["records"] == want["records"]
    assert got["real_records"] == want["real_records"]
    for key in ("share_real", "share_real_values"):
        value = want[key]
        if value != value:  # NaN: shown as null
            assert got[key] is None, key
        else:
            assert got[key] == pytest.approx(value), key
    assert got["label"] == want["label"]


def last_return(estate, table: str) -> str:
    times = [
        str(e["at"])
        for e in estate.metadata.get("returns", [])
        if ("cameras" if e["table"] == "monitoring" else e["table"]) == table
    ]
    return max(times, default="")


# --- data confidence ------------------------------------------------------------------------


def test_overview_confidence_matches_the_camera_provenance(clients, env):
    estate = env.estate()
    data = api(clients["analyst"], "/api/overview")
    rows = {r["table"]: r for r in data["confidence"]}
    assert list(rows) == TABLES
    for table in TABLES:
        assert_row(rows[table], expected_row(estate.table(table), table))
        assert rows[table]["last_returned"] == last_return(estate, table)
    cams = estate.cameras
    assert rows["cameras"]["real_records"] == int(cams["provenance"].isin(REAL).sum())
    page = clients["analyst"].get("/").text
    assert "<h2>Data confidence</h2>" in page
    assert '<tr data-table="cameras"><td>cameras</td>' in page
    # computed once per estate version
    state = env.app.state.cctvscope
    loaded = state.data.current()
    assert state.data.confidence(loaded) is state.data.confidence(loaded)


def test_borough_profile_shows_its_confidence_and_data_request(clients, env):
    estate = env.estate()
    data = api(clients["borough_manager"], f"/api/boroughs/{CAMDEN}")
    rows = {r["table"]: r for r in data["confidence"]}
    assert list(rows) == TABLES
    cams = estate.cameras[estate.cameras["borough_code"] == CAMDEN]
    assert_row(rows["cameras"], expected_row(cams, "cameras"))
    rooms = estate.control_rooms[estate.control_rooms["borough_code"] == CAMDEN]
    assert_row(rows["control_rooms"], expected_row(rooms, "control_rooms"))
    outstanding = [t for t in TABLES if rows[t]["label"] != "confirmed"]
    assert outstanding  # the synthetic rooms, links and contracts are still to send
    assert data["data_request"].startswith("Please send: " + ", ".join(outstanding) + ".")
    page = clients["borough_manager"].get(f"/boroughs/{CAMDEN}").text
    assert '<p id="data-request">Please send:' in page
    assert "<h2>Data confidence</h2>" in page


# --- compliance input basis ------------------------------------------------------------------


def test_compliance_shows_the_input_basis(clients, env):
    result = run_compliance(env.estate()).result
    basis = result.input_basis.set_index("borough_code")
    data = api(clients["analyst"], "/api/compliance")
    london = data["basis"]
    region = basis.loc[REGION_ROW]
    assert london["area"] == "London"
    assert london["cameras_assessed"] == int(region["cameras"]) == len(result.cameras)
    assert london["cameras_decided"] == int(result.cameras["decided"].sum())
    assert london["cameras_unknown"] == int(region["cameras_unknown"])
    assert london["share_real_inputs"] == pytest.approx(float(region["share_real_inputs"]))
    assert london["share_compliant"] == pytest.approx(result.share_compliant)
    decided = result.cameras[result.cameras["decided"].astype(bool)]
    if len(decided):
        assert london["share_compliant_decided"] == pytest.approx(decided["compliant"].mean())
    rows = {b["gss_code"]: b for b in data["boroughs"]}
    camden = rows[CAMDEN]
    assert camden["cameras_decided"] == int(basis.loc[CAMDEN, "cameras_decided"])
    assert camden["cameras_unknown"] == int(basis.loc[CAMDEN, "cameras_unknown"])
    assert camden["cameras_decided"] + camden["cameras_unknown"] == camden["cameras"]

    manager = api(clients["borough_manager"], "/api/compliance")
    assert manager["basis"]["area"] == CAMDEN
    assert manager["basis"]["cameras_assessed"] == camden["cameras"]
    assert manager["basis"]["cameras_unknown"] == camden["cameras_unknown"]
    assert manager["basis"]["share_real_inputs"] == pytest.approx(camden["share_real_inputs"])
    page = clients["analyst"].get("/compliance").text
    assert "share compliant of the cameras decided" in page
    assert "share compliant, unknowns passing (upper bound)" in page
    assert f'<td id="basis-unknown">{london["cameras_unknown"]:,}</td>' in page


# --- survey intake: the merge preview and the confirm --------------------------------------


def test_survey_preview_shows_the_merge_plan_and_writes_nothing(clients, env):
    client = clients["borough_manager"]
    estate = env.estate()
    before = versions(env)
    cams = estate.cameras
    scope = (cams["borough_code"] == CAMDEN) & (cams["owner_type"] == "council")
    synthetic = cams.loc[scope & (cams["provenance"] == "synthetic"), "camera_id"].tolist()
    text, ids = survey(CAMDEN)

    response = post_preview(client, env, CAMDEN, text)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["errors"] == 0 and data["can_confirm"] is True
    assert data["cameras_valid"] == 3
    plan = data["plan"]
    assert plan["mode"] == "replace"
    assert plan["added"] == 3 and plan["changed"] == 0
    assert plan["removed"] == int(scope.sum())
    assert plan["synthetic_replaced"] == len(synthetic)
    assert plan["synthetic_replaced_ids"] == synthetic[:50]
    assert plan["by_borough"] == [
        {
            "borough_code": CAMDEN,
            "borough": "Camden",
            "added": 3,
            "changed": 0,
            "removed": int(scope.sum()),
            "synthetic_replaced": len(synthetic),
        }
    ]
    # default-value warnings: one row per field with the number of rows, none per camera
    defaulted = [f for f in data["findings"] if f["reason"].startswith("not given;")]
    assert defaulted, data["findings"]
    assert all(f["row"] is None and f["count"] == 3 for f in defaulted)
    assert len({f["field"] for f in defaulted}) == len(defaulted)
    assert "tilt_deg" in {f["field"] for f in defaulted}
    assert data["warnings"] == sum(f["count"] for f in data["findings"])
    # nothing written
    assert versions(env) == before
    assert not set(ids) & set(env.estate().cameras["camera_id"])

    page = client.post(
        "/survey/preview",
        data={"borough": CAMDEN, "csrf_token": csrf_of(client, env)},
        files={"file": ("survey.csv", text.encode(), "text/csv")},
    ).text
    assert '<table class="data plan">' in page
    assert f'<span id="plan-synthetic">{len(synthetic)}</span>' in page
    assert '<span id="plan-added">3</span>' in page
    assert versions(env) == before


def test_survey_preview_lists_errors_first_and_has_no_plan(clients, env):
    client = clients["borough_manager"]
    before = versions(env)
    text, _ids = survey(CAMDEN, bad_hfov=True)
    text += "RD-OUT-1,Westminster,-0.1357,51.4975,council,Council,6,90,70\n"
    data = post_preview(client, env, CAMDEN, text).json()
    assert data["can_confirm"] is False and data["plan"] is None
    severities = [f["severity"] for f in data["findings"]]
    assert severities == sorted(severities)  # "error" < "warning"
    errors = [(f["row"], f["field"]) for f in data["findings"] if f["severity"] == "error"]
    assert errors == [(3, "hfov_deg"), (4, "coordinates")]
    outside = data["findings"][1]
    assert outside["reason"].startswith("not in Camden")
    assert versions(env) == before


def test_survey_confirm_writes_one_version_and_the_camera_shows_its_sources(clients, env):
    client = clients["admin"]
    before = env.estate()
    stored = versions(env)
    cams = before.cameras
    scope = (cams["borough_code"] == ISLINGTON) & (cams["owner_type"] == "council")
    synthetic = int((scope & (cams["provenance"] == "synthetic")).sum())
    text, ids = survey(ISLINGTON)
    preview = post_preview(client, env, ISLINGTON, text).json()
    assert preview["can_confirm"] is True, preview["findings"]
    assert preview["plan"]["synthetic_replaced"] == synthetic

    confirm = client.post(
        "/api/survey/confirm",
        json={"upload_id": preview["upload_id"]},
        headers={"X-CSRF-Token": csrf_of(client, env)},
    )
    assert confirm.status_code == 200, confirm.text
    result = confirm.json()
    assert result["written"] is True
    assert result["previous_version"] == before.version
    assert result["estate"]["version"] == before.version + 1
    assert result["imported"] == 3
    assert (result["plan"]["added"], result["plan"]["removed"]) == (3, int(scope.sum()))
    assert result["plan"]["synthetic_replaced"] == synthetic
    after = env.estate()
    assert after.version == before.version + 1
    assert sorted(versions(env)) == sorted([*stored, ("london", after.version)])
    now = after.cameras
    mine = now[(now["borough_code"] == ISLINGTON) & (now["owner_type"] == "council")]
    assert sorted(mine["camera_id"]) == sorted(ids)
    untouched = set(cams.loc[~scope, "camera_id"])
    assert untouched <= set(now["camera_id"])
    entry = audit.entries(env.engine, action=audit.DATA_CHANGE, limit=1)[0]
    assert entry.target == f"survey import {ISLINGTON}"
    assert entry.detail["synthetic_replaced"] == synthetic
    # Saved in the version's own transaction: it names that version and the plan's counts.
    assert entry.detail["estate_version"] == result["estate"]["version"]
    assert (entry.detail["added"], entry.detail["removed"]) == (3, int(scope.sum()))
    # the upload is gone after its confirm
    again = client.post(
        "/api/survey/confirm",
        json={"upload_id": preview["upload_id"]},
        headers={"X-CSRF-Token": csrf_of(client, env)},
    )
    assert again.status_code == 404

    # the overview's confidence now counts the return
    rows = {r["table"]: r for r in api(clients["analyst"], "/api/overview")["confidence"]}
    assert rows["cameras"]["last_returned"] == last_return(after, "cameras") != ""
    assert_row(rows["cameras"], expected_row(now, "cameras"))

    # the camera page: new attributes, and each attribute's source
    camera = api(clients["analyst"], f"/api/cameras/{ids[0]}")
    for name in ("make", "model", "vms", "fault_notes", "custodian", "last_updated"):
        assert name in camera
    row = now.set_index("camera_id").loc[ids[0]]
    defaulted = set(str(row["defaulted_fields"]).split(";")) - {""}
    assert "tilt_deg" in defaulted
    sources = camera["sources"]
    assert sources["tilt_deg"] == "default"
    assert sources["hfov_deg"] == sources["heading_deg"] == "real"
    assert {k for k, v in sources.items() if v == "default"} == defaulted
    page = clients["analyst"].get(f"/cameras/{ids[0]}").text
    assert '<tr data-attribute="tilt_deg"><th>tilt_deg</th>' in page
    assert '<td class="source">default</td>' in page


def test_camera_page_sources_of_a_synthetic_and_a_real_camera(clients, env):
    cams = env.estate().cameras
    public = cams[cams["owner_type"] != "private"]
    fake = public[public["provenance"] == "synthetic"].iloc[0]
    data = api(clients["analyst"], f"/api/cameras/{fake['camera_id']}")
    defaulted = set(str(fake["defaulted_fields"]).split(";")) - {""}
    assert {v for k, v in data["sources"].items() if k not in defaulted} == {"synthetic"}
    real = public[public["provenance"] == "real"]
    if len(real):
        cam = real.iloc[0]
        data = api(clients["analyst"], f"/api/cameras/{cam['camera_id']}")
        listed = set(str(cam["catalogue_fields"]).split(";")) - {""}
        defaulted = set(str(cam["defaulted_fields"]).split(";")) - {""}
        for name, source in data["sources"].items():
            want = "default" if name in defaulted else "catalogue" if name in listed else "real"
            assert source == want, name
    page = clients["analyst"].get(f"/cameras/{fake['camera_id']}")
    assert page.status_code == 200
    assert '<td class="source">synthetic</td>' in page.text
