"""Start-up time of the command line: ``cctvscope --help`` and two commands' ``--help``.

    .venv/bin/python benchmarks/startup.py [--repeats 9] [--src src]

Each command runs as the console script does (``cctvscope.cli.main.run``) in a fresh
process, ``--repeats`` times; the table gives the median wall time, the median CPU time
(user + system, from ``wait4``) and the largest peak RSS. The baseline, in the same run,
is ``python -c "import typer, rich"``: what any Typer + Rich command line pays before
it does anything. ``--src`` measures another checkout's source tree (e.g. the one before
issue 18) with the same interpreter. Prints a table; tests never assert on it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

#: The console script, as ``cctvscope`` runs it (argv[0] set for the usage line).
ENTRY = "import sys; sys.argv[0] = 'cctvscope'; from cctvscope.cli.main import run; run()"
BASELINE = "import typer, rich"

COMMANDS: dict[str, list[str]] = {
    "python -c 'import typer, rich'": ["-c", BASELINE],
    "cctvscope --help": ["-c", ENTRY, "--help"],
    "cctvscope import --help": ["-c", ENTRY, "import", "--help"],
    "cctvscope solve-sscflp --help": ["-c", ENTRY, "solve-sscflp", "--help"],
}


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """One fresh process: wall seconds, CPU seconds (user + system), peak RSS [MiB]."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = ""
    if child.stderr is not None:
        stderr = child.stderr.read().decode()
        child.stderr.close()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({child.returncode}): {stderr}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux: KiB


def measure(args: list[str], env: dict[str, str], repeats: int) -> dict[str, float]:
    runs = [run_once(args, env) for _ in range(repeats)]
    return {
        "wall_s": statistics.median(r[0] for r in runs),
        "cpu_s": statistics.median(r[1] for r in runs),
        "peak_mib": max(r[2] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument(
        "--src",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "src",
        help="Source tree to measure (default: this checkout's src).",
    )
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.src.resolve())}
    # Warm the file cache so the first measured run is not a cold disk read.
    run_once(COMMANDS["cctvscope --help"], env)
    results = {name: measure(cmd, env, args.repeats) for name, cmd in COMMANDS.items()}
    base = results["python -c 'import typer, rich'"]
    print(f"source: {args.src}; median of {args.repeats} fresh processes each")
    print(f"{'command':<32} {'wall s':>7} {'CPU s':>7} {'peak MiB':>9} "
          f"{'wall ×':>7} {'CPU ×':>7}")  # fmt: skip
    for name, r in results.items():
        print(f"{name:<32} {r['wall_s']:>7.3f} {r['cpu_s']:>7.3f} {r['peak_mib']:>9.0f} "
              f"{r['wall_s'] / base['wall_s']:>7.1f} "
              f"{r['cpu_s'] / base['cpu_s']:>7.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
