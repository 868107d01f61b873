"""The web app in a real browser: log in, map, borough profile, survey findings, screenshot."""

from __future__ import annotations

import re
import struct
import time

import sqlalchemy as sa

from cctvscope.store import list_estates

CAMDEN = "E09000007"
LOGIN_TIMEOUT_MS = 20_000
MAP_TIMEOUT_MS = 60_000
SETTLE_MS = 750

# A complete survey row (no defaults, so no warnings) and a second row whose lens angle is
# impossible: the preview must show exactly that finding, on row 2, field hfov_deg.
SURVEY_CSV = (
    "camera_id,location_text,lon,lat,borough,owner_type,operator,mount_height_m,heading_deg,"
    "hfov_deg,tilt_deg,ptz,ptz_max_zoom,resolution_h_px,resolution_v_px,codec,fps,signal,"
    "install_year,retention_days,onvif_profiles,export_formats,time_sync,status\n"
    "BT-CAM-001,Camden High Street,-0.1426,51.5392,Camden,council,Camden Council,6,90,70,10,"
    "no,1,1920,1080,h264,25,ip,2019,31,S,mp4,ntp,operational\n"
    "BT-CAM-002,Kentish Town Road,-0.1403,51.5505,Camden,council,Camden Council,6,180,400,10,"
    "no,1,1920,1080,h264,25,ip,2019,31,S,mp4,ntp,operational\n"
)

# A point inside the element that the element itself receives (not a marker above it),
# nearest the middle of its bounding box; null when none is on screen.
INTERIOR_POINT_JS = """(el) => {
    const r = el.getBoundingClientRect();
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    const n = 32;
    let best = null;
    for (let i = 1; i < n; i++) {
        for (let j = 1; j < n; j++) {
            const x = r.left + (r.width * i) / n, y = r.top + (r.height * j) / n;
            if (x < 0 || y < 0 || x >= window.innerWidth || y >= window.innerHeight) continue;
            if (document.elementFromPoint(x, y) !== el) continue;
            const d = (x - cx) ** 2 + (y - cy) ** 2;
            if (best === null || d < best.d) best = {x, y, d};
        }
    }
    return best && {x: best.x, y: best.y};
}"""


# The number of cameras in the drawn clusters (each cluster's label is its count).
CLUSTER_TOTAL_JS = """() => Array.from(
    document.querySelectorAll(".leaflet-marker-pane .marker-cluster")
).reduce((n, el) => n + (parseInt(el.textContent.replace(/\\D/g, ""), 10) || 0), 0)"""


def log_in(page, site, role: str) -> None:
    """Log in through the form as the demo user of ``role``; lands on the map page."""
    username, password = site.users[role]
    page.goto(site.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(site.url + "/", timeout=LOGIN_TIMEOUT_MS)


def open_map(page, site) -> int:
    """Open the map page, wait until its layers are drawn and still; the cameras clustered.

    ``data-map-ready`` comes when every layer's data has arrived; the cluster layer then
    adds its markers in chunks, so wait until the clustered total stops changing.
    """
    if page.url != site.url + "/":
        page.goto(site.url + "/")
    page.wait_for_selector("#map[data-map-ready='1']", state="attached", timeout=MAP_TIMEOUT_MS)
    page.wait_for_selector(".leaflet-overlay-pane path", timeout=MAP_TIMEOUT_MS)
    previous = -1
    deadline = time.monotonic() + MAP_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        total = int(page.evaluate(CLUSTER_TOTAL_JS))
        if total == previous:
            return total
        previous = total
        page.wait_for_timeout(SETTLE_MS)
    raise AssertionError(f"the map was still changing after {MAP_TIMEOUT_MS} ms")


def borough_path(page, gss_code: str):
    """The SVG path of one borough's polygon on the map."""
    return page.locator(f".leaflet-overlay-pane path[data-gss='{gss_code}']").first


def test_log_in_open_map_click_borough_see_profile(page, live_server):
    log_in(page, live_server, "analyst")
    open_map(page, live_server)
    path = borough_path(page, CAMDEN)
    path.wait_for(state="visible")
    point = path.evaluate(INTERIOR_POINT_JS)
    assert point is not None, "no visible, unobstructed point of Camden's polygon on the map"
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(rf"/boroughs/{CAMDEN}/?$"))
    heading = page.locator("h1").first.inner_text()
    assert live_server.borough_names[CAMDEN] in heading
    assert "Camden" in heading


