"""Passwords (argon2), signed session cookies with a CSRF token, API tokens, login rate limit.

The cookie holds the user id, the session's CSRF token, the issue time and (once
logged in) a random session id, signed with HMAC-SHA256 under the settings' secret
key. A logged-in session is also a row of ``web_sessions`` (by the id's SHA-256):
the signature alone cannot be withdrawn, the row can, so logout, a password change
or disabling the account ends the session on the server. An anonymous visitor gets
a session without a user or a row, so the login form carries a CSRF token too; a
successful login issues a new session (and a new CSRF token).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

SESSION_COOKIE = "cctvscope_session"
CSRF_FORM_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
TOKEN_PREFIX = "cst_"

_hasher = PasswordHasher()
#: Verified against when a username is unknown, so a miss costs what a hit costs.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class UserRole(StrEnum):
    """What an account may do (see docs/web.md for the routes of each)."""

    ADMIN = "admin"
    ANALYST = "analyst"
    BOROUGH_MANAGER = "borough_manager"
    POLICE = "police"
    BUSINESS = "business"


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; an unknown user (None) still costs one verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_api_token() -> str:
    """A fresh API token (shown once; only its digest is stored)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """SHA-256 hex digest under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    """What the session cookie says: the user (None when anonymous), the CSRF token and,
    when logged in, the id of the session's row in the store."""

    user_id: int | None
    csrf: str
    issued_at: float
    sid: str | None = None

    @classmethod
    def new(cls, user_id: int | None) -> Session:
        """A new session with a fresh CSRF token (and a fresh id when logged in)."""
        sid = None if user_id is None else secrets.token_urlsafe(32)
        return cls(user_id, secrets.token_urlsafe(24), time.time(), sid)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), payload.encode("ascii"), "sha256").digest())


def encode_session(session: Session, secret: str) -> str:
    """The signed cookie value of ``session``."""
    body = json.dumps(
        {"u": session.user_id, "c": session.csrf, "t": session.issued_at, "s": session.sid}
    )
    payload = _b64(body.encode("utf-8"))
    return f"{payload}.{_signature(secret, payload)}"


def decode_session(value: str | None, secret: str, max_age_s: float) -> Session | None:
    """The session in a cookie value, or None when missing, tampered with or expired."""
    if not value or value.count(".") != 1:
        return None
    payload, signature = value.split(".")
    if not hmac.compare_digest(signature, _signature(secret, payload)):
        return None
    try:
        data = json.loads(_unb64(payload))
        user_id, sid = data["u"], data.get("s")
        session = Session(
            None if user_id is None else int(user_id),
            str(data["c"]),
            float(data["t"]),
            None if sid is None else str(sid),
        )
    except (ValueError, KeyError, TypeError):
        return None
    if time.time() - session.issued_at > max_age_s:
        return None
    return session


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the one submitted."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


class _Windows:
    """Event times per key in a sliding window, in memory; at most ``max_keys`` keys (the
    stalest are forgotten first), so a flood of new keys cannot grow it without bound."""

    def __init__(self, window_s: float, max_keys: int) -> None:
        self.window_s = window_s
        self.max_keys = max_keys
        self._times: dict[object, deque[float]] = {}

    def count(self, key: object, now: float) -> int:
        times = self._times.get(key)
        if times is None:
            return 0
        while times and now - times[0] > self.window_s:
            times.popleft()
        if not times:
            del self._times[key]
            return 0
        return len(times)

    def add(self, key: object, now: float) -> None:
        times = self._times.pop(key, None) or deque()
        times.append(now)
        self._times[key] = times  # re-inserted: dict order is least recently failed first
        while len(self._times) > self.max_keys:
            del self._times[next(iter(self._times))]

    def forget(self, key: object) -> None:
        self._times.pop(key, None)


class LoginRateLimiter:
    """Failed logins in sliding windows, in memory, per process: per (username, IP), and
    per IP across usernames (password spraying: one address trying many accounts).

    A success forgets the (username, IP) failures but not the IP's: a sprayer who guesses
    one account keeps the address's count.
    """

    #: Keys tracked per window at most (each a few hundred bytes).
    MAX_KEYS = 100_000

    def __init__(
        self, limit: int, window_s: float, ip_limit: int | None = None, ip_window_s: float = 0.0
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.ip_limit = ip_limit
        self._pairs = _Windows(window_s, self.MAX_KEYS)
        self._ips = _Windows(ip_window_s or window_s, self.MAX_KEYS)
        self._lock = threading.Lock()

    def blocked(self, username: str, ip: str) -> bool:
        """Whether this username and IP, or this IP, have used up their failures."""
        with self._lock:
            now = time.monotonic()
            if self._pairs.count((username.lower(), ip), now) >= self.limit:
                return True
            return self.ip_limit is not None and self._ips.count(ip, now) >= self.ip_limit

    def failed(self, username: str, ip: str) -> None:
        """Record one failure."""
        with self._lock:
            now = time.monotonic()
            self._pairs.add((username.lower(), ip), now)
            self._ips.add(ip, now)

    def succeeded(self, username: str, ip: str) -> None:
        """Forget the failures of a username and IP after a good login."""
        with self._lock:
            self._pairs.forget((username.lower(), ip))
