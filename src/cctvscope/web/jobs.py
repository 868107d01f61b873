"""Long actions as jobs: queued, run in a background thread, their progress in the store.

A control-room run, a survey import or a camera registration takes seconds to a
minute on a city's estate (each saves or solves over the whole estate). The request
that starts one answers at once with the job; the job's row (``web_jobs``) is written
when it is queued and each time it advances (state, status line, progress 0-1), so
whichever server process a poll reaches (``serve --workers N``) answers it, and a
restart keeps the record.

A job runs in a thread of the process that accepted it, one at a time per process:
solves and imports are CPU-bound, and queuing them keeps the server responsive. While
a process has unfinished jobs, a heartbeat thread touches their rows every
``heartbeat_s``; a queued or running job whose row has not moved for
:data:`STALE_HEARTBEATS` heartbeats belonged to a process that stopped (a restart, a
crash), and is read as failed, "interrupted", with the status line it reached.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import Engine

from cctvscope.store.engine import write_transaction
from cctvscope.store.web_tables import web_jobs

log = logging.getLogger(__name__)

JobKind = Literal["control_rooms", "survey_import", "registration"]
JobState = Literal["queued", "running", "done", "failed"]
#: Jobs listed at most (newest first).
MAX_LISTED = 50
#: How often :meth:`JobRunner.wait` reads the job's row [s].
POLL_S = 0.05
#: How often a process touches the rows of its unfinished jobs [s].
HEARTBEAT_S = 10.0
#: Missed heartbeats after which an unfinished job is read as interrupted (a busy process
#: may be late with one or two).
STALE_HEARTBEATS = 6
INTERRUPTED = "interrupted: the server process running it stopped"


class JobFailedError(Exception):
    """A job ends failed with this message (safe to show; no server log needed)."""


@dataclass(frozen=True)
class Job:
    """One job as stored."""

    id: str
    kind: str
    username: str
    state: JobState
    message: str
    progress: float
    request: dict[str, Any]
    result: dict[str, Any] | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def finished(self) -> bool:
        """True once done or failed."""
        return self.state in ("done", "failed")


Progress = Callable[[float, str], None]
"""Report progress: a share done [0-1] and a status line."""
Work = Callable[[Progress], tuple[str, Mapping[str, Any]]]
"""A job's work: given a progress reporter, the final status line and the result."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _job(row: sa.RowMapping, stale_before: dt.datetime) -> Job:
    state: JobState = row["state"]
    message = str(row["message"])
    if state in ("queued", "running") and _utc(row["updated_at"]) < stale_before:
        state, message = "failed", f"{INTERRUPTED} ({message})"
    return Job(
        id=str(row["id"]),
        kind=str(row["kind"]),
        username=str(row["username"]),
        state=state,
        message=message,
        progress=float(row["progress"]),
        request=dict(row["request"]),
        result=None if row["result"] is None else dict(row["result"]),
        created_at=_utc(row["created_at"]),
        updated_at=_utc(row["updated_at"]),
    )


