"""The region overview, area profiles, cameras, and the map layers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from cctvscope.model.entities import AREA_CODE_PATTERN, OPTIONAL_AREA_CODE_PATTERN
from cctvscope.web import prepared, views
from cctvscope.web.camera_list import (
    SORT_FIELDS,
    CameraQuery,
    ExportFormat,
    SortField,
    camera_export,
    camera_list,
    camera_list_json,
)
from cctvscope.web.data import COVERAGE_MISSING
from cctvscope.web.deps import AnyUser, CameraReader, Reader, State, WebError
from cctvscope.web.pages import render
from cctvscope.web.prepared import json_response
from cctvscope.web.schemas import (
    BoroughProfile,
    CameraDetail,
    CameraPage,
    FeatureCollection,
    Overview,
)
from cctvscope.web.views import audit_private_ids
from cctvscope.web.wedges import camera_wedges, wedges_in_view

router = APIRouter()

BoroughCode = Annotated[str, Query(pattern=AREA_CODE_PATTERN, description="Area (borough) code")]
OwnerType = Literal["council", "tfl", "police", "private"]
CameraKind = Literal["fixed", "ptz"]
CameraId = Annotated[str, Query(min_length=1, max_length=100)]
PAGE_SIZE = 50


@router.get("/api/overview", response_model=Overview, tags=["estate"])
def overview_api(request: Request, state: State, user: AnyUser) -> Response:
    """The region's headline figures and the table of its areas."""
    body = views.overview(state.data, user).model_dump_json().encode("utf-8")
    return json_response(request, body)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview_page(request: Request, state: State, user: AnyUser) -> Response:
    """The region overview: headline figures and the map."""
    data = views.overview(state.data, user)
    return render(request, "overview.html", user, {"view": data})


@router.get("/api/boroughs/{code}", response_model=BoroughProfile, tags=["estate"])
def borough_api(state: State, user: Reader, code: str) -> BoroughProfile:
    """One borough's profile: estate, coverage, compliance, costs, control rooms."""
    return views.borough_profile(state.data, user, code)


@router.get("/boroughs/{code}", response_class=HTMLResponse, include_in_schema=False)
def borough_page(request: Request, state: State, user: Reader, code: str) -> Response:
    """One borough's profile page."""
    data = views.borough_profile(state.data, user, code)
    return render(request, "borough.html", user, {"view": data})


SortParam = Annotated[SortField, Query(description="Sort by this column (ties by camera id)")]
TextParam = Annotated[
    str | None, Query(max_length=100, description="Text in the id, location or operator")
]


async def camera_query(
    borough: Annotated[str | None, Query(pattern=AREA_CODE_PATTERN)] = None,
    owner: OwnerType | None = None,
    type: CameraKind | None = None,
    q: TextParam = None,
    sort: SortParam = "camera_id",
    desc: bool = False,
) -> CameraQuery:
    """The list's filters, text and sort, as the API takes them."""
    return CameraQuery(borough, owner, type, q, sort, desc)


ListQuery = Annotated[CameraQuery, Depends(camera_query)]


@router.get("/api/cameras", response_model=CameraPage, tags=["cameras"])
def cameras_api(
    request: Request,
    state: State,
    user: CameraReader,
    query: ListQuery,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = PAGE_SIZE,
) -> Response:
    """The cameras the caller may see: filtered by borough, owner type, kind and text, sorted."""
    return json_response(request, camera_list_json(state, request, user, query, page, page_size))


@router.get("/api/cameras.{fmt}", tags=["cameras"])
def cameras_export(
    request: Request, state: State, user: CameraReader, fmt: ExportFormat, query: ListQuery
) -> Response:
    """Every camera of the list's filters as CSV or GeoJSON (WGS84), for a GIS or a spreadsheet."""
    body, media = camera_export(state, request, user, query, fmt)
    name = f"cameras-{state.data.current().ref.name}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media, headers=disposition)


