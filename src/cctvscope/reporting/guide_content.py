"""Content of the guide: headline figures, chapters, findings and tables built from results.

Every number shown comes from a result in :class:`~cctvscope.workflows.guide.GuideInputs`;
each finding is an f-string over those numbers, so it says only what they show. A
chapter whose analysis is missing says "not available yet" instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from cctvscope.reporting.guide_chapters import (
    integration_chapter,
    technology_chapter,
    vfm_chapter,
)
from cctvscope.reporting.guide_confidence import (
    compliance_basis,
    compliance_sentence,
    share_text,
)
from cctvscope.reporting.guide_crime import (
    BURGLARY_ONLY,
    area_types,
    crime_tables,
    crime_type_notes,
    points_phrase,
)
from cctvscope.reporting.guide_figures import GuideFigure
from cctvscope.reporting.guide_registry import (
    figure_text,
    occlusion_method,
    range_text,
    registry_text,
    rooms_sentence,
)
from cctvscope.reporting.guide_tables import (
    GAPS_NOT_AVAILABLE,
    NOT_AVAILABLE,
    Chapter,
    Column,
    GuideTable,
    Headline,
    Profile,
    _missing,
    _money,
    _num,
    _pct,
    _text,
    frame_table,
    london_vfm,
)
from cctvscope.reporting.guide_text import COP_NOT_ASSESSED, gbp, plural, year
from cctvscope.workflows.guide import GuideInputs
from cctvscope.workflows.headline_figures import HeadlineFigure, headline_figures
from cctvscope.workflows.runs import best_option


def _headline(label: str, figure: HeadlineFigure) -> Headline:
    """A registry figure as an executive-summary row: value, range and drivers."""
    return Headline(
        label, figure_text(figure), figure.source, figure.value, range_text(figure), figure.drivers
    )


def headlines(inputs: GuideInputs) -> list[Headline]:
    """The executive summary's five figures, each a registry figure with its range."""
    figures = headline_figures(inputs)
    eco = inputs.economics
    # Each economics figure stands on its own part: one missing input hides only its own.
    why = "economics not run" if eco is None else "economics incomplete: see its chapters"
    rows: list[tuple[str, str, str]] = [
        (
            "Annual cost of council CCTV (revenue and annualised camera capital)",
            "council_cctv_annual_cost_gbp",
            why,
        ),
        ("Framework agreement savings", "framework_savings_gbp_per_year", why),
        (
            "Officer hours saved by the cheapest evidence-retrieval model",
            "officer_hours_saved_per_year",
            why,
        ),
    ]
    if inputs.compliance is not None:
        # Among cameras with every rule decided: counting a rule left unknown (a defaulted
        # input) as passed would overstate compliance.
        label = (
            f"Cameras meeting {inputs.compliance.standard_label}, of those with every rule decided"
        )
        rows.append((label, "share_compliant_decided", "compliance.result.share_compliant_decided"))
    else:
        rows.append(("Cameras meeting the standard", "share_compliant_decided", "not run"))
    best = None if inputs.options is None else best_option(inputs.options)
    npv_label = "NPV of the best control-room option"
    if best is not None:
        npv_label += f" ({plural(best.room_count, 'room')})"
    rows.append((npv_label, "best_option_npv_gbp", ""))
    out: list[Headline] = []
    for label, name, missing in rows:
        figure = figures.get(name)
        out.append(
            Headline(label, NOT_AVAILABLE, missing, None)
            if figure is None
            else _headline(label, figure)
        )
    return out


