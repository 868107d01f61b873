"""Map furniture shared by every map: a scale bar and a north arrow (British National Grid)."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes


def scale_bar_and_north(ax: Axes, bounds: Sequence[float], scale_m: float) -> None:
    """A ``scale_m`` scale bar at the bottom left and a north arrow at the top right.

    ``bounds`` is (minx, miny, maxx, maxy) of the mapped data in metres; grid north is
    up on a British National Grid map, so the arrow points straight up.
    """
    x0, y0, x1, y1 = (float(v) for v in bounds)
    width, height = x1 - x0, y1 - y0
    left, bottom = x0 + 0.03 * width, y0 + 0.03 * height
    label = f"{scale_m / 1000:g} km" if scale_m >= 1000 else f"{scale_m:g} m"
    ax.plot([left, left + scale_m], [bottom, bottom], color="black", linewidth=3)
    ax.text(
        left + scale_m / 2, bottom + 0.012 * height, label, ha="center", va="bottom", fontsize=8
    )
    nx, ny = x1 - 0.04 * width, y1 - 0.12 * height
    ax.annotate(
        "N",
        xy=(nx, ny + 0.08 * height),
        xytext=(nx, ny),
        ha="center",
        va="top",
        fontsize=10,
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.5},
    )
