"""The guide: the technical and strategic CCTV guide as one HTML file and its PDF.

:func:`render_guide` draws every figure as SVG, inlines it with the CSS into
``guide.html`` (self-contained: no external URL is fetched) and prints
``guide.pdf`` with WeasyPrint (A4, page numbers, each borough profile on a new
page). ``final`` mode gives everything; ``interim`` is a different document
(:mod:`cctvscope.reporting.guide_interim`): the data returned so far by borough
(real and synthetic or default shares, per table and per camera value), data gaps
and outstanding requests, and the findings so far, each marked provisional.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any, Literal

import jinja2
import pypdf

from cctvscope import __version__
from cctvscope.ingest.london import ATTRIBUTIONS
from cctvscope.model.assumptions import Assumption
from cctvscope.reporting.guide_confidence import (
    CONFIDENCE_HEADERS,
    chapter_badges,
    confidence_rows,
    label_rule,
)
from cctvscope.reporting.guide_content import CHAPTER_TITLES, GuideTable, chapters, headlines
from cctvscope.reporting.guide_figures import FigureMaker, chapter_figures, profile_maps
from cctvscope.reporting.guide_interim import interim_context
from cctvscope.reporting.guide_profiles import profiles
from cctvscope.reporting.guide_registry import MAP_COVERAGE, occlusion_method, ptz_method
from cctvscope.reporting.guide_sources import bundled_files, import_files, region_files
from cctvscope.standards import read_standard
from cctvscope.workflows.guide import GuideInputs
from cctvscope.workflows.imports import RETURNS_KEY
from cctvscope.workflows.pipeline import GuideOutput

Mode = Literal["final", "interim"]
TEMPLATES = Path(__file__).parent / "templates"
#: Widest value shown in the assumptions appendix [characters].
VALUE_WIDTH = 90

__all__ = ["CHAPTER_TITLES", "GuideFiles", "Mode", "render_guide"]


#: What :func:`render_guide` wrote (the pipeline's guide output, under its old name).
GuideFiles = GuideOutput


#: Units whose whole numbers are labels (a year, a date, a seed), never printed "2,024".
LABEL_UNITS = frozenset({"year", "date", "-", ""})


def compact_value(value: Any, unit: str = "") -> str:
    """An assumption's value for a table: numbers with ``:g``, structures as short JSON.

    Quantities get thousands separators; a whole number in a label unit (a year, a
    seed) does not.
    """
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int) and unit.strip() in LABEL_UNITS:
        return str(value)
    if isinstance(value, int | float):
        return f"{value:,g}" if isinstance(value, float) else f"{value:,}"
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def assumption_rows(entries: list[Assumption]) -> list[dict[str, str]]:
    """Appendix A rows: key, compact value, unit, source, status."""
    return [
        {
            "key": a.key,
            "value": compact_value(a.value, a.unit),
            "unit": a.unit,
            "source": a.source,
            "status": a.status,
        }
        for a in entries
    ]


#: What rests on each estate table when its records are not all real (provenance statement).
RESTING_ON: tuple[tuple[str, str], ...] = (
    ("cameras", "council, police and registered private cameras (calibrated synthetic estate)"),
    ("control_rooms", "control rooms and their staffing"),
    ("links", "camera–control-room links"),
    ("contracts", "contracts (framework chapter)"),
    ("evidence_stats", "police evidence-request statistics (evidence retrieval)"),
    ("cost_items", "cost profiles, and every cost, saving and NPV built on them"),
)


#: The guide's licence attributions for a region other than London: its boundaries (ONS/OS
#: small areas), crime (data.police.uk) and OpenStreetMap layers; no London source.
REGION_ATTRIBUTIONS: dict[str, str] = {
    "ONS/OS": ATTRIBUTIONS["ONS/OS"],
    "Police": "Contains public sector information licensed under the Open Government Licence "
    "v3.0 (data.police.uk).",
    "OpenStreetMap": ATTRIBUTIONS["OpenStreetMap"],
}

#: The methodology's estate line: London's calibrated synthetic estate, or a region's records.
LONDON_ESTATE_METHOD = (
    "Real borough boundaries, crime, population and TfL cameras; council, police and "
    "private cameras, control rooms, contracts and evidence statistics from a synthetic "
    "estate calibrated to published counts."
)


def estate_method(inputs: GuideInputs) -> str:
    """The methodology's estate line (London's text unchanged)."""
    if inputs.is_london:
        return LONDON_ESTATE_METHOD
    return (
        f"{inputs.region_title}'s areas, small areas, crime and OpenStreetMap layers as loaded "
        "with cctvscope region create; cameras, control rooms, contracts, evidence statistics "
        "and cost items as imported into the estate (a table not imported is named where a "
        "chapter needs it)."
    )


#: Assumption keys of London's synthetic estate generator (London's sources and figures).
LONDON_ONLY_PREFIXES = ("synthetic",)


def guide_assumptions(inputs: GuideInputs) -> list[Assumption]:
    """Appendix A's entries: every one for London; for another region none of the keys
    that describe London's synthetic estate (their figures are London's, not the region's)."""
    entries = sorted(inputs.assumptions.entries.values(), key=lambda a: a.key)
    if inputs.is_london:
        return entries
    return [a for a in entries if not a.key.startswith(LONDON_ONLY_PREFIXES)]


