"""Reconcile what cameras say over ONVIF with what the inventory says about them.

Pure functions over the readings of a live audit (:class:`DeviceReading`) and an
estate's camera table. Each reading is matched to an inventory camera by the
camera id its target named, or else by the device's ONVIF ``name`` scope; then
:func:`reconcile` sorts every device into ``matched``, ``unknown`` (answers, not
in the inventory), ``offline`` (in the inventory, silent), ``auth_failed`` or
``error``, and lists each attribute whose measured value differs from the
inventory's. :func:`apply_measurements` writes the measured values into a copy of
the camera table, naming them in ``measured_fields`` with the audit's time, and
fills the lens attributes the catalogue knows for the measured make and model.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from cctvscope.ingest.onvif_records import DeviceReading
from cctvscope.model.enums import Codec, Signal
from cctvscope.model.frames import LIST_SEPARATOR

#: Where a device stands against the inventory.
MatchStatus = Literal["matched", "unknown", "offline", "auth_failed", "error", "unreachable"]

#: Attributes a live audit measures, in table order.
LIVE_ATTRIBUTES: tuple[str, ...] = (
    "make",
    "model",
    "resolution_h_px",
    "resolution_v_px",
    "fps",
    "codec",
    "onvif_profiles",
    "time_sync",
    "ptz",
    "signal",
)

#: Attributes the catalogue fills for a measured make and model (where the inventory defaulted
#: them).
CATALOGUE_LENS_ATTRIBUTES: tuple[str, ...] = ("hfov_deg", "ir_range_m")

#: Frame rates closer than this are the same [frames/s]: a stream's measured rate wobbles.
FPS_TOLERANCE = 0.5

#: Columns of :func:`reconciliation_table`, in order.
TABLE_COLUMNS: tuple[str, ...] = (
    "camera_id",
    "address",
    "status",
    "make_model",
    "resolution",
    "fps",
    "codec",
    "clock_offset_s",
    "onvif_profiles",
    "differences",
)

_STREAM_CODECS: dict[str, str] = {
    "h264": Codec.H264.value,
    "h265": Codec.H265.value,
    "hevc": Codec.H265.value,
    "mjpeg": Codec.MJPEG.value,
    "mpeg4": Codec.MPEG4.value,
}


@dataclass(frozen=True, slots=True)
class Difference:
    """One attribute where the inventory and the device disagree."""

    attribute: str
    inventory: str
    measured: str

    def __str__(self) -> str:
        return f"{self.attribute}: {self.inventory or '(blank)'} → {self.measured}"


@dataclass(frozen=True, slots=True)
class ReconciledDevice:
    """One device against the inventory: its status, measured values and differences."""

    reading: DeviceReading
    camera_id: str
    status: MatchStatus
    measured: Mapping[str, Any]
    differences: tuple[Difference, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Every audited device against the inventory, and the inventory cameras not audited."""

    devices: tuple[ReconciledDevice, ...]
    not_audited: tuple[str, ...]

    def count(self, status: MatchStatus) -> int:
        """How many devices have ``status``."""
        return sum(1 for d in self.devices if d.status == status)


def measured_values(reading: DeviceReading) -> dict[str, Any]:
    """The estate attributes a reading gives, as the camera table stores them.

    The stream, when one was measured, wins over the encoder configuration: it is
    what the camera actually sends (the configured frame rate is a limit).
    """
    if reading.status != "ok":
        return {}
    out: dict[str, Any] = {"signal": Signal.IP.value}
    if reading.info is not None:
        if reading.info.manufacturer:
            out["make"] = reading.info.manufacturer
        if reading.info.model:
            out["model"] = reading.info.model
    main = reading.main_profile
    stream = reading.stream
    width = stream.width_px if stream else main.width_px if main else None
    height = stream.height_px if stream else main.height_px if main else None
    if width and height:
        out["resolution_h_px"], out["resolution_v_px"] = int(width), int(height)
    fps = stream.measured_fps if stream and stream.measured_fps else main.fps if main else None
    if fps:
        out["fps"] = round(float(fps), 2)
    codec = _STREAM_CODECS.get(stream.codec, Codec.OTHER.value) if stream else None
    if codec is None and main is not None and main.codec is not None:
        codec = main.codec.value
    if codec:
        out["codec"] = codec
    if reading.scopes:
        out["onvif_profiles"] = LIST_SEPARATOR.join(p.value for p in reading.onvif_profiles)
    if reading.clock is not None and reading.clock.mode is not None:
        out["time_sync"] = reading.clock.mode
    if reading.ptz is not None:
        out["ptz"] = bool(reading.ptz)
    return out


