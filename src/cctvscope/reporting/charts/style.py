"""Shared figure plumbing: one look for every chart, and SVG output with no network.

Every chart states its title, its units on the axes, and its source in a
footnote; figures built on the synthetic estate say so in the footnote.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

SYNTHETIC_NOTE = (
    "Built on the calibrated synthetic estate: illustrative, not a council's real figures."
)

PALETTE = ("#1b6ca8", "#e07a1f", "#3a9b5a", "#c0392b", "#7d5ba6", "#8c6d31", "#5c5c5c")

#: Smallest text on a chart at its printed size [pt].
MIN_FONT_PT = 7.0
#: Points per inch.
PT_PER_IN = 72.0
#: Default text size of a chart drawn for print [pt]: matplotlib's "small" (0.833 of it) is
#: still above MIN_FONT_PT.
PRINT_FONT_PT = 8.5

# The box a chart is printed in [in], while a guide draws it (None: drawn at its own size).
_PRINT_BOX_IN: ContextVar[tuple[float, float] | None] = ContextVar("print_box", default=None)


@contextmanager
def print_size(width_pt: float, height_pt: float) -> Iterator[None]:
    """Draw charts at the size they are printed, so their text prints at its stated size.

    A chart drawn at 8 inches and shrunk into a 5-inch box prints its 7 pt legend at
    4 pt; inside this context :func:`new_figure` fits the figure into the box instead,
    so no text is scaled down.
    """
    token = _PRINT_BOX_IN.set((width_pt / PT_PER_IN, height_pt / PT_PER_IN))
    try:
        with mpl.rc_context({"font.size": PRINT_FONT_PT}):
            yield
    finally:
        _PRINT_BOX_IN.reset(token)


class _SaveOnlyCanvas(FigureCanvasAgg):
    """An Agg canvas that draws only when the figure is saved.

    geopandas asks for a redraw (``draw_idle``) after every layer it plots, and a
    non-interactive canvas draws at once: a whole render, constrained layout included,
    per layer, which was most of the time of the guide's maps.
    """

    def draw_idle(self, *args: object, **kwargs: object) -> None:
        """Nothing to show between layers: the figure is drawn when saved."""


def new_figure(width_in: float = 8.0, height_in: float = 5.0) -> Figure:
    """A figure with the house style (no global pyplot state leaks between charts).

    Under :func:`print_size` the figure keeps its proportions and shrinks to fit the box.
    """
    box = _PRINT_BOX_IN.get()
    if box is not None:
        scale = min(1.0, box[0] / width_in, box[1] / height_in)
        width_in, height_in = width_in * scale, height_in * scale
    fig = plt.figure(figsize=(width_in, height_in))
    _SaveOnlyCanvas(fig)
    fig.set_layout_engine("constrained")
    return fig


def add_source(fig: Figure, source: str, *, synthetic: bool = True, inches: float = 0.35) -> None:
    """Footnote naming the source (and the synthetic basis where it applies).

    The bottom ``inches`` of the figure are kept free of axes so the footnote never
    overlaps an axis label.
    """
    text = f"Source: {source}."
    if synthetic:
        text += " " + SYNTHETIC_NOTE
    # A narrow figure wraps the note onto more lines: keep room for all of them.
    chars_per_line = max(1.0, fig.get_figwidth() * PT_PER_IN / (0.55 * MIN_FONT_PT))
    lines = -(-len(text) // int(chars_per_line))
    inches = max(inches, lines * 1.3 * MIN_FONT_PT / PT_PER_IN + 0.08)
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        share = min(0.45, inches / float(fig.get_figheight()))
        engine.set(rect=(0.0, share, 1.0, 1.0 - share))
    fig.text(
        0.01, 0.005, text, fontsize=MIN_FONT_PT, color="#555555", ha="left", va="bottom", wrap=True
    )


def save_svg(fig: Figure, path: Path) -> Path:
    """Write the figure as SVG (text kept as text, so the PDF guide can search it) and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cctvscope"}):
        fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)
    return path
