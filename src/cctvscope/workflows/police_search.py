"""The police search: which cameras could have seen a place, from a lookup cached per version.

Building the lookup (every searchable camera's wedge at every level, in a spatial
index) takes seconds for a city, and loading the estate to build it seconds more. So
the built lookup is kept on disk, packed (:class:`~cctvscope.coverage.packed_lookup.PackedLookup`),
in a folder named by a key of everything it depends on: the estate's name, version and
``input_hash``, the cameras the police may search (the access policy of
:mod:`cctvscope.evidence.visibility`, read from the store on every call), the
assumptions file (the usable range), the format and the cctvscope version. A new
estate version, a consent given or withdrawn, or a new release gives a new key, so a
stale lookup is never read. A folder
that is missing, incomplete or damaged (sizes, SHA-256 of the small arrays, CRC-32 per
polygon) is rebuilt. Folders are written whole under a temporary name and renamed, so
a reader never sees half a cache; older keys of the estate are removed after a write.

The cache holds the positions of consenting private cameras: it lives beside the
store (``<store>.lookup-cache/`` for SQLite), readable by its owner only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np
import sqlalchemy as sa
from sqlalchemy import Engine

from cctvscope import __version__
from cctvscope.coverage.hits import LOOKUP_COLUMNS
from cctvscope.coverage.packed_lookup import PACKED_ARRAYS, PackedLookup, PackedLookupError
from cctvscope.evidence.registry import (
    Actor,
    consenting_camera_ids,
    list_registrations,
    searchable_cameras,
)
from cctvscope.evidence.requests import retention_ends_at
from cctvscope.model.assumptions import default_assumptions_path, read_assumptions
from cctvscope.store import estate_info, load_estate

if TYPE_CHECKING:
    import pandas as pd

    from cctvscope.coverage.hits import CameraHits
    from cctvscope.coverage.lookup import CameraLookup
    from cctvscope.model.estate import Estate
    from cctvscope.store import EstateInfo

T = TypeVar("T")

#: What a search reports about each camera besides the lookup's columns.
ATTRIBUTE_COLUMNS = ("camera_id", "borough_code", "retention_days", "export_formats")
#: Bumped when the files of a cached lookup change meaning.
CACHE_FORMAT = 1
#: Arrays checked by SHA-256 on every read; the WKB buffer (most of the bytes) is
#: checked per polygon by CRC-32 as it is decoded.
_HASHED = tuple(a for a in PACKED_ARRAYS if a != "wkb")
_MANIFEST = "manifest.json"
_ATTRIBUTES = "attributes.json"


class PointLookup(Protocol):
    """What a search needs of a lookup (``CameraLookup`` and ``PackedLookup`` both are one)."""

    def cameras_at(self, x_m: float, y_m: float) -> CameraHits: ...

    def cameras_at_many(self, points: Any) -> CameraHits: ...


@dataclass(frozen=True)
class PoliceSearch:
    """A police lookup of one estate version, with what a search reports per camera."""

    lookup: PackedLookup
    columns: CachedColumns
    estate_name: str
    version: int
    key: str
    built: bool  # True when this call built it (nothing usable was cached)

    @cached_property
    def attributes(self) -> pd.DataFrame:
        """:data:`ATTRIBUTE_COLUMNS` of the searchable cameras, as a table (pandas on first
        use: a search answered for the CLI needs only :attr:`columns`)."""
        return self.columns.to_frame()


@dataclass(frozen=True)
class CachedColumns:
    """A cached lookup's :data:`ATTRIBUTE_COLUMNS` as stored: values and pandas dtype names."""

    values: Mapping[str, list[Any]]
    dtypes: Mapping[str, str]
    frame: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, attrs: pd.DataFrame) -> CachedColumns:
        """The columns of ``attrs`` (kept as the table :meth:`to_frame` returns)."""
        values = {c: attrs[c].tolist() for c in attrs.columns}
        return cls(values, {c: str(attrs[c].dtype) for c in attrs.columns}, attrs)

    def to_frame(self) -> pd.DataFrame:
        """The columns as a table, each made in its stored dtype (inferring, then
        converting, cost twice as much)."""
        if self.frame is not None:
            return self.frame
        import pandas as pd

        return pd.DataFrame({c: pd.Series(v, dtype=self.dtypes[c]) for c, v in self.values.items()})


