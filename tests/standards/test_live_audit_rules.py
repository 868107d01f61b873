"""Rules judged on a camera's measured ONVIF values, under two bundled standards."""

from __future__ import annotations

import dataclasses
import datetime as dt

from cctvscope.ingest.onvif_records import DeviceClock, DeviceReading, MediaProfile, StreamMeasure
from cctvscope.model.enums import Codec, OnvifProfile
from cctvscope.standards.live_audit import confirmed, judge_reading
from cctvscope.standards.spec import read_standard

UTC_NOON = dt.datetime(2026, 12, 4, 12, tzinfo=dt.UTC)


def _reading(offset_s: float, mode: str, width: int, height: int, fps: float) -> DeviceReading:
    profile = MediaProfile("p", "main", Codec.H264, "H264", width, height, fps, 1024, ptz=False)
    return DeviceReading(
        address="127.0.0.1:80",
        status="ok",
        clock=DeviceClock(UTC_NOON, mode),  # type: ignore[arg-type]
        clock_offset_s=offset_s,
        scopes=("onvif://www.onvif.org/Profile/Streaming", "onvif://www.onvif.org/Profile/G"),
        onvif_profiles=(OnvifProfile.S, OnvifProfile.G),
        media_profiles=(profile,),
    )


def _outcomes(reading: DeviceReading, standard: str) -> dict[str, str]:
    return {v.rule_id: v.outcome for v in judge_reading(reading, read_standard(standard))}


def test_thresholds_come_from_the_standard() -> None:
    # 30 s off on a manual clock, 704x288 at 6 fps: london-v1 wants NTP/GPS within 1 s;
    # national-minimum-v1 allows a manual clock within 60 s (its TS-01 thresholds).
    reading = _reading(30.0, "manual", 704, 288, 6.0)
    london = _outcomes(reading, "london-v1")
    national = _outcomes(reading, "national-minimum-v1")
    assert london == {
        "TS-01": "fail", "IQ-02": "pass", "IQ-03": "pass",
        "IO-01": "pass", "IO-02": "pass", "IO-03": "fail",
    }  # fmt: skip
    assert national["TS-01"] == "pass" and national["IQ-03"] == "pass"
    # Just below each minimum: 703 px wide, 5.9 fps.
    low = _outcomes(_reading(0.0, "ntp", 703, 288, 5.9), "london-v1")
    assert low["IQ-03"] == "fail" and low["IQ-02"] == "fail" and low["TS-01"] == "pass"


def test_silent_device_gets_no_verdict_and_missing_values_stay_unknown() -> None:
    standard = read_standard("london-v1")
    assert judge_reading(DeviceReading("127.0.0.1:80", "offline"), standard) == ()
    bare = DeviceReading("127.0.0.1:80", "ok")  # answered, but gave no clock, profile or scope
    verdicts = judge_reading(bare, standard)
    assert {v.outcome for v in verdicts} == {"unknown"} and not confirmed(verdicts)


def test_a_rule_without_its_threshold_is_unknown() -> None:
    standard = read_standard("london-v1")
    rules = tuple(
        dataclasses.replace(r, thresholds={}) if r.id == "IQ-03" else r for r in standard.rules
    )
    stripped = dataclasses.replace(standard, rules=rules)
    verdicts = {v.rule_id: v for v in judge_reading(_reading(0, "ntp", 1920, 1080, 25), stripped)}
    assert verdicts["IQ-03"].outcome == "unknown" and "min_h_px" in verdicts["IQ-03"].message


def test_a_gap_in_the_measured_stream_fails_iq02() -> None:
    # 25 fps with 15 frames missing after 0.36 s: the step is 16/25 s, the gap 16/25 - 1/25 = 0.6 s,
    # over the footage audit's 0.5 s limit; a 0.4 s gap is within it.
    def stream(gaps: tuple[tuple[float, float], ...]) -> StreamMeasure:
        return StreamMeasure(
            uri="http://127.0.0.1/s", codec="h264", width_px=1280, height_px=720,
            declared_fps=25.0, measured_fps=25.0, duration_s=2.0, frame_count=35, gaps=gaps,
            dropped_frames=15, sharpness_laplacian_var=500.0, noise_sigma=1.0,
        )  # fmt: skip

    standard = read_standard("london-v1")
    base = _reading(0.0, "ntp", 1280, 720, 25.0)
    gap = dataclasses.replace(base, stream=stream(((0.36, 0.6),)))
    short = dataclasses.replace(base, stream=stream(((0.36, 0.4),)))
    iq02 = {v.rule_id: v for v in judge_reading(gap, standard)}["IQ-02"]
    assert iq02.outcome == "fail" and "gap of 0.6 s at 0.36 s" in iq02.message
    assert {v.rule_id: v.outcome for v in judge_reading(short, standard)}["IQ-02"] == "pass"
