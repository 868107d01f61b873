"""Load on the web API: achieved requests per second and latency percentiles at a fixed rate.

    .venv/bin/python benchmarks/web_load.py --database-url sqlite:///cctvscope.db --out out \
        [--pg-url postgresql+psycopg://...] [--workers 2] [--rates 50 200] [--seconds 60]

Needs a store holding the estate (``cctvscope demo`` makes one). Two server setups
are driven on loopback with the same mix of calls, each at each rate, open loop
(requests leave on schedule whether or not earlier ones have answered):

- baseline: ``cctvscope serve`` as one process on the SQLite store;
- production: ``cctvscope serve --workers N`` on PostgreSQL (``--pg-url``: the estate
  is copied there first), or on the SQLite store when no PostgreSQL URL is given.

The mix, as a police investigator's and an analyst's session would make it:
``/api/overview``, ``/api/cameras?borough=…`` and ``/api/search?x_m=…&y_m=…`` (police,
each view audited). A request that fails, answers non-2xx or takes over 5 s is an
error. Before the runs every path of the mix is asked until a whole pass answers
without error within a second (each worker process has loaded the estate: the
figures are of a warm server). Besides latency, the table gives the server's CPU time
per answered request (all its processes) and the client's: the machine may be
shared, so CPU time is the steadier measure. Prints one table; tests never assert on it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psutil

#: A request slower than this is counted as an error [s].
TIMEOUT_S = 5.0
#: Longest warm-up before the runs [s].
WARM_LIMIT_S = 300.0


@dataclass(frozen=True)
class Run:
    """One setup at one rate."""

    setup: str
    target_rps: float
    achieved_rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    sent: int
    server_cpu_ms: float
    """Server CPU time (every process) per answered request [ms]."""
    client_cpu_ms: float


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _tokens(url: str) -> dict[str, str]:
    """API tokens of a police and an analyst account made for the run."""
    from cctvscope.store import init_store
    from cctvscope.web.accounts import add_user, create_token
    from cctvscope.web.security import UserRole

    engine = init_store(url)
    tokens = {}
    stamp = str(int(time.time()))
    for role in (UserRole.POLICE, UserRole.ANALYST):
        name = f"load-{role.value}-{stamp}"
        add_user(engine, name, os.urandom(12).hex(), role)
        tokens[role.value] = create_token(engine, name, "web_load benchmark")
    return tokens


def _paths(url: str) -> list[tuple[str, str]]:
    """(role, path) of the mix: overview, a borough's cameras, a police search at a camera."""
    from cctvscope.store import load_estate

    estate = load_estate(url, "london")
    cams = estate.cameras
    rng = np.random.default_rng(7)
    mix: list[tuple[str, str]] = []
    for i in range(60):
        borough = str(cams["borough_code"].iloc[int(rng.integers(len(cams)))])
        cam = cams.iloc[int(rng.integers(len(cams)))]
        mix.append(("analyst", "/api/overview"))
        mix.append(("analyst", f"/api/cameras?borough={borough}&page={1 + i % 3}"))
        mix.append(("police", f"/api/search?x_m={cam['x_m'] + 5:.0f}&y_m={cam['y_m'] + 5:.0f}"))
    return mix


def _copy_estate(source: str, target: str) -> None:
    """The estate copied into the production store, with the demo's seeded registrations
    of its private cameras (so the police searches there reveal, and audit, private
    cameras as on the baseline's store)."""
    from cctvscope.store import init_store, list_estates, load_estate, save_estate
    from cctvscope.workflows.evidence import ensure_registrations

    engine = init_store(target)
    if not any(info.name == "london" for info in list_estates(engine)):
        save_estate(engine, load_estate(source, "london"), description="web_load copy")
    ensure_registrations(engine, load_estate(engine, "london"))


def _serve(url: str, out: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    args = [sys.executable, "-m", "cctvscope.cli.main", "serve", "--port", str(port),
            "--out", str(out), "--database-url", url, "--workers", str(workers)]  # fmt: skip
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return server, f"http://127.0.0.1:{port}"


async def _wait_up(base: str, token: str) -> None:
    import httpx2 as httpx

    async with httpx.AsyncClient() as client:
        for _ in range(600):
            try:
                response = await client.get(
                    f"{base}/api/overview", headers={"Authorization": f"Bearer {token}"}
                )
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError(f"no server at {base}")


async def _drive(
    base: str, tokens: dict[str, str], mix: list[tuple[str, str]], rps: float, seconds: float
) -> tuple[list[float], int, float]:
    """Send ``rps`` requests a second for ``seconds``: latencies [s], errors, wall [s]."""
    import httpx2 as httpx

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(limits=limits, timeout=TIMEOUT_S) as client:

        async def one(role: str, path: str) -> None:
            nonlocal errors
            start = time.perf_counter()
            try:
                response = await client.get(
                    base + path, headers={"Authorization": f"Bearer {tokens[role]}"}
                )
                ok = 200 <= response.status_code < 300
            except httpx.HTTPError:
                ok = False
            took = time.perf_counter() - start
            if ok and took <= TIMEOUT_S:
                latencies.append(took)
            else:
                errors += 1

        count = int(rps * seconds)
        begin = time.perf_counter()
        tasks = []
        for i in range(count):
            delay = begin + i / rps - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(*mix[i % len(mix)])))
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - begin
    return latencies, errors, wall


