"""Police evidence requests: one per footage holder, with a state machine and SLA figures.

Given a place, a time window and the candidate cameras that could have seen the
place (from the camera lookup: one row per camera with ``camera_id``,
``borough_code``, ``owner_type``, ``operator`` (the holder), ``level`` (detail
level at the place), ``retention_days`` and ``export_formats``),
:func:`create_requests` stores one request per holder, listing the holder's
cameras.

**Retention.** A camera is flagged ``outside_retention`` when
``now - start > retention_days``: the start of the window has already been
overwritten. A camera with unknown retention is not flagged. A request is flagged
``outside_retention`` when any of its cameras is; when *all* of them are, the
request is stored in state ``expired`` at once (``expired_at = now``): there is
nothing left to ask for, but the record shows that the holder was identified.

**States.** ``requested -> acknowledged -> supplied | refused``;
``requested | acknowledged -> expired``. Anything else raises
:class:`IllegalTransitionError`. Each transition stores its timestamp and is
appended to the request's ``history``. ``time_to_evidence_h`` is
``supplied_at - requested_at`` in hours.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import Engine

from cctvscope.errors import CctvscopeError, InputError
from cctvscope.store.engine import as_engine
from cctvscope.store.evidence_tables import evidence_items, evidence_requests, request_cameras

if TYPE_CHECKING:
    import pandas as pd

STATES: tuple[str, ...] = ("requested", "acknowledged", "supplied", "refused", "expired")
"""Every request state."""

TRANSITIONS: Mapping[str, frozenset[str]] = {
    "requested": frozenset({"acknowledged", "expired"}),
    "acknowledged": frozenset({"supplied", "refused", "expired"}),
    "supplied": frozenset(),
    "refused": frozenset(),
    "expired": frozenset(),
}
"""The states each state may move to."""

CANDIDATE_COLUMNS: tuple[str, ...] = (
    "camera_id",
    "borough_code",
    "owner_type",
    "operator",
    "retention_days",
    "export_formats",
)
"""Columns the candidate cameras frame must have (``level`` is optional)."""

SLA_COLUMNS: tuple[str, ...] = (
    "borough_code",
    "owner_type",
    "requests",
    "supplied",
    "supplied_share",
    "median_time_to_evidence_h",
    "p90_time_to_evidence_h",
    "refused",
    "expired",
    "open",
)
"""Columns of :func:`sla_summary`."""


class IllegalTransitionError(CctvscopeError):
    """A request cannot move from its state to the one asked for."""


class UnknownRequestError(CctvscopeError):
    """No evidence request has that id."""


@dataclass(frozen=True, slots=True)
class RequestCamera:
    """One camera of a request, as known when the request was made."""

    camera_id: str
    borough_code: str
    owner_type: str
    level: str | None
    retention_days: int | None
    retention_ends_at: dt.datetime | None  # when footage of the window start is overwritten
    export_formats: str  # ";"-separated
    outside_retention: bool


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """A stored evidence request to one holder."""

    id: int
    holder: str
    owner_type: str
    borough_code: str
    place_x_m: float
    place_y_m: float
    window_start: dt.datetime
    window_end: dt.datetime
    state: str
    outside_retention: bool
    requested_by: str
    requested_at: dt.datetime
    acknowledged_at: dt.datetime | None
    supplied_at: dt.datetime | None
    refused_at: dt.datetime | None
    expired_at: dt.datetime | None
    history: tuple[Mapping[str, Any], ...]
    cameras: tuple[RequestCamera, ...]

    @property
    def key(self) -> str:
        """The request's id as the evidence vault names it."""
        return str(self.id)

    @property
    def time_to_evidence_h(self) -> float | None:
        """Hours from request to supply; None until supplied."""
        if self.supplied_at is None:
            return None
        return (self.supplied_at - self.requested_at).total_seconds() / 3600.0


def _aware(value: dt.datetime, what: str) -> dt.datetime:
    if value.tzinfo is None:
        raise CctvscopeError(f"{what} {value.isoformat()} has no timezone: give one (e.g. UTC)")
    return value.astimezone(dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive UTC, PostgreSQL aware: make both aware UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(getattr(value, "value", value))


def _retention(value: Any) -> int | None:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value)  # the usual case, without pandas (a cached police search)
    import pandas as pd

    if value is None or pd.isna(value):
        return None
    return int(value)


def retention_ends_at(start: dt.datetime, retention_days: Any) -> dt.datetime | None:
    """When footage recorded at ``start`` is overwritten (None: retention unknown)."""
    days = _retention(retention_days)
    return None if days is None else start + dt.timedelta(days=days)


def _mode(values: Sequence[str]) -> str:
    counts = Counter(values)
    best = max(counts.values())
    return sorted(v for v, n in counts.items() if n == best)[0]


