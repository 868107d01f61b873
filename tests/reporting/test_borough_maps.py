"""London overview and borough maps: files written, with title, scale bar, arrow, legend."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cctvscope.coverage.aggregate import coverage_unions
from cctvscope.coverage.detail import DetailLevel
from cctvscope.model import Estate
from cctvscope.reporting.charts.borough import (
    borough_map,
    borough_scale_m,
    london_overview_map,
)

LEVELS = (DetailLevel.DETECT, DetailLevel.RECOGNISE)


def _text(path: Path) -> str:
    assert path.exists()
    assert path.stat().st_size > 0
    text = path.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") or "<svg" in text[:500]
    return text


def _has_scale_label(text: str) -> bool:
    return re.search(r">\s*\d+(\.\d+)?\s*(km|m)\s*<", text) is not None


def test_overview_map_has_title_scale_north_and_owner_legend(
    tiny_estate: Estate, tmp_path: Path
) -> None:
    out = london_overview_map(tiny_estate, tmp_path / "london.svg")
    assert out == tmp_path / "london.svg"
    text = _text(out)
    assert "London CCTV estate" in text
    assert "10 km" in text
    assert _has_scale_label(text)
    assert ">N<" in text
    assert "Council cameras (2)" in text
    assert "Private cameras (1)" in text
    assert "TfL cameras (1)" in text
    assert "Police cameras" not in text  # no police camera in the tiny estate
    assert "Source:" in text
    assert "<image" in text  # camera dots are rasterized into one embedded image


def _title_starts_inside(text: str, title: str) -> bool:
    """The title is drawn from its x onwards (anchored at its start) and x is on the figure:
    centred over a narrow borough it ran off the left edge and was clipped in the guide."""
    found = re.search(r'text-anchor: start" x="([-\d.]+)"[^>]*>' + re.escape(title) + "<", text)
    return found is not None and float(found.group(1)) >= 0


def test_borough_map_without_coverage(tiny_estate: Estate, tmp_path: Path) -> None:
    text = _text(borough_map(tiny_estate, "E09000001", tmp_path / "a.svg"))
    assert "Alpha: cameras and coverage" in text
    assert _title_starts_inside(text, "Alpha: cameras and coverage")
    assert _has_scale_label(text)
    assert ">N<" in text
    assert "Council cameras (2)" in text
    assert "Private cameras (1)" in text
    assert "TfL cameras" not in text  # b1 is in Beta
    assert "Covered at" not in text


def test_borough_map_with_coverage(tiny_estate: Estate, tmp_path: Path) -> None:
    coverage = coverage_unions(tiny_estate.cameras, tiny_estate.boroughs, LEVELS)
    text = _text(borough_map(tiny_estate, "E09000002", tmp_path / "b.svg", coverage=coverage))
    assert "Beta: cameras and coverage" in text
    assert "TfL cameras (1)" in text
    assert "Covered at Detect" in text
    assert "Covered at Recognise" in text
    assert _has_scale_label(text)
    assert ">N<" in text


def test_unknown_borough_raises_key_error_naming_valid_codes(
    tiny_estate: Estate, tmp_path: Path
) -> None:
    with pytest.raises(KeyError, match=r"E09000001, E09000002"):
        borough_map(tiny_estate, "E09999999", tmp_path / "x.svg")
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize(
    ("width_m", "scale_m"), [(20_000.0, 2_000.0), (8_000.0, 2_000.0), (3_000.0, 1_000.0)]
)
def test_borough_scale_bar_fits_the_borough(width_m: float, scale_m: float) -> None:
    assert borough_scale_m(width_m) == scale_m


def test_london_overview_and_two_borough_maps(tmp_path: Path) -> None:
    from cctvscope.ingest.synthetic import build_london_estate

    estate = build_london_estate("london")
    codes = ["E09000001", "E09000012"]
    cams = estate.cameras[estate.cameras["borough_code"].isin(codes)]
    coverage = coverage_unions(cams, estate.boroughs, LEVELS)

    overview = _text(london_overview_map(estate, tmp_path / "london.svg"))
    assert "London CCTV estate" in overview
    assert "10 km" in overview
    for label in ("Council", "Private", "TfL", "Police"):
        assert f"{label} cameras (" in overview
    assert (tmp_path / "london.svg").stat().st_size < 3_000_000

    names = dict(zip(estate.boroughs["gss_code"], estate.boroughs["name"], strict=True))
    for code in codes:
        path = borough_map(estate, code, tmp_path / f"{code}.svg", coverage=coverage)
        text = _text(path)
        assert f"{names[code]}: cameras and coverage" in text.replace("&amp;", "&")
        assert "Covered at Detect" in text
        assert ">N<" in text
        assert path.stat().st_size < 3_000_000