def provenance(inputs: GuideInputs) -> dict[str, Any]:
    """Which figures rest on synthetic or assumed data and which on published data.

    The synthetic list names only tables that still hold records that are not real
    (from the data-confidence table), so it shrinks as boroughs return data.
    """
    cams = inputs.estate.cameras
    by_prov = cams.groupby(["owner_type", "provenance"]).size()
    counts = [
        {"owner": str(owner), "provenance": str(prov), "cameras": f"{int(n):,}"}
        for (owner, prov), n in by_prov.items()
    ]
    synthetic = int((cams["provenance"] == "synthetic").sum())
    region = inputs.data_confidence.by_table
    not_real = {
        str(r["table"]) for r in region.to_dict("records") if r["real_records"] < r["records"]
    }
    return {
        "counts": counts,
        "synthetic_share": synthetic / len(cams) if len(cams) else float("nan"),
        "synthetic": [what for table, what in RESTING_ON if table in not_real] or ["nothing"],
        "tables": GuideTable(
            "Records per table, region-wide: how many are real (returned or published), the "
            "latest return and the label of findings resting on them.",
            CONFIDENCE_HEADERS,
            confidence_rows(region),
            [h in ("records", "real", "share real") for h in CONFIDENCE_HEADERS],
        ),
        "real": LONDON_PUBLISHED
        if inputs.is_london
        else [
            f"{inputs.region_title}'s area and small-area boundaries, crime points and "
            "OpenStreetMap layers (as loaded with cctvscope region create)"
        ],
    }


#: What London's guide rests on that is published.
LONDON_PUBLISHED = [
    "borough and LSOA boundaries (ONS / OS)",
    "recorded crime (MPS; data.police.uk street points: MPS burglary, City of London Police "
    "all types)",
    "population (ONS mid-2020)",
    "TfL traffic cameras (TfL Open Data)",
    "police stations (MOPAC estate plan)",
]


