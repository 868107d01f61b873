"""Judge a camera's measured values against the standard's rules, per camera.

The estate checks (:mod:`cctvscope.standards.checks`) judge what the inventory
says; these judge what the device said during a live ONVIF audit, with the same
rules and thresholds of the standard passed in:

- TS-01: the clock offset against the auditing machine within ``max_offset_s``,
  and the clock kept by one of ``sync_methods`` (the device's ``DateTimeType``);
- IQ-02: the frame rate (the stream's measured rate, else the encoder's limit) at
  least ``min_fps``, and no gap in the measured stream longer than the footage
  audit's limit (``DEFAULT_MAX_GAP_S``);
- IQ-03: the resolution at least ``min_h_px`` x ``min_v_px``;
- IO-01..03: the conformance profile in the device's ``Profile/...`` scopes.

A value the device did not give leaves its rule ``unknown``, never passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cctvscope.ingest.onvif_reconcile import measured_values
from cctvscope.ingest.onvif_records import DeviceReading
from cctvscope.model.frames import LIST_SEPARATOR
from cctvscope.standards.footage import DEFAULT_MAX_GAP_S
from cctvscope.standards.spec import Standard

#: Rules a live audit judges, in report order.
LIVE_RULES: tuple[str, ...] = ("TS-01", "IQ-02", "IQ-03", "IO-01", "IO-02", "IO-03")

Outcome = Literal["pass", "fail", "unknown"]


@dataclass(frozen=True, slots=True)
class RuleVerdict:
    """One rule's outcome for one camera, with the measured value it rests on."""

    rule_id: str
    outcome: Outcome
    message: str


def _missing(rule_id: str, t: Mapping[str, Any], *keys: str) -> RuleVerdict | None:
    """``unknown`` when the standard's rule lacks a threshold this judgement needs."""
    absent = [k for k in keys if k not in t]
    if absent:
        return RuleVerdict(rule_id, "unknown", f"the standard gives no {', '.join(absent)}")
    return None


def _ts01(reading: DeviceReading, t: Mapping[str, Any]) -> RuleVerdict:
    offset = reading.clock_offset_s
    if offset is None:
        return RuleVerdict("TS-01", "unknown", "clock not read")
    if missing := _missing("TS-01", t, "max_offset_s"):
        return missing
    limit = float(t["max_offset_s"])
    methods = [str(m) for m in t.get("sync_methods", [])]
    mode = reading.clock.mode if reading.clock else None
    problems = []
    if abs(offset) > limit:
        problems.append(f"clock offset {offset:+.1f} s exceeds ±{limit:g} s")
    if methods and mode is not None and mode not in methods:
        problems.append(f"clock set {mode}, not by {' or '.join(methods)}")
    if problems:
        return RuleVerdict("TS-01", "fail", "; ".join(problems))
    return RuleVerdict("TS-01", "pass", f"clock offset {offset:+.1f} s ({mode or 'mode unknown'})")


def _iq02(reading: DeviceReading, values: Mapping[str, Any], t: Mapping[str, Any]) -> RuleVerdict:
    fps = values.get("fps")
    if fps is None:
        return RuleVerdict("IQ-02", "unknown", "frame rate not given")
    if missing := _missing("IQ-02", t, "min_fps"):
        return missing
    minimum = float(t["min_fps"])
    message = f"{float(fps):g} fps (minimum {minimum:g})"
    # Continuity, as the footage audit judges it: a gap longer than its limit loses the moment.
    gaps = [g for g in (reading.stream.gaps if reading.stream else ()) if g[1] > DEFAULT_MAX_GAP_S]
    if gaps:
        time_s, length_s = max(gaps, key=lambda g: g[1])
        message += f"; stream gap of {length_s:g} s at {time_s:g} s (limit {DEFAULT_MAX_GAP_S:g} s)"
    outcome: Outcome = "pass" if float(fps) >= minimum and not gaps else "fail"
    return RuleVerdict("IQ-02", outcome, message)


def _iq03(values: Mapping[str, Any], t: Mapping[str, Any]) -> RuleVerdict:
    if "resolution_h_px" not in values:
        return RuleVerdict("IQ-03", "unknown", "resolution not given")
    if missing := _missing("IQ-03", t, "min_h_px", "min_v_px"):
        return missing
    h, v = int(values["resolution_h_px"]), int(values["resolution_v_px"])
    min_h, min_v = int(t["min_h_px"]), int(t["min_v_px"])
    outcome: Outcome = "pass" if h >= min_h and v >= min_v else "fail"
    return RuleVerdict("IQ-03", outcome, f"{h}x{v} (minimum {min_h}x{min_v})")


def _profile(rule_id: str, values: Mapping[str, Any], t: Mapping[str, Any]) -> RuleVerdict:
    if missing := _missing(rule_id, t, "profile"):
        return missing
    wanted = str(t["profile"])
    if "onvif_profiles" not in values:
        return RuleVerdict(rule_id, "unknown", "no ONVIF scopes given")
    claimed = [p for p in str(values["onvif_profiles"]).split(LIST_SEPARATOR) if p]
    if wanted in claimed:
        return RuleVerdict(rule_id, "pass", f"Profile {wanted} claimed")
    return RuleVerdict(
        rule_id, "fail", f"Profile {wanted} not claimed ({', '.join(claimed) or 'none'})"
    )


def judge_reading(reading: DeviceReading, standard: Standard) -> tuple[RuleVerdict, ...]:
    """The :data:`LIVE_RULES` the standard has, judged on one reading's measured values.

    A device that did not answer gets no verdicts: compliance is confirmed only on
    what a camera said.
    """
    if reading.status != "ok":
        return ()
    values = measured_values(reading)
    present = set(standard.rule_ids)
    verdicts: list[RuleVerdict] = []
    for rule_id in LIVE_RULES:
        if rule_id not in present:
            continue
        t = standard.rule(rule_id).thresholds
        if rule_id == "TS-01":
            verdicts.append(_ts01(reading, t))
        elif rule_id == "IQ-02":
            verdicts.append(_iq02(reading, values, t))
        elif rule_id == "IQ-03":
            verdicts.append(_iq03(values, t))
        else:
            verdicts.append(_profile(rule_id, values, t))
    return tuple(verdicts)


def confirmed(verdicts: tuple[RuleVerdict, ...]) -> bool:
    """True when every rule judged passed: compliance confirmed on measured values."""
    return bool(verdicts) and all(v.outcome == "pass" for v in verdicts)


__all__ = ["LIVE_RULES", "Outcome", "RuleVerdict", "confirmed", "judge_reading"]
