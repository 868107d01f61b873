"""What the pages show: the latest estate version and its analyses, cached per version.

Each request asks the store one indexed question (the newest version's stamp,
:func:`~cctvscope.store.latest_version_stamp`); the estate is re-read only when that
changes (a survey import or a registration writes a new version, in this process or
another one over the same store). Its summary, compliance, data confidence, police
lookup, map layers and the answers prepared from them (per role scope, see
:meth:`EstateData.scoped`) are computed once per version and process. Outputs of
`cctvscope demo` (coverage GeoPackage and summary, value for money, stored control-room
options, the guide) are read from the output folder, keyed by file modification time.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine

from cctvscope.coverage.packed_lookup import PackedLookup, PackedLookupError
from cctvscope.crs import bng_to_wgs84
from cctvscope.ingest.gazetteer import Gazetteer
from cctvscope.model.estate import REGION_METADATA_KEY, Estate
from cctvscope.store import VersionStamp, latest_version_stamp, load_estate
from cctvscope.store.registry_tables import private_registrations
from cctvscope.web.deps import WebError
from cctvscope.web.schemas import EstateRef
from cctvscope.workflows.results import AssessmentOutputs, OutputFile

if TYPE_CHECKING:
    from cctvscope.web.map_tiles import BasemapTiles
    from cctvscope.web.tiles import TileIndex
    from cctvscope.workflows.confidence import DataConfidence
    from cctvscope.workflows.region_inputs import RegionInputs

T = TypeVar("T")

#: Tolerance of the simplified borough outlines and coverage layers [m].
SIMPLIFY_M = 25.0
COVERAGE_MISSING = "coverage not computed yet — run `cctvscope coverage`"
#: Entries kept per kind of scoped answer (role scopes, camera-list queries) per version.
SCOPED_ENTRIES = 256


@dataclass(frozen=True)
class Loaded:
    """One estate version with its cameras as a plain frame (lon/lat added)."""

    estate: Estate
    ref: EstateRef
    cameras: pd.DataFrame
    summary: pd.DataFrame
    stamp: VersionStamp
    """Tells this save from any other (the key of every per-version cache)."""


class EstateData:
    """The app's read model over the store and the output folder (thread-safe caches)."""

    def __init__(self, engine: Engine, estate_name: str, output_dir: Path) -> None:
        self.engine = engine
        # The version asked on every request is one statement: on PostgreSQL it needs no
        # BEGIN and ROLLBACK round trips around it (same pool, autocommit connections).
        self._stamps = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql"
            else engine
        )
        self.estate_name = estate_name
        self.output_dir = output_dir
        self.outputs = AssessmentOutputs(output_dir)
        self._lock = threading.RLock()
        self._cache: dict[tuple[str, object], Any] = {}
        self._scoped: dict[str, tuple[object, OrderedDict[Hashable, Any]]] = {}

    def _cached(self, kind: str, key: object, build: Callable[[], T]) -> T:
        with self._lock:
            hit = self._cache.get((kind, key))
            if hit is None:
                for old in [k for k in self._cache if k[0] == kind]:
                    del self._cache[old]
                hit = build()
                self._cache[(kind, key)] = hit
            return hit

    def scoped(self, kind: str, loaded: Loaded, key: Hashable, build: Callable[[], T]) -> T:
        """One of several answers of ``kind`` for this version (one per role scope, or per
        query), the least recently used dropped beyond :data:`SCOPED_ENTRIES`; a new
        version drops every one of the old."""
        with self._lock:
            stamp, entries = self._scoped.get(kind, (None, OrderedDict()))
            if stamp != loaded.stamp:
                entries = OrderedDict()
                self._scoped[kind] = (loaded.stamp, entries)
            if key in entries:
                entries.move_to_end(key)
                found: T = entries[key]
                return found
        value = build()  # outside the lock: a slow query must not hold up the others
        with self._lock:
            if self._scoped.get(kind, (None,))[0] == loaded.stamp:
                entries[key] = value
                while len(entries) > SCOPED_ENTRIES:
                    entries.popitem(last=False)
        return value

    # --- the estate ---------------------------------------------------------------------

    def latest_version(self) -> int | None:
        """The newest stored version of the estate, or None."""
        stamp = latest_version_stamp(self._stamps, self.estate_name)
        return None if stamp is None else stamp.version

    def current(self) -> Loaded:
        """The latest version, loaded (503 when the store holds no such estate)."""
        stamp = latest_version_stamp(self._stamps, self.estate_name)
        if stamp is None:
            raise WebError(
                503, f"no estate {self.estate_name!r} in the store yet — run `cctvscope demo`"
            )
        return self._cached("estate", stamp, lambda: self._load(stamp))

    def _load(self, stamp: VersionStamp) -> Loaded:
        from cctvscope.workflows import summarise_boroughs

        version = stamp.version
        estate = load_estate(self.engine, self.estate_name, version)
        # Positions are row numbers (the prepared answers index cameras by position).
        cameras = pd.DataFrame(estate.cameras.drop(columns="geometry")).reset_index(drop=True)
        lon, lat = bng_to_wgs84(cameras["x_m"].to_numpy(), cameras["y_m"].to_numpy())
        cameras["lon_deg"] = np.round(lon, 6)
        cameras["lat_deg"] = np.round(lat, 6)
        ref = EstateRef(name=estate.name, version=version, input_hash=estate.input_hash())
        return Loaded(estate, ref, cameras, summarise_boroughs(estate), stamp)

    def registrations(self, loaded: Loaded) -> pd.DataFrame:
        """Every registration of the estate (camera id, business id, consents...)."""

        def build() -> pd.DataFrame:
            table = private_registrations
            query = sa.select(table).where(table.c.estate_name == self.estate_name)
            with self.engine.connect() as connection:
                frame = pd.DataFrame(connection.execute(query).mappings().all())
            if frame.empty:
                frame = pd.DataFrame(columns=[c.name for c in table.columns])
            return frame

        return self._cached("registrations", loaded.stamp, build)

    def region(self, loaded: Loaded) -> RegionInputs:
        """The layers of the estate's region (London's bundled ones, or its stored ones)."""
        from cctvscope.workflows.region_inputs import region_inputs

        return self._cached(
            "region", loaded.stamp, lambda: region_inputs(self.engine, loaded.estate)
        )

    def compliance(self, loaded: Loaded) -> Any:
        """The estate's compliance with its standard (a ``ComplianceOutcome``) on its region."""
        from cctvscope.store import cop_scores
        from cctvscope.workflows.compliance import estate_standard, run_compliance

        def build() -> Any:
            scores = cop_scores(self.engine, self.estate_name)
            return run_compliance(
                loaded.estate,
                standard=estate_standard(loaded.estate),
                cop_scores=scores,
                region=self.region(loaded),
            )

        return self._cached("compliance", loaded.stamp, build)

    def confidence(self, loaded: Loaded) -> DataConfidence:
        """The estate's data confidence per borough and table (workflows.confidence)."""
        from cctvscope.workflows.confidence import data_confidence

        return self._cached("confidence", loaded.stamp, lambda: data_confidence(loaded.estate))

    def lookup(self, loaded: Loaded) -> PackedLookup:
        """The police lookup: public cameras and consenting private ones.

        Read from the lookup cache beside the store (built there on the first search of
        a version by any process) and checked whole once, as it is kept for the version.
        """
        from cctvscope.workflows.police_search import default_cache_dir, police_search

        def build() -> PackedLookup:
            cache = default_cache_dir(self.engine.url)
            name, version = self.estate_name, loaded.ref.version
            found = police_search(self.engine, name, cache_dir=cache, version=version)
            try:
                found.lookup.verify()
            except PackedLookupError:
                found = police_search(
                    self.engine, name, cache_dir=cache, version=version, rebuild=True
                )
            return found.lookup

        return self._cached("lookup", loaded.stamp, build)

    def gazetteer(self, loaded: Loaded) -> Gazetteer:
        """The places of the estate's region (postcodes, names, areas) for search by place."""
        from cctvscope.workflows.places import estate_gazetteer

        return self._cached(
            "gazetteer", loaded.stamp, lambda: estate_gazetteer(self.engine, loaded.estate)
        )

    def boroughs_geojson(self, loaded: Loaded) -> dict[str, Any]:
        """Borough outlines in WGS84, simplified, with code, name and camera count."""

        def build() -> dict[str, Any]:
            frame = loaded.estate.boroughs[["gss_code", "name", "geometry"]].copy()
            counts = loaded.summary.set_index("gss_code")["cameras"]
            frame["cameras"] = frame["gss_code"].map(counts).fillna(0).astype(int)
            return to_geojson(frame)

        return self._cached("boroughs_geojson", loaded.stamp, build)

    # --- the pipeline's outputs (`cctvscope demo`, `report`, `coverage`) -----------------------

    def output_csv(self, name: OutputFile) -> pd.DataFrame | None:
        """A table of the pipeline's outputs, or None when it has not been written."""
        key = self.outputs.stamp(name)
        if key is None:
            return None
        return self._cached(f"csv:{name}", key, lambda: self.outputs.table(name))

    def coverage_summary(self) -> pd.DataFrame | None:
        """The coverage summary, or None until coverage has been computed."""
        return self.output_csv(OutputFile.COVERAGE_SUMMARY)

    def coverage_layer(self, layer: str, level: str | None = None) -> dict[str, Any] | None:
        """A coverage layer (``coverage_union`` or ``gaps``) as WGS84 GeoJSON, or None."""
        key = self.outputs.stamp(OutputFile.COVERAGE_GPKG)
        if key is None:
            return None

        def build() -> dict[str, Any] | None:
            frame = self.outputs.coverage_layer(layer, level)
            return None if frame is None else to_geojson(frame)

        return self._cached(f"layer:{layer}:{level}", key, build)

    # --- map tiles (web.map_tiles) -----------------------------------------------------------

    def basemap_tiles(self, loaded: Loaded) -> BasemapTiles:
        """The region's street-map tile index, built at first use (kept per region)."""
        from cctvscope.web.map_tiles import build_basemap

        # Per region, not per version: a survey import does not move the streets.
        key = loaded.estate.metadata.get(REGION_METADATA_KEY) or "london"
        return self._cached("basemap", key, lambda: build_basemap(self.engine, loaded))

    def coverage_tiles(self, level: str) -> TileIndex | None:
        """Tiles of the coverage union at ``level`` and the gaps, or None before coverage."""
        from cctvscope.web.map_tiles import build_coverage

        key = self.outputs.stamp(OutputFile.COVERAGE_GPKG)
        if key is None:
            return None
        return self._cached(f"coverage_tiles:{level}", key, lambda: build_coverage(self, level))


