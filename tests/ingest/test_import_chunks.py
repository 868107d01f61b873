"""Reading and validating in pieces gives what reading a file whole gives.

The reader turns rows into columns :data:`~cctvscope.ingest.sources.READ_CHUNK_ROWS`
at a time, repeated cells share one string, ids are keyed in pieces, and validated
cameras become a table in pieces: each is checked here against a second method (the
standard library, a dictionary of first uses, the same import with one piece), with
pieces of a few rows so that repeats straddle their boundaries.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cctvscope.ingest import camera_columns, cameras, locate, sources, values
from cctvscope.ingest.cameras import read_cameras_file
from cctvscope.ingest.london import read_borough_table
from cctvscope.ingest.sources import read_csv_text, text_lines
from cctvscope.ingest.values import first_use_rows, id_key, id_problem
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.entities import Camera
from cctvscope.model.frames import frame_to_records, records_to_frame
from cctvscope.store import init_store, load_estate
from cctvscope.workflows.imports import ImportRequest, import_file

BIG_BEN = (-0.124625, 51.500729)  # Westminster
MARE_ST = (-0.0553, 51.5450)  # Hackney


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every piece a few rows long (and few values shared), so that a 13-row file spans several."""
    monkeypatch.setattr(sources, "READ_CHUNK_ROWS", 4)
    monkeypatch.setattr(sources, "SHARED_VALUES", 2)
    monkeypatch.setattr(values, "KEY_CHUNK_ROWS", 3)
    monkeypatch.setattr(cameras, "CHUNK_ROWS", 5)
    monkeypatch.setattr(camera_columns, "SHARED_VALUES", 2)
    monkeypatch.setattr(locate, "POINT_CHUNK_ROWS", 3)


@given(st.text(alphabet='ab,"\r\n ', max_size=40))
def test_lines_are_those_of_stringio(text: str) -> None:
    assert list(text_lines(text)) == list(io.StringIO(text, newline=""))


def test_table_read_in_pieces_equals_one_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    lines = ["id,height,note,"]
    for i in range(23):
        note = rng.choice(["", "x", "y", '"a,b"', '"two\nlines"'])
        lines.append(f"C{i},{rng.choice([3, 4, 5, 6])},{note},")
        if i % 7 == 3:
            lines.append(",,,")  # a blank row: skipped, its number kept free
    text = "\n".join(lines) + "\n"
    whole = read_csv_text(text)
    monkeypatch.setattr(sources, "READ_CHUNK_ROWS", 4)
    monkeypatch.setattr(sources, "SHARED_VALUES", 2)
    pieces = read_csv_text(text)
    pd.testing.assert_frame_equal(pieces.frame, whole.frame)
    assert pieces.findings == whole.findings
    # By hand: 23 data rows of 3 columns (the unnamed empty one dropped); rows 5, 13 and
    # 21 were the blank ones, so the last data row is row 26.
    assert pieces.frame.shape == (23, 3)
    assert list(pieces.frame.columns) == ["id", "height", "note"]
    assert pieces.frame.index[-1] == 26
    assert (pieces.frame["note"] == "two\nlines").sum() == (text.count("two\nlines"))


def _first_uses_by_dictionary(ids: list[str], rows: list[int]) -> list[int]:
    """The first-use rows as the import used to find them: a dictionary of keys."""
    first: dict[str, int] = {}
    out = []
    for cid, row in zip(ids, rows, strict=True):
        if not cid or id_problem(cid):
            out.append(0)
        elif id_key(cid) in first:
            out.append(first[id_key(cid)])
        else:
            first[id_key(cid)] = row
            out.append(0)
    return out


@given(
    st.lists(
        st.sampled_from(["A1", "a1", "A\u200b1", "B2", "b2", "", "C<3", "Straße", "STRASSE"]),
        max_size=30,
    )
)
def test_first_uses_equal_a_dictionary_of_keys(ids: list[str]) -> None:
    rows = [2 * i + 1 for i in range(len(ids))]  # rows need not be consecutive
    values.KEY_CHUNK_ROWS, saved = 4, values.KEY_CHUNK_ROWS
    try:
        got = first_use_rows(ids, rows).tolist()
    finally:
        values.KEY_CHUNK_ROWS = saved
    assert got == _first_uses_by_dictionary(ids, rows)


