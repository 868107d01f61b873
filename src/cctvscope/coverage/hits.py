"""A camera lookup's answer, and the camera columns it is made from.

Shared by the lookup built in memory (:class:`~cctvscope.coverage.lookup.CameraLookup`)
and the packed one read from a cache (:class:`~cctvscope.coverage.packed_lookup.PackedLookup`):
both find the (point, polygon) pairs their own way and hand them to
:meth:`CameraColumns.answer`, so the two answer identically by construction. This module
needs only NumPy and pandas, so that a one-point police search imports little.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import pandas as pd

#: Columns of a lookup answer as a table (``CameraHits.to_frame``; ``point`` first for many).
LOOKUP_COLUMNS = ("camera_id", "level", "distance_m", "owner_type", "operator")

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
        Position of the query point (all 0 for a one-point ``cameras_at``).
    camera
        Position of the camera in the lookup's camera columns.
    rank
        Finest covering level, as an index into the lookup's levels.
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
        import pandas as pd

        columns = ("point", *LOOKUP_COLUMNS) if with_point else LOOKUP_COLUMNS
        out = pd.DataFrame({c: getattr(self, c) for c in columns})
        if out.empty:  # pandas infers ``str`` for text columns only when there are values
            out = out.astype(dict.fromkeys(("camera_id", "level", "owner_type", "operator"), str))
        return out


@dataclass(frozen=True)
class CameraColumns:
    """The per-camera columns an answer reports, as NumPy arrays taken once.

    Reading a pandas column per query (a string column is converted whole) cost more
    than the spatial query itself, hence arrays. ``labels`` are the levels' labels,
    coarse to fine; ``id_rank`` orders cameras by id (ties in distance go by id).
    """

    ids: ObjectArray
    x_m: FloatArray
    y_m: FloatArray
    owner_type: ObjectArray
    operator: ObjectArray
    labels: ObjectArray
    id_rank: IntArray

    @classmethod
    def of(
        cls,
        ids: npt.ArrayLike,
        x_m: npt.ArrayLike,
        y_m: npt.ArrayLike,
        owner_type: npt.ArrayLike,
        operator: npt.ArrayLike,
        labels: tuple[str, ...],
    ) -> CameraColumns:
        """Columns from array-likes (ids and text as Python strings)."""
        id_array = np.asarray(ids, dtype=object)
        return cls(
            ids=id_array,
            x_m=np.asarray(x_m, dtype=np.float64),
            y_m=np.asarray(y_m, dtype=np.float64),
            owner_type=np.asarray(owner_type, dtype=object),
            operator=np.asarray(operator, dtype=object),
            labels=np.array(labels, dtype=object),
            id_rank=np.argsort(np.argsort(id_array.astype(str), kind="stable")).astype(np.int64),
        )

    def __len__(self) -> int:
        return int(self.ids.size)

    def answer(
        self,
        point: IntArray,
        polygon_camera: IntArray,
        polygon_rank: IntArray,
        xy: FloatArray,
    ) -> CameraHits:
        """One entry per (point, camera) from (point, polygon) pairs: the finest level, sorted.

        ``polygon_camera`` and ``polygon_rank`` are the camera position and level rank of
        each pair's polygon; ``xy`` the query points, (n, 2) [m].
        """
        camera, rank = polygon_camera, polygon_rank
        key = point * max(len(self), 1) + camera
        order = np.lexsort((rank, key))  # by key, finest rank last within a key
        key_sorted = key[order]
        last = np.ones(key_sorted.size, dtype=bool)
        last[:-1] = key_sorted[1:] != key_sorted[:-1]
        pick = order[last]
        cam, pt = camera[pick], point[pick]
        dist = np.hypot(self.x_m[cam] - xy[pt, 0], self.y_m[cam] - xy[pt, 1])
        order = np.lexsort((self.id_rank[cam], dist, pt))
        cam, pt, dist, best = cam[order], pt[order], dist[order], rank[pick][order]
        return CameraHits(
            point=pt,
            camera=cam,
            rank=best,
            camera_id=self.ids[cam],
            level=self.labels[best],
            distance_m=dist,
            owner_type=self.owner_type[cam],
            operator=self.operator[cam],
        )


def ints(n: int) -> IntArray:
    """``n`` zeros as int64 (an empty or all-first-point index)."""
    return np.zeros(n, dtype=np.int64)


def as_xy(points: object) -> FloatArray:
    """An (n, 2) float array from coordinates, or from shapely Points (a sequence, an
    array or a GeoSeries)."""
    arr = np.asarray(points, dtype=object)
    if arr.size and not isinstance(arr.flat[0], int | float | np.number):
        import shapely  # only for points given as geometries

        return np.asarray(shapely.get_coordinates(arr.ravel()), dtype=np.float64)
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)
