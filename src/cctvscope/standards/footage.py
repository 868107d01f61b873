"""Footage audit: measure a clip with PyAV and OpenCV and judge it against london-v1.

:func:`audit_clip` reads one video file, measures its container, codec, resolution,
frame timing, clock offset, image quality and the people in it, and gives a verdict
with reasons, each naming the rule of ``standards/data/london-v1.yaml`` it concerns.
Methods, thresholds and their calibration caveat: ``docs/footage-audit.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import av
import av.error
import numpy as np
import yaml

from cctvscope.errors import InputError
from cctvscope.standards.footage_metrics import (
    HO_CATEGORIES,
    Exposure,
    GrayFrame,
    PersonDetection,
    blockiness,
    category_rank,
    detect_people,
    exposure,
    noise_sigma,
    sharpness_laplacian_var,
)

__all__ = [
    "ClipAudit",
    "FootageRequirements",
    "PeopleSummary",
    "audit_clip",
    "load_london_standard",
]

#: Audit-only thresholds london-v1 lacks. Calibrated on the clips the tests generate
#: (704 x 288 H.264); they need calibration on real CCTV footage (domain research §2.5).
DEFAULT_MIN_SHARPNESS_LAPLACIAN_VAR = 100.0
DEFAULT_MAX_NOISE_SIGMA = 5.0
DEFAULT_MAX_BLOCKINESS = 1.2
DEFAULT_MAX_GAP_S = 0.5
DEFAULT_MAX_DROPPED_SHARE = 0.05
DEFAULT_MAX_DUPLICATED_SHARE = 0.10
DEFAULT_MAX_CLIPPED_SHARE = 0.25

#: A pts step longer than this many nominal intervals is a gap.
GAP_FACTOR = 1.5
#: Consecutive frames whose mean absolute luma difference is below this are duplicates.
DUPLICATE_MAX_MEAN_ABS_DIFF = 0.25

_CODEC_ALIASES = {"hevc": "h265", "h265": "h265", "h264": "h264", "avc": "h264"}


def load_london_standard() -> dict[str, Any]:
    """The bundled london-v1 standard, parsed."""
    text = (
        resources.files("cctvscope.standards")
        .joinpath("data/london-v1.yaml")
        .read_text(encoding="utf-8")
    )
    loaded = yaml.safe_load(text)
    if not isinstance(loaded, dict):
        raise ValueError("london-v1.yaml is not a mapping")
    return loaded


def _thresholds(standard: Mapping[str, Any], rule_id: str) -> Mapping[str, Any]:
    for rule in standard.get("rules", []):
        if isinstance(rule, Mapping) and rule.get("id") == rule_id:
            found = rule.get("thresholds", {})
            return found if isinstance(found, Mapping) else {}
    raise KeyError(f"rule {rule_id} not found in the standard")


@dataclass(frozen=True, slots=True)
class FootageRequirements:
    """Thresholds a clip must meet; the first group comes from the standard."""

    min_fps: float = 6.0
    recommended_fps: float = 12.5
    min_width_px: int = 704
    min_height_px: int = 288
    codecs: tuple[str, ...] = ("h264", "h265")
    max_clock_offset_s: float = 1.0
    open_formats: tuple[str, ...] = ("mp4", "onvif_export")
    #: IQ-01 level the camera's purpose needs (``identify``, ``recognise``, ``detect``),
    #: checked only against people detected; None skips the check.
    required_category: str | None = None
    min_sharpness_laplacian_var: float = DEFAULT_MIN_SHARPNESS_LAPLACIAN_VAR
    max_noise_sigma: float = DEFAULT_MAX_NOISE_SIGMA
    max_blockiness: float = DEFAULT_MAX_BLOCKINESS
    max_gap_s: float = DEFAULT_MAX_GAP_S
    max_dropped_share: float = DEFAULT_MAX_DROPPED_SHARE
    max_duplicated_share: float = DEFAULT_MAX_DUPLICATED_SHARE
    max_clipped_share: float = DEFAULT_MAX_CLIPPED_SHARE

    @classmethod
    def from_standard(
        cls,
        standard: Mapping[str, Any] | None = None,
        *,
        purpose: str | None = None,
        min_sharpness_laplacian_var: float = DEFAULT_MIN_SHARPNESS_LAPLACIAN_VAR,
        max_noise_sigma: float = DEFAULT_MAX_NOISE_SIGMA,
        max_blockiness: float = DEFAULT_MAX_BLOCKINESS,
        max_gap_s: float = DEFAULT_MAX_GAP_S,
        max_dropped_share: float = DEFAULT_MAX_DROPPED_SHARE,
        max_duplicated_share: float = DEFAULT_MAX_DUPLICATED_SHARE,
        max_clipped_share: float = DEFAULT_MAX_CLIPPED_SHARE,
    ) -> FootageRequirements:
        """Read IQ-01..04, TS-01 and EX-01 from a london-v1 mapping (default: the bundled one).

        ``purpose`` is a key of IQ-01's ``purposes`` (``entrance``, ``street``,
        ``wide_area``); it sets :attr:`required_category`.
        """
        std = load_london_standard() if standard is None else standard
        iq02, iq03, iq04 = (_thresholds(std, r) for r in ("IQ-02", "IQ-03", "IQ-04"))
        ts01, ex01 = _thresholds(std, "TS-01"), _thresholds(std, "EX-01")
        required: str | None = None
        if purpose is not None:
            purposes = _thresholds(std, "IQ-01").get("purposes", {})
            if purpose not in purposes:
                raise ValueError(f"unknown purpose {purpose!r}; known: {', '.join(purposes)}")
            required = str(purposes[purpose]["level"])
        return cls(
            min_fps=float(iq02["min_fps"]),
            recommended_fps=float(iq02.get("recommended_fps", iq02["min_fps"])),
            min_width_px=int(iq03["min_h_px"]),
            min_height_px=int(iq03["min_v_px"]),
            codecs=tuple(str(c).lower() for c in iq04["codecs"]),
            max_clock_offset_s=float(ts01["max_offset_s"]),
            open_formats=tuple(str(f).lower() for f in ex01["open_formats"]),
            required_category=required,
            min_sharpness_laplacian_var=min_sharpness_laplacian_var,
            max_noise_sigma=max_noise_sigma,
            max_blockiness=max_blockiness,
            max_gap_s=max_gap_s,
            max_dropped_share=max_dropped_share,
            max_duplicated_share=max_duplicated_share,
            max_clipped_share=max_clipped_share,
        )


@dataclass(frozen=True, slots=True)
class PeopleSummary:
    """HOG detections over the searched frames and the best Home Office category reached."""

    frames_searched: int
    detections: tuple[PersonDetection, ...]
    box_heights_px: tuple[int, ...]
    max_person_height_px: float | None
    best_category: str | None


@dataclass(frozen=True, slots=True)
class ClipAudit:
    """Measurements of one clip and its verdict against the standard."""

    path: str
    container_format: str
    codec: str
    width_px: int
    height_px: int
    declared_fps: float | None
    measured_fps: float | None
    frame_count: int
    bitrate_kbps: float | None
    duration_s: float
    gaps: tuple[tuple[float, float], ...]
    dropped_frames: int
    duplicated_frames: int
    clip_start_time: datetime | None
    reference_time: datetime | None
    clock_offset_s: float | None
    frames_sampled: int
    sharpness_laplacian_var: float
    noise_sigma: float
    blockiness: float
    exposure: Exposure
    people: PeopleSummary | None
    verdict: str
    reasons: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (datetimes as ISO 8601 strings)."""
        out = asdict(self)
        for key in ("clip_start_time", "reference_time"):
            value = getattr(self, key)
            out[key] = None if value is None else value.isoformat()
        out["gaps"] = [list(g) for g in self.gaps]
        return out


