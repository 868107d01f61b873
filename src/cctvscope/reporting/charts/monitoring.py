"""Monitoring charts: the optimised rota by hour against random and status-quo watching."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cctvscope.optimisation.monitoring import MonitoringPlan
from cctvscope.reporting.charts.style import PALETTE, add_source, new_figure, save_svg


def rota_chart(plan: MonitoringPlan, path: Path, *, room_name: str = "") -> Path:
    """Two panels by hour of day: staffing (operators, screens per operator) and detections.

    Top: operators on duty (bars) and screens per operator (line, right axis).
    Bottom: expected detections per hour-slot per day, optimised vs cameras at
    random (same staffing) vs the status quo.
    """
    rota = plan.rota
    hours = rota.index.to_numpy()
    fig = new_figure(9.0, 7.0)
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.bar(hours, rota["operators"], color=PALETTE[0], label="operators on duty")
    top.set_ylabel("operators on duty [operators]")
    right = top.twinx()
    right.step(
        hours,
        rota["screens_per_operator"],
        where="mid",
        color=PALETTE[1],
        label="screens per operator",
    )
    right.set_ylabel("screens per operator [screens]")
    right.set_ylim(0, max(float(rota["screens_per_operator"].max()), 1.0) * 1.15)
    handles = top.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    top.legend(handles=handles, loc="upper left", fontsize=8)
    label = room_name or plan.room_id
    top.set_title(
        f"Optimised live-monitoring rota, {label}\n"
        f"{plan.operator_hours_per_day} operator-hours/day, "
        f"£{plan.staffing_cost_gbp_per_year:,.0f}/yr staffing"
    )
    for column, name, colour in (
        ("expected_detections", "optimised (top-risk cameras)", PALETTE[2]),
        ("random_detections", "random cameras, same staffing", PALETTE[6]),
        ("status_quo_detections", "status quo (all cameras in rotation)", PALETTE[3]),
    ):
        bottom.plot(hours, rota[column], marker="o", markersize=3, color=colour, label=name)
    bottom.set_xlabel("hour of day [h, 0 = 00:00-01:00]")
    bottom.set_ylabel("expected detections [incidents per hour-slot per day]")
    bottom.set_xticks(np.arange(0, 24, 2))
    bottom.set_title(
        "Expected detections per year: "
        f"optimised {plan.expected_detections_per_year:,.0f}, "
        f"random {plan.random.expected_detections_per_year:,.0f}, "
        f"status quo {plan.status_quo.expected_detections_per_year:,.0f}",
        fontsize=10,
    )
    bottom.legend(loc="upper left", fontsize=8)
    add_source(
        fig,
        "cctvscope monitoring model; PSDB detection figures (Aldridge, via securitysa.com), "
        "crime-by-hour profile and curve form assumed (assumptions.yaml optimisation_monitoring); "
        "MPS LSOA crime",
        inches=0.5,
    )
    return save_svg(fig, path)
