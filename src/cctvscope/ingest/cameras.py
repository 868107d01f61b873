"""Validated import of camera inventories (CSV, GeoJSON, OSM XML, survey workbook).

:func:`read_cameras_file` reads a file into the canonical estate camera table and
reports *every* problem at once as row-located :class:`~cctvscope.errors.Finding`
objects. Only an id and a location are required: other attributes left out are
filled from the ``camera_defaults`` section of the assumptions file, named in the
camera's ``defaulted_fields`` and warned once per row and field. Pure functions: no
database, settings or console.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from cctvscope.errors import Finding, InputError
from cctvscope.ingest.camera_columns import CameraColumns, return_freed_memory
from cctvscope.ingest.camera_fields import (
    ALIAS_INDEX,
    ALIASES,
    IMPORT_FIELDS,
    LOCATION_FIELDS,
    NOT_CONSTANT,
    field_kind,
    find_column,
    normalise_header,
)
from cctvscope.ingest.camera_options import (
    ID_FROM_COLUMN,
    CameraImportOptions,
    RowContext,
    catalogue_resolver,
    compose_ids,
    unique_with,
)
from cctvscope.ingest.camera_rows import VALUE_FIELDS, camera_defaults, row_values
from cctvscope.ingest.limits import cap_findings
from cctvscope.ingest.locate import BoroughIndex, locate
from cctvscope.ingest.sources import RawTable, read_source
from cctvscope.ingest.table_fields import range_text as entity_range_text
from cctvscope.ingest.values import (
    first_use_rows,
    id_findings,
    id_key,
    id_problem,
    normalise_text,
)
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.entities import Camera
from cctvscope.model.enums import Provenance
from cctvscope.model.frames import empty_frame, with_points

PLACEHOLDER = {"x_m": 0.0, "y_m": 0.0, "borough_code": "E09000000"}
#: Validated records converted to a table at a time [rows].
CHUNK_ROWS = 5_000


@dataclass(frozen=True)
class CameraImport:
    """The outcome of a camera import.

    Attributes
    ----------
    cameras
        Canonical estate camera table (EPSG:27700) of the rows that validated, with
        Point geometry unless the import was asked for a lean table (``lean``).
    findings
        Every error and warning, file-level ones first, then by row.
    defaulted_counts
        Field -> number of rows whose value came from the assumptions file.
    source_name
        Name recorded as each camera's ``source``.
    """

    cameras: gpd.GeoDataFrame
    findings: tuple[Finding, ...]
    defaulted_counts: dict[str, int]
    source_name: str

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings of severity ``error`` (any one refuses the import)."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings of severity ``warning`` (stored with the estate)."""
        return tuple(f for f in self.findings if f.severity == "warning")

    def raise_for_errors(self) -> None:
        """Raise :class:`~cctvscope.errors.InputError` carrying all findings if any is an error."""
        errors = self.errors
        if errors:
            rows = len({f.row for f in errors if f.row is not None})
            where = f" in {rows} row{'s' if rows != 1 else ''}" if rows else ""
            raise InputError(
                f"{self.source_name}: {len(errors)} error{'s' if len(errors) != 1 else ''}"
                f"{where}; nothing imported",
                self.findings,
            )

    def summary(self) -> str:
        """One line: cameras read, errors, warnings, and defaulted fields by count."""
        text = (
            f"{self.source_name}: {len(self.cameras)} cameras, {len(self.errors)} errors, "
            f"{len(self.warnings)} warnings"
        )
        if self.defaulted_counts:
            parts = ", ".join(f"{f} {n}" for f, n in self.defaulted_counts.items())
            text += f"; defaulted from assumptions: {parts}"
        return text


def canonical_field(name: str) -> str | None:
    """The import field a user's FIELD name means (field names and aliases), or None."""
    key = normalise_header(name)
    if key == "borough_code":
        return "borough"
    if key in IMPORT_FIELDS:
        return key
    return ALIAS_INDEX.get(key)


