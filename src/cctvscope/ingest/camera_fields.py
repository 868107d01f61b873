"""Importable camera columns: names, aliases, kinds, and parsers of cell text.

The import reads a source's columns into *import fields*: the attributes of
:class:`cctvscope.model.entities.Camera` that a user supplies, plus the
location pseudo-fields ``lon``/``lat`` (WGS84 degrees), ``easting``/``northing``
(British National Grid metres), ``x``/``y`` (either, decided per file) and
``borough`` (a GSS code or a borough name). Cell parsers return the value to give
the ``Camera`` model, or the cell text unchanged when they cannot read it, so that
the model's validation error names the problem.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from cctvscope.model.entities import Camera
from cctvscope.model.enums import OnvifProfile
from cctvscope.model.frames import field_kind as storage_kind
from cctvscope.model.provenance import SOURCE_FIELDS

#: Location pseudo-fields (not Camera attributes).
LOCATION_FIELDS = ("lon", "lat", "easting", "northing", "x", "y")

#: Fields never set by the source: the import fills them itself.
SYSTEM_FIELDS = frozenset({*SOURCE_FIELDS, "x_m", "y_m", "borough_code"})

#: Camera attributes a source may give, in template order.
ATTRIBUTE_FIELDS: tuple[str, ...] = tuple(
    name
    for name in Camera.model_fields
    if name not in SYSTEM_FIELDS and name not in ("camera_id", "location_text")
)

#: Every import field, in template order (``x``/``y`` are accepted but not in the template).
IMPORT_FIELDS: tuple[str, ...] = (
    "camera_id",
    "location_text",
    "lon",
    "lat",
    "easting",
    "northing",
    "x",
    "y",
    "borough",
    *ATTRIBUTE_FIELDS,
)

#: Fields ``--set`` may not give one value for every row.
NOT_CONSTANT = frozenset({"camera_id", *LOCATION_FIELDS})

#: Field aliases, best first (compared after :func:`normalise_header`).
ALIASES: dict[str, tuple[str, ...]] = {
    "camera_id": (
        "camera_id", "id", "cameraid", "camera_ref", "camera_no", "camera_number", "cam_id",
        "cam_no", "asset_id", "asset_no", "asset_number", "ref", "reference", "osm_id",
    ),
    "location_text": (
        "location_text", "location", "location_description", "address", "site", "site_name",
        "street", "description", "name",
    ),
    "lon": ("lon", "long", "longitude", "lng", "wgs84_lon", "lon_deg"),
    "lat": ("lat", "latitude", "wgs84_lat", "lat_deg"),
    "easting": ("easting", "eastings", "x_m", "bng_x", "bng_easting", "os_x", "east"),
    "northing": ("northing", "northings", "y_m", "bng_y", "bng_northing", "os_y", "north"),
    "x": ("x", "x_coord", "xcoord", "x_coordinate", "coord_x", "point_x"),
    "y": ("y", "y_coord", "ycoord", "y_coordinate", "coord_y", "point_y"),
    "borough": (
        "borough", "borough_code", "borough_gss_code", "gss_code", "gss", "lad_code",
        "borough_name", "local_authority", "council",
    ),
    "owner_type": ("owner_type", "owner", "ownership", "owned_by"),
    "operator": ("operator", "operated_by", "operator_name", "managed_by"),
    "mount_height_m": (
        "mount_height_m", "mount_height", "mounting_height", "height_m", "height",
        "camera_height",
    ),
    "heading_deg": (
        "heading_deg", "heading", "direction", "bearing", "azimuth", "camera_direction",
        "view_direction", "orientation",
    ),
    "hfov_deg": (
        "hfov_deg", "hfov", "fov", "field_of_view", "horizontal_fov", "view_angle",
        "camera_angle",
    ),
    "tilt_deg": ("tilt_deg", "tilt", "pitch", "camera_tilt"),
    "ptz": (
        "ptz", "is_ptz", "pan_tilt_zoom", "ptz_or_fixed", "ptz_fixed", "fixed_or_ptz",
        "fixed_ptz", "camera_type",
    ),
    "ptz_max_zoom": ("ptz_max_zoom", "max_zoom", "zoom", "optical_zoom", "zoom_ratio"),
    "sensor_width_mm": ("sensor_width_mm", "sensor_width"),
    "focal_length_mm": ("focal_length_mm", "focal_length", "lens_mm", "lens"),
    "resolution_h_px": ("resolution_h_px", "resolution_h", "horizontal_resolution", "width_px"),
    "resolution_v_px": ("resolution_v_px", "resolution_v", "vertical_resolution", "height_px"),
    "codec": ("codec", "video_codec", "compression"),
    "fps": ("fps", "frame_rate", "framerate", "frames_per_second"),
    "signal": ("signal", "signal_type", "analogue_ip"),
    "install_year": ("install_year", "year_installed", "installation_year", "installed"),
    "retention_days": ("retention_days", "retention", "retention_period", "days_retained"),
    "onvif_profiles": ("onvif_profiles", "onvif_profile", "onvif"),
    "export_formats": ("export_formats", "export_format", "export"),
    "time_sync": ("time_sync", "clock_sync", "time_source"),
    "control_room_id": ("control_room_id", "control_room", "monitored_by", "control_centre"),
    "status": ("status", "state", "operational_status", "condition", "working"),
    "make": ("make", "manufacturer", "brand", "camera_make", "vendor"),
    "model": ("model", "camera_model", "model_no", "model_number"),
    "ir_range_m": ("ir_range_m", "ir_range", "infrared_range", "ir"),
    "vms": ("vms", "video_management_system", "recorder", "nvr", "vms_system"),
    "fault_notes": (
        "fault_notes", "fault_comments", "faults", "fault", "comments", "comment", "notes",
        "remarks", "fault_comment",
    ),
    "custodian": ("custodian", "data_custodian", "data_owner", "information_asset_owner"),
    "last_updated": (
        "last_updated", "last_update", "updated", "date_updated", "last_modified",
        "updated_on", "date_of_last_update",
    ),
}  # fmt: skip

#: Values accepted for yes/no fields.
BOOL_WORDS = {
    "yes": True, "y": True, "true": True, "t": True, "1": True,
    "no": False, "n": False, "false": False, "f": False, "0": False,
}  # fmt: skip

#: Common spellings of enum values.
SYNONYMS: dict[str, dict[str, str]] = {
    "codec": {
        "h.264": "h264", "avc": "h264", "h.265": "h265", "hevc": "h265", "mpeg-4": "mpeg4",
        "m-jpeg": "mjpeg", "motion jpeg": "mjpeg",
    },
    "signal": {"analog": "analogue", "digital": "ip", "network": "ip"},
    "owner_type": {
        "borough": "council", "local authority": "council", "transport for london": "tfl",
        "met": "police", "metropolitan police": "police",
    },
    "status": {
        "working": "operational", "active": "operational", "ok": "operational",
        "live": "operational", "in service": "operational", "online": "operational",
        "yes": "operational", "faulty": "faulty", "broken": "faulty", "fault": "faulty",
        "not working": "faulty",
        "no power": "faulty", "offline": "faulty", "off line": "faulty", "defective": "faulty",
        "out of order": "faulty", "awaiting repair": "faulty", "no picture": "faulty",
        "no": "faulty", "removed": "decommissioned", "decommissioned": "decommissioned",
        "disconnected": "decommissioned", "proposed": "planned", "to be installed": "planned",
    },
}  # fmt: skip

#: Words meaning PTZ or fixed in a register's camera-type column.
PTZ_WORDS = {
    "ptz": True, "pan tilt zoom": True, "pan-tilt-zoom": True, "pan/tilt/zoom": True,
    "speed dome": True, "speeddome": True, "ptz dome": True, "moving": True,
    "fixed": False, "static": False, "dome": False, "bullet": False, "box": False,
    "turret": False, "fixed dome": False, "fisheye": False, "panoramic": False,
    "360": False, "multi-sensor": False, "multisensor": False, "fixed camera": False,
}  # fmt: skip

COMPASS_POINTS = (
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
    "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW",
)  # fmt: skip
COMPASS = {name: i * 22.5 for i, name in enumerate(COMPASS_POINTS)}
COMPASS_WORDS = {
    "north": "N", "northeast": "NE", "east": "E", "southeast": "SE", "south": "S",
    "southwest": "SW", "west": "W", "northwest": "NW",
}  # fmt: skip

_NUMBER = re.compile(
    r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:e[+-]?\d+)?)\s*"
    r"(m|metres|meters|°|deg|degrees|mm|px|fps|days|d|x|×)?\s*$",
    re.IGNORECASE,
)
_LIST_SPLIT = re.compile(r"[;,\s]+")


def normalise_header(name: str) -> str:
    """A header reduced for alias matching: lower case, units in brackets and punctuation gone.

    ``"Height (m)"`` -> ``"height"``; ``"Camera ID"`` -> ``"camera_id"``;
    ``"camera:direction"`` -> ``"camera_direction"``.
    """
    text = re.sub(r"[\(\[][^\)\]]*[\)\]]", " ", name.strip().lower().lstrip("\ufeff"))
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def find_column(name: str, present: Sequence[str]) -> str | None:
    """The column of ``present`` a user's name means: exact, then case-blind, then normalised."""
    for test in (str.strip, str.lower, normalise_header):
        hits = [c for c in present if test(c) == test(name.strip())]
        if hits:
            return hits[0]
    return None