class JobRunner:
    """Queue and run jobs; read any job of the store."""

    def __init__(self, engine: Engine, heartbeat_s: float = HEARTBEAT_S) -> None:
        self.engine = engine
        self.heartbeat_s = heartbeat_s
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._unfinished: set[str] = set()
        self._beating = threading.Event()  # set while the heartbeat thread runs

    def _stale_before(self) -> dt.datetime:
        return _now() - dt.timedelta(seconds=self.heartbeat_s * STALE_HEARTBEATS)

    def _heartbeat(self) -> None:
        """Touch this process's unfinished jobs until there are none."""
        while True:
            time.sleep(self.heartbeat_s)
            with self._lock:
                ids = sorted(self._unfinished)
                if not ids:
                    self._beating.clear()
                    return
            try:
                with write_transaction(self.engine) as connection:
                    connection.execute(
                        web_jobs.update()
                        .where(web_jobs.c.id.in_(ids), web_jobs.c.state.in_(("queued", "running")))
                        .values(updated_at=_now())
                    )
            except Exception:  # a missed beat is retried; the job itself goes on
                log.exception("job heartbeat failed")

    def _update(self, job_id: str, **values: Any) -> None:
        with write_transaction(self.engine) as connection:
            connection.execute(
                web_jobs.update().where(web_jobs.c.id == job_id).values(**values, updated_at=_now())
            )

    def submit(
        self,
        kind: JobKind,
        username: str,
        request: Mapping[str, Any],
        work: Work,
        on_done: Callable[[Job], None] | None = None,
    ) -> Job:
        """Queue ``work`` (run in this process's job thread) and store the queued job."""
        now = _now()
        values = {
            "id": secrets.token_hex(8),
            "kind": kind,
            "username": username,
            "state": "queued",
            "message": "queued",
            "progress": 0.0,
            "request": dict(request),
            "result": None,
            "created_at": now,
            "updated_at": now,
        }
        with write_transaction(self.engine) as connection:
            connection.execute(web_jobs.insert().values(**values))
        job_id = str(values["id"])
        with self._lock:
            if self._pool is None:  # created on demand: the app may be started again
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cctvscope-job")
            self._unfinished.add(job_id)
            if not self._beating.is_set():
                self._beating.set()
                threading.Thread(
                    target=self._heartbeat, name="cctvscope-job-heartbeat", daemon=True
                ).start()
            self._pool.submit(self._run, job_id, work, on_done)
        return self.get(job_id)

    def _run(self, job_id: str, work: Work, on_done: Callable[[Job], None] | None) -> None:
        def progress(share: float, message: str) -> None:
            self._update(job_id, progress=min(max(float(share), 0.0), 1.0), message=message)

        try:
            self._update(job_id, state="running", message="started")
            message, result = work(progress)
            self._update(job_id, state="done", progress=1.0, message=message, result=dict(result))
        except JobFailedError as exc:
            self._update(job_id, state="failed", message=str(exc))
        except Exception:  # a failed job must not kill the worker; the log has the trace
            log.exception("job %s failed", job_id)
            self._update(job_id, state="failed", message="the job failed; see the server log")
        finally:
            with self._lock:
                self._unfinished.discard(job_id)
        if on_done is not None:
            on_done(self.get(job_id))

    def get(self, job_id: str) -> Job:
        """A job by id (KeyError when unknown)."""
        with self.engine.connect() as connection:
            row = (
                connection.execute(sa.select(web_jobs).where(web_jobs.c.id == job_id))
                .mappings()
                .first()
            )
        if row is None:
            raise KeyError(job_id)
        return _job(row, self._stale_before())

    def all(self, kind: JobKind | None = None, username: str | None = None) -> list[Job]:
        """The newest jobs (of one kind, of one user), newest first."""
        query = sa.select(web_jobs).order_by(web_jobs.c.created_at.desc()).limit(MAX_LISTED)
        if kind is not None:
            query = query.where(web_jobs.c.kind == kind)
        if username is not None:
            query = query.where(web_jobs.c.username == username)
        stale_before = self._stale_before()
        with self.engine.connect() as connection:
            return [_job(r, stale_before) for r in connection.execute(query).mappings()]

    def wait(self, job_id: str, timeout_s: float = 60.0) -> Job:
        """The job once finished, or as it stands after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        job = self.get(job_id)
        while not job.finished and time.monotonic() < deadline:
            time.sleep(POLL_S)
            job = self.get(job_id)
        return job

    def shutdown(self) -> None:
        """Cancel queued jobs (a running one finishes); a later submit starts a new worker."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        pool.shutdown(wait=False, cancel_futures=True)
        # Jobs cancelled before they started say so (the running one, if any, goes on).
        with self._lock:
            ids = sorted(self._unfinished)
        if not ids:
            return
        with write_transaction(self.engine) as connection:
            cancelled = connection.execute(
                sa.select(web_jobs.c.id).where(web_jobs.c.id.in_(ids), web_jobs.c.state == "queued")
            ).scalars()
            gone = [str(i) for i in cancelled]
            connection.execute(
                web_jobs.update()
                .where(web_jobs.c.id.in_(gone), web_jobs.c.state == "queued")
                .values(state="failed", message="cancelled: the server stopped", updated_at=_now())
            )
        with self._lock:
            self._unfinished.difference_update(gone)
