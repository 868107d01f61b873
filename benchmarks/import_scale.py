"""Time and peak memory of `cctvscope import cameras` by file size, against a baseline.

    .venv/bin/python benchmarks/import_scale.py [--rows 10000 100000 1000000]

Each size runs in a fresh process (so its peak RSS is its own): the full import (read,
validate, plan, save a version into a new SQLite store) and, as the baseline in the
same run, pandas reading the same CSV. Each prints wall and CPU seconds (the machine
may be shared: CPU seconds and the ratio to the baseline say more than wall time),
peak RSS and peak RSS per row. The goal: a million valid rows in at most 1 GiB. A size
over the import's row limit is refused with a finding (exit 2); the table says so.
Prints a table; tests never assert on it.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from fresh_process import child_json

#: A square of central London in WGS84 where every camera lands in a borough [°].
LON_DEG = (-0.16, -0.06)
LAT_DEG = (51.49, 51.53)


def write_cameras(path: Path, rows: int, seed: int = 7) -> None:
    """A valid camera CSV of ``rows`` rows (id, lon, lat, hfov, heading, height)."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(*LON_DEG, rows)
    lat = rng.uniform(*LAT_DEG, rows)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,lon,lat,hfov_deg,heading_deg,mount_height_m\n")
        for i in range(rows):
            handle.write(f"B{i:07d},{lon[i]:.6f},{lat[i]:.6f},60,{i % 360},6\n")


def _child(kind: str, path: str, store: str) -> None:
    """One measurement in this process; prints JSON (seconds, peak RSS, exit code)."""
    # benchmarks/coverage.py would shadow the coverage package numba looks for.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    start = time.perf_counter()
    cpu_start = time.process_time()
    code = 0
    if kind == "pandas":
        import pandas as pd

        pd.read_csv(path)
    else:
        from typer.testing import CliRunner

        from cctvscope.cli.main import app

        args = ["import", "cameras", path, "--estate", "scale", "--database-url", store]
        code = CliRunner().invoke(app, args).exit_code
    seconds = time.perf_counter() - start
    cpu_s = time.process_time() - cpu_start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(json.dumps({"seconds": seconds, "cpu_s": cpu_s, "peak_mib": peak_mib, "exit": code}))


def measure(kind: str, path: Path, store: str) -> dict[str, float]:
    return child_json(__file__, "--child", kind, str(path), store)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    header = (
        f"{'rows':>10} {'import s':>9} {'CPU s':>7} {'peak MiB':>9} {'KiB/row':>8} "
        f"{'exit':>5} {'pandas s':>9} {'CPU s':>7} {'peak MiB':>9} {'CPU ratio':>10}"
    )
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            csv = Path(tmp) / f"cameras_{rows}.csv"
            write_cameras(csv, rows)
            store = f"sqlite:///{Path(tmp) / f'store_{rows}.db'}"
            imp = measure("import", csv, store)
            base = measure("pandas", csv, store)
            ratio = imp["cpu_s"] / base["cpu_s"]
            note = "  (over the row limit: refused with a finding)" if imp["exit"] == 2 else ""
            print(f"{rows:>10,} {imp['seconds']:>9.1f} {imp['cpu_s']:>7.1f} "
                  f"{imp['peak_mib']:>9.0f} {imp['peak_mib'] * 1024 / rows:>8.2f} "
                  f"{int(imp['exit']):>5} {base['seconds']:>9.2f} {base['cpu_s']:>7.2f} "
                  f"{base['peak_mib']:>9.0f} {ratio:>9.0f}x{note}", flush=True)  # fmt: skip
            csv.unlink()


if __name__ == "__main__":
    main()
