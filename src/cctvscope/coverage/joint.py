"""Joint public/private coverage: what private cameras add to the public estate.

Public cameras are every camera whose ``owner_type`` is not ``private`` (council,
TfL, police). For each borough and detail level, with P the union of public
wedges and Q the union of private wedges (both clipped to the borough, as in
:func:`~cctvscope.coverage.aggregate.coverage_unions`):

* public area |P|, private area |Q|, joint area |P ∪ Q|;
* overlap |P ∩ Q| (duplication: public and private cameras see the same place);
* private-only |Q − P| = gain = |P ∪ Q| − |P| (km², and % of |P|);
* crime-weighted: recorded LSOA crime spread evenly over each LSOA's area, as in
  :func:`~cctvscope.coverage.aggregate.crimes_in_coverage`, inside P, P ∪ Q and
  the gain, also as shares of the borough's crime.

City-wide these are unions of view wedges without building occlusion (footprints
are bundled for two small central areas only), so they are upper bounds on what
is visible. Coverage at a level is coverage *at that level or better*: a point
where a camera meets Identify density also meets Recognise.

:func:`recruitment_candidates` ranks grid cells by crime among those with no
public coverage at a level: the places where recruiting a private camera into
the registry would add the most.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from cctvscope.coverage.aggregate import M2_PER_KM2, coverage_unions, crimes_in
from cctvscope.coverage.detail import DetailLevel
from cctvscope.coverage.wedges import wedges_by_level
from cctvscope.crs import BNG

#: Default vertices along an arc (as :func:`~cctvscope.coverage.aggregate.coverage_unions`).
ARC_VERTICES = 16

PRIVATE = "private"

JOINT_COLUMNS = (
    "gss_code",
    "level",
    "public_km2",
    "private_km2",
    "joint_km2",
    "overlap_km2",
    "private_only_km2",
    "gain_km2",
    "gain_pct",
    "duplication_share",
    "crimes",
    "crimes_public",
    "crimes_joint",
    "crimes_gain",
    "crime_share_public",
    "crime_share_joint",
    "crime_gain_pct",
)


def split_public_private(cameras: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(public, private) cameras by ``owner_type``."""
    private = cameras["owner_type"].astype(str) == PRIVATE
    return cameras[~private].reset_index(drop=True), cameras[private].reset_index(drop=True)


def _unions(
    cameras: pd.DataFrame,
    boroughs: gpd.GeoDataFrame,
    levels: tuple[DetailLevel, ...],
    usable_range_m: float | None,
    arc_vertices: int,
) -> dict[tuple[str, str], shapely.Geometry]:
    if cameras.empty:
        return {}
    unions = coverage_unions(
        cameras, boroughs, levels, usable_range_m=usable_range_m, arc_vertices=arc_vertices
    )
    return {
        (str(code), str(level)): geom
        for code, level, geom in zip(
            unions["gss_code"], unions["level"], unions.geometry.to_numpy(), strict=True
        )
    }


def joint_coverage(
    cameras: pd.DataFrame,
    boroughs: gpd.GeoDataFrame,
    lsoa_crime: gpd.GeoDataFrame | None = None,
    levels: Iterable[DetailLevel] = (DetailLevel.RECOGNISE,),
    *,
    usable_range_m: float | None = None,
    arc_vertices: int = ARC_VERTICES,
) -> gpd.GeoDataFrame:
    """Public-only, private and joint coverage per borough and level (see the module doc).

    Parameters
    ----------
    cameras
        Columns of :func:`~cctvscope.coverage.wedges.wedges_by_level` plus
        ``owner_type`` and ``borough_code``.
    boroughs
        ``gss_code`` and polygons (EPSG:27700); every borough gets a row per level.
    lsoa_crime
        ``borough_code``, ``total`` and LSOA polygons; crime columns are NaN without it.
    levels
        Levels to compare (default Recognise).
    usable_range_m, arc_vertices
        As for the wedges.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`JOINT_COLUMNS` and ``geometry`` = the gain region Q − P (for a
        map), one row per (borough, level), boroughs in the given order, levels coarse
        to fine. ``gain_pct`` = 100 · gain / public (NaN where public is 0);
        ``duplication_share`` = overlap / private (NaN where private is 0).
    """
    chosen = set(levels)
    ordered = tuple(lv for lv in DetailLevel if lv in chosen)
    public, private = split_public_private(cameras)
    pub = _unions(public, boroughs, ordered, usable_range_m, arc_vertices)
    priv = _unions(private, boroughs, ordered, usable_range_m, arc_vertices)
    empty = shapely.Polygon()
    joint_geoms: list[shapely.Geometry] = []
    public_geoms: list[shapely.Geometry] = []
    gain_geoms: list[shapely.Geometry] = []
    km2: list[list[float]] = []
    for code in boroughs["gss_code"].astype(str):
        for level in ordered:
            p = pub.get((code, level.label), empty)
            q = priv.get((code, level.label), empty)
            joint = shapely.union(p, q)
            gain = shapely.difference(q, p)
            parts = (p, q, joint, shapely.intersection(p, q), gain)
            km2.append([float(shapely.area(g)) / M2_PER_KM2 for g in parts])
            joint_geoms.append(joint)
            public_geoms.append(p)
            gain_geoms.append(gain)
    areas = np.asarray(km2, dtype=np.float64).reshape(-1, 5)
    out = _area_columns(boroughs, ordered, areas)
    if lsoa_crime is not None and len(out):
        _add_crime(out, public_geoms, joint_geoms, lsoa_crime)
    return gpd.GeoDataFrame(
        out[list(JOINT_COLUMNS)], geometry=gpd.GeoSeries(gain_geoms, crs=BNG), crs=BNG
    )


