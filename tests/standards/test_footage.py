"""Footage audit: clips generated with PyAV with known properties, measured and judged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from cctvscope.cli.audit_cmd import audit_footage
from cctvscope.errors import InputError
from cctvscope.standards.footage import (
    ClipAudit,
    FootageRequirements,
    audit_clip,
    load_london_standard,
)
from cctvscope.standards.footage_metrics import blockiness, ho_category, noise_sigma

W, H = 704, 288  # 2CIF, the IQ-03 minimum
FPS = 25
PERSON_TOP, PERSON_H = 60, 150  # a 150 px figure in a 288 px frame: 52 %, Recognise
REQ = FootageRequirements.from_standard()

_rng = np.random.default_rng(7)
_TEXTURE = cv2.normalize(
    cv2.GaussianBlur(_rng.uniform(0, 255, (H + 20, W + 120)).astype(np.float32), (0, 0), 2.0),
    None,
    40,
    215,
    cv2.NORM_MINMAX,
)
for _ in range(60):
    x, y = (int(v) for v in _rng.integers(0, (W + 100, H)))
    dx, dy = (int(v) for v in _rng.integers(5, 30, 2))
    cv2.rectangle(_TEXTURE, (x, y), (x + dx, y + dy), float(_rng.uniform(30, 225)), -1)


def _scene(k: int) -> np.ndarray:
    """Frame k: a textured background moving 1 px per frame, a standing figure in the middle."""
    img = _TEXTURE[10 : 10 + H, k : k + W].copy()
    cx, s, top, dark = W // 2, PERSON_H / 8, PERSON_TOP, 20.0
    cv2.circle(img, (cx, int(top + 0.5 * s)), int(0.5 * s), dark, -1)
    parts = [(-0.9, 1, 0.9, 4.2), (-0.8, 4.2, -0.1, 8), (0.1, 4.2, 0.8, 8)]
    parts += [(-1.3, 1.1, -0.95, 4), (0.95, 1.1, 1.3, 4)]
    for x0, y0, x1, y1 in parts:
        p0 = (int(cx + x0 * s), int(top + y0 * s))
        cv2.rectangle(img, p0, (int(cx + x1 * s), int(top + y1 * s)), dark, -1)
    return img


def write_clip(
    path: Path,
    *,
    slots: list[int] | None = None,
    fps: int = FPS,
    crf: int = 12,
    blur_sigma: float = 0.0,
    noise_sigma: float = 0.0,
    repeat: int = 1,
    size: tuple[int, int] = (W, H),
) -> Path:
    """An H.264 MP4; ``slots`` are the pts (in frame intervals) of the frames written."""
    slots = list(range(2 * fps)) if slots is None else slots
    rng = np.random.default_rng(11)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"crf": str(crf)}
        stream.codec_context.time_base = Fraction(1, fps)
        for k, pts in enumerate(slots):
            img = _scene(k // repeat)
            if blur_sigma:
                img = cv2.GaussianBlur(img, (0, 0), blur_sigma)
            if noise_sigma:
                img = img + rng.normal(0, noise_sigma, img.shape)
            gray = np.clip(img, 0, 255).astype(np.uint8)
            if size != (W, H):
                gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
            frame = av.VideoFrame.from_ndarray(np.dstack([gray] * 3), format="rgb24")
            frame.pts, frame.time_base = pts, Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


CLIPS = {
    "sharp": {},
    "blur": {"blur_sigma": 2.0},
    "noisy": {"noise_sigma": 8.0},
    "dropped": {"slots": [i for i in range(60) if i % 10 != 3]},
    "fps4": {"fps": 4, "slots": list(range(12))},
    "low_bitrate": {"crf": 51},
    "gap": {"slots": [*range(25), *range(50, 75)]},
    "duplicated": {"repeat": 2},
    "small": {"size": (320, 240)},
}


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    return {name: write_clip(folder / f"{name}.mp4", **kw) for name, kw in CLIPS.items()}


@pytest.fixture(scope="module")
def audits(clips: dict[str, Path]) -> dict[str, ClipAudit]:
    return {
        name: audit_clip(path, requirements=REQ, detect_people=name == "sharp")
        for name, path in clips.items()
    }


def _rules(audit: ClipAudit) -> set[str]:
    return {reason.split(":")[0] for reason in audit.reasons}


def test_requirements_read_from_london_v1():
    assert REQ.min_fps == 6
    assert (REQ.min_width_px, REQ.min_height_px) == (704, 288)
    assert REQ.codecs == ("h264", "h265")
    assert REQ.max_clock_offset_s == 1.0
    assert "mp4" in REQ.open_formats
    assert REQ.required_category is None
    street = FootageRequirements.from_standard(load_london_standard(), purpose="street")
    assert street.required_category == "recognise"
    with pytest.raises(ValueError, match="unknown purpose"):
        FootageRequirements.from_standard(purpose="moon")


def test_sharp_clip_passes_with_measured_format_and_timing(audits):
    a = audits["sharp"]
    assert a.verdict == "pass", a.reasons
    assert (a.container_format, a.codec, a.width_px, a.height_px) == ("mp4", "h264", W, H)
    assert a.declared_fps == pytest.approx(25)
    assert a.measured_fps == pytest.approx(25, abs=0.01)
    assert a.frame_count == 50
    assert a.duration_s == pytest.approx(2.0, abs=0.05)
    assert a.bitrate_kbps is not None and a.bitrate_kbps > 100
    assert (a.gaps, a.dropped_frames, a.duplicated_frames) == ((), 0, 0)
    assert a.sharpness_laplacian_var > 200
    assert a.noise_sigma < 1.0
    assert a.blockiness < 1.1
    assert 100 < a.exposure.mean_luma < 160
    assert a.exposure.clipped_highlight_share == 0


def test_hog_finds_the_figure_and_its_home_office_category(audits):
    people = audits["sharp"].people
    assert people is not None and people.detections
    # The figure is 150 px of 288 (52 %); HOG boxes carry a margin, corrected by 96/128.
    assert people.max_person_height_px == pytest.approx(PERSON_H, rel=0.2)
    assert people.best_category == "recognise"


def test_purpose_needing_identify_fails_on_people_reaching_recognise(clips):
    entrance = FootageRequirements.from_standard(purpose="entrance")
    a = audit_clip(clips["sharp"], requirements=entrance, sample_frames=5, people_frames=2)
    assert a.verdict == "fail"
    assert any(r.startswith("IQ-01: people detected reach recognise") for r in a.reasons)


@pytest.mark.parametrize(
    ("height_px", "category"),
    [(288, "identify"), (150, "recognise"), (80, "observe"), (30, "detect"), (15, "monitor")],
)
def test_home_office_category_mapping(height_px, category):
    assert ho_category(height_px, 288) == category


def test_below_monitor_has_no_category():
    assert ho_category(10, 288) is None


def test_blur_lowers_sharpness_and_fails_iq01(audits):
    a = audits["blur"]
    assert a.sharpness_laplacian_var < audits["sharp"].sharpness_laplacian_var / 5
    assert a.verdict == "fail" and _rules(a) == {"IQ-01"}


def test_noise_sigma_is_estimated(audits):
    a = audits["noisy"]
    assert a.noise_sigma == pytest.approx(8.0, abs=1.0)
    assert a.verdict == "fail" and _rules(a) == {"IQ-01"}
    assert any("noise sigma" in r for r in a.reasons)


def test_noise_estimator_on_plain_gaussian_noise():
    rng = np.random.default_rng(3)
    flat = np.clip(128 + rng.normal(0, 5, (288, 704)), 0, 255).astype(np.uint8)
    assert noise_sigma(flat) == pytest.approx(5.0, abs=0.3)


def test_dropped_frames_are_counted(audits):
    a = audits["dropped"]
    assert a.dropped_frames == 6
    assert len(a.gaps) == 6 and all(length == pytest.approx(0.04) for _, length in a.gaps)
    assert a.measured_fps == pytest.approx(53 / 2.36, abs=0.1)
    assert a.verdict == "fail" and _rules(a) == {"IQ-02"}


def test_four_fps_fails_iq02(audits):
    a = audits["fps4"]
    assert a.declared_fps == pytest.approx(4)
    assert a.measured_fps == pytest.approx(4, abs=0.01)
    assert a.verdict == "fail" and _rules(a) == {"IQ-02"}


def test_low_bitrate_is_blocky_and_fails_iq04(audits):
    a, sharp = audits["low_bitrate"], audits["sharp"]
    assert a.bitrate_kbps is not None and sharp.bitrate_kbps is not None
    assert a.bitrate_kbps < sharp.bitrate_kbps / 5
    assert a.blockiness > REQ.max_blockiness > sharp.blockiness
    assert "IQ-04" in _rules(a)


def test_blockiness_measure_on_synthetic_blocks():
    smooth = np.tile(np.linspace(0, 255, 64).astype(np.uint8), (64, 1))
    blocky = np.repeat(np.repeat(smooth[::8, ::8], 8, axis=0), 8, axis=1)
    assert blockiness(smooth) == pytest.approx(1.0, abs=0.05)
    assert blockiness(blocky) > 10


def test_one_second_gap_is_found(audits):
    a = audits["gap"]
    assert a.gaps == ((0.96, 1.0),)
    assert a.dropped_frames == 25
    assert a.verdict == "fail" and _rules(a) == {"IQ-02"}
    assert any("gap of 1 s" in r for r in a.reasons)


def test_duplicated_frames_are_found(audits):
    a = audits["duplicated"]
    assert a.duplicated_frames == 25
    assert a.verdict == "fail" and _rules(a) == {"IQ-02"}


def test_small_resolution_fails_iq03(audits):
    a = audits["small"]
    assert (a.width_px, a.height_px) == (320, 240)
    assert "IQ-03" in _rules(a)


@pytest.mark.parametrize(("offset_s", "verdict"), [(0.4, "pass"), (-5.0, "fail")])
def test_clock_offset_against_reference_time(clips, offset_s, verdict):
    reference = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    a = audit_clip(
        clips["sharp"],
        requirements=REQ,
        reference_time=reference,
        clip_start_time=reference + timedelta(seconds=offset_s),
        sample_frames=5,
        detect_people=False,
    )
    assert a.clock_offset_s == pytest.approx(offset_s)
    assert a.verdict == verdict
    assert (verdict == "fail") == ("TS-01" in _rules(a))


@pytest.fixture
def bad_files(tmp_path: Path, clips: dict[str, Path]) -> dict[str, Path]:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 50, encoding="utf-8")
    whole = clips["sharp"].read_bytes()
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(whole[: len(whole) // 2])
    return {"empty": empty, "text": text, "truncated": truncated, "missing": tmp_path / "no.mp4"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty", "empty"),
        ("text", "not a readable video"),
        ("truncated", "not a readable video"),
        ("missing", "no such file"),
    ],
)
def test_unreadable_files_give_input_error(bad_files, name, message):
    with pytest.raises(InputError, match=message):
        audit_clip(bad_files[name], requirements=REQ)


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    app.command("audit-footage")(audit_footage)
    return app


runner = CliRunner()


def test_cli_table_and_exit_code_zero(clips):
    result = runner.invoke(_cli(), ["audit-footage", str(clips["sharp"]), "--no-people"])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.stdout and "Laplacian" in result.stdout


def test_cli_json_and_exit_code_one(clips):
    args = ["audit-footage", str(clips["sharp"]), str(clips["fps4"]), "--json", "--no-people"]
    result = runner.invoke(_cli(), args)
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [r["verdict"] for r in rows] == ["pass", "fail"]
    assert rows[1]["declared_fps"] == pytest.approx(4)
    assert any(r.startswith("IQ-02") for r in rows[1]["reasons"])


def test_cli_unreadable_file_exits_two(bad_files, clips):
    args = ["audit-footage", str(clips["sharp"]), str(bad_files["text"]), "--no-people"]
    result = runner.invoke(_cli(), args)
    assert result.exit_code == 2
    assert "not a readable video" in result.stderr
    assert "Traceback" not in result.output


def test_cli_bad_reference_time_exits_two(clips):
    args = ["audit-footage", str(clips["sharp"]), "--reference-time", "yesterday"]
    result = runner.invoke(_cli(), args)
    assert result.exit_code == 2
    assert "ISO 8601" in result.stderr
