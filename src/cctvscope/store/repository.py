"""Save, load, list and delete versioned estates, and record analysis runs.

Every function takes the engine (or a URL) as an argument and never reads
settings. Saving writes a new version of the named estate in one transaction:
either every table is written or nothing is. Rows go in with Core
``executemany`` inserts (tens of thousands of cameras in a second or two on
SQLite) and come back in their original order, with the dtypes of
:func:`cctvscope.model.frames.normalise_frame`, so a loaded estate has the same
:meth:`~cctvscope.model.estate.Estate.input_hash` as the one saved.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
import sqlalchemy as sa
from sqlalchemy import Engine

from cctvscope import __version__
from cctvscope.crs import BNG
from cctvscope.errors import StoreError, UnknownEstateError
from cctvscope.model.entities import ENTITY_TYPES, Region
from cctvscope.model.estate import FINDING_COLUMNS, TABLES, Estate
from cctvscope.model.frames import POINT_TABLES, field_kind, normalise_frame
from cctvscope.store.audit_rows import AuditRow, insert_audit
from cctvscope.store.engine import as_engine, write_transaction
from cctvscope.store.migrate import upgrade_database
from cctvscope.store.tables import (
    ALL_TABLES,
    ESTATE_TABLES,
    GEOMETRY_TYPES,
    estates,
    findings,
    runs,
)

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

EngineOrUrl = Engine | str | sa.URL


@dataclass(frozen=True)
class EstateInfo:
    """One stored estate version, as listed by :func:`list_estates`."""

    name: str
    version: int
    created_at: dt.datetime  # UTC
    description: str
    cameras: int
    input_hash: str


@dataclass(frozen=True)
class RunInfo:
    """One recorded analysis run, as listed by :func:`list_runs`."""

    id: int
    estate_name: str
    estate_version: int
    kind: str
    options: dict[str, Any]
    input_hash: str
    created_at: dt.datetime  # UTC
    status: str
    result: dict[str, Any]
    cctvscope_version: str


@contextmanager
def _engine(engine: EngineOrUrl) -> Iterator[Engine]:
    """The caller's engine, or a temporary one for a URL (disposed afterwards)."""
    if isinstance(engine, Engine):
        yield engine
        return
    owned = as_engine(engine)
    try:
        yield owned
    finally:
        owned.dispose()


@contextmanager
def _database_errors(action: str) -> Iterator[None]:
    """Turn driver errors into :class:`StoreError` saying what was being done."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise StoreError(f"{action} failed: {detail}") from exc


def init_store(url: EngineOrUrl) -> Engine:
    """Create or upgrade the store's schema at ``url`` and return its engine."""
    with _database_errors("creating the store schema"):
        return upgrade_database(url)


# --- saving ---------------------------------------------------------------------------------


def canonical_estate(estate: Estate, *, points: bool = True) -> Estate:
    """The estate with every table in canonical form: entity columns, dtypes, EPSG:27700.

    This is what the store holds, so its hash is the stored ``input_hash``.
    ``points=False``: a point table without geometry stays without it (its hash and
    stored rows take points from ``x_m``/``y_m`` a batch at a time), rather than
    gaining a shapely point per row.

    Raises
    ------
    StoreError
        When a table has columns the store would drop, values of the wrong type,
        or geometry in another CRS.
    """
    import geopandas as gpd  # on first use: a cached police search never needs it

    tables: dict[str, Any] = {}
    for name in TABLES:
        frame = estate.table(name)
        entity = ENTITY_TYPES[name]
        geometry_column = _geometry_column(frame)
        extra = [c for c in frame.columns if c not in entity.model_fields and c != geometry_column]
        if extra:
            raise StoreError(f"estate table {name!r} has columns the store does not keep: {extra}")
        try:
            normal = normalise_frame(entity, frame)
        except (ValueError, TypeError) as exc:
            raise StoreError(f"estate table {name!r} cannot be stored: {exc}") from exc
        if name in GEOMETRY_TYPES and (points or not _built_from_xy(name, frame)):
            # copy=False: geopandas would otherwise copy (and consolidate) every column.
            normal = gpd.GeoDataFrame(
                normal, geometry=_geometry(name, frame, normal), crs=BNG, copy=False
            )
        tables[name] = normal
    extra = [c for c in estate.findings.columns if c not in FINDING_COLUMNS]
    if extra:
        raise StoreError(f"estate findings have columns the store does not keep: {extra}")
    return replace(estate, **tables, findings=estate.findings.reindex(columns=FINDING_COLUMNS))


