"""Importable columns of the non-camera tables: names, aliases, kinds and cell parsers.

Each table's *import fields* are the attributes of its entity that a return
supplies, renamed where the import reads them differently (``borough``: a GSS code
or a borough name, stored as ``borough_code``; ``lon``/``lat``/``easting``/
``northing``: a control room's location, stored as ``x_m``/``y_m``). Fields the
import sets itself (``provenance``, and ``source`` except for cost items, where it
cites the figure) are never read from the file. Cell parsers return a value for the
entity, or a reason the cell cannot be read; the caller makes the finding. The
file-level checks live here too: which column holds which field (aliases,
``--map``), required columns, ``--set`` values and ``--value-map`` field names.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping
from enum import Enum
from typing import Any

import annotated_types as at
from pydantic_core import ErrorDetails

from cctvscope.errors import Finding
from cctvscope.ingest.camera_fields import ALIASES as CAMERA_ALIASES
from cctvscope.ingest.camera_fields import find_column, normalise_header, parse_number
from cctvscope.ingest.locate import BoroughIndex
from cctvscope.ingest.sources import RawTable
from cctvscope.ingest.values import (
    DATE_FORMS,
    parse_date,
    parse_money,
    parse_quantity,
    parse_share,
)
from cctvscope.model.entities import Entity
from cctvscope.model.frames import field_kind as storage_kind

#: Location pseudo-fields of a control room (``x``/``y``: either CRS, decided per file).
LOCATION_FIELDS = ("lon", "lat", "easting", "northing", "x", "y")
#: Location fields offered by the template (``x``/``y`` are accepted, not offered).
TEMPLATE_LOCATION = ("lon", "lat", "easting", "northing")

_BOROUGH = CAMERA_ALIASES["borough"]
_CAMERA_REF = ("camera_id", "camera", "cam_id", "camera_ref", "camera_no", "camera_number")
_ROOM_REF = ("control_room_id", "control_room", "room_id", "room", "control_centre", "cr_id")

#: Field aliases per table, best first, in template order (compared after normalise_header).
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "control_rooms": {
        "room_id": ("room_id", "id", "room", "control_room_id", "ref", "reference", "room_ref"),
        "name": ("name", "room_name", "control_room_name", "title"),
        "operator_kind": ("operator_kind", "operator_type", "kind", "run_by"),
        "operator": ("operator", "operated_by", "operator_name", "managed_by"),
        "borough": _BOROUGH,
        "served_boroughs": (
            "served_boroughs", "boroughs_served", "serves", "boroughs_monitored",
            "boroughs_covered",
        ),
        **{f: CAMERA_ALIASES[f] for f in LOCATION_FIELDS},
        "operator_positions": (
            "operator_positions", "positions", "workstations", "operator_workstations",
            "desks", "consoles",
        ),
        "hours_per_day": ("hours_per_day", "hours", "hours_day", "staffed_hours"),
        "days_per_week": ("days_per_week", "days", "days_week", "staffed_days"),
        "staff_fte": ("staff_fte", "fte", "staff", "operator_fte", "staffing"),
        "screens_per_operator": (
            "screens_per_operator", "screens", "monitors", "monitors_per_operator",
        ),
        "vms": ("vms", "video_management_system", "vms_platform", "vms_software"),
    },
    "links": {
        "link_id": ("link_id", "id", "link_ref", "circuit_id", "circuit_ref", "ref"),
        "camera_id": _CAMERA_REF,
        "control_room_id": _ROOM_REF,
        "link_type": ("link_type", "type", "transmission", "technology", "medium"),
        "bandwidth_mbps": ("bandwidth_mbps", "bandwidth", "speed", "capacity"),
        "length_km": ("length_km", "length", "distance", "distance_km", "route_length"),
        "annual_cost_gbp": (
            "annual_cost_gbp", "annual_cost", "cost", "rental", "annual_rental", "cost_per_year",
        ),
    },
    "contracts": {
        "contract_id": (
            "contract_id", "id", "ref", "reference", "contract_ref", "contract_no",
            "contract_number",
        ),
        "borough": _BOROUGH,
        "category": ("category", "service", "service_category", "contract_type", "type"),
        "supplier": ("supplier", "contractor", "vendor", "provider", "supplier_name"),
        "annual_value_gbp": (
            "annual_value_gbp", "annual_value", "value", "annual_cost", "annual_cost_gbp",
            "value_gbp", "value_per_year",
        ),
        "start_date": ("start_date", "start", "contract_start", "commenced", "from"),
        "end_date": ("end_date", "end", "expiry", "expiry_date", "expires", "contract_end", "to"),
    },
    "evidence_stats": {
        "borough": _BOROUGH,
        "year": ("year", "reference_year", "calendar_year"),
        "requests_per_year": (
            "requests_per_year", "requests", "police_requests", "footage_requests",
        ),
        "footage_available_share": (
            "footage_available_share", "available_share", "share_available",
            "footage_available", "availability", "share",
        ),
        "retrieval_model": ("retrieval_model", "model", "retrieval", "retrieval_method"),
        "turnaround_days": (
            "turnaround_days", "turnaround", "median_turnaround", "turnaround_time",
        ),
    },
    "cost_items": {
        "profile": ("profile", "cost_profile"),
        "item": ("item", "cost_item", "item_key", "key"),
        "value_gbp": ("value_gbp", "value", "cost", "unit_cost", "cost_gbp", "price", "amount"),
        "per": ("per", "unit", "per_unit", "basis"),
        "price_base_year": ("price_base_year", "price_year", "year", "base_year"),
        "source": ("source", "source_of_figure", "evidence"),
    },
    "monitoring": {
        "camera_id": _CAMERA_REF,
        "control_room_id": (*_ROOM_REF, "monitored_by"),
        "monitored_hours_per_day": (
            "monitored_hours_per_day", "monitored_hours", "hours_per_day", "hours",
            "hours_monitored",
        ),
    },
}  # fmt: skip

#: Fields that together identify a record within one file (a repeat is an error).
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "control_rooms": ("room_id",),
    "links": ("link_id",),
    "contracts": ("contract_id",),
    "evidence_stats": ("borough", "year"),
    "cost_items": ("profile", "item"),
    "monitoring": ("camera_id",),
}

#: Import field -> entity field where the names differ.
ENTITY_FIELD = {"borough": "borough_code"}
#: Entity fields the import sets itself; ``source`` is read for cost items only.
SYSTEM_FIELDS = frozenset({"provenance", "source", "x_m", "y_m"})

MONEY_FIELDS = frozenset({"annual_cost_gbp", "annual_value_gbp", "value_gbp"})
SHARE_FIELDS = frozenset({"footage_available_share"})
_HOURS = {"h": 1.0, "hr": 1.0, "hrs": 1.0, "hour": 1.0, "hours": 1.0, "h/day": 1.0}
_DAYS = {"d": 1.0, "day": 1.0, "days": 1.0}
#: Units a number may carry, with the factor to the field's own unit.
UNITS: dict[str, dict[str, float]] = {
    "bandwidth_mbps": {
        "mbps": 1.0, "mbit/s": 1.0, "mb/s": 1.0, "gbps": 1000.0, "gbit/s": 1000.0,
        "kbps": 0.001,
    },
    "length_km": {"km": 1.0, "m": 0.001},
    "hours_per_day": _HOURS,
    "monitored_hours_per_day": _HOURS,
    "days_per_week": {**_DAYS, "days/week": 1.0, "days/wk": 1.0},
    "turnaround_days": _DAYS,
    "staff_fte": {"fte": 1.0},
    "screens_per_operator": {"screens": 1.0, "monitors": 1.0},
}  # fmt: skip

#: Common spellings of enum values (keys lower case, runs of space, _ and - as one space).
SYNONYMS: dict[str, dict[str, str]] = {
    "operator_kind": {
        "local authority": "council", "borough": "council", "la": "council",
        "borough council": "council", "met": "police", "mps": "police",
        "metropolitan police": "police", "transport for london": "tfl", "joint": "shared",
        "partnership": "shared", "shared service": "shared",
    },
    "retrieval_model": {
        "police embedded": "embedded_police", "embedded": "embedded_police",
        "officer attends": "officer_attends", "attend": "officer_attends",
        "attends": "officer_attends", "officer attendance": "officer_attends",
        "digital": "digital_transfer", "dems": "digital_transfer",
        "upload": "digital_transfer", "online": "digital_transfer",
    },
    "link_type": {
        "fiber": "fibre", "fibre optic": "fibre", "fiber optic": "fibre",
        "dark fibre": "fibre", "4g": "cellular", "5g": "cellular", "3g": "cellular",
        "lte": "cellular", "mobile": "cellular", "leased": "leased_line",
        "radio": "wireless", "microwave": "wireless", "wifi": "wireless", "wi fi": "wireless",
        "twisted pair": "copper", "coax": "copper", "coaxial": "copper",
    },
    "category": {
        "maintenance and repair": "maintenance", "repairs": "maintenance",
        "repair": "maintenance", "network": "transmission", "connectivity": "transmission",
        "links": "transmission", "comms": "transmission", "equipment": "equipment_supply",
        "supply": "equipment_supply", "hardware": "equipment_supply",
        "cameras": "equipment_supply", "vms": "vms_software", "software": "vms_software",
        "licence": "vms_software", "licensing": "vms_software", "monitoring": "monitoring_staff",
        "staff": "monitoring_staff", "staffing": "monitoring_staff",
        "operators": "monitoring_staff",
    },
}  # fmt: skip

_LIST_SPLIT = re.compile(r"\s*[;,]\s*")

ALIAS_INDEX: dict[str, dict[str, str]] = {
    table: {alias: field for field, names in fields.items() for alias in names}
    for table, fields in ALIASES.items()
}
"""Table -> normalised header -> import field."""


def import_fields(table: str) -> tuple[str, ...]:
    """The import fields of ``table``, in template order."""
    return tuple(ALIASES[table])


def template_fields(table: str) -> tuple[str, ...]:
    """The columns a template offers for ``table`` (generic ``x``/``y`` left out)."""
    return tuple(f for f in ALIASES[table] if f not in ("x", "y"))


def canonical_field(table: str, name: str) -> str | None:
    """The import field of ``table`` a user's FIELD name means (field names and aliases)."""
    key = normalise_header(name)
    if key in ALIASES[table]:
        return key
    if key == "borough_code" and "borough" in ALIASES[table]:
        return "borough"
    return ALIAS_INDEX[table].get(key)