def parse_assignments(items: Sequence[str], *, option: str = "--set") -> dict[str, str]:
    """Parse ``FIELD=VALUE`` items (``--map`` and ``--set``) into {field: value}.

    Raises
    ------
    InputError
        For an item without ``=``, an empty side, an unknown FIELD (the message
        lists the valid ones) or a FIELD given twice; all problems at once.
    """
    out: dict[str, str] = {}
    problems: list[Finding] = []
    valid = ", ".join(IMPORT_FIELDS)
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        field = canonical_field(name) if name else None
        if not sep or not name or not value:
            reason = f"{option} expects FIELD=VALUE with both sides given"
            problems.append(Finding("error", None, name or None, item, reason))
        elif field is None:
            reason = f"{option}: unknown field {name!r}; fields are {valid}"
            problems.append(Finding("error", None, name, item, reason))
        elif field in out:
            problems.append(Finding("error", None, field, item, f"{option}: {field} given twice"))
        else:
            out[field] = value
    if problems:
        raise InputError(f"{option}: {len(problems)} bad item(s)", problems)
    return out


def read_cameras_file(
    path: str | Path,
    *,
    boroughs: gpd.GeoDataFrame,
    assumptions: Assumptions,
    field_map: Mapping[str, str] | None = None,
    constants: Mapping[str, str] | None = None,
    existing_ids: Collection[str] = (),
    fmt: str | None = None,
    encoding: str | None = None,
    provenance: Provenance = Provenance.IMPORTED,
    source_name: str | None = None,
    options: CameraImportOptions | None = None,
    lean: bool = False,
) -> CameraImport:
    """Read and validate a camera file (CSV, GeoJSON, OSM XML or survey ``.xlsx``).

    Parameters
    ----------
    path
        The file; its format comes from the extension unless ``fmt`` is given.
    boroughs
        Borough table (``gss_code``, ``name``, polygons in EPSG:27700).
    assumptions
        Assumptions whose ``camera_defaults`` section fills missing attributes.
    field_map
        FIELD -> source column (``--map``), overriding the column aliases.
    constants
        FIELD -> value for every row (``--set``); ``borough`` takes a code or name.
    existing_ids
        Camera ids already in the estate (a repeat is an error).
    fmt, encoding
        Format and text encoding overrides (default: by extension; strict UTF-8).
    provenance, source_name
        Recorded on every camera (``source`` defaults to the file name).
    options
        Value maps, ids composed from columns, the camera-model catalogue and the
        workbook sheet (see :class:`CameraImportOptions`).
    lean
        A table made to be saved (the estate import): no Point geometry (the store
        builds points from ``x_m``/``y_m`` batch by batch: a million shapely points
        are some 200 MiB), and a column of one value on every row is a read-only view
        of one cell (see :mod:`~cctvscope.ingest.camera_columns`); pandas refuses to
        change such a column in place.

    Returns
    -------
    CameraImport
        Cameras that validated and every finding; nothing is raised for bad data.
    """
    options = options or CameraImportOptions()
    # Passed on, not kept here: import_table lets the raw cells go once they are read.
    return import_table(
        read_source(path, fmt=fmt, encoding=encoding, sheet=options.sheet),
        boroughs=boroughs,
        assumptions=assumptions,
        field_map=field_map or {},
        constants=constants or {},
        existing_ids=existing_ids,
        provenance=provenance,
        source_name=source_name or Path(path).name,
        options=options,
        lean=lean,
    )


