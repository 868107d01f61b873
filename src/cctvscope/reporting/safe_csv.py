"""CSV files a person may open in a spreadsheet: no cell is evaluated as a formula.

A camera id or operator name such as ``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0``
comes from an imported file; written as is, Excel would run it when a police officer
opens the table. Every CSV the reporting layer writes goes through :func:`write_csv`,
which prefixes such text cells with an apostrophe (OWASP, "CSV Injection").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

#: First characters a spreadsheet treats as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_textual(series: pd.Series) -> bool:
    """True for a column of text (object or string dtype)."""
    return series.dtype == object or pd.api.types.is_string_dtype(series)


def defuse_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would evaluate, with an apostrophe before it."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells that a spreadsheet would evaluate start with an apostrophe."""
    out = pd.DataFrame(frame).copy()
    for column in out.columns:
        if is_textual(out[column]):
            out[column] = out[column].map(defuse_cell)
    return out


def write_csv(frame: pd.DataFrame, path: Path, **options: Any) -> Path:
    """Write ``frame`` as CSV without an index (``options`` go to ``DataFrame.to_csv``)."""
    defuse_formulas(frame).to_csv(path, index=False, **options)
    return path
