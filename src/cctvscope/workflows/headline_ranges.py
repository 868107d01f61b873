"""The range of each headline figure: the cheap model parts re-run at their assumptions'
low and high ends.

A figure's range comes from the ranges the assumptions file gives (``economics_vfm.*_range``
and the detection curve's other fitted forms beyond the PSDB data), each varied on its own
(one at a time) with the others at base; the deviations below and above the base are then
combined in quadrature, side by side, as for independent errors:

.. math::

    \\text{low} = v - \\sqrt{\\textstyle\\sum_i \\max(0, v - \\min(l_i, h_i))^2},\\quad
    \\text{high} = v + \\sqrt{\\textstyle\\sum_i \\max(0, \\max(l_i, h_i) - v)^2}

for base value :math:`v` and case results :math:`l_i, h_i`. A figure with no sourced
range behind it (a count, or inputs without one) keeps ``low = high = value`` and says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cctvscope.economics.evidence_ops import evidence_ops_at_share, evidence_ops_savings
from cctvscope.economics.procurement import framework_analysis
from cctvscope.optimisation.control_rooms import ConsolidationOption
from cctvscope.workflows.economics import SENSITIVITY_METRICS
from cctvscope.workflows.guide import GuideInputs

#: The sensitivity metric of the annual estate cost (the VFM table's ``annual_cost_gbp``).
COST_METRIC = next(name for name, column, _ in SENSITIVITY_METRICS if column == "annual_cost_gbp")
#: What a figure's drivers name when the one-at-a-time cases came from the VFM ranges.
VFM_RANGES = "economics_vfm ranges"
DETECTION_FORMS = "detection probability beyond the PSDB data (linear and log-linear fits)"


@dataclass(frozen=True)
class FigureRange:
    """A figure's ``low`` and ``high`` and a note of the assumptions that drive them."""

    low: float
    high: float
    drivers: str


#: One one-at-a-time case: (what was varied, figure at its low end, figure at its high end).
Case = tuple[str, float, float]


def fixed(value: float, why: str) -> FigureRange:
    """A figure without a range (``low = high = value``) and why it has none."""
    return FigureRange(value, value, why)


def combine(value: float, cases: Sequence[Case], what: str) -> FigureRange:
    """Combine one-at-a-time ``cases`` in quadrature on each side of ``value``.

    ``drivers`` names the cases that move the figure, largest swing first, then ``what``
    (where their ranges come from).
    """
    finite = [c for c in cases if math.isfinite(c[1]) and math.isfinite(c[2])]
    down = [max(0.0, value - min(lo, hi)) for _, lo, hi in finite]
    up = [max(0.0, max(lo, hi) - value) for _, lo, hi in finite]
    low = value - math.sqrt(sum(d * d for d in down))
    high = value + math.sqrt(sum(u * u for u in up))
    moving = sorted((c for c in finite if abs(c[2] - c[1]) > 0), key=lambda c: -abs(c[2] - c[1]))
    if not moving:
        return fixed(value, f"its assumptions' ranges ({what}) do not move it")
    names = ", ".join(name for name, _, _ in moving)
    return FigureRange(low, high, f"{names} ({what}; one at a time, combined in quadrature)")


def _cost_cases(inputs: GuideInputs) -> list[Case]:
    """The VFM sensitivity's cases for the region's annual cost."""
    eco = inputs.economics
    sens = None if eco is None else eco.sensitivity
    if sens is None or sens.empty:
        return []
    rows = sens[sens["metric"] == COST_METRIC]
    return [
        (str(r["parameter"]), float(r["at_low"]), float(r["at_high"]))
        for r in rows.to_dict("records")
    ]


def annual_cost_range(inputs: GuideInputs, cost: float) -> FigureRange:
    """Council CCTV's annual cost across the VFM ranges (the tornado's cases)."""
    return combine(cost, _cost_cases(inputs), VFM_RANGES)