def _built_from_xy(name: str, frame: pd.DataFrame) -> bool:
    """True when the table's points are to be built from ``x_m``/``y_m`` (no geometry)."""
    return name in POINT_TABLES and _geometry_column(frame) is None


def _geometry_column(frame: pd.DataFrame) -> str | None:
    import geopandas as gpd  # on first use: a cached police search never needs it

    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns:
        return str(frame._geometry_column_name)
    return None


def _geometry(name: str, frame: pd.DataFrame, normal: pd.DataFrame) -> gpd.GeoSeries:
    """The table's geometry in EPSG:27700; points are built from x_m/y_m when absent."""
    import geopandas as gpd  # on first use: a cached police search never needs it

    column = _geometry_column(frame)
    if column is None:
        if name not in POINT_TABLES:
            raise StoreError(f"estate table {name!r} has no geometry")
        points = shapely.points(normal["x_m"].to_numpy(float), normal["y_m"].to_numpy(float))
        return gpd.GeoSeries(points, index=normal.index, crs=BNG)
    series = frame[column]
    crs = getattr(series, "crs", None)
    if crs is not None and crs.to_epsg() != 27700:
        raise StoreError(f"estate table {name!r} is in {crs.to_string()}, not {BNG}")
    return gpd.GeoSeries(np.asarray(series.array), index=normal.index, crs=BNG)


def _column_values(kind: str, series: pd.Series) -> list[Any]:
    """A column as plain Python values for the driver (NaN and NA become NULL)."""
    import pandas as pd

    if kind == "float":
        return [None if math.isnan(v) else v for v in series.to_numpy(float).tolist()]
    if kind == "int":
        return list(series.to_numpy("int64").tolist())
    if kind == "bool":
        return list(series.to_numpy(bool).tolist())
    if kind == "date":
        return list(series)
    return [None if v is None or v is pd.NA or v != v else str(v) for v in series]


#: Rows converted and inserted at a time [rows]: a million-camera version is never
#: held as a million parameter dictionaries.
SAVE_BATCH_ROWS = 5_000


def _table_row_batches(name: str, frame: pd.DataFrame) -> Iterator[list[dict[str, Any]]]:
    """Insert parameters of one canonical estate table, :data:`SAVE_BATCH_ROWS` at a time."""
    for start in range(0, len(frame), SAVE_BATCH_ROWS):
        yield _table_rows(name, frame.iloc[start : start + SAVE_BATCH_ROWS], start)


