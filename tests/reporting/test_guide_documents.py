"""The interim report as its own document, and the guide's PDF checked page by page.

The interim report's returns and value-source tables are checked against counts made
here from the estate's records (provenance and the defaulted/catalogue lists), not by
the report's own functions.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from cctvscope.reporting.guide import GuideFiles, render_guide
from cctvscope.reporting.guide_content import CHAPTER_TITLES
from cctvscope.workflows.guide import GuideInputs
from tests.reporting.test_guide import final, inputs  # noqa: F401  (module fixtures)

CAMDEN = "E09000007"
RETURNED_AT = "2026-11-20T10:00:00+00:00"
#: The recorded attributes whose sources the interim report counts (as listed by hand).
RECORDED = (
    "mount_height_m", "heading_deg", "hfov_deg", "tilt_deg", "ptz", "ptz_max_zoom",
    "resolution_h_px", "resolution_v_px", "codec", "fps", "signal", "install_year",
    "retention_days", "onvif_profiles", "export_formats", "time_sync", "status",
)  # fmt: skip


def _returned(inputs: GuideInputs) -> GuideInputs:  # noqa: F811
    """Camden has returned 12 council cameras, 5 of them with fps and codec defaulted and
    3 with the lens from the catalogue; the rest of the estate is as built."""
    e = inputs.estate
    cams = e.cameras.copy()
    council = cams.index[(cams["borough_code"] == CAMDEN) & (cams["owner_type"] == "council")]
    chosen = council[:12]
    cams.loc[chosen, "provenance"] = "imported"
    cams.loc[chosen, "defaulted_fields"] = ""
    cams.loc[chosen, "catalogue_fields"] = ""
    cams.loc[chosen[:5], "defaulted_fields"] = "fps;codec"
    cams.loc[chosen[5:8], "catalogue_fields"] = "hfov_deg"
    log = [{"table": "cameras", "scope": {"boroughs": [CAMDEN]}, "at": RETURNED_AT}]
    estate = e.replace_tables(cameras=cams, metadata={**dict(e.metadata), "returns": log})
    return replace(inputs, estate=estate, confidence=None)


def _sources_by_hand(cams: pd.DataFrame) -> dict[str, int]:
    """Camera values by source, counted one value at a time."""
    counts = dict.fromkeys(("real", "catalogue", "measured", "default", "synthetic"), 0)
    for r in cams.to_dict("records"):
        defaulted = set(filter(None, str(r.get("defaulted_fields") or "").split(";")))
        catalogue = set(filter(None, str(r.get("catalogue_fields") or "").split(";")))
        measured = set(filter(None, str(r.get("measured_fields") or "").split(";")))
        for a in RECORDED:
            if a in measured:
                counts["measured"] += 1
            elif a in defaulted:
                counts["default"] += 1
            elif r["provenance"] == "synthetic":
                counts["synthetic"] += 1
            elif a in catalogue:
                counts["catalogue"] += 1
            else:
                counts["real"] += 1
    return counts


@pytest.fixture(scope="module")
def interim_doc(inputs: GuideInputs, tmp_path_factory: pytest.TempPathFactory):  # noqa: F811
    returned = _returned(inputs)
    files = render_guide(returned, tmp_path_factory.mktemp("interim-doc"), mode="interim")
    return returned, files, html_lib.unescape(files.html.read_text(encoding="utf-8"))


def _row(html: str, first_cell: str) -> list[str]:
    """The cells of the table row whose first cell is ``first_cell`` (first match)."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = [c.strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r}")


def test_interim_returns_by_borough_match_the_records(interim_doc) -> None:
    returned, _files, html = interim_doc
    cams = returned.estate.cameras
    b = returned.estate.boroughs
    names = dict(zip(b["gss_code"], b["name"], strict=True))
    section = html.split('id="data-returned"', 1)[1].split("</section>")[0]
    for code, name in names.items():
        mine = cams[cams["borough_code"] == code]
        real = int(mine["provenance"].isin(["real", "imported"]).sum())
        # cameras column: real of all records, counted here from provenance.
        assert _row(section, name)[1] == f"{real:,} / {len(mine):,}"
        by_hand = _sources_by_hand(mine)
        total = len(mine) * len(RECORDED)
        assert sum(by_hand.values()) == total
        row = _row(section.split("Camera values", 1)[1], name)
        assert row[:2] == [name, f"{total:,}"]
        counts = [int(cell.split(" ")[0].replace(",", "")) for cell in row[2:]]
        assert counts == [
            by_hand[s] for s in ("real", "catalogue", "default", "synthetic", "measured")
        ]
    camden = cams[cams["borough_code"] == CAMDEN]
    # 12 imported + Camden's real TfL cameras; 5 × 2 default values, 3 catalogue values.
    tfl = int(((camden["owner_type"] == "tfl") & (camden["provenance"] == "real")).sum())
    assert _row(section, "Camden")[1] == f"{12 + tfl:,} / {len(camden):,}"
    assert _sources_by_hand(camden)["default"] >= 10
    assert _sources_by_hand(camden)["catalogue"] >= 3
    assert "Camden: cameras (2026-11-20)." in section
    assert "Islington: no return yet." in section


