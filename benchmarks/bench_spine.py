"""Benchmark the spine's hot paths against baselines measured in the same run.

    .venv/bin/python benchmarks/bench_spine.py [--rows 50000] [--repeat 3]

Prints a table (median seconds over repeats) and writes benchmarks/results/spine.json.
Baselines are the floor each step cannot beat:
- import validation vs pandas.read_csv + coordinate transform of the same file (parse only);
- store save/load (SQLite) vs writing/reading the same camera table as a GeoPackage.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from cctvscope.crs import wgs84_to_bng
from cctvscope.ingest.cameras import read_cameras_file
from cctvscope.ingest.london import read_borough_table
from cctvscope.ingest.synthetic import build_london_estate
from cctvscope.model.assumptions import read_assumptions
from cctvscope.store import init_store, load_estate, save_estate


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def write_inventory(path: Path, rows: int) -> None:
    """A council-style inventory (id, location text, lon, lat) inside inner London."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "id": [f"C{i:06d}" for i in range(rows)],
            "location text": "bench",
            "lon": rng.uniform(-0.15, -0.05, rows).round(6),
            "lat": rng.uniform(51.49, 51.53, rows).round(6),
        }
    )
    frame.to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    assumptions = read_assumptions()
    boroughs = read_borough_table()
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        csv = tmp / "inventory.csv"
        write_inventory(csv, args.rows)

        def parse_only() -> None:
            raw = pd.read_csv(csv)
            wgs84_to_bng(raw["lon"], raw["lat"])

        def validate() -> None:
            result = read_cameras_file(csv, boroughs=boroughs, assumptions=assumptions)
            assert not result.errors

        rows.append(
            {
                "step": f"import {args.rows:,} rows",
                "seconds": median_seconds(validate, args.repeat),
                "baseline": "read_csv + transform",
                "baseline_seconds": median_seconds(parse_only, args.repeat),
            }
        )

        estate = build_london_estate("bench")
        rows.append(
            {
                "step": f"build London estate ({len(estate.cameras):,} cameras)",
                "seconds": median_seconds(lambda: build_london_estate("bench"), args.repeat),
                "baseline": "-",
                "baseline_seconds": float("nan"),
            }
        )
        engine = init_store(f"sqlite:///{tmp / 'bench.db'}")
        gpkg = tmp / "cams.gpkg"

        def gpkg_write() -> None:
            estate.cameras.to_file(gpkg, layer="cameras", driver="GPKG", engine="pyogrio")

        rows.append(
            {
                "step": "save estate (SQLite)",
                "seconds": median_seconds(lambda: save_estate(engine, estate), args.repeat),
                "baseline": "GeoPackage write (cameras only)",
                "baseline_seconds": median_seconds(gpkg_write, args.repeat),
            }
        )
        rows.append(
            {
                "step": "load estate (SQLite)",
                "seconds": median_seconds(lambda: load_estate(engine, "bench"), args.repeat),
                "baseline": "GeoPackage read (cameras only)",
                "baseline_seconds": median_seconds(lambda: gpd.read_file(gpkg), args.repeat),
            }
        )
    table = pd.DataFrame(rows)
    table["ratio"] = table["seconds"] / table["baseline_seconds"]
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    out = Path(__file__).parent / "results" / "spine.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(table.to_json(orient="records", indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
