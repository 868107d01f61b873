"""The police lookup ("who saw this point") by size, against a plain STRtree baseline.

    .venv/bin/python benchmarks/lookup.py                  # 10k and 100k wedges
    .venv/bin/python benchmarks/lookup.py --million        # and 1M (about 2.5 GB, 30 s)
    .venv/bin/python benchmarks/lookup.py --wedges 10000 100000 1000000

Cameras are drawn at random (30 % PTZ, 40–90° fixed openings, 1280/1920/3840 px, capped
at 60 m) over a square sized so that camera density is the same at every size: 166,667
cameras (1,000,002 wedges at 6 levels) on 8 km × 8 km. Each size runs in a fresh process,
so its peak RSS is its own: ``CameraLookup.build`` (timed), then, in the same run, the
baseline: an STRtree built over the same polygon array (timed) and queried with
``STRtree.query(point, predicate="covered_by")`` alone. Both answer the same random
query points, one at a time (the police call); p50/p95 are per point. Prints a table;
tests never assert on it.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from fresh_process import child_json

#: Cameras per km² of the synthetic estate (166,667 cameras on 8 km × 8 km).
CAMERAS_PER_KM2 = 166_667 / 64.0
LEVELS = 6


def _child(wedges: int, queries: int, seed: int) -> None:
    """One size in this process; prints JSON (build and query times, peak RSS)."""
    # benchmarks/coverage.py would shadow the coverage package numba looks for.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    import numpy as np
    import pandas as pd
    import shapely
    from shapely import STRtree

    from cctvscope.coverage.lookup import CameraLookup

    n = -(-wedges // LEVELS)
    side_m = 1000.0 * (n / CAMERAS_PER_KM2) ** 0.5
    rng = np.random.default_rng(seed)
    cameras = pd.DataFrame(
        {
            "camera_id": [f"c{i:07d}" for i in range(n)],
            "x_m": rng.uniform(0, side_m, n),
            "y_m": rng.uniform(0, side_m, n),
            "heading_deg": rng.uniform(0, 360, n),
            "hfov_deg": rng.uniform(40, 90, n),
            "resolution_h_px": rng.choice([1280, 1920, 3840], n),
            "ptz": rng.random(n) < 0.3,
            "ptz_max_zoom": 1.0,
            "owner_type": "council",
            "operator": "a council",
        }
    )
    start = time.perf_counter()
    lookup = CameraLookup.build(cameras, usable_range_m=60.0)
    build_s = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    start = time.perf_counter()
    tree = STRtree(lookup.polygons)
    tree_build_s = time.perf_counter() - start
    points = rng.uniform(0, side_m, (queries, 2)).tolist()
    lookup.cameras_at(*points[0])  # first-call overheads, both methods
    tree.query(shapely.Point(*points[0]), predicate="covered_by")
    lookup_ms, tree_ms, hits = [], [], []
    for x, y in points:
        t0 = time.perf_counter()
        answer = lookup.cameras_at(x, y)
        t1 = time.perf_counter()
        tree.query(shapely.Point(x, y), predicate="covered_by")
        t2 = time.perf_counter()
        lookup_ms.append((t1 - t0) * 1e3)
        tree_ms.append((t2 - t1) * 1e3)
        hits.append(len(answer))
    q = np.quantile
    print(
        json.dumps(
            {
                "wedges": len(lookup),
                "cameras": n,
                "build_s": build_s,
                "peak_mib": peak_mib,
                "tree_build_s": tree_build_s,
                "p50_ms": float(q(lookup_ms, 0.5)),
                "p95_ms": float(q(lookup_ms, 0.95)),
                "tree_p50_ms": float(q(tree_ms, 0.5)),
                "tree_p95_ms": float(q(tree_ms, 0.95)),
                "hits": float(np.mean(hits)),
            }
        )
    )


def measure(wedges: int, queries: int, seed: int) -> dict[str, float]:
    return child_json(__file__, "--child", str(wedges), str(queries), str(seed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wedges", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="Add 1,000,000 wedges.")
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    sizes = [*args.wedges, *([1_000_000] if args.million else [])]
    print(f"{'wedges':>10} {'build s':>8} {'peak MiB':>9} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'tree build s':>13} {'tree p50':>9} {'tree p95':>9} {'p95 ×':>6} "
          f"{'hits':>5}")  # fmt: skip
    for wedges in sizes:
        r = measure(wedges, args.queries, args.seed)
        print(f"{int(r['wedges']):>10,} {r['build_s']:>8.2f} {r['peak_mib']:>9.0f} "
              f"{r['p50_ms']:>7.3f} {r['p95_ms']:>7.3f} {r['tree_build_s']:>13.2f} "
              f"{r['tree_p50_ms']:>9.3f} {r['tree_p95_ms']:>9.3f} "
              f"{r['p95_ms'] / r['tree_p95_ms']:>6.1f} {r['hits']:>5.1f}")  # fmt: skip
    print("p50/p95: per point, one query at a time; tree: STRtree.query(point, "
          "predicate='covered_by') over the same polygons; peak MiB: the lookup's process "
          "before the baseline tree is built.")  # fmt: skip


if __name__ == "__main__":
    main()
