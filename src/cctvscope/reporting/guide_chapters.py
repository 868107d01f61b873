"""Guide chapters 5 to 7: monitoring and value for money, public/private integration,
advancing technology (the other chapters are in :mod:`cctvscope.reporting.guide_content`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from cctvscope.reporting.guide_figures import GuideFigure
from cctvscope.reporting.guide_registry import cost_reconciliation, registry_text
from cctvscope.reporting.guide_tables import (
    Chapter,
    GuideTable,
    _missing,
    _money,
    _num,
    _pct,
    _text,
    frame_table,
    london_vfm,
)
from cctvscope.reporting.guide_text import gbp
from cctvscope.reporting.guide_uncertainty import detection_extrapolation
from cctvscope.workflows.guide import GuideInputs


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
    cost = registry_text(inputs, "council_cctv_annual_cost_gbp") or _money(None)
    finding = (
        f"Council CCTV costs {cost} (revenue and annualised camera capital): "
        f"{gbp(vfm['cost_per_camera_gbp_per_year'])} per camera and {exports}."
    )
    tables = [
        frame_table(
            inputs.economics.vfm,
            f"Value for money per borough ({inputs.economics.price_base_year} £). Per "
            "detection: the annual cost divided by the incidents the borough's monitored "
            "cameras detect a year today (the guide's one cost per detection).",
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
        ) + detection_extrapolation(inputs)
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
                ],
            )
        )
    reconciliation = cost_reconciliation(inputs)
    if reconciliation:
        tables.append(
            GuideTable(
                "Two annual costs of council CCTV, measured differently: this chapter's "
                "(what councils spend on CCTV and its cameras) and the control-room "
                "chapter's (what the consolidation model costs today's monitoring at). "
                "They overlap in part: monitoring staff and transmission are in both, priced "
                "from the contracts register here and from the model's unit costs there, so "
                "the two are neither added nor compared.",
                ["measure", "value", "what it counts", "source"],
                reconciliation,
                [False, True, False, False],
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
    compliance = registry_text(inputs, "share_compliant_decided")
    table = frame_table(
        sc.summary(),
        f"Scenarios {sc.start_year}–{sc.start_year + sc.horizon_years - 1}: NPV against the "
        f"baseline, totals and final-year state ({sc.price_base_year} £). Technical floor: "
        "the share of cameras meeting the scenario model's simplified rule set "
        "(economics_scenarios.compliance_*) in the final year; it is not compliance with "
        "the standard" + (f" ({compliance} today, chapter 3)." if compliance else "."),
        [
            ("scenario", "scenario", _text),
            ("npv_vs_baseline_gbp", "NPV vs baseline", _money),
            ("capex_total_gbp", "capex", _money),
            ("opex_total_gbp", "opex", _money),
            ("final_storage_tb", "storage TB", lambda v: _num(v, ",.0f")),
            ("final_compliant_share", "technical floor", _pct),
        ],
    )
    return Chapter(key, title, question, finding, True, True, figures, [table])
