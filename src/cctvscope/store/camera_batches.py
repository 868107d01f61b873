"""A stored estate read without its cameras, and its cameras read a batch at a time.

Coverage of an estate of any size (``coverage --executor dask``) never holds the
estate's cameras at once: :func:`estate_outline` gives the estate's row, metadata and
boroughs (the other tables empty, no camera read), and :func:`camera_batches` gives
the cameras' columns ``batch_rows`` at a time, sorted by BNG tile, so each tile's
cameras arrive together and a tile's file can be written as soon as the next begins.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pandas as pd
import sqlalchemy as sa

from cctvscope.model.entities import Region
from cctvscope.model.estate import TABLES, Estate
from cctvscope.store.repository import (
    EngineOrUrl,
    _database_errors,
    _engine,
    _find_estate,
    _read_findings,
    _read_table,
    _read_transaction,
)
from cctvscope.store.tables import ESTATE_TABLES

#: Rows fetched from the database per batch.
BATCH_ROWS = 50_000
#: An estate id no row has: reads a table's columns and no rows.
_NO_ESTATE = -1


def estate_outline(engine: EngineOrUrl, name: str, version: int | None = None) -> Estate:
    """The stored estate ``name`` (latest version when None) with its boroughs and
    metadata; every other table is empty (none of its rows is read).

    Raises :class:`~cctvscope.errors.UnknownEstateError` as ``load_estate`` does.
    """
    with (
        _engine(engine) as eng,
        _database_errors(f"loading estate {name!r}"),
        _read_transaction(eng) as connection,
    ):
        row = _find_estate(connection, name, version)
        tables = {
            table: _read_table(connection, table, row.id if table == "boroughs" else _NO_ESTATE)
            for table in TABLES
        }
        no_findings = _read_findings(connection, _NO_ESTATE)
    return Estate(
        name=row.name,
        region=Region(region_code=row.region_code, name=row.region_name),
        findings=no_findings,
        version=row.version,
        metadata=dict(row._mapping["metadata"] or {}),
        **tables,
    )


def camera_batches(
    engine: EngineOrUrl,
    name: str,
    version: int | None,
    columns: Sequence[str],
    *,
    tile_m: float,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[pd.DataFrame]:
    """The estate's cameras (``columns`` of the cameras table), ``batch_rows`` at a time,
    ordered by BNG tile (``floor(x / tile_m)``, then ``floor(y / tile_m)``), then by
    their order in the estate. Each batch is a plain frame of the stored values.
    """
    cameras = ESTATE_TABLES["cameras"]
    with (
        _engine(engine) as eng,
        _database_errors(f"reading the cameras of {name!r}"),
        _read_transaction(eng) as connection,
    ):
        row = _find_estate(connection, name, version)
        query = (
            sa.select(*(cameras.c[c] for c in columns))
            .where(cameras.c.estate_id == row.id)
            .order_by(
                sa.func.floor(cameras.c.x_m / tile_m),
                sa.func.floor(cameras.c.y_m / tile_m),
                cameras.c.position,
            )
        )
        result = connection.execution_options(yield_per=batch_rows).execute(query)
        for rows in result.partitions(batch_rows):
            yield pd.DataFrame([tuple(r) for r in rows], columns=list(columns))