ALIAS_INDEX: dict[str, str] = {alias: field for field, names in ALIASES.items() for alias in names}
"""Normalised header -> import field."""


#: Import fields read as plain text.
STRING_FIELDS = frozenset(
    {
        "camera_id", "location_text", "borough", "operator", "control_room_id", "make", "model",
        "vms", "fault_notes", "custodian",
    }
)  # fmt: skip


def field_kind(name: str) -> str:
    """Kind of an import field: str, float, int, bool, enum, list, heading."""
    if name in LOCATION_FIELDS:
        return "float"
    if name == "heading_deg":
        return "heading"
    if name in STRING_FIELDS:
        return "str"
    kind = storage_kind(Camera, name)
    if kind == "str":
        return "enum"
    return kind


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed cell: the value for the model and an optional note (a warning)."""

    value: Any
    note: str | None = None


def parse_number(text: str) -> float | None:
    """A number from cell text, allowing a decimal comma and a trailing unit; None if unreadable."""
    match = _NUMBER.match(text)
    if not match:
        return None
    return float(match.group(1).replace(",", "."))


def parse_heading(text: str) -> Parsed:
    """A compass bearing [°] from degrees, compass letters (``NE``) or a range (``90-180``).

    A range is read clockwise from its first to its second end and replaced by its
    midpoint, with a note. ``360`` reads as ``0``.
    """
    text = text.strip()
    if ";" in text:
        first = text.split(";")[0]
        got = parse_heading(first)
        return Parsed(got.value, f"several directions {text!r}; the first ({first}) is used")
    single = _single_bearing(text)
    if single is not None:
        return Parsed(0.0 if single == 360.0 else single)
    for dash in re.finditer(r"[-–]", text):
        a, b = _single_bearing(text[: dash.start()]), _single_bearing(text[dash.end() :])
        if a is not None and b is not None and dash.start() > 0:
            span = (b - a) % 360.0 or (360.0 if a != b else 0.0)
            mid = (a + span / 2.0) % 360.0
            note = f"direction range {text!r} read as its midpoint {mid:g}°"
            return Parsed(round(mid, 6) % 360.0, note)
    return Parsed(text)


def _single_bearing(text: str) -> float | None:
    word = re.sub(r"[^a-z]", "", text.lower())
    letters = COMPASS_WORDS.get(word, text.strip().upper())
    if letters in COMPASS:
        return COMPASS[letters]
    return parse_number(text)


def parse_cell(name: str, text: str) -> Parsed:
    """Parse the (non-blank) cell text of import field ``name`` for the Camera model."""
    kind = field_kind(name)
    text = text.strip()
    if kind == "str":
        return Parsed(text)
    if kind == "heading":
        return parse_heading(text)
    if kind in ("float", "int"):
        number = parse_number(text)
        if number is None:
            return Parsed(text)
        if kind == "int" and number.is_integer():
            return Parsed(int(number))
        return Parsed(number)
    if kind == "bool":
        flag = BOOL_WORDS.get(text.lower())
        if flag is None and name == "ptz":
            flag = PTZ_WORDS.get(" ".join(text.lower().split()))
        return Parsed(text if flag is None else flag)
    if kind == "date":
        # Imported here while values.py is shared work in progress; cheap after first use.
        from cctvscope.ingest.values import parse_date

        day = parse_date(text)
        return Parsed(text if day is None else day)
    if kind == "list":
        if name == "onvif_profiles":
            text = re.sub(r"(?i)profile\s*", "", text)
        items = [v for v in _LIST_SPLIT.split(text) if v and v.lower() != "none"]
        return Parsed(tuple(_enum_text(name, v) for v in items))
    return Parsed(_enum_text(name, text))


def _enum_text(name: str, text: str) -> str:
    if name == "onvif_profiles":
        upper = text.upper().removeprefix("PROFILE").strip()
        return upper if upper in OnvifProfile.__members__ else text
    lower = text.lower()
    return SYNONYMS.get(name, {}).get(lower, lower)


def default_cell(name: str, value: Any) -> Any:
    """An assumptions-file default converted for the Camera model (lists split)."""
    if field_kind(name) == "list":
        return tuple(v for v in _LIST_SPLIT.split(str(value or "")) if v)
    return value


def enum_values(name: str) -> list[str]:
    """Allowed values of an enumerated (or list-of-enum) Camera field; [] for other fields."""
    ann: Any = Camera.model_fields[name].annotation
    if typing.get_origin(ann) is tuple:
        ann = typing.get_args(ann)[0]
    if isinstance(ann, type) and issubclass(ann, Enum):
        return [str(m.value) for m in ann]
    return []