def control_rooms_chapter(inputs: GuideInputs, figures: Sequence[GuideFigure]) -> Chapter:
    key, title = "control_rooms", "Shared control rooms"
    question = "Would fewer, shared control rooms monitor the boroughs' cameras for less?"
    result = inputs.options
    if result is None:
        return _missing(inputs, key, title, question, "control-room consolidation analysis")
    best = best_option(result)
    today = registry_text(inputs, "council_control_rooms_today")
    cost = registry_text(inputs, "control_room_annual_cost_gbp")
    solved = sum(o.status == "optimal" for o in result.options)
    if best is None:
        finding = f"None of the {len(result.options)} consolidation options could be solved."
    elif best.npv_gbp > 0:
        finding = (
            f"Of {solved} solved options, the best is {plural(best.room_count, 'control room')} "
            f"instead of {today} today: a net present value of {gbp(best.npv_gbp)} "
            f"over {result.horizon_years} years against the status quo, saving "
            f"{gbp(best.annual_saving_gbp_per_year)} a year for a one-off "
            f"{gbp(best.one_off_gbp)}."
        )
    else:
        finding = (
            f"No consolidation option beats today's {today}: the best, "
            f"{plural(best.room_count, 'room')}, has a net present value of {gbp(best.npv_gbp)}."
        )
    finding += " " + rooms_sentence(inputs)
    table = frame_table(
        result.table(),
        f"Options against the status quo ({today}, {cost} in the control-room model: "
        "room running costs, operators and camera links); base-year £.",
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
    boroughs, notes = compliance_borough_table(per_borough)
    return Chapter(key, title, question, finding, True, True, figures, [rules, boroughs], notes)


def compliance_borough_table(per_borough: pd.DataFrame) -> tuple[GuideTable, list[str]]:
    """The per-borough compliance table and its note on the Code of Practice columns.

    With no self-assessment stored for any borough the two CoP columns would hold only
    "–": they are left out and a note says so. With some, "–" is explained in the caption.
    """
    columns: list[Column] = [
        ("name", "borough", _text),
        ("cameras", "cameras", _num),
        ("cameras_decided", "decided", _num),
        ("share_compliant_decided", "compliant (decided)", lambda v: _pct(v, 1)),
        ("share_real_inputs", "real inputs", _pct),
    ]
    caption = (
        "Per borough: share compliant among cameras with every rule decided, cameras "
        "decided and share of real inputs"
    )
    assessed = int(per_borough["cop_share"].notna().sum()) if len(per_borough) else 0
    if not assessed:
        note = f"Code of Practice self-assessment: {COP_NOT_ASSESSED}, for every borough."
        return frame_table(per_borough, caption + ".", columns), [note]
    columns += [("cop_share", "CoP score", _pct), ("meets_cop", "meets CoP", _text)]
    caption += f", and the Code of Practice self-assessment (–: {COP_NOT_ASSESSED})."
    return frame_table(per_borough, caption, columns), []


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
            ("median_install_year", "median year", year),
        ],
    )
    notes = gap_notes(inputs)
    lacking = inputs.gaps.get("evidence_ops", ())
    if lacking:
        notes.append(
            "Police evidence retrieval by operating model: not shown for "
            f"{inputs.region_title}, for lack of: {'; '.join(lacking)}."
        )
    tables = [table, *crime_tables(inputs.coverage, inputs.region_title)]
    return Chapter(key, title, question, finding, True, True, figures, tables, notes)


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
    types = area_types(cov, "london")
    points = points_phrase(types)
    share = float(region["crime_points_share"].iloc[0])
    small = ""
    if "lsoa_crime_share" in s.columns:
        area = "LSOA" if inputs.is_london else "small-area"
        lsoa = 100 * float(region["lsoa_crime_share"].iloc[0])
        small = f" (and {lsoa:.1f} % of {area} recorded crime spread by area)"
    threshold = int(cov.gaps["threshold_points"].iloc[0]) if not cov.gaps.empty else 0
    each = "burglary points" if types == BURGLARY_ONLY else "crime points"
    worst = f"; the worst: {named}" if named else ""
    # A missing building layer is named with the command that supplies it; else the
    # occlusion the coverage run applied is stated.
    said = any("occluded" in m for m in lacking)
    caveat = ("" if said else f" {occlusion_method(inputs)}") + (
        " Most cameras are synthetic, so these are illustrative."
        if inputs.is_london
        else "".join(f" {m}." for m in lacking)
    )
    return [
        f"Coverage gaps: {100 * share:.1f} % of {inputs.region_title}'s {points}{small} fall "
        f"inside coverage at Recognise or better. {len(cov.gaps)} high-crime "
        f"{cov.options.grid_m:g} m squares (at least {threshold} {each} each) have none of "
        f"their points covered at Recognise{worst}.{caveat}",
        *crime_type_notes(cov, inputs.region_title),
    ]


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


__all__ = [
    "CHAPTER_TITLES",
    "GAPS_NOT_AVAILABLE",
    "NOT_AVAILABLE",
    "Chapter",
    "GuideTable",
    "Headline",
    "Profile",
    "chapters",
    "gbp",
    "headlines",
    "london_vfm",
]
