"""Read a workbook sheet (``.xlsx``) into a raw table of text cells, within the limits.

The workbook's own claims about its size are not trusted: a 4.9 KB file may declare
the dimension ``A1:XFD1048576``, and openpyxl's read-only sheets pad every row to the
declared width (about 9 KB per row, gigabytes in all). The sheet's dimension is reset
and rows are streamed as stored, each checked against
:mod:`~cctvscope.ingest.limits` (columns, rows, cell text, numbers); every part must
unpack to at most ``MAX_UNPACKED_BYTES``. A workbook openpyxl cannot parse (truncated
or garbled parts, a bad shared-string index, an impossible date) is one file-level
error finding, never a traceback.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd

from cctvscope.errors import Finding
from cctvscope.ingest.limits import (
    MAX_COLUMNS,
    MAX_NUMBER_DIGITS,
    MAX_UNPACKED_BYTES,
    limit_finding,
)
from cctvscope.ingest.sources import (
    SURVEY_SHEET,
    RawTable,
    checked_text,
    file_error,
    table_from_records,
)

#: Longest exception text quoted in a finding [characters].
_REASON_CHARS = 200


def read_xlsx(data: bytes, sheet: str | None = None) -> RawTable:
    """Read a workbook sheet, header in row 1.

    Without ``sheet``: the survey sheet ``cameras``, else the first sheet (with a
    warning). A named ``sheet`` must exist (matched case-insensitively when no sheet
    has exactly that name): if not, a file-level error lists the sheets present.
    """
    too_big = _unpacked_problem(data)
    if too_big is not None:
        return RawTable(pd.DataFrame(), (too_big,), "xlsx")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _read_book(data, sheet)
    except Exception as exc:
        # openpyxl answers a damaged part with whatever its parser meets (KeyError,
        # IndexError, ValueError, TypeError, zlib.error, XML errors, OverflowError for an
        # impossible date ...): each means the workbook cannot be read, never a bug here.
        return RawTable(pd.DataFrame(), (_unreadable(exc),), "xlsx")


def _unreadable(exc: Exception) -> Finding:
    text = str(exc)
    if isinstance(exc, ValueError) and "integer string conversion" in text:
        # Python refuses int() of more than 4,300 digits inside openpyxl's cell parser.
        return limit_finding("a number cell has more digits", MAX_NUMBER_DIGITS, "digits")
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    reason = f"not a readable .xlsx workbook: {detail[:_REASON_CHARS]}"
    return Finding("error", None, None, None, reason)


def _unpacked_problem(data: bytes) -> Finding | None:
    """A finding when the file is not a zip, or a part would unpack past the limit.

    The declared sizes bound the unpacking: :mod:`zipfile` never reads past a part's
    declared size, so checking the declaration is enough.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception as exc:
        # zipfile meets a damaged directory with BadZipFile, but also NotImplementedError
        # (an unknown version or method), ValueError, OSError, struct.error, EOFError ...
        return _unreadable(exc)
    big = max(infos, key=lambda info: info.file_size, default=None)
    if big is not None and big.file_size > MAX_UNPACKED_BYTES:
        what = f"part {big.filename[:80]!r} unpacks to {big.file_size:,} bytes"
        return limit_finding(what, MAX_UNPACKED_BYTES, "bytes")
    return None


def _read_book(data: bytes, sheet: str | None) -> RawTable:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        findings: list[Finding] = []
        names = list(book.sheetnames)
        if sheet is not None:
            name = _sheet_name(names, sheet)
            if name is None:
                present = ", ".join(repr(n) for n in names)
                reason = f"no sheet named {sheet!r}; the workbook's sheets are {present}"
                return file_error(reason, "xlsx", sheet)
        elif SURVEY_SHEET in names:
            name = SURVEY_SHEET
        elif names:
            name = names[0]
            findings.append(
                Finding(
                    "warning",
                    None,
                    None,
                    name,
                    f"no sheet named {SURVEY_SHEET!r}; read the first sheet {name!r}",
                )
            )
        else:
            return file_error("the workbook has no sheets", "xlsx")
        chosen: Any = book[name]  # a chart sheet is no worksheet, whatever the stubs say
        if not hasattr(chosen, "iter_rows"):
            return file_error(f"sheet {name!r} is a chart sheet, not a table", "xlsx", name)
        # The declared dimension is not trusted (see the module docstring).
        chosen.reset_dimensions()
        table = _sheet_table(chosen.iter_rows(values_only=True), name, findings)
    finally:
        book.close()
    return RawTable(table.frame, (*findings, *table.findings), "xlsx")


def _sheet_table(rows: Iterator[Sequence[Any]], title: str, findings: list[Finding]) -> RawTable:
    """The table of a sheet's rows (header in row 1), read lazily within the limits."""
    header_row = next(rows, ())
    header = [checked_text(c, None, f"column {i + 1}", findings) for i, c in enumerate(header_row)]
    while header and not header[-1]:
        header.pop()
    if not header:
        return file_error(f"the workbook's sheet {title!r} is empty (no header in row 1)", "xlsx")
    wide: list[Finding] = []
    table = table_from_records(header, _narrow(rows, wide), fmt="xlsx")
    return RawTable(table.frame, (*wide, *table.findings), "xlsx")


def _narrow(rows: Iterator[Sequence[Any]], wide: list[Finding]) -> Iterator[Sequence[Any]]:
    """Rows cut to ``MAX_COLUMNS``; a value further right stops the reading with a finding."""
    for number, row in enumerate(rows, start=1):
        if len(row) > MAX_COLUMNS:
            if any(v is not None for v in row[MAX_COLUMNS:]):
                what = f"row {number} has a value in column {len(row):,}"
                wide.append(limit_finding(what, MAX_COLUMNS, "columns"))
                return
            row = row[:MAX_COLUMNS]
        yield row


def _sheet_name(names: Sequence[str], wanted: str) -> str | None:
    """The sheet called ``wanted``: exact name first, then ignoring case and outer spaces."""
    if wanted in names:
        return wanted
    key = wanted.strip().lower()
    return next((n for n in names if n.strip().lower() == key), None)
