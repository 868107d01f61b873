"""Pages and their JSON twins show the right numbers, computed here independently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cctvscope.coverage.lookup import CameraLookup
from cctvscope.crs import wgs84_to_bng
from cctvscope.evidence.registry import Actor, list_registrations, searchable_cameras
from cctvscope.model.assumptions import read_assumptions
from cctvscope.store import list_estates
from cctvscope.store.registry_tables import private_registrations
from cctvscope.web import audit
from cctvscope.web.app import create_app
from cctvscope.workflows.compliance import run_compliance
from tests.web.conftest import CAMDEN, COVERAGE_ROWS, csrf_of


def api(client: TestClient, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    return response.json()


def registrations(env) -> pd.DataFrame:
    """Every registration, consenting or not (read from the table)."""
    with env.engine.connect() as connection:
        rows = connection.execute(sa.select(private_registrations)).mappings().all()
    return pd.DataFrame(rows)


def test_overview_headline_and_borough_counts(clients, env):
    estate = env.estate()
    data = api(clients["analyst"], "/api/overview")
    assert data["headline"]["cameras"] == len(estate.cameras)
    owners = estate.cameras["owner_type"].value_counts()
    assert data["headline"]["private_cameras"] == owners.get("private", 0)
    assert data["headline"]["council_cameras"] == owners.get("council", 0)
    expected = estate.cameras.groupby("borough_code").size()
    got = {b["gss_code"]: b["cameras"] for b in data["boroughs"]}
    assert len(got) == 33
    assert {k: v for k, v in got.items() if v} == expected.to_dict()
    page = clients["analyst"].get("/").text
    assert f'id="headline-cameras">{len(estate.cameras):,}<' in page
    assert '<div id="map"' in page


def test_manager_sees_only_their_borough_rows(clients):
    rows = api(clients["borough_manager"], "/api/overview")["boroughs"]
    assert [r["gss_code"] for r in rows] == [CAMDEN]


def test_borough_profile_matches_an_independent_compliance_run(clients, env):
    estate = env.estate()
    expected = run_compliance(estate).boroughs.set_index("gss_code").loc[CAMDEN]
    data = api(clients["borough_manager"], f"/api/boroughs/{CAMDEN}")
    assert data["borough"]["name"] == "Camden"
    assert data["borough"]["cameras"] == int((estate.cameras["borough_code"] == CAMDEN).sum())
    assert data["compliance"]["cameras"] == int(expected["cameras"])
    assert data["compliance"]["compliant_cameras"] == int(expected["compliant_cameras"])
    assert data["coverage"]["computed"] is True
    (row,) = data["coverage"]["rows"]
    assert row["covered_km2"] == COVERAGE_ROWS[1][4]
    page = clients["borough_manager"].get(f"/boroughs/{CAMDEN}").text
    assert "<h1>Camden</h1>" in page


def test_borough_profile_refusals(clients):
    assert clients["borough_manager"].get("/api/boroughs/E09000033").status_code == 403
    assert clients["borough_manager"].get("/boroughs/E09000033").status_code == 403
    assert clients["analyst"].get("/api/boroughs/E09000099").status_code == 404


def test_coverage_not_computed_message(env, tmp_path):
    settings = env.settings.model_copy(update={"output_dir": tmp_path})
    client = TestClient(create_app(settings))
    headers = {"Authorization": f"Bearer {env.tokens['analyst']}"}
    data = client.get("/api/overview", headers=headers).json()
    assert data["coverage"] == {
        "computed": False,
        "message": "coverage not computed yet — run `cctvscope coverage`",
        "rows": [],
    }
    assert client.get("/api/layers/coverage/gaps", headers=headers).status_code == 404


def test_coverage_layers_are_wgs84_geojson(clients):
    union = api(clients["analyst"], "/api/layers/coverage/coverage_union?level=recognise")
    assert len(union["features"]) == 1
    assert union["features"][0]["properties"]["level"] == "Recognise"
    ring = union["features"][0]["geometry"]["coordinates"][0]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    assert -0.3 < min(lons) < max(lons) < 0.1
    assert 51.4 < min(lats) < max(lats) < 51.7
    gaps = api(clients["analyst"], "/api/layers/coverage/gaps")
    assert gaps["features"][0]["properties"]["crimes"] == 37.0
    boroughs = api(clients["police"], "/api/layers/boroughs")
    assert len(boroughs["features"]) == 33


def test_camera_filters_match_pandas(clients, env):
    cams = env.estate().cameras
    data = api(clients["analyst"], f"/api/cameras?borough={CAMDEN}&owner=council&page_size=500")
    expected = cams[(cams["borough_code"] == CAMDEN) & (cams["owner_type"] == "council")]
    assert data["total"] == len(expected)
    assert {c["camera_id"] for c in data["items"]} <= set(expected["camera_id"])
    ptz = api(clients["analyst"], "/api/cameras?type=ptz")
    public = cams[cams["owner_type"] != "private"]
    assert ptz["total"] == int(public["ptz"].astype(bool).sum())
    assert api(clients["analyst"], "/api/cameras")["total"] == len(public)


def test_each_role_sees_the_cameras_it_may(clients, env):
    cams = env.estate().cameras
    regs = registrations(env)
    public = cams[cams["owner_type"] != "private"]
    consenting = set(regs.loc[regs["consent_share"], "camera_id"]) & set(cams["camera_id"])
    manager = api(clients["borough_manager"], "/api/cameras?page_size=500")
    assert manager["total"] == int((public["borough_code"] == CAMDEN).sum())
    assert api(clients["analyst"], "/api/cameras?owner=private")["total"] == 0
    police = api(clients["police"], "/api/cameras?owner=private&page_size=500")
    assert police["total"] == len(consenting)
    business_id = clients["business"].get("/api/me").json()["business_id"]
    own = set(regs.loc[regs["business_id"] == business_id, "camera_id"]) & set(cams["camera_id"])
    mine = api(clients["business"], "/api/cameras?page_size=500")
    assert {c["camera_id"] for c in mine["items"]} == own
    assert len(own) >= 2


def test_private_location_views_are_audited(clients, env):
    before = len(audit.entries(env.engine, action=audit.VIEW_PRIVATE, limit=10_000))
    api(clients["analyst"], "/api/cameras")  # public only: no row
    assert len(audit.entries(env.engine, action=audit.VIEW_PRIVATE, limit=10_000)) == before
    api(clients["police"], "/api/cameras?owner=private")
    api(clients["admin"], "/api/layers/cameras")
    rows = audit.entries(env.engine, action=audit.VIEW_PRIVATE, limit=2)
    assert [r.username for r in rows] == [env.users["admin"][0], env.users["police"][0]]
    assert rows[1].target == "cameras list"
    assert rows[1].detail["cameras"] > 0
    # The admin's camera layer revealed every consenting private camera: each id is logged.
    cams = env.estate().cameras
    regs = registrations(env)
    consenting = set(regs.loc[regs["consent_share"], "camera_id"]) & set(cams["camera_id"])
    assert len(consenting) > 20  # more than the 20 the log used to keep
    assert sorted(rows[0].detail["camera_ids"]) == sorted(consenting)
    assert rows[0].detail["cameras"] == len(consenting)


def test_non_consenting_private_camera_is_hidden_from_police(clients, env):
    regs = registrations(env)
    all_regs = list_registrations(env.engine, "london", Actor.police())
    consenting = set(all_regs["camera_id"])
    private = env.estate().cameras.query("owner_type == 'private'")["camera_id"]
    hidden = sorted(set(private) - consenting)
    assert hidden
    assert clients["police"].get(f"/api/cameras/{hidden[0]}").status_code == 404
    business_id = clients["business"].get("/api/me").json()["business_id"]
    own = sorted(regs.loc[regs["business_id"] == business_id, "camera_id"])
    assert api(clients["business"], f"/api/cameras/{own[0]}")["owner_type"] == "private"


def test_search_matches_an_independent_lookup(clients, env):
    estate = env.estate()
    regs = list_registrations(env.engine, "london", Actor.police())
    usable = float(read_assumptions().value("coverage.usable_range_m"))
    lookup = CameraLookup.build(searchable_cameras(estate, regs), usable_range_m=usable)
    cams = estate.cameras
    row = cams[(cams["borough_code"] == "E09000033") & (cams["owner_type"] == "council")].iloc[0]
    bearing = np.radians(float(row["heading_deg"]))  # clockwise from north
    x = float(row["x_m"]) + 10.0 * np.sin(bearing)
    y = float(row["y_m"]) + 10.0 * np.cos(bearing)
    expected = lookup.cameras_at(x, y)
    data = api(clients["police"], f"/api/search?x_m={x}&y_m={y}")
    assert sorted(c["camera_id"] for c in data["cameras"]) == sorted(expected["camera_id"])
    assert len(data["cameras"]) > 0
    lon, lat = data["lon_deg"], data["lat_deg"]
    again = api(clients["police"], f"/api/search?lon={lon}&lat={lat}")
    bx, _by = wgs84_to_bng([lon], [lat])
    assert again["x_m"] == pytest.approx(float(bx[0]))
    assert clients["police"].get("/api/search").status_code == 422
    assert clients["police"].get("/api/search?x_m=1&y_m=1").status_code == 422
    page = clients["police"].get(f"/search?x_m={x}&y_m={y}").text
    assert f'id="hit-count">{len(expected)}<' in page


def test_compliance_by_rule(clients, env):
    result = run_compliance(env.estate()).result
    data = api(clients["analyst"], "/api/compliance")
    got = {r["rule_id"]: (r["passed"], r["failed"]) for r in data["rules"]}
    want = {r.rule_id: (int(r.passed), int(r.failed)) for r in result.london_by_rule.itertuples()}
    assert got == want
    manager = api(clients["borough_manager"], "/api/compliance")
    assert [b["gss_code"] for b in manager["boroughs"]] == [CAMDEN]
    camden = result.by_borough_rule[result.by_borough_rule["borough_code"] == CAMDEN]
    assert {r["rule_id"]: r["failed"] for r in manager["rules"]} == dict(
        zip(camden["rule_id"], camden["failed"].astype(int), strict=True)
    )


def test_options_run_and_poll(clients, env):
    client = clients["analyst"]
    response = client.post(
        "/api/options/control-rooms",
        json={"room_counts": [1, 2], "time_limit_s": 10},
        headers={"X-CSRF-Token": csrf_of(client, env)},
    )
    assert response.status_code == 202
    job = env.app.state.cctvscope.jobs.wait(response.json()["id"])
    assert job.state == "done", job.message
    data = api(client, f"/api/options/control-rooms/{job.id}")
    assert [o["rooms"] for o in data["options"]] == [1, 2]
    # the page shows "state: message": the message does not repeat the state
    optimal = sum(o["status"] == "optimal" for o in data["options"])
    assert data["message"] == f"{optimal} of 2 options solved to optimality"
    page = client.get("/options").text
    assert f'id="job-state-{job.id}">done — {data["message"]}<' in page
    assert len(data["rooms"]["1"]) == 1
    stored = pd.read_csv(env.out / "control_room_options.csv")
    assert len(api(client, "/api/options/control-rooms")["stored"]) == len(stored)
    bad = client.post(
        "/api/options/control-rooms",
        json={"room_counts": [0]},
        headers={"X-CSRF-Token": csrf_of(client, env)},
    )
    assert bad.status_code == 422
    form = client.post(
        "/options/run",
        data={"room_counts": "2", "csrf_token": csrf_of(client, env)},
        follow_redirects=False,
    )
    assert form.status_code == 303
    assert form.headers["location"].startswith("/options?job=")


def test_reports(clients, env):
    data = api(clients["borough_manager"], "/api/reports")
    names = {f["name"] for f in data["files"]}
    assert "control_room_options.csv" in names
    assert data["guide_available"] is False
    body = clients["borough_manager"].get("/reports/control_room_options.csv")
    assert body.content == (env.out / "control_room_options.csv").read_bytes()
    assert clients["analyst"].get("/reports/..%2Fstore.db").status_code == 404
    assert clients["analyst"].get("/reports/coverage.gpkg").status_code == 404


GOOD_ROW = "{id},Camden High Street,-0.1426,51.5392,council,Camden Council,6,90,70\n"
HEADER = "camera_id,location_text,lon,lat,owner_type,operator,mount_height_m,heading_deg,hfov_deg\n"


def _preview(client, env, text: str):
    files = {"file": ("camden.csv", text.encode(), "text/csv")}
    headers = {"X-CSRF-Token": csrf_of(client, env)}
    return client.post(
        "/api/survey/preview", data={"borough": CAMDEN}, files=files, headers=headers
    )


def _versions(env):
    return [(e.name, e.version) for e in list_estates(env.engine)]


def test_survey_preview_shows_findings_and_saves_nothing(clients, env):
    client = clients["borough_manager"]
    before = _versions(env)
    text = (
        HEADER
        + GOOD_ROW.format(id="SV-OK-1")
        + "SV-BAD-2,Somewhere,-0.1403,51.5505,council,Camden Council,6,90,400\n"
        + "SV-BAD-3,Westminster,-0.1357,51.4975,council,Camden Council,6,90,70\n"
    )
    response = _preview(client, env, text)
    assert response.status_code == 200
    data = response.json()
    errors = [f for f in data["findings"] if f["severity"] == "error"]
    assert {(f["row"], f["field"]) for f in errors} == {(2, "hfov_deg"), (3, "coordinates")}
    assert "not in Camden" in next(f for f in errors if f["row"] == 3)["reason"]
    assert data["can_confirm"] is False
    assert _versions(env) == before
    confirm = client.post(
        "/api/survey/confirm",
        json={"upload_id": data["upload_id"]},
        headers={"X-CSRF-Token": csrf_of(client, env)},
    )
    assert confirm.status_code == 422
    assert _versions(env) == before
    page = client.post(
        "/survey/preview",
        data={"borough": CAMDEN, "csrf_token": csrf_of(client, env)},
        files={"file": ("camden.csv", text.encode(), "text/csv")},
    )
    assert '<table class="findings' in page.text
    assert "/survey/confirm" not in page.text


def test_survey_confirm_imports_and_is_audited(clients, env):
    client = clients["borough_manager"]
    data = _preview(client, env, HEADER + GOOD_ROW.format(id="SV-CONFIRM-1")).json()
    assert data["can_confirm"] is True
    other = clients["admin"].post(
        "/api/survey/confirm",
        json={"upload_id": data["upload_id"]},
        headers={"X-CSRF-Token": csrf_of(clients["admin"], env)},
    )
    assert other.status_code == 404  # an upload belongs to its uploader
    before = env.estate()
    confirm = client.post(
        "/api/survey/confirm",
        json={"upload_id": data["upload_id"]},
        headers={"X-CSRF-Token": csrf_of(client, env)},
    )
    assert confirm.status_code == 200, confirm.text
    after = env.estate()
    assert after.version == before.version + 1
    # A survey replaces the borough's cameras of its owner types (here council).
    cams = before.cameras
    replaced = int(((cams["borough_code"] == CAMDEN) & (cams["owner_type"] == "council")).sum())
    assert len(after.cameras) == len(before.cameras) - replaced + 1
    assert confirm.json()["plan"]["removed"] == replaced
    assert "SV-CONFIRM-1" in set(after.cameras["camera_id"])
    row = audit.entries(env.engine, action=audit.DATA_CHANGE, limit=1)[0]
    assert row.target == f"survey import {CAMDEN}"
    assert row.username == env.users["borough_manager"][0]


def test_business_registration(clients, env):
    client = clients["business"]
    body = {
        "lon_deg": -0.1246,
        "lat_deg": 51.5007,
        "heading_deg": 45,
        "hfov_deg": 80,
        "resolution_h_px": 2560,
        "resolution_v_px": 1440,
        "retention_days": 30,
        "contact": "desk@shop.example",
        "consent_contact": True,
        "consent_share": False,
        "location_text": "Shop front",
    }
    response = client.post(
        "/api/registrations", json=body, headers={"X-CSRF-Token": csrf_of(client, env)}
    )
    assert response.status_code == 201, response.text
    camera_id = response.json()["camera_id"]
    mine = {r["camera_id"] for r in api(client, "/api/registrations")}
    assert camera_id in mine
    police = {r["camera_id"] for r in api(clients["police"], "/api/registrations")}
    assert camera_id not in police  # no consent to share
    assert api(client, f"/api/cameras/{camera_id}")["location_text"] == "Shop front"
    row = audit.entries(env.engine, action=audit.DATA_CHANGE, limit=1)[0]
    assert row.target == f"registered {camera_id}"
    # Saved in the version's transaction: the row names the version that holds the camera.
    assert row.detail["estate_version"] == env.estate().version
    outside = client.post(
        "/api/registrations",
        json=body | {"lon_deg": 5.0},
        headers={"X-CSRF-Token": csrf_of(client, env)},
    )
    assert outside.status_code == 422
