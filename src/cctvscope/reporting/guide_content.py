"""Content of the guide: headline figures, chapters, findings and tables built from results.

Every number shown comes from a result in :class:`~cctvscope.workflows.guide.GuideInputs`;
each finding is an f-string over those numbers, so it says only what they show. A
chapter whose analysis is missing says "not available yet" instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from cctvscope.reporting.guide_confidence import (
    Badge,
    compliance_basis,
    compliance_sentence,
    share_text,
)
from cctvscope.reporting.guide_figures import GuideFigure
from cctvscope.workflows.guide import GuideInputs
from cctvscope.workflows.runs import best_option

NOT_AVAILABLE = "Not available yet"
GAPS_NOT_AVAILABLE = (
    "Coverage gaps: not available yet (the coverage engine's gap analysis is not built)."
)


def gbp(value: float) -> str:
    """Whole pounds with thousands separators; negatives as ``-£1,234``."""
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.0f}"


def _num(value: object, spec: str = ",.0f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, int | float):
        return format(value, spec)
    return str(value)


def _pct(value: object, digits: int = 0) -> str:
    return _num(value, f".{digits}%")


def _money(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return gbp(float(value))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Headline:
    """One headline figure: label, the formatted value, and where it comes from."""

    label: str
    text: str
    trace: str
    value: float | None


@dataclass(frozen=True)
class GuideTable:
    """A table ready to render: header and rows of strings, numeric columns right-aligned."""

    caption: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: Sequence[bool]


@dataclass(frozen=True)
class Chapter:
    """One seed question with its finding, figures, tables and notes."""

    key: str
    title: str
    question: str
    finding: str
    available: bool
    synthetic: bool
    figures: Sequence[GuideFigure] = ()
    tables: Sequence[GuideTable] = ()
    notes: Sequence[str] = ()


Column = tuple[str, str, Callable[[object], str]]


def frame_table(frame: pd.DataFrame, caption: str, columns: Sequence[Column]) -> GuideTable:
    """A table of ``columns`` (source column, header, formatter) from ``frame``."""
    rows = [
        [fmt(record.get(col)) for col, _header, fmt in columns]
        for record in frame.to_dict("records")
    ]
    numeric = [
        col in frame.columns and pd.api.types.is_numeric_dtype(frame[col])
        for col, _h, _f in columns
    ]
    return GuideTable(caption, [h for _c, h, _f in columns], rows, numeric)


def _text(value: object) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def london_vfm(inputs: GuideInputs) -> dict[str, float] | None:
    """The LONDON (region) row of the value-for-money table (None without it)."""
    if inputs.economics is None or inputs.economics.vfm is None:
        return None
    row = inputs.economics.vfm[inputs.economics.vfm["gss_code"] == "LONDON"]
    return {str(k): float(v) for k, v in row.iloc[0].items() if isinstance(v, int | float)}


def headlines(inputs: GuideInputs) -> list[Headline]:
    """The executive summary's five figures, each traced to a result."""
    out: list[Headline] = []
    vfm = london_vfm(inputs)
    eco = inputs.economics
    # Each economics figure stands on its own part: one missing input hides only its own.
    why = "economics not run" if eco is None else "economics incomplete: see its chapters"
    if vfm is not None:
        cost = vfm["annual_cost_gbp"]
        label = "economics.vfm, LONDON row, annual_cost_gbp"
        out.append(Headline("Annual cost of council CCTV", f"{gbp(cost)} a year", label, cost))
    else:
        out.append(Headline("Annual cost of council CCTV", NOT_AVAILABLE, why, None))
    framework = None if eco is None else eco.framework
    if framework is not None:
        saving = framework.annual_savings_gbp
        out.append(
            Headline(
                "Framework agreement savings",
                f"{gbp(saving)} a year",
                "economics.framework.annual_savings_gbp",
                saving,
            )
        )
    else:
        out.append(Headline("Framework agreement savings", NOT_AVAILABLE, why, None))
    savings = None if eco is None else eco.evidence_savings
    label = "Officer hours saved by the cheapest evidence-retrieval model"
    if savings is not None:
        hours = savings.officer_hours_saved_per_year
        out.append(
            Headline(
                label,
                f"{hours:,.0f} hours a year",
                "economics.evidence_savings.officer_hours_saved_per_year",
                hours,
            )
        )
    else:
        out.append(Headline(label, NOT_AVAILABLE, why, None))
    if inputs.compliance is not None:
        # Among cameras with every rule decided: counting a rule left unknown (a defaulted
        # input) as passed would overstate compliance.
        share = inputs.compliance.result.share_compliant_decided
        out.append(
            Headline(
                f"Cameras meeting {inputs.compliance.standard_label}, of those with every "
                "rule decided",
                _pct(share, 1),
                "compliance.result.share_compliant_decided",
                None if math.isnan(share) else share,
            )
        )
    else:
        out.append(Headline("Cameras meeting the standard", NOT_AVAILABLE, "not run", None))
    best = None if inputs.options is None else best_option(inputs.options)
    if best is not None:
        out.append(
            Headline(
                f"NPV of the best control-room option ({best.room_count} rooms)",
                gbp(best.npv_gbp),
                "options: max npv_gbp over solved options",
                best.npv_gbp,
            )
        )
    else:
        out.append(Headline("NPV of the best control-room option", NOT_AVAILABLE, "", None))
    return out


