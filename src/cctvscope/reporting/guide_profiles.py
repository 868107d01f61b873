"""Borough profile pages: estate, coverage and gaps, compliance, costs, options, map.

Each profile opens with the label of the borough's camera records; its last section
is its data confidence per table, followed by its data request (then the map, which
must stay on the same page).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cctvscope.economics.evidence_ops import evidence_ops_choices
from cctvscope.reporting.guide_confidence import (
    CONFIDENCE_HEADERS,
    borough_badge,
    borough_request,
    compliance_basis,
    confidence_rows,
)
from cctvscope.reporting.guide_crime import BURGLARY_ONLY, area_types
from cctvscope.reporting.guide_figures import GuideFigure
from cctvscope.reporting.guide_tables import (
    GAPS_NOT_AVAILABLE,
    NOT_AVAILABLE,
    GuideTable,
    Profile,
    _money,
    _num,
    _pct,
    _text,
)
from cctvscope.reporting.guide_text import COP_NOT_ASSESSED_SHORT, missing, year
from cctvscope.workflows.guide import GuideInputs
from cctvscope.workflows.runs import best_option

Rows = list[tuple[str, str]]


def _by_code(frame: pd.DataFrame | None, column: str) -> dict[str, dict[str, object]]:
    if frame is None:
        return {}
    return {str(r[column]): {str(k): v for k, v in r.items()} for r in frame.to_dict("records")}


def _model(name: object) -> str:
    return str(name).replace("_", " ")


def _cop_rows(c: Mapping[str, object]) -> Rows:
    """The Code of Practice rows: score and verdict, or one row saying none was returned."""
    if missing(c.get("cop_share")):
        return [("Code of Practice self-assessment", COP_NOT_ASSESSED_SHORT)]
    return [
        ("Code of Practice score", _pct(c["cop_share"])),
        ("meets the Code of Practice", _text(c.get("meets_cop"))),
    ]


def profiles(inputs: GuideInputs, maps: Mapping[str, GuideFigure]) -> list[Profile]:
    """One profile per borough of the estate, in the boroughs table's order."""
    estate = inputs.estate
    summary = _by_code(inputs.summary, "gss_code")
    eco = inputs.economics
    vfm = _by_code(None if eco is None else eco.vfm, "gss_code")
    choices = (
        {}
        if eco is None or eco.evidence_ops is None
        else _by_code(evidence_ops_choices(eco.evidence_ops).reset_index(), "borough_code")
    )
    comp = _by_code(None if inputs.compliance is None else inputs.compliance.boroughs, "gss_code")
    basis = _by_code(
        None if inputs.compliance is None else compliance_basis(inputs.compliance.result),
        "borough_code",
    )
    joint: dict[str, dict[str, object]] = {}
    if inputs.joint is not None:
        by = pd.DataFrame(inputs.joint.by_borough.drop(columns="geometry"))
        joint = _by_code(by[by["level"] == "recognise"], "gss_code")
    best = None if inputs.options is None else best_option(inputs.options)
    names = dict(zip(estate.control_rooms["room_id"], estate.control_rooms["name"], strict=True))
    if best is not None:
        names.update(best.room_names)

    def _room(room: str | None) -> str:
        return "–" if room is None else f"{names.get(room, room)} ({room})"

    out = []
    for code, name in zip(estate.boroughs["gss_code"], estate.boroughs["name"], strict=True):
        gss = str(code)
        s = summary.get(gss)
        estate_rows: Rows = (
            [
                ("cameras (all owners)", _num(s["cameras"])),
                (
                    "council / TfL / police / private",
                    " / ".join(
                        _num(s[f"{o}_cameras"]) for o in ("council", "tfl", "police", "private")
                    ),
                ),
                ("cameras per km²", _num(s["cameras_per_km2"], ",.1f")),
                ("cameras per 1,000 residents", _num(s["cameras_per_1000_residents"], ",.2f")),
                ("analogue share", _pct(s["share_analogue"])),
                ("median install year", year(s["median_install_year"])),
                ("synthetic records", _pct(s["share_synthetic"])),
            ]
            if s
            else [("estate summary", NOT_AVAILABLE)]
        )
        v = vfm.get(gss)
        j = joint.get(gss)
        coverage_rows: Rows = [
            (
                "council coverage at Recognise",
                "–" if not v else _num(v["covered_km2_recognise"], ",.2f") + " km²",
            ),
            ("crimes in council coverage", "–" if not v else _num(v["crimes_in_coverage"])),
            (
                "private cameras add (Recognise)",
                NOT_AVAILABLE if not j else _num(j["gain_pct"], ".1f") + "% area",
            ),
            ("coverage gaps", _gaps_text(inputs, gss)),
        ]
        c, b = comp.get(gss), basis.get(gss)
        compliance_rows: Rows = (
            [
                ("in-service cameras assessed", _num(c["cameras"])),
                *_decided_rows(b),
                *_cop_rows(c),
            ]
            if c
            else [("compliance", NOT_AVAILABLE)]
        )
        ch = choices.get(gss)
        cost_rows: Rows = (
            [
                ("annual cost of council CCTV", _money(v["annual_cost_gbp"])),
                ("cost per council camera a year", _money(v["cost_per_camera_gbp_per_year"])),
                ("cost per evidential export", _money(v["cost_per_evidential_export_gbp"])),
            ]
            if v
            else [("costs", NOT_AVAILABLE)]
        )
        if ch:
            cost_rows += [
                (
                    "evidence retrieval now",
                    f"{_model(ch['current_model'])}: {_money(ch['current_cost_gbp_per_year'])} "
                    f"a year, {_num(ch['current_hours_per_year'])} officer h",
                ),
                (
                    "cheapest retrieval model",
                    f"{_model(ch['cheapest_model'])}: {_money(ch['cheapest_cost_gbp_per_year'])} "
                    f"a year, {_num(ch['cheapest_hours_per_year'])} officer h",
                ),
            ]
        option_rows: Rows = []
        if inputs.options is not None:
            sq_room = inputs.options.status_quo.assignment.get(gss)
            option_rows.append(("control room today", _room(sq_room)))
        if best is not None:
            room = best.assignment.get(gss)
            option_rows.append(
                (f"best option ({best.room_count} rooms) assigns it to", _room(room))
            )
        if not option_rows:
            option_rows.append(("control-room options", NOT_AVAILABLE))
        out.append(
            Profile(
                gss,
                str(name),
                [
                    ("Estate", estate_rows),
                    ("Coverage and gaps", coverage_rows),
                    ("Compliance", compliance_rows),
                    ("Costs", cost_rows),
                    ("Options that affect it", option_rows),
                ],
                maps.get(gss),
                (GAPS_NOT_AVAILABLE,) if inputs.coverage is None else (),
                borough_badge(inputs, gss),
                confidence_table(inputs, gss),
                borough_request(inputs, gss),
            )
        )
    return out


