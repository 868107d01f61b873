"""Accounts in the store: add users, authenticate, sessions, API tokens.

A logged-in session is a row of ``web_sessions`` keyed by the SHA-256 of the random
id its cookie carries; :func:`end_session` (logout), :func:`set_password` and
:func:`set_active` (disabling) revoke rows, and a revoked or expired row no longer
resolves to a user however valid the cookie's signature.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from cctvscope.errors import Finding, InputError
from cctvscope.model.entities import AREA_CODE_PATTERN
from cctvscope.store.web_tables import api_tokens, user_boroughs, users, web_sessions
from cctvscope.web.security import (
    UserRole,
    hash_password,
    new_api_token,
    token_digest,
    verify_password,
)

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
MIN_PASSWORD_LENGTH = 10
BOROUGH_CODE_PATTERN = re.compile(AREA_CODE_PATTERN)


@dataclass(frozen=True)
class User:
    """An account as the app sees it (never with its password hash)."""

    id: int
    username: str
    role: UserRole
    boroughs: frozenset[str]
    business_id: str | None
    active: bool

    @property
    def all_london(self) -> bool:
        """Whether the role reads every borough (admin, analyst, police)."""
        return self.role in (UserRole.ADMIN, UserRole.ANALYST, UserRole.POLICE)

    def may_read_borough(self, code: str) -> bool:
        """Whether the user may read borough ``code``'s profile and figures."""
        return self.all_london or (self.role is UserRole.BOROUGH_MANAGER and code in self.boroughs)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _password_problem(password: str) -> Finding | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return Finding(
            "error", None, "password", None, f"at least {MIN_PASSWORD_LENGTH} characters"
        )
    return None


def add_user(
    engine: Engine,
    username: str,
    password: str,
    role: UserRole | str,
    *,
    boroughs: Iterable[str] = (),
    business_id: str | None = None,
) -> User:
    """Create an account; all problems are reported at once as an :class:`InputError`."""
    problems: list[Finding] = []
    try:
        role = UserRole(role)
    except ValueError:
        valid = ", ".join(r.value for r in UserRole)
        problems.append(Finding("error", None, "role", str(role), f"one of {valid}"))
    codes = sorted(set(boroughs))
    if not USERNAME_PATTERN.match(username):
        reason = "2-64 letters, digits or _.@-"
        problems.append(Finding("error", None, "username", username, reason))
    if weak := _password_problem(password):
        problems.append(weak)
    bad = [c for c in codes if not BOROUGH_CODE_PATTERN.match(c)]
    if bad:
        reason = "area codes are 1-32 letters, digits or _.:- (e.g. E09000007)"
        problems.append(Finding("error", None, "borough", ", ".join(bad), reason))
    if role == UserRole.BOROUGH_MANAGER and not codes:
        problems.append(Finding("error", None, "borough", None, "a borough manager needs one"))
    if role == UserRole.BUSINESS and not business_id:
        problems.append(Finding("error", None, "business_id", None, "a business user needs one"))
    if problems:
        raise InputError(f"cannot add user {username!r}", problems)
    with engine.begin() as connection:
        taken = connection.execute(
            sa.select(users.c.id).where(users.c.username == username)
        ).first()
        if taken:
            raise InputError(
                f"user {username!r} exists",
                [Finding("error", None, "username", username, "taken")],
            )
        inserted = connection.execute(
            users.insert().values(
                username=username,
                password_hash=hash_password(password),
                role=str(role),
                business_id=business_id if role == UserRole.BUSINESS else None,
                active=True,
                created_at=_now(),
            )
        ).inserted_primary_key
        assert inserted is not None
        user_id = int(inserted[0])
        if role == UserRole.BOROUGH_MANAGER:
            connection.execute(
                user_boroughs.insert(), [{"user_id": user_id, "borough_code": c} for c in codes]
            )
    found = get_user(engine, user_id)
    assert found is not None
    return found


def _user(connection: sa.Connection, row: sa.RowMapping) -> User:
    codes = connection.execute(
        sa.select(user_boroughs.c.borough_code).where(user_boroughs.c.user_id == row["id"])
    ).scalars()
    return User(
        id=int(row["id"]),
        username=str(row["username"]),
        role=UserRole(row["role"]),
        boroughs=frozenset(str(c) for c in codes),
        business_id=row["business_id"],
        active=bool(row["active"]),
    )


def get_user(engine: Engine, user_id: int) -> User | None:
    """The active user with id ``user_id``, if any."""
    with engine.connect() as connection:
        row = (
            connection.execute(sa.select(users).where(users.c.id == user_id, users.c.active))
            .mappings()
            .first()
        )
        return None if row is None else _user(connection, row)


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The user whose username and password match (argon2), else None."""
    with engine.connect() as connection:
        row = (
            connection.execute(sa.select(users).where(users.c.username == username, users.c.active))
            .mappings()
            .first()
        )
        stored = None if row is None else str(row["password_hash"])
        if not verify_password(stored, password) or row is None:
            return None
        return _user(connection, row)


def list_users(engine: Engine) -> list[User]:
    """Every account, by username."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(users).order_by(users.c.username)).mappings().all()
        return [_user(connection, row) for row in rows]


