"""The camera list people work with: text search, filters, sort, paging, and export.

One query (:class:`CameraQuery`) drives the page, the JSON list and both exports
(CSV and GeoJSON), over the cameras the caller may see; every exported private
location is audited by id like any other view of it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from fastapi import Request

from cctvscope.reporting.safe_csv import defuse_formulas
from cctvscope.web.accounts import User
from cctvscope.web.data import clean, records
from cctvscope.web.deps import AppState, WebError
from cctvscope.web.prepared import CameraRows, IntArray, camera_rows, visible_positions
from cctvscope.web.schemas import CameraOut, CameraPage
from cctvscope.web.views import CAMERA_FIELDS, audit_private_ids, audit_private_view, scope_key

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


def selected(state: AppState, user: User, query: CameraQuery) -> tuple[CameraRows, IntArray]:
    """The version's camera rows and the positions of those the user may see that match
    ``query``, in order (kept per version, role scope and query)."""
    data = state.data
    loaded = data.current()
    rows = camera_rows(data, loaded)

    def build() -> IntArray:
        cams = rows.frame.iloc[visible_positions(data, user, loaded)]
        return select_cameras(cams, query).index.to_numpy(dtype=np.int64)

    return rows, data.scoped("camera_query", loaded, (scope_key(user), query), build)


def _page(
    state: AppState, request: Request, user: User, query: CameraQuery, page: int, page_size: int
) -> tuple[int, list[bytes]]:
    rows, order = selected(state, user, query)
    shown = order[(page - 1) * page_size : page * page_size]
    audit_private_ids(state, request, user, rows.private_ids(shown), "cameras list")
    return len(order), rows.items(shown)


def camera_list(
    state: AppState, request: Request, user: User, query: CameraQuery, page: int, page_size: int
) -> CameraPage:
    """One page of the cameras the user may see that match ``query``."""
    total, items = _page(state, request, user, query, page, page_size)
    return CameraPage(
        total=total,
        page=page,
        page_size=page_size,
        items=[CameraOut.model_validate_json(i) for i in items],
    )


def camera_list_json(
    state: AppState, request: Request, user: User, query: CameraQuery, page: int, page_size: int
) -> bytes:
    """:func:`camera_list` as the JSON of a ``CameraPage``, from the kept list entries."""
    total, items = _page(state, request, user, query, page, page_size)
    head = f'{{"total":{total},"page":{page},"page_size":{page_size},"items":['
    return head.encode() + b",".join(items) + b"]}"


def camera_export(
    state: AppState, request: Request, user: User, query: CameraQuery, fmt: ExportFormat
) -> tuple[str, str]:
    """Every matching camera as CSV (formulas defused) or GeoJSON (WGS84): (text, media type).

    More than :data:`MAX_EXPORT_ROWS` is refused (413): narrow the filters.
    """
    rows, order = selected(state, user, query)
    cams = rows.frame.iloc[order]
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
    "camera_list_json",
    "select_cameras",
]
