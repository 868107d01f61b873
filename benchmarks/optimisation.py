"""Benchmark: cctvscope's facility-location core against a minimal HiGHS-direct model.

For instances of growing size (Holmberg-style single-source capacitated facility
location: random points in a square, costs proportional to distance, tight
capacities) it solves each instance twice, once through
``cctvscope.optimisation.facility.solve_facility`` (check → build → solve →
extract) and once with a minimal model written here with highspy directly (same
formulation, no cctvscope code), and prints both objectives and times and the
time ratio. Results go to ``benchmarks/results/optimisation.json``.

    .venv/bin/python benchmarks/optimisation.py               # default set (< ~5 min)
    .venv/bin/python benchmarks/optimisation.py --sizes 30x200 --seeds 1 2 3 --only-cctvscope
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import highspy
import numpy as np

from cctvscope.optimisation.facility import FacilityProblem
from cctvscope.optimisation.facility_solve import solve_facility
from cctvscope.optimisation.solve import SolveOptions, new_highs

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


def solve_direct(problem: FacilityProblem, options: SolveOptions) -> tuple[float, float, str]:
    """Minimal HiGHS model of the same formulation; returns (objective, seconds, status)."""
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
    start = time.perf_counter()
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
    seconds = time.perf_counter() - start
    status = h.modelStatusToString(h.getModelStatus())
    return float(h.getInfo().objective_function_value), seconds, status


DEFAULT_SET: tuple[tuple[str, int, int, float], ...] = (
    ("10x50", 10, 50, 2.5),
    ("20x100", 20, 100, 2.5),
    ("30x200", 30, 200, 3.0),
    ("30x200-tight", 30, 200, 1.6),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", help="e.g. 30x200 or 30x200@1.6 (n x m @ ratio)")
    parser.add_argument("--seeds", nargs="*", type=int, default=[1])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--heuristic-effort", type=float, default=None)
    parser.add_argument("--presolve", default="choose", choices=["on", "off", "choose"])
    parser.add_argument("--uniform-capacity", action="store_true")
    parser.add_argument("--only-cctvscope", action="store_true")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()

    cases = list(DEFAULT_SET)
    if args.sizes:
        cases = []
        for spec in args.sizes:
            dims, _, ratio = spec.partition("@")
            n, m = (int(v) for v in dims.split("x"))
            cases.append((spec, n, m, float(ratio) if ratio else 2.5))
    options = SolveOptions(
        time_limit_s=args.time_limit,
        threads=args.threads,
        presolve=args.presolve,
        mip_heuristic_effort=args.heuristic_effort,
    )
    rows: list[dict[str, object]] = []
    header = (
        f"{'instance':<18}{'seed':>5}{'cctv obj':>12}{'status':>12}{'cctv s':>9}"
        f"{'direct obj':>12}{'direct s':>10}{'ratio':>7}"
    )
    print(header)
    for name, n, m, ratio in cases:
        for seed in args.seeds:
            problem = holmberg_like(n, m, ratio=ratio, seed=seed,
                                    uniform_capacity=args.uniform_capacity)  # fmt: skip
            t0 = time.perf_counter()
            sol = solve_facility(problem, options)
            ours = time.perf_counter() - t0
            row: dict[str, object] = {
                "instance": name, "n": n, "m": m, "ratio": ratio, "seed": seed,
                "cctvscope_objective": sol.objective, "cctvscope_status": sol.status,
                "cctvscope_seconds": ours, "cctvscope_solver_seconds": sol.outcome.seconds,
                "gap": sol.outcome.gap, "nodes": sol.outcome.nodes,
            }  # fmt: skip
            direct_text = ""
            if not args.only_cctvscope:
                obj, secs, status = solve_direct(problem, options)
                row.update(direct_objective=obj, direct_seconds=secs, direct_status=status,
                           ratio_time=ours / secs if secs > 0 else None)  # fmt: skip
                direct_text = f"{obj:>12.0f}{secs:>10.2f}{ours / secs:>7.2f}"
            rows.append(row)
            print(
                f"{name:<18}{seed:>5}{sol.objective:>12.0f}{sol.status:>12}{ours:>9.2f}"
                + direct_text,
                flush=True,
            )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "solver": sol.outcome.solver,
        "threads": args.threads,
        "machine": platform.platform(),
        "python": platform.python_version(),
    }
    args.json.write_text(json.dumps({"meta": meta, "results": rows}, indent=2) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
