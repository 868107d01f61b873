"""A seeded generator of malformed import files: CSV, xlsx, GeoJSON and OSM XML.

Each case starts from a small valid camera file (five cameras in Hackney) and
applies one or two faults chosen by a :class:`random.Random` seeded per run, so a
failing case is reproduced from its seed and number alone. The workbook is built
from its XML parts by hand, so faults reach what openpyxl parses: dimensions,
shared-string indexes, cell types, dates, chart sheets, zip parts and their zlib
streams.
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from collections.abc import Callable, Iterator
from typing import NamedTuple

#: Five valid cameras in Hackney: id, location, lon, lat, height, heading.
ROWS = [
    (f"FZ-{i:03d}", f"Mare Street {i}", -0.0553 + i * 0.0004, 51.5450 + i * 0.0003, 6, 60 * i)
    for i in range(1, 6)
]
HEADER = ("id", "location text", "lon", "lat", "height", "heading")
#: Python's int/str conversion limit is 4,300 digits: these pass it.
HUGE_DIGITS = "9" * 5000
#: Shared-string indexes past the one string of the table, or not indexes at all.
BAD_INDEXES = ("1", "999", "-1", "x", HUGE_DIGITS)


class Case(NamedTuple):
    """One malformed file: its number, format, what was done to it, and its bytes."""

    number: int
    fmt: str
    faults: tuple[str, ...]
    data: bytes

    @property
    def suffix(self) -> str:
        return FORMATS[self.fmt][0]

    @property
    def label(self) -> str:
        return f"#{self.number} {self.fmt} {'+'.join(self.faults)}"


# --- valid files -------------------------------------------------------------------


def csv_text(rows: list[tuple[object, ...]] = ROWS) -> str:
    lines = [",".join(HEADER)] + [",".join(str(c) for c in r) for r in rows]
    return "\n".join(lines) + "\n"


def geojson_text(extra: str = "", coords: str | None = None, props: str | None = None) -> str:
    features = []
    for i, (cid, loc, lon, lat, height, heading) in enumerate(ROWS):
        p = (
            props
            if props is not None and i == 0
            else (
                f'{{"id": "{cid}", "location": "{loc}", "height": {height}, "heading": {heading}}}'
            )
        )
        c = coords if coords is not None and i == 0 else f"[{lon}, {lat}]"
        features.append(
            f'{{"type": "Feature", "geometry": {{"type": "Point", "coordinates": {c}}}, '
            f'"properties": {p}}}'
        )
    return f'{{"type": "FeatureCollection"{extra}, "features": [{", ".join(features)}]}}'


def osm_text(declaration: str = '<?xml version="1.0" encoding="UTF-8"?>', tag: str = "") -> str:
    nodes = "".join(
        f'<node id="{100 + i}" lat="{lat}" lon="{lon}">'
        f'<tag k="man_made" v="surveillance"/><tag k="camera:direction" v="{heading}"/>'
        f"{tag if i == 0 else ''}</node>"
        for i, (_, _, lon, lat, _, heading) in enumerate(ROWS)
    )
    return f'{declaration}<osm version="0.6">{nodes}</osm>'


def _cell(ref: str, value: object) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def sheet_xml(
    dimension: str = "A1:F6", extra_cells: str = "", rows: list[tuple[object, ...]] = ROWS
) -> str:
    body = [
        '<row r="1">'
        + "".join(_cell(f"{chr(65 + j)}1", h) for j, h in enumerate(HEADER))
        + "</row>"
    ]
    for i, row in enumerate(rows, start=2):
        cells = "".join(_cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(row))
        body.append(f'<row r="{i}">{cells}{extra_cells if i == 2 else ""}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{"".join(body)}</sheetData></worksheet>'
    )


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_CHART = "application/vnd.openxmlformats-officedocument.spreadsheetml.chartsheet+xml"


def xlsx_parts(sheet: str | None = None, *, chart: bool = False) -> dict[str, bytes]:
    """The parts of a one-sheet workbook (sheet ``cameras``); ``chart``: a chart sheet."""
    kind = "chartsheet" if chart else "worksheet"
    folder = "chartsheets" if chart else "worksheets"
    content_type = _CT_CHART if chart else _CT_SHEET
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PKG}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/{folder}/sheet1.xml" ContentType="{content_type}"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.styles+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            '<sheets><sheet name="cameras" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/{kind}" Target="{folder}/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        # Style 1 is a date (number format 14): its cells are read as dates.
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{_MAIN}">'
            '<fonts count="1"><font/></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
            "</cellXfs></styleSheet>"
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="1" '
            'uniqueCount="1"><si><t>Mare Street</t></si></sst>'
        ),
        f"xl/{folder}/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><chartsheet xmlns="{_MAIN}"><sheetViews>'
            '<sheetView workbookViewId="0"/></sheetViews></chartsheet>'
            if chart
            else sheet or sheet_xml()
        ),
    }
    if chart:  # openpyxl reads a chart sheet only with its (here empty) relationships
        parts["xl/chartsheets/_rels/sheet1.xml.rels"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships"/>'
        )
    return {name: text.encode() for name, text in parts.items()}


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            # A fixed date: the same seed gives the same bytes.
            archive.writestr(
                zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


def row_heavy_workbook(rows: int, last_column: str = "B") -> bytes:
    """A header and ``rows`` rows of two number cells, the second in ``last_column``: a
    workbook that compresses to about 10 bytes a row (issue 16: 61 KB held 327,000)."""
    body = ['<row r="1"><c r="A1" t="inlineStr"><is><t>camera_id</t></is></c></row>']
    body += [
        f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="{last_column}{i}"><v>1</v></c></row>'
        for i in range(2, rows + 2)
    ]
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<worksheet xmlns="{_MAIN}"><sheetData>{"".join(body)}</sheetData></worksheet>'
    )
    return zipped(xlsx_parts(sheet))


def xfd_workbook() -> bytes:
    """The finding's 4.9 KB workbook: a few rows whose sheet claims the cell XFD1048576."""
    return zipped(xlsx_parts(sheet_xml(dimension="A1:XFD1048576")))


