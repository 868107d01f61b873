"""Shared figure plumbing: one look for every chart, and SVG output with no network.

Every chart states its title, its units on the axes, and its source in a
footnote; figures built on the synthetic estate say so in the footnote.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

SYNTHETIC_NOTE = (
    "Built on the calibrated synthetic estate: illustrative, not a council's real figures."
)

PALETTE = ("#1b6ca8", "#e07a1f", "#3a9b5a", "#c0392b", "#7d5ba6", "#8c6d31", "#5c5c5c")


def new_figure(width_in: float = 8.0, height_in: float = 5.0) -> Figure:
    """A figure with the house style (no global pyplot state leaks between charts)."""
    fig = plt.figure(figsize=(width_in, height_in))
    fig.set_layout_engine("constrained")
    return fig


def add_source(fig: Figure, source: str, *, synthetic: bool = True, inches: float = 0.35) -> None:
    """Footnote naming the source (and the synthetic basis where it applies).

    The bottom ``inches`` of the figure are kept free of axes so the footnote never
    overlaps an axis label.
    """
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        share = inches / float(fig.get_figheight())
        engine.set(rect=(0.0, share, 1.0, 1.0 - share))
    text = f"Source: {source}."
    if synthetic:
        text += " " + SYNTHETIC_NOTE
    fig.text(0.01, 0.005, text, fontsize=7, color="#555555", ha="left", va="bottom", wrap=True)


def save_svg(fig: Figure, path: Path) -> Path:
    """Write the figure as SVG (text kept as text, so the PDF guide can search it) and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cctvscope"}):
        fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)
    return path
