"""Benchmark ``cctvscope demo``: wall, CPU and peak RSS per pipeline stage.

    PYTHONPATH=src .venv/bin/python benchmarks/demo.py                  # demo + baseline
    PYTHONPATH=src .venv/bin/python benchmarks/demo.py --skip-baseline  # the demo only

Runs what ``cctvscope demo`` runs (``build_demo`` then ``run_pipeline`` with the
reporting writers, the worked example on) in this process, on a fresh SQLite store
in a temporary folder. The stages are the pipeline's own progress messages, timed
by :class:`~cctvscope.workflows.stages.StageClock`; the coverage process times its
own stages and hands them back. Columns: wall seconds, CPU seconds of the process
that ran the stage, and that process's resident high-water mark when the stage
ended (``ru_maxrss``: it never goes down). Main-process stages overlap the coverage
process in time, so stage walls do not add up to the total; CPU seconds do.

In-run baseline (unless ``--skip-baseline``), on the same estate after the demo:
the methods the demo no longer runs by default, each timed alone in this process —
joint public/private coverage by vector unions of view wedges
(:func:`~cctvscope.coverage.joint.joint_coverage`), and coverage with per-camera
visibility polygons and the ``coverage.gpkg`` that holds them
(``cctvscope demo --visibility-polygons``).

The last line printed is the JSON of every row (for a results file).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from cctvscope.workflows.stages import StageClock, StageTime, peak_rss_mib


def _cpu_children_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_demo(out: Path) -> tuple[list[StageTime], float, float, float, object]:
    """The demo's stages, total wall, main CPU, children CPU, and the pipeline result."""
    from cctvscope.reporting.outputs import WRITERS
    from cctvscope.store import init_store
    from cctvscope.workflows import build_demo
    from cctvscope.workflows.pipeline import run_pipeline

    clock = StageClock("main")
    wall0, cpu0, child0 = time.perf_counter(), time.process_time(), _cpu_children_s()
    clock("Opening the store")
    engine = init_store(f"sqlite:///{out / 'store.db'}")
    demo = build_demo(engine, on_step=clock)
    run = run_pipeline(
        engine,
        demo.estate,
        out / "out",
        WRITERS,
        worked_example=True,
        summary=demo.summary,
        on_step=clock,
    )
    stages = [*clock.finish(), *run.coverage_stages]
    wall = time.perf_counter() - wall0
    return stages, wall, time.process_time() - cpu0, _cpu_children_s() - child0, run


def _timed(process: str, name: str, work: Callable[[], object]) -> StageTime:
    wall0, cpu0 = time.perf_counter(), time.process_time()
    work()
    return StageTime(
        process, name, time.perf_counter() - wall0, time.process_time() - cpu0, peak_rss_mib()
    )


def run_baseline(run: object, out: Path) -> list[StageTime]:
    """The methods the demo replaced, timed alone on the demo's estate."""
    from cctvscope.coverage.engine import CoverageOptions
    from cctvscope.coverage.joint import joint_coverage
    from cctvscope.ingest.london import read_lsoa_crime
    from cctvscope.reporting.coverage import write_coverage_files
    from cctvscope.workflows.coverage import run_coverage
    from cctvscope.workflows.evidence import JOINT_LEVELS
    from cctvscope.workflows.pipeline import PipelineResult

    assert isinstance(run, PipelineResult)
    estate = run.assessment.estate
    usable = float(run.assessment.guide.assumptions.value("coverage.usable_range_m"))
    crime = read_lsoa_crime()
    rows = [
        _timed(
            "baseline",
            "Joint coverage by vector unions",
            lambda: joint_coverage(
                estate.cameras, estate.boroughs, crime, JOINT_LEVELS, usable_range_m=usable
            ),
        )
    ]
    held: dict[str, object] = {}

    def cover() -> None:
        held["result"] = run_coverage(
            estate, CoverageOptions(polygons=True), region=run.assessment.region
        )

    rows.append(_timed("baseline", "Coverage with visibility polygons", cover))
    result = held["result"]

    def write() -> None:
        write_coverage_files(result, estate.cameras, out / "baseline")  # type: ignore[arg-type]

    rows.append(_timed("baseline", "Writing coverage.gpkg with visibility polygons", write))
    return rows


def _table(stages: list[StageTime], totals: dict[str, float]) -> Table:
    table = Table(title="cctvscope demo: per stage")
    for column in ("process", "stage", "wall s", "CPU s", "peak RSS MiB"):
        table.add_column(column, justify="left" if column in ("process", "stage") else "right")
    for s in stages:
        table.add_row(
            s.process, s.name, f"{s.wall_s:.1f}", f"{s.cpu_s:.1f}", f"{s.peak_rss_mib:,.0f}"
        )
    table.add_section()
    table.add_row(
        "total",
        "demo (main + coverage process)",
        f"{totals['wall_s']:.1f}",
        f"{totals['cpu_main_s'] + totals['cpu_children_s']:.1f}",
        f"{totals['peak_rss_main_mib'] + totals['peak_rss_children_mib']:,.0f}",
    )
    return table


def main() -> None:
    # benchmarks/coverage.py would shadow the coverage package numba looks for.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-baseline", action="store_true", help="time the demo only")
    parser.add_argument("--out", type=Path, help="keep the outputs here (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        stages, wall, cpu_main, cpu_children, run = run_demo(out)
        totals = {
            "wall_s": wall,
            "cpu_main_s": cpu_main,
            "cpu_children_s": cpu_children,
            "peak_rss_main_mib": peak_rss_mib(),
            "peak_rss_children_mib": peak_rss_mib(resource.RUSAGE_CHILDREN),
        }
        baseline = [] if args.skip_baseline else run_baseline(run, out)
    console = Console()
    console.print(_table(stages + baseline, totals))
    console.print(
        f"demo: {wall:.1f} s wall, {cpu_main:.1f} CPU-s main + {cpu_children:.1f} CPU-s "
        f"children; peak RSS main {totals['peak_rss_main_mib']:,.0f} MiB (before the baseline "
        f"rows), children "
        f"{totals['peak_rss_children_mib']:,.0f} MiB"
    )
    rows = [s.__dict__ for s in stages + baseline]
    print(json.dumps({"totals": totals, "stages": rows}))


if __name__ == "__main__":
    main()
