"""The guide: a three-borough estate's guide rendered once, its HTML and PDF checked."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pypdf
import pytest

from cctvscope import __version__
from cctvscope.ingest.london import ATTRIBUTIONS
from cctvscope.ingest.synthetic import build_london_estate
from cctvscope.model.estate import Estate
from cctvscope.reporting.guide import (
    CHAPTER_TITLES,
    GuideFiles,
    compact_value,
    external_references,
    render_guide,
)
from cctvscope.reporting.guide_content import gbp
from cctvscope.reporting.guide_figures import inline_svg, print_font_sizes_pt
from cctvscope.reporting.guide_registry import (
    figure_text,
    map_coverage_note,
    occlusion_method,
    range_text,
)
from cctvscope.reporting.guide_text import COP_NOT_ASSESSED, COP_NOT_ASSESSED_SHORT
from cctvscope.workflows.guide import GuideInputs
from cctvscope.workflows.headline_figures import headline_figures
from cctvscope.workflows.pipeline import assess
from cctvscope.workflows.runs import best_option

KEEP = ("E09000007", "E09000019", "E09000033")  # Camden, Islington, Westminster
#: The run date of the guide under test (the demo guide of issue 17 was dated so).
RUN_DATE = dt.date(2026, 12, 3)


def small_london(codes: tuple[str, ...] = KEEP) -> Estate:
    """The London estate cut down to a few boroughs (their cameras, rooms, contracts)."""
    e = build_london_estate("london")
    keep = set(codes)
    cams = e.cameras[e.cameras["borough_code"].isin(keep)]
    rooms = e.control_rooms[
        e.control_rooms["borough_code"].isin(keep)
        | e.control_rooms["room_id"].isin(set(cams["control_room_id"].dropna()))
    ]
    cams = cams[
        cams["control_room_id"].isna() | cams["control_room_id"].isin(set(rooms["room_id"]))
    ]
    return e.replace_tables(
        boroughs=e.boroughs[e.boroughs["gss_code"].isin(keep)].reset_index(drop=True),
        control_rooms=rooms.reset_index(drop=True),
        cameras=cams.reset_index(drop=True),
        links=e.links[e.links["camera_id"].isin(set(cams["camera_id"]))].reset_index(drop=True),
        contracts=e.contracts[e.contracts["borough_code"].isin(keep)].reset_index(drop=True),
        evidence_stats=e.evidence_stats[e.evidence_stats["borough_code"].isin(keep)].reset_index(
            drop=True
        ),
    )


@pytest.fixture(scope="module")
def inputs() -> GuideInputs:
    return assess(None, small_london(), run_date=RUN_DATE).guide


@pytest.fixture(scope="module")
def final(inputs: GuideInputs, tmp_path_factory: pytest.TempPathFactory) -> GuideFiles:
    return render_guide(inputs, tmp_path_factory.mktemp("final"))


@pytest.fixture(scope="module")
def interim(inputs: GuideInputs, tmp_path_factory: pytest.TempPathFactory) -> GuideFiles:
    return render_guide(inputs, tmp_path_factory.mktemp("interim"), mode="interim")


@pytest.fixture(scope="module")
def html(final: GuideFiles) -> str:
    return html_lib.unescape(final.html.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pdf_pages(final: GuideFiles) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(str(final.pdf)).pages]


def test_every_chapter_heading(html: str) -> None:
    assert len(CHAPTER_TITLES) == 7
    for n, title in enumerate(CHAPTER_TITLES, start=1):
        assert f"{n}. {title}</h2>" in html
    for heading in (
        "Executive summary",
        "Borough profiles",
        "Methodology",
        "Appendix A: assumptions",
        "Appendix B: data sources and licences",
        "Provenance statement",
    ):
        assert f"{heading}</h2>" in html


def test_headline_figures_match_the_results(inputs: GuideInputs, html: str) -> None:
    eco, comp, opts = inputs.economics, inputs.compliance, inputs.options
    assert eco is not None and comp is not None and opts is not None
    london = eco.vfm[eco.vfm["gss_code"] == "LONDON"].iloc[0]
    best = best_option(opts)
    assert best is not None
    expected = [
        f"{gbp(float(london['annual_cost_gbp']))} a year",
        f"{gbp(eco.framework.annual_savings_gbp)} a year",
        f"{eco.evidence_savings.officer_hours_saved_per_year:,.0f} hours a year",
        f"{comp.result.share_compliant_decided:.1%}",
        gbp(best.npv_gbp),
    ]
    summary = html.split('id="summary"')[1].split("</table>")[0]
    cells = re.findall(r'<td class="num">([^<]*)</td>', summary)
    assert cells == expected


def test_findings_are_built_from_the_numbers(inputs: GuideInputs, html: str) -> None:
    assert inputs.compliance is not None and inputs.economics is not None
    tranche = inputs.compliance.first_tranche
    assert f"makes {tranche.cameras_made_compliant:,} public cameras fully compliant" in html
    fw = inputs.economics.framework
    assert f"avoids {fw.tenders_avoided_per_year:,.1f} of {fw.tenders_per_year:,.1f}" in html
    assert "synthetic data" in html.lower()


def test_missing_analysis_says_not_available(inputs: GuideInputs, tmp_path: Path) -> None:
    bare = GuideInputs(estate=inputs.estate, assumptions=inputs.assumptions)
    files = render_guide(bare, tmp_path, mode="interim")
    text = html_lib.unescape(files.html.read_text(encoding="utf-8"))
    for title in CHAPTER_TITLES:
        assert f"<strong>{title}.</strong> Not available yet" in text
    # The interim report's findings: no money where no analysis ran.
    assert "£" not in text.split('id="provisional-findings"')[1].split("</section>")[0]


def test_gaps_are_reported_as_not_available(html: str) -> None:
    assert "gap analysis is not built" in html


def test_assumptions_appendix_lists_every_key(inputs: GuideInputs, html: str) -> None:
    appendix = html.split('id="appendix-a"')[1].split("</section>")[0]
    for key, entry in inputs.assumptions.entries.items():
        assert f'<td class="key">{key}</td>' in appendix
        assert f"<td>{compact_value(entry.value, entry.unit)}</td>" in appendix
    assert inputs.assumptions.sha256 in html


def test_sources_and_attributions(html: str) -> None:
    for text in ATTRIBUTIONS.values():
        assert text in html
    assert "boundaries/london_boroughs.geojson" in html


def test_provenance_and_versions(inputs: GuideInputs, html: str) -> None:
    assert "The following rest on synthetic data" in html
    assert "TfL traffic cameras" in html
    assert __version__ in html
    assert inputs.compliance is not None
    assert inputs.compliance.standard_label in html
    assert inputs.estate.input_hash() in html
    assert f"<td>{inputs.estate.metadata['seed']}</td>" in html


def test_self_contained(final: GuideFiles) -> None:
    text = final.html.read_text(encoding="utf-8")
    assert external_references(text) == []
    assert "<?xml" not in text
    assert "<link" not in text
    assert text.count("<svg") >= 10
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids))


def test_inline_svg_scales_and_prefixes() -> None:
    svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "x" "http://x">\n'
        '<svg width="960pt" height="480pt" viewBox="0 0 960 480"><metadata>m</metadata>'
        '<path id="a"/><use xlink:href="#a"/><g clip-path="url(#a)"/></svg>'
    )
    out = inline_svg(svg, prefix="f1", max_width_pt=480, max_height_pt=600)
    assert out.startswith('<svg width="480.0pt" height="240.0pt"')
    assert 'id="f1-a"' in out and 'href="#f1-a"' in out and "url(#f1-a)" in out
    assert "metadata" not in out and "http" not in out


def test_pdf_pages_and_text(inputs: GuideInputs, final: GuideFiles, pdf_pages: list[str]) -> None:
    assert final.pdf.exists() and final.pages == len(pdf_pages)
    text = "\n".join(pdf_pages)
    assert "Executive summary" in text
    names = list(inputs.estate.boroughs["name"])
    profile_pages = [p for p in pdf_pages if "Borough profile:" in p]
    assert len(profile_pages) == len(names) == 3
    for name, page in zip(names, profile_pages, strict=True):
        assert f"Borough profile: {name}" in page
    first = next(i for i, p in enumerate(pdf_pages) if "Borough profile:" in p)
    after = pdf_pages[first + len(names)]
    assert after.startswith("Methodology"), "each borough profile fits on one page"
    assert re.search(r"Page \d+ of \d+", pdf_pages[0])


def test_interim_is_summary_only(final: GuideFiles, interim: GuideFiles) -> None:
    text = html_lib.unescape(interim.html.read_text(encoding="utf-8"))
    assert "Borough profile:" not in text
    assert "<svg" not in text
    assert "Appendix A" not in text
    for title in CHAPTER_TITLES:
        assert f"<strong>{title}.</strong>" in text
    assert "Provenance statement" in text
    assert interim.pages < final.pages
    pages = [p.extract_text() for p in pypdf.PdfReader(str(interim.pdf)).pages]
    assert not any("Borough profile:" in p for p in pages)


def test_rejects_unknown_mode(inputs: GuideInputs, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mode"):
        render_guide(inputs, tmp_path, mode="draft")  # type: ignore[arg-type]


def _section(html: str, marker: str) -> str:
    return html.split(marker, 1)[1].split("</section>")[0]


def test_dates_follow_the_run_date(inputs: GuideInputs, html: str) -> None:
    # Run on 3 Dec 2026: 2026 prices, first call-off the 1st of the month 12 months after
    # the next month starts (1 Jan 2028), scenarios the ten years from 2027.
    assert inputs.economics is not None and inputs.economics.price_base_year == 2026
    assert "the framework starts January 2028" in html
    assert "Scenarios 2027–2036" in html and "(2026 £)" in html
    appendix = _section(html, 'id="appendix-a"')
    assert '<td class="key">economics.price_base_year</td><td>2026</td>' in appendix
    assert '<td class="key">economics_framework.framework_start_date</td><td>2028-01-01</td>' in (
        appendix
    )
    assert "April 2025" not in html and "2025–2034" not in html
    assert "2026-12-03" in html.split('id="summary"')[0]


def test_years_and_plurals(html: str) -> None:
    assert "(s)" not in html.replace("(s) ", "")  # no "room(s)" template text
    assert "room(s)" not in html and "20,170,628" not in html
    assert '<td class="key">synthetic.seed</td><td>20170628</td>' in html
    assert '<td class="key">camera_defaults.install_year</td><td>2015</td>' in html


def test_registry_figures_are_printed_with_their_values(inputs: GuideInputs, html: str) -> None:
    eco, opts, comp = inputs.economics, inputs.options, inputs.compliance
    assert eco is not None and opts is not None and comp is not None
    figures = headline_figures(inputs)
    region = eco.vfm[eco.vfm["gss_code"] == "LONDON"].iloc[0]
    # Each registry value against its result, worked out a second way.
    expected = {
        "council_control_rooms_today": float(len(opts.status_quo.rooms)),
        "control_rooms_in_estate": float(len(inputs.estate.control_rooms)),
        "share_compliant_decided": float(
            comp.result.cameras.loc[comp.result.cameras["decided"], "compliant"].mean()
        ),
        "council_cctv_annual_cost_gbp": float(
            region["revenue_gbp_per_year"] + region["capital_gbp_per_year"]
        ),
        "cost_per_detection_gbp": float(
            region["annual_cost_gbp"] / region["detected_incidents_per_year"]
        ),
    }
    for name, value in expected.items():
        assert figures[name].value == pytest.approx(value), name
        assert figure_text(figures[name]) in html, name
    today = figure_text(figures["council_control_rooms_today"])
    chapter = _section(html, 'id="chapter-control_rooms"')
    assert f"instead of {today} today" in chapter or f"today's {today}" in chapter
    assert f"status quo ({today}," in chapter
    # The map shows every room: the guide says which the count leaves out.
    others = len(inputs.estate.control_rooms) - len(opts.status_quo.rooms)
    assert f"the other {others} room" in chapter
    vfm = _section(html, 'id="chapter-vfm"')
    assert figure_text(figures["council_cctv_annual_cost_gbp"]) in vfm
    assert figure_text(figures["control_room_annual_cost_gbp"]) in vfm  # the reconciliation
    assert "£ per detection" not in html  # one cost per detection: the VFM table's


def test_headline_ranges_are_printed_from_the_registry(inputs: GuideInputs, html: str) -> None:
    """The summary's range cells are the registry's; two ranges re-derived a second way."""
    eco, opts = inputs.economics, inputs.options
    assert eco is not None and eco.sensitivity is not None and opts is not None
    figures = headline_figures(inputs)
    names = [
        "council_cctv_annual_cost_gbp",
        "framework_savings_gbp_per_year",
        "officer_hours_saved_per_year",
        "share_compliant_decided",
        "best_option_npv_gbp",
    ]
    summary = html.split('id="summary"')[1].split("</table>")[0]
    cells = re.findall(r'<td class="num range">([^<]*)</td>', summary)
    assert cells == [range_text(figures[n]) for n in names]
    # Annual cost: the tornado's cost cases, deviations below and above the base added in
    # quadrature (numpy's hypot over the side's deviations).
    cost = figures["council_cctv_annual_cost_gbp"]
    rows = eco.sensitivity[eco.sensitivity["metric"] == "annual estate cost"]
    lo = rows[["at_low", "at_high"]].min(axis=1).to_numpy() - cost.value
    hi = rows[["at_low", "at_high"]].max(axis=1).to_numpy() - cost.value
    assert cost.low == pytest.approx(cost.value - np.hypot.reduce(np.minimum(lo, 0.0)))
    assert cost.high == pytest.approx(cost.value + np.hypot.reduce(np.maximum(hi, 0.0)))
    assert cost.low < cost.value < cost.high
    assert f"{gbp(cost.low)} to {gbp(cost.high)} a year" in summary
    # Best option's NPV at flat 1.5 % and 7 %: a dearer future lowers the NPV of savings.
    best = best_option(opts)
    assert best is not None
    npv = figures["best_option_npv_gbp"]
    t = np.arange(1, opts.horizon_years + 1)
    at = {
        r: -best.one_off_gbp + best.annual_saving_gbp_per_year * np.sum(1.0 / (1 + r) ** t)
        for r in (0.015, 0.07)
    }
    assert (npv.low, npv.high) == pytest.approx((min(at.values()), max(at.values())))
    # Counts and the compliance share have no range and say why.
    assert figures["share_compliant_decided"].drivers.startswith("a count")
    # The monitoring chapter says p(16) is beyond the data, with the other forms' range.
    vfm = _section(html, 'id="chapter-vfm"')
    assert "up to 16 screens, beyond the PSDB data" in vfm
    assert "p(16) = 0.36" in vfm and "gives 0.21" in vfm and "one 0.47" in vfm
    assert "×0.58 to ×1.30" in vfm


def test_technology_share_is_not_called_compliance(html: str) -> None:
    chapter = _section(html, 'id="chapter-technology"')
    assert '<th class="num">technical floor</th>' in chapter
    assert '<th class="num">compliant</th>' not in chapter
    assert "it is not compliance with the standard" in chapter


def test_occlusion_is_stated_as_computed(inputs: GuideInputs, html: str) -> None:
    assert inputs.occlusion is not None and inputs.occlusion.applied
    assert inputs.occlusion.areas == 2  # Covent Garden and Clerkenwell
    assert occlusion_method(inputs) in _section(html, 'id="methodology"')
    assert "without building occlusion;" not in html
    assert html.count(map_coverage_note(inputs)) == len(inputs.estate.boroughs)


def test_code_of_practice_columns_explained(html: str) -> None:
    chapter = _section(html, 'id="chapter-compliance"')
    assert "CoP score" not in chapter
    assert COP_NOT_ASSESSED in chapter
    profiles = html.split('id="profiles"')[1].split('id="methodology"')[0]
    assert profiles.count(COP_NOT_ASSESSED_SHORT) == len(KEEP)  # every profile says so


def test_appendix_b_paths_exist(html: str) -> None:
    listed = re.findall(r"<code>(cctvscope/[^<]+)</code>", _section(html, 'id="appendix-b"'))
    assert len(listed) >= 15
    package = resources.files("cctvscope")
    for path in listed:
        assert package.joinpath(path.removeprefix("cctvscope/")).is_file(), path


def test_chart_text_prints_at_least_7pt(html: str) -> None:
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(svgs) >= 10
    for svg in svgs:
        sizes = print_font_sizes_pt(svg)
        assert not sizes or min(sizes) >= 7.0 - 0.01
