"""The guide's consistency fixes, each on small inputs: years and plurals, Appendix B's
files, the Code of Practice columns, occlusion, registry formats, chart text size and
table pagination."""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from cctvscope.crs import BNG
from cctvscope.model.estate import Estate
from cctvscope.reporting.charts.style import add_source, new_figure, save_svg
from cctvscope.reporting.guide import compact_value
from cctvscope.reporting.guide_content import compliance_borough_table
from cctvscope.reporting.guide_figures import FigureMaker, inline_svg, print_font_sizes_pt
from cctvscope.reporting.guide_profiles import _cop_rows
from cctvscope.reporting.guide_registry import (
    NO_RANGE,
    figure_text,
    map_coverage_note,
    occlusion_method,
    range_text,
)
from cctvscope.reporting.guide_sources import bundled_files
from cctvscope.reporting.guide_text import (
    COP_NOT_ASSESSED,
    COP_NOT_ASSESSED_SHORT,
    plural,
    year,
)
from cctvscope.workflows.guide import GuideInputs, Occlusion, occlusion_of
from cctvscope.workflows.headline_figures import HeadlineFigure

TEMPLATES = Path(__file__).parents[2] / "src" / "cctvscope" / "reporting" / "templates"


def test_years_and_seeds_print_without_separators() -> None:
    assert compact_value(2024, "year") == "2024"
    assert compact_value(20170628, "-") == "20170628"
    assert compact_value(118287, "crimes") == "118,287"  # a count keeps its separators
    assert year(2015.0) == "2015"
    assert year(float("nan")) == "–"


def test_plurals() -> None:
    assert plural(1, "control room") == "1 control room"
    assert plural(3, "control room") == "3 control rooms"
    assert plural(0, "room") == "0 rooms"


def test_appendix_b_lists_exactly_the_shipped_files() -> None:
    listed = bundled_files()
    package = resources.files("cctvscope")
    for f in listed:
        assert package.joinpath(f.path.removeprefix("cctvscope/")).is_file(), f.path
    real = Path(str(resources.files("cctvscope.data").joinpath("real")))
    shipped = {
        "cctvscope/data/real/" + p.relative_to(real).as_posix()
        for p in real.rglob("*")
        if p.is_file() and p.name != "SOURCES.md"
    }
    assert {f.path for f in listed} == shipped
    # SOURCES.md documents files the package does not ship: none may be listed.
    assert not any("wards_2013" in f.path or "osm_central_london" in f.path for f in listed)
    boroughs = next(f for f in listed if f.path.endswith("london_boroughs.geojson"))
    assert boroughs.what.startswith("the 32 London boroughs + City of London")


def _per_borough(cop: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["Alpha", "Beta"],
            "cameras": [10, 20],
            "cameras_decided": [8, 20],
            "share_compliant_decided": [0.25, 0.5],
            "share_real_inputs": [0.0, 1.0],
            "cop_share": cop,
            "meets_cop": [None if math.isnan(v) else v >= 0.7 for v in cop],
        }
    )


def test_cop_columns_left_out_and_explained_when_no_borough_returned_one() -> None:
    table, notes = compliance_borough_table(_per_borough([float("nan"), float("nan")]))
    assert "CoP score" not in table.headers and "meets CoP" not in table.headers
    assert notes == [f"Code of Practice self-assessment: {COP_NOT_ASSESSED}, for every borough."]
    assert all("–" not in cell for row in table.rows for cell in row)


def test_cop_dash_explained_when_some_boroughs_returned_one() -> None:
    table, notes = compliance_borough_table(_per_borough([float("nan"), 0.8]))
    assert list(table.headers[-2:]) == ["CoP score", "meets CoP"]
    assert f"–: {COP_NOT_ASSESSED}" in table.caption and notes == []
    assert list(table.rows[0][-2:]) == ["–", "–"] and list(table.rows[1][-2:]) == ["80%", "True"]


def test_profile_cop_rows() -> None:
    assert _cop_rows({"cop_share": float("nan"), "meets_cop": None}) == [
        ("Code of Practice self-assessment", COP_NOT_ASSESSED_SHORT)
    ]
    assert _cop_rows({"cop_share": 0.5, "meets_cop": False}) == [
        ("Code of Practice score", "50%"),
        ("meets the Code of Practice", "False"),
    ]


def test_occlusion_counts_footprint_areas() -> None:
    # Two 10 m squares 20 m apart form one area; a third 1 km away a second one.
    squares = [
        shapely.box(0, 0, 10, 10),
        shapely.box(30, 0, 40, 10),
        shapely.box(1000, 0, 1010, 10),
    ]
    occ = occlusion_of(gpd.GeoDataFrame(geometry=squares, crs=BNG))
    assert (occ.applied, occ.footprints, occ.areas) == (True, 3, 2)
    # Each square grown by 50 m: the far one is 110 m x 110 m with rounded corners.
    far = shapely.box(1000, 0, 1010, 10).buffer(50).area / 1e6
    assert occ.area_km2 > far
    assert occlusion_of(None) == Occlusion(False, 0, 0, 0.0)


