"""The service layer that the CLI, the web app and the reports call.

Workflows take a store engine and options, compute on an estate, and return
frozen results or DataFrames; inputs are never modified.

The names below are imported on first use (PEP 562), so that a command needing one
workflow module (a police search) does not import them all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cctvscope.workflows.assess import BOROUGH_SUMMARY_COLUMNS, summarise_boroughs
    from cctvscope.workflows.estates import (
        DemoResult,
        ImportOutcome,
        build_demo,
        import_cameras,
    )

_WHERE = {
    "BOROUGH_SUMMARY_COLUMNS": "cctvscope.workflows.assess",
    "summarise_boroughs": "cctvscope.workflows.assess",
    "DemoResult": "cctvscope.workflows.estates",
    "ImportOutcome": "cctvscope.workflows.estates",
    "build_demo": "cctvscope.workflows.estates",
    "import_cameras": "cctvscope.workflows.estates",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BOROUGH_SUMMARY_COLUMNS",
    "DemoResult",
    "ImportOutcome",
    "build_demo",
    "import_cameras",
    "summarise_boroughs",
]
