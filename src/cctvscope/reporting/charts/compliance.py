"""Compliance chart: the share of cameras meeting each rule of the standard."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from cctvscope.reporting.charts.style import PALETTE, add_source, new_figure, save_svg

SEVERITY_COLOURS = {"critical": PALETTE[3], "major": PALETTE[1], "minor": PALETTE[0]}


def rule_share_chart(
    london_by_rule: pd.DataFrame,
    standard_label: str,
    path: Path,
    *,
    region_title: str = "London",
    synthetic: bool = True,
) -> Path:
    """Horizontal bars: London share of assessed cameras passing each rule, by severity.

    Rules nobody could assess (every outcome unknown) are drawn as empty rows and
    labelled "not assessed" rather than as zero.
    """
    rows = london_by_rule.iloc[::-1]
    fig = new_figure(8.0, 0.42 * len(rows) + 1.8)
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    share = rows["share_passed"].to_numpy(float)
    colours = [SEVERITY_COLOURS.get(str(s), PALETTE[6]) for s in rows["severity"]]
    ax.barh(y, np.nan_to_num(share) * 100, color=colours)
    for yi, value in zip(y, share, strict=True):
        text = "not assessed" if np.isnan(value) else f"{value:.0%}"
        x = 1.0 if np.isnan(value) else float(value) * 100 + 1
        ax.text(x, float(yi), text, va="center", fontsize=8)
    ax.set_yticks(y, [f"{r} {t}" for r, t in zip(rows["rule_id"], rows["title"], strict=True)])
    ax.set_xlim(0, 110)
    ax.set_xlabel("cameras meeting the rule [% of those assessed]")
    ax.set_title(f"{region_title} compliance with {standard_label}")
    handles = [Patch(color=c, label=s) for s, c in SEVERITY_COLOURS.items()]
    ax.legend(handles=handles, title="severity", loc="lower right", fontsize=8)
    add_source(fig, f"cctvscope compliance checks, standard {standard_label}", synthetic=synthetic)
    return save_svg(fig, path)
