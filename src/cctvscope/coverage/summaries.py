"""Tables of the coverage engine: cameras, areas (LSOA, borough, London), grid squares, gaps.

Crime is measured two ways, as the issue of the guide asks: the share of
police.uk street-level crime points inside coverage (each point is a snapped
map point, so it is located to a street segment), and LSOA recorded crime
spread evenly over the LSOA's area (an LSOA a quarter covered contributes a
quarter of its crime).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from cctvscope.coverage.detail import DetailLevel
from cctvscope.coverage.raster import ZONE_METRICS
from cctvscope.coverage.raycast import FloatArray
from cctvscope.coverage.tiles import TileResult, grid_columns_rows, grid_keys
from cctvscope.crs import BNG

if TYPE_CHECKING:
    from cctvscope.coverage.engine import CoverageInputs, CoverageOptions

M2_PER_KM2 = 1e6

SUMMARY_COLUMNS = (
    "area_type",
    "area_code",
    "area_name",
    "level",
    "area_km2",
    "covered_km2",
    "covered_share",
    "overlap_km2",
    "public_only_km2",
    "private_only_km2",
    "joint_km2",
    "crime_points",
    "crime_points_covered",
    "crime_points_share",
    "lsoa_crime",
    "lsoa_crime_covered",
    "lsoa_crime_share",
)


def camera_table(
    cameras: pd.DataFrame,
    labels: Sequence[str],
    wide_m: FloatArray,
    zoomed_m: FloatArray,
    wedge_m2: FloatArray,
    visible_m2: FloatArray,
    in_building: npt.NDArray[np.bool_],
) -> pd.DataFrame:
    """One row per camera and level: reach, wedge and visible area."""
    n, n_levels = wide_m.shape
    return pd.DataFrame(
        {
            "camera_id": np.tile(cameras["camera_id"].to_numpy(), n_levels),
            "owner_type": np.tile(cameras["owner_type"].astype(str).to_numpy(), n_levels),
            "borough_code": np.tile(cameras["borough_code"].astype(str).to_numpy(), n_levels),
            "level": np.repeat(list(labels), n),
            "reach_m": wide_m.T.ravel(),
            "zoomed_reach_m": zoomed_m.T.ravel(),
            "wedge_area_m2": wedge_m2.T.ravel(),
            "visible_area_m2": visible_m2.T.ravel(),
            "in_building": np.tile(in_building, n_levels),
        }
    )


def point_lsoas(inputs: CoverageInputs) -> npt.NDArray[np.int64]:
    """Index of the LSOA holding each crime point (−1 if none)."""
    pts = inputs.crime_points.to_numpy()
    out = np.full(pts.size, -1, np.int64)
    if pts.size == 0:
        return out
    tree = shapely.STRtree(inputs.lsoas.geometry.to_numpy())
    p, z = tree.query(pts, predicate="intersects")
    first = np.unique(p, return_index=True)[1]
    out[p[first]] = z[first]
    return out


def summary_table(
    inputs: CoverageInputs,
    lsoa_m2: npt.NDArray[np.float64] | npt.NDArray[np.int64],
    point_level: npt.NDArray[np.int8],
    labels: Sequence[str],
    which: npt.NDArray[np.int64] | None = None,
) -> pd.DataFrame:
    """Rows per (LSOA | borough | London, level) with areas and crime in coverage.

    ``which``: each crime point's LSOA (:func:`point_lsoas`), found here when omitted.
    """
    n_lsoa, n_levels = len(inputs.lsoas), len(labels)
    which = point_lsoas(inputs) if which is None else which
    ok = which >= 0
    pts = np.bincount(which[ok], minlength=n_lsoa)
    covered_pts = np.stack(
        [np.bincount(which[ok & (point_level >= lv)], minlength=n_lsoa) for lv in range(n_levels)],
        axis=1,
    ).reshape(n_lsoa, n_levels)
    return summary_from_counts(inputs, lsoa_m2, pts, covered_pts, labels)


def summary_from_counts(
    inputs: CoverageInputs,
    lsoa_m2: npt.NDArray[np.float64] | npt.NDArray[np.int64],
    points: npt.NDArray[np.int64],
    points_covered: npt.NDArray[np.int64],
    labels: Sequence[str],
) -> pd.DataFrame:
    """:func:`summary_table` from per-LSOA sums: metric areas (n, L, metrics) [m²], crime
    points held (n,) and held covered at each level or better (n, L)."""
    lsoas = inputs.lsoas
    n_lsoa, n_levels = len(lsoas), len(labels)
    area_m2 = shapely.area(lsoas.geometry.to_numpy())
    crime = (
        lsoas["total"].to_numpy(np.float64) if "total" in lsoas else np.zeros(n_lsoa, np.float64)
    )
    pts = np.asarray(points, dtype=np.float64)
    covered_pts = np.asarray(points_covered, dtype=np.float64)
    m2 = np.asarray(lsoa_m2, dtype=np.float64)
    # Per LSOA and level: metric areas [m²], crime points covered, LSOA crime covered.
    lsoa_crime_cov = crime[:, None] * np.divide(
        m2[:, :, 0], area_m2[:, None], out=np.zeros((n_lsoa, n_levels)), where=area_m2[:, None] > 0
    )
    groups: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = [
        (
            "lsoa",
            lsoas["lsoa_code"].astype(str).to_numpy(),
            lsoas["lsoa_name"].astype(str).to_numpy()
            if "lsoa_name" in lsoas
            else lsoas["lsoa_code"].astype(str).to_numpy(),
            np.arange(n_lsoa),
        ),
    ]
    borough_of = lsoas["borough_code"].astype(str).to_numpy()
    names = dict(
        zip(
            inputs.boroughs["gss_code"].astype(str),
            inputs.boroughs["name"].astype(str),
            strict=True,
        )
    )
    codes = sorted(set(borough_of))
    b_idx = np.searchsorted(np.array(codes), borough_of)
    groups.append(("borough", np.array(codes), np.array([names.get(c, c) for c in codes]), b_idx))
    groups.append(
        (
            "london",
            np.array(["london"]),
            np.array([inputs.region_name]),
            np.zeros(n_lsoa, np.int64),
        )
    )
    frames = []
    for kind, area_codes, area_names, member in groups:
        k = len(area_codes)

        def total(values: np.ndarray, member: np.ndarray = member, k: int = k) -> np.ndarray:
            out = np.zeros((k, *values.shape[1:]))
            np.add.at(out, member, values)
            return out

        a_m2, c_pts, c_cov = total(area_m2), total(pts), total(covered_pts)
        l_crime, l_cov, metrics = total(crime), total(lsoa_crime_cov), total(m2)
        for lv, label in enumerate(labels):
            frame = pd.DataFrame(
                {
                    "area_type": kind,
                    "area_code": area_codes,
                    "area_name": area_names,
                    "level": label,
                    "area_km2": a_m2 / M2_PER_KM2,
                    **{
                        f"{name}_km2": metrics[:, lv, j] / M2_PER_KM2
                        for j, name in enumerate(ZONE_METRICS)
                    },
                    "crime_points": c_pts,
                    "crime_points_covered": c_cov[:, lv],
                    "lsoa_crime": l_crime,
                    "lsoa_crime_covered": l_cov[:, lv],
                }
            )
            frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["covered_share"] = _ratio(out["covered_km2"], out["area_km2"])
    out["crime_points_share"] = _ratio(out["crime_points_covered"], out["crime_points"])
    out["lsoa_crime_share"] = _ratio(out["lsoa_crime_covered"], out["lsoa_crime"])
    return out.loc[:, list(SUMMARY_COLUMNS)]


#: Columns of :func:`crime_type_table`.
CRIME_TYPE_COLUMNS = (
    "area_type",
    "area_code",
    "area_name",
    "level",
    "crime_type",
    "crime_points",
    "crime_points_covered",
    "crime_points_share",
)
#: The crime type of points whose type the inputs do not give.
UNKNOWN_TYPE = "all types (not given)"


def crime_type_table(
    inputs: CoverageInputs,
    point_level: npt.NDArray[np.int8],
    labels: Sequence[str],
    which: npt.NDArray[np.int64] | None = None,
) -> pd.DataFrame:
    """Crime points and those in coverage per (borough | region, level, crime type).

    Only the types present in an area have rows there (an area with burglary points
    alone has one type), so the table says which types each area's figure counts.
    Points outside every small area count nowhere (as in :func:`summary_table`).
    """
    n = len(inputs.crime_points)
    if n == 0:
        return pd.DataFrame(columns=list(CRIME_TYPE_COLUMNS))
    types = (
        inputs.crime_types.astype(str).to_numpy()
        if inputs.crime_types is not None
        else np.full(n, UNKNOWN_TYPE, dtype=object)
    )
    which = point_lsoas(inputs) if which is None else which
    borough = np.where(
        which >= 0, inputs.lsoas["borough_code"].astype(str).to_numpy()[np.maximum(which, 0)], ""
    )
    names = dict(
        zip(
            inputs.boroughs["gss_code"].astype(str),
            inputs.boroughs["name"].astype(str),
            strict=True,
        )
    )
    points = pd.DataFrame({"borough": borough, "crime_type": types, "level": point_level})
    # As in the summary, a point outside every small area counts nowhere.
    points = points[points["borough"] != ""]
    frames = []
    for kind, key in (("borough", "borough"), ("london", None)):
        rows = points
        by = [key, "crime_type"] if key else ["crime_type"]
        for lv, label in enumerate(labels):
            agg = rows.assign(covered=rows["level"] >= lv).groupby(by, sort=True)["covered"]
            frame = pd.DataFrame(
                {"crime_points": agg.size(), "crime_points_covered": agg.sum()}
            ).reset_index()
            code = frame[key].astype(str) if key else pd.Series("london", index=frame.index)
            frame = frame.assign(
                area_type=kind,
                area_code=code,
                area_name=code.map(names).fillna(code) if key else inputs.region_name,
                level=label,
            )
            frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["crime_points_share"] = _ratio(out["crime_points_covered"], out["crime_points"])
    return out.loc[:, list(CRIME_TYPE_COLUMNS)].reset_index(drop=True)


#: Columns of :func:`category_table`.
CATEGORY_COLUMNS = (
    "area_type",
    "area_code",
    "area_name",
    "level",
    "category",
    "lsoa_crime",
    "lsoa_crime_covered",
    "lsoa_crime_share",
)


def category_table(
    inputs: CoverageInputs,
    lsoa_m2: npt.NDArray[np.float64],
    labels: Sequence[str],
) -> pd.DataFrame:
    """Small-area recorded crime in coverage per (borough | region, level, category).

    Each category of ``inputs.crime_categories`` (LSOA columns) is spread evenly over
    its LSOA's area as the summary's ``lsoa_crime`` is. Empty without categories.
    """
    categories = {c: n for c, n in inputs.crime_categories.items() if c in inputs.lsoas}
    if not categories:
        return pd.DataFrame(columns=list(CATEGORY_COLUMNS))
    lsoas = inputs.lsoas
    area_m2 = shapely.area(lsoas.geometry.to_numpy())
    share = np.divide(
        lsoa_m2[:, :, 0],
        area_m2[:, None],
        out=np.zeros((len(lsoas), len(labels))),
        where=area_m2[:, None] > 0,
    )
    b = inputs.boroughs
    names = dict(zip(b["gss_code"].astype(str), b["name"].astype(str), strict=True))
    borough = lsoas["borough_code"].astype(str).to_numpy()
    frames = []
    for column, category in categories.items():
        counts = lsoas[column].to_numpy(np.float64)
        for lv, label in enumerate(labels):
            per = pd.DataFrame(
                {"area_code": borough, "crime": counts, "covered": counts * share[:, lv]}
            )
            sums = per.groupby("area_code", sort=True)[["crime", "covered"]].sum()
            region = sums.sum().to_frame().T.set_axis(["london"])
            both = pd.concat([sums, region])
            frames.append(
                pd.DataFrame(
                    {
                        "area_type": ["borough"] * len(sums) + ["london"],
                        "area_code": both.index.astype(str),
                        "area_name": [names.get(c, c) for c in sums.index.astype(str)]
                        + [inputs.region_name],
                        "level": label,
                        "category": category,
                        "lsoa_crime": both["crime"].to_numpy(),
                        "lsoa_crime_covered": both["covered"].to_numpy(),
                    }
                )
            )
    out = pd.concat(frames, ignore_index=True)
    out["lsoa_crime_share"] = _ratio(out["lsoa_crime_covered"], out["lsoa_crime"])
    return out.loc[:, list(CATEGORY_COLUMNS)]


def _ratio(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a / b.where(b > 0)).fillna(0.0)


def grid_table(
    results: Sequence[TileResult],
    inputs: CoverageInputs,
    point_level: npt.NDArray[np.int8],
    levels: Sequence[DetailLevel],
    options: CoverageOptions,
) -> gpd.GeoDataFrame:
    """Aggregation squares holding crime points or coverage: crime and covered m² per level."""
    from cctvscope.coverage.engine import merged_grid_cells

    g = options.grid_m
    labels = [lv.label for lv in levels]
    keys, cells = merged_grid_cells(results)
    pts = inputs.crime_points.to_numpy()
    pk = grid_keys(np.floor(shapely.get_x(pts) / g), np.floor(shapely.get_y(pts) / g))
    all_keys = np.union1d(keys, pk)
    n = all_keys.size
    frame: dict[str, object] = {"square_key": all_keys}
    pos_pts = np.searchsorted(all_keys, pk)
    frame["crime_points"] = np.bincount(pos_pts, minlength=n)
    rec = _recognise_index(levels)
    frame["crime_points_recognise"] = (
        np.bincount(pos_pts[point_level >= rec], minlength=n) if rec is not None else 0
    )
    pos = np.searchsorted(all_keys, keys)
    cell_m2 = options.cell_m**2
    for lv, label in enumerate(labels):
        for j, metric in enumerate(("covered", "overlap")):
            col = np.zeros(n)
            if keys.size:
                col[pos] = cells[:, lv, j] * cell_m2
            frame[f"{metric}_m2_{label}"] = col
    gx, gy = grid_columns_rows(all_keys)
    geoms = shapely.box(gx * g, gy * g, (gx + 1) * g, (gy + 1) * g)
    centres = shapely.points((gx + 0.5) * g, (gy + 0.5) * g)
    tree = shapely.STRtree(inputs.lsoas.geometry.to_numpy())
    c_idx, z_idx = tree.query(centres, predicate="intersects")
    lsoa_code = np.full(n, "", dtype=object)
    borough = np.full(n, "", dtype=object)
    lsoa_code[c_idx] = inputs.lsoas["lsoa_code"].astype(str).to_numpy()[z_idx]
    borough[c_idx] = inputs.lsoas["borough_code"].astype(str).to_numpy()[z_idx]
    frame["square_id"] = [f"E{int(x * g)}N{int(y * g)}" for x, y in zip(gx, gy, strict=True)]
    frame["lsoa_code"] = lsoa_code
    frame["borough_code"] = borough
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=BNG), crs=BNG)


def _recognise_index(levels: Sequence[DetailLevel]) -> int | None:
    """Index of Recognise among ``levels`` (or of the coarsest finer level); None if none."""
    for i, lv in enumerate(levels):
        if lv.px_per_m >= DetailLevel.RECOGNISE.px_per_m:
            return i
    return None


def gap_table(
    grid: gpd.GeoDataFrame, levels: Sequence[DetailLevel], options: CoverageOptions
) -> gpd.GeoDataFrame:
    """High-crime squares with no crime point covered at Recognise or better, ranked.

    "High crime" is at least the ``gap_quantile`` quantile of crime points over the
    squares holding any (and at least 2 points). Ranked by crime points, most first.
    """
    has = grid[grid["crime_points"] > 0]
    if has.empty or _recognise_index(levels) is None:
        return grid.iloc[0:0].assign(rank=pd.Series(dtype=int), crimes=pd.Series(dtype=int))
    threshold = max(2.0, float(np.quantile(has["crime_points"], options.gap_quantile)))
    gaps = has[(has["crime_points"] >= threshold) & (has["crime_points_recognise"] == 0)]
    gaps = gaps.sort_values(["crime_points", "square_key"], ascending=[False, True])
    gaps = gaps.head(options.max_gaps).copy()
    gaps.insert(0, "rank", np.arange(1, len(gaps) + 1))
    gaps.insert(1, "crimes", gaps["crime_points"].to_numpy())
    gaps["threshold_points"] = threshold
    return gaps.reset_index(drop=True)


def union_table(
    results: Sequence[TileResult], labels: Sequence[str], boroughs: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Coverage union per level and tile (pieces never overlap: each is clipped to its core).

    ``borough_code`` is the borough holding the piece's representative point; a
    tile straddling a boundary is labelled with one of them.
    """
    rows: list[dict[str, object]] = []
    for r in results:
        for label, geom in zip(labels, r.unions, strict=False):
            if geom is None or shapely.is_empty(geom):
                continue
            rows.append({"level": label, "tile": f"{r.tx}_{r.ty}", "geometry": geom})
    frame = gpd.GeoDataFrame(
        rows or {"level": [], "tile": [], "geometry": []}, geometry="geometry", crs=BNG
    )
    if frame.empty:
        frame["borough_code"] = pd.Series(dtype=str)
        return frame
    tree = shapely.STRtree(boroughs.geometry.to_numpy())
    reps = shapely.point_on_surface(frame.geometry.to_numpy())
    p, b = tree.query(reps, predicate="intersects")
    code = np.full(len(frame), "", dtype=object)
    code[p] = boroughs["gss_code"].astype(str).to_numpy()[b]
    frame["borough_code"] = code
    frame["area_m2"] = shapely.area(frame.geometry.to_numpy())
    return frame


def visibility_table(results: Sequence[TileResult], cameras: pd.DataFrame) -> gpd.GeoDataFrame:
    """Visibility polygons of the cameras (at their longest reach), when computed."""
    idx = [r.owned_index for r in results if r.visibility.size]
    if not idx:
        return gpd.GeoDataFrame({"camera_id": []}, geometry=gpd.GeoSeries([], crs=BNG), crs=BNG)
    order = np.concatenate(idx)
    geoms = np.concatenate([r.visibility for r in results if r.visibility.size])
    return gpd.GeoDataFrame(
        {
            "camera_id": cameras["camera_id"].to_numpy()[order],
            "owner_type": cameras["owner_type"].astype(str).to_numpy()[order],
        },
        geometry=gpd.GeoSeries(geoms, crs=BNG),
        crs=BNG,
    )
