"""The camera list people work with: text search, filters, sort, paging, and export.

One query (:class:`CameraQuery`) drives the page, the JSON list and both exports
(CSV and GeoJSON), over the cameras the caller may see; every exported private
location is audited by id like any other view of it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Literal, get_args

import pandas as pd
from fastapi import Request

from cctvscope.reporting.safe_csv import defuse_formulas
from cctvscope.web.accounts import User
from cctvscope.web.data import Loaded, clean, records
from cctvscope.web.deps import AppState, WebError
from cctvscope.web.schemas import CameraPage
from cctvscope.web.views import CAMERA_FIELDS, audit_private_view, camera_out, visible_cameras

SortField = Literal[
    "camera_id", "borough", "owner_type", "operator", "install_year", "resolution",
    "retention_days", "status",
]  # fmt: skip
SORT_FIELDS: tuple[str, ...] = get_args(SortField)
ExportFormat = Literal["csv", "geojson"]
#: Most cameras one export holds: the whole London demo estate fits.
MAX_EXPORT_ROWS = 100_000
#: Columns searched by the text box (case-insensitive, anywhere in the text).
SEARCHED = ("camera_id", "location_text", "operator")


@dataclass(frozen=True)
class CameraQuery:
    """Which cameras, in which order: filters, a text search and a sort."""

    borough: str | None = None
    owner: str | None = None
    kind: str | None = None
    text: str | None = None
    sort: SortField = "camera_id"
    descending: bool = False


def _with_names(cams: pd.DataFrame, loaded: Loaded) -> pd.DataFrame:
    areas = loaded.estate.boroughs
    names = dict(zip(areas["gss_code"].astype(str), areas["name"].astype(str), strict=True))
    return cams.assign(borough=cams["borough_code"].astype(str).map(names))


def select_cameras(cams: pd.DataFrame, query: CameraQuery) -> pd.DataFrame:
    """The cameras matching ``query``, sorted (ties by camera id)."""
    if query.borough:
        cams = cams[cams["borough_code"] == query.borough]
    if query.owner:
        cams = cams[cams["owner_type"] == query.owner]
    if query.kind:
        cams = cams[cams["ptz"].astype(bool) == (query.kind == "ptz")]
    text = (query.text or "").strip().casefold()
    if text:
        hit = pd.Series(False, index=cams.index)
        for column in SEARCHED:
            values = cams[column].fillna("").astype(str).str.casefold()
            hit |= values.str.contains(text, regex=False)
        cams = cams[hit]
    key = query.sort
    if key == "resolution":
        cams = cams.assign(resolution=cams["resolution_h_px"] * cams["resolution_v_px"])
    order = cams.sort_values(
        [key, "camera_id"], ascending=[not query.descending, True], kind="stable"
    )
    return order.drop(columns="resolution") if key == "resolution" else order


def _visible(state: AppState, user: User, query: CameraQuery) -> pd.DataFrame:
    loaded = state.data.current()
    cams = _with_names(visible_cameras(state.data, user, loaded), loaded)
    return select_cameras(cams, query)


def camera_list(
    state: AppState, request: Request, user: User, query: CameraQuery, page: int, page_size: int
) -> CameraPage:
    """One page of the cameras the user may see that match ``query``."""
    cams = _visible(state, user, query)
    shown = cams.iloc[(page - 1) * page_size : page * page_size]
    audit_private_view(state, request, user, shown, "cameras list")
    return CameraPage(
        total=len(cams),
        page=page,
        page_size=page_size,
        items=[camera_out(r) for r in records(shown)],
    )


def camera_export(
    state: AppState, request: Request, user: User, query: CameraQuery, fmt: ExportFormat
) -> tuple[str, str]:
    """Every matching camera as CSV (formulas defused) or GeoJSON (WGS84): (text, media type).

    More than :data:`MAX_EXPORT_ROWS` is refused (413): narrow the filters.
    """
    cams = _visible(state, user, query)
    if len(cams) > MAX_EXPORT_ROWS:
        raise WebError(
            413, f"{len(cams):,} cameras match: an export holds at most {MAX_EXPORT_ROWS:,}"
        )
    audit_private_view(state, request, user, cams, f"cameras export ({fmt})")
    table = cams[CAMERA_FIELDS]
    if fmt == "csv":
        buffer = io.StringIO()
        defuse_formulas(table).to_csv(buffer, index=False)
        return buffer.getvalue(), "text/csv; charset=utf-8"
    return _geojson(table), "application/geo+json"


def _geojson(table: pd.DataFrame) -> str:
    import json

    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["lon_deg"], row["lat_deg"]]},
            "properties": {k: clean(v) for k, v in row.items() if k not in ("lon_deg", "lat_deg")},
        }
        for row in records(table)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, default=str)


__all__ = [
    "SORT_FIELDS",
    "CameraQuery",
    "ExportFormat",
    "SortField",
    "camera_export",
    "camera_list",
    "select_cameras",
]