def entity_field(name: str) -> str:
    """The entity field an import field fills."""
    return ENTITY_FIELD.get(name, name)


def field_kind(entity: type[Entity], name: str) -> str:
    """Kind of an import field.

    One of location, borough, boroughs, money, share, date, enum, int, float, str.
    """
    if name in LOCATION_FIELDS:
        return "location"
    if name == "borough":
        return "borough"
    if name == "served_boroughs":
        return "boroughs"
    if name in MONEY_FIELDS:
        return "money"
    if name in SHARE_FIELDS:
        return "share"
    kind = storage_kind(entity, name)
    if kind == "str" and enum_values(entity, name):
        return "enum"
    return kind


def enum_values(entity: type[Entity], name: str) -> list[str]:
    """Allowed values of an enumerated field of ``entity``; [] for other fields."""
    if name not in entity.model_fields:
        return []
    ann: Any = entity.model_fields[name].annotation
    args = [a for a in typing.get_args(ann) if a is not type(None)]
    if len(args) == 1:
        ann = args[0]
    if isinstance(ann, type) and issubclass(ann, Enum):
        return [str(m.value) for m in ann]
    return []


def parse_table_cell(entity: type[Entity], name: str, text: str) -> tuple[Any, str | None]:
    """Parse the non-blank cell ``text`` of import field ``name``: (value, None) or (None, reason).

    Borough cells come back as their text (the caller resolves them against the
    borough index); ``served_boroughs`` as a tuple of texts.
    """
    text = text.strip()
    kind = field_kind(entity, name)
    if kind in ("str", "borough"):
        return text, None
    if kind == "boroughs":
        return tuple(t for t in _LIST_SPLIT.split(text) if t), None
    if kind == "enum":
        return _enum_value(entity, name, text)
    if kind == "date":
        date = parse_date(text)
        return (date, None) if date else (None, f"not a date; accepted forms: {DATE_FORMS}")
    if kind == "money":
        money = parse_money(text)
        if money is None:
            return None, "not an amount in pounds (e.g. 12500, £12,500, £12.5k)"
        return money, None
    if kind == "share":
        share = parse_share(text)
        return (share, None) if share is not None else (None, "not a share (e.g. 0.62 or 62%)")
    if kind == "location":
        number = parse_number(text.replace("°", ""))
        return (number, None) if number is not None else (None, "not a number")
    return _number(name, text, whole=kind == "int")


