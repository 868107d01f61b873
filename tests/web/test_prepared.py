"""Answers prepared per estate version: a new version, saved by any process, is answered at
once; what a role sees and the audit of each private view are unchanged."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cctvscope.store import load_estate, save_estate
from cctvscope.web import audit
from cctvscope.web.app import create_app
from tests.web.conftest import CAMDEN, WebEnv
from tests.web.test_jobs import bearer, store_copy


def _get(client: TestClient, env: WebEnv, role: str, path: str):
    response = client.get(path, headers=bearer(env, role))
    assert response.status_code == 200, response.text[:300]
    return response.json()


def test_a_new_version_is_answered_at_once(env, tmp_path):
    settings = store_copy(env, tmp_path)
    client = TestClient(create_app(settings))
    overview = _get(client, env, "analyst", "/api/overview")
    listed = _get(client, env, "analyst", f"/api/cameras?borough={CAMDEN}&page_size=500")
    layer = _get(client, env, "analyst", f"/api/layers/cameras?borough={CAMDEN}")
    # Another process saves a version without the first Camden camera listed.
    estate = load_estate(settings.database_url, "london")
    gone = listed["items"][0]["camera_id"]
    kept = estate.cameras[estate.cameras["camera_id"] != gone].reset_index(drop=True)
    saved = save_estate(settings.database_url, estate.replace_tables(cameras=kept))
    after = _get(client, env, "analyst", "/api/overview")
    assert after["estate"]["version"] == overview["estate"]["version"] + 1 == saved.version
    assert after["headline"]["cameras"] == overview["headline"]["cameras"] - 1 == len(kept)
    camden = {r["gss_code"]: r["cameras"] for r in after["boroughs"]}[CAMDEN]
    assert camden == int((kept["borough_code"] == CAMDEN).sum())
    relisted = _get(client, env, "analyst", f"/api/cameras?borough={CAMDEN}&page_size=500")
    assert relisted["total"] == listed["total"] - 1
    assert gone not in {c["camera_id"] for c in relisted["items"]}
    relayer = _get(client, env, "analyst", f"/api/layers/cameras?borough={CAMDEN}")
    ids = {f["properties"]["id"] for f in relayer["features"]}
    assert len(ids) == len(layer["features"]) - 1 and gone not in ids


def test_each_request_of_a_prepared_private_answer_is_audited(env, tmp_path):
    settings = store_copy(env, tmp_path)
    app = create_app(settings)
    client = TestClient(app)
    engine = app.state.cctvscope.engine
    before = len(audit.entries(engine, action=audit.VIEW_PRIVATE, limit=10_000))
    first = _get(client, env, "police", "/api/layers/cameras")
    second = _get(client, env, "police", "/api/layers/cameras")  # the same prepared answer
    assert first == second
    private = sorted(f["properties"]["id"] for f in first["features"]
                     if f["properties"]["owner_type"] == "private")  # fmt: skip
    assert private  # the police see consenting private cameras
    rows = audit.entries(engine, action=audit.VIEW_PRIVATE, limit=10_000)
    assert len(rows) == before + 2
    for row in rows[:2]:
        assert (row.username, row.target) == ("police", "camera map layer")
        assert sorted(row.detail["camera_ids"]) == private
    # an analyst's answer shows no private camera, and writes no row
    analyst = _get(client, env, "analyst", "/api/layers/cameras")
    assert {f["properties"]["owner_type"] for f in analyst["features"]} <= {
        "council", "tfl", "police"
    }  # fmt: skip
    assert len(audit.entries(engine, action=audit.VIEW_PRIVATE, limit=10_000)) == before + 2


def test_a_big_answer_is_sent_gzipped_and_reads_the_same(env, tmp_path):
    client = TestClient(create_app(store_copy(env, tmp_path)))
    plain = client.get(
        "/api/layers/cameras", headers=bearer(env, "analyst") | {"Accept-Encoding": "identity"}
    )
    packed = client.get(
        "/api/layers/cameras", headers=bearer(env, "analyst") | {"Accept-Encoding": "gzip"}
    )
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.json() == plain.json()  # httpx undoes the gzip
