"""One camera row's attribute values: parsed cells, the catalogue's, and the defaults.

Split from :mod:`cctvscope.ingest.cameras`, which validates whole files; this module
turns one row's cells into model input and says which attributes were defaulted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from cctvscope.errors import Finding
from cctvscope.ingest.camera_fields import (
    ATTRIBUTE_FIELDS,
    SYNONYMS,
    default_cell,
    parse_cell,
    parse_number,
)
from cctvscope.ingest.camera_options import RowContext
from cctvscope.model.assumptions import Assumptions

VALUE_FIELDS = ("location_text", *ATTRIBUTE_FIELDS)

#: Fault-comment openings that say what state the camera is in.
FAULT_STATUS = {
    word: status
    for word, status in SYNONYMS["status"].items()
    if status in ("faulty", "decommissioned") and word not in ("no", "fault")
}


def row_values(
    i: int,
    row: int,
    values: Mapping[str, list[Any]],
    consts: Mapping[str, str],
    defaults: Mapping[str, tuple[Any, str]],
    out: list[Finding],
    context: RowContext,
) -> tuple[dict[str, Any], dict[str, str], list[str], list[str]]:
    """Model input, cell texts, defaulted and catalogue fields of one row (warnings to ``out``)."""
    data: dict[str, Any] = {}
    texts: dict[str, str] = {}
    defaulted: list[str] = []
    for field in VALUE_FIELDS:
        text = consts.get(field) or (str(values[field][i]).strip() if field in values else "")
        mapped = context.value_maps.get(field, {}).get(text.lower())
        if mapped is not None:
            text = mapped
        if text:
            parsed = parse_cell(field, text)
            data[field], texts[field] = parsed.value, text
            if parsed.note:
                out.append(Finding("warning", row, field, text, parsed.note))
    status_from_faults(row, data, texts, out)
    catalogued = context.resolver.fill(row, data, out)
    if "hfov_deg" not in data:
        sensor = parse_number(texts.get("sensor_width_mm", "x"))
        focal = parse_number(texts.get("focal_length_mm", "x"))
        if sensor and focal and sensor > 0 and focal > 0:
            data["hfov_deg"] = round(math.degrees(2 * math.atan(sensor / (2 * focal))), 3)
            reason = f"derived from sensor width and focal length: {data['hfov_deg']:g}°"
            out.append(Finding("warning", row, "hfov_deg", None, reason))
    for field, (value, _reason) in defaults.items():
        if field not in data:
            data[field] = value
            defaulted.append(field)  # one summary warning per field (import_table)
    return data, texts, defaulted, catalogued


def status_from_faults(
    row: int, data: dict[str, Any], texts: Mapping[str, str], out: list[Finding]
) -> None:
    """A register without a status column often says "No power" in its fault comments."""
    notes = texts.get("fault_notes", "").lower()
    if "status" in data or not notes:
        return
    for words, status in FAULT_STATUS.items():
        if notes.startswith(words):
            data["status"] = status
            reason = f"status {status} read from the fault comment {texts['fault_notes']!r}"
            out.append(Finding("warning", row, "status", texts["fault_notes"], reason))
            return


def camera_defaults(assumptions: Assumptions) -> dict[str, tuple[Any, str]]:
    """Field -> (default value, warning reason) from ``camera_defaults``."""
    out: dict[str, tuple[Any, str]] = {}
    for field, entry in assumptions.section("camera_defaults").items():
        if field not in ATTRIBUTE_FIELDS:
            continue
        unit = "" if entry.unit in ("-", "") else f" {entry.unit}"
        value = entry.value
        if isinstance(value, bool):
            shown: Any = "yes" if value else "no"
        else:
            shown = "(none)" if value in ("", None) else value
        reason = f"not given; default {shown}{unit} (assumptions camera_defaults.{field})"
        out[field] = (default_cell(field, entry.value), reason)
    return out
