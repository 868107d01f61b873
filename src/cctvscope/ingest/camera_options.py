"""What a real register needs beyond the column aliases: value maps, ids, the model catalogue.

Registers published by boroughs number cameras within a scheme ("1".."79" per
ward), spell values their own way ("Fixed", "No power") and name camera models
rather than their lenses. :class:`CameraImportOptions` carries the user's
answers to that — ``--value-map``, ``--id-from`` and the bundled camera-model
catalogue — into :func:`cctvscope.ingest.cameras.import_table`.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from cctvscope.errors import Finding
from cctvscope.ingest.camera_fields import find_column
from cctvscope.ingest.catalogue import CatalogueMatch, resolve_camera_model
from cctvscope.ingest.sources import RawTable

ID_FROM_COLUMN = "_composed_id"
"""Column holding ids composed by ``--id-from``."""

#: Catalogue attribute -> Camera field it fills.
CATALOGUE_FIELDS: tuple[str, ...] = (
    "resolution_h_px",
    "resolution_v_px",
    "hfov_deg",
    "ptz",
    "ir_range_m",
)

#: Columns tried, in pairs at most, to suggest an ``--id-from`` that makes ids unique.
_SUGGEST_LIMIT = 40


@dataclass(frozen=True)
class CameraImportOptions:
    """Options of a camera import beyond field mapping.

    Attributes
    ----------
    value_maps
        Field -> {lower-case cell text -> replacement text} (``--value-map``).
    id_from
        Source columns whose values, joined with ``-``, make each camera's id
        (``--id-from``), for registers whose numbers repeat across schemes.
    catalogue
        The camera-model catalogue (:func:`cctvscope.ingest.catalogue.read_camera_catalogue`);
        None: no look-up, attributes not given are defaulted.
    sheet
        Workbook sheet to read (default ``cameras``).
    """

    value_maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    id_from: tuple[str, ...] = ()
    catalogue: pd.DataFrame | None = None
    sheet: str | None = None


class _CatalogueResolver:
    """Resolves make/model per row against the catalogue, once per distinct pair."""

    def __init__(self, catalogue: pd.DataFrame | None) -> None:
        self.catalogue = catalogue
        self.cache: dict[tuple[str, str], CatalogueMatch | None] = {}

    def match(self, make: str, model: str) -> CatalogueMatch | None:
        key = (make, model)
        if key not in self.cache and self.catalogue is not None:
            self.cache[key] = resolve_camera_model(self.catalogue, make, model)
        return self.cache.get(key)

    def fill(self, row: int, data: dict[str, Any], out: list[Finding]) -> list[str]:
        """Fill attributes the row lacks from its model; return the fields filled."""
        make, model = str(data.get("make") or ""), str(data.get("model") or "")
        if self.catalogue is None or not (make or model):
            return []
        found = self.match(make, model)
        if found is None:
            reason = (
                f"model {' '.join(p for p in (make, model) if p)!r} not in the camera-model "
                "catalogue; its lens and resolution are defaulted unless given"
            )
            out.append(Finding("warning", row, "model", model or make, reason))
            return []
        filled: list[str] = []
        for name in CATALOGUE_FIELDS:
            value = getattr(found, name)
            if name not in data and value is not None:
                data[name] = value
                filled.append(name)
        return filled


@dataclass(frozen=True)
class RowContext:
    """Per-import state the row parser reads: value maps and the catalogue resolver."""

    value_maps: Mapping[str, Mapping[str, str]]
    resolver: _CatalogueResolver


def catalogue_resolver(catalogue: pd.DataFrame | None) -> _CatalogueResolver:
    """A fresh per-import catalogue resolver."""
    return _CatalogueResolver(catalogue)


def compose_ids(raw: RawTable, id_from: Sequence[str]) -> tuple[RawTable, list[Finding]]:
    """Add :data:`ID_FROM_COLUMN` joining the ``id_from`` columns' values with ``-``."""
    if not id_from:
        return raw, []
    present = [str(c) for c in raw.frame.columns]
    found: list[Finding] = []
    columns: list[str] = []
    for name in id_from:
        column = find_column(name, present)
        if column is None:
            reason = f"--id-from: no column {name!r}; columns are {', '.join(present)}"
            found.append(Finding("error", None, "camera_id", name, reason))
        else:
            columns.append(column)
    if found:
        return raw, found
    frame = raw.frame.copy()
    parts = frame[columns].astype(str).apply(lambda s: s.str.strip())
    frame[ID_FROM_COLUMN] = parts.agg("-".join, axis=1).where(parts.ne("").all(axis=1), "")
    return replace(raw, frame=frame), []


def unique_with(
    frame: pd.DataFrame,
    id_column: str | None,
    ids: Sequence[str],
    attribute_columns: Collection[str] = (),
) -> str:
    """``; ids are unique with --id-from A,B`` when some columns would make them unique.

    Only grouping columns are suggested (a ward, a scheme, a site name): columns
    read as camera attributes or coordinates (``attribute_columns``) are not ids.
    """
    series = pd.Series(list(ids), index=frame.index)
    if not series.duplicated().any() or id_column is None:
        return ""
    skip = {id_column, ID_FROM_COLUMN, *attribute_columns}
    others = [c for c in frame.columns if c not in skip][:_SUGGEST_LIMIT]
    for size in (1, 2):
        for combo in itertools.combinations(others, size):
            keyed = pd.concat([series.rename("_id"), frame[list(combo)]], axis=1)
            if not keyed.duplicated().any():
                names = ",".join([id_column, *combo]) if id_column != ID_FROM_COLUMN else ""
                return f"; ids are unique with --id-from {names}" if names else ""
    return ""


__all__ = [
    "CATALOGUE_FIELDS",
    "ID_FROM_COLUMN",
    "CameraImportOptions",
    "RowContext",
    "catalogue_resolver",
    "compose_ids",
    "unique_with",
]
