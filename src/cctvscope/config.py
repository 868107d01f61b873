"""Deployment settings (environment prefix ``CCTVSCOPE_``).

Built by callers (the CLI, the web app), never at import time; code below the
workflows takes its options as arguments and never reads settings.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_FILE = "cctvscope.db"


class Settings(BaseSettings):
    """Where the store is and where outputs go."""

    model_config = SettingsConfigDict(env_prefix="CCTVSCOPE_", extra="ignore")

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}",
        description="SQLAlchemy URL of the store: sqlite:///FILE (default ./cctvscope.db) "
        "or postgresql+psycopg://USER@HOST:PORT/DB (PostGIS).",
    )


def get_settings() -> Settings:
    """Settings from the environment."""
    return Settings()