def test_survey_upload_with_an_error_shows_the_finding(page, live_server):
    engine = sa.create_engine(live_server.database_url)
    try:
        stored_before = [(e.name, e.version, e.cameras) for e in list_estates(engine)]
    finally:
        engine.dispose()

    log_in(page, live_server, "borough_manager")
    page.goto(live_server.url + "/survey")
    page.set_input_files(
        "input[type=file][name=file]",
        files=[
            {"name": "camden-survey.csv", "mimeType": "text/csv", "buffer": SURVEY_CSV.encode()}
        ],
    )
    select = page.locator("select[name=borough]")
    values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
    choice = {"value": CAMDEN} if CAMDEN in values else {"label": "Camden"}
    select.select_option(**choice)
    page.locator("form:has(input[type=file][name=file]) [type=submit]").first.click()
    page.wait_for_url(re.compile(r"/survey/preview/?$"))

    table = page.locator("table.findings")
    table.wait_for()
    headers = [h.strip().lower() for h in table.locator("thead th").all_inner_texts()]
    for column in ("row", "field", "value", "reason"):
        assert column in headers, f"findings table lacks a {column!r} column: {headers}"
    rows = [
        dict(zip(headers, (c.strip() for c in r.locator("td").all_inner_texts()), strict=False))
        for r in table.locator("tbody tr").all()
    ]
    hfov = [r for r in rows if r.get("field") == "hfov_deg"]
    assert len(hfov) == 1, f"expected one hfov_deg finding, got {rows}"
    assert hfov[0]["row"] == "2"
    assert hfov[0]["value"] == "400"
    assert "out of range" in hfov[0]["reason"]

    engine = sa.create_engine(live_server.database_url)
    try:
        stored_after = [(e.name, e.version, e.cameras) for e in list_estates(engine)]
    finally:
        engine.dispose()
    assert stored_after == stored_before, "a preview must not change the store"


def test_map_page_screenshot(page, live_server, output_dir):
    log_in(page, live_server, "analyst")
    clustered = open_map(page, live_server)
    shot = output_dir / "map.png"
    shot.unlink(missing_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 1280 and height >= 900
    assert len(data) > 20_000, "the map screenshot looks blank"

    outlines = page.locator(".leaflet-overlay-pane path[data-gss]").count()
    assert outlines == len(live_server.borough_names)
    assert clustered > 0, (
        "no camera clusters on the map (Leaflet.markercluster draws nothing, and throws, "
        "when the map has no maxZoom)"
    )


def test_map_tooltips_show_data_as_text_never_markup(page, live_server):
    """A borough name that is markup (as a camera id once was) shows as its characters: the
    tooltip holds a text node, no element (issue 16: Leaflet set string tooltips as HTML)."""
    evil = '<img src=x onerror="window.__xss=1">Camden'

    def poison(route):
        response = route.fetch()
        data = response.json()
        for feature in data["features"]:
            if feature["properties"]["gss_code"] == CAMDEN:
                feature["properties"]["name"] = evil
        route.fulfill(response=response, json=data)

    page.route(re.compile(r".*/api/layers/boroughs.*"), poison)
    log_in(page, live_server, "analyst")
    open_map(page, live_server)
    path = borough_path(page, CAMDEN)
    path.wait_for(state="visible")
    point = path.evaluate(INTERIOR_POINT_JS)
    assert point is not None
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator(".leaflet-tooltip").first
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text().startswith(evil)
    assert tooltip.locator("img").count() == 0
    assert page.evaluate("() => window.__xss === undefined")
