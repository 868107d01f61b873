"""Technology scenarios chart: cumulative cost, storage and compliant share per scenario."""

from __future__ import annotations

from pathlib import Path

from matplotlib.ticker import PercentFormatter

from cctvscope.economics.scenarios import ScenarioResult
from cctvscope.reporting.charts.style import PALETTE, add_source, new_figure, save_svg

TITLE = "Technology scenarios"


def scenarios_chart(result: ScenarioResult, path: Path, *, synthetic: bool = True) -> Path:
    """Small multiples of cumulative cost £m, storage TB and compliant share per scenario.

    The legend gives each scenario's NPV against the baseline (£m, Green Book
    discounting; positive = cheaper than the baseline). Returns ``path``.
    """
    fig = new_figure(14.0, 5.0)
    axes = fig.subplots(1, 3)
    fig.suptitle(
        f"{TITLE}, {result.start_year}-{result.start_year + result.horizon_years - 1} "
        f"({result.cameras_in_scope:,} public cameras, £ at {result.price_base_year} prices)"
    )
    panels = (
        ("Cumulative cost (capex + opex + review)", "£ million"),
        ("Recording storage", "TB"),
        ("Provisional evidential compliance", "share of cameras"),
    )
    for i, scenario in enumerate(result.scenarios):
        rows = result.table[result.table["scenario"] == scenario.name]
        years = rows["year"].to_numpy()
        npv_m = result.npv_vs_baseline_gbp[scenario.name] / 1e6
        label = f"{scenario.name} (NPV vs baseline £{npv_m:+,.1f}m)"
        style = {
            "color": PALETTE[i % len(PALETTE)],
            "linewidth": 2.2 if scenario.name == "baseline" else 1.5,
            "linestyle": "--" if scenario.name == "baseline" else "-",
        }
        axes[0].plot(years, rows["total_cost_gbp"].cumsum() / 1e6, label=label, **style)
        axes[1].plot(years, rows["storage_tb"], **style)
        axes[2].plot(years, rows["compliant_share"], **style)
    for ax, (title, unit) in zip(axes, panels, strict=True):
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("Year")
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
    axes[2].yaxis.set_major_formatter(PercentFormatter(1.0))
    axes[2].set_ylim(0.0, 1.02)
    fig.legend(loc="outside right center", fontsize=8, frameon=False)
    fig.get_layout_engine().set(rect=(0.0, 0.05, 1.0, 0.95))  # type: ignore[union-attr, call-arg]
    add_source(
        fig,
        "cctvscope economics_scenarios assumptions (assumptions.yaml); bitrate model "
        "synthetic_links.bits_per_pixel_by_codec; Green Book discounting",
        synthetic=synthetic,
    )
    return save_svg(fig, path)