def import_table(
    raw: RawTable,
    *,
    boroughs: gpd.GeoDataFrame,
    assumptions: Assumptions,
    field_map: Mapping[str, str],
    constants: Mapping[str, str],
    existing_ids: Collection[str],
    provenance: Provenance,
    source_name: str,
    options: CameraImportOptions | None = None,
    lean: bool = False,
) -> CameraImport:
    """Validate a :class:`~cctvscope.ingest.sources.RawTable` (see :func:`read_cameras_file`)."""
    options = options or CameraImportOptions()
    findings = list(raw.findings)
    index = BoroughIndex.of(boroughs)
    columns: dict[str, str] = {}
    consts: dict[str, str] = {}
    if not raw.failed and raw.frame.empty:
        if not any(f.row for f in findings):
            findings.append(Finding("error", None, None, None, "no data rows: only a header"))
        return _result(None, findings, {}, source_name, lean)
    if not raw.failed:
        raw, found = compose_ids(raw, options.id_from)
        findings += found
        if options.id_from and not found:
            field_map = {**field_map, "camera_id": ID_FROM_COLUMN}
        columns, found = resolve_columns(raw, field_map)
        if options.id_from:  # the id columns were named on purpose: no noise about them
            found = _quiet_id_columns(found, options.id_from)
        findings += found
        consts, found = check_constants(constants, columns, index)
        findings += found
    if any(f.severity == "error" and f.row is None for f in findings):
        return _result(None, findings, {}, source_name, lean)
    frame = raw.frame
    located = locate(
        frame,
        {f: c for f, c in columns.items() if f in LOCATION_FIELDS},
        boroughs,
        warn_generic=raw.fmt != "geojson",
    )
    findings += located.findings
    failed_rows = {f.row for f in located.findings if f.severity == "error"}
    defaults = camera_defaults(assumptions)
    values = {f: frame[c].tolist() for f, c in columns.items() if f in VALUE_FIELDS}
    ids = [normalise_text(str(v)) for v in frame[columns["camera_id"]]]
    fallback = raw.fallback_columns.get("camera_id")
    if fallback and fallback != columns["camera_id"]:
        ids = [v or normalise_text(str(f)) for v, f in zip(ids, frame[fallback], strict=True)]
    stated = frame[columns["borough"]].tolist() if "borough" in columns else None
    # Ids differing only by case or invisible characters are one id (id_key).
    existing = {id_key(e) for e in existing_ids}
    grouping = ("location_text", "borough")
    dup_hint = unique_with(
        frame,
        columns.get("camera_id"),
        ids,
        [c for f, c in columns.items() if f not in grouping and f != "camera_id"],
    )
    resolver = catalogue_resolver(options.catalogue)
    row_numbers = frame.index.to_numpy(dtype=np.int64)
    first_row = first_use_rows(ids, row_numbers.tolist())
    # The raw cells are let go here (what the rows need was taken above): a million
    # rows' cells and their validated table are then not held at once.
    del raw, frame
    return_freed_memory()
    records: list[Camera] = []
    # Validated records go into the table every CHUNK_ROWS rows: a million model
    # objects alive at once would take gigabytes; their columns take a fraction.
    table = CameraColumns(len(row_numbers))
    counts: Counter[str] = Counter()
    not_given: Counter[tuple[str, str]] = Counter()
    const_errors: dict[tuple[str, str], str] = {}
    for i in range(len(row_numbers)):
        # One row number at a time: a list of them all is a million int objects.
        row = int(row_numbers[i])
        out: list[Finding] = []
        skip: set[str] = set()
        cid = ids[i]
        if not cid:
            out.append(Finding("error", row, "camera_id", "", "camera_id is required"))
        elif bad_id := id_problem(cid):
            out.append(Finding("error", row, "camera_id", cid, bad_id))
        elif first_row[i]:
            reason = f"duplicate id: first used on row {first_row[i]}{dup_hint}"
            out.append(Finding("error", row, "camera_id", cid, reason))
        elif existing and id_key(cid) in existing:
            out.append(Finding("error", row, "camera_id", cid, "id already in the estate"))
        code = located.borough[i]
        if row in failed_rows or code is None:
            skip.update(PLACEHOLDER)
        text = consts.get("borough") or (str(stated[i]).strip() if stated is not None else "")
        claimed = _check_borough(row, text, code, index, out)
        data, texts, defaulted, catalogued = row_values(
            i, row, values, consts, defaults, out, RowContext(options.value_maps, resolver)
        )
        out += id_findings(row, data, texts)  # control_room_id (camera_id is checked above)
        if "operator" not in data:
            owner = str(data.get("owner_type", ""))
            where = code or claimed
            if owner == "council" and where:
                data["operator"] = index.operator(where)
                reason = f"not given; {data['operator']} (council camera in that borough)"
            else:
                data["operator"] = "unknown"
                reason = "not given; set to 'unknown' (use --set operator=NAME)"
            defaulted.append("operator")
            not_given[("operator", reason)] += 1
        data.update(
            camera_id=cid or "?",
            x_m=float(located.x_m[i]),
            y_m=float(located.y_m[i]),
            borough_code=code or "",
            provenance=provenance,
            source=source_name,
            defaulted_fields=tuple(defaulted),
            catalogue_fields=tuple(catalogued),
        )
        for name in skip:
            data[name] = PLACEHOLDER[name]
        skip.update(f.field for f in out if f.severity == "error" and f.field)
        try:
            camera = Camera.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                field = _error_field(err)
                if field in skip:
                    continue
                reason = error_reason(field, err)
                if field in consts:
                    const_errors[(field, consts[field])] = reason
                else:
                    out.append(Finding("error", row, field, texts.get(field), reason))
        else:
            if not any(f.severity == "error" for f in out) and row not in failed_rows:
                records.append(camera)
                counts.update(defaulted)
                if len(records) == CHUNK_ROWS:
                    table.add(records)
                    records.clear()
        not_given.update((f, defaults[f][1]) for f in defaulted if f in defaults)
        findings += out
    for (field, value), reason in const_errors.items():
        findings.append(Finding("error", None, field, value, f"--set {field}: {reason}"))
    findings += [
        Finding("warning", None, field, None, reason, count=n)
        for (field, reason), n in not_given.items()
    ]
    ordered = {f: counts[f] for f in ("operator", *VALUE_FIELDS) if counts[f]}
    table.add(records)
    del records, ids, values, stated, first_row, located
    return _result(table.frame(views=lean), findings, ordered, source_name, lean)