# --- faults ------------------------------------------------------------------------

Fault = Callable[[random.Random, bytes], bytes]


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(1, max(2, len(data)))]


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def insert_junk(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]


def gzipped(rng: random.Random, data: bytes) -> bytes:
    packed = gzip.compress(data, mtime=0)
    return packed if rng.random() < 0.5 else truncate(rng, packed)


def _text_fault(make: Callable[[random.Random], str]) -> Fault:
    return lambda rng, _data: make(rng).encode()


BYTE_FAULTS: dict[str, Fault] = {
    "truncate": truncate,
    "flip": flip_bytes,
    "junk": insert_junk,
    "gzip": gzipped,
}


def _csv_cells(rng: random.Random) -> str:
    bad = rng.choice(
        ["nan", "inf", "-inf", "1e999", HUGE_DIGITS, "9" * 150, "x" * 40_000, "\u2028", '"', "0x1F"]
    )
    rows = list(ROWS)
    row = list(rows[rng.randrange(len(rows))])
    row[rng.randrange(2, len(row))] = bad
    rows[0] = tuple(row)
    return csv_text(rows)


CSV_FAULTS: dict[str, Fault] = {
    "bad-cell": _text_fault(_csv_cells),
    "wide-header": _text_fault(lambda r: ",".join(f"c{i}" for i in range(1500)) + "\n1,2\n"),
    "extra-cells": _text_fault(lambda r: csv_text() + "FZ-9,x,-0.05,51.54,6,90," * 20 + "\n"),
    "cp1252": lambda r, d: d.replace(b"Mare", "Mär".encode("cp1252")),
    "utf16": lambda r, d: d.decode().encode("utf-16"),
    "nul": lambda r, d: d[:10] + b"\x00" + d[10:],
    "quote": _text_fault(lambda r: csv_text().replace("Mare", '"Mare', 1)),
    "header-only": _text_fault(lambda r: ",".join(HEADER) + "\n"),
    "blank-rows": _text_fault(lambda r: "\n" * r.randint(1, 50) + csv_text()),
}


