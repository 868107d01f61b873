"""Run many tasks with a bounded number in flight, keeping only a reduction of their results.

Submitting every task at once makes the client hold every task and, as they finish,
every result: memory grows with the work. :func:`run_bounded` submits at most
``max_in_flight`` tasks, hands each result to ``on_result`` as soon as it is done and
drops it, and submits the next task only when one has finished; tasks are drawn from
an iterator, so they need not exist before they are submitted. Client memory is then
bounded by ``max_in_flight``, whatever the number of tasks.

An executor is anything with ``submit(fn, item) -> future`` and ``wait_any(futures)
-> (done, pending)``: :class:`ThreadTiles` runs in this process, and the Dask adapter
in :mod:`cctvscope.workflows.national` on a cluster; tests pass a fake that counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class FutureLike(Protocol):
    """A submitted task: its result once done."""

    def result(self) -> Any: ...


class BoundedExecutor(Protocol):
    """What :func:`run_bounded` needs of an executor."""

    def submit(self, fn: Callable[[Any], Any], item: Any) -> Any: ...

    def wait_any(self, futures: set[Any]) -> tuple[set[Any], set[Any]]: ...


class ThreadTiles:
    """An in-process executor: ``threads`` worker threads (the compiled kernels release
    the GIL); with one thread, tasks still run on a thread, one at a time."""

    def __init__(self, threads: int = 1) -> None:
        self.pool = ThreadPoolExecutor(max_workers=max(1, threads))

    def submit(self, fn: Callable[[Any], Any], item: Any) -> Future[Any]:
        return self.pool.submit(fn, item)

    def wait_any(self, futures: set[Any]) -> tuple[set[Any], set[Any]]:
        done, pending = wait(futures, return_when=FIRST_COMPLETED)
        return set(done), set(pending)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


def run_bounded(
    executor: BoundedExecutor,
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    max_in_flight: int,
    on_result: Callable[[R], None],
) -> int:
    """Run ``fn`` on every item with at most ``max_in_flight`` unfinished at a time.

    Results go to ``on_result`` in completion order (not item order) and are not kept.
    Returns the number of tasks run. A task's exception is raised here, after which no
    task is submitted (those in flight are left to the executor).
    """
    if max_in_flight < 1:
        raise ValueError("max_in_flight must be at least 1")
    pending: set[Any] = set()
    count = 0

    def drain() -> None:
        nonlocal pending
        done, pending = executor.wait_any(pending)
        for future in done:
            on_result(future.result())

    for item in items:
        while len(pending) >= max_in_flight:
            drain()
        pending.add(executor.submit(fn, item))
        count += 1
    while pending:
        drain()
    return count
