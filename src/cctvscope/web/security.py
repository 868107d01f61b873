"""Passwords (argon2), signed session cookies with a CSRF token, API tokens.

The login rate limit is in :mod:`cctvscope.web.throttle` (counted in the store).

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
import time
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
