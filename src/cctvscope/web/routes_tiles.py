"""Map tiles: the region's street map (any signed-in user; cacheable) and coverage with gaps
(the roles that see coverage; never cached)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from cctvscope.web.data import COVERAGE_MISSING
from cctvscope.web.deps import AnyUser, Reader, State, WebError
from cctvscope.web.map_tiles import BASEMAP_MAX_AGE_S
from cctvscope.web.tiles import MAX_ZOOM, TileIndex, check_tile

router = APIRouter()

GEOJSON = "application/geo+json"
Zoom = Annotated[int, Path(ge=0, le=MAX_ZOOM, description="Zoom level")]
Column = Annotated[int, Path(ge=0, le=2**MAX_ZOOM - 1, description="Tile column (from the west)")]
Row = Annotated[int, Path(ge=0, le=2**MAX_ZOOM - 1, description="Tile row (from the north)")]
Level = Annotated[str, Query(pattern=r"^(detect|observe|recognise|identify)$")]


def _tile(index: TileIndex, z: int, x: int, y: int) -> bytes:
    try:
        check_tile(z, x, y)
    except ValueError as exc:
        raise WebError(404, f"no such tile: {exc}") from exc
    return index.tile_bytes(z, x, y)


@router.get("/api/layers/basemap", tags=["map"])
def basemap_meta(state: State, _user: AnyUser) -> dict[str, Any]:
    """The street map of the estate's region: tile URL, extent and attribution lines."""
    return state.data.basemap_tiles(state.data.current()).meta()


@router.get(
    "/tiles/basemap/{z}/{x}/{y}.geojson",
    tags=["map"],
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}, 404: {"description": "no such tile"}},
)
def basemap_tile(state: State, _user: AnyUser, z: Zoom, x: Column, y: Row) -> Response:
    """One street-map tile (WGS84 GeoJSON: streets, main roads, rail, stations, water, parks,
    place labels, the region's areas), cut to the tile and simplified for its zoom."""
    body = _tile(state.data.basemap_tiles(state.data.current()).index, z, x, y)
    # Open data, the same for every user: the browser may keep it (not a shared cache).
    headers = {"Cache-Control": f"private, max-age={BASEMAP_MAX_AGE_S}"}
    return Response(body, media_type=GEOJSON, headers=headers)


@router.get(
    "/tiles/coverage/{z}/{x}/{y}.geojson",
    tags=["map"],
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}, 404: {"description": "coverage not computed"}},
)
def coverage_tile(
    state: State, _user: Reader, z: Zoom, x: Column, y: Row, level: Level = "recognise"
) -> Response:
    """One coverage tile: the area covered at ``level`` and the ranked gaps (WGS84 GeoJSON)."""
    index = state.data.coverage_tiles(level)
    if index is None:
        raise WebError(404, COVERAGE_MISSING)
    return Response(_tile(index, z, x, y), media_type=GEOJSON)
