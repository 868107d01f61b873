"""Coverage aggregated over areas: covered area per borough and level, crime in coverage.

Coverage here is the union of view wedges (no building occlusion: footprints are
bundled only for two central-London areas), clipped to each borough. Crime "in
coverage" spreads each LSOA's recorded crime evenly over its area, so an LSOA a
quarter covered contributes a quarter of its crime.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cctvscope.coverage.detail import DetailLevel
from cctvscope.coverage.wedges import wedges_by_level

M2_PER_KM2 = 1e6


def coverage_unions(
    cameras: pd.DataFrame,
    boroughs: gpd.GeoDataFrame,
    levels: Iterable[DetailLevel] = tuple(DetailLevel),
    *,
    usable_range_m: float | None = None,
    arc_vertices: int = 16,
) -> gpd.GeoDataFrame:
    """Union of the cameras' wedges per borough and level, clipped to the borough.

    Returns one row per (borough, level): ``gss_code``, ``level``, ``covered_km2``,
    ``geometry`` (EPSG:27700). Cameras are grouped by their ``borough_code``; a wedge
    reaching into a neighbour is clipped away (its neighbour's share is not credited
    to either borough, a small undercount at boundaries).
    """
    levels = tuple(levels)
    wedges = wedges_by_level(cameras, levels, usable_range_m, arc_vertices)
    wedges["gss_code"] = np.tile(cameras["borough_code"].to_numpy(), len(levels))
    outlines = boroughs.set_index("gss_code").geometry
    rows: list[dict[str, object]] = []
    for (code, level), group in wedges.groupby(["gss_code", "level"], sort=True):
        union = shapely.union_all(group.geometry.to_numpy())
        clipped = shapely.intersection(union, outlines[code])
        rows.append(
            {
                "gss_code": code,
                "level": level,
                "covered_km2": float(shapely.area(clipped)) / M2_PER_KM2,
                "geometry": clipped,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=boroughs.crs)


def covered_km2_table(unions: gpd.GeoDataFrame, codes: Iterable[str]) -> pd.DataFrame:
    """Covered km² per borough (rows, all ``codes``) and level (columns, coarse to fine)."""
    order = [lv.label for lv in DetailLevel if lv.label in set(unions["level"])]
    table = unions.pivot_table(index="gss_code", columns="level", values="covered_km2")
    out: pd.DataFrame = table.reindex(index=list(codes), columns=order).fillna(0.0)
    return out


def crimes_in_coverage(
    unions: gpd.GeoDataFrame, lsoa_crime: gpd.GeoDataFrame, level: str
) -> pd.Series:
    """Recorded crime inside one level's coverage per borough, LSOA crime spread by area.

    ``lsoa_crime`` needs ``borough_code``, ``total`` and LSOA polygons. The result is
    indexed by borough GSS code: Σ over the borough's LSOAs of
    total × area(LSOA ∩ coverage) / area(LSOA).
    """
    cover = unions[unions["level"] == level].set_index("gss_code").geometry
    out: dict[str, float] = {}
    for code, lsoas in lsoa_crime.groupby("borough_code"):
        if code not in cover.index:
            out[str(code)] = 0.0
            continue
        geoms = np.asarray(lsoas.geometry.to_numpy(), dtype=object)
        totals = lsoas["total"].to_numpy(float)
        out[str(code)] = crimes_in(cover[code], geoms, totals, shapely.STRtree(geoms))
    return pd.Series(out, name=f"crimes_in_{level}_coverage", dtype=float)


def crimes_in(
    cover: shapely.Geometry, lsoas: np.ndarray, totals: np.ndarray, tree: shapely.STRtree
) -> float:
    """Σ over LSOAs of total × area(LSOA ∩ cover) / area(LSOA); ``tree`` indexes ``lsoas``.

    Computed per part of ``cover`` (disjoint after a union) through the LSOA index:
    intersecting each LSOA with a whole borough's cover is several times slower.
    """
    parts = shapely.get_parts(np.asarray([cover], dtype=object))
    parts = parts[~shapely.is_empty(parts)]
    if not len(parts):
        return 0.0
    part_idx, lsoa_idx = tree.query(parts, predicate="intersects")
    areas = shapely.area(shapely.intersection(parts[part_idx], lsoas[lsoa_idx]))
    return float(np.sum(totals[lsoa_idx] * areas / shapely.area(lsoas[lsoa_idx])))
