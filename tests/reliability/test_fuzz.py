"""Malformed files of all four formats through ``cctvscope import cameras``.

Each must end in findings and exit code 2 (or, when the fault left a valid file,
a clean import and exit 0): never a traceback, and a refused file leaves the store
exactly as it was. ``CCTVSCOPE_FUZZ_CASES`` sets the number of files (the full run
is 2,000 or more; the default keeps ``make test`` quick) and ``CCTVSCOPE_FUZZ_SEED``
the seed, so a failure is reproduced from the two numbers in its message.
"""

from __future__ import annotations

import os
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from cctvscope.cli.main import app
from cctvscope.ingest import london
from cctvscope.ingest.cameras import read_cameras_file
from cctvscope.ingest.limits import LIMIT_REASON
from cctvscope.model.assumptions import read_assumptions
from cctvscope.store import connect, store_snapshot
from tests.reliability.malformed import cases, csv_text, xfd_workbook

CASES_ENV = "CCTVSCOPE_FUZZ_CASES"
SEED_ENV = "CCTVSCOPE_FUZZ_SEED"
DEFAULT_CASES = 300
#: Peak memory allowed for reading the XFD1048576 workbook [bytes]; it used to pass 5 GB.
XFD_PEAK_BYTES = 200 * 1024 * 1024

runner = CliRunner()


@pytest.fixture(scope="module")
def fast_cli() -> Iterator[None]:
    """Build the click command once: typer rebuilds it on every invoke (0.1 s each)."""
    command = typer.main.get_command(app)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", lambda _app: command)
        yield


def _import(path: Path, url: str) -> typer.testing.Result:
    args = ["import", "cameras", str(path), "--estate", "fz", "--database-url", url]
    return runner.invoke(app, args)


def test_malformed_files_end_in_findings_never_a_traceback(tmp_path: Path, fast_cli: None) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    valid = tmp_path / "valid.csv"
    valid.write_text(csv_text(), encoding="utf-8")
    assert _import(valid, url).exit_code == 0
    engine = connect(url)
    count = int(os.environ.get(CASES_ENV, DEFAULT_CASES))
    seed = int(os.environ.get(SEED_ENV, "20261204"))
    codes: Counter[tuple[str, int]] = Counter()
    problems: list[str] = []
    for case in cases(seed, count):
        path = tmp_path / f"case-{case.number}{case.suffix}"
        path.write_bytes(case.data)
        before = store_snapshot(engine)
        result = _import(path, url)
        codes[(case.fmt, result.exit_code)] += 1
        where = f"seed {seed} case {case.label}"
        if result.exit_code not in (0, 2) or not isinstance(result.exception, SystemExit | None):
            problems.append(f"{where}: exit {result.exit_code}: {result.exception!r}")
        elif "Traceback" in result.output:
            problems.append(f"{where}: a traceback in the output")
        elif result.exit_code == 2 and store_snapshot(engine) != before:
            problems.append(f"{where}: refused, but the store changed")
        path.unlink()
    summary = ", ".join(f"{fmt} exit {code}: {n}" for (fmt, code), n in sorted(codes.items()))
    print(f"\n{count} malformed files (seed {seed}): {summary}; {len(problems)} crashes")
    assert not problems, "\n".join(problems[:20])
    assert sum(codes.values()) == count
    assert {fmt for fmt, _ in codes} == {"csv", "geojson", "osm", "xlsx"}
    assert sum(n for (_, code), n in codes.items() if code == 2) > count // 2


def test_the_xfd1048576_workbook_is_read_in_bounded_memory(tmp_path: Path) -> None:
    data = xfd_workbook()
    assert len(data) < 5_000  # the finding's workbook: 4.9 KB
    path = tmp_path / "xfd.xlsx"
    path.write_bytes(data)
    boroughs, assumptions = london.read_borough_table(), read_assumptions()
    tracemalloc.start()
    try:
        imported = read_cameras_file(path, boroughs=boroughs, assumptions=assumptions)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < XFD_PEAK_BYTES
    # The declared dimension is ignored: the sheet is read as it is, five cameras.
    assert not imported.errors
    assert list(imported.cameras["camera_id"]) == [f"FZ-00{i}" for i in range(1, 6)]


def test_a_cap_hit_is_a_finding_that_says_so(tmp_path: Path, fast_cli: None) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    deep = tmp_path / "deep.geojson"
    deep.write_text('{"type": "FeatureCollection", "features": ' + "[" * 5000 + "]" * 5000 + "}")
    result = _import(deep, url)
    assert result.exit_code == 2, result.output
    assert LIMIT_REASON in " ".join(result.output.split())