async def _warm(base: str, tokens: dict[str, str], mix: list[tuple[str, str]]) -> None:
    """Ask every path of the mix, 8 at a time, until one pass has no error and no answer
    slower than a second (or WARM_LIMIT_S passes)."""
    import httpx2 as httpx

    deadline = time.monotonic() + WARM_LIMIT_S
    async with httpx.AsyncClient(timeout=60.0) as client:

        async def one(role: str, path: str) -> float:
            start = time.perf_counter()
            try:
                response = await client.get(
                    base + path, headers={"Authorization": f"Bearer {tokens[role]}"}
                )
            except httpx.HTTPError:
                return float("inf")
            took = time.perf_counter() - start
            return took if response.status_code == 200 else float("inf")

        while time.monotonic() < deadline:
            took = []
            for i in range(0, len(mix), 8):
                took += await asyncio.gather(*(one(*m) for m in mix[i : i + 8]))
            if max(took) < 1.0:
                return


def _cpu_s(server: psutil.Process) -> float:
    """CPU time [s] of the server and its worker processes so far."""
    total = 0.0
    for proc in (server, *server.children(recursive=True)):
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


@dataclass(frozen=True)
class Load:
    """What each setup is driven with."""

    rates: list[float]
    seconds: float
    tokens: dict[str, str]
    mix: list[tuple[str, str]]


def measure(setup: str, url: str, out: Path, workers: int, load: Load) -> list[Run]:
    """Every rate against one server setup."""
    server, base = _serve(url, out, workers)
    runs = []
    try:
        asyncio.run(_wait_up(base, load.tokens["analyst"]))
        asyncio.run(_warm(base, load.tokens, load.mix))
        watched = psutil.Process(server.pid)
        for rps in load.rates:
            server_cpu, client_cpu = _cpu_s(watched), time.process_time()
            latencies, errors, wall = asyncio.run(
                _drive(base, load.tokens, load.mix, rps, load.seconds)
            )
            answered = max(len(latencies), 1)
            server_ms = (_cpu_s(watched) - server_cpu) * 1000 / answered
            client_ms = (time.process_time() - client_cpu) * 1000 / answered
            ms = np.array(latencies) * 1000 if latencies else np.array([np.nan])
            p50, p95, p99 = np.percentile(ms, [50, 95, 99])
            sent = int(rps * load.seconds)
            achieved = len(latencies) / wall
            runs.append(
                Run(setup, rps, achieved, p50, p95, p99, errors, sent, server_ms, client_ms)
            )
            print(f"  {setup}: {rps:.0f} rps asked, {runs[-1].achieved_rps:.1f} achieved",
                  file=sys.stderr, flush=True)  # fmt: skip
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # an overloaded server drains its queue slowly
            server.kill()
            server.wait()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="sqlite:///cctvscope.db")
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rates", type=float, nargs="+", default=[50.0, 200.0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    load = Load(args.rates, args.seconds, _tokens(args.database_url), _paths(args.database_url))
    runs = measure("1 process, SQLite", args.database_url, args.out, 1, load)
    production_url = args.database_url
    label = f"{args.workers} workers, SQLite"
    if args.pg_url:
        _copy_estate(args.database_url, args.pg_url)
        production_url = args.pg_url
        load = Load(load.rates, load.seconds, _tokens(production_url), load.mix)
        label = f"{args.workers} workers, PostgreSQL"
    runs += measure(label, production_url, args.out, args.workers, load)
    base = {r.target_rps: r for r in runs if r.setup.startswith("1 process")}
    print(f"{'setup':<26}{'target rps':>11}{'achieved':>10}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p99 ms':>9}{'errors':>8}{'p99 vs baseline':>17}{'server CPU ms/req':>19}"
          f"{'client CPU ms/req':>19}")  # fmt: skip
    for r in runs:
        ratio = r.p99_ms / base[r.target_rps].p99_ms if base[r.target_rps].p99_ms else float("nan")
        print(f"{r.setup:<26}{r.target_rps:>11.0f}{r.achieved_rps:>10.1f}{r.p50_ms:>9.1f}"
              f"{r.p95_ms:>9.1f}{r.p99_ms:>9.1f}{r.errors:>8}{ratio:>16.2f}x"
              f"{r.server_cpu_ms:>19.2f}{r.client_cpu_ms:>19.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