def test_interim_gaps_and_provisional_findings(interim_doc) -> None:
    returned, files, html = interim_doc
    gaps = html.split('id="data-gaps"', 1)[1].split("</section>")[0]
    requests = returned.data_confidence.requests
    b = returned.estate.boroughs
    for code, name in zip(b["gss_code"], b["name"], strict=True):
        if requests[code]:
            assert f"<strong>{name}.</strong> Please send: {', '.join(requests[code])}." in gaps
    findings = html.split('id="provisional-findings"', 1)[1].split("</section>")[0]
    items = re.findall(r"<li>(.*?)</li>", findings, flags=re.S)
    assert len(items) == len(CHAPTER_TITLES)
    for item, title in zip(items, CHAPTER_TITLES, strict=True):
        assert item.startswith('<span class="confidence provisional">Provisional</span>')
        assert f"<strong>{title}.</strong>" in item
    # Not the final guide shortened: no executive summary, chapters, profiles or appendices.
    for absent in ("Executive summary", "Borough profile:", "Appendix A", "<svg"):
        assert absent not in html
    import pdfplumber

    with pdfplumber.open(str(files.pdf)) as pdf:
        assert len(pdf.pages) == files.pages
        # The first page opens with the data returned (saved for the record).
        assert "Data returned so far, by borough" in (pdf.pages[0].extract_text() or "")
        OUT.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(pdf.pages[:2], start=1):
            image = page.to_image(resolution=SAVED_DPI).original.convert("RGB")
            image.save(OUT / f"interim-page-{n}.png")


# --- The final guide's PDF, page by page -------------------------------------------------

#: Smallest text the guide may print [pt] (issue 17: nothing below 6 pt on any page).
MIN_TEXT_PT = 6.0
#: Points per CSS pixel (WeasyPrint lays out in CSS px: 96 per inch; PDF points: 72).
PT_PER_PX = 0.75
#: Rendering resolution of the page images [dpi] and the A4 page [mm].
DPI = 100
SAVED_DPI = 150
A4_MM = (210.0, 297.0)
#: The page's side margins are 16 mm (guide.css); nothing may be drawn in the outer 12 mm.
SIDE_STRIP_MM = 12.0
OUT = Path(__file__).resolve().parents[2] / "test-output" / "guide"


@pytest.fixture(scope="module")
def plumbed(final: GuideFiles):  # noqa: F811
    import pdfplumber

    with pdfplumber.open(str(final.pdf)) as pdf:
        yield pdf


@pytest.fixture(scope="module")
def layout_rows(final: GuideFiles) -> list[list[tuple[int, float, float, str]]]:  # noqa: F811
    """Per page, the body table rows as laid out: (element id, top, bottom [pt], first cell
    text), from WeasyPrint's layout of the guide's own HTML (the PDF is printed from it)."""
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.formatting_structure import boxes  # type: ignore[import-untyped]

    document = HTML(string=final.html.read_text(encoding="utf-8")).render()
    pages = []
    for page in document.pages:
        rows = []
        for group in page._page_box.descendants():
            if not isinstance(group, boxes.TableRowGroupBox) or group.is_header:
                continue
            for row in group.children:
                first = row.children[0].element if row.children else None
                text = "".join(first.itertext()).strip() if first is not None else ""
                top = row.position_y * PT_PER_PX
                rows.append((id(row.element), top, top + row.height * PT_PER_PX, text))
        pages.append(rows)
    return pages


def test_pdf_page_count(final: GuideFiles, plumbed, inputs: GuideInputs) -> None:  # noqa: F811
    pages = [p.extract_text() or "" for p in plumbed.pages]
    assert len(pages) == final.pages
    # The footer numbers every page "Page n of N".
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in text
    # A cover page with the summary, seven chapters each from a new page, one page per
    # borough profile, the methodology, two appendices and the provenance: at least 1 + 7
    # + 1 (profiles intro) + 3 + 4 pages.
    assert len(pages) >= 1 + 7 + 1 + len(inputs.estate.boroughs) + 4