def _missing(inputs: GuideInputs, key: str, title: str, question: str, what: str) -> Chapter:
    """A chapter without its analysis: the named-missing inputs, else "not run"."""
    gaps = inputs.gaps.get(key, ())
    if gaps:
        # The same sentences the CLI commands print: what is missing and what supplies it.
        # The guide shows an analysis only whole (economics: every part), so "not shown".
        lack = "; ".join(gaps)
        finding = f"The {what} is not shown for {inputs.region_title}, for lack of: {lack}."
    else:
        finding = f"{NOT_AVAILABLE}: the {what} has not been run for this estate."
    return Chapter(key, title, question, finding, available=False, synthetic=False)


def control_rooms_chapter(inputs: GuideInputs, figures: Sequence[GuideFigure]) -> Chapter:
    key, title = "control_rooms", "Shared control rooms"
    question = "Would fewer, shared control rooms monitor the boroughs' cameras for less?"
    result = inputs.options
    if result is None:
        return _missing(inputs, key, title, question, "control-room consolidation analysis")
    sq = result.status_quo
    best = best_option(result)
    solved = sum(o.status == "optimal" for o in result.options)
    if best is None:
        finding = f"None of the {len(result.options)} consolidation options could be solved."
    elif best.npv_gbp > 0:
        finding = (
            f"Of {solved} solved options, the best is {best.room_count} control room(s) "
            f"instead of {len(sq.rooms)} today: a net present value of {gbp(best.npv_gbp)} "
            f"over {result.horizon_years} years against the status quo, saving "
            f"{gbp(best.annual_saving_gbp_per_year)} a year for a one-off "
            f"{gbp(best.one_off_gbp)}."
        )
    else:
        finding = (
            f"No consolidation option beats today's {len(sq.rooms)} rooms: the best, "
            f"{best.room_count} room(s), has a net present value of {gbp(best.npv_gbp)}."
        )
    table = frame_table(
        result.table(),
        f"Options against the status quo ({len(sq.rooms)} rooms, "
        f"{gbp(sq.annual_cost_gbp_per_year)} a year); base-year £.",
        [
            ("rooms", "rooms", _num),
            ("status", "status", _text),
            ("annual_cost_gbp_per_year", "annual cost", _money),
            ("one_off_gbp", "one-off", _money),
            ("annual_saving_gbp_per_year", "saving a year", _money),
            ("npv_gbp", "NPV", _money),
            ("payback_year", "payback year", _num),
        ],
    )
    return Chapter(key, title, question, finding, True, True, figures, [table])


