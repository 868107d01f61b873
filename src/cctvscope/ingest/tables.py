"""Validated import of the non-camera estate tables from a borough return.

:func:`read_table_file` reads one table (control rooms, links, contracts, evidence
statistics, cost items, or monitoring assignments) from CSV, GeoJSON or a workbook
sheet, with the rules of the camera import: columns found by alias (or ``--map``),
values fixed for every row by ``--set``, cell values rewritten by ``--value-map``
before parsing, and *every* problem reported at once as row-located
:class:`~cctvscope.errors.Finding` objects. Any error imports nothing. The import
sets ``provenance`` (and ``source``) itself. Pure functions: no database, settings
or console.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import ValidationError

from cctvscope.crs import BNG_BOUNDS_M, looks_like_wgs84, wgs84_to_bng
from cctvscope.errors import Finding, InputError
from cctvscope.ingest.limits import MAX_ROWS, cap_findings
from cctvscope.ingest.locate import BoroughIndex, point_boroughs
from cctvscope.ingest.sources import RawTable, read_source
from cctvscope.ingest.table_fields import (
    KEY_FIELDS,
    LOCATION_FIELDS,
    canonical_field,
    check_constants,
    check_value_maps,
    entity_field,
    error_reason,
    import_fields,
    map_cell,
    missing_columns,
    parse_table_cell,
    resolve_boroughs,
    resolve_columns,
)
from cctvscope.ingest.values import id_findings, id_key, normalise_text
from cctvscope.model.entities import (
    Contract,
    ControlRoom,
    CostItem,
    Entity,
    EvidenceStats,
    Link,
    attr,
)
from cctvscope.model.enums import Provenance
from cctvscope.model.frames import empty_frame, records_to_frame, with_points


class ImportTable(StrEnum):
    """Tables a return can import besides cameras (``monitoring``: which room watches what)."""

    CONTROL_ROOMS = "control_rooms"
    LINKS = "links"
    CONTRACTS = "contracts"
    EVIDENCE_STATS = "evidence_stats"
    COST_ITEMS = "cost_items"
    MONITORING = "monitoring"


#: Importable non-camera tables, in dependency order.
IMPORT_TABLES: tuple[str, ...] = tuple(t.value for t in ImportTable)


class MonitoringAssignment(Entity):
    """Which control room watches a camera (imported into the camera's ``control_room_id``)."""

    camera_id: str = attr("Camera watched", min_length=1)
    control_room_id: str = attr("Control room that watches the camera", min_length=1)
    monitored_hours_per_day: float | None = attr(
        "Hours per day the room actively watches the camera", "h/day", ge=0, le=24, default=None
    )


TABLE_ENTITIES: dict[str, type[Entity]] = {
    "control_rooms": ControlRoom,
    "links": Link,
    "contracts": Contract,
    "evidence_stats": EvidenceStats,
    "cost_items": CostItem,
    "monitoring": MonitoringAssignment,
}
"""Import table -> entity each row validates as."""


@dataclass(frozen=True)
class TableImport:
    """The outcome of a table import.

    Attributes
    ----------
    table
        The table imported (one of :data:`IMPORT_TABLES`).
    records
        The canonical table of the records (control rooms with Point geometry in
        EPSG:27700; monitoring: ``camera_id``, ``control_room_id``,
        ``monitored_hours_per_day``); empty when any finding is an error.
    findings
        Every error and warning, file-level ones first, then by row.
    source_name
        Name of the source (recorded as ``source`` where the entity has one).
    """

    table: str
    records: pd.DataFrame
    findings: tuple[Finding, ...]
    source_name: str

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings of severity ``error`` (any one refuses the import)."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings of severity ``warning``."""
        return tuple(f for f in self.findings if f.severity == "warning")

    def raise_for_errors(self) -> None:
        """Raise :class:`~cctvscope.errors.InputError` carrying all findings if any is an error."""
        errors = self.errors
        if errors:
            rows = len({f.row for f in errors if f.row is not None})
            where = f" in {rows} row{'s' if rows != 1 else ''}" if rows else ""
            plural = "s" if len(errors) != 1 else ""
            raise InputError(
                f"{self.source_name}: {len(errors)} error{plural}{where}; nothing imported",
                self.findings,
            )

    def summary(self) -> str:
        """One line: records read, errors and warnings."""
        return (
            f"{self.source_name}: {len(self.records)} {self.table}, {len(self.errors)} errors, "
            f"{len(self.warnings)} warnings"
        )


@dataclass
class _Context:
    """What every row of one import shares."""

    table: str
    entity: type[Entity]
    index: BoroughIndex
    columns: dict[str, str]
    consts: dict[str, Any]
    const_texts: dict[str, str]
    value_maps: Mapping[str, Mapping[str, str]]
    provenance: Provenance
    source_name: str
    const_errors: dict[tuple[str, str], str] = field(default_factory=dict)


def read_table_file(
    path: str | Path,
    table: str,
    *,
    boroughs: gpd.GeoDataFrame,
    field_map: Mapping[str, str] | None = None,
    constants: Mapping[str, str] | None = None,
    value_maps: Mapping[str, Mapping[str, str]] | None = None,
    fmt: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    provenance: Provenance = Provenance.IMPORTED,
    source_name: str | None = None,
) -> TableImport:
    """Read and validate one non-camera table from a file (CSV, GeoJSON or ``.xlsx``).

    Parameters
    ----------
    path
        The file; its format comes from the extension unless ``fmt`` is given.
    table
        One of :data:`IMPORT_TABLES`.
    boroughs
        Borough table (``gss_code``, ``name``; polygons in EPSG:27700 for control rooms).
    field_map
        FIELD -> source column (``--map``), overriding the column aliases.
    constants
        FIELD -> value for every row (``--set``); ``borough`` takes a code or name.
    value_maps
        FIELD -> {cell text (lower case) -> replacement} applied before parsing.
    fmt, encoding
        Format and text encoding overrides (default: by extension; strict UTF-8).
    sheet
        Workbook sheet (default: the table's name).
    provenance, source_name
        Recorded on every record that has them (``source`` defaults to the file name).

    Returns
    -------
    TableImport
        Records and every finding; nothing is raised for bad data.

    Raises
    ------
    InputError
        For a ``table`` that is not importable (a caller's mistake, not the file's).
    """
    check_table(table)
    # The sheet only matters to a workbook: read_source ignores it for other formats.
    raw = read_source(path, fmt=fmt, encoding=encoding, sheet=sheet or table)
    return import_raw_table(
        raw,
        table,
        boroughs=boroughs,
        field_map=field_map,
        constants=constants,
        value_maps=value_maps,
        provenance=provenance,
        source_name=source_name or Path(path).name,
    )


def check_table(table: str) -> None:
    """Raise :class:`~cctvscope.errors.InputError` unless ``table`` is importable."""
    if table not in IMPORT_TABLES:
        reason = f"unknown table {table!r}; tables are {', '.join(IMPORT_TABLES)}"
        raise InputError(reason, [Finding("error", None, "table", table, reason)])


def import_raw_table(
    raw: RawTable,
    table: str,
    *,
    boroughs: gpd.GeoDataFrame,
    field_map: Mapping[str, str] | None = None,
    constants: Mapping[str, str] | None = None,
    value_maps: Mapping[str, Mapping[str, str]] | None = None,
    provenance: Provenance = Provenance.IMPORTED,
    source_name: str = "(table)",
) -> TableImport:
    """Validate a raw table (read by :mod:`~cctvscope.ingest.sources`) as ``table``.

    See :func:`read_table_file` for the parameters and the result.
    """
    check_table(table)
    findings = list(raw.findings)
    entity = TABLE_ENTITIES[table]
    if raw.failed:
        return _result(table, [], findings, source_name)
    if raw.frame.empty:
        if not any(f.row for f in findings):
            findings.append(Finding("error", None, None, None, "no data rows: only a header"))
        return _result(table, [], findings, source_name)
    if len(raw.frame) > MAX_ROWS:
        reason = f"{len(raw.frame):,} data rows; at most {MAX_ROWS:,} are read in one import"
        findings.append(Finding("error", None, None, None, reason))
        return _result(table, [], findings, source_name)
    index = BoroughIndex.of(boroughs)
    columns, found = resolve_columns(raw, table, field_map or {})
    findings += found
    consts, found = check_constants(table, entity, constants or {}, columns, index)
    findings += found
    maps, found = check_value_maps(table, value_maps or {})
    findings += found
    findings += missing_columns(raw, table, entity, columns, consts)
    if any(f.severity == "error" and f.row is None for f in findings):
        return _result(table, [], findings, source_name)
    const_texts = {
        canonical: str(value).strip()
        for name, value in (constants or {}).items()
        if (canonical := canonical_field(table, name))
    }
    context = _Context(
        table, entity, index, columns, consts, const_texts, maps, provenance, source_name
    )
    records = _import_rows(raw, context, boroughs, findings)
    for (name, value), reason in context.const_errors.items():
        findings.append(Finding("error", None, name, value, f"--set {name}: {reason}"))
    return _result(table, records, findings, source_name)


def _import_rows(
    raw: RawTable, context: _Context, boroughs: gpd.GeoDataFrame, findings: list[Finding]
) -> list[Entity]:
    """Validate every row; findings go to ``findings``, the valid records are returned."""
    frame = raw.frame
    points = (
        _room_points(frame, context.columns, boroughs) if context.table == "control_rooms" else None
    )
    if points is not None:
        findings += points.findings
    cells = {f: [normalise_text(str(v)) for v in frame[c]] for f, c in context.columns.items()}
    first_row: dict[tuple[Any, ...], int] = {}
    records: list[Entity] = []
    for i, row in enumerate(int(r) for r in frame.index):
        out: list[Finding] = []
        data, texts = _row_values(i, row, cells, context, out)
        out += id_findings(row, data, texts)
        if points is not None:
            _place_room(i, row, points, data, texts, context.index, out)
        _check_key(row, context.table, data, texts, first_row, out)
        _check_dates(row, data, texts, out)
        record = _validate(row, data, texts, context, out)
        if record is not None and not any(f.severity == "error" for f in out):
            records.append(record)
        findings += out
    return records


def _row_values(
    i: int, row: int, cells: Mapping[str, list[str]], context: _Context, out: list[Finding]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parsed values and cell texts of one row by import field (errors go to ``out``)."""
    data: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for name in import_fields(context.table):
        if name in LOCATION_FIELDS:
            continue
        if name in context.consts:
            data[name] = context.consts[name]
            continue
        text = cells[name][i] if name in cells else ""
        mapped = map_cell(context.value_maps, name, text).strip()
        if not mapped:
            continue
        texts[name] = text
        value, problem = parse_table_cell(context.entity, name, mapped)
        if problem is None:
            value, problem = resolve_boroughs(name, value, context.index)
        if problem:
            out.append(Finding("error", row, name, text, problem))
        else:
            data[name] = value
    return data, texts


def _check_key(
    row: int,
    table: str,
    data: Mapping[str, Any],
    texts: Mapping[str, str],
    first_row: dict[tuple[Any, ...], int],
    out: list[Finding],
) -> None:
    """An error when the row's key repeats an earlier row's."""
    names = KEY_FIELDS[table]
    if not all(n in data for n in names):
        return
    # Ids differing only by case or invisible characters are one id.
    key = tuple(id_key(v) if isinstance(v, str) else v for v in (data[n] for n in names))
    if key not in first_row:
        first_row[key] = row
        return
    what = "id" if len(names) == 1 else " and ".join(names)
    reason = f"duplicate {what}: first used on row {first_row[key]}"
    value = " / ".join(texts.get(n, str(data[n])) for n in names)
    out.append(Finding("error", row, names[0], value, reason))


def _check_dates(
    row: int, data: Mapping[str, Any], texts: Mapping[str, str], out: list[Finding]
) -> None:
    """A contract must end after it starts (checked here so the finding names the cells)."""
    start, end = data.get("start_date"), data.get("end_date")
    if start is not None and end is not None and end <= start:
        reason = f"end_date {end.isoformat()} is not after start_date {start.isoformat()}"
        out.append(Finding("error", row, "end_date", texts.get("end_date"), reason))


def _validate(
    row: int,
    data: Mapping[str, Any],
    texts: Mapping[str, str],
    context: _Context,
    out: list[Finding],
) -> Entity | None:
    """The row as an entity, or None; pydantic errors become findings on their import field."""
    entity = context.entity
    values = {entity_field(k): v for k, v in data.items()}
    if "provenance" in entity.model_fields:
        values["provenance"] = context.provenance
    if "source" in entity.model_fields and "source" not in values:
        values["source"] = context.source_name
    skip = {f.field for f in out if f.severity == "error"}
    try:
        return entity.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            target = str(err["loc"][0]) if err["loc"] else ""
            name = "borough" if target == "borough_code" else target
            if name in skip or target in ("x_m", "y_m") or (not target and skip):
                continue
            if target:
                reason = error_reason(entity, target, err)
            else:
                reason = str(err["msg"]).removeprefix("Value error, ")
            if name in context.consts:
                context.const_errors[(name, context.const_texts.get(name, ""))] = reason
            else:
                out.append(Finding("error", row, name or None, texts.get(name), reason))
    return None


@dataclass(frozen=True)
class _Points:
    """Control room locations [m, EPSG:27700] and their boroughs (None outside every one)."""

    x_m: np.ndarray
    y_m: np.ndarray
    borough: list[str | None]
    bad_rows: set[int]
    findings: list[Finding]


def _room_points(
    frame: pd.DataFrame, columns: Mapping[str, str], boroughs: gpd.GeoDataFrame
) -> _Points:
    """Read every room's location; a room may lie outside the region, not outside Britain."""
    out: list[Finding] = []
    rows = [int(r) for r in frame.index]
    get = {f: _coordinates(frame, columns.get(f), f, out) for f in LOCATION_FIELDS}
    lon, lat, east, north = get["lon"], get["lat"], get["easting"], get["northing"]
    if "x" in columns and "y" in columns:
        if looks_like_wgs84(get["x"], get["y"]):
            lon, lat = (
                np.where(np.isnan(lon), get["x"], lon),
                np.where(np.isnan(lat), get["y"], lat),
            )
        else:
            east = np.where(np.isnan(east), get["x"], east)
            north = np.where(np.isnan(north), get["y"], north)
    has_ll = ~np.isnan(lon) & ~np.isnan(lat)
    has_en = ~np.isnan(east) & ~np.isnan(north)
    x_m, y_m = east.copy(), north.copy()
    use_ll = has_ll & ~has_en & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if use_ll.any():
        x_m[use_ll], y_m[use_ll] = wgs84_to_bng(lon[use_ll], lat[use_ll])
    x0, y0, x1, y1 = BNG_BOUNDS_M
    bad_rows = {f.row for f in out if f.row is not None}
    for i, row in enumerate(rows):
        if row in bad_rows:
            continue
        if not has_ll[i] and not has_en[i]:
            reason = "no location: give lon/lat or easting/northing (both of a pair)"
            out.append(Finding("error", row, "coordinates", None, reason))
        elif not (x0 <= x_m[i] <= x1 and y0 <= y_m[i] <= y1):
            value = f"{lon[i]:g}, {lat[i]:g}" if has_ll[i] and not has_en[i] else None
            value = value or f"{east[i]:g}, {north[i]:g}"
            reason = "not a location in Great Britain (lon/lat in degrees or BNG metres)"
            out.append(Finding("error", row, "coordinates", value, reason))
        else:
            continue
        bad_rows.add(row)
    ok = np.array([r not in bad_rows for r in rows], dtype=bool)
    x_m, y_m = np.where(ok, x_m, np.nan), np.where(ok, y_m, np.nan)
    codes, _ = point_boroughs(x_m, y_m, boroughs)
    return _Points(x_m, y_m, codes, {r for r in bad_rows if r is not None}, out)


def _coordinates(
    frame: pd.DataFrame, column: str | None, name: str, out: list[Finding]
) -> np.ndarray:
    values = np.full(len(frame), np.nan)
    if column is None:
        return values
    for i, (row, text) in enumerate(zip(frame.index, frame[column], strict=True)):
        if str(text).strip():
            value, problem = parse_table_cell(ControlRoom, name, str(text))
            if problem:
                out.append(Finding("error", int(row), name, str(text), problem))
            else:
                values[i] = value
    return values


def _place_room(
    i: int,
    row: int,
    points: _Points,
    data: dict[str, Any],
    texts: Mapping[str, str],
    index: BoroughIndex,
    out: list[Finding],
) -> None:
    """Set a room's x/y and borough: the point decides; a stated borough elsewhere is warned."""
    if row in points.bad_rows:
        return
    data["x_m"], data["y_m"] = float(points.x_m[i]), float(points.y_m[i])
    code = points.borough[i]
    stated = data.get("borough")
    if stated is not None and stated != code:
        where = index.names[code] if code else "outside every borough"
        reason = f"stated borough {index.names[stated]} but the point lies {where}"
        reason += f"; {index.names[code]} used" if code else "; no borough recorded"
        out.append(Finding("warning", row, "borough", texts.get("borough"), reason))
    data["borough"] = code


def _result(table: str, records: list[Entity], findings: list[Finding], name: str) -> TableImport:
    entity = TABLE_ENTITIES[table]
    points = table == "control_rooms"
    if records and not any(f.severity == "error" for f in findings):
        frame = records_to_frame(entity, records)
        frame = with_points(frame) if points else frame
    else:
        frame = empty_frame(entity, points=points)
    ordered = sorted(findings, key=lambda f: (f.row is not None, f.row or 0))
    return TableImport(
        table=table, records=frame, findings=tuple(cap_findings(ordered)), source_name=name
    )


__all__ = [
    "IMPORT_TABLES",
    "MAX_ROWS",
    "TABLE_ENTITIES",
    "ImportTable",
    "MonitoringAssignment",
    "TableImport",
    "check_table",
    "import_raw_table",
    "read_table_file",
]