def _enum_value(entity: type[Entity], name: str, text: str) -> tuple[Any, str | None]:
    allowed = enum_values(entity, name)
    key = re.sub(r"[\s_\-]+", " ", text.lower()).strip()
    value = key.replace(" ", "_")
    if value in allowed:
        return value, None
    value = SYNONYMS.get(name, {}).get(key, "")
    if value in allowed:
        return value, None
    return None, f"not an allowed value; allowed: {', '.join(allowed)}"


def _number(name: str, text: str, *, whole: bool) -> tuple[Any, str | None]:
    units = UNITS.get(name, {})
    number = parse_quantity(text, units)
    if number is None:
        accepted = f" (units accepted: {', '.join(units)})" if units else ""
        return None, f"not a number{accepted}"
    if whole:
        if not number.is_integer():
            return None, "not a whole number"
        return int(number), None
    return number, None


def field_unit(entity: type[Entity], name: str) -> str:
    """The unit of an entity field from its metadata (``-`` when it has none)."""
    extra = entity.model_fields[name].json_schema_extra
    return str(extra.get("unit", "-")) if isinstance(extra, dict) else "-"


def range_text(entity: type[Entity], name: str) -> str:
    """The allowed range of a numeric field with its unit, e.g. ``≥ 0 and ≤ 24 h/day``."""
    info = entity.model_fields[name]
    parts: list[str] = []
    symbols = {at.Gt: (">", "gt"), at.Ge: ("≥", "ge"), at.Lt: ("<", "lt"), at.Le: ("≤", "le")}
    for meta in info.metadata:
        if type(meta) in symbols:
            sym, attr = symbols[type(meta)]
            parts.append(f"{sym} {getattr(meta, attr):g}")
    unit = field_unit(entity, name)
    suffix = f" {unit}" if unit not in ("-", "") else ""
    return " and ".join(parts) + suffix