def _text_pt(char: dict[str, object]) -> float:
    """A printed character's font size [pt]: its box's height, or for text turned a quarter
    (a chart's vertical axis title) its box's width (the height is then its advance)."""
    if char["upright"]:
        return float(str(char["size"]))
    return float(str(char["x1"])) - float(str(char["x0"]))


def test_no_text_below_6pt(plumbed) -> None:
    smallest = {
        n: min((_text_pt(c) for c in page.chars), default=MIN_TEXT_PT)
        for n, page in enumerate(plumbed.pages, start=1)
    }
    # Charts' rotated axis titles are among the characters measured.
    assert any(not c["upright"] for page in plumbed.pages for c in page.chars)
    small = {n: round(s, 2) for n, s in smallest.items() if s < MIN_TEXT_PT - 0.01}
    assert not small, f"text below {MIN_TEXT_PT} pt on pages {small}"


def test_no_table_row_split_across_pages(layout_rows, plumbed) -> None:
    assert len(layout_rows) == len(plumbed.pages)
    seen: dict[int, int] = {}
    checked = 0
    for number, (rows, page) in enumerate(zip(layout_rows, plumbed.pages, strict=True), 1):
        bottom = float(page.height) - 20 * 72 / 25.4  # the bottom margin is 20 mm
        words = page.extract_words()
        for element, top, low, text in rows:
            # A row laid out on two pages is split.
            assert seen.setdefault(element, number) == number, f"row {text!r} split"
            assert low <= bottom + 0.5, f"row {text!r} runs into page {number}'s margin"
            # The row is printed where it was laid out: its first word lies in its band.
            # (A long key may wrap inside its cell: its first 6 characters are compared.)
            first = text.split()[0][:6] if text.split() else ""
            if len(first) >= 3:
                hits = [
                    w for w in words if w["text"].startswith(first) and top - 1 <= w["top"] <= low
                ]
                assert hits, f"{first!r} not printed in its row on page {number}"
                checked += 1
    assert checked >= 50


def _page_image(page, name: str):
    """The page in grey at :data:`DPI` (checked), also saved in colour at 150 dpi as ``name``."""
    OUT.mkdir(parents=True, exist_ok=True)
    page.to_image(resolution=SAVED_DPI).original.convert("RGB").save(OUT / name)
    return page.to_image(resolution=DPI).original.convert("L")


def test_pages_as_images(plumbed, inputs: GuideInputs) -> None:  # noqa: F811
    texts = [p.extract_text() or "" for p in plumbed.pages]
    summary = next(i for i, t in enumerate(texts) if "Executive summary" in t)
    name = str(inputs.estate.boroughs["name"].iloc[0])
    profile = next(i for i, t in enumerate(texts) if f"Borough profile: {name}" in t)
    width_px, height_px = (round(mm / 25.4 * DPI) for mm in A4_MM)
    strip = round(SIDE_STRIP_MM / 25.4 * DPI)
    for index in range(len(plumbed.pages)):
        if index == summary:
            image = _page_image(plumbed.pages[index], "executive-summary.png")
        elif index == profile:
            image = _page_image(plumbed.pages[index], f"profile-{name.lower()}.png")
        else:
            image = plumbed.pages[index].to_image(resolution=DPI).original.convert("L")
        assert abs(image.width - width_px) <= 1 and abs(image.height - height_px) <= 1
        # Nothing overflows the page sideways: the outer strips are blank (white).
        for box in (
            (0, 0, strip, image.height),
            (image.width - strip, 0, image.width, image.height),
        ):
            assert image.crop(box).getextrema()[0] >= 250, f"ink in the margin of page {index + 1}"
        # Every page carries ink (the footer at least; no page is blank).
        assert image.getextrema()[0] < 128
    assert (OUT / "executive-summary.png").is_file()


def test_methodology_states_the_tasked_ptz_zoom(final: GuideFiles) -> None:  # noqa: F811
    text = html_lib.unescape(final.html.read_text(encoding="utf-8"))
    method = text.split('id="methodology"', 1)[1].split("</section>")[0]
    assert (
        "PTZ cameras are credited the full circle they can turn to, at the detail distances "
        "of the field of view they are assumed tasked to, 30° (assumption "
        "coverage.ptz_tasked_hfov_deg;"
    ) in method
