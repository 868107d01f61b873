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
- ``before`` (with ``--before SRC``): the same command from another source tree, e.g.
  the checkout before the cache (it rebuilt the lookup on every call).

The machine is shared: CPU seconds and ratios to the baseline are the figures to
compare, wall is what a user waits. Prints a table; tests never assert on it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from startup import BASELINE, ENTRY, measure, run_once

#: A point in Camden seen by several cameras of the synthetic London estate (BNG, m).
POINT = ("530080", "181020")


def build_store(path: Path) -> None:
    """The demo-sized estate and its registrations in a SQLite store at ``path``."""
    from cctvscope.ingest.synthetic import build_london_estate
    from cctvscope.store import init_store, load_estate, save_estate
    from cctvscope.workflows.evidence import ensure_registrations

    engine = init_store(f"sqlite:///{path}")
    save_estate(engine, build_london_estate("london"))
    ensure_registrations(engine, load_estate(engine, "london"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="SQLite file (built if absent)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", type=Path, help="Another source tree to compare with.")
    args = parser.parse_args()
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    if not args.store.exists():
        sys.path.insert(0, str(src))
        build_store(args.store)
    url = f"sqlite:///{args.store.resolve()}"
    command = ["-c", ENTRY, "evidence", "cameras-at", "--estate", "london"]
    command += ["--x", POINT[0], "--y", POINT[1], "--database-url", url]
    rows: dict[str, dict[str, float]] = {}
    rows["python -c 'import typer, rich'"] = measure(["-c", BASELINE], env, args.repeats)
    if args.before is not None:
        old = {**os.environ, "PYTHONPATH": str(args.before.resolve())}
        rows[f"before ({args.before})"] = measure(command, old, args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
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


if __name__ == "__main__":
    main()
