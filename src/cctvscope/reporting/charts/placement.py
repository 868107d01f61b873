"""Map of a camera-placement result: streets, buildings, crime cells, cameras and coverage."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from cctvscope.coverage.wedges import sector_polygons
from cctvscope.optimisation.placement import PlacementResult
from cctvscope.reporting.charts.maps import scale_bar_and_north
from cctvscope.reporting.charts.style import PALETTE, add_source, new_figure, save_svg

SCALE_BAR_M = 100.0


def placement_map(result: PlacementResult, path: Path) -> Path:
    """SVG map of a placement: demand cells shaded by crime, existing and new cameras, coverage.

    Streets and buildings are drawn when the run carried them (``place_cameras``
    does). New cameras' coverage is drawn as their credited sectors (circles
    for PTZ) at the required detail level's reach.
    """
    problem = result.problem
    fig = new_figure(8.0, 8.0)
    ax = fig.add_subplot()
    streets = problem.context.get("streets")
    buildings = problem.context.get("buildings")
    if isinstance(buildings, gpd.GeoDataFrame) and len(buildings):
        buildings.plot(ax=ax, color="#dddddd", edgecolor="#bbbbbb", linewidth=0.2)
    if isinstance(streets, gpd.GeoSeries) and len(streets):
        streets.plot(ax=ax, color="#999999", linewidth=0.5)
    demand = problem.demand
    cell = float(str(problem.context.get("cell_m", 10.0)))
    if len(demand):
        cells = gpd.GeoSeries(
            shapely.box(
                demand.x_m - cell / 2,
                demand.y_m - cell / 2,
                demand.x_m + cell / 2,
                demand.y_m + cell / 2,
            )
        )
        gpd.GeoDataFrame({"w": demand.weight}, geometry=cells).plot(
            ax=ax, column="w", cmap="Reds", alpha=0.8, linewidth=0
        )
    sites = result.sites
    if len(sites):
        wedges = sector_polygons(
            sites["x_m"].to_numpy(dtype=np.float64),
            sites["y_m"].to_numpy(dtype=np.float64),
            sites["heading_deg"].to_numpy(dtype=np.float64),
            problem.camera.opening_deg(),
            result.reach_m,
        )
        gpd.GeoSeries(wedges).plot(
            ax=ax, color=PALETTE[0], alpha=0.25, edgecolor=PALETTE[0], lw=0.5
        )
    cams = problem.existing_cameras
    if len(cams):
        ax.scatter(cams["x_m"], cams["y_m"], s=6, color=PALETTE[6], marker="o", zorder=3)
    if len(sites):
        ax.scatter(sites["x_m"], sites["y_m"], s=30, color=PALETTE[0], marker="^", zorder=4)
    study = problem.context.get("study_area")
    if isinstance(study, shapely.Geometry):
        minx, miny, maxx, maxy = shapely.bounds(study)
    else:
        xs = np.concatenate([demand.x_m, problem.candidates.x_m])
        ys = np.concatenate([demand.y_m, problem.candidates.y_m])
        minx, miny, maxx, maxy = xs.min(), ys.min(), xs.max(), ys.max()
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.set_xlabel("Easting (m, EPSG:27700)")
    ax.set_ylabel("Northing (m, EPSG:27700)")
    ax.tick_params(labelsize=7)
    scale_bar_and_north(ax, (minx, miny, maxx, maxy), SCALE_BAR_M)
    area = str(problem.context.get("area", "study area")).replace("_", " ").title()
    ax.set_title(
        f"{area}: {len(sites)} new cameras (£{result.cost_gbp:,.0f} of £{result.budget_gbp:,.0f}); "
        f"crime-weighted {result.level.label} coverage "
        f"{result.share_before:.1%} → {result.share_after:.1%}",
        fontsize=9,
    )
    ax.legend(
        handles=[
            Patch(color="#c0392b", alpha=0.6, label="Crime demand cell (darker = more)"),
            Line2D([], [], color=PALETTE[6], marker="o", ls="", ms=3, label="Existing camera"),
            Line2D([], [], color=PALETTE[0], marker="^", ls="", ms=6, label="New camera"),
            Patch(
                color=PALETTE[0], alpha=0.25, label=f"New coverage ({result.reach_m:.0f} m reach)"
            ),
        ],
        loc="upper right",
        fontsize=7,
    )
    add_source(
        fig,
        "OpenStreetMap contributors (ODbL); police.uk street-level crime (OGL v3.0); "
        "cctvscope MCLP placement (Church & ReVelle 1974)",
    )
    return save_svg(fig, path)