def framework_chapter(inputs: GuideInputs, figures: Sequence[GuideFigure]) -> Chapter:
    key, title = "framework", "Framework agreement"
    area = "pan-London" if inputs.is_london else f"{inputs.region_title}-wide"
    question = f"What would a {area} framework agreement for CCTV save, and when?"
    fw = None if inputs.economics is None else inputs.economics.framework
    if fw is None:
        return _missing(inputs, key, title, question, "framework analysis")
    effect = (
        f"saves an estimated {gbp(fw.annual_savings_gbp)} a year"
        if fw.annual_savings_gbp >= 0
        else f"costs an estimated {gbp(-fw.annual_savings_gbp)} a year more"
    )
    finding = (
        f"Pooling {inputs.region_title}'s {gbp(fw.annual_value_gbp)} a year of CCTV "
        f"contracts on one framework {effect} "
        f"({gbp(fw.price_saving_gbp_per_year)} in prices, "
        f"{gbp(fw.tender_saving_gbp_per_year)} in tendering) and avoids "
        f"{fw.tenders_avoided_per_year:,.1f} of {fw.tenders_per_year:,.1f} separate tenders "
        f"a year; the framework starts {fw.framework_start:%B %Y}."
    )
    table = frame_table(
        fw.table(),
        "Per service category: value, tenders and savings (base-year £).",
        [
            ("category", "category", _text),
            ("boroughs", "boroughs", _num),
            ("contracts", "contracts", _num),
            ("annual_value_gbp", "value a year", _money),
            ("tenders_per_year", "tenders a year", lambda v: _num(v, ",.1f")),
            ("annual_saving_gbp", "saving a year", _money),
            ("pcd218_lot", "PCD 218 lot", _text),
        ],
    )
    return Chapter(key, title, question, finding, True, True, figures, [table])


def compliance_chapter(inputs: GuideInputs, figures: Sequence[GuideFigure]) -> Chapter:
    key, title = "compliance", "The standard and compliance"
    question = (
        "How much of the estate meets the evidential standard, and what would fixing it cost?"
    )
    outcome = inputs.compliance
    if outcome is None:
        return _missing(inputs, key, title, question, "compliance check")
    result, tranche = outcome.result, outcome.first_tranche
    if tranche.cost_gbp > 0:
        plan = (
            f"The first {gbp(tranche.budget_gbp)} of the ranked upgrade plan "
            f"({gbp(tranche.cost_gbp)} spent) makes {tranche.cameras_made_compliant:,} public "
            "cameras fully compliant."
        )
    else:
        # Nothing bought: say so rather than print "£0 spent ... 0 cameras" as a result.
        plan = (
            f"The first {gbp(tranche.budget_gbp)} of the ranked upgrade plan buys no fix, so "
            "it makes no public camera fully compliant."
        )
    finding = (
        f"{compliance_sentence(result, outcome.standard_label)} Counting a rule left unknown "
        f"as not failed, at most {share_text(result.share_compliant, 1)} of all "
        f"{len(result.cameras):,} in-service cameras are compliant. {plan}"
    )
    rules = frame_table(
        result.london_by_rule,
        f"{inputs.region_title}, per rule of {outcome.standard_label}: share of assessed "
        "cameras passing.",
        [
            ("rule_id", "rule", _text),
            ("title", "title", _text),
            ("severity", "severity", _text),
            ("share_passed", "passing", _pct),
            ("unknown", "unknown", _num),
        ],
    )
    basis = compliance_basis(result).drop(columns="cameras")
    per_borough = outcome.boroughs.merge(
        basis, left_on="gss_code", right_on="borough_code", how="left"
    )
    boroughs = frame_table(
        per_borough,
        "Per borough: share compliant among cameras with every rule decided, cameras "
        "decided, share of real inputs, and the Code of Practice self-assessment.",
        [
            ("name", "borough", _text),
            ("cameras", "cameras", _num),
            ("cameras_decided", "decided", _num),
            ("share_compliant_decided", "compliant (decided)", lambda v: _pct(v, 1)),
            ("share_real_inputs", "real inputs", _pct),
            ("cop_share", "CoP score", _pct),
            ("meets_cop", "meets CoP", _text),
        ],
    )
    return Chapter(key, title, question, finding, True, True, figures, [rules, boroughs])


