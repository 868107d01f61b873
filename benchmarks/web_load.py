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
``/api/overview``, ``/api/cameras?borough=…`` and ``/api/search?x_m=…&y_m=…`` (police;
a search that reveals private cameras is audited, so both stores get the demo's seeded
registrations first). A request that fails, answers non-2xx or takes over 5 s is an
error. Before the runs every path of the mix is asked until a whole pass answers
without error within a second (each worker process has loaded the estate: the
figures are of a warm server).

The load generator shares the machine with the server, so it is lean: asyncio, a pool
of keep-alive connections, httptools (C) parsing the answers, request bytes made once,
bodies counted and not decompressed (an httpx client took 1.1-1.3 ms of CPU a request;
this one about 0.4). Besides latency, the table gives CPU time per answered request of
the server (all its processes), of PostgreSQL (every backend, ended ones included; when
it runs on this machine) and of the client, the client's CPU seconds and the share of a
core they were, and the load average: the machine may be shared, so CPU time is the
steadier measure. Prints one table; tests never assert on it.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httptools
import numpy as np
import psutil

# Run as a script, this folder heads sys.path and its coverage.py would shadow the package
# Numba imports when the estate is loaded.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

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
    wall_s: float
    server_cpu_s: float
    """CPU time of the server (every process) during the run [s]."""
    db_cpu_s: float
    """CPU time of the PostgreSQL server (every backend) during the run [s]; NaN on SQLite."""
    client_cpu_s: float
    """CPU time of this load generator during the run [s]."""
    load_1m: float
    """The machine's one-minute load average at the end of the run."""

    def per_request_ms(self, cpu_s: float) -> float:
        """``cpu_s`` per answered request [ms]."""
        return cpu_s * 1000 / max(self.sent - self.errors, 1)


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


def _register(url: str) -> None:
    """The demo's seeded registrations of the estate's private cameras (none are added
    when it has them), so that police searches reveal, and audit, private cameras."""
    from cctvscope.store import init_store, load_estate
    from cctvscope.workflows.evidence import ensure_registrations

    engine = init_store(url)
    ensure_registrations(engine, load_estate(engine, "london"))
    engine.dispose()


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


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; httptools (C) parses the answers. The body is
    counted, not kept or decompressed: the load generator should cost little CPU."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.answer: asyncio.Future[int] | None = None
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._finish(exc)

    def on_message_complete(self) -> None:  # httptools callback
        self._finish(self.parser.get_status_code())

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self._finish(exc or ConnectionError("closed by the server"))

    def _finish(self, outcome: int | BaseException) -> None:
        answer, self.answer = self.answer, None
        if answer is None or answer.done():
            return
        if isinstance(outcome, BaseException):
            answer.set_exception(outcome)
        else:
            answer.set_result(outcome)


class LeanClient:
    """GET requests on a pool of keep-alive connections (at most ``max_connections`` in
    use; a request waits for a free one), each request's bytes made once per (role, path)."""

    def __init__(self, base: str, tokens: dict[str, str], max_connections: int = 256) -> None:
        self.host, port = base.removeprefix("http://").split(":")
        self.port = int(port)
        self.tokens = tokens
        self.slots = asyncio.Semaphore(max_connections)
        self.idle: list[_Connection] = []
        self.requests: dict[tuple[str, str], bytes] = {}

    def _request(self, role: str, path: str) -> bytes:
        key = (role, path)
        if key not in self.requests:
            self.requests[key] = (
                f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Authorization: Bearer {self.tokens[role]}\r\nAccept-Encoding: gzip\r\n\r\n"
            ).encode("ascii")
        return self.requests[key]

    async def _connection(self) -> _Connection:
        while self.idle:
            connection = self.idle.pop()
            if not connection.lost:
                return connection
        loop = asyncio.get_running_loop()
        _, made = await loop.create_connection(_Connection, self.host, self.port)
        return made

    async def get(self, role: str, path: str) -> int:
        """The status of ``GET path`` as ``role`` (raises OSError when it fails)."""
        async with self.slots:
            connection = await self._connection()
            assert connection.transport is not None
            answer: asyncio.Future[int] = asyncio.get_running_loop().create_future()
            connection.answer = answer
            connection.transport.write(self._request(role, path))
            try:
                status = await answer
            except BaseException:
                connection.transport.close()  # mid-answer: the connection cannot be reused
                raise
            if connection.lost or not connection.parser.should_keep_alive():
                connection.transport.close()
            else:
                self.idle.append(connection)
            return status

    def close(self) -> None:
        """Close every idle connection."""
        for connection in self.idle:
            if connection.transport is not None:
                connection.transport.close()
        self.idle.clear()


async def _wait_up(base: str, token: str) -> None:
    client = LeanClient(base, {"analyst": token}, max_connections=1)
    for _ in range(600):
        try:
            if await client.get("analyst", "/api/overview") == 200:
                client.close()
                return
        except (OSError, httptools.HttpParserError):
            pass
        await asyncio.sleep(0.5)
    raise RuntimeError(f"no server at {base}")