def error_reason(entity: type[Entity], name: str, err: ErrorDetails) -> str:
    """A readable reason for one pydantic error on entity field ``name``."""
    kind = err["type"]
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"out of range: {name} must be {range_text(entity, name)}"
    if kind in ("string_too_short", "missing"):
        return f"{name} is required"
    return str(err["msg"]).removeprefix("Value error, ")


def alias_text(table: str, name: str, count: int = 6) -> str:
    """The first aliases of a field, for a missing-column reason."""
    return ", ".join(ALIASES[table][name][:count])


def map_cell(value_maps: Mapping[str, Mapping[str, str]], name: str, text: str) -> str:
    """The cell text after ``--value-map`` (whole-cell, case-insensitive match)."""
    return value_maps.get(name, {}).get(text.lower(), text)


def resolve_columns(
    raw: RawTable, table: str, field_map: Mapping[str, str]
) -> tuple[dict[str, str], list[Finding]]:
    """Import field -> source column: reader-fixed columns, then ``field_map``, then aliases."""
    found: list[Finding] = []
    fields = import_fields(table)
    present = [str(c) for c in raw.frame.columns]
    columns = {f: c for f, c in raw.fixed_columns.items() if f in fields and c in present}
    for name, column in field_map.items():
        canonical = canonical_field(table, name)
        match = find_column(column, present)
        if canonical is None:
            reason = f"--map: unknown field {name!r}; fields are {', '.join(fields)}"
            found.append(Finding("error", None, name, column, reason))
        elif match is None:
            reason = f"--map {canonical}={column}: no such column; columns are {', '.join(present)}"
            found.append(Finding("error", None, canonical, column, reason))
        else:
            columns[canonical] = match
    # Reader-made columns (GeoJSON geometry and ids) are never user columns to warn about.
    used = set(columns.values()) | set(raw.fixed_columns.values())
    used |= set(raw.fallback_columns.values())
    candidates: dict[str, list[tuple[int, str]]] = {}
    unknown: list[str] = []
    for column in present:
        if column in used:
            continue
        key = normalise_header(column)
        canonical = ALIAS_INDEX[table].get(key)
        if canonical is None:
            unknown.append(column)
            continue
        candidates.setdefault(canonical, []).append((ALIASES[table][canonical].index(key), column))
    for name, cands in candidates.items():
        cands.sort()
        if name not in columns:
            columns[name] = cands[0][1]
            cands = cands[1:]
        for _, column in cands:
            reason = f"column {column!r} also means {name}; {columns[name]!r} used, it ignored"
            found.append(Finding("warning", None, name, column, reason))
    system = [c for c in unknown if normalise_header(c) in ("provenance", "source")]
    unknown = [c for c in unknown if c not in system]
    if system:
        reason = f"column(s) {', '.join(system)} ignored: the import sets them itself"
        found.append(Finding("warning", None, None, None, reason))
    if unknown:
        reason = f"{len(unknown)} column(s) not recognised and ignored: {', '.join(unknown)}"
        found.append(Finding("warning", None, None, None, reason))
    return columns, found


