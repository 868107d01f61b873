"""The estate container: a named, versioned set of tables describing a CCTV estate."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import shapely

from cctvscope.model.entities import ENTITY_TYPES, Region
from cctvscope.model.frames import POINT_TABLES, empty_frame

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

FINDING_COLUMNS = ["table", "record_id", "row", "field", "value", "reason", "source"]
"""Columns of the estate's stored import warnings."""

#: Id column of each table, used to sort rows for a stable input hash.
ID_COLUMNS: dict[str, list[str]] = {
    "boroughs": ["gss_code"],
    "control_rooms": ["room_id"],
    "cameras": ["camera_id"],
    "links": ["link_id"],
    "contracts": ["contract_id"],
    "evidence_stats": ["borough_code", "year"],
    "cost_items": ["profile", "item"],
}

TABLES: tuple[str, ...] = tuple(ID_COLUMNS)


def no_findings() -> pd.DataFrame:
    """An empty table of import warnings (pandas on first use: a cached police search
    never makes an estate)."""
    import pandas as pd

    return pd.DataFrame(columns=FINDING_COLUMNS)


REGION_METADATA_KEY = "region"
"""Estate metadata key naming the stored region the estate was made from (absent for
estates made the London way, before regions were stored)."""


@dataclass(frozen=True)
class Estate:
    """A CCTV estate: boroughs, control rooms, cameras, links, contracts, statistics, costs.

    Tables are (Geo)DataFrames in EPSG:27700 whose columns are the fields of the
    entity in :data:`cctvscope.model.entities.ENTITY_TYPES`. ``boroughs`` carries
    polygon geometry; ``cameras`` and ``control_rooms`` carry points (an import's
    saved estate may hold cameras without them: their ``x_m``/``y_m`` are the points,
    and the input hash reads them as such). Estates are never modified in place:
    :meth:`replace_tables` returns a new one.
    """

    name: str
    region: Region
    boroughs: gpd.GeoDataFrame
    control_rooms: gpd.GeoDataFrame
    cameras: gpd.GeoDataFrame
    links: pd.DataFrame
    contracts: pd.DataFrame
    evidence_stats: pd.DataFrame
    cost_items: pd.DataFrame
    findings: pd.DataFrame = field(default_factory=lambda: no_findings())
    version: int | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        """The table called ``name`` (one of :data:`TABLES`)."""
        if name not in TABLES:
            raise KeyError(f"unknown estate table {name!r}; tables are {', '.join(TABLES)}")
        frame: pd.DataFrame = getattr(self, name)
        return frame

    def replace_tables(self, **changes: Any) -> Estate:
        """A new estate with some tables, findings or metadata replaced (version cleared)."""
        return replace(self, version=None, **changes)

    def input_hash(self) -> str:
        """SHA-256 over the canonical content of every table: equal estates, equal hash.

        Geometry enters as WKB hex, rows are sorted by id, floats are written with
        repr precision, so the hash does not depend on row order or storage. Computed
        once per estate object (estates are never modified in place; a pipeline run
        asks for it about seven times, each a pass over every table).
        """
        cached: str | None = self.__dict__.get("_input_hash")
        if cached is None:
            cached = self._compute_input_hash()
            # A frozen dataclass: write the instance dict directly, as cached_property does.
            self.__dict__["_input_hash"] = cached
        return cached

    def _compute_input_hash(self) -> str:
        digest = hashlib.sha256()
        digest.update(self.region.model_dump_json().encode())
        for name in TABLES:
            digest.update(name.encode())
            chunks = table_csv_chunks(
                self.table(name), ID_COLUMNS[name], HASH_CHUNK_ROWS, points=name in POINT_TABLES
            )
            for text in chunks:
                digest.update(text.encode())
        return digest.hexdigest()

    def counts(self) -> dict[str, int]:
        """Row count of every table."""
        return {name: len(self.table(name)) for name in TABLES}


#: Rows written at a time when a table is hashed [rows]: bounds the text held at once.
HASH_CHUNK_ROWS = 10_000


def table_csv_chunks(
    table: pd.DataFrame, ids: list[str], chunk_rows: int = HASH_CHUNK_ROWS, *, points: bool = False
) -> Iterator[str]:
    """The table sorted by ``ids`` as CSV (geometry as WKB hex, floats at repr precision),
    in pieces of ``chunk_rows`` rows whose concatenation is the whole table's CSV.

    A million-camera table is never copied or written out whole: only the sort order
    and one piece at a time are held. ``points``: a table without geometry but with
    ``x_m``/``y_m`` (an imported camera table) is written as if it carried the Point
    geometry built from them, one piece's points at a time.
    """
    import geopandas as gpd  # on first use: a cached police search never needs it
    import pandas as pd

    frame = pd.DataFrame(table).reset_index(drop=True)
    order = frame[ids].sort_values(ids).index.to_numpy()
    for start in range(0, max(len(frame), 1), chunk_rows):
        part = frame.iloc[order[start : start + chunk_rows]].copy()
        if "geometry" in part.columns:
            part["geometry"] = gpd.GeoSeries(part["geometry"]).to_wkb(hex=True)
        elif points and {"x_m", "y_m"} <= set(part.columns):
            xy = shapely.points(part["x_m"].to_numpy(float), part["y_m"].to_numpy(float))
            part["geometry"] = shapely.to_wkb(xy, hex=True)
        yield part.to_csv(index=False, float_format="%.17g", header=start == 0)


def empty_estate(name: str, region: Region, boroughs: gpd.GeoDataFrame) -> Estate:
    """An estate with boroughs and nothing else."""
    return Estate(
        name=name,
        region=region,
        boroughs=boroughs,
        control_rooms=empty_frame(ENTITY_TYPES["control_rooms"], points=True),
        cameras=empty_frame(ENTITY_TYPES["cameras"], points=True),
        links=empty_frame(ENTITY_TYPES["links"]),
        contracts=empty_frame(ENTITY_TYPES["contracts"]),
        evidence_stats=empty_frame(ENTITY_TYPES["evidence_stats"]),
        cost_items=empty_frame(ENTITY_TYPES["cost_items"]),
    )