def test_occlusion_text_says_what_the_coverage_run_did(tiny_estate: Estate) -> None:
    applied = GuideInputs(estate=tiny_estate, occlusion=Occlusion(True, 2059, 2, 2.57))
    text = occlusion_method(applied)
    assert text.startswith("Sight lines are occluded by 2,059 OpenStreetMap building footprints")
    assert "in 2 areas (2.6 km²)" in text
    assert map_coverage_note(applied) == "Coverage unoccluded; gap analysis occluded in 2 areas."
    none = GuideInputs(estate=tiny_estate, occlusion=Occlusion(False, 0, 0, 0.0))
    assert occlusion_method(none).startswith("No building footprints were available")
    assert map_coverage_note(none) == "Coverage unoccluded."


@pytest.mark.parametrize(
    ("unit", "value", "text"),
    [
        ("rooms", 32.0, "32 rooms"),
        ("rooms", 1.0, "1 room"),
        ("fraction", 0.0271, "2.7%"),
        ("GBP per year", 14_530_000.4, "£14,530,000 a year"),
        ("GBP", -1234.0, "-£1,234"),
        ("hours per year", 9876.4, "9,876 hours a year"),
    ],
)
def test_figure_text(unit: str, value: float, text: str) -> None:
    assert figure_text(HeadlineFigure("x", "x", value, unit, "s", "d", None)) == text


@pytest.mark.parametrize(
    ("unit", "low", "high", "text"),
    [
        ("GBP per year", 12_345_678.0, 15_000_000.4, "£12,345,678 to £15,000,000 a year"),
        ("GBP", -2_000.0, 1_234.0, "-£2,000 to £1,234"),
        ("hours per year", 9_876.4, 12_000.0, "9,876 to 12,000 hours a year"),
        ("fraction", 0.25, 0.3, "25.0% to 30.0%"),
        ("rooms", 3.0, 3.0, NO_RANGE),
        ("GBP", 10.2, 10.4, NO_RANGE),  # equal once printed: no range to show
    ],
)
def test_range_text(unit: str, low: float, high: float, text: str) -> None:
    figure = HeadlineFigure("x", "x", (low + high) / 2, unit, "s", "d", None, low, high, "why")
    assert range_text(figure) == text


def test_a_figure_built_without_a_range_is_exact_at_its_value() -> None:
    figure = HeadlineFigure("x", "x", 5.0, "rooms", "s", "d", None)
    assert (figure.low, figure.high) == (5.0, 5.0)


def _chart(path: Path) -> Path:
    fig = new_figure(8.0, 7.0)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], label="council")
    ax.legend(fontsize=7)
    add_source(fig, "ONS boundaries; a long source line " * 4)
    return save_svg(fig, path)


def test_chart_text_prints_at_least_7pt(tmp_path: Path) -> None:
    box = (360.0, 190.0)
    # The defect: drawn at 8 x 7 in and shrunk into the box, 7 pt text prints at ~2.4 pt.
    shrunk = inline_svg(
        _chart(tmp_path / "plain.svg").read_text(),
        prefix="p",
        max_width_pt=box[0],
        max_height_pt=box[1],
    )
    assert min(print_font_sizes_pt(shrunk)) < 3.0
    figure = FigureMaker(tmp_path).make("c", "caption", _chart, size_pt=box)
    sizes = print_font_sizes_pt(figure.svg)
    assert sizes and min(sizes) >= 7.0 - 0.01  # widths are written to 0.1 pt


def _pages_of_rows(html: str) -> dict[str, set[int]]:
    from weasyprint import HTML  # type: ignore[import-untyped]

    pages: dict[str, set[int]] = {}
    for number, page in enumerate(HTML(string=html).render().pages):
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if getattr(box, "element_tag", None) == "tr" and box.element.get("id"):
                pages.setdefault(box.element.get("id"), set()).add(number)
            stack.extend(getattr(box, "children", []))
    return pages


def _document(body: str) -> str:
    css = (TEMPLATES / "guide.css").read_text(encoding="utf-8")
    return f"<html><head><style>{css}</style></head><body>{body}</body></html>"


def test_table_rows_never_split_across_pages() -> None:
    tall = "<br>".join(["line"] * 6)
    rows = "".join(f'<tr id="r{i}"><td>{i}</td><td>{tall}</td></tr>' for i in range(40))
    pages = _pages_of_rows(_document(f"<table><tbody>{rows}</tbody></table>"))
    assert len(pages) == 40
    assert max(max(p) for p in pages.values()) >= 2  # the table does span pages
    assert all(len(p) == 1 for p in pages.values())
    # Neither the last nor the first row is alone on its page.
    last, before = pages["r39"], pages["r38"]
    assert last == before


@pytest.mark.parametrize("lines", [50, 51, 53])
def test_short_table_is_not_split_at_a_page_end(lines: int) -> None:
    # With the old stylesheet these fillers left 1 to 3 of the 4 rows alone on page 2.
    filler = "<div>" + "<br>".join(["x"] * lines) + "</div>"
    rows = "".join(f'<tr id="s{i}"><td>{i}</td></tr>' for i in range(4))
    body = f'{filler}<h3>Heading</h3><table class="short"><tbody>{rows}</tbody></table>'
    pages = _pages_of_rows(_document(body))
    assert len({n for p in pages.values() for n in p}) == 1
