"""Police search: the cameras that could have seen a place (a postcode, a name, a map click or
coordinates), with whether footage of the incident time is still kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

import numpy as np
import pandas as pd
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from cctvscope.crs import bng_to_wgs84, wgs84_to_bng
from cctvscope.ingest.gazetteer import Place
from cctvscope.web.accounts import User
from cctvscope.web.data import Loaded, clean, records
from cctvscope.web.deps import AppState, Police, State, WebError
from cctvscope.web.pages import render
from cctvscope.web.schemas import PlaceOut, SearchHit, SearchResult
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
PlaceText = Annotated[
    str | None,
    Query(
        max_length=200,
        description="A postcode, place, street or area name, or coordinates (BNG or WGS84)",
    ),
]
IncidentAt = Annotated[
    str | None,
    Query(
        max_length=40,
        description="Incident time, ISO 8601 (read as UTC without an offset); empty for none",
    ),
]


def incident_time(text: str | None) -> dt.datetime | None:
    """The incident time of a query (None when not given or empty: a page's blank field)."""
    if text is None or not text.strip():
        return None
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        reason = f"not an ISO 8601 time: {text!r} (e.g. 2026-11-30T22:15)"
        raise WebError(422, reason, loc=("query", "at")) from exc


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


def _place_out(place: Place, names: dict[str, str]) -> PlaceOut:
    return PlaceOut(
        label=place.label,
        kind=place.kind.value,
        x_m=place.x_m,
        y_m=place.y_m,
        area=names.get(place.area_code),
    )


@dataclass(frozen=True)
class Where:
    """The point searched, and the place (and the other places) its text named."""

    x_m: float
    y_m: float
    place: PlaceOut | None = None
    others: tuple[PlaceOut, ...] = ()


def where_of(state: AppState, query: PointQuery) -> Where:
    """The point of a query: easting/northing, else lon/lat, else the best place its text
    names in the estate's region (422 when none is given or the text matches nothing)."""
    from cctvscope.ingest.gazetteer import find_places

    if query.text and not (query.has_point()):
        loaded = state.data.current()
        found = find_places(state.data.gazetteer(loaded), query.text)
        if not found:
            raise WebError(
                422,
                f"no place in {loaded.estate.region.name} matches {query.text!r}: try a "
                "postcode, a place or street name, or coordinates",
                loc=("query", "q"),
            )
        names = _area_names(loaded)
        best, *rest = [_place_out(p, names) for p in found]
        return Where(best.x_m, best.y_m, best, tuple(rest))
    return Where(*point_of(query.x_m, query.y_m, query.lon, query.lat))


def _area_names(loaded: Loaded) -> dict[str, str]:
    areas = loaded.estate.boroughs
    return dict(zip(areas["gss_code"].astype(str), areas["name"].astype(str), strict=True))


@dataclass(frozen=True)
class SearchTables:
    """What a search adds to its hits, made once per estate version."""

    attributes: pd.DataFrame
    """:func:`~cctvscope.workflows.evidence.candidate_attributes` with lon/lat added."""
    listed: frozenset[str]
    """Ids of the estate's cameras (each has a page)."""
    names: dict[str, str]
    bounds_m: tuple[float, float, float, float]


def search_tables(state: AppState, loaded: Loaded) -> SearchTables:
    """The version's :class:`SearchTables`."""
    from cctvscope.workflows.evidence import candidate_attributes

    def build() -> SearchTables:
        attributes = candidate_attributes(loaded.estate)
        at = loaded.cameras.set_index("camera_id")[["lon_deg", "lat_deg"]]
        attributes = attributes.join(at)
        x0, y0, x1, y1 = (float(v) for v in loaded.estate.boroughs.total_bounds)
        listed = frozenset(loaded.cameras["camera_id"].astype(str))
        return SearchTables(attributes, listed, _area_names(loaded), (x0, y0, x1, y1))

    return state.data.scoped("search_tables", loaded, None, build)


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def search(
    state: AppState,
    request: Request,
    user: User,
    where: Where,
    incident_at: dt.datetime | None = None,
) -> SearchResult:
    """Cameras (public, and private ones that consent) that could have seen the point."""
    from cctvscope.workflows.evidence import candidates_at

    x_m, y_m = where.x_m, where.y_m
    incident_at = _utc(incident_at)
    loaded = state.data.current()
    tables = search_tables(state, loaded)
    x0, y0, x1, y1 = tables.bounds_m
    m = REGION_MARGIN_M
    if not (x0 - m <= x_m <= x1 + m and y0 - m <= y_m <= y1 + m):
        raise WebError(
            422,
            f"the point ({x_m:.0f}, {y_m:.0f}) lies outside the estate's region "
            f"(BNG {x0:.0f}–{x1:.0f} E, {y0:.0f}–{y1:.0f} N)",
            loc=("query",),
        )
    hits = candidates_at(
        state.data.lookup(loaded),
        loaded.estate,
        x_m,
        y_m,
        incident_at=incident_at,
        attributes=tables.attributes,
    ).sort_values("distance_m")
    audit_private_view(state, request, user, hits, f"police search at {x_m:.0f},{y_m:.0f}")
    lon, lat = bng_to_wgs84([x_m], [y_m])
    names = tables.names
    public = tables.listed
    hits = hits.assign(
        level=hits["level"].astype(str),
        borough=pd.Series(
            [names.get(str(c)) for c in hits["borough_code"]], index=hits.index, dtype=object
        ),
        url=pd.Series(
            [f"/cameras/{quote(str(c), safe='')}" if str(c) in public else None
             for c in hits["camera_id"]],
            index=hits.index,
            dtype=object,
        ),
    )  # fmt: skip
    if "retention_ends_at" in hits.columns:
        hits["retention_ends_at"] = [
            None if e is None else e.isoformat(timespec="minutes")
            for e in hits["retention_ends_at"]
        ]
    fields = list(SearchHit.model_fields)
    return SearchResult(
        x_m=x_m,
        y_m=y_m,
        lon_deg=float(np.round(lon[0], 6)),
        lat_deg=float(np.round(lat[0], 6)),
        place=where.place,
        other_places=list(where.others),
        incident_at=None if incident_at is None else incident_at.isoformat(timespec="minutes"),
        cameras=[
            SearchHit.model_validate({k: clean(r.get(k)) for k in fields})
            for r in records(hits, [f for f in fields if f in hits.columns])
        ],
    )


@dataclass(frozen=True)
class PointQuery:
    """What a search names: a BNG point, a WGS84 point, or a place's text."""

    x_m: float | None = None
    y_m: float | None = None
    lon: float | None = None
    lat: float | None = None
    text: str | None = None

    def has_point(self) -> bool:
        """True when coordinates (either pair) are given."""
        bng = self.x_m is not None and self.y_m is not None
        return bng or (self.lon is not None and self.lat is not None)

    def given(self) -> bool:
        """True when the query names anything to search."""
        return self.has_point() or bool(self.text and self.text.strip())


@router.get("/api/search", response_model=SearchResult, tags=["police"])
def search_api(
    request: Request,
    state: State,
    user: Police,
    x_m: Easting = None,
    y_m: Northing = None,
    lon: Lon = None,
    lat: Lat = None,
    q: PlaceText = None,
    at: IncidentAt = None,
) -> SearchResult:
    """Cameras that could have seen a place, nearest first, with whether footage of the
    incident time (``at``) is still within each camera's retention."""
    query = PointQuery(x_m, y_m, lon, lat, q)
    if not query.given():
        raise WebError(422, "give q (a place), x_m and y_m, or lon and lat", loc=("query",))
    return search(state, request, user, where_of(state, query), incident_time(at))


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    request: Request,
    state: State,
    user: Police,
    x_m: Easting = None,
    y_m: Northing = None,
    lon: Lon = None,
    lat: Lat = None,
    q: PlaceText = None,
    at: IncidentAt = None,
) -> Response:
    """The search page: a place's text, a map click or coordinates, and the incident time."""
    query = PointQuery(x_m, y_m, lon, lat, q)
    when = incident_time(at)
    result = search(state, request, user, where_of(state, query), when) if query.given() else None
    return render(request, "search.html", user, {"result": result, "q": q or "", "at": when})
