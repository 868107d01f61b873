"""One vectorised check per rule of the evidential standard.

Each function is registered with :func:`cctvscope.standards.registry.check`
under its rule id and returns one row per in-service camera (borough rules: one
row per borough) with an outcome of ``pass``, ``fail`` or ``unknown`` and a
message that states the value found against the threshold. Cameras that are
decommissioned or planned are excluded before checks run (see
:data:`~cctvscope.standards.registry.EXCLUDED_STATUSES`).

Rules that apply to a recording system or a control room are assessed through
the cameras they serve (the standard's scope: "recording systems are assessed
through the cameras they record"), so every camera carries an outcome for them.

Each check declares the camera attributes it reads (``inputs``): where one was
filled from the assumptions-file defaults, the registry answers ``unknown`` for
that camera (see :func:`cctvscope.standards.registry.run_check`). IQ-01 also
reads ``owner_type`` (the purpose), which is a classification rather than a
measurement and is not declared. EX-03 reads no inventory attribute and
declares none; CoP is a borough rule.

Clause references are to ``standards/data/london-v1.yaml`` and the sources it
cites (``docs/domain-research.md``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from cctvscope.coverage.detail import ptz_reach_m
from cctvscope.standards.registry import CheckContext, check
from cctvscope.standards.spec import Rule

StrArray = npt.NDArray[np.str_]

ANALOGUE_MESSAGE = "analogue: no ONVIF"

ONVIF_INPUTS = ("onvif_profiles", "signal")
"""Camera attributes the ONVIF checks read."""


def _camera_result(
    ctx: CheckContext, outcome: npt.ArrayLike, message: pd.Series | npt.ArrayLike
) -> pd.DataFrame:
    """The result frame of a camera-assessed check, in camera order."""
    msg = message.to_numpy(dtype=object) if isinstance(message, pd.Series) else message
    return pd.DataFrame(
        {
            "entity_type": "camera",
            "entity_id": ctx.cameras["camera_id"].to_numpy(dtype=object),
            "outcome": np.asarray(outcome, dtype=object),
            "message": np.asarray(msg, dtype=object),
        }
    )


def _pass_fail(ok: npt.ArrayLike) -> StrArray:
    return np.where(np.asarray(ok, dtype=bool), "pass", "fail")


def _num(values: pd.Series) -> pd.Series:
    """Numbers as short text (``12.5``, ``6``, ``704``)."""
    return values.map("{:g}".format).astype(object)


def _contains(list_cells: pd.Series, item: str) -> pd.Series:
    """Whether each ``;``-separated list cell holds ``item`` (exact token match)."""
    padded = ";" + list_cells.fillna("").astype(str) + ";"
    return padded.str.contains(f";{item};", regex=False)


def _contains_any(list_cells: pd.Series, items: tuple[str, ...] | list[str]) -> pd.Series:
    found = pd.Series(False, index=list_cells.index)
    for item in items:
        found |= _contains(list_cells, str(item))
    return found


@check(
    "IQ-01",
    thresholds=("purposes", "purpose_by_owner"),
    inputs=("resolution_h_px", "hfov_deg", "ptz", "ptz_max_zoom"),
)
def image_detail_at_purpose(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """IQ-01: the camera reaches its purpose's BS EN 62676-4 density at the purpose distance.

    The purpose comes from ``purpose_by_owner`` (owner type → entrance, street
    or wide_area); the purpose gives the density ``px_per_m`` and the distance
    ``distance_m``. The reach is D = N / (2·PPM·tan(HFOV/2))
    (:func:`cctvscope.coverage.detail.detail_distance_m`, BS EN 62676-4:2015
    image-detail levels); the camera passes if reach ≥ distance. Reach is
    optical: no usable-range cap is applied, as purpose distances (≤ 30 m) sit
    well inside it.

    A PTZ camera is credited with its fully zoomed reach
    (:func:`~cctvscope.coverage.detail.ptz_reach_m`): it can zoom onto the
    purpose, but watches one place at a time, which coverage analyses count
    separately. Cameras whose owner type has no purpose are ``unknown``.
    """
    cams = ctx.cameras
    purposes = rule.thresholds["purposes"]
    purpose = cams["owner_type"].map(dict(rule.thresholds["purpose_by_owner"]))
    px = purpose.map({k: float(v["px_per_m"]) for k, v in purposes.items()}).astype(float)
    need = purpose.map({k: float(v["distance_m"]) for k, v in purposes.items()}).astype(float)
    level = purpose.map({k: str(v["level"]) for k, v in purposes.items()})
    known = px.notna().to_numpy()
    reach = np.full(len(cams), np.nan)
    if known.any():
        zoom = np.where(cams["ptz"].to_numpy(bool), cams["ptz_max_zoom"].to_numpy(float), 1.0)
        reach[known] = ptz_reach_m(
            cams["resolution_h_px"].to_numpy(float)[known],
            cams["hfov_deg"].to_numpy(float)[known],
            zoom[known],
            px.to_numpy(float)[known],
        ).zoomed_m
    reach_s = pd.Series(reach, index=cams.index)
    ok = reach_s >= need
    outcome = np.where(known, _pass_fail(ok), "unknown")
    ptz_note = np.where(cams["ptz"].to_numpy(bool), " (PTZ fully zoomed)", "")
    message: pd.Series = (
        purpose.fillna("")
        + " ("
        + level.fillna("")
        + ", "
        + _num(px.fillna(0))
        + " px/m): reach "
        + reach_s.round(1).astype(str)
        + " m"
        + ptz_note
        + np.where(ok, " ≥ ", " < ")
        + "need "
        + _num(need.fillna(0))
        + " m"
    )
    unknown_msg = "no purpose defined for owner type " + cams["owner_type"].astype(str)
    return _camera_result(ctx, outcome, message.where(known, unknown_msg))


@check("IQ-02", thresholds=("min_fps",), inputs=("fps",))
def recorded_frame_rate(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """IQ-02: recorded frame rate ≥ ``min_fps`` [frames/s] (Fife Police: 6 images/s)."""
    fps = ctx.cameras["fps"].astype(float)
    minimum = float(rule.thresholds["min_fps"])
    ok = fps >= minimum
    message: pd.Series = "fps " + _num(fps) + np.where(ok, " ≥ ", " < ") + f"minimum {minimum:g}"
    recommended = rule.thresholds.get("recommended_fps")
    if recommended is not None:
        below = ok & (fps < float(recommended))
        message = message.where(~below, message + f" (below recommended {float(recommended):g})")
    return _camera_result(ctx, _pass_fail(ok), message)


@check("IQ-03", thresholds=("min_h_px", "min_v_px"), inputs=("resolution_h_px", "resolution_v_px"))
def recorded_resolution(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """IQ-03: recorded resolution at least ``min_h_px`` × ``min_v_px`` [px] (2CIF, Fife Police)."""
    h = ctx.cameras["resolution_h_px"].astype(int)
    v = ctx.cameras["resolution_v_px"].astype(int)
    min_h, min_v = int(rule.thresholds["min_h_px"]), int(rule.thresholds["min_v_px"])
    ok = (h >= min_h) & (v >= min_v)
    message: pd.Series = (
        "resolution "
        + h.astype(str)
        + "x"
        + v.astype(str)
        + np.where(ok, " meets ", " below ")
        + f"minimum {min_h}x{min_v}"
    )
    return _camera_result(ctx, _pass_fail(ok), message)


@check("IQ-04", thresholds=("codecs",), inputs=("codec",))
def compression(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """IQ-04: a standard codec (NISTIR 8161 Rev.1 export profile; HO/ACPO leaflet item 4)."""
    codecs = [str(c) for c in rule.thresholds["codecs"]]
    codec = ctx.cameras["codec"].astype(str)
    ok = codec.isin(codecs)
    message: pd.Series = (
        "codec " + codec + np.where(ok, " is ", " is not ") + "one of " + ", ".join(codecs)
    )
    return _camera_result(ctx, _pass_fail(ok), message)


@check("TS-01", thresholds=("sync_methods",), inputs=("time_sync",))
def time_synchronisation(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """TS-01: the recorder clock is kept by one of ``sync_methods`` (HO/ACPO leaflet item 3).

    The clock offset itself (``max_offset_s``) is not in inventories; the check
    assesses the synchronisation method only and says so.
    """
    methods = [str(m) for m in rule.thresholds["sync_methods"]]
    sync = ctx.cameras["time_sync"].astype(str)
    ok = sync.isin(methods)
    message: pd.Series = (
        "time sync "
        + sync
        + np.where(ok, " is ", " is not ")
        + "one of "
        + ", ".join(methods)
        + " (clock offset not recorded)"
    )
    return _camera_result(ctx, _pass_fail(ok), message)


@check("RT-01", thresholds=("min_days",), inputs=("retention_days",))
def retention(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """RT-01: recordings kept ≥ ``min_days`` [days] (HO/ACPO leaflet item 8: 31 days)."""
    days = ctx.cameras["retention_days"].astype(int)
    minimum = int(rule.thresholds["min_days"])
    ok = days >= minimum
    message: pd.Series = (
        "retention " + days.astype(str) + np.where(ok, " ≥ ", " < ") + f"{minimum} days"
    )
    return _camera_result(ctx, _pass_fail(ok), message)


def _export_check(ctx: CheckContext, formats: list[str], what: str) -> pd.DataFrame:
    """Pass if any declared export format is in ``formats``; none declared → unknown."""
    cells = ctx.cameras["export_formats"].fillna("").astype(str)
    declared = cells.str.len() > 0
    ok = _contains_any(cells, formats)
    outcome = np.where(declared, _pass_fail(ok), "unknown")
    message: pd.Series = (
        "exports "
        + cells.str.replace(";", ", ", regex=False)
        + np.where(ok, ": includes ", ": no ")
        + what
        + " ("
        + ", ".join(formats)
        + ")"
    )
    return _camera_result(ctx, outcome, message.where(declared, "export formats not declared"))


@check("EX-01", thresholds=("open_formats",), inputs=("export_formats",))
def open_export(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """EX-01: exports in an open playable format (HO/ACPO leaflet items 13-14; NISTIR 8161)."""
    formats = [str(f) for f in rule.thresholds["open_formats"]]
    return _export_check(ctx, formats, "open format")


@check("EX-02", thresholds=("master_formats",), inputs=("export_formats",))
def native_master(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """EX-02: exports a bit-for-bit master (NPCC Recovery and Acquisition of Video Evidence)."""
    formats = [str(f) for f in rule.thresholds["master_formats"]]
    return _export_check(ctx, formats, "master format")


@check("EX-03", thresholds=("algorithm",))
def integrity_hash(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """EX-03: exports carry a hash of the master (ACPO principles 1 and 3).

    No inventory field records export hashing, so every camera is ``unknown``
    until its recording system declares it.
    """
    algorithm = str(rule.thresholds["algorithm"]).upper().replace("SHA", "SHA-")
    message = f"{algorithm} export hashing is not recorded: the recording system must declare it"
    return _camera_result(
        ctx, np.full(len(ctx.cameras), "unknown"), np.full(len(ctx.cameras), message)
    )


def _onvif_check(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """Pass if an IP camera claims ONVIF ``profile``; analogue cameras fail (no ONVIF)."""
    profile = str(rule.thresholds["profile"])
    cells = ctx.cameras["onvif_profiles"].fillna("").astype(str)
    analogue = (ctx.cameras["signal"].astype(str) == "analogue").to_numpy()
    ok = _contains(cells, profile).to_numpy() & ~analogue
    claimed = cells.str.replace(";", ", ", regex=False).where(cells.str.len() > 0, "none")
    message: pd.Series = (
        "claims ONVIF profiles "
        + claimed
        + np.where(ok, f": includes {profile}", f": no Profile {profile}")
    )
    return _camera_result(ctx, _pass_fail(ok), message.where(~analogue, ANALOGUE_MESSAGE))


@check("IO-01", thresholds=("profile",), inputs=ONVIF_INPUTS)
def onvif_profile_s(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """IO-01: ONVIF Profile S, video streaming (onvif.org/profiles)."""
    return _onvif_check(ctx, rule)


@check("IO-02", thresholds=("profile",), inputs=ONVIF_INPUTS)
def onvif_profile_g(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """IO-02: ONVIF Profile G, recording search, replay and export (onvif.org/profiles)."""
    return _onvif_check(ctx, rule)


@check("IO-03", thresholds=("profile",), inputs=ONVIF_INPUTS)
def onvif_profile_t(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """IO-03: ONVIF Profile T, H.265 and events (onvif.org/profiles)."""
    return _onvif_check(ctx, rule)


@check(
    "OP-01",
    thresholds=("min_hours_per_day", "min_operator_positions"),
    inputs=("control_room_id",),
)
def operator_on_site(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """OP-01: the camera's control room is staffed to export (HO/ACPO leaflet items 10-12).

    The camera's ``control_room_id`` gives the room; it passes if the room is
    staffed ≥ ``min_hours_per_day`` [h/day] with ≥ ``min_operator_positions``
    positions (and ≥ ``min_days_per_week`` [days/wk] where the standard sets
    it). A camera with no room, or a room not in the estate, is ``unknown``.
    """
    cams = ctx.cameras
    rooms = pd.DataFrame(ctx.estate.control_rooms).drop_duplicates("room_id").set_index("room_id")
    room_id = cams["control_room_id"]
    has_id = room_id.notna() & (room_id.astype(str) != "")
    hours = room_id.map(rooms["hours_per_day"]).astype(float)
    positions = room_id.map(rooms["operator_positions"]).astype(float)
    found = has_id & hours.notna()
    min_h = float(rule.thresholds["min_hours_per_day"])
    min_p = int(rule.thresholds["min_operator_positions"])
    ok = (hours >= min_h) & (positions >= min_p)
    message: pd.Series = (
        "room "
        + room_id.astype(str)
        + " staffed "
        + _num(hours.fillna(0))
        + " h/day, "
        + _num(positions.fillna(0))
        + " positions"
        + np.where(ok, " meets ", " below ")
        + f"{min_h:g} h/day, {min_p} position(s)"
    )
    min_days = rule.thresholds.get("min_days_per_week")
    if min_days is not None:
        days = room_id.map(rooms["days_per_week"]).astype(float)
        short = ok & (days < float(min_days))
        ok &= ~short
        message = message.where(~short, message + f" but {float(min_days):g} days/wk not met")
    outcome = np.where(found, _pass_fail(ok), "unknown")
    message = message.where(found, "control room " + room_id.astype(str) + " not in the estate")
    message = message.where(has_id, "not monitored by a control room")
    return _camera_result(ctx, outcome, message)


@check("CoP", thresholds=("min_score_share",))
def code_of_practice(ctx: CheckContext, rule: Rule) -> pd.DataFrame:
    """CoP: the borough's Code of Practice self-assessment score share ≥ ``min_score_share``.

    Scores (share of the 12 principles met, 0-1; Surveillance Camera Code of
    Practice and SCC Self-Assessment Tool) are not in inventories: the caller
    passes them as ``cop_scores``. A borough without a score is ``unknown``.
    Boroughs are those of the estate's borough table and of its cameras.
    """
    codes = set(pd.DataFrame(ctx.estate.boroughs).get("gss_code", pd.Series(dtype=object)))
    codes |= set(ctx.cameras["borough_code"].astype(str))
    boroughs = sorted(str(c) for c in codes)
    minimum = float(rule.thresholds["min_score_share"])
    outcomes: list[str] = []
    messages: list[str] = []
    for code in boroughs:
        score = ctx.cop_scores.get(code)
        if score is None:
            outcomes.append("unknown")
            messages.append("no Code of Practice self-assessment score supplied")
            continue
        ok = float(score) >= minimum
        outcomes.append("pass" if ok else "fail")
        messages.append(f"self-assessment score {score:.0%} {'≥' if ok else '<'} {minimum:.0%}")
    return pd.DataFrame(
        {
            "entity_type": "borough",
            "entity_id": pd.Series(boroughs, dtype=object),
            "outcome": pd.Series(outcomes, dtype=object),
            "message": pd.Series(messages, dtype=object),
        }
    )
