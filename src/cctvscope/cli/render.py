"""Rich rendering helpers shared by the CLI commands."""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cctvscope.errors import Finding

if TYPE_CHECKING:  # pandas is imported by the commands that have a frame, not by --help
    import pandas as pd


def _width() -> int | None:
    """Terminal width, or 160 columns when output is not a terminal (logs, CI, pipes)."""
    return None if sys.stdout.isatty() else 160


console = Console(width=_width())
err_console = Console(stderr=True, width=_width())


@contextmanager
def steps(title: str) -> Iterator[Progress]:
    """A live progress display; call ``progress.update(task, description=...)`` per step."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        yield progress


def findings_table(
    findings: Sequence[Finding], *, title: str, limit: int = 200, more_hint: str = ""
) -> Table:
    """Errors listed one per line (all of them, up to ``limit``; ``more_hint`` says where
    the rest can be read)."""
    table = Table(title=title, show_lines=False)
    for col in ("severity", "row", "field", "value", "reason"):
        table.add_column(col, overflow="fold")
    for f in findings[:limit]:
        table.add_row(
            f.severity,
            _where(f),
            f.field or "",
            "" if f.value is None else f.value,
            f.reason,
        )
    if len(findings) > limit:
        table.caption = f"... and {len(findings) - limit} more{more_hint}"
    return table


def _where(finding: Finding) -> str:
    """The row column: the row, or how many rows a summary finding stands for."""
    if finding.row is not None:
        return str(finding.row)
    return f"{finding.count:,} rows" if finding.count > 1 else ""


def warning_summary(findings: Sequence[Finding]) -> Table:
    """Warnings summarised by field and reason, with counts."""
    counts: Counter[tuple[str, str]] = Counter()
    for f in findings:
        counts[(f.field or "", f.reason)] += f.count
    table = Table(title="Warnings (summarised)")
    table.add_column("field")
    table.add_column("reason", overflow="fold")
    table.add_column("rows", justify="right")
    for (field, reason), n in counts.most_common():
        table.add_row(field, reason, str(n))
    return table


def frame_table(
    frame: pd.DataFrame,
    *,
    title: str,
    formats: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    caption: str | None = None,
) -> Table:
    """A DataFrame as a rich table.

    ``formats`` maps a column to a format spec (``",.0f"``, ``".0%"``); numbers
    without one get ``",.2f"`` (floats) or ``","`` (integers); NaN shows as ``-``.
    ``headers`` renames columns for display.
    """
    from pandas.api.types import is_numeric_dtype

    formats = formats or {}
    headers = headers or {}
    table = Table(title=title, caption=caption)
    for col in frame.columns:
        justify = "right" if is_numeric_dtype(frame[col]) else "left"
        table.add_column(headers.get(str(col), str(col)), justify=justify)  # type: ignore[arg-type]
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for col, v in zip(frame.columns, row, strict=True):
            spec = formats.get(str(col))
            if isinstance(v, float) and math.isnan(v):
                cells.append("-")
            elif spec is not None:
                cells.append(format(v, spec))
            elif isinstance(v, float):
                cells.append(f"{v:,.2f}")
            elif isinstance(v, int):
                cells.append(f"{v:,}")
            else:
                cells.append(str(v))
        table.add_row(*cells)
    return table
