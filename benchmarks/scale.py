"""National scale: partitioned coverage on a Dask LocalCluster, by number of cameras.

    .venv/bin/python benchmarks/scale.py --cameras 10000 30000 100000 [--workers 2]
    .venv/bin/python benchmarks/scale.py --cameras 10000 100000 1000000 --work /data/scale

For each N, a synthetic national estate (``cctvscope bench-estate``: N cameras, 5 N
buildings, 100 cameras per 1 km tile) is written once under ``--work`` and kept; then,
in a fresh process, ``cover_partitioned`` runs it on a LocalCluster of ``--workers``
single-threaded worker processes with ``4 × workers`` tiles in flight. Printed per N:
tiles, wall, CPU (client and scheduler; all workers), peak RSS of the client process
(scheduler included) and of the largest worker (``ru_maxrss``, asked of each worker
before the cluster closes). The in-run baseline is the engine's own Dask path
(``plan_tiles`` + ``run_tiles``: every task built in the client, all submitted at
once), run for the sizes up to ``--baseline-max``. The fitted exponent is the slope of
log(wall) and of log(CPU) against log(N) over the sizes run: 1 is linear.

With ``--store DB --estate NAME`` it also runs ``coverage --estate NAME --executor dask``'s
path (``cover_stored_estate``: the stored estate's cameras streamed by tile into
partitions, its region's layers written per tile, the per-area summary reduced from the
tiles) and prints it as a ``stored`` row; with ``--local`` too, the in-process engine
on the same estate (``run_coverage``: the estate whole in the client) as ``stored, local``.
``--cell-m`` (default 1) sets the grid of these rows. The machine
is shared, so CPU seconds are the figure to compare. Prints a table; tests never
assert on it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import resource
import sys
import time
from pathlib import Path
from typing import Any

USABLE_M = 60.0
BUILDINGS_PER_CAMERA = 5


def _usage() -> tuple[float, float]:
    """This process's peak RSS [MiB] and CPU [s] (run on each worker)."""
    import resource as r

    u = r.getrusage(r.RUSAGE_SELF)
    return u.ru_maxrss / 1024, u.ru_utime + u.ru_stime


def _scenario(work: Path, n: int, seed: int) -> Path:
    from cctvscope.coverage.national import NationalScenario
    from cctvscope.workflows.national import write_scenario

    root = work / f"scenario-{n}-{seed}"
    if not (root / "estate.json").exists():
        write_scenario(NationalScenario(n, BUILDINGS_PER_CAMERA * n, seed=seed), root)
    return root


def _partitioned(root: Path, workers: int, out: Path) -> dict[str, float]:
    from cctvscope.workflows.national import PartitionedEstate, cover_partitioned, dask_executor

    estate = PartitionedEstate.open(root)
    start = time.perf_counter()
    with dask_executor(None, workers) as dask:
        result = cover_partitioned(
            estate, dask, out=out, usable_range_m=USABLE_M, max_in_flight=4 * workers
        )
        wall = time.perf_counter() - start
        per_worker = list(dask.client.run(_usage).values())
    return {"tiles": result.tiles_run, "wall_s": wall, **_worker_figures(per_worker)}


