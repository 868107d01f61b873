"""The login rate limit, counted in the store so that every server process shares it.

Failed logins are rows of ``login_failures`` (time, address, lower-cased username). A
login is refused while its username and address have ``limit`` failures within
``window_s``, or its address has ``ip_limit`` failures (any usernames: password
spraying) within ``ip_window_s``. A good login stops its username and address's
failures counting for the pair but not for the address: a sprayer who guesses one
account keeps the address's count.

The check and the record are separate statements, so processes racing on one address
may let a few more tries through than the limit (at most one per request in flight);
the count never resets, so a sprayer gains at most that handful per window.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import Engine

from cctvscope.store.engine import write_transaction
from cctvscope.store.web_tables import login_failures

Clock = Callable[[], float]
"""Seconds since the epoch (``time.time``; tests pass their own)."""


class LoginThrottle:
    """Failed logins per (username, IP) and per IP in sliding windows, in the store."""

    def __init__(
        self,
        engine: Engine,
        limit: int,
        window_s: float,
        ip_limit: int | None = None,
        ip_window_s: float = 0.0,
        clock: Clock = time.time,
    ) -> None:
        self.engine = engine
        self.limit = limit
        self.window_s = window_s
        self.ip_limit = ip_limit
        self.ip_window_s = ip_window_s or window_s
        self.clock = clock

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def blocked(self, username: str, ip: str) -> bool:
        """Whether this username and IP, or this IP, have used up their failures."""
        now = self._now()
        t = login_failures.c
        pair = (
            sa.select(sa.func.count())
            .where(
                t.username == username.lower(),
                t.ip == ip,
                t.pair_counted,
                t.at > now - dt.timedelta(seconds=self.window_s),
            )
            .scalar_subquery()
        )
        by_ip = (
            sa.select(sa.func.count())
            .where(t.ip == ip, t.at > now - dt.timedelta(seconds=self.ip_window_s))
            .scalar_subquery()
        )
        with self.engine.connect() as connection:  # one round trip for both counts
            found = connection.execute(sa.select(pair, by_ip)).one()
        pair_count, ip_count = int(found[0]), int(found[1])
        return pair_count >= self.limit or (self.ip_limit is not None and ip_count >= self.ip_limit)

    def failed(self, username: str, ip: str) -> None:
        """Record one failure, and drop the failures no window counts any more."""
        now = self._now()
        oldest = now - dt.timedelta(seconds=max(self.window_s, self.ip_window_s))
        with write_transaction(self.engine) as connection:
            connection.execute(login_failures.delete().where(login_failures.c.at <= oldest))
            connection.execute(
                login_failures.insert().values(
                    at=now, ip=ip, username=username.lower(), pair_counted=True
                )
            )

    def succeeded(self, username: str, ip: str) -> None:
        """Stop the failures of a username and IP counting for the pair (the IP keeps them)."""
        t = login_failures.c
        with write_transaction(self.engine) as connection:
            connection.execute(
                login_failures.update()
                .where(t.username == username.lower(), t.ip == ip, t.pair_counted)
                .values(pair_counted=False)
            )
