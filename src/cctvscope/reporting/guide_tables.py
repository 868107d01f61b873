"""The guide's building blocks: headline, table, chapter and profile records, and formatters.

Chapters (:mod:`cctvscope.reporting.guide_content`,
:mod:`cctvscope.reporting.guide_chapters`) and profiles build these; the templates
render them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from cctvscope.reporting.guide_confidence import Badge
from cctvscope.reporting.guide_figures import GuideFigure
from cctvscope.reporting.guide_text import gbp, num
from cctvscope.workflows.guide import GuideInputs

NOT_AVAILABLE = "Not available yet"
GAPS_NOT_AVAILABLE = (
    "Coverage gaps: not available yet (the coverage engine's gap analysis is not built)."
)


def _num(value: object, spec: str = ",.0f") -> str:
    return num(value, spec)


def _pct(value: object, digits: int = 0) -> str:
    return _num(value, f".{digits}%")


def _money(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return gbp(float(value))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Headline:
    """One headline figure: label, the formatted value, and where it comes from; its
    formatted range and the assumptions that drive it (empty when not computed)."""

    label: str
    text: str
    trace: str
    value: float | None
    range_text: str = ""
    drivers: str = ""


@dataclass(frozen=True)
class GuideTable:
    """A table ready to render: header and rows of strings, numeric columns right-aligned."""

    caption: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: Sequence[bool]


@dataclass(frozen=True)
class Chapter:
    """One seed question with its finding, figures, tables and notes."""

    key: str
    title: str
    question: str
    finding: str
    available: bool
    synthetic: bool
    figures: Sequence[GuideFigure] = ()
    tables: Sequence[GuideTable] = ()
    notes: Sequence[str] = ()


Column = tuple[str, str, Callable[[object], str]]


def frame_table(frame: pd.DataFrame, caption: str, columns: Sequence[Column]) -> GuideTable:
    """A table of ``columns`` (source column, header, formatter) from ``frame``."""
    rows = [
        [fmt(record.get(col)) for col, _header, fmt in columns]
        for record in frame.to_dict("records")
    ]
    numeric = [
        col in frame.columns and pd.api.types.is_numeric_dtype(frame[col])
        for col, _h, _f in columns
    ]
    return GuideTable(caption, [h for _c, h, _f in columns], rows, numeric)


def _text(value: object) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def london_vfm(inputs: GuideInputs) -> dict[str, float] | None:
    """The LONDON (region) row of the value-for-money table (None without it)."""
    if inputs.economics is None or inputs.economics.vfm is None:
        return None
    row = inputs.economics.vfm[inputs.economics.vfm["gss_code"] == "LONDON"]
    return {str(k): float(v) for k, v in row.iloc[0].items() if isinstance(v, int | float)}


def _missing(inputs: GuideInputs, key: str, title: str, question: str, what: str) -> Chapter:
    """A chapter without its analysis: the named-missing inputs, else "not run"."""
    gaps = inputs.gaps.get(key, ())
    if gaps:
        # The same sentences the CLI commands print: what is missing and what supplies it.
        # The guide shows an analysis only whole (economics: every part), so "not shown".
        lack = "; ".join(gaps)
        finding = f"The {what} is not shown for {inputs.region_title}, for lack of: {lack}."
    else:
        finding = f"{NOT_AVAILABLE}: the {what} has not been run for this estate."
    return Chapter(key, title, question, finding, available=False, synthetic=False)


@dataclass(frozen=True)
class Profile:
    """One borough's profile page: sections of (label, value) rows and its map.

    ``badge`` is the label of the borough's camera records; ``confidence`` its
    per-table data-confidence table and ``request`` its data request.
    """

    gss_code: str
    name: str
    sections: Sequence[tuple[str, Sequence[tuple[str, str]]]]
    map: GuideFigure | None = None
    notes: Sequence[str] = field(default_factory=tuple)
    badge: Badge | None = None
    confidence: GuideTable | None = None
    request: str = ""