def _baseline(root: Path, workers: int) -> dict[str, float]:
    """The engine's path: the whole estate in the client, every tile task built there."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from cctvscope.coverage.engine import (
        CoverageInputs,
        CoverageOptions,
        camera_reach_m,
        cameras_in_buildings,
        plan_tiles,
    )
    from cctvscope.coverage.tiles import run_tiles
    from cctvscope.crs import BNG

    start = time.perf_counter()
    cams = pd.concat(
        [pd.read_parquet(p) for p in sorted((root / "cameras").iterdir())], ignore_index=True
    )
    blds = pd.concat([gpd.read_parquet(p) for p in sorted((root / "buildings").iterdir())])
    buildings = gpd.GeoSeries(blds.geometry.to_numpy(), crs=BNG)
    box = shapely.box(*buildings.total_bounds)
    inputs = CoverageInputs(
        lsoas=gpd.GeoDataFrame({"z": [0]}, geometry=[box], crs=BNG),
        boroughs=gpd.GeoDataFrame({"z": [0]}, geometry=[box], crs=BNG),
        crime_points=gpd.GeoSeries([], crs=BNG),
        buildings=buildings,
    )
    options = CoverageOptions(usable_range_m=USABLE_M, unions=False)
    wide, _ = camera_reach_m(cams, options.levels, USABLE_M)
    tasks, _halo = plan_tiles(cams, wide, inputs, options, cameras_in_buildings(cams, buildings))
    # run_tiles starts its own LocalCluster; its workers are gone before they can be asked.
    results = run_tiles(tasks, executor="dask", n_workers=workers)
    return {"tiles": len(results), "wall_s": time.perf_counter() - start}


def _stored(db: str, name: str, workers: int, out: Path, cell_m: float) -> dict[str, float]:
    """``coverage --estate NAME --executor dask``'s path on a stored estate."""
    from cctvscope.coverage.engine import CoverageOptions
    from cctvscope.store import init_store
    from cctvscope.workflows.national import dask_executor
    from cctvscope.workflows.national_store import cover_stored_estate

    engine = init_store(f"sqlite:///{db}")
    start = time.perf_counter()
    with dask_executor(None, workers) as dask:
        result = cover_stored_estate(
            engine, name, out, dask, options=CoverageOptions(cell_m=cell_m),
            max_in_flight=4 * workers,
        )  # fmt: skip
        wall = time.perf_counter() - start
        per_worker = list(dask.client.run(_usage).values())
    figures = {"tiles": result.coverage.tiles_run, "wall_s": wall, "n": result.coverage.cameras}
    return figures | _worker_figures(per_worker)


def _stored_local(db: str, name: str, cell_m: float) -> dict[str, float]:
    """``coverage --estate NAME`` (in process): the estate whole in the client."""
    from cctvscope.coverage.engine import CoverageOptions
    from cctvscope.store import init_store, load_estate
    from cctvscope.workflows.coverage import run_coverage
    from cctvscope.workflows.region_inputs import region_inputs

    engine = init_store(f"sqlite:///{db}")
    start = time.perf_counter()
    estate = load_estate(engine, name)
    options = CoverageOptions(cell_m=cell_m, unions=False)
    result = run_coverage(estate, options, region=region_inputs(engine, estate))
    return {
        "tiles": result.n_tiles,
        "wall_s": time.perf_counter() - start,
        "n": len(estate.cameras),
    }


def _worker_figures(per_worker: list[tuple[float, float]]) -> dict[str, float]:
    return {
        "worker_peak_mib": max(p for p, _c in per_worker),
        "worker_cpu_s": sum(c for _p, c in per_worker),
    }


def _child(mode: str, root: str, workers: int, out: str) -> None:
    if mode.startswith("stored"):  # root: "DB|NAME|CELL_M"
        db, name, cell = root.split("|")
        figures = (
            _stored(db, name, workers, Path(out), float(cell))
            if mode == "stored"
            else _stored_local(db, name, float(cell))
        )
    elif mode == "partitioned":
        figures = _partitioned(Path(root), workers, Path(out))
    else:
        figures = _baseline(Path(root), workers)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    figures |= {
        "client_peak_mib": usage.ru_maxrss / 1024,
        "client_cpu_s": usage.ru_utime + usage.ru_stime,
    }
    print(json.dumps(figures))


def _keep(kept: Path, path: str, n: int, figures: dict[str, float]) -> None:
    row = {"path": path, "cameras": n, **figures}
    print(json.dumps(row), flush=True)
    with kept.open("a") as handle:
        handle.write(json.dumps(row) + "\n")


