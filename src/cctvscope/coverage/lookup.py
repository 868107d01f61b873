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
from cctvscope.coverage.occlusion import BuildingIndex, building_index, visibility_by_wedge
from cctvscope.coverage.wedges import ARC_VERTICES, wedges_by_level

#: Columns of a lookup answer (``cameras_at_many`` puts ``point`` first).
LOOKUP_COLUMNS = ("camera_id", "level", "distance_m", "owner_type", "operator")

IntArray = npt.NDArray[np.int64]


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
    polygons: npt.NDArray[np.object_]
    polygon_camera: IntArray
    polygon_rank: IntArray
    tree: STRtree
    _id_rank: IntArray = field(repr=False, default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        ids = self.cameras["camera_id"].to_numpy(dtype=str)
        object.__setattr__(self, "_id_rank", np.argsort(np.argsort(ids, kind="stable")))

    @classmethod
    def build(
        cls,
        cameras: pd.DataFrame,
        *,
        levels: Iterable[DetailLevel] = tuple(DetailLevel),
        usable_range_m: float | None = None,
        buildings: gpd.GeoDataFrame | gpd.GeoSeries | BuildingIndex | None = None,
        arc_vertices: int = ARC_VERTICES,
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
        """
        chosen = set(levels)
        ordered = tuple(lv for lv in DetailLevel if lv in chosen)
        if not ordered:
            raise ValueError("a lookup needs at least one detail level")
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
        wedges = wedges_by_level(cameras, ordered, usable_range_m, arc_vertices)
        if buildings is not None and len(wedges):
            index = buildings if isinstance(buildings, BuildingIndex) else building_index(buildings)
            wedges = visibility_by_wedge(wedges, cameras, index)
        n = len(frame)
        geoms = np.asarray(wedges.geometry.to_numpy(), dtype=object)
        camera_pos = np.tile(np.arange(n, dtype=np.int64), len(ordered))
        rank = np.repeat(np.arange(len(ordered), dtype=np.int64), n)
        keep = ~shapely.is_empty(geoms) if geoms.size else np.zeros(0, dtype=bool)
        polygons = geoms[keep]
        return cls(
            levels=ordered,
            cameras=frame,
            polygons=polygons,
            polygon_camera=camera_pos[keep],
            polygon_rank=rank[keep],
            tree=STRtree(polygons),
        )

    def __len__(self) -> int:
        """Number of indexed polygons."""
        return int(self.polygons.size)

    def cameras_at(self, x_m: float, y_m: float) -> pd.DataFrame:
        """Cameras whose polygon at some level covers the point (x_m, y_m), nearest first.

        Returns
        -------
        pandas.DataFrame
            ``camera_id, level`` (finest covering level's label), ``distance_m``
            (camera to point), ``owner_type, operator``; ties in distance by camera id.
        """
        hits = self.tree.query(shapely.Point(x_m, y_m), predicate="covered_by")
        points = np.zeros(hits.size, dtype=np.int64)
        xy = np.array([[x_m, y_m]], dtype=np.float64)
        return self._answer(points, hits.astype(np.int64), xy).drop(columns="point")

    def cameras_at_many(
        self, points: npt.ArrayLike | Sequence[shapely.Point] | gpd.GeoSeries
    ) -> pd.DataFrame:
        """:meth:`cameras_at` for many points in one bulk STRtree query.

        ``points`` is an (n, 2) array of easting/northing [m] or a sequence of
        shapely Points. The answer has a leading ``point`` column (position in
        ``points``) and is sorted by point, then distance, then camera id.
        """
        xy = _as_xy(points)
        if xy.shape[0] == 0:
            return self._answer(np.zeros(0, np.int64), np.zeros(0, np.int64), xy)
        hits = self.tree.query(shapely.points(xy), predicate="covered_by")
        return self._answer(hits[0].astype(np.int64), hits[1].astype(np.int64), xy)

    def _answer(
        self, point: IntArray, polygon: IntArray, xy: npt.NDArray[np.float64]
    ) -> pd.DataFrame:
        """One row per (point, camera): the finest covering level, sorted."""
        camera = self.polygon_camera[polygon]
        rank = self.polygon_rank[polygon]
        n_cam = max(len(self.cameras), 1)
        key = point * n_cam + camera
        order = np.lexsort((rank, key))  # by key, finest rank last within a key
        key_sorted = key[order]
        last = np.ones(key_sorted.size, dtype=bool)
        last[:-1] = key_sorted[1:] != key_sorted[:-1]
        pick = order[last]
        cam = camera[pick]
        dist = np.hypot(
            self.cameras["x_m"].to_numpy()[cam] - xy[point[pick], 0],
            self.cameras["y_m"].to_numpy()[cam] - xy[point[pick], 1],
        )
        order = np.lexsort((self._id_rank[cam], dist, point[pick]))
        pick, cam, dist = pick[order], cam[order], dist[order]
        labels = np.array([lv.label for lv in self.levels], dtype=object)
        out = pd.DataFrame(
            {
                "point": point[pick],
                "camera_id": self.cameras["camera_id"].to_numpy()[cam],
                "level": labels[rank[pick]],
                "distance_m": dist,
                "owner_type": self.cameras["owner_type"].to_numpy()[cam],
                "operator": self.cameras["operator"].to_numpy()[cam],
            }
        )
        if out.empty:  # pandas infers ``str`` for text columns only when there are values
            out = out.astype(dict.fromkeys(("camera_id", "level", "owner_type", "operator"), str))
        return out


def _text(frame: pd.DataFrame, column: str) -> npt.NDArray[np.object_]:
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return np.asarray(frame[column].fillna("").astype(str).to_numpy(), dtype=object)


def _as_xy(
    points: npt.ArrayLike | Sequence[shapely.Point] | gpd.GeoSeries,
) -> npt.NDArray[np.float64]:
    """An (n, 2) float array from coordinates or Points."""
    if isinstance(points, gpd.GeoSeries):
        return np.asarray(shapely.get_coordinates(points.to_numpy()), dtype=np.float64)
    arr = np.asarray(points, dtype=object)
    if arr.size and isinstance(arr.flat[0], shapely.Geometry):
        return np.asarray(shapely.get_coordinates(arr), dtype=np.float64)
    xy = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return xy
