"""Export an estate version with every attribute's provenance: GeoPackage, GeoParquet or CSV.

A borough checks its return in QGIS or Excel; an analyst diffs two versions. Every
table goes out, one layer (GeoPackage) or one file (GeoParquet, CSV) per table,
plus:

- ``camera_sources``: per camera, the :class:`~cctvscope.model.enums.AttributeSource`
  of each attribute (real, catalogue, default, synthetic);
- ``findings``: the import warnings stored with the estate;
- ``returns``: the log of imports that made this version.

CSV cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``
first) are written with a leading apostrophe, so a register's text cannot execute
when opened in Excel.
"""

from __future__ import annotations

import json
import shutil
from enum import StrEnum
from pathlib import Path

import geopandas as gpd
import pandas as pd

from cctvscope.errors import InputError
from cctvscope.model.estate import TABLES, Estate
from cctvscope.model.provenance import attribute_sources
from cctvscope.reporting.safe_csv import is_textual, write_csv
from cctvscope.workflows.imports import RETURNS_KEY


class ExportFormat(StrEnum):
    """File formats of an estate export."""

    GPKG = "gpkg"
    PARQUET = "parquet"
    CSV = "csv"


def export_format_for(path: Path, fmt: str | None) -> ExportFormat:
    """The format named, else the one ``path``'s suffix implies (``.gpkg``); else an error."""
    if fmt:
        try:
            return ExportFormat(fmt.lower())
        except ValueError:
            allowed = ", ".join(f.value for f in ExportFormat)
            raise InputError(f"unknown export format {fmt!r}; formats are {allowed}") from None
    suffix = path.suffix.lower().lstrip(".")
    if suffix in (f.value for f in ExportFormat):
        return ExportFormat(suffix)
    raise InputError(
        f"cannot tell the format from {path.name!r}: name a .gpkg file, or give "
        "--format parquet|csv with a folder"
    )


def export_tables(estate: Estate) -> dict[str, pd.DataFrame]:
    """Every table of the export, by layer name."""
    tables: dict[str, pd.DataFrame] = {name: estate.table(name) for name in TABLES}
    tables["camera_sources"] = attribute_sources(pd.DataFrame(estate.cameras))
    tables["findings"] = pd.DataFrame(estate.findings)
    returns = list(estate.metadata.get(RETURNS_KEY, []))
    tables["returns"] = pd.DataFrame(
        [{**r, "scope": json.dumps(r.get("scope", {}), sort_keys=True)} for r in returns]
    )
    return tables


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as text (dates ISO, None blank), so every writer takes them."""
    out = pd.DataFrame(frame).copy()
    for column in out.columns:
        if column == "geometry":
            continue
        if is_textual(out[column]):
            out[column] = out[column].map(lambda v: "" if v is None else str(v))
    return out


def write_estate_export(estate: Estate, path: Path, fmt: ExportFormat) -> list[Path]:
    """Write the export; return the files written. An existing target is replaced."""
    tables = export_tables(estate)
    written: list[Path] = []
    if fmt is ExportFormat.GPKG:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        for name, frame in tables.items():
            plain = _plain(frame)
            if isinstance(frame, gpd.GeoDataFrame):
                gpd.GeoDataFrame(plain, geometry="geometry", crs=frame.crs).to_file(
                    path, layer=name, driver="GPKG", engine="pyogrio"
                )
            else:
                gpd.GeoDataFrame(plain).to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        return [path]
    if path.exists() and not path.is_dir():
        raise InputError(f"{path} is a file: {fmt.value} exports go to a folder")
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    for name, frame in tables.items():
        target = path / f"{name}.{fmt.value}"
        plain = _plain(frame)
        if fmt is ExportFormat.PARQUET:
            if isinstance(frame, gpd.GeoDataFrame):
                gpd.GeoDataFrame(plain, geometry="geometry", crs=frame.crs).to_parquet(target)
            else:
                plain.to_parquet(target, index=False)
        else:
            if "geometry" in plain.columns:
                plain["geometry"] = gpd.GeoSeries(plain["geometry"]).to_wkt()
            write_csv(plain, target)
        written.append(target)
    return written


__all__ = ["ExportFormat", "export_format_for", "export_tables", "write_estate_export"]
