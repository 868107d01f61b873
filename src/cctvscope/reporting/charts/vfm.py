"""Value-for-money charts: the tornado chart of the one-at-a-time sensitivity analysis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cctvscope.reporting.charts.style import PALETTE, add_source, new_figure, save_svg


def tornado_chart(
    sensitivity: pd.DataFrame,
    metric: str,
    path: Path,
    *,
    unit: str,
    region_title: str = "London",
    synthetic: bool = True,
) -> Path:
    """Horizontal bars from each parameter's low-value result to its high-value result.

    ``region_title`` names the region whose figure it is.

    Parameters sorted with the largest swing on top; the base case is the vertical line.
    """
    rows = sensitivity[sensitivity["metric"] == metric].sort_values("swing")
    if rows.empty:
        raise ValueError(f"no sensitivity rows for metric {metric!r}")
    base = float(rows["base"].iloc[0])
    fig = new_figure(8.0, 0.6 * len(rows) + 2.0)
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    low = rows["at_low"].to_numpy(float)
    high = rows["at_high"].to_numpy(float)
    ax.barh(y, low - base, left=base, color=PALETTE[0], label="parameter at low value")
    ax.barh(y, high - base, left=base, color=PALETTE[1], label="parameter at high value")
    labels = [
        f"{p} ({_fmt(lo)} – {_fmt(hi)} {u})".replace(" ()", "") if np.isfinite(lo) else p
        for p, lo, hi, u in zip(
            rows["parameter"], rows["low_value"], rows["high_value"], rows["unit"], strict=True
        )
    ]
    ax.set_yticks(y, labels)
    ax.axvline(base, color="black", linewidth=1)
    ax.set_xlabel(f"{metric} [{unit}]")
    ax.set_title(f"Sensitivity of {region_title} {metric}\n(base case {base:,.0f} {unit})")
    ax.legend(loc="lower right", fontsize=8)
    add_source(
        fig,
        "cctvscope VFM model; ranges from assumptions.yaml (economics_vfm)",
        synthetic=synthetic,
    )
    return save_svg(fig, path)


def _fmt(value: float) -> str:
    return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