def usable_range_m() -> float:
    """The distance cap on credited coverage (``coverage.usable_range_m``) [m]."""
    return float(read_assumptions().value("coverage.usable_range_m"))


def build_police_lookup(estate: Estate, registrations: pd.DataFrame) -> CameraLookup:
    """Public cameras and the private ones whose owners consent (``registrations`` as
    listed for the police), drawn at every level."""
    from cctvscope.coverage.lookup import CameraLookup  # geopandas: only when building

    cameras = searchable_cameras(estate, registrations)
    return CameraLookup.build(cameras, usable_range_m=usable_range_m())


def police_lookup(engine: Engine, estate: Estate) -> CameraLookup:
    """A lookup over public cameras and the private cameras whose owners consent to share."""
    return build_police_lookup(estate, list_registrations(engine, estate.name, Actor.police()))


def camera_attributes(estate: Estate) -> pd.DataFrame:
    """:data:`ATTRIBUTE_COLUMNS` of every camera of the estate."""
    import pandas as pd

    frame = pd.DataFrame(estate.cameras.drop(columns="geometry"))
    return frame[list(ATTRIBUTE_COLUMNS)].reset_index(drop=True)


def candidate_attributes(estate: Estate) -> pd.DataFrame:
    """:func:`camera_attributes` indexed by camera id (make it once per estate version for
    many searches: the index's hash table is made once and kept with it)."""
    return camera_attributes(estate).set_index("camera_id")


