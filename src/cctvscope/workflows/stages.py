"""Stage timing: wall time, CPU time and peak memory of each pipeline step.

A :class:`StageClock` is a step callback (``on_step``): each message opens a stage
and closes the one before, so the pipeline's own progress messages name the stages
and no timing code sits in the analyses. The coverage process keeps its own clock
and hands its stages back with its result (:attr:`PipelineResult.coverage_stages`).
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

#: ``ru_maxrss`` is in KiB on Linux and in bytes on macOS.
_RSS_UNIT_MIB = 1.0 / (1024 * 1024) if sys.platform == "darwin" else 1.0 / 1024


@dataclass(frozen=True)
class StageTime:
    """One stage: its process, name, wall and CPU seconds, and the process's peak RSS."""

    process: str
    name: str
    wall_s: float
    cpu_s: float
    peak_rss_mib: float


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Resident high-water mark of this process (or its reaped children) [MiB]."""
    return float(resource.getrusage(who).ru_maxrss) * _RSS_UNIT_MIB


class StageClock:
    """A step callback that times each step until the next one (or :meth:`finish`).

    ``forward`` receives every message too (a progress bar). CPU time is this
    process's own; children are counted where they are reaped.
    """

    def __init__(self, process: str = "main", forward: Callable[[str], None] | None = None) -> None:
        self.process = process
        self._forward = forward
        self._stages: list[StageTime] = []
        self._name: str | None = None
        self._wall = 0.0
        self._cpu = 0.0

    def __call__(self, message: str) -> None:
        self._close()
        self._name = message
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        if self._forward is not None:
            self._forward(message)

    def _close(self) -> None:
        if self._name is None:
            return
        self._stages.append(
            StageTime(
                self.process,
                self._name,
                time.perf_counter() - self._wall,
                time.process_time() - self._cpu,
                peak_rss_mib(),
            )
        )
        self._name = None

    def finish(self) -> tuple[StageTime, ...]:
        """Close the open stage; every stage timed so far, in order."""
        self._close()
        return tuple(self._stages)
