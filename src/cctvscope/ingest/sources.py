"""Read an import source file (cameras or another estate table) into a raw table of text cells.

Formats: CSV (delimiter ``,`` ``;`` or tab, sniffed from the header), GeoJSON
(Point features), OSM XML (:mod:`cctvscope.ingest.osm`) and workbooks (``.xlsx``:
sheet ``cameras`` unless another sheet is named). Any of them may be
gzip-compressed. A file that cannot be read gives a file-level error
:class:`~cctvscope.errors.Finding`, never a traceback, and every read stays within
the bounds of :mod:`cctvscope.ingest.limits` (a bound met is a finding too). Rows
are numbered from 1 over the data rows (the header is row 0); GeoJSON features and
OSM nodes are numbered from 1 in file order. Workbooks: :mod:`cctvscope.ingest.workbook`.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cctvscope.errors import Finding
from cctvscope.ingest.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_NESTING_LEVELS,
    MAX_NUMBER_DIGITS,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    limit_finding,
    limit_reason,
)

FORMATS = ("csv", "geojson", "osm", "xlsx")
SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".geojson": "geojson",
    ".json": "geojson",
    ".osm": "osm",
    ".xml": "osm",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
SURVEY_SHEET = "cameras"
GEOMETRY_X = "_geometry_x"
GEOMETRY_Y = "_geometry_y"
FEATURE_ID = "_feature_id"
_ENCODING_HINT = "if the file was saved by Excel on Windows, try --encoding cp1252"


@dataclass(frozen=True)
class RawTable:
    """A source read into text cells.

    Attributes
    ----------
    frame
        One column per source column, cells as stripped strings (``""`` when
        blank), index = 1-based data row numbers.
    findings
        Problems met while reading (file-level when ``row`` is None).
    fmt
        The format read (one of :data:`FORMATS`).
    fixed_columns
        Import field -> column set by the reader itself (GeoJSON geometry, OSM
        tags); these take precedence over header aliases.
    fallback_columns
        Import field -> column used where the field's own column is blank or
        absent (the GeoJSON feature ``id`` for ``camera_id``).
    """

    frame: pd.DataFrame
    findings: tuple[Finding, ...] = ()
    fmt: str = "csv"
    fixed_columns: Mapping[str, str] = field(default_factory=dict)
    fallback_columns: Mapping[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """True when a file-level error left nothing to import."""
        return any(f.severity == "error" and f.row is None for f in self.findings)


def file_error(reason: str, fmt: str = "csv", value: str | None = None) -> RawTable:
    """A raw table holding one file-level error."""
    return RawTable(pd.DataFrame(), (Finding("error", None, None, value, reason),), fmt)


def detect_format(path: Path) -> str | None:
    """Format from the file name (``.gz`` ignored), or None when unknown."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return SUFFIXES.get(suffixes[-1]) if suffixes else None


