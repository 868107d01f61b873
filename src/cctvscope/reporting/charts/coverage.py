"""Coverage and gap maps: London and each borough, from the coverage engine's grid squares.

The coverage layer is the share of each grid square (250 m by default) seen at
Recognise or better, drawn as one image; gaps (high-crime squares with no crime
point covered at Recognise) are outlined in red with their rank. The London map
is drawn once and each borough map is the same figure zoomed, which keeps 34
maps to a few seconds.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import PatchCollection
from matplotlib.patches import Patch, Rectangle

from cctvscope.coverage.engine import CoverageResult
from cctvscope.coverage.tiles import grid_columns_rows
from cctvscope.reporting.charts.borough import borough_scale_m
from cctvscope.reporting.charts.maps import scale_bar_and_north
from cctvscope.reporting.charts.style import MIN_FONT_PT, add_source, new_figure

GAP_COLOUR = "#c0392b"
SOURCE = (
    "ONS boundaries; police.uk street points (Mar 2024-Feb 2025: MPS burglary, City of London "
    "Police all types); OSM footprints "
    "(Covent Garden, Clerkenwell only); TfL JamCams real, other cameras synthetic; "
    "coverage by cctvscope (BS EN 62676-4 levels)"
)


def _share_image(
    result: CoverageResult, level: str
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    grid = result.grid
    g = result.options.grid_m
    gx, gy = grid_columns_rows(grid["square_key"].to_numpy())
    x0, y0 = int(gx.min()), int(gy.min())
    img = np.full((int(gy.max()) - y0 + 1, int(gx.max()) - x0 + 1), np.nan)
    share = grid[f"covered_m2_{level}"].to_numpy(float) / (g * g)
    img[gy - y0, gx - x0] = np.where(share > 0, share, np.nan)
    extent = (x0 * g, float(gx.max() + 1) * g, y0 * g, float(gy.max() + 1) * g)
    return img, extent


def coverage_maps(
    result: CoverageResult,
    boroughs: gpd.GeoDataFrame,
    out_dir: Path,
    *,
    level: str = "recognise",
    borough_maps: bool = True,
    region_title: str = "London",
    source: str = SOURCE,
    crime_label: str = "crime",
) -> list[Path]:
    """``coverage_london.png`` (the whole region) and ``coverage_<GSS>.png`` per area.

    ``region_title`` names the whole-region map; ``source`` is its footnote;
    ``crime_label`` names the crime the gaps are drawn from.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    fig = new_figure(8.0, 7.0)
    ax = fig.add_subplot()
    boroughs.plot(ax=ax, color="#f4f4f4", edgecolor="none", zorder=0)
    paths: list[Path] = []
    handles: list[Artist] = []
    if not result.grid.empty:
        img, extent = _share_image(result, level)
        im = ax.imshow(
            img,
            origin="lower",
            extent=extent,
            cmap="viridis",
            vmin=0.0,
            vmax=max(0.05, float(np.nanquantile(img, 0.98)) if np.isfinite(img).any() else 0.05),
            interpolation="nearest",
            zorder=1,
        )
        cbar = fig.colorbar(im, ax=ax, shrink=0.6, pad=0.01)
        cbar.set_label(f"share of {result.options.grid_m:g} m square seen at {level.title()}+")
    boroughs.boundary.plot(ax=ax, color="#666666", linewidth=0.4, zorder=2)
    gaps = result.gaps
    g = result.options.grid_m
    if not gaps.empty:
        gx, gy = grid_columns_rows(gaps["square_key"].to_numpy())
        rects = [Rectangle((x * g, y * g), g, g) for x, y in zip(gx, gy, strict=True)]
        ax.add_collection(
            PatchCollection(rects, facecolor="none", edgecolor=GAP_COLOUR, linewidth=1.0, zorder=3)
        )
        handles.append(
            Patch(
                facecolor="none",
                edgecolor=GAP_COLOUR,
                label=f"Gap: top {len(gaps)} {crime_label} squares unseen at Recognise",
            )
        )
    ax.set_aspect("equal")
    ax.set_axis_off()
    if handles:
        ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.9)
    add_source(fig, source, synthetic=True)
    bounds = boroughs.total_bounds
    furniture = _furniture(ax, bounds, 10_000.0)
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    ax.set_title(f"{region_title}: coverage at {level.title()} or better, and gaps", fontsize=11)
    fig.savefig(out_dir / "coverage_london.png", dpi=110)
    paths.append(out_dir / "coverage_london.png")
    if borough_maps:
        labels: list[Artist] = []
        for code, name, geom in zip(
            boroughs["gss_code"], boroughs["name"], boroughs.geometry, strict=True
        ):
            for artist in furniture + labels:
                artist.remove()
            minx, miny, maxx, maxy = geom.bounds
            pad = 0.05 * max(maxx - minx, maxy - miny)
            view = (minx - pad, miny - pad, maxx + pad, maxy + pad)
            furniture = _furniture(ax, view, borough_scale_m(maxx - minx))
            labels = _gap_labels(ax, gaps, g, view)
            ax.set_xlim(view[0], view[2])
            ax.set_ylim(view[1], view[3])
            ax.set_title(f"{name}: coverage at {level.title()} or better, and gaps", fontsize=11)
            path = out_dir / f"coverage_{code}.png"
            fig.savefig(path, dpi=90)
            paths.append(path)
    plt.close(fig)
    return paths


def _furniture(ax: object, bounds: object, scale_m: float) -> list[Artist]:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    before = set(ax.lines) | set(ax.texts)
    scale_bar_and_north(ax, list(bounds), scale_m)  # type: ignore[call-overload]
    return [a for a in (*ax.lines, *ax.texts) if a not in before]


def _gap_labels(
    ax: object, gaps: gpd.GeoDataFrame, g: float, view: tuple[float, float, float, float]
) -> list[Artist]:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    out: list[Artist] = []
    if gaps.empty:
        return out
    gx, gy = grid_columns_rows(gaps["square_key"].to_numpy())
    for rank, x, y in zip(gaps["rank"], gx, gy, strict=True):
        cx, cy = (x + 0.5) * g, (y + 0.5) * g
        if view[0] <= cx <= view[2] and view[1] <= cy <= view[3]:
            out.append(
                ax.text(
                    cx,
                    cy + g,
                    str(rank),
                    fontsize=MIN_FONT_PT,
                    color=GAP_COLOUR,
                    ha="center",
                    zorder=4,
                )
            )
    return out