def candidates_at(
    lookup: PointLookup,
    estate: Estate | pd.DataFrame,
    x_m: float,
    y_m: float,
    *,
    incident_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    attributes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Cameras that could have seen (x_m, y_m), with what a request needs about each.

    ``estate``: the estate, or its :func:`camera_attributes` (a cached search's).
    ``attributes``: its :func:`candidate_attributes` when already made (then ``estate`` is
    not read). With ``incident_at`` (timezone-aware), each camera also says until when its
    footage of that moment is kept (``retention_ends_at``) and whether it still is at
    ``now`` (``within_retention``: None where the retention is unknown).
    """
    import pandas as pd

    hits = lookup.cameras_at(x_m, y_m).to_frame()
    if attributes is not None and attributes.index.is_unique:
        extra = attributes.reindex(pd.Index(hits["camera_id"].to_numpy()))
        found = pd.concat([hits, extra.reset_index(drop=True)], axis=1)
    elif attributes is not None:
        found = hits.join(attributes, on="camera_id")
    else:
        attrs = estate if isinstance(estate, pd.DataFrame) else camera_attributes(estate)
        # Merge only the hit cameras' rows: factorising every id of a city cost more than
        # the rest of the search.
        attrs = attrs[attrs["camera_id"].isin(pd.unique(hits["camera_id"]))]
        found = hits.merge(attrs, on="camera_id", how="left")
    if incident_at is not None:
        moment = now or dt.datetime.now(dt.UTC)
        ends = [retention_ends_at(incident_at, d) for d in found["retention_days"]]
        found["retention_ends_at"] = pd.Series(ends, index=found.index, dtype=object)
        found["within_retention"] = pd.Series(
            [None if e is None else moment <= e for e in ends], index=found.index, dtype=object
        )
    return found


def busiest_point(
    lookup: PointLookup,
    x_m: float,
    y_m: float,
    *,
    half_width_m: float,
    step_m: float = 10.0,
) -> tuple[float, float]:
    """The grid point within a square around (x_m, y_m) seen by the most cameras.

    Ties go to the point nearest the centre; with no camera anywhere, the centre.
    """
    offsets = np.arange(-half_width_m, half_width_m + step_m / 2, step_m)
    gx, gy = np.meshgrid(x_m + offsets, y_m + offsets)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    hits = lookup.cameras_at_many(points)
    if hits.empty:
        return x_m, y_m
    counts = np.bincount(hits.point, minlength=len(points))
    dist2 = (points[:, 0] - x_m) ** 2 + (points[:, 1] - y_m) ** 2
    best = int(np.lexsort((dist2, -counts))[0])
    return float(points[best, 0]), float(points[best, 1])


# --- the cache -------------------------------------------------------------------------------


def default_cache_dir(database_url: str | sa.URL) -> Path:
    """Where lookups are cached: ``<store file>.lookup-cache`` beside a SQLite store,
    else ``./lookup-cache``."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        db = Path(str(url.database)).resolve()
        return db.with_name(f"{db.name}.lookup-cache")
    return Path("lookup-cache").resolve()


def cache_key(info: EstateInfo, searchable_private: Iterable[str]) -> str:
    """The key of everything a cached police lookup depends on.

    The assumptions file enters as its SHA-256 (the usable range is read from it only
    when building): parsing it costs more than the whole cached search.
    """
    assumptions = default_assumptions_path().read_bytes()
    parts = {
        "format": CACHE_FORMAT,
        "cctvscope": __version__,
        "estate": info.name,
        "version": info.version,
        "input_hash": info.input_hash,
        "private": hashlib.sha256("\n".join(sorted(searchable_private)).encode()).hexdigest(),
        "assumptions": hashlib.sha256(assumptions).hexdigest(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def police_search(
    engine: Engine,
    estate_name: str,
    *,
    cache_dir: Path,
    version: int | None = None,
    rebuild: bool = False,
) -> PoliceSearch:
    """The police lookup of ``estate_name`` at ``version`` (latest when None), from the
    cache when it holds this key, else built, cached and returned.

    ``rebuild`` ignores (and replaces) what is cached. Raises ``UnknownEstateError`` for
    an estate or version the store does not hold.
    """
    info = estate_info(engine, estate_name, version)
    # Only the consenting ids enter the key: the full registrations only when building.
    key = cache_key(info, consenting_camera_ids(engine, estate_name, Actor.police()))
    folder = cache_dir / _safe(estate_name) / key
    if not rebuild:
        try:
            lookup, columns = read_cached(folder, key)
            return PoliceSearch(lookup, columns, info.name, info.version, key, built=False)
        except (OSError, EOFError, ValueError, KeyError, TypeError):
            pass  # missing or damaged: built again below
    registrations = list_registrations(engine, estate_name, Actor.police())
    # Keyed on what it is built from (a consent may have changed since the key above).
    consenting = registrations.loc[registrations["consent_share"].astype(bool), "camera_id"]
    key = cache_key(info, consenting.astype(str))
    folder = cache_dir / _safe(estate_name) / key
    estate = load_estate(engine, estate_name, info.version)
    built = build_police_lookup(estate, registrations)
    attrs = camera_attributes(estate)
    attrs = attrs[attrs["camera_id"].isin(built.cameras["camera_id"])].reset_index(drop=True)
    packed = built.packed()
    # A cache that cannot be written (read-only, full): answer without keeping it.
    with contextlib.suppress(OSError):
        write_cached(folder, key, packed, attrs)
    return PoliceSearch(packed, CachedColumns.of(attrs), info.name, info.version, key, built=True)


def search_point(
    engine: Engine,
    estate_name: str,
    x_m: float,
    y_m: float,
    *,
    cache_dir: Path,
    incident_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """:func:`candidates_at` on the cached police lookup; a cache found damaged while
    answering is rebuilt and the question asked again."""
    return _answer(
        engine,
        estate_name,
        cache_dir,
        lambda s: candidates_at(s.lookup, s.attributes, x_m, y_m, incident_at=incident_at, now=now),
    )


def search_point_rows(
    engine: Engine,
    estate_name: str,
    x_m: float,
    y_m: float,
    *,
    cache_dir: Path,
    incident_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """:func:`search_point`'s rows (its ``to_dict("records")``), made without pandas: what
    a warm ``cameras-at`` prints needs no table (issue 18)."""
    return _answer(
        engine,
        estate_name,
        cache_dir,
        lambda s: candidate_rows(
            s.lookup.cameras_at(x_m, y_m), s.columns.values, incident_at=incident_at, now=now
        ),
    )


def _answer(
    engine: Engine, estate_name: str, cache_dir: Path, ask: Callable[[PoliceSearch], T]
) -> T:
    """``ask`` of the cached police lookup; a cache found damaged while answering is
    rebuilt and the question asked again."""
    try:
        return ask(police_search(engine, estate_name, cache_dir=cache_dir))
    except PackedLookupError:
        return ask(police_search(engine, estate_name, cache_dir=cache_dir, rebuild=True))


def candidate_rows(
    hits: CameraHits,
    attributes: Mapping[str, list[Any]],
    *,
    incident_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """:func:`candidates_at`'s rows from a lookup's answer and the cameras' attribute
    columns (None where a hit camera has no attributes)."""
    wanted = set(hits.camera_id.tolist())
    where = {c: i for i, c in enumerate(attributes["camera_id"]) if c in wanted}
    extra = [c for c in attributes if c != "camera_id"]
    moment = now or dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    for hit in zip(*(getattr(hits, c).tolist() for c in LOOKUP_COLUMNS), strict=True):
        row = dict(zip(LOOKUP_COLUMNS, hit, strict=True))
        i = where.get(row["camera_id"])
        row.update({c: None if i is None else attributes[c][i] for c in extra})
        if incident_at is not None:
            ends = retention_ends_at(incident_at, row["retention_days"])
            row["retention_ends_at"] = ends
            row["within_retention"] = None if ends is None else moment <= ends
        rows.append(row)
    return rows


def write_cached(folder: Path, key: str, packed: PackedLookup, attrs: pd.DataFrame) -> None:
    """Write a packed lookup and its attributes to ``folder`` (whole, then renamed)."""
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = folder.parent / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir(mode=0o700)
    try:
        files: dict[str, dict[str, object]] = {}
        for name, array in packed.arrays().items():
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
            data = buffer.getvalue()
            (tmp / f"{name}.npy").write_bytes(data)
            digest = hashlib.sha256(data).hexdigest() if name in _HASHED else None
            files[name] = {"bytes": len(data), "sha256": digest}
        text = json.dumps(
            {
                "columns": {c: attrs[c].tolist() for c in attrs.columns},
                "dtypes": {c: str(attrs[c].dtype) for c in attrs.columns},
            }
        ).encode()
        (tmp / _ATTRIBUTES).write_bytes(text)
        files[_ATTRIBUTES] = {"bytes": len(text), "sha256": hashlib.sha256(text).hexdigest()}
        manifest = {"key": key, "format": CACHE_FORMAT, "files": files}
        (tmp / _MANIFEST).write_text(json.dumps(manifest, indent=1))
        if folder.exists():  # a damaged copy under this key
            shutil.rmtree(folder, ignore_errors=True)
        tmp.replace(folder)
    except OSError:
        if folder.exists():  # another process wrote the same key first: keep its copy
            return
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for old in folder.parent.iterdir():
        if old.name != folder.name and not old.name.startswith(".tmp-"):
            shutil.rmtree(old, ignore_errors=True)


def read_cached(folder: Path, key: str) -> tuple[PackedLookup, CachedColumns]:
    """A packed lookup and its attributes from ``folder``.

    Raises ``OSError`` when a file is missing, ``ValueError`` (``PackedLookupError``
    among them) when one is damaged or of another key.
    """
    manifest = json.loads((folder / _MANIFEST).read_text())
    if manifest.get("key") != key or manifest.get("format") != CACHE_FORMAT:
        raise ValueError(f"{folder} holds another lookup")
    files = manifest["files"]
    arrays = {}
    for name in PACKED_ARRAYS:
        path = folder / f"{name}.npy"
        if path.stat().st_size != files[name]["bytes"]:
            raise ValueError(f"{path} has the wrong size")
        if name in _HASHED:
            arrays[name] = np.load(io.BytesIO(_checked(path, files[name])), allow_pickle=False)
        else:  # the WKB buffer: mapped, read only where a query looks
            arrays[name] = np.load(path, mmap_mode="r", allow_pickle=False)
    text = json.loads(_checked(folder / _ATTRIBUTES, files[_ATTRIBUTES]))
    if set(text["columns"]) != set(text["dtypes"]):
        raise ValueError(f"{folder / _ATTRIBUTES} is damaged")
    return PackedLookup.from_arrays(arrays), CachedColumns(text["columns"], text["dtypes"])


def _checked(path: Path, entry: dict[str, object]) -> bytes:
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ValueError(f"{path} fails its SHA-256")
    return data


def _safe(name: str) -> str:
    """An estate name as one folder name (its hash keeps distinct names distinct)."""
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", name)[:40]
    return f"{stem}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
