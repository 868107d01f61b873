"""Bounds on the work one web upload may cause, checked on the bytes before any reader runs.

The byte cap (``max_upload_bytes``) does not bound the work: a 61 KB workbook can hold
327,000 rows (its sheet compresses a hundredfold), and the readers materialise every
row padded to the sheet's widest one. So before the import path reads an upload, its
rows and cells are counted by a stream over the CSV text or the workbook's sheet XML
(unpacked in chunks, never past :data:`~cctvscope.ingest.limits.MAX_UNPACKED_BYTES`),
and an upload past ``upload_max_rows`` or ``upload_max_cells`` is refused with 413 and
a finding in the readers' limit wording. The counts are upper bounds (a ``<row`` tag
counts even when empty; cells count as rows x widest row), never under-counts.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

from cctvscope.ingest.limits import MAX_UNPACKED_BYTES, limit_reason

#: Bytes unpacked per step of a sheet stream.
CHUNK_BYTES = 1 << 20
_CELL_REF = re.compile(rb'<c\s[^>]*?r="([A-Z]{1,3})\d+"')
_ROW = re.compile(rb"<row[\s>/]")
_CELL = re.compile(rb"<c[\s>/]")
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")


@dataclass(frozen=True)
class Extent:
    """An upper bound on an upload's rows (header included), widest row and cells."""

    rows: int
    widest: int
    cells_given: int = 0

    @property
    def cells(self) -> int:
        """Cells a reader materialises: every row padded to the widest (or the cells the
        file holds, when its cells name no columns)."""
        return max(self.rows * self.widest, self.cells_given)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _csv_extent(data: bytes, max_rows: int) -> Extent:
    rows = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if rows > max_rows:  # no need to measure the width
        return Extent(rows, 1)
    widest = max(max(line.count(d) for d in (b",", b";", b"\t")) for line in data.split(b"\n"))
    return Extent(rows, widest + 1)


def _sheet_chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """A sheet part's XML in chunks cut after a ``>`` (no tag is split), within the limit."""
    unpacked = 0
    carry = b""
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            unpacked += len(chunk)
            if unpacked > MAX_UNPACKED_BYTES:
                return
            text = carry + chunk
            cut = text.rfind(b">") + 1
            carry = text[cut:]
            yield text[:cut]
    yield carry


def _xlsx_extent(data: bytes, max_rows: int) -> Extent:
    rows = widest = cells = 0
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile:
        return Extent(0, 0)  # the reader reports the unreadable file
    with archive:
        for name in (n for n in archive.namelist() if _SHEET_PART.match(n)):
            sheet_rows = 0
            try:
                for chunk in _sheet_chunks(archive, name):
                    sheet_rows += len(_ROW.findall(chunk))
                    cells += len(_CELL.findall(chunk))
                    refs = _CELL_REF.findall(chunk)
                    if refs:
                        widest = max(widest, max(_column_number(r) for r in refs))
                    if sheet_rows > max_rows:
                        break
            except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                pass  # a damaged part: the reader reports it
            rows = max(rows, sheet_rows)
    return Extent(rows, max(widest, 1), cells)


def upload_extent(data: bytes, suffix: str, max_rows: int) -> Extent:
    """Rows and widest row of an upload (``.csv`` or ``.xlsx``); counting stops past
    ``max_rows``."""
    if suffix == ".xlsx":
        return _xlsx_extent(data, max_rows)
    return _csv_extent(data, max_rows)


def extent_problem(extent: Extent, max_rows: int, max_cells: int) -> str | None:
    """The limit an upload passes (in the readers' wording), or None."""
    data_rows = max(extent.rows - 1, 0)
    if data_rows > max_rows:
        return limit_reason(
            f"the file has about {data_rows:,} data rows (a web preview reads at most "
            f"{max_rows:,}; import larger files with `cctvscope import cameras`)",
            max_rows,
            "rows",
        )
    if extent.cells > max_cells:
        return limit_reason(
            f"{extent.rows:,} rows x {extent.widest:,} columns (the widest row) is "
            f"{extent.cells:,} cells",
            max_cells,
            "cells",
        )
    return None
