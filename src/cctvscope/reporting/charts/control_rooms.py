"""Map of a control-room consolidation option: boroughs, open rooms, assignments."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from cctvscope.model.estate import Estate
from cctvscope.optimisation.control_rooms import ConsolidationOption
from cctvscope.reporting.charts.maps import scale_bar_and_north
from cctvscope.reporting.charts.style import PALETTE, add_source, new_figure, save_svg

SCALE_BAR_M = 10_000.0


def option_map(
    estate: Estate, option: ConsolidationOption, path: Path, *, synthetic: bool = True
) -> Path:
    """SVG map of one option: borough outlines, open rooms, a line from each borough to its room.

    Lines run from each borough's polygon centroid to its room and are coloured
    by room; boroughs are shaded in their room's colour. A 10 km scale bar and a
    north arrow are drawn (British National Grid, metres). Returns ``path``.
    """
    boroughs = gpd.GeoDataFrame(estate.boroughs)
    centroid = dict(zip(boroughs["gss_code"].astype(str), boroughs.geometry.centroid, strict=True))
    colour = {r: PALETTE[i % len(PALETTE)] for i, r in enumerate(option.open_rooms)}
    fig = new_figure(9.0, 7.5)
    ax = fig.add_subplot()
    fill = [colour.get(option.assignment.get(str(c), ""), "#ffffff") for c in boroughs["gss_code"]]
    boroughs.plot(ax=ax, color=fill, alpha=0.18, edgecolor="none")
    boroughs.boundary.plot(ax=ax, color="#777777", linewidth=0.6)
    for code, room in option.assignment.items():
        if code not in centroid:
            continue
        start = centroid[code]
        x, y = option.room_xy_m[room]
        ax.plot([start.x, x], [start.y, y], color=colour[room], linewidth=1.0, alpha=0.8)
        ax.plot(start.x, start.y, "o", color=colour[room], markersize=2.5)
    for room in option.open_rooms:
        x, y = option.room_xy_m[room]
        ax.plot(x, y, marker="s", markersize=9, color=colour[room], markeredgecolor="black")
        ax.annotate(
            option.room_names[room],
            (x, y),
            xytext=(5, 5),
            textcoords="offset points",
            fontsize=7,
        )
    scale_bar_and_north(ax, boroughs.total_bounds, SCALE_BAR_M)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(
        f"Control-room option: {option.room_count} room"
        f"{'s' if option.room_count != 1 else ''}, "
        f"£{option.annual_cost_gbp_per_year / 1e6:,.2f}m a year "
        f"(one-off £{option.one_off_gbp / 1e6:,.2f}m, NPV £{option.npv_gbp / 1e6:+,.1f}m)",
        fontsize=10,
    )
    add_source(
        fig,
        "ONS borough boundaries; cctvscope control-room consolidation model "
        "(optimisation_control_rooms assumptions); lines from borough centroid to room",
        synthetic=synthetic,
    )
    return save_svg(fig, path)
