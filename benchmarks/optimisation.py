"""Benchmark: cctvscope's SSCFLP solver against plain HiGHS on the same formulation.

Each instance is solved twice: through
``cctvscope.optimisation.facility_solve.solve_facility`` (Lagrangian bound,
heuristic and fixings, then HiGHS on the reduced model) and with a minimal model
written here with highspy directly (the plain strong formulation, no cctvscope
code). The table gives the known optimum (from ``--optima`` when given, e.g.
published values), both objectives and statuses, both CPU times (process time,
HiGHS's threads included; wall time is in the JSON) and the CPU-time ratio
ours / plain: the measure that survives a shared machine. Results go to
``benchmarks/results/optimisation.json``.

Instances: the default set is generated (Holmberg-style: random points in a
square, costs ∝ distance, capacity ``ratio`` × demand; ``d-`` rows are tighter,
in the style of Delmaire et al.'s set). ``--files`` runs instance files in the
standard format instead (e.g. the published Holmberg or Yang sets), with
``--optima FILE`` holding ``name value`` lines of published optima.

    .venv/bin/python benchmarks/optimisation.py               # default set
    .venv/bin/python benchmarks/optimisation.py --sizes 30x200@1.6 --seeds 1 2 3
    .venv/bin/python benchmarks/optimisation.py --files data/p*.txt --optima data/optima.txt
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Iterator
from pathlib import Path

# benchmarks/coverage.py would shadow the coverage package Numba looks for.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import highspy  # noqa: E402
import numpy as np  # noqa: E402

from cctvscope.optimisation.facility import FacilityProblem  # noqa: E402
from cctvscope.optimisation.facility_solve import solve_facility  # noqa: E402
from cctvscope.optimisation.solve import SolveOptions, new_highs  # noqa: E402
from cctvscope.optimisation.sscflp_io import read_sscflp  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "optimisation.json"


def holmberg_like(
    n: int, m: int, *, ratio: float = 2.5, seed: int = 0, uniform_capacity: bool = False
) -> FacilityProblem:
    """A random SSCFLP instance in the style of Holmberg et al. (1999).

    Demands are integers in [10, 50]; total capacity is ``ratio`` × total demand
    (equal capacities if ``uniform_capacity``); fixed costs are integers in
    [300, 700] scaled by capacity; costs are 6 × Euclidean distance (rounded) in
    a 100 × 100 square.
    """
    rng = np.random.default_rng(seed)
    fac = rng.uniform(0, 100, (n, 2))
    cus = rng.uniform(0, 100, (m, 2))
    dist = np.sqrt(((cus[:, None, :] - fac[None, :, :]) ** 2).sum(axis=2))
    demands = rng.integers(10, 51, m).astype(float)
    share = np.ones(n) if uniform_capacity else rng.uniform(0.6, 1.4, n)
    capacities = np.round(share / share.sum() * ratio * demands.sum())
    fixed = np.round(rng.integers(300, 701, n) * capacities / capacities.mean())
    costs = np.round(6.0 * dist)
    return FacilityProblem(capacities=capacities, fixed_costs=fixed, demands=demands, costs=costs)


def solve_direct(
    problem: FacilityProblem, options: SolveOptions
) -> tuple[float, float, float, str]:
    """Minimal HiGHS model of the same formulation; (objective, wall s, CPU s, status)."""
    n, m = problem.n_facilities, problem.n_customers
    d, q = problem.demands, problem.capacities
    h = new_highs()
    h.setOptionValue("mip_rel_gap", options.mip_rel_gap)
    h.setOptionValue("mip_abs_gap", options.mip_abs_gap)
    h.setOptionValue("random_seed", options.random_seed)
    if options.threads is not None:
        h.setOptionValue("threads", options.threads)
    if options.time_limit_s is not None:
        h.setOptionValue("time_limit", options.time_limit_s)
    inf = highspy.kHighsInf
    nx = m * n
    start, cpu = time.perf_counter(), time.process_time()
    h.addVars(nx + n, np.zeros(nx + n), np.ones(nx + n))
    h.changeColsCost(nx + n, np.arange(nx + n, dtype=np.int32),
                     np.concatenate([problem.costs.ravel(), problem.fixed_costs]))  # fmt: skip
    h.changeColsIntegrality(nx + n, np.arange(nx + n, dtype=np.int32),
                            np.ones(nx + n, dtype=np.uint8))  # fmt: skip
    i_idx = np.arange(m)
    # Σ_j x_ij = 1
    h.addRows(m, np.ones(m), np.ones(m), nx, (i_idx * n).astype(np.int32),
              np.arange(nx, dtype=np.int32), np.ones(nx))  # fmt: skip
    # Σ_i d_i x_ij − Q_j y_j ≤ 0
    cap_idx = np.concatenate([np.arange(n)[:, None] + n * i_idx[None, :],
                              nx + np.arange(n)[:, None]], axis=1)  # fmt: skip
    cap_val = np.concatenate([np.tile(d, (n, 1)), -q[:, None]], axis=1)
    h.addRows(n, np.full(n, -inf), np.zeros(n), n * (m + 1),
              (np.arange(n) * (m + 1)).astype(np.int32),
              cap_idx.ravel().astype(np.int32), cap_val.ravel())  # fmt: skip
    # x_ij − y_j ≤ 0
    link_idx = np.stack([np.arange(nx), nx + np.tile(np.arange(n), m)], axis=1)
    h.addRows(nx, np.full(nx, -inf), np.zeros(nx), 2 * nx,
              (2 * np.arange(nx)).astype(np.int32), link_idx.ravel().astype(np.int32),
              np.tile([1.0, -1.0], nx))  # fmt: skip
    # Σ_j Q_j y_j ≥ Σ_i d_i
    h.addRow(float(d.sum()), inf, n, (nx + np.arange(n)).astype(np.int32), q)
    h.run()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    status = h.modelStatusToString(h.getModelStatus())
    return float(h.getInfo().objective_function_value), seconds, cpu, status


#: (name, n, m, capacity ratio): Holmberg-style sizes, then tighter Delmaire-style ones.
DEFAULT_SET: tuple[tuple[str, int, int, float], ...] = (
    ("10x50", 10, 50, 2.5),
    ("20x50", 20, 50, 2.0),
    ("10x100", 10, 100, 2.5),
    ("20x100", 20, 100, 2.5),
    ("30x150", 30, 150, 2.5),
    ("30x200", 30, 200, 3.0),
    ("d-20x40", 20, 40, 1.5),
    ("d-30x90", 30, 90, 1.6),
    ("30x200-tight", 30, 200, 1.6),
)


def _instances(args: argparse.Namespace) -> Iterator[tuple[str, int | None, FacilityProblem]]:
    if args.files:
        for path in args.files:
            yield path.stem, None, read_sscflp(path)
        return
    cases = list(DEFAULT_SET)
    if args.sizes:
        cases = []
        for spec in args.sizes:
            dims, _, ratio = spec.partition("@")
            n, m = (int(v) for v in dims.split("x"))
            cases.append((spec, n, m, float(ratio) if ratio else 2.5))
    for name, n, m, ratio in cases:
        for seed in args.seeds:
            problem = holmberg_like(n, m, ratio=ratio, seed=seed,
                                    uniform_capacity=args.uniform_capacity)  # fmt: skip
            yield name, seed, problem


def _read_optima(path: Path | None) -> dict[str, float]:
    if path is None:
        return {}
    pairs = (line.split() for line in path.read_text().splitlines() if line.strip())
    return {name: float(value) for name, value, *_ in pairs}


def _warm_up(options: SolveOptions) -> None:
    """Load the compiled kernels (Numba's cache) outside the timed runs."""
    solve_facility(holmberg_like(4, 12, seed=0), options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", help="e.g. 30x200 or 30x200@1.6 (n x m @ ratio)")
    parser.add_argument("--seeds", nargs="*", type=int, default=[1])
    parser.add_argument("--files", nargs="*", type=Path, help="instance files (standard format)")
    parser.add_argument("--optima", type=Path, help="lines 'name value' of known optima")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--heuristic-effort", type=float, default=None)
    parser.add_argument("--presolve", default="choose", choices=["on", "off", "choose"])
    parser.add_argument("--uniform-capacity", action="store_true")
    parser.add_argument("--only-cctvscope", action="store_true")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()

    options = SolveOptions(
        time_limit_s=args.time_limit,
        threads=args.threads,
        presolve=args.presolve,
        mip_heuristic_effort=args.heuristic_effort,
    )
    optima = _read_optima(args.optima)
    _warm_up(options)
    rows: list[dict[str, object]] = []
    print(
        f"{'instance':<16}{'seed':>5}{'known':>10}{'ours':>10}{'status':>11}{'plain':>10}"
        f"{'status':>11}{'plain cpu':>10}{'ours cpu':>10}{'ratio':>7}"
    )
    solver = ""
    for name, seed, problem in _instances(args):
        t0, c0 = time.perf_counter(), time.process_time()
        sol = solve_facility(problem, options)
        ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
        solver = sol.outcome.solver
        known = optima.get(name)
        row: dict[str, object] = {
            "instance": name, "n": problem.n_facilities, "m": problem.n_customers,
            "seed": seed, "known_optimum": known,
            "cctvscope_objective": sol.objective, "cctvscope_status": sol.status,
            "cctvscope_seconds": ours, "cctvscope_cpu_seconds": ours_cpu,
            "gap": sol.outcome.gap, "nodes": sol.outcome.nodes,
        }  # fmt: skip
        plain_text = ""
        if not args.only_cctvscope:
            obj, secs, cpu, status = solve_direct(problem, options)
            ratio = ours_cpu / cpu if cpu > 0 else float("nan")
            row.update(direct_objective=obj, direct_seconds=secs, direct_cpu_seconds=cpu,
                       direct_status=status, ratio_cpu=ratio)  # fmt: skip
            short = "optimal" if status == "Optimal" else status[:10]
            plain_text = f"{obj:>10.0f}{short:>11}{cpu:>10.2f}{ours_cpu:>10.2f}{ratio:>7.2f}"
        rows.append(row)
        known_text = f"{known:>10.0f}" if known is not None else f"{'-':>10}"
        print(
            f"{name:<16}{seed if seed is not None else '-':>5}{known_text}"
            f"{sol.objective:>10.0f}{sol.status:>11}" + plain_text,
            flush=True,
        )
    ratios = [float(r["ratio_cpu"]) for r in rows if "ratio_cpu" in r]  # type: ignore[arg-type]
    if ratios:
        gmean = float(np.exp(np.mean(np.log(ratios))))
        print(f"CPU-time ratio ours/plain: geometric mean {gmean:.2f}, worst {max(ratios):.2f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "solver": solver,
        "threads": args.threads,
        "machine": platform.platform(),
        "python": platform.python_version(),
    }
    args.json.write_text(json.dumps({"meta": meta, "results": rows}, indent=2) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
