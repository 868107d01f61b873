"""Police search by place: a postcode or name finds the same cameras as its point, hits link to
camera pages, and each says whether footage of the incident time is still kept."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cctvscope.coverage.lookup import CameraLookup
from cctvscope.evidence.registry import Actor, list_registrations, searchable_cameras
from cctvscope.ingest.gazetteer import read_london_gazetteer
from cctvscope.model.assumptions import read_assumptions
from tests.web.test_views import api


@pytest.fixture(scope="module")
def independent(web_env):
    """The police lookup built here from the estate and registrations, and the Westminster
    postcode whose point the most cameras could have seen."""
    estate = web_env.estate()
    regs = list_registrations(web_env.engine, "london", Actor.police())
    usable = float(read_assumptions().value("coverage.usable_range_m"))
    lookup = CameraLookup.build(searchable_cameras(estate, regs), usable_range_m=usable)
    units = read_london_gazetteer().postcodes
    westminster = units.loc[units["area_code"] == "E09000033"].head(3000)
    points = zip(westminster["x_m"], westminster["y_m"], strict=True)
    counts = [len(lookup.cameras_at(x, y)) for x, y in points]
    best = westminster.iloc[int(np.argmax(counts))]
    return lookup, best


def test_a_postcode_finds_the_cameras_of_its_point(clients, env, independent):
    lookup, unit = independent
    code = f"{unit['postcode'][:-3]} {unit['postcode'][-3:]}"
    data = api(clients["police"], f"/api/search?q={code.lower().replace(' ', '+')}")
    assert (data["x_m"], data["y_m"]) == (unit["x_m"], unit["y_m"])
    assert data["place"]["label"] == code and data["place"]["kind"] == "postcode"
    assert data["place"]["area"] == "Westminster"
    expected = lookup.cameras_at(float(unit["x_m"]), float(unit["y_m"]))
    assert len(expected) > 0
    assert sorted(c["camera_id"] for c in data["cameras"]) == sorted(expected["camera_id"])
    public = set(env.estate().cameras["camera_id"])
    for hit in data["cameras"]:
        assert (hit["url"] is not None) == (hit["camera_id"] in public)
        assert hit["borough"] == "Westminster" or hit["borough_code"] != "E09000033"
    linked = next(h for h in data["cameras"] if h["url"])
    assert clients["police"].get(linked["url"]).status_code == 200
    page = clients["police"].get(f"/search?q={code}").text
    assert f'id="hit-count">{len(expected)}<' in page and f'id="place-found">{code}<' in page


def test_footage_of_the_incident_time_within_retention(clients, independent):
    _lookup, unit = independent
    incident = (dt.datetime.now(dt.UTC) - dt.timedelta(days=20)).replace(microsecond=0)
    at = incident.strftime("%Y-%m-%dT%H:%M:%S")  # no offset: read as UTC
    data = api(clients["police"], f"/api/search?x_m={unit['x_m']}&y_m={unit['y_m']}&at={at}")
    assert data["incident_at"] == incident.isoformat(timespec="minutes")
    assert data["cameras"]
    for hit in data["cameras"]:
        days = hit["retention_days"]
        if days is None:
            assert hit["within_retention"] is None
            continue
        # kept while the incident is younger than the retention: 20 days ago vs `days` days
        assert hit["within_retention"] is (days > 20)
        ends = incident + dt.timedelta(days=days)
        assert hit["retention_ends_at"] == ends.isoformat(timespec="minutes")
    assert {h["within_retention"] for h in data["cameras"]} >= {True, False} or len(
        {h["retention_days"] for h in data["cameras"]}
    ) == 1


def test_a_place_name_or_coordinates_text(clients, independent):
    _lookup, unit = independent
    by_text = api(clients["police"], f"/api/search?q={unit['x_m']:.0f}+{unit['y_m']:.0f}")
    assert (by_text["x_m"], by_text["y_m"]) == (unit["x_m"], unit["y_m"])
    assert by_text["place"]["kind"] == "coordinates"
    soho = api(clients["police"], "/api/search?q=soho")
    assert soho["place"]["label"].lower().startswith("soho")
    nowhere = clients["police"].get("/api/search?q=zzqqxx")
    assert nowhere.status_code == 422
    assert "no place in London matches 'zzqqxx'" in nowhere.text
    assert clients["police"].get("/api/search?q=" + "a" * 201).status_code == 422
    # the page's blank incident-time field is no time; a wrong one is a clear 422
    page = clients["police"].get(f"/search?q={unit['x_m']:.0f}+{unit['y_m']:.0f}&at=")
    assert page.status_code == 200 and 'id="hit-count"' in page.text
    bad = clients["police"].get(f"/api/search?x_m={unit['x_m']}&y_m={unit['y_m']}&at=yesterday")
    assert bad.status_code == 422 and "not an ISO 8601 time" in bad.text
