"""Control-room runs in a background thread, polled by the options explorer.

One worker: solves are CPU-bound and HiGHS uses threads of its own, so queuing
runs keeps the server responsive. Jobs live in memory (a restart forgets them;
the store's ``runs`` table keeps the record of each finished run).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from cctvscope.crs import bng_to_wgs84
from cctvscope.model.estate import Estate
from cctvscope.web.schemas import OptionRow, OptionsJob, OptionsRequest, RoomPoint

log = logging.getLogger(__name__)

#: Jobs kept in memory; the oldest finished ones are dropped beyond this.
MAX_JOBS = 50


def _num(value: float | int | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if np.isfinite(number) else None


class JobRunner:
    """Queue, run and report control-room consolidation runs."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._jobs: dict[str, OptionsJob] = {}
        self._lock = threading.Lock()

    def _set(self, job_id: str, **changes: object) -> None:
        with self._lock:
            self._jobs[job_id] = self._jobs[job_id].model_copy(update=changes)

    def submit(
        self,
        request: OptionsRequest,
        estate: Callable[[], Estate],
        on_done: Callable[[OptionsJob], None] | None = None,
    ) -> OptionsJob:
        """Queue a run on the estate returned by ``estate`` (called in the worker)."""
        job = OptionsJob(id=secrets.token_hex(8), state="queued", message="queued", request=request)
        with self._lock:
            self._jobs[job.id] = job
            finished = [k for k, j in self._jobs.items() if j.state in ("done", "failed")]
            for old in finished[: max(0, len(self._jobs) - MAX_JOBS)]:
                del self._jobs[old]
            if self._pool is None:  # created on demand: the app may be started again
                self._pool = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="cctvscope-options"
                )
            self._pool.submit(self._run, job.id, request, estate, on_done)
        return job

    def _run(
        self,
        job_id: str,
        request: OptionsRequest,
        estate_of: Callable[[], Estate],
        on_done: Callable[[OptionsJob], None] | None,
    ) -> None:
        from cctvscope.optimisation.control_rooms import ControlRoomOptions
        from cctvscope.optimisation.solve import SolveOptions
        from cctvscope.workflows.options import run_control_room_options

        try:
            self._set(job_id, state="running", message="loading the estate")
            estate = estate_of()
            counts = sorted(set(request.room_counts))
            self._set(job_id, message=f"solving {len(counts)} option(s) with HiGHS: {counts}")
            settings = ControlRoomOptions(
                max_distance_km=request.max_distance_km,
                resilience=request.resilience,
                solver=SolveOptions(time_limit_s=request.time_limit_s),
            )
            result = run_control_room_options(estate, room_counts=counts, settings=settings)
            rows = [
                OptionRow(
                    rooms=o.room_count,
                    status=o.status,
                    annual_cost_gbp_per_year=_num(o.annual_cost_gbp_per_year),
                    one_off_gbp=_num(o.one_off_gbp),
                    npv_gbp=_num(o.npv_gbp),
                    payback_year=_num(o.payback_year),
                    open_rooms=list(o.open_rooms),
                    reason=o.reason,
                )
                for o in result.options
            ]
            rooms: dict[str, list[RoomPoint]] = {}
            for o in result.options:
                ids = [r for r in o.open_rooms if r in o.room_xy_m]
                if not ids:
                    continue
                xy = np.array([o.room_xy_m[r] for r in ids], dtype=float)
                lon, lat = bng_to_wgs84(xy[:, 0], xy[:, 1])
                rooms[str(o.room_count)] = [
                    RoomPoint(
                        room_id=r, name=o.room_names.get(r, r), lon_deg=float(a), lat_deg=float(b)
                    )
                    for r, a, b in zip(ids, lon, lat, strict=True)
                ]
            feasible = sum(o.status == "optimal" for o in result.options)
            self._set(
                job_id,
                state="done",
                message=f"{feasible} of {len(rows)} {'option' if len(rows) == 1 else 'options'} "
                "solved to optimality",
                status_quo_annual_gbp_per_year=_num(result.status_quo.annual_cost_gbp_per_year),
                options=rows,
                rooms=rooms,
            )
        except Exception:  # a failed solve must not kill the worker; the log has the trace
            log.exception("control-room run %s failed", job_id)
            self._set(job_id, state="failed", message="the run failed; see the server log")
        if on_done is not None:
            on_done(self.get(job_id))

    def get(self, job_id: str) -> OptionsJob:
        """A job by id (KeyError when unknown)."""
        with self._lock:
            return self._jobs[job_id]

    def all(self) -> list[OptionsJob]:
        """Every job, newest first."""
        with self._lock:
            return list(reversed(self._jobs.values()))

    def wait(self, job_id: str, timeout_s: float = 60.0) -> OptionsJob:
        """Block until the job has finished (tests and scripts)."""
        done = threading.Event()

        def poll() -> None:
            while self.get(job_id).state in ("queued", "running"):
                if done.wait(0.05):
                    return

        worker = threading.Thread(target=poll, daemon=True)
        worker.start()
        worker.join(timeout_s)
        done.set()
        return self.get(job_id)

    def shutdown(self) -> None:
        """Cancel queued jobs (a running one finishes); a later submit starts a new worker."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