def _deep(rng: random.Random) -> str:
    depth = rng.choice([65, 1000, 5000, 20000])
    nested = "[" * depth + "]" * depth
    return geojson_text(props=f'{{"id": "FZ-001", "deep": {nested}}}')


GEOJSON_FAULTS: dict[str, Fault] = {
    "deep": _text_fault(_deep),
    "deep-coords": _text_fault(lambda r: geojson_text(coords="[" * 3000 + "]" * 3000)),
    "huge-int": _text_fault(lambda r: geojson_text(coords=f"[{HUGE_DIGITS}, 51.5]")),
    "huge-float": _text_fault(lambda r: geojson_text(coords=f"[0.{HUGE_DIGITS}, 51.5]")),
    "long-int": _text_fault(
        lambda r: geojson_text(props=f'{{"id": "FZ-001", "height": {"9" * 150}}}')
    ),
    "nan": _text_fault(lambda r: geojson_text(coords=r.choice(["[NaN, 51.5]", "[Infinity, 1]"]))),
    "no-features": _text_fault(lambda r: '{"type": "FeatureCollection", "features": {}}'),
    "null-geometry": _text_fault(lambda r: geojson_text().replace('"geometry": {', '"g": {', 1)),
    "string-coords": _text_fault(lambda r: geojson_text(coords='["a", "b"]')),
    "odd-props": _text_fault(lambda r: geojson_text(props='[1, {"a": [2, 3]}, null]')),
    "long-text": _text_fault(
        lambda r: geojson_text(props=f'{{"id": "FZ-001", "location": "{"x" * 40_000}"}}')
    ),
    "crs": _text_fault(lambda r: geojson_text(extra=', "crs": {"type": [[[[]]]]}')),
}


def _osm_declaration(rng: random.Random) -> str:
    encoding = rng.choice(["x-no-such-codec", "utf-7", "utf-16", "ebcdic-cp-us", "latin-9x"])
    return osm_text(declaration=f'<?xml version="1.0" encoding="{encoding}"?>')


OSM_FAULTS: dict[str, Fault] = {
    "encoding": _text_fault(_osm_declaration),
    "long-tag": _text_fault(lambda r: osm_text(tag=f'<tag k="name" v="{"x" * 40_000}"/>')),
    "huge-height": _text_fault(lambda r: osm_text(tag=f'<tag k="height" v="{HUGE_DIGITS}"/>')),
    "nan-direction": _text_fault(lambda r: osm_text(tag='<tag k="camera:angle" v="nan"/>')),
    "entities": _text_fault(
        lambda r: (
            '<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "aaaaaaaaaa">'
            + "".join(
                f'<!ENTITY {c}{c} "{("&" + p + ";") * 10}">'
                for c, p in zip("bcdefg", "abcdef", strict=True)
            )
            + ']><osm><node id="1" lat="51.5" lon="-0.05"><tag k="man_made" v="surveillance"/>'
            '<tag k="name" v="&ff;"/></node></osm>'
        )
    ),
    "wrong-root": _text_fault(lambda r: '<?xml version="1.0"?><gpx><node id="1"/></gpx>'),
    "no-cameras": _text_fault(lambda r: '<osm><node id="1" lat="51.5" lon="-0.05"/></osm>'),
}


def _xlsx(make: Callable[[random.Random], dict[str, bytes]]) -> Fault:
    return lambda rng, _data: zipped(make(rng))


def _sheet_with(cells: str) -> Callable[[random.Random], dict[str, bytes]]:
    return lambda rng: xlsx_parts(sheet_xml(extra_cells=cells))


def _bad_number(rng: random.Random) -> dict[str, bytes]:
    value = rng.choice(["nan", "inf", "-inf", "1e999", "abc", HUGE_DIGITS, "9" * 150, ""])
    return xlsx_parts(sheet_xml(extra_cells=f'<c r="G2"><v>{value}</v></c>'))


