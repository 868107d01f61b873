"""Chart: £ per year for police to obtain council CCTV footage, per borough and operating model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Patch

from cctvscope.economics.evidence_ops import MODELS
from cctvscope.reporting.charts.style import PALETTE, add_source, new_figure, save_svg

TITLE = "Police evidence retrieval: cost per borough by operating model"
"""Chart title (also searched for by the tests)."""

MODEL_LABELS: dict[str, str] = {
    "embedded_police": "Police staff embedded in control room",
    "officer_attends": "Officer attends to collect",
    "digital_transfer": "Digital transfer to evidence system",
}

SOURCE = (
    "cctvscope evidence_ops model; request volumes from the estate's evidence statistics "
    "(synthetic: MPS FOI 2013 CCTV rates x borough recorded crime); times and unit costs "
    "from assumptions.yaml section economics_evidence (mostly assumptions). "
    "Hatched bar = model the borough uses now"
)


def evidence_ops_chart(table: pd.DataFrame, path: Path) -> Path:
    """Grouped horizontal bars of total £k per year by model for every borough, as SVG.

    Parameters
    ----------
    table
        Output of :func:`cctvscope.economics.evidence_ops.evidence_ops_table`.
    path
        Where to write the SVG.

    Returns
    -------
    pathlib.Path
        ``path``. The current model's bar is hatched and outlined.
    """
    boroughs = table[["borough_code", "name"]].drop_duplicates("borough_code").sort_values("name")
    labels = [str(n) or str(c) for c, n in boroughs.itertuples(index=False, name=None)]
    codes = boroughs["borough_code"].to_numpy(object)
    n_b = len(codes)
    bar_h = 0.8 / len(MODELS)
    fig = new_figure(8.5, max(4.0, 0.32 * n_b + 1.8))
    ax = fig.add_subplot()
    y = np.arange(n_b, dtype=float)
    for i, model in enumerate(MODELS):
        rows = table[table["model"] == model].set_index("borough_code").reindex(codes)
        cost_k = rows["total_cost_gbp_per_year"].to_numpy(float) / 1000.0
        current = rows["current"].fillna(False).astype(bool).to_numpy()
        offset = (i - (len(MODELS) - 1) / 2) * bar_h
        colour = PALETTE[i % len(PALETTE)]
        ax.barh(
            y + offset, cost_k, height=bar_h, color=colour, label=MODEL_LABELS.get(model, model)
        )
        if current.any():
            ax.barh(
                (y + offset)[current],
                cost_k[current],
                height=bar_h,
                color=colour,
                edgecolor="black",
                linewidth=0.8,
                hatch="///",
            )
    handles, _ = ax.get_legend_handles_labels()
    handles.append(Patch(facecolor="white", edgecolor="black", hatch="///", label="Current model"))
    ax.set_yticks(y, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("Cost to police of obtaining footage (£ thousand per year, price base year)")
    ax.set_ylabel("Borough")
    ax.set_title(TITLE)
    fig.legend(handles=handles, loc="outside upper center", ncols=2, fontsize=7)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    add_source(fig, SOURCE, synthetic=True)
    # Keep the footnote clear of the x-axis label (constrained layout ignores fig.text).
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(0.0, 0.05, 1.0, 0.95))
    return save_svg(fig, path)
