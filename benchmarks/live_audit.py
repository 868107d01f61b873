"""Wall time of a live ONVIF audit by concurrency, against reading one device at a time.

    .venv/bin/python benchmarks/live_audit.py [--cameras 16] [--delay 0.05] [--concurrency 1 4 8 16]

Starts ``--cameras`` virtual cameras on loopback (tests/workflows/onvif_cameras.py), each
answering every ONVIF call after ``--delay`` seconds (a device's processing time), and
reads them all (six SOAP calls each, no stream) with each concurrency. Concurrency 1 is
the in-run baseline. Prints a table; tests never assert on it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# benchmarks/coverage.py would shadow the coverage package; the tests package is at the root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8, 16])
    args = parser.parse_args()

    from tests.workflows.onvif_cameras import FIXED_NOW, PASSWORD, VirtualCamera, serving

    from cctvscope.workflows.live_audit import Credentials, LiveAuditRequest, read_all
    from cctvscope.workflows.onvif_client import Credential, Target

    cams = [
        VirtualCamera(f"C{i:03d}", delay_s=args.delay, stream=False) for i in range(args.cameras)
    ]
    creds = Credentials({"*": Credential("auditor", PASSWORD)})
    rows: list[tuple[int, float, int]] = []
    with tempfile.TemporaryDirectory() as folder, serving(cams, Path(folder)):
        targets = tuple(Target(c.address, c.name) for c in cams)
        for concurrency in args.concurrency:
            request = LiveAuditRequest(
                targets=targets, credentials=creds, concurrency=concurrency, stream_seconds=0
            )
            start = time.perf_counter()
            readings = read_all(request, clock=lambda: FIXED_NOW)
            seconds = time.perf_counter() - start
            rows.append((concurrency, seconds, sum(r.status == "ok" for r in readings)))
    baseline = rows[0][1]
    print(f"{args.cameras} virtual cameras, {args.delay:g} s per ONVIF call, 6 calls each")
    print(f"{'concurrency':>11} {'seconds':>8} {'per device':>10} {'ok':>4} {'vs first row':>12}")
    for concurrency, seconds, ok in rows:
        print(
            f"{concurrency:>11} {seconds:>8.2f} {seconds / args.cameras:>10.3f} {ok:>4} "
            f"{baseline / seconds:>11.1f}x"
        )


if __name__ == "__main__":
    main()