def _area_columns(
    boroughs: gpd.GeoDataFrame, levels: tuple[DetailLevel, ...], km2: np.ndarray
) -> pd.DataFrame:
    """The table's rows per (borough, level) from km² columns public, private, joint,
    overlap and private-only (shape (rows, 5)); crime columns NaN.

    gain = joint − public (equal to private-only up to rounding).
    """
    codes = boroughs["gss_code"].astype(str).to_numpy()
    public, private, joint, overlap, private_only = km2.T
    gain = joint - public
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame(
            {
                "gss_code": np.repeat(codes, len(levels)),
                "level": np.tile([lv.label for lv in levels], len(codes)),
                "public_km2": public,
                "private_km2": private,
                "joint_km2": joint,
                "overlap_km2": overlap,
                "private_only_km2": private_only,
                "gain_km2": gain,
                "gain_pct": np.where(public > 0, 100.0 * gain / public, np.nan),
                "duplication_share": np.where(private > 0, overlap / private, np.nan),
            }
        )
    for column in JOINT_COLUMNS[10:]:
        out[column] = np.nan
    return out


def joint_coverage_from_grid(
    summary: pd.DataFrame,
    boroughs: gpd.GeoDataFrame,
    lsoa_crime: gpd.GeoDataFrame | None = None,
    levels: Iterable[DetailLevel] = (DetailLevel.RECOGNISE,),
) -> gpd.GeoDataFrame:
    """:func:`joint_coverage`'s table from the coverage engine's painted grid.

    ``summary`` is :attr:`~cctvscope.coverage.engine.CoverageResult.summary`: per
    LSOA and borough, the area of cells seen by public cameras only, private only,
    and both (``public_only_km2``, ``private_only_km2``, ``joint_km2`` there). Then
    P = public-only + both, Q = private-only + both, P ∪ Q = all three, P ∩ Q = both
    and Q − P = private-only: no polygon is built. Unlike the wedge unions, the grid
    is occluded by building footprints where the region has them, and credits a
    borough with every camera's view inside it (not only its own cameras'); a cell
    counts when its centre is seen. Crime spreads each LSOA's total over its area,
    as :func:`joint_coverage` does, with the LSOA's seen share taken from its cells.
    ``lsoa_crime`` (``lsoa_code``, ``borough_code``, ``total``) must be the zones the
    coverage was summed over. The geometry column is empty (the grid gives areas).
    """
    chosen = set(levels)
    ordered = tuple(lv for lv in DetailLevel if lv in chosen)
    labels = [lv.label for lv in ordered]
    codes = boroughs["gss_code"].astype(str).to_numpy()
    b = _grid_km2(summary, "borough", pd.MultiIndex.from_product([codes, labels]))
    both = b["joint_km2"].to_numpy()
    public = b["public_only_km2"].to_numpy() + both
    private_only = b["private_only_km2"].to_numpy()
    km2 = np.column_stack([public, private_only + both, public + private_only, both, private_only])
    out = _area_columns(boroughs, ordered, km2)
    if lsoa_crime is not None and len(out):
        _add_grid_crime(out, summary, lsoa_crime, labels)
    empty = gpd.GeoSeries([shapely.Polygon()] * len(out), crs=BNG)
    return gpd.GeoDataFrame(out[list(JOINT_COLUMNS)], geometry=empty, crs=BNG)