def _fresh_process(here: Path) -> Any:
    """benchmarks/fresh_process.py, loaded by path: the benchmarks folder stays off sys.path
    (its coverage.py would shadow the package numba imports), and the workers re-import
    this file, which must not need it."""
    spec = importlib.util.spec_from_file_location("fresh_process", here / "fresh_process.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _slope(xs: list[float], ys: list[float]) -> float:
    if len(xs) < 2:
        return math.nan
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    den = sum((a - mx) ** 2 for a in lx)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / den


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cameras", type=int, nargs="*", default=[10_000, 30_000, 100_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/cctvscope-scale"))
    parser.add_argument("--baseline-max", type=int, default=30_000)
    parser.add_argument("--store", type=Path, help="SQLite store holding --estate")
    parser.add_argument("--estate", help="A stored estate: coverage --executor dask's path")
    parser.add_argument("--local", action="store_true", help="and the in-process engine on it")
    parser.add_argument("--cell-m", type=float, default=1.0, help="grid of the stored rows")
    parser.add_argument("--child", nargs=4, metavar=("MODE", "ROOT", "WORKERS", "OUT"))
    args = parser.parse_args()
    # benchmarks/coverage.py would shadow the coverage package numba looks for.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    if args.child:
        mode, root, workers, out = args.child
        _child(mode, root, int(workers), out)
        return
    child_json = _fresh_process(here).child_json
    args.work.mkdir(parents=True, exist_ok=True)
    # Every size measured is kept in WORK/results-W.jsonl, so sizes run on different days
    # (1M takes most of an hour on two workers) make one table and one fit.
    kept = args.work / f"results-{args.workers}.jsonl"
    if args.store is not None and args.estate is not None:
        spec = f"{args.store.resolve()}|{args.estate}|{args.cell_m:g}"
        modes = ["stored", "stored, local"] if args.local else ["stored"]
        for mode in modes:
            out = args.work / f"out-stored-{time.time_ns()}"
            got = child_json(__file__, "--child", mode, spec, str(args.workers), str(out))
            _keep(kept, f"{mode} {args.cell_m:g} m", int(got.pop("n")), got)
    for n in args.cameras:
        root = _scenario(args.work, n, args.seed)
        out = args.work / f"out-{n}-{time.time_ns()}"
        got = child_json(__file__, "--child", "partitioned", str(root), str(args.workers), str(out))
        _keep(kept, "partitioned", n, got)
        if n <= args.baseline_max:
            base = child_json(__file__, "--child", "baseline", str(root), str(args.workers), "-")
            _keep(kept, "engine (baseline)", n, base)
    rows = [json.loads(line) for line in kept.read_text().splitlines()]
    rows = [
        (r["path"], r["cameras"], r) for r in sorted(rows, key=lambda r: (r["path"], r["cameras"]))
    ]
    print(f"\n{args.workers} workers; CPU = client + workers (partitioned), client only (baseline)")
    head = f"{'path':<22} {'cameras':>9} {'tiles':>6} {'wall s':>8} {'CPU s':>8} "
    print(head + f"{'client MiB':>11} {'worker MiB':>11}")
    for path, n, r in rows:
        cpu = r["client_cpu_s"] + r.get("worker_cpu_s", 0.0)
        worker = f"{r['worker_peak_mib']:>11.0f}" if "worker_peak_mib" in r else f"{'-':>11}"
        print(f"{path:<22} {n:>9,} {int(r['tiles']):>6} {r['wall_s']:>8.1f} {cpu:>8.1f} "
              f"{r['client_peak_mib']:>11.0f} {worker}")  # fmt: skip
    part = [(n, r) for p, n, r in rows if p == "partitioned"]
    if len(part) < 2:
        return
    ns = [float(n) for n, _r in part]
    wall = _slope(ns, [r["wall_s"] for _n, r in part])
    cpu = _slope(ns, [r["client_cpu_s"] + r["worker_cpu_s"] for _n, r in part])
    client = _slope(ns, [r["client_peak_mib"] for _n, r in part])
    print(f"fitted exponent over {len(ns)} sizes: wall {wall:.2f}, CPU {cpu:.2f}, "
          f"client peak RSS {client:.2f} (1 = linear, 0 = flat)")  # fmt: skip


if __name__ == "__main__":
    main()
