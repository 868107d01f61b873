"""The guide: a three-borough estate's guide rendered once, its HTML and PDF checked."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

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
from cctvscope.reporting.guide_figures import inline_svg
from cctvscope.workflows.guide import GuideInputs
from cctvscope.workflows.pipeline import assess
from cctvscope.workflows.runs import best_option

KEEP = ("E09000007", "E09000019", "E09000033")  # Camden, Islington, Westminster


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
    return assess(None, small_london()).guide


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
    assert "£" not in text.split('id="summary"')[1].split("</table>")[0]


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