def _grid_km2(summary: pd.DataFrame, area_type: str, index: pd.MultiIndex) -> pd.DataFrame:
    """The summary's public/private km² (and area) of ``area_type`` rows, by (code, level)."""
    rows = summary[summary["area_type"] == area_type]
    keyed = rows.set_index([rows["area_code"].astype(str), rows["level"].astype(str)])
    columns = ["area_km2", "public_only_km2", "private_only_km2", "joint_km2"]
    return keyed[columns].reindex(index).fillna(0.0)


def _add_grid_crime(
    out: pd.DataFrame, summary: pd.DataFrame, lsoa_crime: pd.DataFrame, labels: list[str]
) -> None:
    """Fill the crime columns of ``out`` in place from the summary's LSOA rows."""
    lsoa = lsoa_crime["lsoa_code"].astype(str).to_numpy()
    borough = lsoa_crime["borough_code"].astype(str).to_numpy()
    totals = lsoa_crime["total"].to_numpy(float)
    cells = _grid_km2(summary, "lsoa", pd.MultiIndex.from_product([lsoa, labels]))
    n = len(labels)
    area = cells["area_km2"].to_numpy().reshape(-1, n)
    both = cells["joint_km2"].to_numpy().reshape(-1, n)
    public = cells["public_only_km2"].to_numpy().reshape(-1, n) + both
    joint = public + cells["private_only_km2"].to_numpy().reshape(-1, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(area > 0, totals[:, None] / area, 0.0)
    per_borough = (
        pd.DataFrame(np.column_stack([totals, weight * public, weight * joint]), index=borough)
        .groupby(level=0, sort=False)
        .sum()
    )
    rows = per_borough.reindex(out["gss_code"].to_numpy()[::n]).fillna(0.0).to_numpy()
    crimes = np.repeat(rows[:, 0], n)
    _set_crime(out, crimes, rows[:, 1 : 1 + n].ravel(), rows[:, 1 + n :].ravel())


def _add_crime(
    out: pd.DataFrame,
    public_geoms: list[shapely.Geometry],
    joint_geoms: list[shapely.Geometry],
    lsoa_crime: gpd.GeoDataFrame,
) -> None:
    """Fill the crime columns of ``out`` in place (LSOA crime spread by area)."""
    crimes = np.zeros(len(out))
    crimes_public = np.zeros(len(out))
    crimes_joint = np.zeros(len(out))
    by_borough = {
        str(code): group for code, group in lsoa_crime.groupby("borough_code", sort=False)
    }
    for i, code in enumerate(out["gss_code"]):
        group = by_borough.get(str(code))
        if group is None:
            continue
        geoms = np.asarray(group.geometry.to_numpy(), dtype=object)
        totals = group["total"].to_numpy(float)
        tree = STRtree(geoms)
        crimes[i] = float(totals.sum())
        crimes_public[i] = crimes_in(public_geoms[i], geoms, totals, tree)
        crimes_joint[i] = crimes_in(joint_geoms[i], geoms, totals, tree)
    _set_crime(out, crimes, crimes_public, crimes_joint)


def _set_crime(
    out: pd.DataFrame, crimes: np.ndarray, crimes_public: np.ndarray, crimes_joint: np.ndarray
) -> None:
    """The crime columns of ``out`` from the crime, in public and in joint coverage, per row."""
    out["crimes"] = crimes
    out["crimes_public"] = crimes_public
    out["crimes_joint"] = crimes_joint
    out["crimes_gain"] = crimes_joint - crimes_public
    with np.errstate(divide="ignore", invalid="ignore"):
        out["crime_share_public"] = np.where(crimes > 0, crimes_public / crimes, np.nan)
        out["crime_share_joint"] = np.where(crimes > 0, crimes_joint / crimes, np.nan)
        out["crime_gain_pct"] = np.where(
            crimes_public > 0, 100.0 * (crimes_joint - crimes_public) / crimes_public, np.nan
        )


def region_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Region totals per level of a :func:`joint_coverage` table (sums, then ratios)."""
    sums = [
        "public_km2",
        "private_km2",
        "joint_km2",
        "overlap_km2",
        "private_only_km2",
        "gain_km2",
        "crimes",
        "crimes_public",
        "crimes_joint",
        "crimes_gain",
    ]
    out = pd.DataFrame(table.groupby("level", sort=False)[sums].sum(min_count=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["gain_pct"] = 100.0 * out["gain_km2"] / out["public_km2"]
        out["duplication_share"] = out["overlap_km2"] / out["private_km2"]
        out["crime_share_public"] = out["crimes_public"] / out["crimes"]
        out["crime_share_joint"] = out["crimes_joint"] / out["crimes"]
        out["crime_gain_pct"] = 100.0 * out["crimes_gain"] / out["crimes_public"]
    return out


def _covered_share(cells: np.ndarray, cover: shapely.Geometry) -> np.ndarray:
    """Share of each cell's area inside ``cover`` (cover's parts are disjoint after a union)."""
    share = np.zeros(len(cells))
    parts = shapely.get_parts(np.asarray([cover], dtype=object))
    parts = parts[~shapely.is_empty(parts)]
    if not len(parts) or not len(cells):
        return share
    cell_idx, part_idx = STRtree(parts).query(cells, predicate="intersects")
    areas = shapely.area(shapely.intersection(cells[cell_idx], parts[part_idx]))
    np.add.at(share, cell_idx, areas)
    return np.asarray(share / shapely.area(cells), dtype=np.float64)


def recruitment_candidates(
    cameras: pd.DataFrame,
    lsoa_crime: gpd.GeoDataFrame,
    *,
    cell_m: float = 250.0,
    top_n: int = 20,
    level: DetailLevel = DetailLevel.RECOGNISE,
    max_public_share: float = 0.0,
    usable_range_m: float | None = None,
    arc_vertices: int = ARC_VERTICES,
) -> gpd.GeoDataFrame:
    """The top-N grid cells by crime among cells without public coverage at ``level``.

    A square grid of side ``cell_m`` [m] is laid from the LSOAs' lower-left bound;
    each cell's crime is Σ over LSOAs of total × area(cell ∩ LSOA) / area(LSOA).
    A cell qualifies when the share of it covered by public cameras at ``level``
    is at most ``max_public_share`` (0: none at all). Ties in crime go to the
    lower cell id (row-major from the south-west).

    Returns
    -------
    geopandas.GeoDataFrame
        ``rank`` (1 = best), ``cell_id``, ``col``, ``row``, ``borough_code`` (the
        borough contributing most of the cell's crime), ``crimes``,
        ``public_share``, ``private_share`` (share already seen by private cameras),
        ``geometry`` (the cell), at most ``top_n`` rows; cells with no crime are left out.
    """
    if cell_m <= 0 or top_n < 0:
        raise ValueError("cell_m must be positive and top_n non-negative")
    lsoas = np.asarray(lsoa_crime.geometry.to_numpy(), dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(lsoas)
    ncol = max(int(np.ceil((maxx - minx) / cell_m)), 1)
    nrow = max(int(np.ceil((maxy - miny) / cell_m)), 1)
    col_grid, row_grid = np.meshgrid(np.arange(ncol), np.arange(nrow))
    col, row = col_grid.ravel(), row_grid.ravel()
    x0 = minx + col * cell_m
    y0 = miny + row * cell_m
    cells = shapely.box(x0, y0, x0 + cell_m, y0 + cell_m)
    cell_idx, lsoa_idx = STRtree(lsoas).query(cells, predicate="intersects")
    part = shapely.area(shapely.intersection(cells[cell_idx], lsoas[lsoa_idx]))
    weight = lsoa_crime["total"].to_numpy(float)[lsoa_idx] * part / shapely.area(lsoas[lsoa_idx])
    crimes = np.zeros(len(cells))
    np.add.at(crimes, cell_idx, weight)
    codes = lsoa_crime["borough_code"].astype(str).to_numpy()
    borough = np.full(len(cells), None, dtype=object)
    if len(cell_idx):
        contrib = pd.DataFrame({"cell": cell_idx, "code": codes[lsoa_idx], "w": part})
        best = contrib.groupby(["cell", "code"])["w"].sum().reset_index()
        best = best.sort_values(["cell", "w"], ascending=[True, False]).drop_duplicates("cell")
        borough[best["cell"].to_numpy()] = best["code"].to_numpy()
    public, private = split_public_private(cameras)
    shares = []
    for group in (public, private):
        wedges = wedges_by_level(group, [level], usable_range_m, arc_vertices)
        cover = shapely.union_all(wedges.geometry.to_numpy()) if len(wedges) else shapely.Polygon()
        shares.append(_covered_share(cells, cover))
    public_share, private_share = shares
    ok = np.flatnonzero((public_share <= max_public_share) & (crimes > 0))
    order = ok[np.lexsort((ok, -crimes[ok]))][:top_n]
    return gpd.GeoDataFrame(
        {
            "rank": np.arange(1, len(order) + 1),
            "cell_id": order,
            "col": col[order],
            "row": row[order],
            "borough_code": borough[order],
            "crimes": crimes[order],
            "public_share": public_share[order],
            "private_share": private_share[order],
        },
        geometry=gpd.GeoSeries(cells[order], crs=BNG),
        crs=BNG,
    )