def create_token(engine: Engine, username: str, label: str = "") -> str:
    """A new API token for ``username``; the token is returned once, its digest stored."""
    with engine.begin() as connection:
        user_id = connection.execute(
            sa.select(users.c.id).where(users.c.username == username)
        ).scalar()
        if user_id is None:
            raise InputError(f"no user {username!r}")
        token = new_api_token()
        connection.execute(
            api_tokens.insert().values(
                user_id=user_id,
                token_sha256=token_digest(token),
                label=label or "api",
                created_at=_now(),
            )
        )
    return token


def _user_lookup(table: sa.Table, *conditions: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """The active user joined to the unrevoked row of ``table`` (tokens, sessions) matching
    ``conditions``, with their boroughs: one row per borough (one with a null borough when
    none), so that a request's caller is one query."""
    return (
        sa.select(users.c.id, users.c.username, users.c.role, users.c.business_id,
                  users.c.active, user_boroughs.c.borough_code)
        .select_from(
            users.join(table, table.c.user_id == users.c.id).outerjoin(
                user_boroughs, user_boroughs.c.user_id == users.c.id
            )
        )
        .where(*conditions, table.c.revoked_at.is_(None), users.c.active)
    )  # fmt: skip


# Built once: every request asks one of these.
_TOKEN_USER = _user_lookup(api_tokens, api_tokens.c.token_sha256 == sa.bindparam("digest"))
_SESSION_USER = _user_lookup(
    web_sessions,
    web_sessions.c.id_sha256 == sa.bindparam("digest"),
    web_sessions.c.user_id == sa.bindparam("user_id"),
    web_sessions.c.expires_at > sa.bindparam("now"),
)


def _active_user_through(engine: Engine, query: sa.Select[Any], **values: Any) -> User | None:
    """The user ``query`` (one of the lookups above) finds for ``values``, else None."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # One statement reads a consistent snapshot alone: no BEGIN and ROLLBACK
            # round trips around it (SQLite's reads begin no server-side work anyway).
            connection.execution_options(isolation_level="AUTOCOMMIT")
        rows = connection.execute(query, values).all()
    if not rows:
        return None
    first = rows[0]
    return User(
        id=int(first.id),
        username=str(first.username),
        role=UserRole(first.role),
        boroughs=frozenset(str(r.borough_code) for r in rows if r.borough_code is not None),
        business_id=first.business_id,
        active=bool(first.active),
    )


def user_for_token(engine: Engine, token: str) -> User | None:
    """The active user an unrevoked API token belongs to, else None."""
    return _active_user_through(engine, _TOKEN_USER, digest=token_digest(token))


# --- sessions -------------------------------------------------------------------------------


def start_session(engine: Engine, user_id: int, sid: str, max_age_s: float) -> None:
    """Record a new logged-in session (by the digest of its id) lasting ``max_age_s``."""
    now = _now()
    with engine.begin() as connection:
        # Expired rows answer nothing; drop them here so the table holds live sessions.
        connection.execute(web_sessions.delete().where(web_sessions.c.expires_at < now))
        connection.execute(
            web_sessions.insert().values(
                id_sha256=token_digest(sid),
                user_id=user_id,
                created_at=now,
                expires_at=now + dt.timedelta(seconds=max_age_s),
            )
        )


def user_for_session(engine: Engine, user_id: int, sid: str | None) -> User | None:
    """The active user of an unrevoked, unexpired session of ``user_id``, else None."""
    if not sid:
        return None
    return _active_user_through(
        engine, _SESSION_USER, digest=token_digest(sid), user_id=user_id, now=_now()
    )


def end_session(engine: Engine, sid: str | None) -> None:
    """Revoke one session (logout)."""
    if not sid:
        return
    with engine.begin() as connection:
        connection.execute(
            web_sessions.update()
            .where(
                web_sessions.c.id_sha256 == token_digest(sid), web_sessions.c.revoked_at.is_(None)
            )
            .values(revoked_at=_now())
        )


def _end_user_sessions(connection: sa.Connection, user_id: int) -> int:
    result = connection.execute(
        web_sessions.update()
        .where(web_sessions.c.user_id == user_id, web_sessions.c.revoked_at.is_(None))
        .values(revoked_at=_now())
    )
    return int(result.rowcount)


def _user_id(connection: sa.Connection, username: str) -> int:
    found = connection.execute(sa.select(users.c.id).where(users.c.username == username)).scalar()
    if found is None:
        raise InputError(
            f"no user {username!r}", [Finding("error", None, "username", username, "unknown")]
        )
    return int(found)


def set_password(engine: Engine, username: str, password: str) -> int:
    """Give ``username`` a new password and end every session of theirs; returns how many."""
    if weak := _password_problem(password):
        raise InputError(f"cannot change the password of {username!r}", [weak])
    with engine.begin() as connection:
        user_id = _user_id(connection, username)
        connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(password_hash=hash_password(password))
        )
        return _end_user_sessions(connection, user_id)


def set_active(engine: Engine, username: str, active: bool) -> int:
    """Enable or disable an account; disabling ends every session of it (returns how many).

    A disabled account's API tokens stop working too (they resolve only active users)."""
    with engine.begin() as connection:
        user_id = _user_id(connection, username)
        connection.execute(users.update().where(users.c.id == user_id).values(active=active))
        return 0 if active else _end_user_sessions(connection, user_id)