@router.get("/cameras", response_class=HTMLResponse, include_in_schema=False)
def cameras_page(
    request: Request,
    state: State,
    user: CameraReader,
    borough: Annotated[str | None, Query(pattern=OPTIONAL_AREA_CODE_PATTERN)] = None,
    owner: Annotated[str | None, Query(pattern=r"^(council|tfl|police|private)?$")] = None,
    type: Annotated[str | None, Query(pattern=r"^(fixed|ptz)?$")] = None,
    q: TextParam = None,
    sort: SortParam = "camera_id",
    desc: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The camera list: filters, text search, sortable columns, paging and export links."""
    query = CameraQuery(borough or None, owner or None, type or None, q, sort, desc)
    data = camera_list(state, request, user, query, page, PAGE_SIZE)
    boroughs = state.data.current().estate.boroughs[["gss_code", "name"]].sort_values("name")
    filters = {"borough": borough or "", "owner": owner or "", "type": type or "", "q": q or ""}
    return render(
        request,
        "cameras.html",
        user,
        {
            "view": data,
            "filters": filters,
            "sort": sort,
            "desc": desc,
            "sort_fields": SORT_FIELDS,
            "boroughs": boroughs.to_dict(orient="records"),
        },
    )


@router.get("/api/cameras/{camera_id}", response_model=CameraDetail, tags=["cameras"])
def camera_api(request: Request, state: State, user: CameraReader, camera_id: str) -> CameraDetail:
    """One camera with every attribute and its source, if the caller may see it."""
    return views.camera_detail(state, request, user, camera_id)


@router.get("/api/cameras/{camera_id}/wedges", response_model=FeatureCollection, tags=["map"])
def camera_wedges_api(
    request: Request, state: State, user: CameraReader, camera_id: str
) -> dict[str, Any]:
    """The camera's view wedges at each detail level (WGS84), if the caller may see it."""
    return camera_wedges(state, request, user, camera_id)


Bbox = Annotated[
    str,
    Query(
        pattern=r"^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$",
        description="west,south,east,north [° WGS84]",
    ),
]


@router.get("/api/layers/wedges", response_model=FeatureCollection, tags=["map"])
def wedges_layer(request: Request, state: State, user: CameraReader, bbox: Bbox) -> dict[str, Any]:
    """View wedges of the cameras in view (at most a street's worth: zoom in for more)."""
    west, south, east, north = (float(v) for v in bbox.split(","))
    return wedges_in_view(state, request, user, (west, south, east, north))


@router.get("/cameras/{camera_id}", response_class=HTMLResponse, include_in_schema=False)
def camera_page(request: Request, state: State, user: CameraReader, camera_id: str) -> Response:
    """One camera's page."""
    data = views.camera_detail(state, request, user, camera_id)
    return render(request, "camera.html", user, {"camera": data})


@router.get("/api/layers/boroughs", response_model=FeatureCollection, tags=["map"])
def boroughs_layer(request: Request, state: State, _user: AnyUser) -> Response:
    """Borough outlines (WGS84, simplified) with code, name and camera count."""
    return json_response(request, prepared.boroughs_layer(state.data))


@router.get("/api/layers/cameras", response_model=FeatureCollection, tags=["map"])
def cameras_layer(
    request: Request,
    state: State,
    user: CameraReader,
    borough: Annotated[str | None, Query(pattern=AREA_CODE_PATTERN)] = None,
) -> Response:
    """The cameras the caller may see, as points."""
    body = prepared.cameras_layer(state.data, user, borough)
    audit_private_ids(state, request, user, body.private_ids, "camera map layer")
    return json_response(request, body)


@router.get(
    "/api/layers/coverage/{layer}",
    response_model=FeatureCollection,
    tags=["map"],
    responses={404: {"description": "coverage not computed yet"}},
)
def coverage_layer(
    state: State,
    _user: Reader,
    layer: Literal["coverage_union", "gaps"],
    level: Annotated[str | None, Query(pattern=r"^[A-Za-z]{1,20}$")] = None,
) -> dict[str, Any]:
    """A coverage layer (``coverage_union`` by level, or ``gaps``) when computed."""
    found = state.data.coverage_layer(layer, level if layer == "coverage_union" else None)
    if found is None:
        raise WebError(404, COVERAGE_MISSING)
    return found
