"""Placing synthetic cameras: LSOA crime density plus town-centre clusters.

Real camera positions are not public. Council cameras follow recorded crime
(where schemes were justified), with a stated share clustered around town-centre
seeds; business cameras follow theft and robbery. Sampling is vectorised with
shapely's ``contains_xy`` and rejection rounds; every point lies inside its
borough polygon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cctvscope.ingest.synthetic_params import FloatArray, IntArray


@dataclass(frozen=True)
class PlacementParams:
    """Placement settings (from ``synthetic_placement`` in the assumptions file)."""

    cluster_share: float
    cluster_sigma_m: float
    max_rejection_rounds: int


@dataclass(frozen=True)
class BoroughSampler:
    """A borough's LSOAs, weights and town-centre seeds, ready for sampling."""

    gss_code: str
    polygon: shapely.Geometry
    lsoa_geoms: np.ndarray
    lsoa_bounds: FloatArray
    lsoa_rep_xy: FloatArray
    weights: FloatArray
    seeds_xy: FloatArray
    seed_weights: FloatArray


def lsoa_weights(lsoa_crime: pd.DataFrame, categories: Sequence[str]) -> FloatArray:
    """Per-LSOA weight: the sum of the named crime columns (``total`` for all crime)."""
    return np.asarray(lsoa_crime[list(categories)].sum(axis=1), dtype=float)


def town_centre_seeds(
    rep_xy: FloatArray,
    density: FloatArray,
    k: int,
    min_separation_m: float,
) -> IntArray:
    """Indices of up to ``k`` seed LSOAs: densest first, at least ``min_separation_m`` apart.

    Greedy: walk LSOAs by descending density (ties by position in the input) and
    keep one when it is far enough from every seed kept so far, so that seeds
    stand for distinct town centres rather than neighbouring LSOAs of one.
    """
    order = np.argsort(-density, kind="stable")
    kept: list[int] = []
    for i in order:
        if len(kept) == k:
            break
        if kept:
            d = np.hypot(*(rep_xy[kept] - rep_xy[i]).T)
            if d.min() < min_separation_m:
                continue
        kept.append(int(i))
    return np.asarray(kept, dtype=np.int64)


def build_samplers(
    boroughs: gpd.GeoDataFrame,
    lsoa_crime: gpd.GeoDataFrame,
    weights: FloatArray,
    seeds_per_borough: int,
    min_separation_m: float,
) -> dict[str, BoroughSampler]:
    """One sampler per borough; boroughs without any weight fall back to LSOA area.

    The fallback matters for the City of London, whose crime the MPS does not
    publish: its cameras are spread by area and its seeds are taken in LSOA order.
    """
    rep = shapely.point_on_surface(lsoa_crime.geometry.to_numpy())
    rep_xy = shapely.get_coordinates(rep)
    area = lsoa_crime["area_km2"].to_numpy(float)
    codes = lsoa_crime["borough_code"].to_numpy()
    samplers: dict[str, BoroughSampler] = {}
    for code, poly in zip(boroughs["gss_code"], boroughs.geometry, strict=True):
        shapely.prepare(poly)
        idx = np.flatnonzero(codes == code)
        inside = shapely.contains_xy(poly, rep_xy[idx, 0], rep_xy[idx, 1])
        idx = idx[inside]
        w = weights[idx]
        if w.sum() <= 0:
            w = area[idx].copy()
        geoms = lsoa_crime.geometry.to_numpy()[idx]
        shapely.prepare(geoms)
        seeds = town_centre_seeds(rep_xy[idx], w / area[idx], seeds_per_borough, min_separation_m)
        samplers[str(code)] = BoroughSampler(
            gss_code=str(code),
            polygon=poly,
            lsoa_geoms=geoms,
            lsoa_bounds=shapely.bounds(geoms),
            lsoa_rep_xy=rep_xy[idx],
            weights=w,
            seeds_xy=rep_xy[idx][seeds],
            seed_weights=w[seeds],
        )
    return samplers


def _clustered(
    rng: np.random.Generator, s: BoroughSampler, n: int, p: PlacementParams
) -> tuple[FloatArray, FloatArray]:
    """Gaussian spread around seeds chosen in proportion to their weight."""
    probs = s.seed_weights / s.seed_weights.sum()
    seed = rng.choice(len(s.seeds_xy), size=n, p=probs)
    cx, cy = s.seeds_xy[seed, 0], s.seeds_xy[seed, 1]
    x = cx + rng.normal(0.0, p.cluster_sigma_m, n)
    y = cy + rng.normal(0.0, p.cluster_sigma_m, n)
    bad = ~shapely.contains_xy(s.polygon, x, y)
    for _ in range(p.max_rejection_rounds):
        if not bad.any():
            break
        m = int(bad.sum())
        x[bad] = cx[bad] + rng.normal(0.0, p.cluster_sigma_m, m)
        y[bad] = cy[bad] + rng.normal(0.0, p.cluster_sigma_m, m)
        bad[bad] = ~shapely.contains_xy(s.polygon, x[bad], y[bad])
    x[bad], y[bad] = cx[bad], cy[bad]
    return x, y


def _spread(
    rng: np.random.Generator, s: BoroughSampler, n: int, p: PlacementParams
) -> tuple[FloatArray, FloatArray]:
    """Uniform points in LSOAs drawn by weight (rejection in each LSOA's bounding box)."""
    lsoa = rng.choice(len(s.weights), size=n, p=s.weights / s.weights.sum())
    b = s.lsoa_bounds[lsoa]
    x = np.empty(n)
    y = np.empty(n)
    bad = np.ones(n, dtype=bool)
    for _ in range(p.max_rejection_rounds):
        if not bad.any():
            break
        m = int(bad.sum())
        x[bad] = rng.uniform(b[bad, 0], b[bad, 2], m)
        y[bad] = rng.uniform(b[bad, 1], b[bad, 3], m)
        ok = shapely.contains_xy(s.lsoa_geoms[lsoa[bad]], x[bad], y[bad])
        ok &= shapely.contains_xy(s.polygon, x[bad], y[bad])
        bad[bad] = ~ok
    x[bad] = s.lsoa_rep_xy[lsoa[bad], 0]
    y[bad] = s.lsoa_rep_xy[lsoa[bad], 1]
    return x, y


def place_points(
    rng: np.random.Generator,
    samplers: Mapping[str, BoroughSampler],
    counts: Mapping[str, int],
    params: PlacementParams,
) -> pd.DataFrame:
    """Place ``counts[gss]`` points in each borough; a share clustered, the rest by weight.

    Returns
    -------
    pandas.DataFrame
        ``borough_code``, ``x_m``, ``y_m``, ``clustered`` (bool), boroughs in sorted order.
    """
    parts: list[pd.DataFrame] = []
    for code in sorted(counts):
        n = int(counts[code])
        if n <= 0:
            continue
        s = samplers[code]
        n_cluster = int(np.rint(params.cluster_share * n))
        cx, cy = _clustered(rng, s, n_cluster, params)
        sx, sy = _spread(rng, s, n - n_cluster, params)
        parts.append(
            pd.DataFrame(
                {
                    "borough_code": code,
                    "x_m": np.concatenate([cx, sx]),
                    "y_m": np.concatenate([cy, sy]),
                    "clustered": np.r_[np.ones(n_cluster, bool), np.zeros(n - n_cluster, bool)],
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["borough_code", "x_m", "y_m", "clustered"])
    return pd.concat(parts, ignore_index=True)
