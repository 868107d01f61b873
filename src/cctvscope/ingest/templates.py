"""The borough return template: one workbook with a sheet per estate table, importable as filled.

Sheet ``cameras`` is the survey template's sheet (:mod:`cctvscope.ingest.survey`);
``control_rooms``, ``links``, ``contracts``, ``evidence_stats``, ``cost_items`` and
``monitoring`` have one column per import field of :mod:`cctvscope.ingest.tables`.
Every data sheet has a bold frozen header, drop-down lists for enumerated fields
and no example row, so a filled return imports without edits (each sheet through
its own importer, which reads the sheet of its table's name). Sheet ``guidance``
lists every table × column with description, type, unit, whether it is required,
allowed values, the default taken when blank and an example.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cctvscope.errors import InputError
from cctvscope.ingest import camera_fields
from cctvscope.ingest.survey import TEMPLATE_COLUMNS, guidance_rows
from cctvscope.ingest.table_fields import (
    entity_field,
    enum_values,
    field_kind,
    field_unit,
    template_fields,
)
from cctvscope.ingest.tables import IMPORT_TABLES, TABLE_ENTITIES
from cctvscope.ingest.values import DATE_FORMS
from cctvscope.model.assumptions import Assumptions, read_assumptions
from cctvscope.model.entities import Camera

#: Tables of the return, in sheet order.
RETURN_TABLES: tuple[str, ...] = ("cameras", *IMPORT_TABLES)
GUIDANCE_SHEET = "guidance"
GUIDANCE_HEADER = (
    "table",
    "column",
    "description",
    "type",
    "unit",
    "required",
    "allowed values",
    "default if blank",
    "default source",
    "example",
)
#: Rows that carry drop-down validation (the sheet's capacity, not a limit on imports).
DROPDOWN_ROWS = 5000

_TYPES = {
    "str": "text",
    "enum": "choice",
    "int": "whole number",
    "float": "number",
    "location": "number",
    "money": "money (£)",
    "share": "share",
    "date": "date",
    "borough": "borough",
    "boroughs": "list of boroughs",
}
_PSEUDO: dict[str, tuple[str, str]] = {
    # column: (description, unit)
    "lon": ("Longitude, WGS84 (give lon/lat or easting/northing)", "°"),
    "lat": ("Latitude, WGS84", "°"),
    "easting": ("Easting, British National Grid EPSG:27700", "m"),
    "northing": ("Northing, British National Grid EPSG:27700", "m"),
}
_EXAMPLES: dict[str, dict[str, str]] = {
    "control_rooms": {
        "room_id": "HAC-CR1", "name": "Hackney CCTV control room", "operator_kind": "council",
        "operator": "Hackney Council", "borough": "Hackney", "served_boroughs": "Hackney;Islington",
        "lon": "-0.0553", "lat": "51.5450", "easting": "534950", "northing": "184690",
        "operator_positions": "4", "hours_per_day": "24", "days_per_week": "7",
        "staff_fte": "12.5", "screens_per_operator": "6", "vms": "Genetec Security Center",
    },
    "links": {
        "link_id": "HAC-L0001", "camera_id": "HAC-0001", "control_room_id": "HAC-CR1",
        "link_type": "fibre", "bandwidth_mbps": "100 (or 1 Gbps)", "length_km": "2.4",
        "annual_cost_gbp": "£1,200",
    },
    "contracts": {
        "contract_id": "HAC-C01", "borough": "E09000012 (or Hackney)", "category": "maintenance",
        "supplier": "Acme Security Ltd", "annual_value_gbp": "£12,500",
        "start_date": "01/04/2024", "end_date": "31/03/2027",
    },
    "evidence_stats": {
        "borough": "Hackney", "year": "2023", "requests_per_year": "1850",
        "footage_available_share": "62% (or 0.62)", "retrieval_model": "digital_transfer",
        "turnaround_days": "3",
    },
    "cost_items": {
        "profile": "hackney", "item": "camera_maintenance", "value_gbp": "£450",
        "per": "camera-year", "price_base_year": "2024", "source": "2024/25 maintenance contract",
    },
    "monitoring": {
        "camera_id": "HAC-0001", "control_room_id": "HAC-CR1", "monitored_hours_per_day": "24",
    },
}  # fmt: skip
_ALLOWED = {
    "money": "an amount in pounds: 12500, £12,500, £12.5k",
    "share": "0 to 1, or a percentage (62%)",
    "date": DATE_FORMS,
    "borough": "an area code of the estate's region (London: E09000001-E09000033) or its name",
    "boroughs": "borough codes or names, separated with ;",
}


def table_columns(table: str) -> tuple[str, ...]:
    """The template columns of one table of the return."""
    return TEMPLATE_COLUMNS if table == "cameras" else template_fields(table)


def table_guidance(table: str, assumptions: Assumptions) -> list[tuple[str, ...]]:
    """Guidance rows (see :data:`GUIDANCE_HEADER`) for every column of ``table``."""
    if table == "cameras":
        return [("cameras", *row) for row in guidance_rows(assumptions)]
    return [_guidance_row(table, column) for column in table_columns(table)]


def _guidance_row(table: str, column: str) -> tuple[str, ...]:
    entity = TABLE_ENTITIES[table]
    kind = field_kind(entity, column)
    name = entity_field(column)
    if column in _PSEUDO:
        description, unit = _PSEUDO[column]
        required, default, source = "location", "", ""
    else:
        info = entity.model_fields[name]
        description, unit = info.description or "", field_unit(entity, name)
        required = "yes" if info.is_required() else "no"
        default, source = _default_text(info.default), "entity default"
        if column == "source":
            required, default, source = "no", "the file name", "import rule"
        elif column == "borough" and table == "control_rooms":
            description += "; checked against the location (the location decides)"
            default, source = "the borough containing the location", "import rule"
        if required == "yes":
            default, source = "", ""
    allowed = ", ".join(enum_values(entity, name)) if kind == "enum" else _ALLOWED.get(kind, "")
    example = _EXAMPLES[table].get(column, "")
    return (table, column, description, _TYPES[kind], unit, required, allowed, default, source,
            example)  # fmt: skip


def _default_text(value: Any) -> str:
    if value in (None, (), ""):
        return "(none)"
    return str(value)


def write_return_template(
    path: str | Path,
    *,
    tables: Sequence[str] | None = None,
    assumptions: Assumptions | None = None,
) -> Path:
    """Write the borough return template to ``path``.

    ``.xlsx``: one workbook with a sheet per table (all of :data:`RETURN_TABLES`
    unless ``tables`` names some) and the ``guidance`` sheet. ``.csv``: the header
    row of exactly one table.

    Raises
    ------
    InputError
        For an unknown table, a ``.csv`` without exactly one table, or another extension.
    """
    path = Path(path)
    chosen = _chosen_tables(tables)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if tables is None or len(chosen) != 1:
            raise InputError(
                "a .csv return template holds one table: name exactly one "
                f"(tables are {', '.join(RETURN_TABLES)}), or write .xlsx for all"
            )
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerow(table_columns(chosen[0]))
        return path
    if suffix != ".xlsx":
        raise InputError(f"return template must be .xlsx or .csv, not {path.suffix or '(none)'!r}")
    assumptions = assumptions or read_assumptions()
    book = Workbook()
    first = book.active
    assert first is not None  # a new workbook always has one sheet
    book.remove(first)
    for table in chosen:
        _data_sheet(book.create_sheet(table), table)
    _guidance_sheet(book.create_sheet(GUIDANCE_SHEET), chosen, assumptions)
    book.save(path)
    return path


def _chosen_tables(tables: Sequence[str] | None) -> tuple[str, ...]:
    if tables is None:
        return RETURN_TABLES
    unknown = [t for t in tables if t not in RETURN_TABLES]
    if unknown:
        raise InputError(
            f"unknown table(s) {', '.join(map(repr, unknown))}; "
            f"tables are {', '.join(RETURN_TABLES)}"
        )
    if not tables:
        raise InputError(f"no tables named; tables are {', '.join(RETURN_TABLES)}")
    return tuple(t for t in RETURN_TABLES if t in tables)


def _data_sheet(sheet: Worksheet, table: str) -> None:
    """Header row (bold, frozen) and drop-downs of one table's sheet."""
    columns = table_columns(table)
    sheet.append(list(columns))
    bold = Font(bold=True)
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        sheet.cell(row=1, column=i).font = bold
        sheet.column_dimensions[letter].width = max(12, len(column) + 3)
        allowed = dropdown(table, column)
        if allowed:
            dv = DataValidation(type="list", formula1=f'"{",".join(allowed)}"', allow_blank=True)
            dv.error = f"{column}: choose one of {', '.join(allowed)}"
            dv.add(f"{letter}2:{letter}{DROPDOWN_ROWS}")
            sheet.add_data_validation(dv)
    sheet.freeze_panes = "B2"


def dropdown(table: str, column: str) -> list[str]:
    """Values of a column's drop-down list ([] when the column has none)."""
    if table == "cameras":
        if column not in Camera.model_fields:
            return []
        kind = camera_fields.field_kind(column)
        if kind == "bool":
            return ["yes", "no"]
        return camera_fields.enum_values(column) if kind == "enum" else []
    entity = TABLE_ENTITIES[table]
    if field_kind(entity, column) != "enum":
        return []
    return enum_values(entity, entity_field(column))


def _guidance_sheet(sheet: Worksheet, tables: Sequence[str], assumptions: Assumptions) -> None:
    sheet.append(list(GUIDANCE_HEADER))
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for table in tables:
        for row in table_guidance(table, assumptions):
            sheet.append(list(row))
    widths = (16, 22, 60, 14, 10, 10, 40, 24, 40, 28)
    for i, width in enumerate(widths, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = width
        for cell in sheet[letter]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"


__all__ = [
    "GUIDANCE_HEADER",
    "RETURN_TABLES",
    "dropdown",
    "table_columns",
    "table_guidance",
    "write_return_template",
]