def _decided_rows(b: dict[str, object] | None) -> Rows:
    """Compliance among the cameras with every rule decided, and the inputs' basis."""
    if not b:
        return [("compliant (rules decided)", "–")]
    return [
        (
            "compliant (rules decided)",
            f"{_pct(b['share_compliant_decided'], 1)} ({_num(b['compliant_decided'])} of "
            f"{_num(b['cameras_decided'])} decided)",
        ),
        ("a rule unknown (defaulted)", _num(b["cameras_unknown"]) + " cameras"),
        ("real inputs", _pct(b["share_real_inputs"])),
    ]


def confidence_table(inputs: GuideInputs, gss: str) -> GuideTable:
    """The borough's data confidence per table: records, real, share, last return, label."""
    rows = confidence_rows(inputs.data_confidence.borough(gss))
    numeric = [h in ("records", "real", "share real") for h in CONFIDENCE_HEADERS]
    return GuideTable(
        "Records per table; real: returned or published.",
        CONFIDENCE_HEADERS,
        rows,
        numeric,
    )


def _gaps_text(inputs: GuideInputs, gss: str) -> str:
    """Crime covered at Recognise and the borough's ranked gaps, from the coverage engine."""
    cov = inputs.coverage
    if cov is None:
        return NOT_AVAILABLE
    s = cov.summary
    row = s[(s["area_type"] == "borough") & (s["area_code"] == gss) & (s["level"] == "recognise")]
    if "crime_points_share" not in s.columns or row.empty:
        return "crime in coverage not computed (no crime layer)"
    share = float(row["crime_points_share"].iloc[0])
    mine = cov.gaps[cov.gaps["borough_code"] == gss]
    ranks = ", ".join(f"#{int(r)}" for r in mine["rank"].head(5))
    top = f"{inputs.region_title}'s top {len(cov.gaps)} gaps"
    gaps = f"{len(mine)} of {top} ({ranks})" if ranks else "none"
    types = area_types(cov, "borough", gss)
    points = "burglary points" if types == BURGLARY_ONLY else f"crime points ({len(types)} types)"
    return f"{100 * share:.1f} % of {points} seen at Recognise; gaps: {gaps}"