def assessment_chapter(inputs: GuideInputs, figures: Sequence[GuideFigure]) -> Chapter:
    key, title = "assessment", "Assessment of networks and borough–police efficiency"
    question = (
        "What does each borough's network hold, and how efficiently do police obtain footage?"
    )
    summary = inputs.summary
    if summary is None:
        return _missing(inputs, key, title, question, "borough assessment")
    cams = inputs.estate.cameras
    owners = {o: int((cams["owner_type"] == o).sum()) for o in ("council", "tfl", "police")}
    private = int((cams["owner_type"] == "private").sum())
    analogue = float((cams["signal"] == "analogue").mean()) if len(cams) else float("nan")
    finding = (
        f"The estate holds {len(cams):,} cameras ({owners['council']:,} council, "
        f"{owners['tfl']:,} TfL, {owners['police']:,} police, {private:,} registered private) "
        f"in {len(summary)} boroughs; {analogue:.0%} are analogue."
    )
    s = None if inputs.economics is None else inputs.economics.evidence_savings
    if s is not None:
        hours = s.officer_hours_saved_per_year
        effect = (
            f"save {hours:,.0f} officer hours and {gbp(s.saving_gbp_per_year)} a year"
            if hours >= 0
            else f"use {-hours:,.0f} officer hours more but save "
            f"{gbp(s.saving_gbp_per_year)} a year"
        )
        finding += (
            f" Moving every borough to its cheapest evidence-retrieval model "
            f"({s.boroughs_switching} of {s.boroughs} would switch) would {effect}."
        )
    table = frame_table(
        summary,
        "Cameras per borough by owner, density, analogue share and age.",
        [
            ("name", "borough", _text),
            ("cameras", "all", _num),
            ("council_cameras", "council", _num),
            ("tfl_cameras", "TfL", _num),
            ("police_cameras", "police", _num),
            ("private_cameras", "private", _num),
            ("cameras_per_km2", "per km²", lambda v: _num(v, ",.1f")),
            ("share_analogue", "analogue", _pct),
            ("median_install_year", "median year", lambda v: _num(v, ".0f")),
        ],
    )
    notes = gap_notes(inputs)
    lacking = inputs.gaps.get("evidence_ops", ())
    if lacking:
        notes.append(
            "Police evidence retrieval by operating model: not shown for "
            f"{inputs.region_title}, for lack of: {'; '.join(lacking)}."
        )
    return Chapter(key, title, question, finding, True, True, figures, [table], notes)


#: Gaps named in the guide's assessment chapter.
GAPS_NAMED = 5


def gap_notes(inputs: GuideInputs) -> list[str]:
    """The coverage-gap paragraph of the assessment chapter, from the coverage engine.

    Outside London the paragraph names the region's crime points and says which
    layers coverage lacked (``gaps["coverage"]``), never London's bundled footprints.
    """
    cov = inputs.coverage
    lacking = list(inputs.gaps.get("coverage", ()))
    if cov is None:
        why = inputs.gaps.get("assessment", ())
        return [f"Coverage gaps: not computed ({'; '.join(why)})."] if why else [GAPS_NOT_AVAILABLE]
    s = cov.summary
    region = s[(s["area_type"] == "london") & (s["level"] == "recognise")]
    if "crime_points_share" not in s.columns or region.empty:
        return [f"Coverage gaps: not computed ({'; '.join(lacking) or 'no crime points'})."]
    names = dict(
        zip(inputs.estate.boroughs["gss_code"], inputs.estate.boroughs["name"], strict=True)
    )
    gaps = cov.gaps.head(GAPS_NAMED)
    named = "; ".join(
        f"#{int(g.rank)} {g.square_id} ({names.get(g.borough_code, g.borough_code)}, "
        f"{int(g.crimes)} points)"
        for g in gaps.itertuples()
    )
    points = "burglary street points" if inputs.is_london else "street-level crime points"
    share = float(region["crime_points_share"].iloc[0])
    small = ""
    if "lsoa_crime_share" in s.columns:
        area = "LSOA" if inputs.is_london else "small-area"
        lsoa = 100 * float(region["lsoa_crime_share"].iloc[0])
        small = f" (and {lsoa:.1f} % of {area} recorded crime spread by area)"
    threshold = int(cov.gaps["threshold_points"].iloc[0]) if not cov.gaps.empty else 0
    each = "burglary points" if inputs.is_london else "crime points"
    worst = f"; the worst: {named}" if named else ""
    caveat = (
        " Buildings occlude only in the two areas with bundled footprints, and most cameras "
        "are synthetic, so these are illustrative."
        if inputs.is_london
        else "".join(f" {m}." for m in lacking)
    )
    return [
        f"Coverage gaps: {100 * share:.1f} % of {inputs.region_title}'s {points}{small} fall "
        f"inside coverage at Recognise or better. {len(cov.gaps)} high-crime "
        f"{cov.options.grid_m:g} m squares (at least {threshold} {each} each) have none of "
        f"their points covered at Recognise{worst}.{caveat}"
    ]


