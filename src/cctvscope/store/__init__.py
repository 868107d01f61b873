"""The store: versioned estates and analysis runs in SQLite or PostgreSQL/PostGIS.

SQLAlchemy Core tables (:mod:`~cctvscope.store.tables`), Alembic migrations
shipped in the package (:mod:`~cctvscope.store.migrate`), and a function API
(:mod:`~cctvscope.store.repository`) that takes an engine or URL and never
reads settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cctvscope.store import evidence_tables as evidence_tables  # registers its tables
from cctvscope.store.engine import connect
from cctvscope.store.migrate import upgrade_database
from cctvscope.store.repository import (
    EstateInfo,
    RunInfo,
    VersionStamp,
    canonical_estate,
    delete_estate,
    estate_info,
    init_store,
    latest_version_stamp,
    list_estates,
    list_runs,
    load_estate,
    record_run,
    save_estate,
    store_snapshot,
)

if TYPE_CHECKING:
    from cctvscope.store.assessments import (
        cop_scores,
        estate_borough_codes,
        latest_assessments,
        save_assessment,
    )

#: Imported on first use: they bring the standards' modules, which a police search does
#: not need (PEP 562).
_LAZY = ("cop_scores", "estate_borough_codes", "latest_assessments", "save_assessment")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from cctvscope.store import assessments

        return getattr(assessments, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EstateInfo",
    "RunInfo",
    "VersionStamp",
    "canonical_estate",
    "connect",
    "cop_scores",
    "delete_estate",
    "estate_borough_codes",
    "estate_info",
    "init_store",
    "latest_assessments",
    "latest_version_stamp",
    "list_estates",
    "list_runs",
    "load_estate",
    "record_run",
    "save_assessment",
    "save_estate",
    "store_snapshot",
    "upgrade_database",
]