def read_source(
    path: str | Path,
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> RawTable:
    """Read ``path`` into a :class:`RawTable`; ``fmt`` overrides the format from the name.

    ``sheet`` names the workbook sheet to read (``.xlsx`` only; ignored otherwise).
    """
    path = Path(path)
    chosen = fmt.lower().lstrip(".") if fmt else detect_format(path)
    if chosen == "json":
        chosen = "geojson"
    if chosen not in FORMATS:
        given = fmt or path.suffix or "(none)"
        return file_error(
            f"unknown format {given!r}; formats are {', '.join(FORMATS)} (use --format)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        return file_error(f"cannot read {path}: {exc.strerror or exc}", chosen)
    if data[:2] == b"\x1f\x8b":
        unpacked = gunzip(data)
        if isinstance(unpacked, Finding):
            return RawTable(pd.DataFrame(), (unpacked,), chosen)
        data = unpacked
    if not data.strip():
        return file_error("the file is empty", chosen)
    if chosen == "xlsx":
        from cctvscope.ingest.workbook import read_xlsx

        return read_xlsx(data, sheet)
    if chosen == "osm":
        from cctvscope.ingest.osm import read_osm

        return read_osm(data)
    text = decode_text(data, encoding)
    del data  # the bytes are not needed once decoded: not held while the rows are read
    if isinstance(text, Finding):
        return RawTable(pd.DataFrame(), (text,), chosen)
    if chosen == "geojson":
        return read_geojson_text(text)
    return read_csv_text(text)


def gunzip(data: bytes) -> bytes | Finding:
    """Unpack gzip data (one or more members), refusing more than
    :data:`~cctvscope.ingest.limits.MAX_UNPACKED_BYTES`: a few KB may unpack to gigabytes."""
    parts: list[bytes] = []
    size = 0
    rest = data
    while rest:
        unpacker = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            part = unpacker.decompress(rest, MAX_UNPACKED_BYTES + 1 - size)
        except zlib.error as exc:
            return Finding("error", None, None, None, f"damaged gzip file: {exc}")
        size += len(part)
        parts.append(part)
        if size > MAX_UNPACKED_BYTES or unpacker.unconsumed_tail:
            return limit_finding("the gzip file unpacks to more", MAX_UNPACKED_BYTES, "bytes")
        if not unpacker.eof:
            return Finding("error", None, None, None, "damaged gzip file: it is cut short")
        # Members may follow one another; zero padding after the last is allowed (as gzip).
        rest = unpacker.unused_data.lstrip(b"\x00")
    return b"".join(parts)


def decode_text(data: bytes, encoding: str | None) -> str | Finding:
    """Decode strictly (UTF-8, with or without BOM, unless ``encoding`` says otherwise).

    Returns a file-level error Finding for binary data or bytes invalid in the encoding.
    """
    if encoding is None and data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return Finding("error", None, None, None, "the file is UTF-16; use --encoding utf-16")
    if data[:4] == b"PK\x03\x04":
        return Finding(
            "error",
            None,
            None,
            None,
            "the file is a zip archive (an Excel workbook?), not text; "
            "name it .xlsx or use --format xlsx",
        )
    wide = encoding is not None and re.match(r"utf[-_]?(16|32)", encoding.lower()) is not None
    nul = data.find(b"\x00")
    if nul >= 0 and not wide:
        return Finding(
            "error",
            None,
            None,
            None,
            f"binary data, not a text file (NUL byte at byte offset {nul})",
        )
    label = encoding or "UTF-8"
    try:
        text = data.decode(encoding or "utf-8-sig")
    except LookupError:
        return Finding("error", None, None, encoding, f"unknown encoding {encoding!r}")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        hint = _ENCODING_HINT if encoding is None else "try another --encoding"
        return Finding(
            "error",
            None,
            None,
            None,
            f"not valid {label} text: byte 0x{bad} at byte offset {exc.start}; {hint}",
        )
    text = text.lstrip("\ufeff")
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > max(2, len(text[:65536]) // 100):
        return Finding("error", None, None, None, "binary data, not a text file")
    return text


def read_csv_text(text: str) -> RawTable:
    """Parse CSV text: the first non-blank line is the header."""
    # The delimiter comes from the header line; only the text's start is split to find it.
    header_line = next((ln for ln in text[:65536].splitlines() if ln.strip()), "")
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    # Read lazily, so the row limit stops the reading rather than judging a full list.
    reader = csv.reader(text_lines(text), delimiter=delimiter)
    try:
        header = next((rec for rec in reader if any(c.strip() for c in rec)), None)
        if header is None:
            return file_error("the file is empty")
        return table_from_records([h.strip() for h in header], reader, fmt="csv")
    except csv.Error as exc:
        return file_error(f"not a readable CSV file: {exc}")


#: A line and its ending (LF, CRLF or CR), or an unterminated last line.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def text_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings, as ``io.StringIO(text, newline="")``
    gives them, one at a time.

    ``StringIO`` would copy the text at four bytes a character (180 MB for the 45 MB
    CSV of a million cameras); these are slices of the text, made as they are read.
    """
    return (m.group() for m in _LINE.finditer(text))


#: Rows turned into columns at a time while a table is read [rows].
READ_CHUNK_ROWS = 50_000
#: Distinct values of a column whose cells share one string object each.
SHARED_VALUES = 4_096


def table_from_records(
    header: Sequence[str], records: Iterable[Sequence[Any]], *, fmt: str
) -> RawTable:
    """A raw table from a header and data records (row number = position + 1).

    Reading stops at the first non-blank record past
    :data:`~cctvscope.ingest.limits.MAX_ROWS`; a header wider than ``MAX_COLUMNS``
    is refused before any row is read.
    """
    if len(header) > MAX_COLUMNS:
        return RawTable(
            pd.DataFrame(),
            (limit_finding(f"the header has {len(header):,} columns", MAX_COLUMNS, "columns"),),
            fmt,
        )
    findings: list[Finding] = []
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = checked_text(raw, None, f"column {i + 1}", findings) or f"column {i + 1}"
        if name.lower() in seen:
            findings.append(
                Finding(
                    "error",
                    None,
                    name,
                    None,
                    f"column {name!r} appears twice (columns {seen[name.lower()] + 1} and {i + 1})",
                )
            )
        seen.setdefault(name.lower(), i)
        names.append(name)
    width = len(names)
    cells_of = _ColumnCells(width)
    for number, rec in enumerate(records, start=1):
        cells = [
            checked_text(c, number, names[i] if i < width else None, findings)
            for i, c in enumerate(rec)
        ]
        if not any(cells):
            continue
        if number > MAX_ROWS:
            findings.append(limit_finding("the file has more data rows", MAX_ROWS, "rows"))
            return RawTable(pd.DataFrame(), tuple(findings), fmt)
        if len(cells) > width:
            extra = [c for c in cells[width:] if c]
            if extra:
                findings.append(
                    Finding(
                        "error",
                        number,
                        None,
                        ", ".join(extra)[:80],
                        f"row has {len(cells)} cells but the header has {width} columns",
                    )
                )
                continue
            cells = cells[:width]
        cells += [""] * (width - len(cells))
        cells_of.add(number, cells)
    frame = pd.DataFrame(cells_of.array(), columns=names, index=cells_of.index, dtype=object)
    # Unnamed, empty columns (trailing delimiters) carry nothing.
    for i, name in enumerate(names):
        if not header[i].strip() and not frame[name].astype(bool).any():
            frame = frame.drop(columns=name)
    return RawTable(frame, tuple(findings), fmt)


class _ColumnCells:
    """The cells of a table being read, held as object arrays of :data:`READ_CHUNK_ROWS`
    rows rather than a list per row (some 100 bytes a row more), a column's repeated
    values (a constant height, a codec) sharing one string."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.index: list[int] = []
        self.parts: list[np.ndarray] = []
        self.rows: list[list[str]] = []
        self.shared: list[dict[str, str]] = [{} for _ in range(width)]

    def add(self, number: int, cells: list[str]) -> None:
        for j, cell in enumerate(cells):
            known = self.shared[j]
            if len(known) < SHARED_VALUES:
                cells[j] = known.setdefault(cell, cell)
            else:
                cells[j] = known.get(cell, cell)
        self.rows.append(cells)
        self.index.append(number)
        if len(self.rows) == READ_CHUNK_ROWS:
            self._close_part()

    def _close_part(self) -> None:
        part = np.empty((len(self.rows), self.width), dtype=object)
        for i, cells in enumerate(self.rows):
            part[i] = cells
        self.parts.append(part)
        self.rows = []

    def array(self) -> np.ndarray:
        """Every row read, one array (the parts are let go as they are joined)."""
        self._close_part()
        parts, self.parts = self.parts, []
        return np.concatenate(parts) if len(parts) > 1 else parts[0]


#: Numbers of more than MAX_NUMBER_DIGITS digits are refused, not converted.
_NUMBER_BOUND = 10**MAX_NUMBER_DIGITS
_LONG_NUMBER = re.compile(r"[+-]?[\d.,]+(?:[eE][+-]?\d+)?")


def checked_text(value: Any, row: int | None, field: str | None, findings: list[Finding]) -> str:
    """:func:`cell_text` of a value within the cell limits; a value past one is an error
    finding (added to ``findings``) and reads as ``""``.

    Checked: numbers that are not finite or have more than ``MAX_NUMBER_DIGITS``
    digits (before they are turned into text: a 5,000-digit int cannot be), and text
    longer than ``MAX_CELL_CHARS``.
    """
    reason: str | None = None
    if isinstance(value, float) and not math.isfinite(value):
        findings.append(Finding("error", row, field, repr(value), "not a finite number"))
        return ""
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and abs(value) >= _NUMBER_BOUND
    ):
        text = f"{value:.3e}"
        reason = limit_reason("a number with more digits", MAX_NUMBER_DIGITS, "digits")
    else:
        text = cell_text(value)
        if len(text) > MAX_CELL_CHARS:
            what = f"a cell of {len(text):,} characters"
            reason = limit_reason(what, MAX_CELL_CHARS, "characters")
        elif len(text) > MAX_NUMBER_DIGITS and _LONG_NUMBER.fullmatch(text):
            what = f"a number of {len(text):,} characters"
            reason = limit_reason(what, MAX_NUMBER_DIGITS, "digits")
    if reason is None:
        return text
    findings.append(Finding("error", row, field, text[:80], reason))
    return ""


def cell_text(value: Any) -> str:
    """A cell as stripped text: None -> "", whole floats without ``.0``, booleans as words."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, list | tuple):
        return ";".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value).strip()


class _LongNumberError(ValueError):
    """A JSON number past MAX_NUMBER_DIGITS (raised by the parse hooks, before int())."""


def _json_number(convert: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        if len(text) > MAX_NUMBER_DIGITS:
            raise _LongNumberError(text)
        return convert(text)

    return parse


#: A JSON string literal (skipped whole) or one bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_depth_problem(text: str) -> Finding | None:
    """A limit finding when arrays/objects nest deeper than ``MAX_NESTING_LEVELS``.

    Checked before parsing: :func:`json.loads` recurses once per level and ends in
    a RecursionError near 1,000 levels; a scan of the brackets outside strings does not.
    """
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_NESTING_LEVELS:
                what = f"arrays/objects nest deeper (byte offset about {match.start():,})"
                return limit_finding(what, MAX_NESTING_LEVELS, "levels")
        elif token in "]}":
            depth -= 1
    return None


def read_geojson_text(text: str) -> RawTable:
    """Parse GeoJSON: each Point feature is a row, its properties the columns."""
    deep = json_depth_problem(text)
    if deep is not None:
        return RawTable(pd.DataFrame(), (deep,), "geojson")
    try:
        obj = json.loads(text, parse_int=_json_number(int), parse_float=_json_number(float))
    except json.JSONDecodeError as exc:
        return file_error(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", "geojson"
        )
    except _LongNumberError as exc:
        what = f"a number of {len(str(exc)):,} characters"
        finding = limit_finding(what, MAX_NUMBER_DIGITS, "digits", value=str(exc)[:80])
        return RawTable(pd.DataFrame(), (finding,), "geojson")
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = {"type": "FeatureCollection", "features": [obj]}
    if not (isinstance(obj, dict) and isinstance(obj.get("features"), list)):
        return file_error("not a GeoJSON FeatureCollection (no 'features' list)", "geojson")
    features: list[Any] = obj["features"]
    if not features:
        return file_error("the FeatureCollection has no features", "geojson")
    if len(features) > MAX_ROWS:
        finding = limit_finding(f"{len(features):,} features", MAX_ROWS, "rows")
        return RawTable(pd.DataFrame(), (finding,), "geojson")
    findings: list[Finding] = []
    props_rows: list[dict[str, str]] = []
    index: list[int] = []
    columns: set[str] = set()
    for number, feat in enumerate(features, start=1):
        problem, coords = _point_of(feat)
        if problem:
            findings.append(Finding("error", number, "geometry", None, problem))
            continue
        props = feat.get("properties") or {}
        items = props.items() if isinstance(props, dict) else ()
        row = {str(k): checked_text(v, number, str(k), findings) for k, v in items}
        columns.update(row)
        if len(columns) > MAX_COLUMNS:
            what = "the features' properties have more names"
            return RawTable(
                pd.DataFrame(), (limit_finding(what, MAX_COLUMNS, "columns"),), "geojson"
            )
        row[FEATURE_ID] = checked_text(feat.get("id"), number, "id", findings)
        row[GEOMETRY_X], row[GEOMETRY_Y] = (
            checked_text(c, number, "coordinates", findings) for c in coords
        )
        props_rows.append(row)
        index.append(number)
    frame = pd.DataFrame(props_rows, index=index, dtype=object).fillna("")
    crs = json.dumps(obj.get("crs", "")).lower()
    if "27700" in crs:
        fixed = {"easting": GEOMETRY_X, "northing": GEOMETRY_Y}
    elif "4326" in crs or "crs84" in crs:
        fixed = {"lon": GEOMETRY_X, "lat": GEOMETRY_Y}
    else:
        fixed = {"x": GEOMETRY_X, "y": GEOMETRY_Y}
    return RawTable(frame, tuple(findings), "geojson", fixed, {"camera_id": FEATURE_ID})


def _point_of(feat: Any) -> tuple[str | None, tuple[Any, Any]]:
    """(problem, (x, y)): why the feature is not a Point, or its first two coordinates."""
    if not isinstance(feat, dict):
        return "not a GeoJSON Feature", ("", "")
    geom = feat.get("geometry")
    if not isinstance(geom, dict):
        return "feature has no geometry", ("", "")
    kind = geom.get("type")
    if kind != "Point":
        return f"geometry is {kind}; only Point features can be cameras", ("", "")
    coords = geom.get("coordinates")
    if not (isinstance(coords, list) and len(coords) >= 2):
        return "Point has no coordinates", ("", "")
    return None, (coords[0], coords[1])