#: 13 rows; with pieces of 5 (cameras) and 3 (keys) the repeats of rows 6, 8, 11 and 13
#: fall in another piece than their first use.
ROWS = [
    ("A1", BIG_BEN, "6"),
    ("A2", BIG_BEN, "6"),
    ("A3", MARE_ST, "6"),
    ("A4", BIG_BEN, "-1"),  # row 4: a bad height
    ("A5", MARE_ST, "6"),
    ("a1", BIG_BEN, "6"),  # row 6: A1 again, in other case
    ("A6", MARE_ST, "7"),
    ("A\u200b2", BIG_BEN, "6"),  # row 8: A2 with an invisible space
    ("", BIG_BEN, "6"),  # row 9: no id
    ("A<9", BIG_BEN, "6"),  # row 10: a character not allowed
    ("A4", MARE_ST, "6"),  # row 11: A4 again (its first row had an error)
    ("A7", MARE_ST, "5"),
    ("A3", BIG_BEN, "6"),  # row 13: A3 again
]


def _write(tmp_path: Path, rows: list[tuple[str, tuple[float, float], str]]) -> Path:
    path = tmp_path / "cams.csv"
    body = "".join(f"{cid},{lon},{lat},{h}\n" for cid, (lon, lat), h in rows)
    path.write_text("id,lon,lat,height\n" + body, encoding="utf-8")
    return path


def _read(path: Path):
    return read_cameras_file(path, boroughs=read_borough_table(), assumptions=read_assumptions())


def test_findings_across_pieces_are_those_of_one_piece(tmp_path, monkeypatch, small_pieces):
    path = _write(tmp_path, ROWS)
    pieces = _read(path)
    for module, name in ((sources, "READ_CHUNK_ROWS"), (values, "KEY_CHUNK_ROWS")):
        monkeypatch.setattr(module, name, 1_000)
    monkeypatch.setattr(sources, "SHARED_VALUES", 1_000)
    monkeypatch.setattr(cameras, "CHUNK_ROWS", 1_000)
    monkeypatch.setattr(camera_columns, "SHARED_VALUES", 1_000)
    monkeypatch.setattr(locate, "POINT_CHUNK_ROWS", 1_000)
    whole = _read(path)
    assert pieces.findings == whole.findings
    pd.testing.assert_frame_equal(pieces.cameras, whole.cameras)
    # By hand, from the rows above.
    dup = "duplicate id: first used on row "
    assert [(f.row, f.field, f.value, f.reason[:40]) for f in pieces.errors] == [
        (4, "mount_height_m", "-1", "out of range: mount_height_m must be > 0"),
        (6, "camera_id", "a1", dup + "1"),
        (8, "camera_id", "A2", dup + "2"),
        (9, "camera_id", "", "camera_id is required"),
        (10, "camera_id", "A<9", "characters not allowed in an id: '<'; us"),
        (11, "camera_id", "A4", dup + "4"),
        (13, "camera_id", "A3", dup + "3"),
    ]


def test_stored_version_is_the_same_in_pieces(tmp_path, monkeypatch, small_pieces):
    """The valid rows of ROWS stored in pieces and whole: equal tables, equal input hash."""
    valid = [r for i, r in enumerate(ROWS, start=1) if i in (1, 2, 3, 5, 7, 12)]
    path = _write(tmp_path, valid)
    engine = init_store(f"sqlite:///{tmp_path / 'pieces.db'}")
    pieces = import_file(engine, "e", ImportRequest("cameras", path))
    monkeypatch.setattr(sources, "READ_CHUNK_ROWS", 1_000)
    monkeypatch.setattr(values, "KEY_CHUNK_ROWS", 1_000)
    monkeypatch.setattr(cameras, "CHUNK_ROWS", 1_000)
    engine2 = init_store(f"sqlite:///{tmp_path / 'whole.db'}")
    whole = import_file(engine2, "e", ImportRequest("cameras", path))
    assert pieces.estate.input_hash() == whole.estate.input_hash()
    stored = load_estate(engine, "e").cameras
    pd.testing.assert_frame_equal(stored, load_estate(engine2, "e").cameras)
    assert stored["camera_id"].tolist() == ["A1", "A2", "A3", "A5", "A6", "A7"]
    assert stored["mount_height_m"].tolist() == [6.0, 6.0, 6.0, 6.0, 7.0, 5.0]


def test_table_in_pieces_is_the_records_converted_whole(tmp_path, small_pieces):
    """The table filled 5 rows at a time holds what converting every record at once gives,
    each repeated text one string."""
    valid = [r for i, r in enumerate(ROWS, start=1) if i in (1, 2, 3, 5, 7, 12)]
    got = _read(_write(tmp_path, valid)).cameras
    again = records_to_frame(Camera, frame_to_records(Camera, got))
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.drop(columns="geometry")), again, check_dtype=False
    )
    assert got["camera_id"].tolist() == ["A1", "A2", "A3", "A5", "A6", "A7"]
    # Every row's defaulted fields are the same list (no height defaulted: all given).
    lists = got["defaulted_fields"].tolist()
    assert len(set(lists)) == 1 and "mount_height_m" not in lists[0].split(";")
    assert len({id(v) for v in lists}) == 1  # one string, across the pieces of 5 rows