def vfm_chapter(inputs: GuideInputs, figures: Sequence[GuideFigure]) -> Chapter:
    key, title = "vfm", "Monitoring and value for money"
    question = "What does council CCTV cost per camera, per export and per crime covered?"
    vfm = london_vfm(inputs)
    if vfm is None or inputs.economics is None or inputs.economics.vfm is None:
        return _missing(inputs, key, title, question, "value-for-money analysis")
    per_export = vfm["cost_per_evidential_export_gbp"]
    exports = (
        f"{gbp(per_export)} per evidential export"
        if math.isfinite(per_export)
        else "an unknown cost per evidential export (no evidence statistics give the exports)"
    )
    finding = (
        f"Council CCTV costs {gbp(vfm['annual_cost_gbp'])} a year: "
        f"{gbp(vfm['cost_per_camera_gbp_per_year'])} per camera and {exports}."
    )
    tables = [
        frame_table(
            inputs.economics.vfm,
            f"Value for money per borough (base-year £, {inputs.economics.price_base_year}).",
            [
                ("name", "borough", _text),
                ("council_cameras", "council cameras", _num),
                ("annual_cost_gbp", "annual cost", _money),
                ("cost_per_camera_gbp_per_year", "per camera", _money),
                ("cost_per_evidential_export_gbp", "per export", _money),
                ("cost_per_crime_in_coverage_gbp", "per crime covered", _money),
                ("cost_per_detected_incident_gbp", "per detection", _money),
            ],
        )
    ]
    mon = inputs.monitoring
    if mon is not None and len(mon):
        opt = float(mon["detections_per_year_optimised"].sum())
        sq = float(mon["detections_per_year_status_quo"].sum())
        change = f" ({opt / sq - 1:+.0%})" if sq > 0 else ""
        finding += (
            f" Directing operators' attention by the monitoring model would detect "
            f"{opt:,.0f} incidents a year against {sq:,.0f} today{change}."
        )
        tables.append(
            frame_table(
                mon,
                "Monitoring per council control room: detections a year, three ways.",
                [
                    ("name", "room", _text),
                    ("cameras", "cameras", _num),
                    ("detections_per_year_status_quo", "today", _num),
                    ("detections_per_year_random", "random", _num),
                    ("detections_per_year_optimised", "optimised", _num),
                    ("cost_per_detection_gbp_optimised", "£ per detection", _money),
                ],
            )
        )
    return Chapter(key, title, question, finding, True, True, figures, tables)


def integration_chapter(inputs: GuideInputs, figures: Sequence[GuideFigure]) -> Chapter:
    key, title = "integration", "Public/private integration"
    question = "What would registered private cameras add to public coverage?"
    joint = inputs.joint
    if joint is None:
        return _missing(inputs, key, title, question, "joint coverage analysis")
    rec = joint.london[joint.london["level"] == "recognise"]
    private = int((inputs.estate.cameras["owner_type"].astype(str) == "private").sum())
    if rec.empty:
        finding = "Joint coverage has no Recognise-level row for this estate."
    elif not private:
        # No private camera: a "0.00 km² added" would read as a finding; it is an absent input.
        finding = (
            f"The estate holds no registered private cameras, so what they would add to "
            f"public coverage in {inputs.region_title} is not known: "
            f"cctvscope import cameras FILE --estate {inputs.estate.name} with owner_type "
            "private supplies them."
        )
    else:
        r = rec.iloc[0]
        finding = (
            f"Registered private cameras add {float(r['gain_km2']):,.2f} km² "
            f"({float(r['gain_pct']):.1f}%) to public coverage at Recognise level and raise "
            f"the share of recorded crime in coverage from {float(r['crime_share_public']):.1%} "
            f"to {float(r['crime_share_joint']):.1%}; {len(joint.candidates)} high-crime cells "
            "have no public coverage and are candidates for recruiting private cameras."
        )
    notes: list[str] = []
    example = inputs.example
    if example is None:
        notes.append(
            "Worked evidence request: not available in this run (`cctvscope demo` runs it)."
        )
    else:
        supplied = sum(r.state == "supplied" for r in example.requests)
        median = example.median_time_to_evidence_h
        notes.append(
            f"Worked evidence request (synthetic): {len(example.requests)} requests to holders "
            f"of {len(example.candidates)} candidate cameras, {supplied} supplied"
            + ("" if median is None else f", median {median:.0f} h to evidence")
            + "."
        )
    table = frame_table(
        joint.london,
        f"{inputs.region_title}: public and joint (public + private) coverage by detail level.",
        [
            ("level", "level", _text),
            ("public_km2", "public km²", lambda v: _num(v, ",.2f")),
            ("joint_km2", "joint km²", lambda v: _num(v, ",.2f")),
            ("gain_pct", "area gain", lambda v: _num(v, ".1f") + "%"),
            ("crime_share_public", "crime covered, public", lambda v: _pct(v, 1)),
            ("crime_share_joint", "crime covered, joint", lambda v: _pct(v, 1)),
        ],
    )
    return Chapter(key, title, question, finding, True, True, figures, [table], notes)


