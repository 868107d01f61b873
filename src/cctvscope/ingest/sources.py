"""Read an import source file (cameras or another estate table) into a raw table of text cells.

Formats: CSV (delimiter ``,`` ``;`` or tab, sniffed from the header), GeoJSON
(Point features), OSM XML (:mod:`cctvscope.ingest.osm`) and workbooks (``.xlsx``:
sheet ``cameras`` unless another sheet is named). Any of them may be
gzip-compressed. A file that cannot be read gives a file-level error
:class:`~cctvscope.errors.Finding`, never a traceback. Rows are numbered from 1
over the data rows (the header is row 0); GeoJSON features and OSM nodes are
numbered from 1 in file order.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
import warnings
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cctvscope.errors import Finding

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
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            return file_error(f"damaged gzip file: {exc}", chosen)
    if not data.strip():
        return file_error("the file is empty", chosen)
    if chosen == "xlsx":
        return read_xlsx(data, sheet)
    if chosen == "osm":
        from cctvscope.ingest.osm import read_osm

        return read_osm(data)
    text = decode_text(data, encoding)
    if isinstance(text, Finding):
        return RawTable(pd.DataFrame(), (text,), chosen)
    if chosen == "geojson":
        return read_geojson_text(text)
    return read_csv_text(text)


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
    lines = text.splitlines()
    header_line = next((ln for ln in lines if ln.strip()), "")
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        return file_error(f"not a readable CSV file: {exc}")
    records = _drop_leading_blank(records)
    if not records:
        return file_error("the file is empty")
    header = [h.strip() for h in records[0]]
    return table_from_records(header, records[1:], fmt="csv")


def _drop_leading_blank(records: list[list[str]]) -> list[list[str]]:
    for i, rec in enumerate(records):
        if any(c.strip() for c in rec):
            return records[i:]
    return []


def table_from_records(
    header: Sequence[str], records: Sequence[Sequence[Any]], *, fmt: str
) -> RawTable:
    """A raw table from a header and data records (row number = position + 1)."""
    findings: list[Finding] = []
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = raw.strip() or f"column {i + 1}"
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
    rows: list[list[str]] = []
    index: list[int] = []
    for number, rec in enumerate(records, start=1):
        cells = [cell_text(c) for c in rec]
        if not any(cells):
            continue
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
        rows.append(cells)
        index.append(number)
    frame = pd.DataFrame(rows, columns=names, index=index, dtype=object)
    # Unnamed, empty columns (trailing delimiters) carry nothing.
    for i, name in enumerate(names):
        if not header[i].strip() and not frame[name].astype(bool).any():
            frame = frame.drop(columns=name)
    return RawTable(frame, tuple(findings), fmt)


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


def read_geojson_text(text: str) -> RawTable:
    """Parse GeoJSON: each Point feature is a row, its properties the columns."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return file_error(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", "geojson"
        )
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = {"type": "FeatureCollection", "features": [obj]}
    if not (isinstance(obj, dict) and isinstance(obj.get("features"), list)):
        return file_error("not a GeoJSON FeatureCollection (no 'features' list)", "geojson")
    features: list[Any] = obj["features"]
    if not features:
        return file_error("the FeatureCollection has no features", "geojson")
    findings: list[Finding] = []
    props_rows: list[dict[str, str]] = []
    index: list[int] = []
    for number, feat in enumerate(features, start=1):
        problem, xy = _point_of(feat)
        if problem:
            findings.append(Finding("error", number, "geometry", None, problem))
            continue
        props = feat.get("properties") or {}
        row = {str(k): cell_text(v) for k, v in props.items()} if isinstance(props, dict) else {}
        row[FEATURE_ID] = cell_text(feat.get("id"))
        row[GEOMETRY_X], row[GEOMETRY_Y] = xy
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


def _point_of(feat: Any) -> tuple[str | None, tuple[str, str]]:
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
    return None, (cell_text(coords[0]), cell_text(coords[1]))


def read_xlsx(data: bytes, sheet: str | None = None) -> RawTable:
    """Read a workbook sheet, header in row 1.

    Without ``sheet``: the survey sheet ``cameras``, else the first sheet (with a
    warning). A named ``sheet`` must exist (matched case-insensitively when no sheet
    has exactly that name): if not, a file-level error lists the sheets present.
    """
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return file_error(f"not a readable .xlsx workbook: {exc}", "xlsx")
    try:
        findings: list[Finding] = []
        chosen: Any = None
        if sheet is not None:
            name = _sheet_name(book.sheetnames, sheet)
            if name is None:
                present = ", ".join(repr(n) for n in book.sheetnames)
                reason = f"no sheet named {sheet!r}; the workbook's sheets are {present}"
                return file_error(reason, "xlsx", sheet)
            chosen = book[name]
        elif SURVEY_SHEET in book.sheetnames:
            chosen = book[SURVEY_SHEET]
        else:
            chosen = book.worksheets[0]
            findings.append(
                Finding(
                    "warning",
                    None,
                    None,
                    chosen.title,
                    f"no sheet named {SURVEY_SHEET!r}; read the first sheet {chosen.title!r}",
                )
            )
        records = [list(r) for r in chosen.iter_rows(values_only=True)]
        title = str(chosen.title)
    finally:
        book.close()
    if not records or not any(c is not None for c in records[0]):
        return file_error(f"the workbook's sheet {title!r} is empty (no header in row 1)", "xlsx")
    header = [cell_text(c) for c in records[0]]
    while header and not header[-1]:
        header.pop()
    table = table_from_records(header, records[1:], fmt="xlsx")
    return RawTable(table.frame, (*findings, *table.findings), "xlsx")


def _sheet_name(names: Sequence[str], wanted: str) -> str | None:
    """The sheet called ``wanted``: exact name first, then ignoring case and outer spaces."""
    if wanted in names:
        return wanted
    key = wanted.strip().lower()
    return next((n for n in names if n.strip().lower() == key), None)
