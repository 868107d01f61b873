"""Camera lookup: which cameras could have seen a point, and at what image detail.

Every camera gets one polygon per requested detail level (its view wedge, or the
visible part of it when building footprints are given), all held in one
``shapely.STRtree``. A query point is matched with the tree predicate
``covered_by`` (the point lies in the polygon's interior *or on its boundary*),
so a point exactly on a wedge's edge or arc counts as seen: a police lookup
should over-list rather than miss a camera. The brute-force equivalent is
``shapely.covers(polygon, point)``; the tests check the two agree, edges included.

The detail level reported for a camera is the finest level whose polygon covers
the point. A camera's wedges are nested (finer levels reach less far along the
same bearings), but the finest level is taken as a maximum over every covering
polygon, so nothing depends on that.

Speed: a query is the STRtree query plus a few NumPy operations on its handful of
hits, answered as arrays (:class:`CameraHits`); the camera columns are NumPy arrays
taken once at construction. A table is made only by the caller that shows or saves
one (:meth:`CameraHits.to_frame`). ``benchmarks/lookup.py`` measures both against a
plain STRtree query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely import STRtree

from cctvscope.coverage.detail import DetailLevel
from cctvscope.coverage.hits import (
    HIT_COLUMNS,
    LOOKUP_COLUMNS,
    CameraColumns,
    CameraHits,
    FloatArray,
    IntArray,
    ObjectArray,
    as_xy,
    ints,
)
from cctvscope.coverage.occlusion import BuildingIndex, building_index, visibility_by_wedge
from cctvscope.coverage.packed_lookup import PackedLookup
from cctvscope.coverage.wedges import ARC_VERTICES, wedges_by_level

#: Cameras drawn per batch by :meth:`CameraLookup.build`. The vectorised wedge drawing holds
#: a few float arrays of (cameras × levels × arc vertices) at once; batches keep that
#: scratch to a few hundred MB whatever the estate's size (the polygons themselves, about
#: 1 GB per million at 64 arc vertices, are what stays).
BUILD_BATCH_CAMERAS = 20_000


@dataclass(frozen=True)
class CameraLookup:
    """Per-camera, per-level polygons in a spatial index; build with :meth:`build`.

    Attributes
    ----------
    levels
        The levels drawn, coarse to fine.
    cameras
        ``camera_id, x_m, y_m, owner_type, operator`` of each camera, by position.
    polygons
        Non-empty polygons only (a level a camera never reaches has none).
    polygon_camera, polygon_rank
        Camera position and level rank (index into ``levels``) of each polygon.
    tree
        STRtree over ``polygons``.
    """

    levels: tuple[DetailLevel, ...]
    cameras: pd.DataFrame
    polygons: ObjectArray
    polygon_camera: IntArray
    polygon_rank: IntArray
    tree: STRtree
    _columns: CameraColumns = field(init=False, repr=False)

    def __post_init__(self) -> None:
        columns = CameraColumns.of(
            self.cameras["camera_id"].to_numpy(dtype=object),
            self.cameras["x_m"].to_numpy(dtype=np.float64),
            self.cameras["y_m"].to_numpy(dtype=np.float64),
            self.cameras["owner_type"].to_numpy(dtype=object),
            self.cameras["operator"].to_numpy(dtype=object),
            tuple(lv.label for lv in self.levels),
        )
        object.__setattr__(self, "_columns", columns)

    @classmethod
    def build(
        cls,
        cameras: pd.DataFrame,
        *,
        levels: Iterable[DetailLevel] = tuple(DetailLevel),
        usable_range_m: float | None = None,
        buildings: gpd.GeoDataFrame | gpd.GeoSeries | BuildingIndex | None = None,
        arc_vertices: int = ARC_VERTICES,
        batch_cameras: int = BUILD_BATCH_CAMERAS,
    ) -> CameraLookup:
        """Draw every camera's polygon at every level and index them.

        Parameters
        ----------
        cameras
            Columns of :func:`~cctvscope.coverage.wedges.wedges_by_level` plus
            ``owner_type`` and ``operator`` (blank when absent). Camera ids must be unique.
        levels
            Levels to draw (sorted coarse to fine whatever the order given).
        usable_range_m
            Distance cap [m]; ``None`` for none.
        buildings
            Footprints (EPSG:27700) or a prepared :class:`BuildingIndex`; when given,
            each wedge is replaced by its visible part (2-D occlusion).
        arc_vertices
            Vertices along each arc.
        batch_cameras
            Cameras drawn at a time (bounds the drawing's scratch memory, not the answer).
        """
        chosen = set(levels)
        ordered = tuple(lv for lv in DetailLevel if lv in chosen)
        if not ordered:
            raise ValueError("a lookup needs at least one detail level")
        if batch_cameras < 1:
            raise ValueError("batch_cameras must be at least 1")
        if cameras["camera_id"].duplicated().any():
            dupes = sorted(cameras.loc[cameras["camera_id"].duplicated(), "camera_id"])[:5]
            raise ValueError(f"camera ids must be unique; repeated: {dupes}")
        frame = pd.DataFrame(
            {
                "camera_id": cameras["camera_id"].astype(str).to_numpy(),
                "x_m": cameras["x_m"].to_numpy(np.float64),
                "y_m": cameras["y_m"].to_numpy(np.float64),
                "owner_type": _text(cameras, "owner_type"),
                "operator": _text(cameras, "operator"),
            }
        )
        index = None
        if buildings is not None:
            index = buildings if isinstance(buildings, BuildingIndex) else building_index(buildings)
        parts: list[tuple[ObjectArray, IntArray, IntArray]] = []
        for lo in range(0, len(frame), batch_cameras):
            batch = cameras.iloc[lo : lo + batch_cameras]
            parts.append(_draw(batch, lo, ordered, usable_range_m, index, arc_vertices))
        polygons = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, object)
        return cls(
            levels=ordered,
            cameras=frame,
            polygons=polygons,
            polygon_camera=np.concatenate([p[1] for p in parts]) if parts else ints(0),
            polygon_rank=np.concatenate([p[2] for p in parts]) if parts else ints(0),
            tree=STRtree(polygons),
        )

    def __len__(self) -> int:
        """Number of indexed polygons."""
        return int(self.polygons.size)

    def cameras_at(self, x_m: float, y_m: float) -> CameraHits:
        """Cameras whose polygon at some level covers the point (x_m, y_m), nearest first.

        Ties in distance go by camera id; each camera's ``level`` is the finest covering
        level's label. :meth:`CameraHits.to_frame` gives the answer as a table.
        """
        hits = self.tree.query(shapely.Point(x_m, y_m), predicate="covered_by")
        xy = np.array([[x_m, y_m]], dtype=np.float64)
        return self._answer(ints(hits.size), hits.astype(np.int64), xy)

    def cameras_at_many(
        self, points: npt.ArrayLike | Sequence[shapely.Point] | gpd.GeoSeries
    ) -> CameraHits:
        """:meth:`cameras_at` for many points in one bulk STRtree query.

        ``points`` is an (n, 2) array of easting/northing [m] or a sequence of
        shapely Points. ``point`` in the answer is the position in ``points``; the
        answer is sorted by point, then distance, then camera id.
        """
        xy = as_xy(points)
        if xy.shape[0] == 0:
            return self._answer(ints(0), ints(0), xy)
        hits = self.tree.query(shapely.points(xy), predicate="covered_by")
        return self._answer(hits[0].astype(np.int64), hits[1].astype(np.int64), xy)

    def _answer(self, point: IntArray, polygon: IntArray, xy: FloatArray) -> CameraHits:
        """One entry per (point, camera): the finest covering level, sorted."""
        return self._columns.answer(
            point, self.polygon_camera[polygon], self.polygon_rank[polygon], xy
        )

    def packed(self) -> PackedLookup:
        """The same lookup as flat arrays (polygons as WKB), for a cache to keep."""
        return PackedLookup.pack(
            self._columns, self.polygons, self.polygon_camera, self.polygon_rank
        )


def _draw(
    cameras: pd.DataFrame,
    first: int,
    levels: tuple[DetailLevel, ...],
    usable_range_m: float | None,
    buildings: BuildingIndex | None,
    arc_vertices: int,
) -> tuple[ObjectArray, IntArray, IntArray]:
    """One batch's non-empty polygons, with camera positions (from ``first``) and level ranks."""
    wedges = wedges_by_level(cameras, levels, usable_range_m, arc_vertices)
    if buildings is not None and len(wedges):
        wedges = visibility_by_wedge(wedges, cameras, buildings)
    n = len(cameras)
    geoms = np.asarray(wedges.geometry.to_numpy(), dtype=object)
    camera_pos = np.tile(np.arange(first, first + n, dtype=np.int64), len(levels))
    rank = np.repeat(np.arange(len(levels), dtype=np.int64), n)
    keep = ~shapely.is_empty(geoms) if geoms.size else np.zeros(0, dtype=bool)
    return geoms[keep], camera_pos[keep], rank[keep]


def _text(frame: pd.DataFrame, column: str) -> npt.NDArray[np.object_]:
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return np.asarray(frame[column].fillna("").astype(str).to_numpy(), dtype=object)


__all__ = ["HIT_COLUMNS", "LOOKUP_COLUMNS", "CameraHits", "CameraLookup", "PackedLookup"]