def technology_chapter(inputs: GuideInputs, figures: Sequence[GuideFigure]) -> Chapter:
    key, title = "technology", "Advancing technology"
    question = "Which technology changes pay for themselves over ten years?"
    sc = None if inputs.economics is None else inputs.economics.scenarios
    if sc is None:
        return _missing(inputs, key, title, question, "technology scenario model")
    npv = {k: float(v) for k, v in sc.npv_vs_baseline_gbp.items() if k != "baseline"}
    if not npv:
        finding = "No technology scenario besides the baseline is defined."
    else:
        best = max(npv, key=lambda k: npv[k])
        paying = sum(v > 0 for v in npv.values())
        same = sorted(k for k, v in npv.items() if v == 0)
        # No scenario pays: name none "best" on a zero NPV (a change that alters nothing).
        paid = npv[best] > 0
        tail = f"the best is {best} ({gbp(npv[best])})" if paid else "none pays for itself"
        if same:
            tail += f"; {', '.join(same)} change nothing on this estate (NPV £0)"
        finding = (
            f"Of {len(npv)} technology scenarios over {sc.horizon_years} years on "
            f"{sc.cameras_in_scope:,} cameras, {paying} have a positive net present value "
            f"against the baseline; {tail}."
        )
    table = frame_table(
        sc.summary(),
        "Scenarios: NPV against the baseline, totals and final-year state (base-year £).",
        [
            ("scenario", "scenario", _text),
            ("npv_vs_baseline_gbp", "NPV vs baseline", _money),
            ("capex_total_gbp", "capex", _money),
            ("opex_total_gbp", "opex", _money),
            ("final_storage_tb", "storage TB", lambda v: _num(v, ",.0f")),
            ("final_compliant_share", "compliant", _pct),
        ],
    )
    return Chapter(key, title, question, finding, True, True, figures, [table])


CHAPTER_BUILDERS: tuple[Callable[[GuideInputs, Sequence[GuideFigure]], Chapter], ...] = (
    control_rooms_chapter,
    framework_chapter,
    compliance_chapter,
    assessment_chapter,
    vfm_chapter,
    integration_chapter,
    technology_chapter,
)

#: Chapter titles in order (the tests look for every one).
CHAPTER_TITLES: tuple[str, ...] = (
    "Shared control rooms",
    "Framework agreement",
    "The standard and compliance",
    "Assessment of networks and borough–police efficiency",
    "Monitoring and value for money",
    "Public/private integration",
    "Advancing technology",
)


def chapters(
    inputs: GuideInputs, figures: dict[str, list[GuideFigure]] | None = None
) -> list[Chapter]:
    """Every chapter in order, with its figures (none in interim mode)."""
    figs = figures or {}
    keys = ("control_rooms", "framework", "compliance", "assessment", "vfm", "integration")
    out = []
    for build, key in zip(CHAPTER_BUILDERS, (*keys, "technology"), strict=True):
        out.append(build(inputs, figs.get(key, [])))
    return out


@dataclass(frozen=True)
class Profile:
    """One borough's profile page: sections of (label, value) rows and its map.

    ``badge`` is the label of the borough's camera records; ``confidence`` its
    per-table data-confidence table and ``request`` its data request.
    """

    gss_code: str
    name: str
    sections: Sequence[tuple[str, Sequence[tuple[str, str]]]]
    map: GuideFigure | None = None
    notes: Sequence[str] = field(default_factory=tuple)
    badge: Badge | None = None
    confidence: GuideTable | None = None
    request: str = ""