async def _timed(client: LeanClient, role: str, path: str) -> float:
    """Seconds ``GET path`` took, or infinity when it failed or did not answer 2xx."""
    start = time.perf_counter()
    try:
        status = await asyncio.wait_for(client.get(role, path), TIMEOUT_S)
    except (OSError, TimeoutError, httptools.HttpParserError):
        return math.inf
    took = time.perf_counter() - start
    return took if 200 <= status < 300 else math.inf


async def _drive(
    base: str, tokens: dict[str, str], mix: list[tuple[str, str]], rps: float, seconds: float
) -> tuple[list[float], int, float]:
    """Send ``rps`` requests a second for ``seconds``: latencies [s], errors, wall [s]."""
    client = LeanClient(base, tokens)
    count = int(rps * seconds)
    begin = time.perf_counter()
    tasks = []
    for i in range(count):
        delay = begin + i / rps - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_timed(client, *mix[i % len(mix)])))
    took = await asyncio.gather(*tasks)
    wall = time.perf_counter() - begin
    client.close()
    latencies = [t for t in took if t <= TIMEOUT_S]
    return latencies, count - len(latencies), wall


async def _warm(base: str, tokens: dict[str, str], mix: list[tuple[str, str]]) -> None:
    """Ask every path of the mix, 8 at a time, until one pass has no error and no answer
    slower than a second (or WARM_LIMIT_S passes)."""
    deadline = time.monotonic() + WARM_LIMIT_S
    client = LeanClient(base, tokens, max_connections=8)
    while time.monotonic() < deadline:
        took: list[float] = []
        for i in range(0, len(mix), 8):
            took += await asyncio.gather(*(_timed(client, *m) for m in mix[i : i + 8]))
        if max(took) < 1.0:
            break
    client.close()


def _cpu_s(server: psutil.Process | None) -> float:
    """CPU time [s] of a server and its child processes so far, ended ones included (NaN
    without a server)."""
    if server is None:
        return math.nan
    own = server.cpu_times()
    total = own.children_user + own.children_system  # children it has waited for
    for proc in (server, *server.children(recursive=True)):
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _postgres_server(url: str) -> psutil.Process | None:
    """The PostgreSQL postmaster of ``url`` when it runs on this machine (its backends are
    its children), else None: how much CPU the database takes is part of the answer."""
    import sqlalchemy as sa

    from cctvscope.store.engine import connect

    if not url.startswith("postgresql"):
        return None
    engine = connect(url)
    try:
        with engine.connect() as connection:
            data_dir = connection.exec_driver_sql("SHOW data_directory").scalar()
        pid = int((Path(str(data_dir)) / "postmaster.pid").read_text().split()[0])
        return psutil.Process(pid)
    except (sa.exc.SQLAlchemyError, OSError, ValueError, psutil.Error):
        return None
    finally:
        engine.dispose()


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
    database = _postgres_server(url)
    runs = []
    try:
        asyncio.run(_wait_up(base, load.tokens["analyst"]))
        asyncio.run(_warm(base, load.tokens, load.mix))
        watched = psutil.Process(server.pid)
        for rps in load.rates:
            server_cpu, db_cpu, client_cpu = _cpu_s(watched), _cpu_s(database), time.process_time()
            latencies, errors, wall = asyncio.run(
                _drive(base, load.tokens, load.mix, rps, load.seconds)
            )
            ms = np.array(latencies) * 1000 if latencies else np.array([np.nan])
            p50, p95, p99 = np.percentile(ms, [50, 95, 99])
            sent = int(rps * load.seconds)
            runs.append(
                Run(setup, rps, len(latencies) / wall, p50, p95, p99, errors, sent, wall,
                    _cpu_s(watched) - server_cpu, _cpu_s(database) - db_cpu,
                    time.process_time() - client_cpu, os.getloadavg()[0])
            )  # fmt: skip
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


def _print(runs: list[Run]) -> None:
    base = {r.target_rps: r for r in runs if r.setup.startswith("1 process")}
    print(f"{'setup':<24}{'asked':>6}{'achieved':>9}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
          f"{'errors':>7}{'p99 vs base':>12}{'server ms/req':>14}{'db ms/req':>10}"
          f"{'client ms/req':>14}{'client CPU-s':>13}{'client cores':>13}"
          f"{'load 1m':>8}")  # fmt: skip
    for r in runs:
        ratio = r.p99_ms / base[r.target_rps].p99_ms if base[r.target_rps].p99_ms else math.nan
        print(f"{r.setup:<24}{r.target_rps:>6.0f}{r.achieved_rps:>9.1f}{r.p50_ms:>8.1f}"
              f"{r.p95_ms:>8.1f}{r.p99_ms:>8.1f}{r.errors:>7}{ratio:>11.2f}x"
              f"{r.per_request_ms(r.server_cpu_s):>14.2f}{r.per_request_ms(r.db_cpu_s):>10.2f}"
              f"{r.per_request_ms(r.client_cpu_s):>14.2f}{r.client_cpu_s:>13.1f}"
              f"{r.client_cpu_s / r.wall_s:>13.2f}{r.load_1m:>8.1f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="sqlite:///cctvscope.db")
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rates", type=float, nargs="+", default=[50.0, 200.0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    _register(args.database_url)
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
    _print(runs)


if __name__ == "__main__":
    main()
