"""Every reader within its limits: each limit met gives a finding that names it."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from cctvscope.errors import Finding
from cctvscope.ingest import limits
from cctvscope.ingest.limits import LIMIT_REASON, cap_findings, is_limit_finding
from cctvscope.ingest.sources import RawTable, read_csv_text, read_source
from tests.reliability.malformed import (
    HUGE_DIGITS,
    csv_text,
    geojson_text,
    osm_text,
    sheet_xml,
    xlsx_parts,
    zipped,
)


def _read(tmp_path: Path, name: str, data: bytes | str) -> RawTable:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return read_source(path)


def _reasons(raw: RawTable) -> list[str]:
    return [f.reason for f in raw.findings if f.severity == "error"]


def test_the_row_limit_stops_a_csv_at_the_first_row_past_it(monkeypatch):
    monkeypatch.setattr("cctvscope.ingest.sources.MAX_ROWS", 3)
    raw = read_csv_text(csv_text())
    assert raw.failed
    assert _reasons(raw) == ["over the limit of 3 rows: the file has more data rows"]
    assert not read_csv_text(csv_text()[: csv_text().index("FZ-004")]).failed


def test_a_header_wider_than_the_column_limit_is_refused():
    header = ",".join(f"c{i}" for i in range(limits.MAX_COLUMNS + 1))
    raw = read_csv_text(header + "\n" + "1," * 3 + "\n")
    assert _reasons(raw) == ["over the limit of 1,000 columns: the header has 1,001 columns"]


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("x" * 40_000, "over the limit of 32,767 characters: a cell of 40,000 characters"),
        (HUGE_DIGITS, "over the limit of 100 digits: a number of 5,000 characters"),
    ],
)
def test_a_cell_past_a_limit_is_an_error_on_its_row_and_column(cell, reason):
    text = csv_text().replace("Mare Street 2", cell)
    raw = read_csv_text(text)
    [finding] = raw.findings
    assert (finding.row, finding.field, finding.reason) == (2, "location text", reason)
    assert finding.value == cell[:80]


def test_a_gzip_file_is_unpacked_no_further_than_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr("cctvscope.ingest.sources.MAX_UNPACKED_BYTES", 1_000)
    raw = _read(tmp_path, "bomb.csv.gz", gzip.compress(csv_text().encode() + b" " * 5_000))
    assert _reasons(raw) == ["over the limit of 1,000 bytes: the gzip file unpacks to more"]
    cut = _read(tmp_path, "cut.csv.gz", gzip.compress(csv_text().encode())[:-12])
    assert _reasons(cut) == ["damaged gzip file: it is cut short"]


@pytest.mark.parametrize("depth", [65, 1_000, 50_000])
def test_json_nested_past_the_limit_is_refused_before_parsing(tmp_path, depth):
    nested = "[" * depth + "]" * depth
    raw = _read(tmp_path, "deep.geojson", geojson_text(props=f'{{"deep": {nested}}}'))
    [reason] = _reasons(raw)
    assert reason.startswith("over the limit of 64 levels: arrays/objects nest deeper")


def test_brackets_inside_json_strings_are_not_nesting(tmp_path):
    text = geojson_text(props='{"id": "FZ-1", "note": "' + "[{" * 100 + '\\" ]"}')
    assert not _read(tmp_path, "strings.geojson", text).failed


@pytest.mark.parametrize(
    ("coords", "reason"),
    [
        (f"[{HUGE_DIGITS}, 51.5]", "over the limit of 100 digits: a number of 5,000 characters"),
        (f"[0.{HUGE_DIGITS}, 51.5]", "over the limit of 100 digits: a number of 5,002 characters"),
    ],
)
def test_json_numbers_past_the_limit_are_refused_not_converted(tmp_path, coords, reason):
    raw = _read(tmp_path, "long.geojson", geojson_text(coords=coords))
    assert _reasons(raw) == [reason]


def test_json_nan_coordinates_are_an_error_on_their_feature(tmp_path):
    raw = _read(tmp_path, "nan.geojson", geojson_text(coords="[NaN, 51.5]"))
    [finding] = raw.findings
    assert (finding.row, finding.field, finding.reason) == (1, "coordinates", "not a finite number")


@pytest.mark.parametrize("encoding", ["x-no-such-codec", "utf-16", "utf-7"])
def test_osm_in_an_encoding_python_or_expat_cannot_read_is_a_finding(tmp_path, encoding):
    text = osm_text(declaration=f'<?xml version="1.0" encoding="{encoding}"?>')
    raw = _read(tmp_path, "odd.osm", text)
    assert raw.failed
    assert _reasons(raw)[0].startswith(("not readable OSM XML", "not valid OSM XML"))


def test_a_workbook_claiming_xfd1048576_is_read_as_it_is(tmp_path):
    raw = _read(tmp_path, "xfd.xlsx", zipped(xlsx_parts(sheet_xml(dimension="A1:XFD1048576"))))
    assert not raw.findings
    assert raw.frame.shape == (5, 6)


def test_a_workbook_value_past_the_column_limit_stops_the_reading(tmp_path):
    far = '<c r="XFD2" t="inlineStr"><is><t>far</t></is></c>'
    raw = _read(tmp_path, "far.xlsx", zipped(xlsx_parts(sheet_xml(extra_cells=far))))
    assert _reasons(raw) == ["over the limit of 1,000 columns: row 1 has a value in column 16,384"]


@pytest.mark.parametrize(
    ("cell", "start"),
    [
        ('<c r="G2" t="s"><v>7</v></c>', "not a readable .xlsx workbook: IndexError"),
        ('<c r="G2"><v>abc</v></c>', "not a readable .xlsx workbook: ValueError"),
        ('<c r="G2"><v>1,5</v></c>', "not a readable .xlsx workbook: ValueError"),
        (f'<c r="G2"><v>{HUGE_DIGITS}</v></c>', "over the limit of 100 digits"),
    ],
)
def test_a_workbook_cell_openpyxl_cannot_read_is_one_file_finding(tmp_path, cell, start):
    raw = _read(tmp_path, "bad.xlsx", zipped(xlsx_parts(sheet_xml(extra_cells=cell))))
    [reason] = _reasons(raw)
    assert reason.startswith(start)


def test_workbook_infinite_and_long_numbers_are_errors_on_their_cell(tmp_path):
    cells = '<c r="G2"><v>1e999</v></c><c r="H2"><v>1e150</v></c>'
    named = (
        '<c r="G1" t="inlineStr"><is><t>g</t></is></c><c r="H1" t="inlineStr"><is><t>h</t></is></c>'
    )
    header = sheet_xml(extra_cells=cells).replace(
        '</c></row><row r="2">', f'</c>{named}</row><row r="2">'
    )
    raw = _read(tmp_path, "nan.xlsx", zipped(xlsx_parts(header)))
    assert [(f.row, f.field, f.reason) for f in raw.findings] == [
        (1, "g", "not a finite number"),
        (1, "h", "over the limit of 100 digits: a number with more digits"),
    ]


def test_a_chart_sheet_is_not_a_table(tmp_path):
    raw = _read(tmp_path, "chart.xlsx", zipped(xlsx_parts(chart=True)))
    assert _reasons(raw) == ["sheet 'cameras' is a chart sheet, not a table"]


def test_a_workbook_part_declared_past_the_limit_is_not_unpacked(tmp_path, monkeypatch):
    monkeypatch.setattr("cctvscope.ingest.workbook.MAX_UNPACKED_BYTES", 100)
    raw = _read(tmp_path, "big.xlsx", zipped(xlsx_parts()))
    [reason] = _reasons(raw)
    assert reason.startswith("over the limit of 100 bytes: part ")


def test_findings_past_the_limit_are_counted_errors_first():
    warnings = [Finding("warning", i, None, None, "w") for i in range(5)]
    errors = [Finding("error", i, None, None, "e") for i in range(3)]
    capped = cap_findings([*warnings, *errors], limit=4)
    assert [f.severity for f in capped] == ["warning", "error", "error", "error", "warning"]
    assert capped[-1].reason == (
        f"{LIMIT_REASON} of 4 findings: 4 more not listed (fix the first ones and import again)"
    )
    assert not is_limit_finding(capped[-1])  # only warnings were left out
    assert is_limit_finding(cap_findings(errors, limit=2)[-1])
    assert cap_findings(errors, limit=3) == errors
