"""Answers of the busiest calls, prepared once per estate version and role scope.

The overview, the map layers and the camera list answer from tables built once per
version (:meth:`~cctvscope.web.data.EstateData.scoped`), as JSON bytes sent as they
are: a request costs its authentication, the store's version check, a slice, and the
audit row of any private location it shows. What a role may see is still decided by
:func:`~cctvscope.web.views.visible_mask` (the only policy), and a prepared answer
carries the private camera ids it reveals so each request that gets it is audited.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from fastapi import Request, Response

from cctvscope.web.data import EstateData, Loaded, records
from cctvscope.web.views import camera_out, scope_key, visible_mask

IntArray = npt.NDArray[np.int64]
#: Bodies at least this big are kept gzipped too, rather than compressed per request [B].
PRECOMPRESS_BYTES = 64 * 1024
#: Compression level of a kept body (once per version: the smallest answer is worth it).
GZIP_LEVEL = 9


def dumps(value: Any) -> bytes:
    """JSON as FastAPI's ``JSONResponse`` writes it (compact, UTF-8, no NaN)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8")


@dataclass(frozen=True)
class Body:
    """A prepared JSON answer and the private camera ids it reveals."""

    data: bytes
    private_ids: tuple[str, ...] = ()

    @cached_property
    def gzipped(self) -> bytes:
        """The body gzipped (once)."""
        return gzip.compress(self.data, compresslevel=GZIP_LEVEL, mtime=0)


def json_response(request: Request, body: Body | bytes) -> Response:
    """The bytes as an ``application/json`` answer, a big one sent as kept gzip when the
    client takes it (the app's gzip middleware passes an encoded answer through)."""
    found = body if isinstance(body, Body) else Body(body)
    accepts = "gzip" in request.headers.get("accept-encoding", "")
    if accepts and len(found.data) >= PRECOMPRESS_BYTES:
        headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(found.gzipped, media_type="application/json", headers=headers)
    return Response(found.data, media_type="application/json")


@dataclass(frozen=True)
class CameraRows:
    """The version's cameras with their area names, by position, and each camera's list
    entry as JSON, made the first time it is shown."""

    frame: pd.DataFrame
    ids: npt.NDArray[np.object_]
    private: npt.NDArray[np.bool_]
    _json: dict[int, bytes] = field(default_factory=dict, repr=False, compare=False)

    def items(self, positions: IntArray) -> list[bytes]:
        """The list entries (``CameraOut`` JSON) of the cameras at ``positions``."""
        missing = [int(p) for p in positions if int(p) not in self._json]
        if missing:
            for p, row in zip(missing, records(self.frame.iloc[missing]), strict=True):
                # A dict item set is atomic: two threads at worst both make the same entry.
                self._json[p] = camera_out(row).model_dump_json().encode("utf-8")
        return [self._json[int(p)] for p in positions]

    def private_ids(self, positions: IntArray) -> tuple[str, ...]:
        """Ids of the private cameras among ``positions``."""
        return tuple(str(i) for i in self.ids[positions][self.private[positions]])


def camera_rows(data: EstateData, loaded: Loaded) -> CameraRows:
    """The version's :class:`CameraRows`."""

    def build() -> CameraRows:
        areas = loaded.estate.boroughs
        names = dict(zip(areas["gss_code"].astype(str), areas["name"].astype(str), strict=True))
        cams = loaded.cameras
        frame = cams.assign(borough=cams["borough_code"].astype(str).map(names))
        ids = frame["camera_id"].astype(str).to_numpy(dtype=object)
        private = (frame["owner_type"].astype(str) == "private").to_numpy(dtype=bool)
        return CameraRows(frame, ids, private)

    return data.scoped("camera_rows", loaded, None, build)


def visible_positions(data: EstateData, user: Any, loaded: Loaded) -> IntArray:
    """Positions of the cameras ``user`` may see, in the version's order."""
    return data.scoped(
        "visible",
        loaded,
        scope_key(user),
        lambda: np.flatnonzero(visible_mask(data, user, loaded)).astype(np.int64),
    )


def cameras_layer(data: EstateData, user: Any, borough: str | None) -> Body:
    """The cameras ``user`` may see (of one borough, when given) as GeoJSON points."""
    loaded = data.current()

    def build() -> Body:
        rows = camera_rows(data, loaded)
        shown = visible_positions(data, user, loaded)
        if borough:
            shown = shown[(rows.frame["borough_code"].to_numpy()[shown] == borough)]
        cams = rows.frame.iloc[shown]
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"id": cid, "owner_type": owner, "borough_code": code},
            }
            for cid, owner, code, lon, lat in zip(
                cams["camera_id"].astype(str),
                cams["owner_type"].astype(str),
                cams["borough_code"].astype(str),
                cams["lon_deg"].astype(float),
                cams["lat_deg"].astype(float),
                strict=True,
            )
        ]
        collection = {"type": "FeatureCollection", "features": features}
        return Body(dumps(collection), rows.private_ids(shown))

    return data.scoped("cameras_layer", loaded, (scope_key(user), borough), build)


def boroughs_layer(data: EstateData) -> Body:
    """Borough outlines (WGS84, simplified) with code, name and camera count."""
    loaded = data.current()
    return data.scoped(
        "boroughs_layer", loaded, None, lambda: Body(dumps(data.boroughs_geojson(loaded)))
    )
