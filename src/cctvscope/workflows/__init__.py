"""The service layer that the CLI, the web app and the reports call.

Workflows take a store engine and options, compute on an estate, and return
frozen results or DataFrames; inputs are never modified.
"""

from __future__ import annotations

from cctvscope.workflows.assess import BOROUGH_SUMMARY_COLUMNS, summarise_boroughs
from cctvscope.workflows.estates import (
    DemoResult,
    ImportOutcome,
    build_demo,
    import_cameras,
)

__all__ = [
    "BOROUGH_SUMMARY_COLUMNS",
    "DemoResult",
    "ImportOutcome",
    "build_demo",
    "import_cameras",
    "summarise_boroughs",
]