def _bad_date(rng: random.Random) -> dict[str, bytes]:
    value = rng.choice(["1e10", "-5", "99999999", "abc", "nan", "2958466"])
    return xlsx_parts(sheet_xml(extra_cells=f'<c r="G2" s="1"><v>{value}</v></c>'))


def _bad_zlib(rng: random.Random, _data: bytes) -> bytes:
    """Garble the compressed bytes of one part (a zlib error when it is read)."""
    data = bytearray(zipped(xlsx_parts()))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = rng.choice(archive.infolist())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for _ in range(rng.randint(1, 4)):
        data[start + rng.randrange(max(1, info.compress_size))] ^= 1 << rng.randrange(8)
    return bytes(data)


def _drop_part(rng: random.Random) -> dict[str, bytes]:
    parts = xlsx_parts()
    del parts[rng.choice(sorted(parts))]
    return parts


def _garble_part(rng: random.Random) -> dict[str, bytes]:
    parts = xlsx_parts()
    name = rng.choice(sorted(parts))
    parts[name] = truncate(rng, parts[name])
    return parts


XLSX_FAULTS: dict[str, Fault] = {
    "dimension": _xlsx(
        lambda r: xlsx_parts(sheet_xml(dimension=r.choice(["A1:XFD1048576", "A1:ZZ99999", "x"])))
    ),
    "far-cell": _xlsx(_sheet_with('<c r="XFD2" t="inlineStr"><is><t>far</t></is></c>')),
    "far-row": _xlsx(
        lambda r: xlsx_parts(
            sheet_xml().replace(
                "</sheetData>", '<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData>'
            )
        )
    ),
    "bad-shared": _xlsx(
        lambda r: _sheet_with(
            f'<c r="G2" t="s"><v>{r.choice([*BAD_INDEXES, str(r.randint(1, 9**9))])}</v></c>'
        )(r)
    ),
    "number": _xlsx(_bad_number),
    "date": _xlsx(_bad_date),
    "long-text": _xlsx(_sheet_with(f'<c r="G2" t="inlineStr"><is><t>{"x" * 40_000}</t></is></c>')),
    "bool": _xlsx(_sheet_with('<c r="G2" t="b"><v>maybe</v></c>')),
    "error-cell": _xlsx(_sheet_with('<c r="G2" t="e"><v>#DIV/0!</v></c>')),
    "chart": _xlsx(lambda r: xlsx_parts(chart=True)),
    "bad-zlib": _bad_zlib,
    "drop-part": _xlsx(_drop_part),
    "garble-part": _xlsx(_garble_part),
    "bad-ref": _xlsx(_sheet_with('<c r="!!"><v>1</v></c>')),
}

FORMATS: dict[str, tuple[str, Callable[[], bytes], dict[str, Fault]]] = {
    "csv": (".csv", lambda: csv_text().encode(), CSV_FAULTS),
    "geojson": (".geojson", lambda: geojson_text().encode(), GEOJSON_FAULTS),
    "osm": (".osm", lambda: osm_text().encode(), OSM_FAULTS),
    "xlsx": (".xlsx", lambda: zipped(xlsx_parts()), XLSX_FAULTS),
}


def cases(seed: int, count: int) -> Iterator[Case]:
    """``count`` malformed files, the same for the same seed: formats in turn, one or two
    faults each (a format's own, then sometimes a byte-level one on top)."""
    rng = random.Random(seed)
    names = sorted(FORMATS)
    for number in range(count):
        fmt = names[number % len(names)]
        _suffix, valid, own = FORMATS[fmt]
        data = valid()
        faults: list[str] = []
        pick = rng.random()
        if pick < 0.7:
            name = rng.choice(sorted(own))
            data = own[name](rng, data)
            faults.append(name)
        if pick >= 0.5 or not faults:
            name = rng.choice(sorted(BYTE_FAULTS))
            data = BYTE_FAULTS[name](rng, data) or b" "
            faults.append(name)
        yield Case(number, fmt, tuple(faults), data)