def _check_borough(
    row: int, text: str, code: str | None, index: BoroughIndex, out: list[Finding]
) -> str | None:
    """Resolve a stated borough; error if unknown, warning if the point lies elsewhere."""
    if not text:
        return None
    claimed = index.resolve(text)
    if claimed is None:
        reason = f"unknown borough {text!r}; nearest matches: {index.suggest(text)}"
        out.append(Finding("error", row, "borough", text, reason))
    elif code and claimed != code:
        reason = (
            f"stated borough {index.names[claimed]} but the point lies in "
            f"{index.names[code]}; {index.names[code]} used"
        )
        out.append(Finding("warning", row, "borough", text, reason))
    return claimed


def _quiet_id_columns(found: list[Finding], id_from: Sequence[str]) -> list[Finding]:
    """Drop warnings about the ``--id-from`` columns: they are used, not ignored."""
    out: list[Finding] = []
    prefix = "column(s) not recognised and ignored: "
    for f in found:
        if f.field == "camera_id" and f.severity == "warning":
            continue
        if f.field is None and prefix in f.reason:
            names = f.reason.split(prefix, 1)[1].split(", ")
            rest = [n for n in names if n not in id_from]
            if not rest:
                continue
            reason = f"{len(rest)} {prefix}{', '.join(rest)}"
            f = Finding(f.severity, f.row, f.field, f.value, reason)
        out.append(f)
    return out


def resolve_columns(
    raw: RawTable, field_map: Mapping[str, str]
) -> tuple[dict[str, str], list[Finding]]:
    """Import field -> source column: reader-fixed columns, then ``field_map``, then aliases."""
    found: list[Finding] = []
    present = [str(c) for c in raw.frame.columns]
    columns: dict[str, str] = {f: c for f, c in raw.fixed_columns.items() if c in present}
    for name, column in field_map.items():
        field = canonical_field(name)
        match = find_column(column, present)
        if field is None:
            reason = f"--map: unknown field {name!r}; fields are {', '.join(IMPORT_FIELDS)}"
            found.append(Finding("error", None, name, column, reason))
        elif match is None:
            reason = f"--map {field}={column}: no such column; columns are {', '.join(present)}"
            found.append(Finding("error", None, field, column, reason))
        else:
            columns[field] = match
    used = set(columns.values()) | set(raw.fallback_columns.values())
    candidates: dict[str, list[tuple[int, str]]] = {}
    unknown: list[str] = []
    for column in present:
        if column in used:
            continue
        key = normalise_header(column)
        field = ALIAS_INDEX.get(key) or (key if key in IMPORT_FIELDS else None)
        if field is None:
            unknown.append(column)
            continue
        candidates.setdefault(field, []).append((ALIASES[field].index(key), column))
    for field, cands in candidates.items():
        cands.sort()
        if field not in columns:
            columns[field] = cands[0][1]
            cands = cands[1:]
        for _, column in cands:
            reason = f"column {column!r} also means {field}; {columns[field]!r} used, it ignored"
            found.append(Finding("warning", None, field, column, reason))
    if unknown:
        reason = f"{len(unknown)} column(s) not recognised and ignored: {', '.join(unknown)}"
        found.append(Finding("warning", None, None, None, reason))
    listed = ", ".join(c for c in present if c not in used) or "(none)"
    if "camera_id" not in columns and "camera_id" in raw.fallback_columns:
        columns["camera_id"] = raw.fallback_columns["camera_id"]
    if "camera_id" not in columns:
        reason = (
            f"no id column: need one of {', '.join(ALIASES['camera_id'][:6])} "
            f"(or --map camera_id=COLUMN); columns found: {listed}"
        )
        found.append(Finding("error", None, "camera_id", None, reason))
    pairs = (("lon", "lat"), ("easting", "northing"), ("x", "y"))
    if not any(a in columns and b in columns for a, b in pairs):
        reason = (
            "no location columns: need lon and lat (WGS84) or easting and northing "
            f"(British National Grid); columns found: {listed}"
        )
        found.append(Finding("error", None, "coordinates", None, reason))
    return columns, found


