"""Map of what registered private cameras add to public coverage, and where to recruit more."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from cctvscope.reporting.charts.maps import scale_bar_and_north
from cctvscope.reporting.charts.style import add_source, new_figure, save_svg

#: The method note of a joint map from the coverage grid, and of one from wedge unions.
GRID_METHOD = "coverage grid, occluded where footprints exist"
WEDGE_METHOD = "no building occlusion"


def joint_source(from_grid: bool, crime: str = "MPS LSOA crime 2021") -> str:
    """The joint map's source note: how the coverage was computed, and the crime used."""
    return f"cctvscope joint coverage ({GRID_METHOD if from_grid else WEDGE_METHOD}); {crime}"


def joint_coverage_map(
    boroughs: gpd.GeoDataFrame,
    joint: pd.DataFrame,
    candidates: gpd.GeoDataFrame | None,
    path: Path,
    *,
    level: str = "recognise",
    source: str = joint_source(from_grid=False),
    synthetic: bool = True,
    scale_m: float = 10_000.0,
) -> Path:
    """Boroughs shaded by the coverage gain from private cameras at ``level`` [% of public
    coverage area], with the top recruitment cells (high crime, no public coverage) marked.

    ``source``, ``synthetic`` and ``scale_m`` (the scale bar) default to London's map."""
    gain = joint[joint["level"] == level].set_index("gss_code")["gain_pct"]
    shaded = boroughs.assign(gain_pct=boroughs["gss_code"].map(gain))
    fig = new_figure(8.0, 7.0)
    ax = fig.add_subplot()
    shaded.plot(
        column="gain_pct",
        ax=ax,
        cmap="Oranges",
        edgecolor="#444444",
        linewidth=0.5,
        legend=True,
        legend_kwds={"label": f"coverage gain at {level} from private cameras [% of public]"},
        missing_kwds={"color": "#eeeeee", "label": "no public coverage"},
    )
    if candidates is not None and not candidates.empty:
        candidates.geometry.centroid.plot(
            ax=ax, color="#1b6ca8", markersize=18, marker="s", label="recruitment cell (top crime)"
        )
        ax.legend(loc="lower left", fontsize=8)
    ax.set_axis_off()
    ax.set_aspect("equal")
    scale_bar_and_north(ax, boroughs.total_bounds, scale_m)
    ax.set_title("Registered private cameras: coverage gain and where to recruit")
    add_source(fig, source, synthetic=synthetic)
    return save_svg(fig, path)
