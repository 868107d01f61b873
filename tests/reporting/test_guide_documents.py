"""The interim report as its own document.

The interim report's returns and value-source tables are checked against counts made
here from the estate's records (provenance and the defaulted/catalogue lists), not by
the report's own functions.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import replace

import pandas as pd
import pytest

from cctvscope.reporting.guide import render_guide
from cctvscope.reporting.guide_content import CHAPTER_TITLES
from cctvscope.workflows.guide import GuideInputs
from tests.reporting.test_guide import inputs  # noqa: F401  (module fixture)

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
    assert files.pages >= 1