def to_geojson(frame: gpd.GeoDataFrame, simplify_m: float = SIMPLIFY_M) -> dict[str, Any]:
    """A GeoDataFrame in EPSG:27700 as a simplified WGS84 GeoJSON FeatureCollection."""
    frame = frame.copy()
    if len(frame):
        frame["geometry"] = frame.geometry.simplify(simplify_m, preserve_topology=True)
    if frame.crs is None:
        frame = frame.set_crs("EPSG:27700")
    text = frame.to_crs("EPSG:4326").to_json(drop_id=True, to_wgs84=False)
    data: dict[str, Any] = json.loads(text)
    return data


def clean(value: Any) -> Any:
    """A cell as JSON-safe Python: NaN/NaT/NA to None, numpy scalars to Python."""
    if value is None:
        return None
    if isinstance(value, float | np.floating) and not np.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NaT or value is pd.NA:
        return None
    return value


def records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows of ``frame`` as JSON-safe dicts (only ``columns`` when given)."""
    chosen = list(frame.columns) if columns is None else columns
    names = [str(c) for c in chosen]
    if not names:
        return [{} for _ in range(len(frame))]
    # Column by column (``tolist`` gives Python scalars): ``to_dict(orient="records")``
    # indexes the frame row by row, most of a police search's cost.
    rows = zip(*(frame[c].tolist() for c in chosen), strict=True)
    return [{k: clean(v) for k, v in zip(names, row, strict=True)} for row in rows]
