"""Read the layers of a user's region: area boundaries, small areas, population, crime.

Every reader takes a user-given path and returns ``(frame, findings)``: the frame
in a metric CRS, and every problem found at once (a file that cannot be read is a
file-level error :class:`~cctvscope.errors.Finding`, never a traceback). Rows are
numbered from 1 in file order.

Any CRS goes in; what comes out is British National Grid (EPSG:27700) when the
data lie in Great Britain, else the UTM zone of their centroid
(:func:`metric_crs`). OpenStreetMap features are read by
:mod:`cctvscope.ingest.region_osm`.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer

from cctvscope.crs import BNG, WGS84, looks_like_wgs84
from cctvscope.errors import Finding
from cctvscope.model.entities import AREA_CODE_PATTERN

#: Most features a boundary or small-area file may hold (bounded work and memory).
MAX_POLYGONS = 100_000
#: Most rows all police.uk crime files of one region may hold together.
MAX_CRIME_ROWS = 2_000_000

#: Great Britain in WGS84 degrees (west, south, east, north): data inside use BNG.
GB_BOUNDS_DEG = (-8.75, 49.8, 1.9, 60.95)

CODE_ALIASES = ("code", "gss_code", "lad24cd", "lad23cd", "lad22cd", "wd23cd", "wd22cd",
                "lsoa21cd", "lsoa11cd", "id")  # fmt: skip
NAME_ALIASES = ("name", "lad24nm", "lad23nm", "lad22nm", "wd23nm", "wd22nm", "lsoa21nm",
                "lsoa11nm")  # fmt: skip
#: Small-area files carry their parent district's code too: their own code comes first.
SMALL_CODE_ALIASES = ("lsoa21cd", "lsoa11cd", "oa21cd", "msoa21cd", *CODE_ALIASES)
SMALL_NAME_ALIASES = ("lsoa21nm", "lsoa11nm", "msoa21nm", *NAME_ALIASES)
POPULATION_ALIASES = ("population", "pop", "persons", "all_ages", "persons_all-ages", "total")

#: police.uk street-level crime columns this reader needs.
POLICE_UK_COLUMNS = ("Month", "Crime type", "Longitude", "Latitude", "LSOA code")

Findings = tuple[Finding, ...]
_CODE = re.compile(AREA_CODE_PATTERN)
POLYGONAL = ("Polygon", "MultiPolygon")


def file_finding(reason: str, value: str | None = None, field: str | None = None) -> Finding:
    """A file-level error."""
    return Finding("error", None, field, value, reason)


def metric_crs(frame: gpd.GeoDataFrame) -> str:
    """BNG when ``frame`` lies in Great Britain, else the UTM zone of its centroid.

    Computed from the WGS84 bounding box, so a frame in any CRS gets the same answer.
    """
    west, south, east, north = frame.to_crs(WGS84).total_bounds
    gw, gs, ge, gn = GB_BOUNDS_DEG
    if west >= gw and south >= gs and east <= ge and north <= gn:
        return BNG
    lon, lat = (west + east) / 2, (south + north) / 2
    zone = int((lon + 180) // 6) % 60 + 1
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def to_metric(xs: Sequence[float], ys: Sequence[float], crs: str) -> tuple[Any, Any]:
    """WGS84 longitude/latitude [°] to ``crs`` metres."""
    transformer = Transformer.from_crs(WGS84, crs, always_xy=True)
    return transformer.transform(np.asarray(xs, float), np.asarray(ys, float))


def _column(
    columns: Iterable[str], given: str | None, aliases: Sequence[str]
) -> tuple[str | None, bool]:
    """The source column for a field: the given one (exact, then any case) or the first alias.

    Returns (column, found); (given, False) when a given column is absent.
    """
    names = [str(c) for c in columns]
    lower = {n.lower(): n for n in names}
    if given is not None:
        return (
            (given, True)
            if given in names
            else (lower.get(given.lower(), given), given.lower() in lower)
        )
    for alias in aliases:
        if alias in lower:
            return lower[alias], True
    return None, False


def read_layer(
    path: Path, *, limit: int = MAX_POLYGONS
) -> tuple[gpd.GeoDataFrame | None, Findings]:
    """Read a GeoJSON, GeoPackage or shapefile with pyogrio, refusing files over ``limit``.

    A file with no CRS is read as WGS84 when its coordinates look like
    longitude/latitude (with a warning), else refused.
    """
    try:
        info = pyogrio.read_info(path)
        count = int(info.get("features") or 0)
        if count > limit:
            reason = f"{count:,} features; at most {limit:,} are read (split the file)"
            return None, (file_finding(reason, str(count)),)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyogrio's notes on field types are not for users
            frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # GDAL raises many kinds; each one means a bad file
        return None, (file_finding(f"cannot read {path.name}: {exc}"),)
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        return None, (file_finding(f"{path.name} has no geometry"),)
    findings: list[Finding] = []
    if frame.crs is None:
        bounds = frame.geometry.bounds
        if looks_like_wgs84(bounds["minx"], bounds["miny"]):
            frame = frame.set_crs(WGS84)
            reason = "no CRS in the file: coordinates read as WGS84 longitude/latitude"
            findings.append(Finding("warning", None, "crs", None, reason))
        else:
            reason = "no CRS in the file (a shapefile's .prj missing?); give it one"
            return None, (file_finding(reason, field="crs"),)
    return frame.reset_index(drop=True), tuple(findings)


def _clean_polygons(frame: gpd.GeoDataFrame, out: list[Finding]) -> gpd.GeoSeries:
    """Polygonal geometry per row: invalid ones repaired (warning), others None (error)."""
    result: list[Any] = []
    for row, geom in enumerate(frame.geometry, start=1):
        if geom is None or geom.is_empty:
            out.append(Finding("error", row, "geometry", None, "empty geometry"))
            result.append(None)
            continue
        if geom.geom_type not in (*POLYGONAL, "GeometryCollection"):
            reason = f"not a polygon ({geom.geom_type}): area boundaries are polygons"
            out.append(Finding("error", row, "geometry", geom.geom_type, reason))
            result.append(None)
            continue
        if not geom.is_valid:
            why = shapely.is_valid_reason(geom)
            geom = shapely.make_valid(geom)
            out.append(Finding("warning", row, "geometry", why, "invalid polygon repaired"))
        if geom.geom_type not in POLYGONAL:
            parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in POLYGONAL]
            geom = shapely.union_all(parts) if parts else None
        if geom is None or geom.is_empty or geom.area <= 0:
            out.append(Finding("error", row, "geometry", None, "no polygon area"))
            geom = None
        result.append(geom)
    return gpd.GeoSeries(result, index=frame.index, crs=frame.crs)


def read_polygons(
    path: Path,
    *,
    code_field: str | None = None,
    name_field: str | None = None,
    code_aliases: Sequence[str] = CODE_ALIASES,
    name_aliases: Sequence[str] = NAME_ALIASES,
    crs: str | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None, Findings]:
    """Shared reader of boundary-like files: (areas, the source frame, findings).

    ``areas`` has ``code``, ``name`` and polygon ``geometry`` in ``crs`` (None: the
    metric CRS of the data); empty when there are errors.
    """
    empty = gpd.GeoDataFrame({"code": [], "name": []}, geometry=[], crs=crs or BNG)
    frame, first = read_layer(path)
    if frame is None:
        return empty, None, first
    out = list(first)
    code_col, code_ok = _column(frame.columns, code_field, code_aliases)
    name_col, name_ok = _column(frame.columns, name_field, name_aliases)
    columns = ", ".join(str(c) for c in frame.columns if c != frame.geometry.name)
    if not code_ok:
        reason = (
            f"no column {code_col!r}" if code_col else "no code column; give --code-field"
        ) + f" (columns: {columns})"
        out.append(file_finding(reason, code_col, "code"))
    if name_field is not None and not name_ok:
        out.append(file_finding(f"no column {name_col!r} (columns: {columns})", name_col, "name"))
    if len(frame) == 0:
        out.append(file_finding(f"{path.name} has no features"))
    if any(f.severity == "error" for f in out):
        return empty, frame, tuple(out)
    codes = [_text(v) for v in frame[code_col]]
    if name_ok and name_col is not None:
        names = [_text(v) for v in frame[name_col]]
    else:
        names = list(codes)
        reason = "no name column (give --name-field): areas are named by their codes"
        out.append(Finding("warning", None, "name", None, reason))
    seen: dict[str, int] = {}
    for row, (code, name) in enumerate(zip(codes, names, strict=True), start=1):
        if not code:
            out.append(Finding("error", row, "code", None, "empty code"))
        elif not _CODE.match(code):
            reason = "a code is 1-32 letters, digits or _.:- (no spaces)"
            out.append(Finding("error", row, "code", code, reason))
        elif code in seen:
            reason = f"duplicate code (also row {seen[code]})"
            out.append(Finding("error", row, "code", code, reason))
        else:
            seen[code] = row
        if not name and code:
            names[row - 1] = code
    geometry = _clean_polygons(frame, out)
    if any(f.severity == "error" for f in out):
        return empty, frame, tuple(out)
    areas = gpd.GeoDataFrame({"code": codes, "name": names}, geometry=geometry, crs=frame.crs)
    return areas.to_crs(crs or metric_crs(areas)), frame, tuple(out)


def _text(value: Any) -> str:
    """A cell as stripped text ("" for missing; integral floats without ``.0``)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_boundaries(
    path: Path,
    *,
    code_field: str | None = None,
    name_field: str | None = None,
    crs: str | None = None,
) -> tuple[gpd.GeoDataFrame, Findings]:
    """A region's area units: ``code``, ``name`` and polygon ``geometry`` in a metric CRS.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage or shapefile, in any CRS.
    code_field, name_field
        Source columns of the code and name; None: found by their usual names
        (:data:`CODE_ALIASES`, :data:`NAME_ALIASES`).
    crs
        Output CRS; None: :func:`metric_crs` of the data.
    """
    areas, _, findings = read_polygons(path, code_field=code_field, name_field=name_field, crs=crs)
    return areas, findings