def detection_factors(monitoring: pd.DataFrame | None) -> tuple[float, float] | None:
    """Today's detections under the detection curve's other forms, as multiples of the
    model's (summed over rooms); None without the monitoring table's low/high columns."""
    cols = ("detections_per_year_status_quo_low", "detections_per_year_status_quo_high")
    if monitoring is None or monitoring.empty or not set(cols) <= set(monitoring.columns):
        return None
    today = float(monitoring["detections_per_year_status_quo"].sum())
    if today <= 0:
        return None
    return float(monitoring[cols[0]].sum()) / today, float(monitoring[cols[1]].sum()) / today


def per_detection_range(inputs: GuideInputs, cost: float, per_detection: float) -> FigureRange:
    """Cost per detected incident: the annual cost's cases over today's detections, and
    today's detections under the detection curve's other forms (fewer detections, dearer)."""
    scale = per_detection / cost if cost else math.nan
    cases = [(n, lo * scale, hi * scale) for n, lo, hi in _cost_cases(inputs)]
    factors = detection_factors(inputs.monitoring)
    if factors is not None:
        f_low, f_high = factors
        cases.append((DETECTION_FORMS, per_detection / f_high, per_detection / f_low))
    return combine(per_detection, cases, f"{VFM_RANGES}, optimisation_monitoring")


def framework_savings_range(inputs: GuideInputs, saving: float) -> FigureRange:
    """Framework savings with the contracts register's values at the ends of
    ``economics_vfm.contract_value_range`` (the framework analysis re-run on each)."""
    low, high = inputs.assumptions.value("economics_vfm.contract_value_range")
    contracts = inputs.estate.contracts
    boroughs = pd.DataFrame(inputs.estate.boroughs.drop(columns="geometry"))

    def at(factor: float) -> float:
        scaled = contracts.assign(annual_value_gbp=contracts["annual_value_gbp"] * factor)
        return framework_analysis(scaled, boroughs, inputs.assumptions).annual_savings_gbp

    return combine(saving, [("contract values", at(float(low)), at(float(high)))], VFM_RANGES)


def officer_hours_range(inputs: GuideInputs, saved: float) -> FigureRange:
    """Officer hours saved with every borough's footage share at the ends of
    ``economics_vfm.footage_useful_share_range`` (the evidence-retrieval table re-costed)."""
    eco = inputs.economics
    table = None if eco is None else eco.evidence_ops
    none = "the evidence-retrieval times carry no sourced range"
    if table is None or table.empty:
        return fixed(saved, f"no range: {none}")
    low, high = inputs.assumptions.value("economics_vfm.footage_useful_share_range")

    def at(share: float) -> float:
        recosted = evidence_ops_at_share(table, inputs.assumptions, share)
        return evidence_ops_savings(recosted).officer_hours_saved_per_year

    got = combine(saved, [("useful footage share", at(float(low)), at(float(high)))], VFM_RANGES)
    return FigureRange(got.low, got.high, f"{got.drivers}; {none}")


def npv_at(option: ConsolidationOption, horizon_years: int, rate: float) -> float:
    """The option's NPV at one flat discount rate: −one-off + saving × Σ (1 + r)^−t."""
    years = np.arange(1, horizon_years + 1, dtype=float)
    annuity = float(np.sum((1.0 + rate) ** -years))
    return -option.one_off_gbp + option.annual_saving_gbp_per_year * annuity


def npv_range(inputs: GuideInputs, option: ConsolidationOption, horizon_years: int) -> FigureRange:
    """The best option's NPV at the ends of ``economics_vfm.discount_rate_range`` (flat
    rates, against the Green Book's 3.5 %); its costs carry no sourced range."""
    low, high = inputs.assumptions.value("economics_vfm.discount_rate_range")
    cases = [
        (
            "discount rate",
            npv_at(option, horizon_years, float(low)),
            npv_at(option, horizon_years, float(high)),
        )
    ]
    return combine(option.npv_gbp, cases, VFM_RANGES)
