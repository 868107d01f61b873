"""Settings of the web application (environment prefix ``CCTVSCOPE_WEB_``)."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cctvscope.config import get_settings


def _default_database_url() -> str:
    # The CLI's default (CCTVSCOPE_DATABASE_URL, else ./cctvscope.db), so that
    # `cctvscope demo` then `cctvscope serve` meet the same store.
    return get_settings().database_url


class WebSettings(BaseSettings):
    """Where the store and the analysis outputs are, and the security knobs."""

    model_config = SettingsConfigDict(env_prefix="CCTVSCOPE_WEB_", extra="ignore")

    database_url: str = Field(
        default_factory=_default_database_url, description="SQLAlchemy URL of the store."
    )
    output_dir: Path = Field(
        default=Path("out"), description="Folder `cctvscope demo` writes its outputs to."
    )
    estate_name: str = Field(default="london", description="Estate shown (latest version).")
    secret_key: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32),
        description="Key signing session cookies; generated at start when not set, so "
        "sessions do not survive a restart unless it is set.",
        repr=False,
    )
    secure_cookies: bool = Field(
        default=False, description="Mark cookies Secure even on plain HTTP (behind a TLS proxy)."
    )
    session_max_age_s: int = Field(default=8 * 3600, gt=0, description="Session lifetime [s].")
    max_upload_bytes: int = Field(default=5 * 1024 * 1024, gt=0, description="Largest upload [B].")
    login_rate_limit: int = Field(
        default=5, gt=0, description="Failed logins allowed per username and IP per window."
    )
    login_window_s: float = Field(default=60.0, gt=0, description="Rate-limit window [s].")
    login_ip_rate_limit: int = Field(
        default=20,
        gt=0,
        description="Failed logins allowed per IP across all usernames per IP window (password "
        "spraying). 20 per 10 minutes lets an office behind one address mistype freely but "
        "stops a sprayer after 20 guesses; raise it behind a proxy that hides client addresses.",
    )
    login_ip_window_s: float = Field(default=600.0, gt=0, description="Per-IP window [s].")
    db_pool_size: int = Field(
        default=16,
        gt=0,
        description="Store connections each server process keeps open (as many more may open "
        "at a peak, each closed after use). Requests run in up to 40 threads a process: with "
        "SQLAlchemy's default of 5, a busy PostgreSQL server started and ended a backend for "
        "about one request in three. With --workers N, PostgreSQL must allow 2 x N x this.",
    )
    upload_max_rows: int = Field(
        default=20_000,
        gt=0,
        description="Most data rows a web survey preview reads (a borough's council cameras "
        "are a few thousand at most; larger files go through `cctvscope import`).",
    )
    upload_max_cells: int = Field(
        default=1_000_000,
        gt=0,
        description="Most cells (rows x the widest row) a web survey preview reads: the "
        "template's 24 columns on 20,000 rows is 480,000.",
    )
    preview_max_findings: int = Field(
        default=1_000,
        gt=0,
        description="Most findings a preview answers with; all of them are in its findings CSV.",
    )
    upload_keep_s: float = Field(
        default=3600.0,
        gt=0,
        description="How long a previewed survey file waits for its confirm before it is "
        "deleted [s] (a user's new preview deletes their earlier one at once).",
    )
