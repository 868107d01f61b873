"""The work of each kind of job (:mod:`cctvscope.web.jobs`), and the answers made from them.

- ``control_rooms``: a control-room consolidation run (the options explorer);
- ``survey_import``: the confirm of a previewed survey (a new estate version);
- ``registration``: a business's camera registration (a new estate version).

An import or a registration ends by preparing the new version's analyses in this
process, so the first page after it answers at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from cctvscope.crs import bng_to_wgs84
from cctvscope.model.estate import Estate
from cctvscope.web.deps import AppState, WebError
from cctvscope.web.jobs import Job, JobFailedError, Progress
from cctvscope.web.schemas import OptionRow, OptionsJob, OptionsRequest, RoomPoint


def _num(value: float | int | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if np.isfinite(number) else None


def options_job(job: Job) -> OptionsJob:
    """A ``control_rooms`` job as the options explorer's answer."""
    return OptionsJob.model_validate(
        {
            "id": job.id,
            "state": job.state,
            "message": job.message,
            "progress": job.progress,
            "request": job.request,
            **(job.result or {}),
        }
    )


def _rooms(options: Any) -> dict[str, list[RoomPoint]]:
    rooms: dict[str, list[RoomPoint]] = {}
    for o in options:
        ids = [r for r in o.open_rooms if r in o.room_xy_m]
        if not ids:
            continue
        xy = np.array([o.room_xy_m[r] for r in ids], dtype=float)
        lon, lat = bng_to_wgs84(xy[:, 0], xy[:, 1])
        rooms[str(o.room_count)] = [
            RoomPoint(room_id=r, name=o.room_names.get(r, r), lon_deg=float(a), lat_deg=float(b))
            for r, a, b in zip(ids, lon, lat, strict=True)
        ]
    return rooms


def control_rooms_work(
    request: OptionsRequest, estate_of: Callable[[], Estate]
) -> Callable[[Progress], tuple[str, Mapping[str, Any]]]:
    """A run of the control-room options of ``request`` on the estate ``estate_of`` gives."""

    def work(progress: Progress) -> tuple[str, Mapping[str, Any]]:
        from cctvscope.optimisation.control_rooms import ControlRoomOptions
        from cctvscope.optimisation.solve import SolveOptions
        from cctvscope.workflows.options import run_control_room_options

        progress(0.05, "loading the estate")
        estate = estate_of()
        counts = sorted(set(request.room_counts))
        progress(0.1, f"solving {len(counts)} option(s) with HiGHS: {counts}")
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
        feasible = sum(o.status == "optimal" for o in result.options)
        noun = "option" if len(rows) == 1 else "options"
        answer = {
            "status_quo_annual_gbp_per_year": _num(result.status_quo.annual_cost_gbp_per_year),
            "options": [r.model_dump(mode="json") for r in rows],
            "rooms": {
                k: [p.model_dump(mode="json") for p in v] for k, v in _rooms(result.options).items()
            },
        }
        return f"{feasible} of {len(rows)} {noun} solved to optimality", answer

    return work


def prepare_new_version(state: AppState, progress: Progress) -> None:
    """Load the store's newest version and its analyses into this process's caches."""
    progress(0.85, "preparing the new version's figures")
    data = state.data
    loaded = data.current()
    data.compliance(loaded)
    progress(0.95, "preparing the new version's police lookup")
    data.lookup(loaded)


def failing_as_job(action: Callable[[], Any]) -> Any:
    """``action()``, a refusal (``WebError``) becoming the job's failure message."""
    try:
        return action()
    except WebError as exc:
        raise JobFailedError(exc.detail) from exc
