"""Framework charts: the call-off timeline (Gantt) and savings by category."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from cctvscope.economics.procurement import CATEGORIES
from cctvscope.reporting.charts.style import PALETTE, add_source, new_figure, save_svg

TIMELINE_TITLE = "Pan-London CCTV framework: current contract terms and call-off join dates"
SAVINGS_TITLE = "Pan-London CCTV framework: annual savings by service category"
SOURCE = "cctvscope contracts register; economics_framework assumptions (ours)"


def _num(values: pd.Series | list[dt.date]) -> npt.NDArray[np.float64]:
    """Days since 1970-01-01 (matplotlib's default date epoch), as floats."""
    stamps = pd.to_datetime(pd.Series(values)).to_numpy(dtype="datetime64[D]")
    return np.asarray(stamps.astype(np.int64), dtype=float)


def framework_timeline_chart(
    timeline: pd.DataFrame,
    path: Path,
    *,
    framework_start: dt.date | None = None,
    region_title: str = "London",
    synthetic: bool = True,
) -> Path:
    """Gantt chart: one row per borough, each contract's current term and its join date.

    Rows are boroughs ordered by the date they have fully joined (earliest at the
    top); within a row each category has its own thin bar (coloured by category)
    from start to end date, and a black diamond marks the call-off window at
    which it joins. A dashed line marks the framework start (default: the
    earliest join date).
    """
    order = (
        timeline.groupby(["borough_code", "borough_name"])["borough_joined_date"]
        .max()
        .reset_index()
        .sort_values(["borough_joined_date", "borough_name"])
    )
    rows = {code: i for i, code in enumerate(order["borough_code"])}
    n_rows = len(rows)
    fig = new_figure(10.0, max(4.0, 0.3 * n_rows + 2.0))
    ax = fig.add_subplot()
    sub = 0.8 / len(CATEGORIES)
    start = _num(timeline["start_date"])
    end = _num(timeline["end_date"])
    join = _num(timeline["join_date"])
    row = timeline["borough_code"].map(rows).to_numpy(dtype=float)
    slot = timeline["category"].map({c: i for i, c in enumerate(CATEGORIES)}).to_numpy(float)
    y = row - 0.4 + sub * (slot + 0.5)
    colours = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(CATEGORIES)}
    ax.barh(
        y,
        end - start,
        left=start,
        height=sub * 0.9,
        color=timeline["category"].map(colours).tolist(),
    )
    ax.scatter(join, y, marker="D", s=9, color="black", zorder=3)
    first = framework_start or min(timeline["join_date"])
    ax.axvline(float(_num([first])[0]), color="#333333", linestyle="--", linewidth=1.0)
    ax.set_yticks(np.arange(n_rows), order["borough_name"].tolist(), fontsize=7)
    ax.set_ylim(n_rows - 0.5, -0.5)
    low = int(pd.to_datetime(timeline["start_date"]).min().year)
    high = int(pd.to_datetime(timeline["end_date"]).max().year) + 1
    years = [dt.date(y, 1, 1) for y in range(low, high + 1)]
    ax.set_xticks(_num(years), [str(y.year) for y in years])
    windows = sorted(set(timeline["join_date"]))
    ax.set_xticks(_num(windows), minor=True)
    ax.grid(axis="x", which="both", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    ax.set_xlabel("Date (current contract terms; minor ticks: call-off windows used)")
    # London keeps its title; another region's framework is named after the region.
    title = (
        TIMELINE_TITLE
        if region_title == "London"
        else TIMELINE_TITLE.replace("Pan-London", f"{region_title}")
    )
    ax.set_title(title, fontsize=11)
    handles: list[Patch | Line2D] = [
        Patch(color=colours[c], label=c.replace("_", " ")) for c in CATEGORIES
    ]
    handles.append(
        Line2D([], [], marker="D", color="black", linestyle="none", markersize=4, label="joins")
    )
    handles.append(Line2D([], [], color="#333333", linestyle="--", label="framework start"))
    fig.legend(handles=handles, loc="outside right upper", fontsize=8, title="Key")
    add_source(fig, SOURCE, synthetic=synthetic)
    return save_svg(fig, path)


def framework_savings_chart(
    savings: pd.DataFrame, path: Path, *, synthetic: bool = True, region_title: str = "London"
) -> Path:
    """Stacked bars per category: price (volume discount) and tender-cost savings, £k a year."""
    fig = new_figure(8.0, 4.5)
    ax = fig.add_subplot()
    labels = [str(c).replace("_", " ") for c in savings.index]
    x = np.arange(len(labels))
    price = savings["price_saving_gbp_per_year"].to_numpy(dtype=float) / 1e3
    tender = savings["tender_saving_gbp_per_year"].to_numpy(dtype=float) / 1e3
    ax.bar(x, price, color=PALETTE[0], label="volume discount")
    ax.bar(x, tender, bottom=price, color=PALETTE[1], label="avoided tender cost")
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylabel("Saving (£k per year)")
    title = (
        SAVINGS_TITLE
        if region_title == "London"
        else SAVINGS_TITLE.replace("Pan-London", f"{region_title}")
    )
    ax.set_title(title, fontsize=11)
    ax.legend(fontsize=8)
    add_source(fig, SOURCE, synthetic=synthetic)
    return save_svg(fig, path)
