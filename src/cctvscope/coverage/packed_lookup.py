"""A camera lookup packed into flat arrays, to be kept in a cache and queried without a rebuild.

:class:`~cctvscope.coverage.lookup.CameraLookup` draws every camera's polygons and
builds an STRtree over them: seconds for a city. Packed, the same polygons are one
WKB byte buffer with offsets, their bounding boxes a float array and their camera and
level two integer arrays; every array can be memory-mapped from a file, so opening a
packed lookup reads almost nothing.

A one-point query tests the point against every bounding box (a few NumPy
comparisons), decodes only the polygons whose box holds it and keeps those that
``shapely.covers`` the point. That is what ``STRtree.query(point,
predicate="covered_by")`` does (an envelope filter, then the predicate), so the
answers are the same, edges included. Many points go through an STRtree over the
boxes, built on first use. Each polygon's WKB carries a CRC-32, checked when it is
decoded: a damaged cache raises :class:`PackedLookupError` rather than answering
wrongly.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import shapely

from cctvscope.coverage.hits import (
    CameraColumns,
    CameraHits,
    FloatArray,
    IntArray,
    ObjectArray,
    as_xy,
    ints,
)

#: The arrays of a packed lookup, by name (what a cache stores).
PACKED_ARRAYS = (
    "levels",
    "camera_id",
    "x_m",
    "y_m",
    "owner_type",
    "operator",
    "polygon_camera",
    "polygon_rank",
    "bounds",
    "wkb_offset",
    "wkb",
    "wkb_crc",
)
#: The arrays holding text (stored as fixed-width unicode, read back as Python strings).
TEXT_ARRAYS = ("levels", "camera_id", "owner_type", "operator")

UInt8Array = npt.NDArray[np.uint8]
UInt32Array = npt.NDArray[np.uint32]


class PackedLookupError(ValueError):
    """The arrays do not make a packed lookup (a damaged or incomplete cache)."""


@dataclass(frozen=True)
class PackedLookup:
    """A lookup's polygons as WKB with bounds, camera and level per polygon.

    Build with :meth:`pack` (from a built lookup: ``CameraLookup.packed()``) or
    :meth:`from_arrays` (from a cache); :meth:`arrays` gives what a cache stores.
    """

    columns: CameraColumns
    polygon_camera: IntArray
    polygon_rank: IntArray
    bounds: FloatArray
    wkb_offset: IntArray
    wkb: UInt8Array
    wkb_crc: UInt32Array

    @classmethod
    def pack(
        cls,
        columns: CameraColumns,
        polygons: ObjectArray,
        polygon_camera: IntArray,
        polygon_rank: IntArray,
    ) -> PackedLookup:
        """Pack polygons (with their camera positions and level ranks) as WKB."""
        blobs = shapely.to_wkb(polygons) if polygons.size else np.empty(0, dtype=object)
        sizes = np.fromiter((len(b) for b in blobs), dtype=np.int64, count=len(blobs))
        offset = np.zeros(sizes.size + 1, dtype=np.int64)
        np.cumsum(sizes, out=offset[1:])
        crc = np.fromiter((zlib.crc32(b) for b in blobs), dtype=np.uint32, count=len(blobs))
        bounds = shapely.bounds(polygons) if polygons.size else np.zeros((0, 4))
        return cls(
            columns=columns,
            polygon_camera=np.asarray(polygon_camera, dtype=np.int64),
            polygon_rank=np.asarray(polygon_rank, dtype=np.int64),
            bounds=np.asarray(bounds, dtype=np.float64),
            wkb_offset=offset,
            wkb=np.frombuffer(b"".join(blobs), dtype=np.uint8),
            wkb_crc=crc,
        )

    def arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        """Every array by name (:data:`PACKED_ARRAYS`); text as fixed-width unicode."""
        c = self.columns
        text = {
            "levels": c.labels,
            "camera_id": c.ids,
            "owner_type": c.owner_type,
            "operator": c.operator,
        }
        out: dict[str, npt.NDArray[np.generic]] = {
            k: np.asarray(v.astype(str)) if v.size else np.zeros(0, dtype="<U1")
            for k, v in text.items()
        }
        out |= {
            "x_m": c.x_m,
            "y_m": c.y_m,
            "polygon_camera": self.polygon_camera,
            "polygon_rank": self.polygon_rank,
            "bounds": self.bounds,
            "wkb_offset": self.wkb_offset,
            "wkb": self.wkb,
            "wkb_crc": self.wkb_crc,
        }
        return out

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[np.generic]]) -> PackedLookup:
        """A packed lookup from :meth:`arrays`' output (arrays may be memory-mapped).

        Raises :class:`PackedLookupError` when an array is missing or the arrays do not
        fit together (lengths, offsets, positions out of range).
        """
        missing = [k for k in PACKED_ARRAYS if k not in arrays]
        if missing:
            raise PackedLookupError(f"packed lookup lacks {', '.join(missing)}")
        try:
            columns = CameraColumns.of(
                arrays["camera_id"].astype(object),
                arrays["x_m"],
                arrays["y_m"],
                arrays["owner_type"].astype(object),
                arrays["operator"].astype(object),
                tuple(str(v) for v in arrays["levels"]),
            )
            packed = cls(
                columns=columns,
                polygon_camera=np.asarray(arrays["polygon_camera"], dtype=np.int64),
                polygon_rank=np.asarray(arrays["polygon_rank"], dtype=np.int64),
                bounds=np.asarray(arrays["bounds"], dtype=np.float64),
                wkb_offset=np.asarray(arrays["wkb_offset"], dtype=np.int64),
                wkb=np.asarray(arrays["wkb"], dtype=np.uint8),
                wkb_crc=np.asarray(arrays["wkb_crc"], dtype=np.uint32),
            )
        except (TypeError, ValueError) as exc:
            raise PackedLookupError(f"packed lookup arrays unreadable: {exc}") from exc
        packed._check()
        return packed

    def _check(self) -> None:
        """Lengths, offsets and positions fit together (else :class:`PackedLookupError`)."""
        n, c = self.polygon_camera.size, self.columns
        problems = []
        if len({c.ids.size, c.x_m.size, c.y_m.size, c.owner_type.size, c.operator.size}) != 1:
            problems.append("camera columns differ in length")
        if {self.polygon_rank.size, self.wkb_crc.size, self.wkb_offset.size - 1} != {n}:
            problems.append("polygon arrays differ in length")
        if self.bounds.shape != (n, 4):
            problems.append(f"bounds of shape {self.bounds.shape}, not ({n}, 4)")
        off = self.wkb_offset
        if off.size and (off[0] != 0 or off[-1] != self.wkb.size or np.any(np.diff(off) <= 0)):
            problems.append("WKB offsets do not run through the buffer")
        if n and (self.polygon_camera.min() < 0 or self.polygon_camera.max() >= c.ids.size):
            problems.append("a polygon names a camera out of range")
        if n and (self.polygon_rank.min() < 0 or self.polygon_rank.max() >= c.labels.size):
            problems.append("a polygon names a level out of range")
        if problems:
            raise PackedLookupError("packed lookup damaged: " + "; ".join(problems))

    def __len__(self) -> int:
        """Number of packed polygons."""
        return int(self.polygon_camera.size)

    def verify(self) -> None:
        """Check every polygon's CRC-32 (reads the whole buffer; a long-lived reader's check)."""
        self._pieces(np.arange(len(self), dtype=np.int64))

    def _pieces(self, index: IntArray) -> list[bytes]:
        """The WKB of the polygons at ``index``, each checked against its CRC-32."""
        blob, crc = self.wkb, self.wkb_crc
        starts, ends = self.wkb_offset[index].tolist(), self.wkb_offset[index + 1].tolist()
        pieces = []
        for i, start, end in zip(index.tolist(), starts, ends, strict=True):
            piece = blob[start:end].tobytes()
            if zlib.crc32(piece) != int(crc[i]):
                raise PackedLookupError(f"packed lookup damaged: polygon {i} fails its CRC")
            pieces.append(piece)
        return pieces

    def polygons(self, index: IntArray) -> ObjectArray:
        """The polygons at positions ``index``, decoded (CRC checked)."""
        pieces = self._pieces(index)
        try:
            return np.asarray(shapely.from_wkb(pieces), dtype=object).reshape(-1)
        except shapely.errors.GEOSException as exc:  # pragma: no cover - CRC catches it first
            raise PackedLookupError(f"packed lookup damaged: {exc}") from exc

    def cameras_at(self, x_m: float, y_m: float) -> CameraHits:
        """Cameras whose polygon at some level covers (x_m, y_m), nearest first (as
        :meth:`CameraLookup.cameras_at <cctvscope.coverage.lookup.CameraLookup.cameras_at>`)."""
        b = self.bounds
        inside = (b[:, 0] <= x_m) & (b[:, 2] >= x_m)
        inside &= (b[:, 1] <= y_m) & (b[:, 3] >= y_m)
        box = np.flatnonzero(inside)
        covers = shapely.covers(self.polygons(box), shapely.Point(x_m, y_m))
        hit = box[np.asarray(covers, dtype=bool)]
        xy = np.array([[x_m, y_m]], dtype=np.float64)
        return self._answer(ints(hit.size), hit, xy)

    def cameras_at_many(self, points: object) -> CameraHits:
        """:meth:`cameras_at` for many points ((n, 2) easting/northing [m], or Points)."""
        xy = as_xy(points)
        if xy.shape[0] == 0 or len(self) == 0:
            return self._answer(ints(0), ints(0), xy)
        point, box = self._box_tree.query(shapely.points(xy))
        unique, inverse = np.unique(box, return_inverse=True)
        decoded = self.polygons(unique.astype(np.int64))
        covers = shapely.covers(decoded[inverse], shapely.points(xy[point]))
        keep = np.asarray(covers, dtype=bool)
        return self._answer(point[keep].astype(np.int64), box[keep].astype(np.int64), xy)

    @cached_property
    def _box_tree(self) -> shapely.STRtree:
        b = self.bounds
        return shapely.STRtree(shapely.box(b[:, 0], b[:, 1], b[:, 2], b[:, 3]))

    def _answer(self, point: IntArray, polygon: IntArray, xy: FloatArray) -> CameraHits:
        return self.columns.answer(
            point, self.polygon_camera[polygon], self.polygon_rank[polygon], xy
        )
