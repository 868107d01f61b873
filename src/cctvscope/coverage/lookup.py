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
from cctvscope.coverage.occlusion import BuildingIndex, building_index, visibility_by_wedge
from cctvscope.coverage.wedges import ARC_VERTICES, wedges_by_level

#: Columns of a lookup answer as a table (``CameraHits.to_frame``; ``point`` first for many).
LOOKUP_COLUMNS = ("camera_id", "level", "distance_m", "owner_type", "operator")

#: Cameras drawn per batch by :meth:`CameraLookup.build`. The vectorised wedge drawing holds
#: a few float arrays of (cameras × levels × arc vertices) at once; batches keep that
#: scratch to a few hundred MB whatever the estate's size (the polygons themselves, about
#: 1 GB per million at 64 arc vertices, are what stays).
BUILD_BATCH_CAMERAS = 20_000

#: Every column of a :class:`CameraHits`, for ``hits[column]``.
HIT_COLUMNS = frozenset(("point", "camera", "rank", *LOOKUP_COLUMNS))

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class CameraHits:
    """A lookup's answer as parallel arrays: one entry per (query point, camera).

    Sorted by point, then distance, then camera id. Arrays, not a table, so that a
    query costs the spatial index and little more; :meth:`to_frame` makes the table at
    the edge (the CLI, the web page, a CSV).

    Attributes
    ----------
    point
        Position of the query point (all 0 for :meth:`CameraLookup.cameras_at`).
    camera
        Position of the camera in :attr:`CameraLookup.cameras`.
    rank
        Finest covering level, as an index into :attr:`CameraLookup.levels`.
    camera_id, level, owner_type, operator
        The camera's id, the finest covering level's label, its owner type and operator.
    distance_m
        Camera to point [m].
    """

    point: IntArray
    camera: IntArray
    rank: IntArray
    camera_id: ObjectArray
    level: ObjectArray
    distance_m: FloatArray
    owner_type: ObjectArray
    operator: ObjectArray

    def __len__(self) -> int:
        return int(self.camera.size)

    def __getitem__(self, column: str) -> npt.NDArray[np.generic]:
        """One column by name (``hits["camera_id"]``), as an array."""
        if column not in HIT_COLUMNS:
            raise KeyError(column)
        values: npt.NDArray[np.generic] = getattr(self, column)
        return values

    @property
    def empty(self) -> bool:
        """True when no camera covers any query point."""
        return self.camera.size == 0

    def to_frame(self, *, with_point: bool = False) -> pd.DataFrame:
        """The answer as a table: :data:`LOOKUP_COLUMNS`, after ``point`` when ``with_point``."""
        columns = ("point", *LOOKUP_COLUMNS) if with_point else LOOKUP_COLUMNS
        out = pd.DataFrame({c: getattr(self, c) for c in columns})
        if out.empty:  # pandas infers ``str`` for text columns only when there are values
            out = out.astype(dict.fromkeys(("camera_id", "level", "owner_type", "operator"), str))
        return out


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
    # The camera columns as NumPy arrays, taken once: reading a pandas column per query
    # (a string column is converted whole) cost more than the spatial query itself.
    _ids: ObjectArray = field(init=False, repr=False)
    _x_m: FloatArray = field(init=False, repr=False)
    _y_m: FloatArray = field(init=False, repr=False)
    _owner_type: ObjectArray = field(init=False, repr=False)
    _operator: ObjectArray = field(init=False, repr=False)
    _id_rank: IntArray = field(init=False, repr=False)
    _labels: ObjectArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ids = np.asarray(self.cameras["camera_id"].to_numpy(dtype=object), dtype=object)
        columns = {
            "_ids": ids,
            "_x_m": self.cameras["x_m"].to_numpy(dtype=np.float64),
            "_y_m": self.cameras["y_m"].to_numpy(dtype=np.float64),
            "_owner_type": self.cameras["owner_type"].to_numpy(dtype=object),
            "_operator": self.cameras["operator"].to_numpy(dtype=object),
            "_id_rank": np.argsort(np.argsort(ids.astype(str), kind="stable")).astype(np.int64),
            "_labels": np.array([lv.label for lv in self.levels], dtype=object),
        }
        for name, value in columns.items():
            object.__setattr__(self, name, value)

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
            polygon_camera=np.concatenate([p[1] for p in parts]) if parts else _ints(0),
            polygon_rank=np.concatenate([p[2] for p in parts]) if parts else _ints(0),
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
        return self._answer(_ints(hits.size), hits.astype(np.int64), xy)

    def cameras_at_many(
        self, points: npt.ArrayLike | Sequence[shapely.Point] | gpd.GeoSeries
    ) -> CameraHits:
        """:meth:`cameras_at` for many points in one bulk STRtree query.

        ``points`` is an (n, 2) array of easting/northing [m] or a sequence of
        shapely Points. ``point`` in the answer is the position in ``points``; the
        answer is sorted by point, then distance, then camera id.
        """
        xy = _as_xy(points)
        if xy.shape[0] == 0:
            return self._answer(_ints(0), _ints(0), xy)
        hits = self.tree.query(shapely.points(xy), predicate="covered_by")
        return self._answer(hits[0].astype(np.int64), hits[1].astype(np.int64), xy)

    def _answer(self, point: IntArray, polygon: IntArray, xy: FloatArray) -> CameraHits:
        """One entry per (point, camera): the finest covering level, sorted."""
        camera = self.polygon_camera[polygon]
        rank = self.polygon_rank[polygon]
        key = point * max(len(self._ids), 1) + camera
        order = np.lexsort((rank, key))  # by key, finest rank last within a key
        key_sorted = key[order]
        last = np.ones(key_sorted.size, dtype=bool)
        last[:-1] = key_sorted[1:] != key_sorted[:-1]
        pick = order[last]
        cam, pt = camera[pick], point[pick]
        dist = np.hypot(self._x_m[cam] - xy[pt, 0], self._y_m[cam] - xy[pt, 1])
        order = np.lexsort((self._id_rank[cam], dist, pt))
        cam, pt, dist, best = cam[order], pt[order], dist[order], rank[pick][order]
        return CameraHits(
            point=pt,
            camera=cam,
            rank=best,
            camera_id=self._ids[cam],
            level=self._labels[best],
            distance_m=dist,
            owner_type=self._owner_type[cam],
            operator=self._operator[cam],
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


def _ints(n: int) -> IntArray:
    return np.zeros(n, dtype=np.int64)


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
