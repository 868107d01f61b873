"""Files written from an estate and its analyses."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from cctvscope.model.estate import Estate
from cctvscope.reporting.safe_csv import write_csv

GPKG_LAYERS = ("boroughs", "cameras", "control_rooms")


def write_estate_gpkg(estate: Estate, path: Path) -> Path:
    """Write the estate's spatial tables to a GeoPackage (layers :data:`GPKG_LAYERS`).

    An existing file is replaced, so the GeoPackage always holds exactly one estate.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    for layer in GPKG_LAYERS:
        frame = gpd.GeoDataFrame(estate.table(layer))
        frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    return path


def write_borough_summary_csv(summary: pd.DataFrame, path: Path) -> Path:
    """Write the per-borough summary as CSV (ratios rounded to 4 significant decimals)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(summary.round(4), path)
    return path