def _table_rows(name: str, frame: pd.DataFrame, first: int = 0) -> list[dict[str, Any]]:
    """Insert parameters of rows of a canonical estate table, ``position`` giving the row
    order (``first``: the position of the frame's first row)."""
    entity = ENTITY_TYPES[name]
    columns = {c: _column_values(field_kind(entity, c), frame[c]) for c in entity.model_fields}
    columns["position"] = list(range(first, first + len(frame)))
    if name in GEOMETRY_TYPES:
        columns["geometry"] = _geometry_values(name, frame)
    keys = list(columns)
    return [dict(zip(keys, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _geometry_values(name: str, frame: pd.DataFrame) -> list[Any]:
    """The rows' geometries for the driver; a point table without geometry gets points
    built from ``x_m``/``y_m`` for these rows only (the same points :func:`_geometry`
    would have built for the whole table)."""
    if _built_from_xy(name, frame):
        return list(shapely.points(frame["x_m"].to_numpy(float), frame["y_m"].to_numpy(float)))
    return [None if g is None else g for g in frame.geometry.array]


def _finding_row_batches(frame: pd.DataFrame) -> Iterator[list[dict[str, Any]]]:
    """Insert parameters of the findings, :data:`SAVE_BATCH_ROWS` at a time (an import of a
    million rows may leave tens of thousands of warnings)."""
    for start in range(0, len(frame), SAVE_BATCH_ROWS):
        yield _finding_rows(frame.iloc[start : start + SAVE_BATCH_ROWS], start)


def _finding_rows(frame: pd.DataFrame, first: int = 0) -> list[dict[str, Any]]:
    import pandas as pd

    rows = []
    values_of = frame[FINDING_COLUMNS].itertuples(index=False, name=None)
    for position, values in enumerate(values_of, start=first):
        row: dict[str, Any] = {"position": position}
        for column, value in zip(FINDING_COLUMNS, values, strict=True):
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                row[column] = None
            elif column == "row":
                row[column] = int(value)
            else:
                row[column] = str(value)
        rows.append(row)
    return rows


def _insert_rows(
    connection: sa.Connection, table: sa.Table, estate_id: int, rows: list[dict[str, Any]]
) -> None:
    """One executemany insert of ``rows`` into ``table`` for estate ``estate_id``."""
    if rows:
        for row in rows:
            row["estate_id"] = estate_id
        connection.execute(table.insert(), rows)


def save_estate(
    engine: EngineOrUrl,
    estate: Estate,
    *,
    description: str = "",
    based_on: int | None = None,
    audit: AuditRow | None = None,
    points: bool = True,
) -> Estate:
    """Store ``estate`` as a new version of its name, all or nothing.

    The version is 1 for a new name and the latest version + 1 otherwise; the
    estate's own ``version`` is ignored. Tables are put in canonical form first
    (see :func:`canonical_estate`). ``based_on`` is the version the change was
    computed from (0: the estate did not exist): if another version was saved
    since, the save is refused, so that two imports at once cannot silently drop
    each other's records. ``audit``: an audit-log entry written in the same
    transaction (its detail gains ``estate_version``), so the change and its audit
    row commit together or not at all. ``points=False``: a point table without
    geometry is saved with points built from ``x_m``/``y_m`` batch by batch, and is
    returned without geometry (a million-camera import never holds a million points).

    Returns
    -------
    Estate
        The canonical estate with ``version`` set (its input hash already known).

    Raises
    ------
    StoreError
        When the estate cannot be stored (duplicate ids, bad values, a database
        error); the store is left unchanged.
    """
    if not estate.name:
        raise StoreError("an estate needs a name to be stored")
    canonical = canonical_estate(estate, points=points)
    input_hash = canonical.input_hash()
    meta = _plain(dict(canonical.metadata), "estate metadata")
    if audit is not None:  # refused before the transaction when its detail is not JSON
        audit = AuditRow(
            audit.action, audit.target, audit.username, audit.ip, _plain(audit.detail, "audit")
        )
    with (
        _engine(engine) as eng,
        _database_errors(f"saving estate {estate.name!r}"),
        write_transaction(eng) as connection,
    ):
        latest = connection.execute(
            sa.select(sa.func.max(estates.c.version)).where(estates.c.name == estate.name)
        ).scalar()
        if based_on is not None and int(latest or 0) != based_on:
            raise StoreError(
                f"estate {estate.name!r} changed while this change was prepared (read version "
                f"{based_on}, now version {int(latest or 0)}); nothing was saved: run it again"
            )
        version = int(latest or 0) + 1
        estate_id = connection.execute(
            estates.insert()
            .values(
                {
                    "name": estate.name,
                    "version": version,
                    "created_at": dt.datetime.now(dt.UTC),
                    "description": description,
                    "region_code": canonical.region.region_code,
                    "region_name": canonical.region.name,
                    "metadata": meta,
                    "input_hash": input_hash,
                }
            )
            .returning(estates.c.id)
        ).scalar_one()
        # Rows are converted batch by batch inside the transaction: it lasts a little
        # longer, but memory stays flat in the number of rows.
        for name in TABLES:
            for rows in _table_row_batches(name, canonical.table(name)):
                _insert_rows(connection, ESTATE_TABLES[name], estate_id, rows)
        for rows in _finding_row_batches(canonical.findings):
            _insert_rows(connection, findings, estate_id, rows)
        if audit is not None:
            insert_audit(connection, audit.with_detail(estate_version=version))
    saved = replace(canonical, version=version)
    # The same tables: the hash is not worked out again (a pass over every row).
    saved.__dict__["_input_hash"] = input_hash
    return saved


# --- loading --------------------------------------------------------------------------------


def _describe_estates(connection: sa.Connection) -> str:
    """``london (versions 1-3), tiny (version 1)``, or ``none``, for error messages."""
    rows = connection.execute(
        sa.select(estates.c.name, sa.func.min(estates.c.version), sa.func.max(estates.c.version))
        .group_by(estates.c.name)
        .order_by(estates.c.name)
    ).all()
    if not rows:
        return "the store holds no estates"
    parts = [
        f"{name} (version {low})" if low == high else f"{name} (versions {low}-{high})"
        for name, low, high in rows
    ]
    return "estates in the store: " + ", ".join(parts)


def _find_estate(connection: sa.Connection, name: str, version: int | None) -> sa.Row[Any]:
    """The ``estates`` row of ``name`` at ``version`` (latest when None)."""
    query = sa.select(estates).where(estates.c.name == name)
    if version is None:
        query = query.order_by(estates.c.version.desc()).limit(1)
    else:
        query = query.where(estates.c.version == version)
    row = connection.execute(query).first()
    if row is not None:
        return row
    versions = connection.execute(
        sa.select(estates.c.version).where(estates.c.name == name).order_by(estates.c.version)
    ).scalars()
    found = ", ".join(str(v) for v in versions)
    if found:
        raise UnknownEstateError(f"estate {name!r} has no version {version}; its versions: {found}")
    raise UnknownEstateError(f"no estate named {name!r}; {_describe_estates(connection)}")


def _read_table(connection: sa.Connection, name: str, estate_id: int) -> pd.DataFrame:
    import geopandas as gpd  # on first use: a cached police search never needs it
    import pandas as pd

    table = ESTATE_TABLES[name]
    entity = ENTITY_TYPES[name]
    columns = [table.c[c] for c in entity.model_fields]
    if name in GEOMETRY_TYPES:
        columns.append(table.c.geometry)
    rows = connection.execute(
        sa.select(*columns).where(table.c.estate_id == estate_id).order_by(table.c.position)
    ).all()
    raw = pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in columns])
    frame = normalise_frame(entity, raw)
    if name not in GEOMETRY_TYPES:
        return frame
    geometry = gpd.GeoSeries(raw["geometry"].to_list(), index=frame.index, crs=BNG)
    with_geometry: pd.DataFrame = gpd.GeoDataFrame(frame, geometry=geometry, crs=BNG)
    return with_geometry


def _read_findings(connection: sa.Connection, estate_id: int) -> pd.DataFrame:
    """Stored findings, object columns with None for missing values."""
    import pandas as pd

    columns = [findings.c[c] for c in FINDING_COLUMNS]
    rows = connection.execute(
        sa.select(*columns).where(findings.c.estate_id == estate_id).order_by(findings.c.position)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=FINDING_COLUMNS, dtype=object)


@contextmanager
def _read_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """A transaction that sees one snapshot across several SELECTs."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def load_estate(engine: EngineOrUrl, name: str, version: int | None = None) -> Estate:
    """The stored estate ``name`` at ``version`` (the latest when None).

    Raises
    ------
    UnknownEstateError
        When there is no such estate or version; the message lists what exists.
    """
    with (
        _engine(engine) as eng,
        _database_errors(f"loading estate {name!r}"),
        _read_transaction(eng) as connection,
    ):
        row = _find_estate(connection, name, version)
        tables = {table: _read_table(connection, table, row.id) for table in TABLES}
        stored_findings = _read_findings(connection, row.id)
    return Estate(
        name=row.name,
        region=Region(region_code=row.region_code, name=row.region_name),
        findings=stored_findings,
        version=row.version,
        metadata=dict(row._mapping["metadata"] or {}),
        **tables,
    )


def estate_info(engine: EngineOrUrl, name: str, version: int | None = None) -> EstateInfo:
    """One stored version's row (the latest when ``version`` is None), without its tables.

    Raises :class:`UnknownEstateError` as :func:`load_estate` does.
    """
    cameras = ESTATE_TABLES["cameras"]
    with (
        _engine(engine) as eng,
        _database_errors(f"reading estate {name!r}"),
        _read_transaction(eng) as connection,
    ):
        row = _find_estate(connection, name, version)
        count = sa.select(sa.func.count()).where(cameras.c.estate_id == row.id)
        n = int(connection.execute(count).scalar_one())
    created = _utc(row.created_at)
    return EstateInfo(row.name, row.version, created, row.description, n, row.input_hash)


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive UTC, PostgreSQL aware in the session's zone: make both aware UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def list_estates(engine: EngineOrUrl) -> list[EstateInfo]:
    """Every stored estate version, by name, newest version first within a name."""
    cameras = ESTATE_TABLES["cameras"]
    counts = (
        sa.select(cameras.c.estate_id, sa.func.count().label("n"))
        .group_by(cameras.c.estate_id)
        .subquery()
    )
    query = (
        sa.select(
            estates.c.name,
            estates.c.version,
            estates.c.created_at,
            estates.c.description,
            sa.func.coalesce(counts.c.n, 0),
            estates.c.input_hash,
        )
        .outerjoin(counts, counts.c.estate_id == estates.c.id)
        .order_by(estates.c.name, estates.c.version.desc())
    )
    with _engine(engine) as eng, _database_errors("listing estates"), eng.connect() as connection:
        rows = connection.execute(query).all()
    return [
        EstateInfo(name, version, _utc(created), description, int(n), input_hash)
        for name, version, created, description, n, input_hash in rows
    ]


@dataclass(frozen=True)
class VersionStamp:
    """The newest version of an estate and the row id that tells one save from another
    (ids are never reused, so a version deleted and saved again gets a new stamp)."""

    version: int
    estate_id: int


def latest_version_stamp(engine: EngineOrUrl, name: str) -> VersionStamp | None:
    """The newest stored version of ``name`` (None when there is none): one indexed
    lookup, cheap enough to ask on every web request."""
    query = (
        sa.select(estates.c.version, estates.c.id)
        .where(estates.c.name == name)
        .order_by(estates.c.version.desc())
        .limit(1)
    )
    with (
        _engine(engine) as eng,
        _database_errors("reading the latest version"),
        eng.connect() as connection,
    ):
        row = connection.execute(query).first()
    return None if row is None else VersionStamp(int(row[0]), int(row[1]))


def delete_estate(engine: EngineOrUrl, name: str, version: int | None = None) -> int:
    """Delete one version of an estate, or every version when ``version`` is None.

    Its tables, findings and runs go with it. Returns the number of versions deleted.

    Raises
    ------
    UnknownEstateError
        When there is no such estate or version.
    """
    with (
        _engine(engine) as eng,
        _database_errors(f"deleting estate {name!r}"),
        eng.begin() as connection,
    ):
        if version is None:
            query = sa.select(estates.c.id).where(estates.c.name == name)
            ids = list(connection.execute(query).scalars())
            if not ids:
                _find_estate(connection, name, None)  # raises, listing what exists
        else:
            ids = [_find_estate(connection, name, version).id]
        # Children first, explicitly: a foreign-key cascade needs SQLite's pragma on.
        for table in reversed(ALL_TABLES[1:]):
            connection.execute(table.delete().where(table.c.estate_id.in_(ids)))
        connection.execute(estates.delete().where(estates.c.id.in_(ids)))
    return len(ids)


# --- runs -----------------------------------------------------------------------------------


def _plain(value: Any, what: str) -> Any:
    """``value`` as JSON-ready Python data; non-finite floats become None (JSON has no NaN)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Enum):
        return _plain(value.value, what)
    if isinstance(value, np.generic):
        return _plain(value.item(), what)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v, what) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        return [_plain(v, what) for v in value]
    raise StoreError(f"{what}: cannot store a {type(value).__name__} ({value!r}) as JSON")