def read_small_areas(
    path: Path,
    *,
    code_field: str | None = None,
    name_field: str | None = None,
    population_field: str | None = None,
    crs: str | None = None,
) -> tuple[gpd.GeoDataFrame, Findings]:
    """Small statistical areas (LSOAs, output areas): ``code``, ``name``, ``population``, geometry.

    ``population`` is nullable integer: taken from ``population_field`` or a column of
    a usual name (:data:`POPULATION_ALIASES`) when there is one, else missing.
    """
    areas, frame, findings = read_polygons(
        path,
        code_field=code_field,
        name_field=name_field,
        code_aliases=SMALL_CODE_ALIASES,
        name_aliases=SMALL_NAME_ALIASES,
        crs=crs,
    )
    out = list(findings)
    population = pd.Series(pd.NA, index=areas.index, dtype="Int64")
    if frame is not None:
        column, ok = _column(frame.columns, population_field, POPULATION_ALIASES)
        if population_field is not None and not ok:
            out.append(file_finding(f"no column {column!r}", column, "population"))
        elif ok and column is not None and len(areas):
            values, problems = _counts(frame[column].tolist(), "population")
            out += problems
            population = pd.Series(values, index=areas.index, dtype="Int64")
    if any(f.severity == "error" for f in out):
        return areas.iloc[0:0].assign(population=population.iloc[0:0]), tuple(out)
    return areas.assign(population=population)[["code", "name", "population", "geometry"]], tuple(
        out
    )


