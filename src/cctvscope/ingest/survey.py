"""The borough survey template: a workbook (or CSV header) that imports as it stands.

Sheet ``cameras`` has one column per import field (ids and location first), a bold
frozen header and drop-down lists for enumerated and yes/no fields; it has no
example row (examples are on the guidance sheet), so a filled template imports
without edits. Sheet ``guidance`` lists every column with its type, unit, whether
it is required, allowed values, and the default taken from the assumptions file
with that default's source.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cctvscope.errors import InputError
from cctvscope.ingest.camera_fields import ATTRIBUTE_FIELDS, enum_values, field_kind
from cctvscope.model.assumptions import Assumptions, read_assumptions
from cctvscope.model.entities import Camera

#: Template columns, in order.
TEMPLATE_COLUMNS: tuple[str, ...] = (
    "camera_id",
    "location_text",
    "lon",
    "lat",
    "easting",
    "northing",
    "borough",
    *ATTRIBUTE_FIELDS,
)

_PSEUDO: dict[str, tuple[str, str, str, str]] = {
    # column: (description, unit, required, example)
    "lon": ("Longitude, WGS84 (give lon/lat or easting/northing)", "°", "location", "-0.1246"),
    "lat": ("Latitude, WGS84", "°", "location", "51.5007"),
    "easting": ("Easting, British National Grid EPSG:27700", "m", "location", "530268"),
    "northing": ("Northing, British National Grid EPSG:27700", "m", "location", "179644"),
    "borough": (
        "Borough GSS code or name; checked against the point (the point decides)",
        "-",
        "no",
        "Westminster",
    ),
}
_EXAMPLES: dict[str, str] = {
    "camera_id": "WCC-0001",
    "location_text": "Parliament Square, NE corner",
    "owner_type": "council",
    "operator": "Westminster City Council",
    "mount_height_m": "6",
    "heading_deg": "225 (or SW)",
    "hfov_deg": "85",
    "tilt_deg": "15",
    "ptz": "no",
    "ptz_max_zoom": "1",
    "sensor_width_mm": "5.6",
    "focal_length_mm": "2.8",
    "resolution_h_px": "1920",
    "resolution_v_px": "1080",
    "codec": "h264",
    "fps": "25",
    "signal": "ip",
    "install_year": "2018",
    "retention_days": "31",
    "onvif_profiles": "S;G",
    "export_formats": "mp4;native",
    "time_sync": "ntp",
    "control_room_id": "WCC-CR1",
    "status": "operational",
}
GUIDANCE_HEADER = (
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


def guidance_rows(assumptions: Assumptions) -> list[tuple[str, ...]]:
    """One guidance row per template column (see :data:`GUIDANCE_HEADER`)."""
    defaults = assumptions.section("camera_defaults")
    rows: list[tuple[str, ...]] = []
    for column in TEMPLATE_COLUMNS:
        if column in _PSEUDO:
            desc, unit, required, example = _PSEUDO[column]
            kind = "text" if column == "borough" else "number"
            rows.append((column, desc, kind, unit, required, "", "", "", example))
            continue
        info = Camera.model_fields[column]
        extra = info.json_schema_extra
        unit = str(extra.get("unit", "-")) if isinstance(extra, dict) else "-"
        kind = field_kind(column)
        allowed = ", ".join(enum_values(column)) if kind in ("enum", "list") else ""
        if kind == "bool":
            allowed = "yes, no"
        if kind == "list":
            allowed += " (several: separate with ;)"
        if kind == "heading":
            allowed = "0-359.9 or compass letters N, NE, ENE, ..."
        default, source = "", ""
        if column in defaults:
            entry = defaults[column]
            default, source = _shown(entry.value), entry.source
        elif column == "operator":
            default = "<borough> Council for council cameras, else 'unknown'"
            source = "import rule"
        required = "yes" if column == "camera_id" else "no"
        rows.append(
            (
                column,
                info.description or "",
                {"heading": "number", "float": "number", "int": "whole number"}.get(kind, kind),
                unit,
                required,
                allowed,
                default,
                source,
                _EXAMPLES.get(column, ""),
            )
        )
    return rows


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "(none)" if value in ("", None) else str(value)


def write_survey_template(path: str | Path, *, assumptions: Assumptions | None = None) -> Path:
    """Write the survey template to ``path`` (``.xlsx`` workbook or ``.csv`` header row).

    Raises
    ------
    InputError
        When the extension is neither ``.xlsx`` nor ``.csv``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerow(TEMPLATE_COLUMNS)
        return path
    if suffix != ".xlsx":
        raise InputError(f"survey template must be .xlsx or .csv, not {path.suffix or '(none)'!r}")
    rows = guidance_rows(assumptions or read_assumptions())
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cameras"
    sheet.append(list(TEMPLATE_COLUMNS))
    bold = Font(bold=True)
    for i, column in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=i)
        cell.font = bold
        sheet.column_dimensions[get_column_letter(i)].width = max(12, len(column) + 3)
        allowed = _dropdown(column)
        if allowed:
            dv = DataValidation(type="list", formula1=f'"{",".join(allowed)}"', allow_blank=True)
            dv.error = f"{column}: choose one of {', '.join(allowed)}"
            dv.add(f"{get_column_letter(i)}2:{get_column_letter(i)}5000")
            sheet.add_data_validation(dv)
    sheet.freeze_panes = "B2"
    guide = book.create_sheet("guidance")
    guide.append(list(GUIDANCE_HEADER))
    for cell in guide[1]:
        cell.font = bold
    for row in rows:
        guide.append(list(row))
    widths = (18, 60, 12, 10, 10, 40, 22, 60, 28)
    for i, width in enumerate(widths, start=1):
        guide.column_dimensions[get_column_letter(i)].width = width
        for cell in guide[get_column_letter(i)]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.freeze_panes = "B2"
    book.save(path)
    return path


def _dropdown(column: str) -> list[str]:
    kind = field_kind(column) if column in Camera.model_fields else ""
    if kind == "bool":
        return ["yes", "no"]
    if kind == "enum":
        return enum_values(column)
    return []
