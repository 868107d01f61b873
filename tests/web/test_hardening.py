"""Issue 16 items 3-6: ids at import, bad numbers are 4xx with the form kept, no framework
internals on error pages, no-store answers, previewed uploads deleted, bounded uploads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from cctvscope.store.web_tables import web_uploads
from cctvscope.web import intake
from tests.reliability.malformed import row_heavy_workbook
from tests.web.conftest import CAMDEN, csrf_of

HEADER = "camera_id,location_text,lon,lat,owner_type,operator,mount_height_m,heading_deg,hfov_deg\n"
ROW = "{id},Camden High Street,-0.1426,51.5392,council,Camden Council,6,90,70\n"
GOOD_REGISTRATION = {
    "lon_deg": "-0.1410",
    "lat_deg": "51.5400",
    "heading_deg": "90",
    "hfov_deg": "70",
    "resolution_h_px": "1920",
    "resolution_v_px": "1080",
    "retention_days": "31",
    "contact": "shop@example.org",
}


def _upload(client, env, name: str, data: bytes, media: str = "text/csv"):
    """POST /api/survey/preview of one file for Camden."""
    return client.post(
        "/api/survey/preview",
        data={"borough": CAMDEN},
        files={"file": (name, data, media)},
        headers={"X-CSRF-Token": csrf_of(client, env)},
    )


def _preview(client, env, text: str, name: str = "camden.csv"):
    return _upload(client, env, name, text.encode())


def test_a_markup_camera_id_is_a_finding_not_a_camera(clients, env):
    evil = "WT-<img src=x onerror=alert(3)>"
    response = _preview(clients["borough_manager"], env, HEADER + ROW.format(id=evil))
    assert response.status_code == 200
    data = response.json()
    assert data["can_confirm"] is False
    (error,) = [f for f in data["findings"] if f["severity"] == "error"]
    assert (error["row"], error["field"], error["value"]) == (1, "camera_id", evil)
    assert error["reason"].startswith("characters not allowed in an id: '<' '=' '>'")


@pytest.mark.parametrize(
    ("field", "value"), [("heading_deg", "400"), ("hfov_deg", "0"), ("resolution_h_px", "abc")]
)
def test_a_bad_registration_number_is_422_with_the_form_kept(clients, env, field, value):
    client = clients["business"]
    data = GOOD_REGISTRATION | {field: value, "location_text": "Back yard, by the bins"}
    response = client.post(
        "/registrations", data=data | {"csrf_token": csrf_of(client, env)}, follow_redirects=False
    )
    assert response.status_code == 422
    assert re.search(rf'<p class="error" role="alert">{field}: ', response.text)
    # What was typed comes back in the form, the bad value included.
    assert f'name="{field}" value="{value}"' in response.text
    assert 'value="Back yard, by the bins"' in response.text
    assert 'value="shop@example.org"' in response.text


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_a_non_finite_distance_is_422_not_500(clients, env, number):
    client = clients["analyst"]
    body = '{"room_counts": [3], "max_distance_km": ' + number + "}"
    response = client.post(
        "/api/options/control-rooms",
        content=body,
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf_of(client, env)},
    )
    assert response.status_code == 422, response.text
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", "max_distance_km"]
    assert problem["msg"] == "Input should be a finite number"
    assert set(problem) == {"loc", "msg", "type"}  # no echoed input, context or links


def test_error_pages_show_no_framework_internals(clients):
    page = clients["analyst"].get("/cameras?page=abc")
    assert page.status_code == 422
    for internal in ("pydantic", "errors.pydantic.dev", "int_parsing", "input_value", "ctx"):
        assert internal not in page.text
    api = clients["analyst"].get("/api/cameras?page=abc")
    assert api.status_code == 422
    assert "pydantic" not in api.text and '"input"' not in api.text


def test_answers_with_data_are_no_store_and_static_files_are_not(clients):
    for path in ("/api/cameras", "/api/layers/cameras", "/", "/cameras", "/login", "/api/me"):
        response = clients["police"].get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
    assert clients["anonymous"].get("/api/cameras").headers["cache-control"] == "no-store"
    static = clients["police"].get("/static/app.js")
    assert "no-store" not in static.headers.get("cache-control", "")


def _kept_files(env) -> list[Path]:
    folder = intake._upload_dir(env.app.state.cctvscope, create=False)
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _kept(env) -> dict[str, bool]:
    """Upload id -> whether its file is kept, from the store."""
    with env.app.state.cctvscope.engine.connect() as connection:
        rows = connection.execute(sa.select(web_uploads.c.id, web_uploads.c.data)).all()
    return {str(i): data is not None for i, data in rows}


def test_previewed_uploads_are_deleted_after_use(clients, env):
    client = clients["borough_manager"]
    state = env.app.state.cctvscope
    with state.engine.begin() as connection:  # other tests' previews
        connection.execute(web_uploads.delete())
    bad = _preview(
        client, env, HEADER + ROW.format(id="DEL-1") + "DEL-2,x,-0.14,51.55,council,C,6,90,400\n"
    )
    assert bad.json()["can_confirm"] is False
    assert _kept(env) == {bad.json()["upload_id"]: False}  # nothing to confirm: findings only
    first = _preview(client, env, HEADER + ROW.format(id="DEL-3")).json()
    assert _kept(env) == {first["upload_id"]: True}  # the earlier preview went
    second = _preview(client, env, HEADER + ROW.format(id="DEL-4")).json()
    assert _kept(env) == {second["upload_id"]: True}
    assert _kept_files(env) == []  # on disk only while checked
    # Past upload_keep_s, a preview is deleted at the next preview of anyone.
    state.settings = state.settings.model_copy(update={"upload_keep_s": 1e-9})
    try:
        third = _preview(clients["admin"], env, HEADER + ROW.format(id="DEL-5"), "x.csv").json()
    finally:
        state.settings = state.settings.model_copy(update={"upload_keep_s": 3600.0})
    assert _kept(env) == {third["upload_id"]: True}
    with state.engine.begin() as connection:
        connection.execute(web_uploads.delete())


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_upload_extent_counts_rows_and_padded_cells():
    from cctvscope.web.upload_limits import upload_extent

    extent = upload_extent(row_heavy_workbook(300, "ALL"), ".xlsx", 20_000)
    # 301 rows (the header too); ALL is column 26*26 + 12*26 + 12 = 1,000.
    assert (extent.rows, extent.widest, extent.cells) == (301, 1000, 301_000)
    csv_extent = upload_extent(b"a,b,c\n1,2,3\n4,5,6,7\n", ".csv", 20_000)
    assert (csv_extent.rows, csv_extent.widest) == (3, 4)


def test_a_small_workbook_with_too_many_rows_is_413_before_it_is_read(clients, env, monkeypatch):
    import cctvscope.web.intake as intake_module

    def never(*_args, **_kwargs):
        raise AssertionError("the reader ran on an upload past the web limits")

    monkeypatch.setattr(intake_module, "check_and_import", never)
    client = clients["borough_manager"]
    limit = env.settings.upload_max_rows
    data = row_heavy_workbook(limit + 1)
    assert len(data) < env.settings.max_upload_bytes
    response = _upload(client, env, "many.xlsx", data, XLSX)
    assert response.status_code == 413
    assert f"over the limit of {limit:,} rows" in response.json()["detail"]
    wide = row_heavy_workbook(1_001, "ALL")  # 1,002 rows x 1,000 columns = 1,002,000 cells
    response = _upload(client, env, "wide.xlsx", wide, XLSX)
    assert response.status_code == 413
    assert "over the limit of 1,000,000 cells: 1,002 rows x 1,000 columns" in response.text
    assert not any(p.stem in ("many", "wide") for p in _kept_files(env))


def test_a_preview_lists_the_first_findings_and_serves_all_as_csv(clients, env):
    client = clients["borough_manager"]
    shown = env.settings.preview_max_findings
    bad_rows = "".join(
        f"MANY-{i},Camden High Street,-0.1426,51.5392,council,Camden Council,6,90,400\n"
        for i in range(shown + 200)
    )
    formula = "=HYPERLINK(x)"
    text = HEADER + f"{formula},Camden High Street,-0.1426,51.5392,council,C,6,90,70\n" + bad_rows
    data = _preview(client, env, text).json()
    errors = shown + 200 + 1  # every hfov_deg 400, and the formula id
    assert data["errors"] == errors
    assert len(data["findings"]) == shown
    assert data["findings_total"] >= errors
    csv_answer = client.get(data["findings_csv"])
    assert csv_answer.status_code == 200
    assert csv_answer.headers["content-type"].startswith("text/csv")
    lines = csv_answer.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + data["findings_total"]
    assert lines[1].startswith(f"error,1,camera_id,'{formula},")  # never run as a formula
    assert sum(",hfov_deg,400," in line for line in lines) == shown + 200
    assert clients["admin"].get(data["findings_csv"]).status_code == 404  # the uploader's only