def missing_columns(
    raw: RawTable,
    table: str,
    entity: type[Entity],
    columns: Mapping[str, str],
    consts: Mapping[str, Any],
) -> list[Finding]:
    """A file-level error for each required field with neither a column nor a ``--set``."""
    listed = ", ".join(str(c) for c in raw.frame.columns) or "(none)"
    found: list[Finding] = []
    for name in import_fields(table):
        target = entity_field(name)
        # ``source`` (cost items) falls back to the file name, so it is never missing.
        if name in (*LOCATION_FIELDS, "source") or name in columns or name in consts:
            continue
        if target in entity.model_fields and entity.model_fields[target].is_required():
            reason = (
                f"no {name} column: need one of {alias_text(table, name)} "
                f"(or --map {name}=COLUMN); columns found: {listed}"
            )
            found.append(Finding("error", None, name, None, reason))
    if table == "control_rooms":
        pairs = (("lon", "lat"), ("easting", "northing"), ("x", "y"))
        if not any(a in columns and b in columns for a, b in pairs):
            reason = (
                "no location columns: need lon and lat (WGS84) or easting and northing "
                f"(British National Grid); columns found: {listed}"
            )
            found.append(Finding("error", None, "coordinates", None, reason))
    return found


def check_constants(
    table: str,
    entity: type[Entity],
    constants: Mapping[str, str],
    columns: dict[str, str],
    index: BoroughIndex,
) -> tuple[dict[str, Any], list[Finding]]:
    """Validate and parse ``--set`` values; a set field overrides (and drops) its column."""
    out: dict[str, Any] = {}
    found: list[Finding] = []
    # A single-field id differs per record by definition; a part of a compound key
    # (a cost profile, an evidence borough) may well be the same for a whole return.
    keys = KEY_FIELDS[table]
    fixed = {*LOCATION_FIELDS, *(keys if len(keys) == 1 else ())}
    for name, value in constants.items():
        canonical = canonical_field(table, name)
        text = str(value).strip()
        if canonical is None:
            reason = f"--set: unknown field {name!r}; fields are {', '.join(import_fields(table))}"
            found.append(Finding("error", None, name, text, reason))
            continue
        if canonical in fixed:
            reason = f"--set: {canonical} differs per record and cannot be set for all rows"
            found.append(Finding("error", None, canonical, text, reason))
            continue
        parsed, problem = parse_table_cell(entity, canonical, text)
        if problem is None:
            parsed, problem = resolve_boroughs(canonical, parsed, index)
        if problem:
            found.append(Finding("error", None, canonical, text, f"--set {canonical}: {problem}"))
            continue
        if canonical in columns:
            reason = f"column {columns.pop(canonical)!r} ignored: --set {canonical} given"
            found.append(Finding("warning", None, canonical, text, reason))
        out[canonical] = parsed
    return out, found


def check_value_maps(
    table: str, value_maps: Mapping[str, Mapping[str, str]]
) -> tuple[dict[str, dict[str, str]], list[Finding]]:
    """``--value-map`` keyed by import field (aliases accepted); unknown fields are errors."""
    out: dict[str, dict[str, str]] = {}
    found: list[Finding] = []
    for name, mapping in value_maps.items():
        canonical = canonical_field(table, name)
        if canonical is None:
            fields = ", ".join(import_fields(table))
            reason = f"--value-map: unknown field {name!r} for {table}; fields are {fields}"
            found.append(Finding("error", None, name, None, reason))
            continue
        out.setdefault(canonical, {}).update({k.lower(): v for k, v in mapping.items()})
    return out, found


def resolve_boroughs(name: str, value: Any, index: BoroughIndex) -> tuple[Any, str | None]:
    """Borough texts to GSS codes; an unknown one gives a reason naming the nearest matches."""
    if name not in ("borough", "served_boroughs"):
        return value, None
    texts = (value,) if name == "borough" else tuple(value)
    codes: list[str] = []
    for text in texts:
        code = index.resolve(text)
        if code is None:
            return None, f"unknown borough {text!r}; nearest matches: {index.suggest(text)}"
        codes.append(code)
    return (codes[0] if name == "borough" else tuple(codes)), None