def _counts(values: Sequence[Any], field: str) -> tuple[list[Any], list[Finding]]:
    """Non-negative whole numbers (commas allowed); blanks are missing, others errors."""
    out: list[Any] = []
    problems: list[Finding] = []
    for row, value in enumerate(values, start=1):
        text = _text(value).replace(",", "")
        if not text:
            out.append(pd.NA)
            continue
        try:
            number = float(text)
        except ValueError:
            number = -1.0
        if number < 0 or not number.is_integer():
            problems.append(Finding("error", row, field, text, "not a whole number ≥ 0"))
            out.append(pd.NA)
        else:
            out.append(int(number))
    return out, problems


def read_population(path: Path) -> tuple[pd.DataFrame, Findings]:
    """A population table (CSV): ``code`` and ``population`` per area or small area."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=MAX_POLYGONS + 1)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return _no_population(), (file_finding(f"cannot read {path.name}: {exc}"),)
    if len(raw) > MAX_POLYGONS:
        reason = f"more than {MAX_POLYGONS:,} rows (split the file)"
        return _no_population(), (file_finding(reason),)
    code_col, code_ok = _column(raw.columns, None, SMALL_CODE_ALIASES)
    pop_col, pop_ok = _column(raw.columns, None, POPULATION_ALIASES)
    out: list[Finding] = []
    if not code_ok:
        out.append(
            file_finding(f"no code column (columns: {', '.join(raw.columns)})", None, "code")
        )
    if not pop_ok:
        reason = f"no population column (columns: {', '.join(raw.columns)})"
        out.append(file_finding(reason, None, "population"))
    if out:
        return _no_population(), tuple(out)
    values, problems = _counts(raw[pop_col].tolist(), "population")
    codes = [_text(v) for v in raw[code_col]]
    seen: dict[str, int] = {}
    for row, code in enumerate(codes, start=1):
        if code in seen:
            problems.append(Finding("error", row, "code", code, f"duplicate (row {seen[code]})"))
        seen.setdefault(code, row)
    if problems:
        return _no_population(), tuple(problems)
    return pd.DataFrame({"code": codes, "population": pd.array(values, dtype="Int64")}), ()


def _no_population() -> pd.DataFrame:
    return pd.DataFrame({"code": pd.Series([], dtype=object), "population": pd.array([], "Int64")})


CRIME_COLUMNS = ["month", "crime_type", "x_m", "y_m", "lsoa_code"]


def read_police_uk_crime(paths: Sequence[Path], *, crs: str = BNG) -> tuple[pd.DataFrame, Findings]:
    """police.uk street-level crime CSVs: month, crime type, ``x_m``/``y_m``, LSOA code.

    Every crime type is kept. Rows without usable coordinates (police.uk leaves
    some blank) are dropped and counted in one warning per file; coordinates go
    to ``crs`` [m].
    """
    frames: list[pd.DataFrame] = []
    out: list[Finding] = []
    total = 0
    for path in paths:
        try:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=MAX_CRIME_ROWS + 1)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            out.append(file_finding(f"cannot read {path.name}: {exc}", path.name))
            continue
        missing = [c for c in POLICE_UK_COLUMNS if c not in raw.columns]
        if missing:
            reason = f"{path.name} is not a police.uk street-level crime file: no column(s) " + (
                ", ".join(repr(c) for c in missing)
            )
            out.append(file_finding(reason, path.name))
            continue
        total += len(raw)
        if total > MAX_CRIME_ROWS:
            reason = (
                f"more than {MAX_CRIME_ROWS:,} crimes in all; give fewer months or a smaller area"
            )
            out.append(file_finding(reason, path.name))
            break
        lon = pd.to_numeric(raw["Longitude"], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(raw["Latitude"], errors="coerce").to_numpy(float)
        ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
        if (~ok).any():
            reason = f"{path.name}: {int((~ok).sum())} crime(s) without coordinates left out"
            out.append(Finding("warning", None, "Longitude", str(int((~ok).sum())), reason))
        x, y = to_metric(lon[ok], lat[ok], crs)
        kept = raw.loc[ok]
        frames.append(
            pd.DataFrame(
                {
                    "month": kept["Month"].str.strip().to_numpy(),
                    "crime_type": kept["Crime type"].str.strip().to_numpy(),
                    "x_m": np.asarray(x, float),
                    "y_m": np.asarray(y, float),
                    "lsoa_code": kept["LSOA code"].str.strip().replace("", None).to_numpy(),
                }
            )
        )
    if any(f.severity == "error" for f in out) or not frames:
        return pd.DataFrame(columns=CRIME_COLUMNS), tuple(out)
    return pd.concat(frames, ignore_index=True)[CRIME_COLUMNS], tuple(out)


def crs_epsg(crs: str) -> int:
    """The EPSG code of a CRS string such as ``EPSG:27700``."""
    epsg = CRS.from_user_input(crs).to_epsg()
    if epsg is None:  # pragma: no cover - metric_crs only returns EPSG codes
        raise ValueError(f"{crs} has no EPSG code")
    return int(epsg)


def file_sha256(path: Path) -> str:
    """SHA-256 of a user's layer file, recorded with the layer (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