def record_run(
    engine: EngineOrUrl,
    estate_name: str,
    version: int,
    kind: str,
    options: Mapping[str, Any],
    input_hash: str,
    result: Mapping[str, Any],
    status: str = "ok",
) -> int:
    """Record an analysis run on an estate version, with its options and result; returns its id.

    Options and result are stored as JSON (dates as ISO strings, NaN as null).

    Raises
    ------
    UnknownEstateError
        When the estate version is not in the store.
    """
    values = {
        "kind": kind,
        "options": _plain(dict(options), "run options"),
        "input_hash": input_hash,
        "created_at": dt.datetime.now(dt.UTC),
        "status": status,
        "result": _plain(dict(result), "run result"),
        "cctvscope_version": __version__,
    }
    with (
        _engine(engine) as eng,
        _database_errors(f"recording a {kind!r} run"),
        eng.begin() as connection,
    ):
        estate_id = _find_estate(connection, estate_name, version).id
        query = runs.insert().values(estate_id=estate_id, **values).returning(runs.c.id)
        return int(connection.execute(query).scalar_one())


def list_runs(engine: EngineOrUrl, estate_name: str | None = None) -> list[RunInfo]:
    """Recorded runs, oldest first, of one estate (every version) or of all."""
    query = (
        sa.select(runs, estates.c.name.label("estate_name"), estates.c.version.label("version"))
        .join(estates, estates.c.id == runs.c.estate_id)
        .order_by(runs.c.id)
    )
    if estate_name is not None:
        query = query.where(estates.c.name == estate_name)
    with _engine(engine) as eng, _database_errors("listing runs"), eng.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [
        RunInfo(
            id=r["id"],
            estate_name=r["estate_name"],
            estate_version=r["version"],
            kind=r["kind"],
            options=dict(r["options"]),
            input_hash=r["input_hash"],
            created_at=_utc(r["created_at"]),
            status=r["status"],
            result=dict(r["result"]),
            cctvscope_version=r["cctvscope_version"],
        )
        for r in rows
    ]


def store_snapshot(engine: EngineOrUrl) -> dict[str, int]:
    """Row count of every store table: equal snapshots before and after prove nothing changed."""
    with _engine(engine) as eng, _database_errors("counting rows"), eng.connect() as connection:
        return {
            table.name: int(
                connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            )
            for table in ALL_TABLES
        }
