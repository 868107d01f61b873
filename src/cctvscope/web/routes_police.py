"""Police search: the cameras that could have seen a point (map click or coordinates)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from cctvscope.crs import bng_to_wgs84, wgs84_to_bng
from cctvscope.web.accounts import User
from cctvscope.web.data import clean, records
from cctvscope.web.deps import AppState, Police, State, WebError
from cctvscope.web.pages import render
from cctvscope.web.schemas import SearchHit, SearchResult
from cctvscope.web.views import audit_private_view

router = APIRouter()

#: British National Grid's extent [m]; a point must also lie near the estate's region.
X_RANGE_M = (0.0, 700_000.0)
Y_RANGE_M = (0.0, 1_300_000.0)
#: How far outside the region's areas a searched point may lie [m].
REGION_MARGIN_M = 5_000.0
Easting = Annotated[float | None, Query(ge=X_RANGE_M[0], le=X_RANGE_M[1], description="BNG [m]")]
Northing = Annotated[float | None, Query(ge=Y_RANGE_M[0], le=Y_RANGE_M[1], description="BNG [m]")]
Lon = Annotated[float | None, Query(ge=-9.0, le=3.0, description="WGS84 longitude [°]")]
Lat = Annotated[float | None, Query(ge=49.0, le=61.0, description="WGS84 latitude [°]")]


def point_of(
    x_m: float | None, y_m: float | None, lon: float | None, lat: float | None
) -> tuple[float, float]:
    """The BNG point of a query: easting/northing, else lon/lat (422 when neither pair)."""
    if x_m is not None and y_m is not None:
        return x_m, y_m
    if lon is not None and lat is not None:
        x, y = wgs84_to_bng([lon], [lat])
        return float(x[0]), float(y[0])
    raise WebError(
        422, "give x_m and y_m (BNG metres) or lon and lat (WGS84 degrees)", loc=("query",)
    )


def search(state: AppState, request: Request, user: User, x_m: float, y_m: float) -> SearchResult:
    """Cameras (public, and private ones that consent) that could have seen (x_m, y_m)."""
    from cctvscope.workflows.evidence import candidates_at

    loaded = state.data.current()
    x0, y0, x1, y1 = (float(v) for v in loaded.estate.boroughs.total_bounds)
    m = REGION_MARGIN_M
    if not (x0 - m <= x_m <= x1 + m and y0 - m <= y_m <= y1 + m):
        raise WebError(
            422,
            f"the point ({x_m:.0f}, {y_m:.0f}) lies outside the estate's region "
            f"(BNG {x0:.0f}–{x1:.0f} E, {y0:.0f}–{y1:.0f} N)",
            loc=("query",),
        )
    hits = candidates_at(state.data.lookup(loaded), loaded.estate, x_m, y_m)
    where = loaded.cameras.set_index("camera_id")[["lon_deg", "lat_deg"]]
    hits = hits.join(where, on="camera_id").sort_values("distance_m")
    audit_private_view(state, request, user, hits, f"police search at {x_m:.0f},{y_m:.0f}")
    lon, lat = bng_to_wgs84([x_m], [y_m])
    fields = list(SearchHit.model_fields)
    return SearchResult(
        x_m=x_m,
        y_m=y_m,
        lon_deg=float(np.round(lon[0], 6)),
        lat_deg=float(np.round(lat[0], 6)),
        cameras=[
            SearchHit.model_validate({k: clean(r.get(k)) for k in fields})
            for r in records(hits.assign(level=hits["level"].astype(str)))
        ],
    )


@router.get("/api/search", response_model=SearchResult, tags=["police"])
def search_api(
    request: Request,
    state: State,
    user: Police,
    x_m: Easting = None,
    y_m: Northing = None,
    lon: Lon = None,
    lat: Lat = None,
) -> SearchResult:
    """Cameras that could have seen a point, finest detail level first by distance."""
    return search(state, request, user, *point_of(x_m, y_m, lon, lat))


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    request: Request,
    state: State,
    user: Police,
    x_m: Easting = None,
    y_m: Northing = None,
    lon: Lon = None,
    lat: Lat = None,
) -> Response:
    """The search page: click the map or give coordinates."""
    given = (x_m is not None and y_m is not None) or (lon is not None and lat is not None)
    result = search(state, request, user, *point_of(x_m, y_m, lon, lat)) if given else None
    return render(request, "search.html", user, {"result": result})
