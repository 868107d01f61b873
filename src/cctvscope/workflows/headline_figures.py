"""The headline figures registry: each figure the guide repeats across chapters, defined once.

The guide quotes some figures in several places (the executive summary, a chapter's
finding, a table caption, a borough profile). Reading them from one registry means a
chapter cannot print a different count, share or cost under the same name. Figures
that measure different things carry different names and definitions, and the guide
prints the definition with them:

- ``council_control_rooms_today``: rooms that monitor council cameras today (the
  consolidation model's status quo); ``control_rooms_in_estate`` every room in the
  estate, police and TfL rooms included (the map shows them all, and an option may
  move council monitoring into a police room).
- ``share_compliant_decided``: cameras meeting the standard among those with every rule
  decided. The technology scenarios' "technical floor" share is a different measure
  (the scenario model's simplified rule set) and is never called compliance.
- ``council_cctv_annual_cost_gbp``: council CCTV's revenue spend and annualised camera
  capital (value for money). ``control_room_annual_cost_gbp``: what the
  consolidation model costs today's monitoring at (rooms, operators, camera links).
  They overlap in part (monitoring staff and transmission are in both, from different
  sources), so the guide shows both side by side, labelled, and never adds them.
- ``cost_per_detection_gbp``: council CCTV's annual cost divided by the incidents its
  monitored cameras detect a year today (value for money); the only "cost per
  detection" the guide prints.

Every figure carries a range (``low``, ``high``) and a note of the assumptions that drive
it (:mod:`cctvscope.workflows.headline_ranges`); a count, or a figure whose inputs have no
sourced range, has ``low = high = value`` and says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from cctvscope.workflows.guide import GuideInputs
from cctvscope.workflows.headline_ranges import (
    FigureRange,
    annual_cost_range,
    framework_savings_range,
    npv_range,
    officer_hours_range,
    per_detection_range,
)
from cctvscope.workflows.runs import best_option

#: Name of the value-for-money table's region row.
REGION_ROW = "LONDON"


@dataclass(frozen=True)
class HeadlineFigure:
    """One figure: its value and range, unit, what it counts, where it comes from, how real.

    ``real_share`` is the share of the records it rests on that are real (None when
    not known); ``unit`` is one of ``rooms``, ``fraction``, ``GBP per year``, ``GBP``,
    ``hours per year``. ``low`` and ``high`` bound it over its assumptions' ranges and
    ``drivers`` names those assumptions (or says why it has no range).
    """

    name: str
    label: str
    value: float
    unit: str
    source: str
    definition: str
    real_share: float | None
    low: float = math.nan
    high: float = math.nan
    drivers: str = ""

    def __post_init__(self) -> None:
        # A figure built without a range is exact at its value (the text says so).
        if math.isnan(self.low) and math.isnan(self.high):
            object.__setattr__(self, "low", self.value)
            object.__setattr__(self, "high", self.value)


def _ranged(figure: HeadlineFigure, rng: FigureRange) -> HeadlineFigure:
    return replace(figure, low=rng.low, high=rng.high, drivers=rng.drivers)


def _real_share(inputs: GuideInputs, *tables: str) -> float | None:
    """Share of real records over ``tables`` (region-wide), or None without records."""
    frame = inputs.data_confidence.by_table
    rows = frame[frame["table"].isin(tables)]
    records = float(rows["records"].sum())
    return float(rows["real_records"].sum()) / records if records else None


def _vfm_value(inputs: GuideInputs, column: str) -> float | None:
    eco = inputs.economics
    if eco is None or eco.vfm is None:
        return None
    row = eco.vfm[eco.vfm["gss_code"] == REGION_ROW]
    if row.empty:
        return None
    value = float(row[column].astype(float).iloc[0])
    return value if math.isfinite(value) else None


#: Why a count has no range.
COUNT = "a count: exact"


def _rooms(inputs: GuideInputs) -> list[HeadlineFigure]:
    real = _real_share(inputs, "control_rooms")
    out = [
        HeadlineFigure(
            "control_rooms_in_estate",
            "control rooms in the estate",
            float(len(inputs.estate.control_rooms)),
            "rooms",
            "estate.control_rooms",
            "every room of the estate: council, shared, police and TfL",
            real,
            drivers=COUNT,
        )
    ]
    if inputs.options is None:
        return out
    out.append(
        HeadlineFigure(
            "council_control_rooms_today",
            "council control rooms today",
            float(len(inputs.options.status_quo.rooms)),
            "rooms",
            "options.status_quo.rooms",
            "rooms that monitor council cameras today; police and TfL rooms keep their "
            "own cameras and may host council monitoring in an option",
            real,
            drivers=COUNT,
        )
    )
    out.append(
        HeadlineFigure(
            "control_room_annual_cost_gbp",
            "annual cost of monitoring council cameras today (control-room model)",
            inputs.options.status_quo.annual_cost_gbp_per_year,
            "GBP per year",
            "options.status_quo.annual_cost_gbp_per_year",
            "the consolidation model's cost of today's rooms: room running costs, "
            "operators and camera links",
            _real_share(inputs, "control_rooms", "links", "cost_items"),
            drivers="no range: the control-room unit costs carry no sourced range",
        )
    )
    best = best_option(inputs.options)
    if best is not None:
        figure = HeadlineFigure(
            "best_option_npv_gbp",
            "net present value of the best control-room option",
            best.npv_gbp,
            "GBP",
            "options: max npv_gbp over solved options",
            f"the best of the solved options ({best.room_count} rooms) against the status quo",
            _real_share(inputs, "control_rooms", "links", "cost_items"),
        )
        out.append(_ranged(figure, npv_range(inputs, best, inputs.options.horizon_years)))
    return out


def _economics(inputs: GuideInputs) -> list[HeadlineFigure]:
    out = []
    cost = _vfm_value(inputs, "annual_cost_gbp")
    eco_real = _real_share(inputs, "contracts", "cost_items", "cameras")
    if cost is not None:
        figure = HeadlineFigure(
            "council_cctv_annual_cost_gbp",
            "annual cost of council CCTV (value for money)",
            cost,
            "GBP per year",
            f"economics.vfm, {REGION_ROW} row, annual_cost_gbp",
            "council CCTV's revenue spend (contracts) and the annualised capital cost of "
            "its cameras",
            eco_real,
        )
        out.append(_ranged(figure, annual_cost_range(inputs, cost)))
    per_detection = _vfm_value(inputs, "cost_per_detected_incident_gbp")
    if per_detection is not None and cost is not None:
        figure = HeadlineFigure(
            "cost_per_detection_gbp",
            "cost per detected incident",
            per_detection,
            "GBP",
            f"economics.vfm, {REGION_ROW} row, cost_per_detected_incident_gbp",
            "annual cost of council CCTV divided by the incidents its monitored cameras "
            "detect a year today",
            eco_real,
        )
        out.append(_ranged(figure, per_detection_range(inputs, cost, per_detection)))
    return out


def _operations(inputs: GuideInputs) -> list[HeadlineFigure]:
    """The framework's savings and the evidence-retrieval hours saved."""
    eco = inputs.economics
    out = []
    framework = None if eco is None else eco.framework
    if framework is not None:
        figure = HeadlineFigure(
            "framework_savings_gbp_per_year",
            "framework agreement savings",
            framework.annual_savings_gbp,
            "GBP per year",
            "economics.framework.annual_savings_gbp",
            "price (volume discount) and tendering savings of a shared framework agreement",
            _real_share(inputs, "contracts"),
        )
        saving = framework.annual_savings_gbp
        out.append(_ranged(figure, framework_savings_range(inputs, saving)))
    savings = None if eco is None else eco.evidence_savings
    if savings is not None:
        hours = savings.officer_hours_saved_per_year
        figure = HeadlineFigure(
            "officer_hours_saved_per_year",
            "officer hours saved by the cheapest evidence-retrieval model",
            hours,
            "hours per year",
            "economics.evidence_savings.officer_hours_saved_per_year",
            "police officer hours a year saved if each borough used its cheapest "
            "evidence-retrieval model",
            _real_share(inputs, "evidence_stats"),
        )
        out.append(_ranged(figure, officer_hours_range(inputs, hours)))
    return out


def headline_figures(inputs: GuideInputs) -> dict[str, HeadlineFigure]:
    """Every registry figure the results allow, by name (a missing result: no entry)."""
    figures = [*_rooms(inputs), *_economics(inputs), *_operations(inputs)]
    if inputs.compliance is not None:
        share = inputs.compliance.result.share_compliant_decided
        if math.isfinite(share):
            figures.append(
                HeadlineFigure(
                    "share_compliant_decided",
                    f"cameras meeting {inputs.compliance.standard_label}",
                    share,
                    "fraction",
                    "compliance.result.share_compliant_decided",
                    "in-service public cameras meeting every rule of the standard, among "
                    "those with every rule decided",
                    _real_share(inputs, "cameras"),
                    drivers="a count of assessed cameras: no assumption range applies",
                )
            )
    return {f.name: f for f in figures}