def create_requests(
    engine: Engine | str,
    place_x_m: float,
    place_y_m: float,
    start: dt.datetime,
    end: dt.datetime,
    candidates: pd.DataFrame,
    *,
    requested_by: str,
    now: dt.datetime,
) -> list[RequestRecord]:
    """Store one request per holder (``operator``) of the candidate cameras.

    The request's borough and owner type are the most common among the holder's
    cameras (ties: alphabetically first). Retention is judged at ``now``; see the
    module docstring. Raises :class:`InputError` for missing columns or an empty
    frame, :class:`CctvscopeError` for naive or reversed times.
    """
    start, end, now = _aware(start, "start"), _aware(end, "end"), _aware(now, "now")
    if end <= start:
        raise CctvscopeError(f"the window ends ({end}) before it starts ({start})")
    missing = [c for c in CANDIDATE_COLUMNS if c not in candidates.columns]
    if missing:
        raise InputError(f"candidate cameras lack columns {missing}")
    if candidates.empty:
        raise InputError("no candidate cameras: nothing to request")
    engine = as_engine(engine)
    holders: dict[str, list[RequestCamera]] = {}
    for row in candidates.to_dict("records"):
        days = _retention(row["retention_days"])
        ends = retention_ends_at(start, days)
        camera = RequestCamera(
            camera_id=str(row["camera_id"]),
            borough_code=str(row["borough_code"]),
            owner_type=_text(row["owner_type"]) or "",
            level=_text(row.get("level")),
            retention_days=days,
            retention_ends_at=ends,
            export_formats=_text(row["export_formats"]) or "",
            outside_retention=ends is not None and now > ends,
        )
        holders.setdefault(str(row["operator"]), []).append(camera)
    ids: list[int] = []
    with engine.begin() as connection:
        for holder, cameras in holders.items():
            expired = all(c.outside_retention for c in cameras)
            history: list[dict[str, Any]] = [
                {"state": "requested", "at": now.isoformat(), "actor": requested_by}
            ]
            if expired:
                history.append({"state": "expired", "at": now.isoformat(), "actor": "cctvscope"})
            result = connection.execute(
                sa.insert(evidence_requests).values(
                    holder=holder,
                    owner_type=_mode([c.owner_type for c in cameras]),
                    borough_code=_mode([c.borough_code for c in cameras]),
                    place_x_m=float(place_x_m),
                    place_y_m=float(place_y_m),
                    window_start=start,
                    window_end=end,
                    state="expired" if expired else "requested",
                    outside_retention=any(c.outside_retention for c in cameras),
                    requested_by=requested_by,
                    requested_at=now,
                    expired_at=now if expired else None,
                    history=history,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            request_id = int(key[0])
            ids.append(request_id)
            connection.execute(
                sa.insert(request_cameras),
                [
                    {
                        "request_id": request_id,
                        "camera_id": c.camera_id,
                        "borough_code": c.borough_code,
                        "owner_type": c.owner_type,
                        "level": c.level,
                        "retention_days": c.retention_days,
                        "retention_ends_at": c.retention_ends_at,
                        "export_formats": c.export_formats,
                        "outside_retention": c.outside_retention,
                    }
                    for c in cameras
                ],
            )
    return [get_request(engine, i) for i in ids]


def _record(row: Mapping[Any, Any], cameras: Sequence[Mapping[Any, Any]]) -> RequestRecord:
    return RequestRecord(
        id=int(row["id"]),
        holder=row["holder"],
        owner_type=row["owner_type"],
        borough_code=row["borough_code"],
        place_x_m=float(row["place_x_m"]),
        place_y_m=float(row["place_y_m"]),
        window_start=_utc(row["window_start"]) or row["window_start"],
        window_end=_utc(row["window_end"]) or row["window_end"],
        state=row["state"],
        outside_retention=bool(row["outside_retention"]),
        requested_by=row["requested_by"],
        requested_at=_utc(row["requested_at"]) or row["requested_at"],
        acknowledged_at=_utc(row["acknowledged_at"]),
        supplied_at=_utc(row["supplied_at"]),
        refused_at=_utc(row["refused_at"]),
        expired_at=_utc(row["expired_at"]),
        history=tuple(row["history"]),
        cameras=tuple(
            RequestCamera(
                camera_id=c["camera_id"],
                borough_code=c["borough_code"],
                owner_type=c["owner_type"],
                level=c["level"],
                retention_days=c["retention_days"],
                retention_ends_at=_utc(c["retention_ends_at"]),
                export_formats=c["export_formats"],
                outside_retention=bool(c["outside_retention"]),
            )
            for c in cameras
        ),
    )


def get_request(engine: Engine | str, request_id: int) -> RequestRecord:
    """One stored request with its cameras; :class:`UnknownRequestError` when absent."""
    engine = as_engine(engine)
    with engine.connect() as connection:
        row = (
            connection.execute(
                sa.select(evidence_requests).where(evidence_requests.c.id == request_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            raise UnknownRequestError(f"no evidence request {request_id}")
        cameras = (
            connection.execute(
                sa.select(request_cameras)
                .where(request_cameras.c.request_id == request_id)
                .order_by(request_cameras.c.camera_id)
            )
            .mappings()
            .all()
        )
    return _record(row, cameras)


def list_requests(engine: Engine | str) -> list[RequestRecord]:
    """Every stored request, oldest first."""
    engine = as_engine(engine)
    with engine.connect() as connection:
        ids = connection.execute(
            sa.select(evidence_requests.c.id).order_by(evidence_requests.c.id)
        ).scalars()
        id_list = [int(i) for i in ids]
    return [get_request(engine, i) for i in id_list]


def transition(
    engine: Engine | str,
    request_id: int,
    new_state: str,
    *,
    actor: str,
    at: dt.datetime,
    note: str | None = None,
) -> RequestRecord:
    """Move a request to ``new_state`` at ``at``; raise on an illegal move.

    ``at`` may not precede the request's latest recorded event.
    """
    if new_state not in STATES:
        raise IllegalTransitionError(f"unknown state {new_state!r}; states are {list(STATES)}")
    at = _aware(at, "at")
    engine = as_engine(engine)
    current = get_request(engine, request_id)
    if new_state not in TRANSITIONS[current.state]:
        allowed = sorted(TRANSITIONS[current.state]) or "none (final state)"
        raise IllegalTransitionError(
            f"request {request_id} is {current.state}: cannot become {new_state} "
            f"(allowed: {allowed})"
        )
    latest = max(dt.datetime.fromisoformat(str(h["at"])) for h in current.history)
    if at < latest:
        raise CctvscopeError(
            f"{at.isoformat()} is before the request's latest event ({latest.isoformat()})"
        )
    event: dict[str, Any] = {"state": new_state, "at": at.isoformat(), "actor": actor}
    if note:
        event["note"] = note
    values: dict[str, Any] = {
        "state": new_state,
        f"{new_state}_at": at,
        "history": [*current.history, event],
    }
    with engine.begin() as connection:
        updated = connection.execute(
            sa.update(evidence_requests)
            .where(evidence_requests.c.id == request_id)
            .where(evidence_requests.c.state == current.state)
            .values(**values)
        )
        if updated.rowcount != 1:
            raise IllegalTransitionError(f"request {request_id} changed meanwhile; try again")
    return get_request(engine, request_id)


def record_item(
    engine: Engine | str,
    request_id: int,
    *,
    sha256: str,
    size: int,
    name: str,
    camera_id: str,
    intake_at: dt.datetime,
    intake_by: str,
    origin: str,
    clock_offset_s: float | None = None,
) -> bool:
    """Record a supplied file (already in the vault) against a request.

    Returns False, storing nothing, when the same bytes were recorded for it before.
    """
    engine = as_engine(engine)
    get_request(engine, request_id)
    with engine.begin() as connection:
        exists = connection.execute(
            sa.select(evidence_items.c.id)
            .where(evidence_items.c.request_id == request_id)
            .where(evidence_items.c.sha256 == sha256)
        ).first()
        if exists is not None:
            return False
        connection.execute(
            sa.insert(evidence_items).values(
                request_id=request_id,
                sha256=sha256,
                size_bytes=size,
                name=name,
                camera_id=camera_id,
                clock_offset_s=clock_offset_s,
                intake_at=_aware(intake_at, "intake_at"),
                intake_by=intake_by,
                origin=origin,
            )
        )
    return True


def request_items(engine: Engine | str, request_id: int) -> pd.DataFrame:
    """The files recorded against a request, in intake order."""
    import pandas as pd

    engine = as_engine(engine)
    with engine.connect() as connection:
        rows = (
            connection.execute(
                sa.select(evidence_items)
                .where(evidence_items.c.request_id == request_id)
                .order_by(evidence_items.c.id)
            )
            .mappings()
            .all()
        )
    frame = pd.DataFrame([dict(r) for r in rows], columns=list(evidence_items.c.keys()))
    frame["intake_at"] = [_utc(v) for v in frame["intake_at"]]
    return frame


def sla_summary(engine: Engine | str) -> pd.DataFrame:
    """Per borough and owner type: requests, supply share, time to evidence, refusals, expiries.

    ``supplied_share`` is over all requests (expired ones included);
    ``median_time_to_evidence_h`` and ``p90_time_to_evidence_h`` are over supplied
    requests (linear interpolation, NaN when none); ``open`` counts requests still
    ``requested`` or ``acknowledged``.
    """
    import pandas as pd

    rows: list[dict[str, Any]] = []
    groups: dict[tuple[str, str], list[RequestRecord]] = {}
    for record in list_requests(engine):
        groups.setdefault((record.borough_code, record.owner_type), []).append(record)
    for (borough, owner), records in sorted(groups.items()):
        states = Counter(r.state for r in records)
        hours = [r.time_to_evidence_h for r in records if r.time_to_evidence_h is not None]
        rows.append(
            {
                "borough_code": borough,
                "owner_type": owner,
                "requests": len(records),
                "supplied": states["supplied"],
                "supplied_share": states["supplied"] / len(records),
                "median_time_to_evidence_h": float(np.median(hours)) if hours else np.nan,
                "p90_time_to_evidence_h": float(np.percentile(hours, 90)) if hours else np.nan,
                "refused": states["refused"],
                "expired": states["expired"],
                "open": states["requested"] + states["acknowledged"],
            }
        )
    return pd.DataFrame(rows, columns=list(SLA_COLUMNS))