def reproducibility(inputs: GuideInputs) -> list[tuple[str, str]]:
    """What a reader needs to reproduce the guide."""
    estate = inputs.estate
    if inputs.compliance is not None:
        standard = inputs.compliance.result.standard
    else:
        standard = read_standard("london-v1")
    meta = estate.metadata
    return [
        ("cctvscope version", __version__),
        ("run date (price base, framework start, scenario years)", inputs.run_date.isoformat()),
        ("standard", f"{standard.label} (sha256 {standard.sha256[:16]}…)"),
        (
            "estate",
            f"{estate.name} version {'unsaved' if estate.version is None else estate.version}",
        ),
        ("input hash (estate)", estate.input_hash()),
        ("assumptions sha256", inputs.assumptions.sha256),
        ("synthetic estate seed", str(meta.get("seed", "–"))),
        ("generator", str(meta.get("generator_source", "–"))),
    ]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render_html(inputs: GuideInputs, mode: Mode, work: Path) -> str:
    """The guide's HTML text (figures drawn in ``work``)."""
    final = mode == "final"
    maker = FigureMaker(work)
    figures = chapter_figures(inputs, maker) if final else {}
    maps = profile_maps(inputs, maker) if final else {}
    entries = guide_assumptions(inputs)
    london = inputs.is_london
    context = {
        "mode": mode,
        "final": final,
        "title": f"CCTV in {london_name(inputs)}: a technical and strategic guide",
        "london": london,
        "profile_word": "Borough" if london else "Area",
        "code_label": "ONS code" if london else "code",
        "estate_method": estate_method(inputs),
        "occlusion_method": occlusion_method(inputs),
        "ptz_method": ptz_method(inputs),
        "map_coverage": MAP_COVERAGE,
        "joint_from_grid": inputs.joint is not None and inputs.joint.from_grid,
        "estate": inputs.estate,
        "generated": inputs.run_date.isoformat(),
        "headlines": headlines(inputs),
        "chapters": chapters(inputs, figures),
        "badges": chapter_badges(inputs),
        "label_rule": label_rule(inputs.assumptions),
        "profiles": profiles(inputs, maps) if final else [],
        "assumptions": assumption_rows(entries) if final else [],
        "assumptions_sha256": inputs.assumptions.sha256,
        "attributions": sorted((ATTRIBUTIONS if london else REGION_ATTRIBUTIONS).items()),
        # The bundled data files are London's: another region's come from region create.
        "sources": bundled_files() if final and london else [],
        "loaded": [] if london else region_files(inputs.region_layers),
        "estate_area": inputs.region_title,
        "imported": import_files(
            list(inputs.estate.metadata.get(RETURNS_KEY, [])),
            dict(
                zip(inputs.estate.boroughs["gss_code"], inputs.estate.boroughs["name"], strict=True)
            ),
        ),
        "provenance": provenance(inputs),
        "reproducibility": reproducibility(inputs),
        "css": (TEMPLATES / "guide.css").read_text(encoding="utf-8"),
    }
    if not final:
        # The interim report is its own document: data returned, gaps, provisional findings.
        context.update(interim_context(inputs))
        return _environment().get_template("interim.html").render(context)
    return _environment().get_template("guide.html").render(context)


def london_name(inputs: GuideInputs) -> str:
    """The area the title names: the estate's region name for London (as before), else
    the region's title."""
    return inputs.estate.region.name if inputs.is_london else inputs.region_title


def write_pdf(html: str, path: Path) -> int:
    """Print ``html`` to ``path`` with WeasyPrint; return the page count."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    HTML(string=html, base_url=None).write_pdf(str(path))
    return len(pypdf.PdfReader(str(path)).pages)


_EXTERNAL = re.compile(r"""\b(?:src|href)\s*=\s*["'](?!#|data:)""", re.I)


def external_references(html: str) -> list[str]:
    """``src=``/``href=`` attributes that point outside the document (should be none)."""
    return [html[m.start() : m.start() + 80] for m in _EXTERNAL.finditer(html)]


def render_guide(inputs: GuideInputs, out_dir: Path, *, mode: Mode = "final") -> GuideFiles:
    """Write ``guide.html`` and ``guide.pdf`` into ``out_dir``; return their paths and pages."""
    if mode not in ("final", "interim"):
        raise ValueError(f"mode must be 'final' or 'interim', not {mode!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cctvscope-guide-") as tmp:
        html = render_html(inputs, mode, Path(tmp))
    html_path = out_dir / "guide.html"
    html_path.write_text(html, encoding="utf-8")
    pdf_path = out_dir / "guide.pdf"
    pages = write_pdf(html, pdf_path)
    return GuideFiles(html_path, pdf_path, pages)