@dataclass(slots=True)
class _Decoded:
    times_s: list[float]
    duplicated: int
    samples: list[tuple[float, GrayFrame]]


def _input_error(path: Path, what: str) -> InputError:
    return InputError(f"{path}: {what}")


def _ffmpeg_reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or type(exc).__name__
    return str(text)


def _as_utc(value: datetime) -> datetime:
    """Aware datetimes as they are; naive ones are taken to be UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _metadata_start(metadata: Mapping[str, str]) -> datetime | None:
    raw = metadata.get("creation_time")
    if not raw:
        return None
    try:
        return _as_utc(datetime.fromisoformat(raw.replace("Z", "+00:00")))
    except ValueError:
        return None


def _container_format(names: str, metadata: Mapping[str, str], path: Path) -> str:
    formats = names.split(",")
    if "mp4" in formats:
        brand = metadata.get("major_brand", "").strip().lower()
        if brand == "qt" or (not brand and path.suffix.lower() == ".mov"):
            return "mov"
        return "mp4"
    return formats[0]


def _sample_indices(expected_frames: int, sample_frames: int) -> set[int]:
    if expected_frames <= 0:
        return set(range(sample_frames))
    count = min(sample_frames, expected_frames)
    return set(np.rint(np.linspace(0, expected_frames - 1, count)).astype(int).tolist())


def _decode(
    container: Any, stream: Any, expected_frames: int, sample_frames: int, path: Path
) -> _Decoded:
    wanted = _sample_indices(expected_frames, sample_frames)
    times: list[float] = []
    samples: list[tuple[float, GrayFrame]] = []
    duplicated = 0
    previous: np.ndarray[Any, np.dtype[np.int16]] | None = None
    try:
        for index, frame in enumerate(container.decode(stream)):
            if frame.pts is None or frame.time_base is None:
                continue
            time_s = float(frame.pts * frame.time_base)
            gray: GrayFrame = frame.to_ndarray(format="gray")
            small = gray[::2, ::2].astype(np.int16)
            if (
                previous is not None
                and previous.shape == small.shape
                and float(np.abs(small - previous).mean()) < DUPLICATE_MAX_MEAN_ABS_DIFF
            ):
                duplicated += 1
            previous = small
            times.append(time_s)
            if index in wanted:
                samples.append((time_s, gray))
    except (av.error.FFmpegError, ValueError) as exc:
        raise _input_error(
            path, f"corrupt or truncated video data ({_ffmpeg_reason(exc)})"
        ) from None
    if not times:
        raise _input_error(path, "no video frame could be decoded (corrupt or truncated file)")
    if expected_frames > 0 and len(times) < 0.9 * expected_frames:
        raise _input_error(
            path,
            f"truncated: decoded {len(times)} of {expected_frames} frames the file declares",
        )
    return _Decoded(times_s=times, duplicated=duplicated, samples=samples)


def _timing(
    times_s: Sequence[float], declared_fps: float | None
) -> tuple[float | None, tuple[tuple[float, float], ...], int, float]:
    """Measured fps, gaps (time_s, missing length_s), dropped frames, nominal interval."""
    ordered = sorted(times_s)
    deltas = np.diff(np.asarray(ordered, dtype=np.float64))
    positive = deltas[deltas > 0]
    if declared_fps:
        nominal = 1.0 / declared_fps
    elif positive.size:
        nominal = float(np.median(positive))
    else:
        nominal = 0.0
    span = ordered[-1] - ordered[0]
    measured = (len(ordered) - 1) / span if span > 0 else None
    gaps: list[tuple[float, float]] = []
    dropped = 0
    if nominal > 0:
        for i, delta in enumerate(deltas.tolist()):
            if delta > GAP_FACTOR * nominal:
                gaps.append((round(ordered[i] - ordered[0], 3), round(delta - nominal, 3)))
                dropped += max(round(delta / nominal) - 1, 0)
    return measured, tuple(gaps), dropped, nominal


def _median(values: Sequence[float]) -> float:
    return float(np.median(np.asarray(values, dtype=np.float64))) if values else math.nan


def _people(samples: Sequence[tuple[float, GrayFrame]], frames: int) -> PeopleSummary:
    chosen = [samples[int(i)] for i in np.linspace(0, len(samples) - 1, min(frames, len(samples)))]
    found: list[PersonDetection] = []
    for time_s, gray in chosen:
        found.extend(detect_people(gray, round(time_s, 3)))
    best = min((d.category for d in found), key=category_rank, default=None)
    return PeopleSummary(
        frames_searched=len(chosen),
        detections=tuple(found),
        box_heights_px=tuple(d.box_height_px for d in found),
        max_person_height_px=max((d.person_height_px for d in found), default=None),
        best_category=best,
    )


def audit_clip(
    path: Path | str,
    *,
    requirements: FootageRequirements,
    reference_time: datetime | None = None,
    clip_start_time: datetime | None = None,
    sample_frames: int = 25,
    detect_people: bool = True,
    people_frames: int = 5,
) -> ClipAudit:
    """Measure one clip and judge it; :class:`InputError` if it cannot be read as video.

    ``reference_time`` is the true time at the clip's first frame (from an external
    clock); ``clip_start_time`` the time the recorder gave it (default: the container's
    ``creation_time``). Their difference is the clock offset TS-01 limits. Image
    measures are medians over ``sample_frames`` evenly spaced frames; people are sought
    in ``people_frames`` of those.
    """
    path = Path(path)
    if not path.is_file():
        raise _input_error(path, "no such file")
    if path.stat().st_size == 0:
        raise _input_error(path, "the file is empty")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise _input_error(path, f"not a readable video file ({_ffmpeg_reason(exc)})") from None
    with container:
        if not container.streams.video:
            raise _input_error(path, "the file has no video stream")
        stream = container.streams.video[0]
        ctx = stream.codec_context
        rate = stream.guessed_rate or stream.average_rate or stream.base_rate
        declared_fps = float(rate) if rate else None
        metadata = dict(container.metadata)
        fmt = _container_format(container.format.name, metadata, path)
        codec = _CODEC_ALIASES.get(ctx.name, ctx.name)
        width, height = int(ctx.width), int(ctx.height)
        bitrate = container.bit_rate or stream.bit_rate
        duration_us = container.duration
        decoded = _decode(container, stream, int(stream.frames or 0), sample_frames, path)

    measured_fps, gaps, dropped, nominal = _timing(decoded.times_s, declared_fps)
    span = max(decoded.times_s) - min(decoded.times_s)
    duration_s = duration_us / 1e6 if duration_us else span + nominal
    grays = [g for _, g in decoded.samples]
    expo = [exposure(g) for g in grays]
    start = _as_utc(clip_start_time) if clip_start_time else _metadata_start(metadata)
    ref = _as_utc(reference_time) if reference_time else None
    offset = (start - ref).total_seconds() if start and ref else None
    audit = ClipAudit(
        path=str(path),
        container_format=fmt,
        codec=codec,
        width_px=width,
        height_px=height,
        declared_fps=None if declared_fps is None else round(declared_fps, 3),
        measured_fps=None if measured_fps is None else round(measured_fps, 3),
        frame_count=len(decoded.times_s),
        bitrate_kbps=None if not bitrate else round(bitrate / 1000, 1),
        duration_s=round(duration_s, 3),
        gaps=gaps,
        dropped_frames=dropped,
        duplicated_frames=decoded.duplicated,
        clip_start_time=start,
        reference_time=ref,
        clock_offset_s=None if offset is None else round(offset, 3),
        frames_sampled=len(grays),
        sharpness_laplacian_var=round(_median([sharpness_laplacian_var(g) for g in grays]), 2),
        noise_sigma=round(_median([noise_sigma(g) for g in grays]), 3),
        blockiness=round(_median([blockiness(g) for g in grays]), 4),
        exposure=Exposure(
            mean_luma=round(float(np.mean([e.mean_luma for e in expo])), 2),
            clipped_shadow_share=round(float(np.mean([e.clipped_shadow_share for e in expo])), 4),
            clipped_highlight_share=round(
                float(np.mean([e.clipped_highlight_share for e in expo])), 4
            ),
        ),
        people=_people(decoded.samples, people_frames) if detect_people and grays else None,
        verdict="pass",
        reasons=(),
    )
    reasons, notes = judge(audit, requirements)
    return _replace_verdict(audit, reasons, notes)


def _replace_verdict(audit: ClipAudit, reasons: list[str], notes: list[str]) -> ClipAudit:
    values = {name: getattr(audit, name) for name in audit.__dataclass_fields__}
    values.update(verdict="fail" if reasons else "pass", reasons=tuple(reasons), notes=tuple(notes))
    return ClipAudit(**values)


def judge(audit: ClipAudit, req: FootageRequirements) -> tuple[list[str], list[str]]:
    """Reasons the clip fails (each starting with its rule id) and non-failing notes."""
    reasons: list[str] = []
    notes: list[str] = []
    # IQ-02: frame rate and continuity.
    for label, fps in (("declared", audit.declared_fps), ("measured", audit.measured_fps)):
        if fps is not None and fps < req.min_fps:
            reasons.append(f"IQ-02: {label} frame rate {fps:g} fps is below {req.min_fps:g} fps")
    if audit.measured_fps is not None and req.min_fps <= audit.measured_fps < req.recommended_fps:
        notes.append(
            f"IQ-02: {audit.measured_fps:g} fps is below the recommended {req.recommended_fps:g}"
        )
    for time_s, length_s in audit.gaps:
        if length_s > req.max_gap_s:
            reasons.append(
                f"IQ-02: recording gap of {length_s:g} s at {time_s:g} s "
                f"(more than {req.max_gap_s:g} s)"
            )
    total = audit.frame_count + audit.dropped_frames
    if total and audit.dropped_frames / total > req.max_dropped_share:
        reasons.append(
            f"IQ-02: {audit.dropped_frames} dropped frames ({audit.dropped_frames / total:.0%}, "
            f"more than {req.max_dropped_share:.0%})"
        )
    if audit.frame_count and audit.duplicated_frames / audit.frame_count > req.max_duplicated_share:
        share = audit.duplicated_frames / audit.frame_count
        reasons.append(
            f"IQ-02: {audit.duplicated_frames} duplicated frames ({share:.0%}, more than "
            f"{req.max_duplicated_share:.0%}): the real frame rate is lower than declared"
        )
    # IQ-03: resolution.
    if audit.width_px < req.min_width_px or audit.height_px < req.min_height_px:
        reasons.append(
            f"IQ-03: resolution {audit.width_px}x{audit.height_px} is below "
            f"{req.min_width_px}x{req.min_height_px}"
        )
    # IQ-04: codec and compression.
    if audit.codec not in req.codecs:
        reasons.append(f"IQ-04: codec {audit.codec} is not one of {', '.join(req.codecs)}")
    if audit.blockiness > req.max_blockiness:
        reasons.append(
            f"IQ-04: blockiness {audit.blockiness:g} is above {req.max_blockiness:g} "
            "(picture quality reduced by compression)"
        )
    # EX-01: open format.
    if audit.container_format not in req.open_formats:
        reasons.append(
            f"EX-01: container {audit.container_format} is not an open format "
            f"({', '.join(req.open_formats)})"
        )
    # TS-01: clock offset.
    if audit.clock_offset_s is None:
        notes.append("TS-01: clock offset not measured (needs a reference time and a clip time)")
    elif abs(audit.clock_offset_s) > req.max_clock_offset_s:
        reasons.append(
            f"TS-01: clock offset {audit.clock_offset_s:+g} s exceeds ±{req.max_clock_offset_s:g} s"
        )
    # IQ-01: image detail.
    if audit.sharpness_laplacian_var < req.min_sharpness_laplacian_var:
        reasons.append(
            f"IQ-01: sharpness (variance of the Laplacian) {audit.sharpness_laplacian_var:g} "
            f"is below {req.min_sharpness_laplacian_var:g}"
        )
    if audit.noise_sigma > req.max_noise_sigma:
        reasons.append(
            f"IQ-01: noise sigma {audit.noise_sigma:g} grey levels is above {req.max_noise_sigma:g}"
        )
    expo = audit.exposure
    for label, share in (
        ("shadows", expo.clipped_shadow_share),
        ("highlights", expo.clipped_highlight_share),
    ):
        if share > req.max_clipped_share:
            reasons.append(
                f"IQ-01: {share:.0%} of pixels are clipped {label} "
                f"(more than {req.max_clipped_share:.0%})"
            )
    _judge_people(audit.people, req, reasons, notes)
    return reasons, notes


def _judge_people(
    people: PeopleSummary | None,
    req: FootageRequirements,
    reasons: list[str],
    notes: list[str],
) -> None:
    if people is None:
        return
    if not people.detections:
        notes.append(f"IQ-01: no person detected in {people.frames_searched} frames searched")
        return
    best = people.best_category or "below monitor"
    notes.append(f"IQ-01: tallest person {people.max_person_height_px:g} px reaches {best}")
    required = req.required_category
    if required is not None and category_rank(people.best_category) > category_rank(required):
        shares = dict(HO_CATEGORIES)
        reasons.append(
            f"IQ-01: people detected reach {best}, not {required} "
            f"({shares.get(required, 0):.0%} of screen height) that the camera's purpose needs"
        )