def check_constants(
    constants: Mapping[str, str], columns: dict[str, str], index: BoroughIndex
) -> tuple[dict[str, str], list[Finding]]:
    """Validate ``--set`` names; resolve a borough; a set field overrides its column."""
    out: dict[str, str] = {}
    found: list[Finding] = []
    for name, value in constants.items():
        field = canonical_field(name)
        text = str(value).strip()
        if field is None:
            reason = f"--set: unknown field {name!r}; fields are {', '.join(IMPORT_FIELDS)}"
            found.append(Finding("error", None, name, text, reason))
            continue
        if field in NOT_CONSTANT:
            reason = f"--set: {field} differs per camera and cannot be set for all rows"
            found.append(Finding("error", None, field, text, reason))
            continue
        if field == "borough":
            code = index.resolve(text)
            if code is None:
                reason = f"unknown borough {text!r}; nearest matches: {index.suggest(text)}"
                found.append(Finding("error", None, "borough", text, reason))
                continue
            text = code
        if field in columns:
            reason = f"column {columns.pop(field)!r} ignored: --set {field} given"
            found.append(Finding("warning", None, field, text, reason))
        out[field] = text
    return out, found


def _error_field(err: ErrorDetails) -> str:
    loc = err["loc"]
    if loc:
        return str(loc[0])
    msg = err["msg"]
    if "ptz_max_zoom" in msg:
        return "ptz_max_zoom"
    return "onvif_profiles" if "ONVIF" in msg else "camera"


def range_text(field: str) -> str:
    """The allowed range of a numeric Camera field with its unit, e.g. ``> 0 and ≤ 360 °``."""
    return entity_range_text(Camera, field)


def error_reason(field: str, err: ErrorDetails) -> str:
    """A readable reason for one pydantic error on ``field``."""
    kind = err["type"]
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"out of range: {field} must be {range_text(field)}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        what = field_kind(field) if field in IMPORT_FIELDS else "float"
        if what == "heading":
            return "not a number of degrees or a compass direction (N, NE, ...)"
        return "not a whole number" if what == "int" else "not a number"
    if kind in ("bool_parsing", "bool_type"):
        return "not yes/no (accepted: yes, no, true, false, y, n, 1, 0)"
    if kind == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        return f"not an allowed value; allowed: {expected.replace(' or ', ', ')}"
    if kind == "string_too_short":
        return f"{field} is required"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def _result(
    table: pd.DataFrame | None,
    findings: list[Finding],
    counts: dict[str, int],
    name: str,
    lean: bool,
) -> CameraImport:
    if table is None or table.empty:
        frame = empty_frame(Camera, points=not lean)
    else:
        frame = table if lean else with_points(table, copy=False)
    ordered = sorted(findings, key=lambda f: (f.row is not None, f.row or 0))
    return CameraImport(
        cameras=frame,
        findings=tuple(cap_findings(ordered)),
        defaulted_counts=counts,
        source_name=name,
    )


__all__ = [
    "CameraImport",
    "canonical_field",
    "import_table",
    "parse_assignments",
    "read_cameras_file",
]
