"""End to end ``cctvscope evidence cameras-at`` on the demo-sized London estate: cached or not.

    .venv/bin/python benchmarks/police_search.py --store /tmp/bench/london.db [--repeats 5]
    .venv/bin/python benchmarks/police_search.py --store ... --before /path/to/old/src

The store is built on first use (the calibrated synthetic London estate, 28,094 cameras,
with its seeded registrations) and kept, so later runs measure only the command. Each
row is the command as the console script runs it, in a fresh process, ``--repeats``
times; the table gives median wall, median CPU (user + system) and the largest peak
RSS, and both as multiples of the in-run baseline ``python -c "import typer, rich"``:

- ``cold cache``: a new cache folder each run (load the estate, build, write the cache);
- ``warm cache``: the cache written by the first run, read by the rest;
- ``before, warm cache`` (with ``--before SRC``): the same warm command from another
  source tree (e.g. ``git archive`` of an older commit's ``src``), on its own cache
  folder written by one run first; a tree from before the cache rebuilds on every call.

The machine is shared: CPU seconds and ratios to the baseline are the figures to
compare, wall is what a user waits. Prints a table; tests never assert on it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from startup import BASELINE, ENTRY, measure, run_once

#: A point in Camden seen by several cameras of the synthetic London estate (BNG, m).
POINT = ("530080", "181020")


#: Builds the store in a child process: run as a script, this folder comes first on
#: ``sys.path`` and its ``coverage.py`` would shadow the package Numba imports.
BUILD = """
import sys
from cctvscope.ingest.synthetic import build_london_estate
from cctvscope.store import init_store, load_estate, save_estate
from cctvscope.workflows.evidence import ensure_registrations

engine = init_store(f"sqlite:///{sys.argv[1]}")
save_estate(engine, build_london_estate("london"))
ensure_registrations(engine, load_estate(engine, "london"))
"""


def build_store(path: Path, env: dict[str, str]) -> None:
    """The demo-sized estate and its registrations in a SQLite store at ``path``."""
    subprocess.run([sys.executable, "-c", BUILD, str(path)], env=env, check=True, cwd=path.parent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="SQLite file (built if absent)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", type=Path, help="Another source tree to compare with.")
    args = parser.parse_args()
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    if not args.store.exists():
        build_store(args.store.resolve(), env)
    url = f"sqlite:///{args.store.resolve()}"
    command = ["-c", ENTRY, "evidence", "cameras-at", "--estate", "london"]
    command += ["--x", POINT[0], "--y", POINT[1], "--database-url", url]
    rows: dict[str, dict[str, float]] = {}
    rows["python -c 'import typer, rich'"] = measure(["-c", BASELINE], env, args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        if args.before is not None:
            old = {**os.environ, "PYTHONPATH": str(args.before.resolve())}
            before = [*command, "--cache-dir", f"{tmp}/before"]
            run_once(before, old)  # writes its cache
            rows["cameras-at, before, warm cache"] = measure(before, old, args.repeats)
        cold = [run_once([*command, "--cache-dir", f"{tmp}/{k}"], env) for k in range(args.repeats)]
        rows["cameras-at, cold cache"] = {
            "wall_s": statistics.median(r[0] for r in cold),
            "cpu_s": statistics.median(r[1] for r in cold),
            "peak_mib": max(r[2] for r in cold),
        }
        rows["cameras-at, warm cache"] = measure(
            [*command, "--cache-dir", f"{tmp}/0"], env, args.repeats
        )
    base = rows["python -c 'import typer, rich'"]
    print(f"store: {args.store}; median of {args.repeats} fresh processes each")
    print(f"{'command':<40} {'wall s':>7} {'CPU s':>7} {'peak MiB':>9} {'wall ×':>7} {'CPU ×':>7}")
    for name, r in rows.items():
        print(f"{name:<40} {r['wall_s']:>7.2f} {r['cpu_s']:>7.2f} {r['peak_mib']:>9.0f} "
              f"{r['wall_s'] / base['wall_s']:>7.1f} "
              f"{r['cpu_s'] / base['cpu_s']:>7.1f}")  # fmt: skip
    if args.before is not None:
        now, then = rows["cameras-at, warm cache"], rows["cameras-at, before, warm cache"]
        print(f"warm cache, this tree / before: CPU {now['cpu_s'] / then['cpu_s']:.2f}, "
              f"wall {now['wall_s'] / then['wall_s']:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