def _same(attribute: str, inventory: Any, measured: Any) -> bool:
    if attribute == "fps":
        try:
            return abs(float(inventory) - float(measured)) <= FPS_TOLERANCE
        except (TypeError, ValueError):
            return False
    if attribute == "onvif_profiles":
        return set(_cells(inventory)) == set(_cells(measured))
    if attribute == "ptz":
        return bool(inventory) == bool(measured)
    if attribute in ("resolution_h_px", "resolution_v_px"):
        return _show(inventory) == _show(measured)
    return _show(inventory).casefold() == _show(measured).casefold()


def _cells(value: Any) -> list[str]:
    return [v for v in _show(value).split(LIST_SEPARATOR) if v]


def _show(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def differences(
    inventory: Mapping[str, Any], measured: Mapping[str, Any]
) -> tuple[Difference, ...]:
    """Attributes whose measured value differs from the inventory's, in table order."""
    return tuple(
        Difference(name, _show(inventory.get(name)), _show(measured[name]))
        for name in LIVE_ATTRIBUTES
        if name in measured and not _same(name, inventory.get(name), measured[name])
    )


def _status(reading: DeviceReading, listed: bool) -> MatchStatus:
    if reading.status == "ok":
        return "matched" if listed else "unknown"
    if reading.status == "offline":
        return "offline" if listed else "unreachable"
    return reading.status


def reconcile(readings: Sequence[DeviceReading], cameras: pd.DataFrame) -> Reconciliation:
    """Match ``readings`` to the inventory's ``cameras`` and compare their attributes."""
    rows = {str(cid): i for i, cid in enumerate(cameras["camera_id"].astype(str))}
    devices: list[ReconciledDevice] = []
    seen: set[str] = set()
    matched_by: dict[str, str] = {}
    for reading in readings:
        camera_id = reading.camera_id if reading.camera_id in rows else ""
        if not camera_id and reading.name_scope in rows:
            camera_id = reading.name_scope
        note = ""
        if camera_id in matched_by:  # two devices claim one record: neither value is trusted
            note = f"{camera_id} already matched by {matched_by[camera_id]}"
            camera_id = ""
        elif camera_id and reading.status == "ok":
            matched_by[camera_id] = reading.address
        listed = bool(camera_id)
        measured = measured_values(reading)
        diffs: tuple[Difference, ...] = ()
        if listed:
            seen.add(camera_id)
            inventory = {str(k): v for k, v in cameras.iloc[rows[camera_id]].items()}
            diffs = differences(inventory, measured)
        devices.append(
            ReconciledDevice(
                reading=reading,
                camera_id=camera_id or reading.camera_id,
                status=_status(reading, listed),
                measured=measured,
                differences=diffs,
                note=note,
            )
        )
    not_audited = tuple(cid for cid in rows if cid not in seen)
    return Reconciliation(devices=tuple(devices), not_audited=not_audited)


def _resolution(values: Mapping[str, Any]) -> str:
    if "resolution_h_px" not in values:
        return ""
    return f"{values['resolution_h_px']}x{values['resolution_v_px']}"


def reconciliation_table(result: Reconciliation) -> pd.DataFrame:
    """One row per device (columns :data:`TABLE_COLUMNS`), as the CLI and docs show it."""
    records = []
    for device in result.devices:
        values = device.measured
        offset = device.reading.clock_offset_s
        make_model = " ".join(v for v in (values.get("make", ""), values.get("model", "")) if v)
        records.append(
            {
                "camera_id": device.camera_id,
                "address": device.reading.address,
                "status": device.status,
                "make_model": make_model,
                "resolution": _resolution(values),
                "fps": _show(values.get("fps")),
                "codec": _show(values.get("codec")),
                "clock_offset_s": "" if offset is None else f"{offset:+.1f}",
                "onvif_profiles": _show(values.get("onvif_profiles")),
                "differences": "; ".join(
                    [str(d) for d in device.differences]
                    + [t for t in (device.note, device.reading.message) if t]
                ),
            }
        )
    return pd.DataFrame(records, columns=list(TABLE_COLUMNS))


def _edit_list(cell: Any, add: Sequence[str] = (), remove: Sequence[str] = ()) -> str:
    kept = [v for v in _cells(cell) if v not in remove and v not in add]
    return LIST_SEPARATOR.join(sorted({*kept, *add}))


def apply_measurements(
    cameras: pd.DataFrame,
    result: Reconciliation,
    measured_at: dt.datetime,
    catalogue: Mapping[str, Mapping[str, float | None]] | None = None,
) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]]]:
    """A copy of ``cameras`` with each matched camera's measured values written in.

    The written attributes are named in ``measured_fields`` (replacing an earlier
    audit's list), with ``measured_at`` the audit's time in ISO 8601 UTC, and leave
    ``defaulted_fields`` and ``catalogue_fields``. ``catalogue`` maps a camera id to
    the lens attributes (:data:`CATALOGUE_LENS_ATTRIBUTES`) the camera-model catalogue
    gives for its measured make and model: they fill the attributes the inventory had
    only as defaults. A fixed camera
    (no PTZ) gets zoom ratio 1, which the model requires.

    Returns
    -------
    The new camera table and, per changed camera id, the attributes written.
    """
    out = cameras.copy()
    rows = {str(cid): i for i, cid in enumerate(out["camera_id"].astype(str))}
    stamp = measured_at.astimezone(dt.UTC).isoformat(timespec="seconds")
    written: dict[str, tuple[str, ...]] = {}
    for device in result.devices:
        if device.status != "matched" or not device.measured:
            continue
        index = out.index[rows[device.camera_id]]
        values = dict(device.measured)
        if values.get("ptz") is False:
            values["ptz_max_zoom"] = 1.0
        for name, value in values.items():
            out.at[index, name] = value
        names = tuple(values)
        out.at[index, "measured_fields"] = _edit_list("", add=names)
        out.at[index, "measured_at"] = stamp
        out.at[index, "defaulted_fields"] = _edit_list(
            out.at[index, "defaulted_fields"], remove=names
        )
        if "catalogue_fields" in out.columns:
            out.at[index, "catalogue_fields"] = _edit_list(
                out.at[index, "catalogue_fields"], remove=names
            )
        lens = _catalogue_lens(out, index, (catalogue or {}).get(device.camera_id))
        written[device.camera_id] = names + lens
    return out, written


def _catalogue_lens(
    out: pd.DataFrame, index: Any, match: Mapping[str, float | None] | None
) -> tuple[str, ...]:
    """Fill defaulted lens attributes from ``match``; the names filled."""
    if not match:
        return ()
    defaulted = _cells(out.at[index, "defaulted_fields"])
    filled: list[str] = []
    for name in CATALOGUE_LENS_ATTRIBUTES:
        value = match.get(name)
        if value is not None and (name in defaulted or _show(out.at[index, name]) == ""):
            out.at[index, name] = float(value)
            filled.append(name)
    if filled:
        out.at[index, "defaulted_fields"] = _edit_list(defaulted, remove=filled)
        out.at[index, "catalogue_fields"] = _edit_list(
            out.at[index, "catalogue_fields"], add=filled
        )
    return tuple(filled)


__all__ = [
    "CATALOGUE_LENS_ATTRIBUTES",
    "LIVE_ATTRIBUTES",
    "TABLE_COLUMNS",
    "Difference",
    "MatchStatus",
    "ReconciledDevice",
    "Reconciliation",
    "apply_measurements",
    "differences",
    "measured_values",
    "reconcile",
    "reconciliation_table",
]
