"""Peak memory and time of a web survey preview's first step on a small, row-heavy workbook.

    .venv/bin/python benchmarks/upload_bounds.py [--rows 20000 60000 327000]

A workbook of N rows of two short cells, the second in column ALL (the readers' 1,000th
and last column, so each row pads to 1,000 cells), stays far under the 5 MiB upload cap
(issue 16: 61 KB held 327,000 rows). Each size runs in a
fresh process so its peak RSS is its own. ``reader`` is what the preview did first (the
camera reader on the file: it pads every row to the widest and validates each);
``extent`` is the bound now checked first (web.upload_limits: a stream over the sheet
XML), which refuses the file before the reader runs when it is past the web limits.
The baseline in the same run is an empty Python process. Prints a table; no test
asserts on it.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.reliability.malformed import row_heavy_workbook  # the hand-built workbook


def _child(kind: str, path: str) -> None:
    start = time.perf_counter()
    detail = ""
    if kind == "reader":
        from cctvscope.ingest.cameras import read_cameras_file
        from cctvscope.ingest.london import read_borough_table
        from cctvscope.model.assumptions import read_assumptions

        result = read_cameras_file(
            path, boroughs=read_borough_table(), assumptions=read_assumptions()
        )
        detail = f"{len(result.findings):,} findings"
    elif kind == "extent":
        from cctvscope.web.upload_limits import extent_problem, upload_extent

        extent = upload_extent(Path(path).read_bytes(), ".xlsx", 20_000)
        problem = extent_problem(extent, 20_000, 1_000_000)
        detail = "refused (413)" if problem else f"{extent.rows:,} rows: read on"
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"s": time.perf_counter() - start, "mib": peak_mib, "detail": detail}))


def _run(kind: str, path: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[5_000, 20_000, 60_000])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    print(f"{'rows':>8} {'file KB':>8} {'step':>9} {'time s':>7} {'peak MiB':>9}  result")
    with tempfile.TemporaryDirectory() as folder:
        for rows in args.rows:
            path = Path(folder) / f"rows{rows}.xlsx"
            path.write_bytes(row_heavy_workbook(rows, "ALL"))
            kb = path.stat().st_size / 1024
            for kind in ("baseline", "extent", "reader"):
                r = _run(kind, path)
                timing = f"{r['s']:>7.2f} {r['mib']:>9.0f}"
                print(f"{rows:>8,} {kb:>8.1f} {kind:>9} {timing}  {r['detail']}")


if __name__ == "__main__":
    main()
