"""Provenance per attribute: where each camera value comes from, and how much is real.

A camera record has one provenance (``real``, ``imported``, ``synthetic``) and three
lists naming the attributes that did not come from its source:
``defaulted_fields`` (the assumptions file filled them), ``catalogue_fields``
(the camera-model catalogue filled them for the record's make and model) and
``measured_fields`` (a live ONVIF audit read them from the device, at
``measured_at``). From these, every attribute of every camera has an
:class:`AttributeSource`:

- a measured attribute is ``measured``, whatever the record's provenance;
- otherwise a synthetic record's attributes are ``synthetic`` (defaulted ones ``default``);
- otherwise a defaulted attribute is ``default``, a catalogue one ``catalogue``,
  and the rest ``real``.

Checks treat ``default`` as unknown; ``catalogue`` and ``measured`` count as real
(a datasheet figure for the named model; what the device itself reports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cctvscope.model.entities import Camera
from cctvscope.model.enums import AttributeSource, Provenance

if TYPE_CHECKING:
    import pandas as pd

#: Camera fields that record where the other fields come from (never set by a source).
SOURCE_FIELDS: tuple[str, ...] = (
    "provenance",
    "source",
    "defaulted_fields",
    "catalogue_fields",
    "measured_fields",
    "measured_at",
)

#: Camera fields that are bookkeeping or location, not attributes a source describes.
_NOT_ATTRIBUTES = frozenset({"camera_id", "borough_code", "x_m", "y_m", *SOURCE_FIELDS})

#: Camera attributes whose provenance is tracked, in model order.
CAMERA_ATTRIBUTES: tuple[str, ...] = tuple(
    name for name in Camera.model_fields if name not in _NOT_ATTRIBUTES
)

#: Attributes that describe what the camera records (the inputs of checks and coverage).
MEASURED_ATTRIBUTES: tuple[str, ...] = (
    "mount_height_m",
    "heading_deg",
    "hfov_deg",
    "tilt_deg",
    "ptz",
    "ptz_max_zoom",
    "resolution_h_px",
    "resolution_v_px",
    "codec",
    "fps",
    "signal",
    "install_year",
    "retention_days",
    "onvif_profiles",
    "export_formats",
    "time_sync",
    "status",
)

#: Attributes that decide what a camera sees (the inputs of the coverage engine).
COVERAGE_ATTRIBUTES: tuple[str, ...] = (
    "mount_height_m",
    "heading_deg",
    "hfov_deg",
    "tilt_deg",
    "ptz",
    "ptz_max_zoom",
    "resolution_h_px",
)

REAL_RECORD = frozenset({str(Provenance.REAL), str(Provenance.IMPORTED)})
"""Record provenances that count as real (published or returned)."""


def _listed(cells: pd.Series, name: str) -> np.ndarray:
    """Whether each ``;``-separated list cell names ``name``."""
    padded = ";" + cells.fillna("").astype(str) + ";"
    return np.asarray(padded.str.contains(f";{name};", regex=False).to_numpy(), dtype=bool)


def attribute_sources(
    cameras: pd.DataFrame, attributes: tuple[str, ...] = CAMERA_ATTRIBUTES
) -> pd.DataFrame:
    """One row per camera, one column per attribute: its :class:`AttributeSource` value.

    The index is the camera table's; ``camera_id`` is the first column.
    """
    import pandas as pd

    synthetic = (cameras["provenance"].astype(str) == str(Provenance.SYNTHETIC)).to_numpy()
    catalogue = (
        cameras["catalogue_fields"]
        if "catalogue_fields" in cameras.columns
        else pd.Series("", index=cameras.index)
    )
    measured = (
        cameras["measured_fields"]
        if "measured_fields" in cameras.columns
        else pd.Series("", index=cameras.index)
    )
    out = pd.DataFrame({"camera_id": cameras["camera_id"].to_numpy()}, index=cameras.index)
    for name in attributes:
        source = np.where(synthetic, AttributeSource.SYNTHETIC.value, AttributeSource.REAL.value)
        source = np.where(_listed(catalogue, name), AttributeSource.CATALOGUE.value, source)
        source = np.where(
            _listed(cameras["defaulted_fields"], name), AttributeSource.DEFAULT.value, source
        )
        # A value read from the device supersedes every other source of it.
        source = np.where(_listed(measured, name), AttributeSource.MEASURED.value, source)
        out[name] = source
    return out


_REAL_SOURCES = (
    AttributeSource.REAL.value,
    AttributeSource.CATALOGUE.value,
    AttributeSource.MEASURED.value,
)


def _counts_as_real(sources: np.ndarray) -> np.ndarray:
    """Whether each source counts as real: the source, the catalogue or the device gave it."""
    return np.isin(sources, _REAL_SOURCES)


def share_real_values(
    cameras: pd.DataFrame, attributes: tuple[str, ...] = MEASURED_ATTRIBUTES
) -> float:
    """Share of (camera, attribute) values that are real, catalogue or measured (NaN if none)."""
    if cameras.empty:
        return float("nan")
    sources = attribute_sources(cameras, attributes)[list(attributes)].to_numpy()
    return float(_counts_as_real(sources).mean())


def real_value_shares(
    cameras: pd.DataFrame, keys: pd.Series, attributes: tuple[str, ...] = MEASURED_ATTRIBUTES
) -> pd.Series:
    """Share of real, catalogue or measured values per group of ``keys`` (aligned with cameras)."""
    import pandas as pd

    if cameras.empty:
        return pd.Series(dtype=float)
    sources = attribute_sources(cameras, attributes)[list(attributes)].to_numpy()
    per_camera = pd.Series(_counts_as_real(sources).mean(axis=1), index=cameras.index)
    return per_camera.groupby(keys.to_numpy()).mean()


def source_counts(
    cameras: pd.DataFrame, attributes: tuple[str, ...] = CAMERA_ATTRIBUTES
) -> pd.DataFrame:
    """Per attribute: how many cameras have it from each source (columns: the sources)."""
    import pandas as pd

    sources = attribute_sources(cameras, attributes)
    counts = {
        name: sources[name].value_counts().reindex([s.value for s in AttributeSource])
        for name in attributes
    }
    table = pd.DataFrame(counts).T.fillna(0).astype(int)
    return table.rename_axis("attribute").reset_index()


__all__ = [
    "CAMERA_ATTRIBUTES",
    "COVERAGE_ATTRIBUTES",
    "MEASURED_ATTRIBUTES",
    "REAL_RECORD",
    "SOURCE_FIELDS",
    "attribute_sources",
    "real_value_shares",
    "share_real_values",
    "source_counts",
]
