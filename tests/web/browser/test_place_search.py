"""A police investigator finds a postcode, opens a camera that could have seen it and sees the
camera's view wedges on the app's own street map (no request leaves the server); screenshots
of the overview, the search and the camera page are kept in ``test-output/browser/``."""

from __future__ import annotations

import re
import struct
from urllib.parse import urlsplit

import numpy as np

from tests.web.browser.test_app import log_in, open_map

WEDGE_TIMEOUT_MS = 30_000
#: Streets drawn on the street-map tiles in view (each canvas tile counts its own).
STREETS_DRAWN_JS = """() => Array.from(document.querySelectorAll('.basemap-tiles canvas'))
    .reduce((n, c) => n + parseInt(c.dataset.streets || '0', 10), 0)"""


def _busiest_postcode(database_url: str) -> tuple[str, int]:
    """The Westminster postcode whose point the most cameras could have seen, and how many."""
    from cctvscope.coverage.lookup import CameraLookup
    from cctvscope.evidence.registry import Actor, list_registrations, searchable_cameras
    from cctvscope.ingest.gazetteer import read_london_gazetteer
    from cctvscope.model.assumptions import read_assumptions
    from cctvscope.store import load_estate

    estate = load_estate(database_url, "london")
    regs = list_registrations(database_url, "london", Actor.police())
    usable = float(read_assumptions().value("coverage.usable_range_m"))
    lookup = CameraLookup.build(searchable_cameras(estate, regs), usable_range_m=usable)
    units = read_london_gazetteer().postcodes
    units = units.loc[units["area_code"] == "E09000033"].head(2000)
    counts = [len(lookup.cameras_at(x, y)) for x, y in zip(units["x_m"], units["y_m"], strict=True)]
    best = int(np.argmax(counts))
    code = str(units["postcode"].iloc[best])
    return f"{code[:-3]} {code[-3:]}", counts[best]


def _png(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_find_a_postcode_open_a_camera_see_its_wedges(page, live_server, output_dir):
    postcode, expected = _busiest_postcode(live_server.database_url)
    assert expected > 0
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    log_in(page, live_server, "police")
    open_map(page, live_server)
    page.wait_for_selector(".basemap-tiles canvas[data-features]", state="attached")
    page.screenshot(path=str(output_dir / "overview.png"), full_page=True)

    page.goto(live_server.url + "/search")
    page.fill("input[name=q]", postcode.lower())
    page.locator("#place-search button[type=submit]").click()
    page.wait_for_selector("#hit-count")
    assert page.locator("#place-found").inner_text() == postcode
    assert int(page.locator("#hit-count").inner_text()) == expected
    # the map is centred on the place found, at street scale
    page.wait_for_selector("#map[data-map-ready='1']", state="attached")
    assert page.locator("#map").evaluate("el => el.dataset.layers").endswith("point")
    # ... on a street map: a Westminster postcode has streets around it
    page.wait_for_function(f"({STREETS_DRAWN_JS})() > 0")
    page.screenshot(path=str(output_dir / "police_search.png"), full_page=True)

    link = page.locator("table.hits a[href^='/cameras/']").first
    camera_id = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/cameras/"))
    assert camera_id in page.locator("h1").inner_text()
    page.wait_for_selector("#map[data-wedges]", state="attached", timeout=WEDGE_TIMEOUT_MS)
    drawn = int(page.locator("#map").get_attribute("data-wedges") or 0)
    assert drawn >= 1
    # one SVG path per wedge drawn, and the camera's marker
    assert page.locator(".leaflet-overlay-pane path").count() >= drawn
    # the wedges lie on the street map: tiles with streets under them, and the attribution
    page.wait_for_function(f"({STREETS_DRAWN_JS})() >= 10")
    assert page.locator("#map").get_attribute("data-basemap") == "london"
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "OpenStreetMap contributors" in attribution and "Crown copyright" in attribution
    assert page.locator(".basemap-tiles canvas[data-error]").count() == 0
    page.screenshot(path=str(output_dir / "camera.png"), full_page=True)
    for name in ("overview.png", "police_search.png", "camera.png"):
        width, height = _png(output_dir / name)
        assert width >= 1280 and height >= 900
    # offline: every request went to the app itself (no CDN, no tile server)
    assert hosts == {urlsplit(live_server.url).netloc}
