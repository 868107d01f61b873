"""Remediation of the evidential standard: cheapest fixes per camera and a London-wide plan.

A *fix* is one of six interventions (:data:`FIX_CATALOGUE`), each able to clear
some rules of the standard on the cameras it applies to. For every non-compliant
camera :func:`fix_options` enumerates the bundles of fixes (all 2^6 = 64 subsets,
evaluated once per distinct pattern of failed rules and applicable fixes, since
unit costs do not vary between cameras) and keeps the minimal, undominated ones;
the cheapest bundle that clears every failed rule (or, failing that, the one that
clears the most severity-weighted failures) is flagged. :func:`upgrade_plan`
ranks the cheapest bundles London-wide by benefit per pound, where benefit is
the severity-weighted failures fixed, multiplied by the crime density of the
camera's LSOA when given: "crime-weighted compliance gained per £".

Costs and judgements come from the ``standards_remediation`` section of the
assumptions file; ``replace_camera`` costs the cost profile's
``camera_installation`` moved to the price base year. Findings are read, never
written: only ``fail`` outcomes count (``unknown`` is not a failure to fix).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from cctvscope.coverage.detail import detail_distance_m, zoomed_hfov_deg
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.frames import with_points
from cctvscope.model.prices import PriceBase, unit_costs_gbp

SECTION = "standards_remediation"
"""Assumptions-file section of the fix costs and judgements."""

FINDING_COLUMNS = (
    "entity_id",
    "entity_type",
    "borough_code",
    "owner_type",
    "control_room_id",
    "rule_id",
    "severity",
    "outcome",
    "message",
    "clause",
)
"""Columns of the findings frame this module consumes (one row per entity and rule)."""

OPTION_COLUMNS = (
    "camera_id",
    "borough_code",
    "owner_type",
    "control_room_id",
    "fixes",
    "n_fixes",
    "cost_gbp",
    "rules_failed",
    "rules_fixed",
    "rules_left",
    "weighted_rules_fixed",
    "complete",
    "cheapest",
)
"""Columns of :func:`fix_options`."""

PLAN_COLUMNS = (
    "rank",
    "camera_id",
    "borough_code",
    "fixes",
    "cost_gbp",
    "cumulative_cost_gbp",
    "rules_fixed",
    "benefit",
    "benefit_per_gbp",
    "compliant_after",
)
"""Columns of :func:`upgrade_plan`."""

FIX_SEPARATOR = "+"
RULE_SEPARATOR = ";"
_CAMERA_ENTITY_TYPES = frozenset({"camera", "recording_system"})


@dataclass(frozen=True, slots=True)
class Fix:
    """One remediation: the rules it clears on cameras it applies to, and its cost unit.

    ``per`` is ``camera`` or ``recorder channel``; ``applies_when`` states the
    condition that :func:`fix_applicability` computes.
    """

    fix_id: str
    rule_ids: frozenset[str]
    per: str
    applies_when: str


FIX_CATALOGUE: tuple[Fix, ...] = (
    Fix(
        "re_aim",
        frozenset({"IQ-01"}),
        "camera",
        "the camera already reaches re_aim_min_reach_share of its purpose distance at the "
        "purpose density (aim at a nearer target zone), or a PTZ camera reaches the full "
        "distance zoomed in (set a zoomed home preset)",
    ),
    Fix(
        "change_lens",
        frozenset({"IQ-01"}),
        "camera",
        "a fixed IP camera whose needed HFOV, 2·atan(N / (2·ppm·d)), is at least "
        "change_lens_min_hfov_deg",
    ),
    Fix("add_time_sync", frozenset({"TS-01"}), "recorder channel", "any camera"),
    Fix(
        "add_export_capability",
        frozenset({"EX-01", "EX-03"}),
        "recorder channel",
        "IP systems (export software writing MP4 or ONVIF export with a SHA-256 hash)",
    ),
    Fix(
        "replace_recorder",
        frozenset({"RT-01", "EX-01", "EX-02", "EX-03", "IO-02", "TS-01"}),
        "recorder channel",
        "any camera (a hybrid recorder for analogue cameras)",
    ),
    Fix(
        "replace_camera",
        frozenset({"IQ-01", "IQ-02", "IQ-03", "IQ-04", "IO-01", "IO-03"}),
        "camera",
        "any camera; the only fix for analogue image and ONVIF failures beyond re-aiming",
    ),
)
"""The fix catalogue, cheapest-first in the usual case; bundles list fixes in this order."""

FIX_IDS: tuple[str, ...] = tuple(f.fix_id for f in FIX_CATALOGUE)


class StandardLike(Protocol):
    """A parsed standard: anything whose ``rule(rule_id)`` has ``thresholds``."""

    def rule(self, rule_id: str) -> Any:
        """The rule with this id."""
        ...


def iq01_thresholds(
    standard: Mapping[str, Any] | StandardLike,
) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """IQ-01 purposes (``px_per_m``, ``distance_m``) and the owner-to-purpose map.

    Parameters
    ----------
    standard
        A parsed standard (``rule("IQ-01").thresholds``) or the raw YAML document
        (a mapping with a ``rules`` list).

    Returns
    -------
    tuple
        ``{purpose: {"px_per_m": .., "distance_m": ..}}`` and ``{owner_type: purpose}``.
    """
    if isinstance(standard, Mapping):
        rules = [r for r in standard["rules"] if r["id"] == "IQ-01"]
        if not rules:
            raise KeyError("the standard has no rule IQ-01")
        thresholds: Mapping[str, Any] = rules[0]["thresholds"]
    else:
        thresholds = standard.rule("IQ-01").thresholds
    purposes = {
        str(name): {
            "px_per_m": float(spec["px_per_m"]),
            "distance_m": float(spec["distance_m"]),
        }
        for name, spec in thresholds["purposes"].items()
    }
    by_owner = {str(k): str(v) for k, v in thresholds["purpose_by_owner"].items()}
    return purposes, by_owner


def needed_hfov_deg(
    resolution_h_px: npt.ArrayLike, px_per_m: npt.ArrayLike, distance_m: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Widest HFOV that still gives ``px_per_m`` at ``distance_m``: 2·atan(N / (2·ppm·d)).

    >>> round(float(needed_hfov_deg(1920, 125.0, 10.0)), 1)
    75.0
    """
    n = np.asarray(resolution_h_px, dtype=float)
    ppm = np.asarray(px_per_m, dtype=float)
    d = np.asarray(distance_m, dtype=float)
    return np.asarray(np.degrees(2.0 * np.arctan(n / (2.0 * ppm * d))), dtype=float)


def iq01_geometry(
    cameras: pd.DataFrame, standard: Mapping[str, Any] | StandardLike
) -> pd.DataFrame:
    """Purpose, required density and distance, reaches and needed HFOV per camera.

    Columns: ``purpose``, ``px_per_m``, ``distance_m``, ``reach_wide_m`` (at the
    widest angle), ``reach_zoomed_m`` (fully zoomed; equal for fixed cameras),
    ``needed_hfov_deg``; indexed like ``cameras``. Owners without a purpose get NaN.
    """
    purposes, by_owner = iq01_thresholds(standard)
    purpose = cameras["owner_type"].map(by_owner)
    ppm = purpose.map({p: v["px_per_m"] for p, v in purposes.items()}).astype(float)
    dist = purpose.map({p: v["distance_m"] for p, v in purposes.items()}).astype(float)
    n = cameras["resolution_h_px"].to_numpy(float)
    hfov = cameras["hfov_deg"].to_numpy(float)
    zoom = cameras["ptz_max_zoom"].to_numpy(float)
    ppm_safe = np.where(np.isfinite(ppm), ppm, 1.0)
    known = np.isfinite(ppm.to_numpy())
    wide = np.where(known, detail_distance_m(n, hfov, ppm_safe), np.nan)
    zoomed = np.where(known, detail_distance_m(n, zoomed_hfov_deg(hfov, zoom), ppm_safe), np.nan)
    return pd.DataFrame(
        {
            "purpose": purpose,
            "px_per_m": ppm,
            "distance_m": dist,
            "reach_wide_m": wide,
            "reach_zoomed_m": zoomed,
            "needed_hfov_deg": needed_hfov_deg(n, ppm, dist),
        },
        index=cameras.index,
    )


def fix_applicability(
    cameras: pd.DataFrame,
    assumptions: Assumptions,
    *,
    standard: Mapping[str, Any] | StandardLike,
) -> pd.DataFrame:
    """Which fixes apply to which camera (boolean frame, columns :data:`FIX_IDS`).

    Indexed like ``cameras``; the conditions are those of :data:`FIX_CATALOGUE`.
    """
    share = float(assumptions.value(f"{SECTION}.re_aim_min_reach_share"))
    min_hfov = float(assumptions.value(f"{SECTION}.change_lens_min_hfov_deg"))
    geo = iq01_geometry(cameras, standard)
    ip = (cameras["signal"] == "ip").to_numpy()
    ptz = cameras["ptz"].to_numpy(bool)
    dist = geo["distance_m"].to_numpy()
    with np.errstate(invalid="ignore"):
        re_aim = (geo["reach_wide_m"].to_numpy() >= share * dist) | (
            ptz & (geo["reach_zoomed_m"].to_numpy() >= dist)
        )
        lens = ip & ~ptz & (geo["needed_hfov_deg"].to_numpy() >= min_hfov)
    every = np.ones(len(cameras), dtype=bool)
    columns = {
        "re_aim": re_aim,
        "change_lens": lens,
        "add_time_sync": every,
        "add_export_capability": ip,
        "replace_recorder": every,
        "replace_camera": every,
    }
    return pd.DataFrame({f: columns[f] for f in FIX_IDS}, index=cameras.index)


def fix_costs_gbp(
    assumptions: Assumptions,
    *,
    cost_items: pd.DataFrame | None = None,
    profile: str | None = None,
) -> pd.Series:
    """Unit cost of each fix at the price base year [£], indexed by fix id.

    ``replace_camera`` is the cost profile's ``camera_installation`` item: from
    the estate's ``cost_items`` (profile ``profile``, by default
    ``synthetic_costs.profile_name``) when given, else from the assumptions file;
    both moved to the price base year.
    """
    base = PriceBase.from_assumptions(assumptions)
    item = str(assumptions.value(f"{SECTION}.replace_camera_cost_item"))
    if cost_items is not None:
        profile = profile or str(assumptions.value("synthetic_costs.profile_name"))
        camera = float(unit_costs_gbp(cost_items, profile, base)[item])
    else:
        raw = assumptions.value(f"synthetic_costs.{item}")
        camera = float(base.to_base_gbp(raw["value_gbp"], raw["price_base_year"]))
    costs = {"replace_camera": camera}
    for fix in FIX_IDS:
        if fix != "replace_camera":
            raw = assumptions.value(f"{SECTION}.{fix}_gbp")
            costs[fix] = float(base.to_base_gbp(raw["value_gbp"], raw["price_base_year"]))
    return pd.Series([costs[f] for f in FIX_IDS], index=list(FIX_IDS), name="cost_gbp")


def _bundles_for_signature(
    failed: int,
    applicable: int,
    cover: npt.NDArray[np.int64],
    cost: npt.NDArray[np.float64],
    n_fixes: npt.NDArray[np.int64],
    bit_weight: npt.NDArray[np.float64],
) -> list[tuple[int, int, bool]]:
    """Minimal undominated bundles of one (failed, applicable) pattern.

    Returns ``(subset, fixed_mask, cheapest)`` triples; an empty bundle (subset
    0) when no applicable fix clears anything.
    """
    subsets = np.arange(cover.size, dtype=np.int64)
    fixed = cover & failed
    valid = ((subsets & ~applicable) == 0) & (fixed != 0)
    # Minimal: dropping any one member loses a fixed rule.
    bits = np.int64(1) << np.arange(len(FIX_IDS), dtype=np.int64)
    member = (subsets[:, None] & bits[None, :]) != 0
    without = fixed[subsets[:, None] & ~bits[None, :]]
    valid &= ~np.any(member & (without == fixed[:, None]), axis=1)
    cand = subsets[valid]
    if cand.size == 0:
        return [(0, 0, True)]
    # Order by (cost, number of fixes, subset): a strict total order.
    order = np.lexsort((cand, n_fixes[cand], cost[cand]))
    cand = cand[order]
    f = fixed[cand]
    # Dominated: an earlier (better) bundle fixes a superset of the rules.
    superset = (f[:, None] & f[None, :]) == f[None, :]
    earlier = np.tri(cand.size, k=-1, dtype=bool).T  # earlier[i, j]: i before j
    keep = ~np.any(superset & earlier, axis=0)
    cand, f = cand[keep], f[keep]
    complete = f == failed
    weights = ((f[:, None] >> np.arange(bit_weight.size)) & 1) @ bit_weight
    best = int(np.argmax(complete)) if complete.any() else int(np.argmax(weights))
    return [(int(s), int(m), i == best) for i, (s, m) in enumerate(zip(cand, f, strict=True))]


def _rules_text(masks: pd.Series, rules: list[str]) -> pd.Series:
    """``;``-joined rule ids of each bit mask."""
    cache = {
        int(m): RULE_SEPARATOR.join(r for i, r in enumerate(rules) if (int(m) >> i) & 1)
        for m in pd.unique(masks)
    }
    return masks.map(cache).astype(str)


def fix_options(
    findings: pd.DataFrame,
    cameras: pd.DataFrame,
    assumptions: Assumptions,
    *,
    standard: Mapping[str, Any] | StandardLike,
    cost_items: pd.DataFrame | None = None,
    profile: str | None = None,
) -> pd.DataFrame:
    """Candidate fix bundles for every non-compliant camera, cheapest flagged.

    Parameters
    ----------
    findings
        One row per (entity, rule), columns :data:`FINDING_COLUMNS`. Rows with
        ``outcome == "fail"`` whose ``entity_id`` is a camera id and whose
        ``entity_type`` is ``camera`` or ``recording_system`` are the failures.
    cameras
        Camera table (fields of :class:`~cctvscope.model.entities.Camera`).
    assumptions
        Assumptions with the ``standards_remediation`` section.
    standard
        The standard (parsed, or its raw YAML mapping), for IQ-01 purposes.
    cost_items
        Estate cost items; when given, ``replace_camera`` uses the profile ``profile``
        (default ``synthetic_costs.profile_name``).
    profile
        The estate's cost profile (see ``fix_costs_gbp``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`OPTION_COLUMNS`: ``fixes`` (``+``-joined, catalogue order;
        empty when nothing applicable helps), ``cost_gbp`` [£, price base year],
        ``rules_failed``/``rules_fixed``/``rules_left`` (``;``-joined),
        ``weighted_rules_fixed`` (severity weights), ``complete`` (every failed
        rule cleared), ``cheapest`` (one per camera: the cheapest complete bundle,
        else the partial one fixing the most weight, then the cheapest). Only
        minimal bundles that no cheaper bundle matches or betters are listed.
    """
    missing = [c for c in FINDING_COLUMNS if c not in findings.columns]
    if missing:
        raise ValueError(f"findings lack columns {missing}")
    weights_by_severity = {
        str(k): float(v) for k, v in assumptions.value(f"{SECTION}.severity_weights").items()
    }
    fails = findings[
        (findings["outcome"] == "fail")
        & findings["entity_type"].isin(_CAMERA_ENTITY_TYPES)
        & findings["entity_id"].isin(cameras["camera_id"])
    ].drop_duplicates(["entity_id", "rule_id"])
    rules = sorted(fails["rule_id"].unique().tolist())
    if not rules:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in OPTION_COLUMNS})
    if len(rules) > 62:
        raise ValueError("at most 62 distinct failed rules are supported")
    bit = {r: i for i, r in enumerate(rules)}
    severity = fails.groupby("rule_id")["severity"].first()
    unknown = set(severity) - set(weights_by_severity)
    if unknown:
        raise ValueError(f"severities {sorted(unknown)} have no weight")
    bit_weight = np.array([weights_by_severity[severity[r]] for r in rules])

    rule_bits = np.left_shift(np.int64(1), fails["rule_id"].map(bit).to_numpy(np.int64))
    failed_mask = pd.Series(rule_bits).groupby(fails["entity_id"].to_numpy()).sum()
    cams = cameras[cameras["camera_id"].isin(failed_mask.index)].reset_index(drop=True)
    app = fix_applicability(cams, assumptions, standard=standard).to_numpy()
    app_mask = (app.astype(np.int64) << np.arange(len(FIX_IDS), dtype=np.int64)).sum(axis=1)
    frame = pd.DataFrame(
        {
            "camera_id": cams["camera_id"],
            "failed": failed_mask.reindex(cams["camera_id"]).to_numpy(np.int64),
            "applicable": app_mask,
        }
    )

    unit = fix_costs_gbp(assumptions, cost_items=cost_items, profile=profile).to_numpy()
    fix_rules = np.array(
        [sum(1 << bit[r] for r in fx.rule_ids if r in bit) for fx in FIX_CATALOGUE], dtype=np.int64
    )
    subsets = np.arange(1 << len(FIX_IDS), dtype=np.int64)
    member = (subsets[:, None] >> np.arange(len(FIX_IDS))) & 1
    cover = np.bitwise_or.reduce(member * fix_rules[None, :], axis=1)
    cost = member @ unit
    n_fixes = member.sum(axis=1).astype(np.int64)

    rows = []
    for failed, applicable in (
        frame[["failed", "applicable"]].drop_duplicates().itertuples(index=False)
    ):
        for subset, fixed, best in _bundles_for_signature(
            int(failed), int(applicable), cover, cost, n_fixes, bit_weight
        ):
            rows.append((failed, applicable, subset, fixed, best))
    bundles = pd.DataFrame(rows, columns=["failed", "applicable", "subset", "fixed", "cheapest"])
    out = frame.merge(bundles, on=["failed", "applicable"], how="left")
    out = out.merge(
        cams[["camera_id", "borough_code", "owner_type", "control_room_id"]], on="camera_id"
    )
    subset_text = {
        int(s): FIX_SEPARATOR.join(f for i, f in enumerate(FIX_IDS) if (int(s) >> i) & 1)
        for s in subsets
    }
    out["fixes"] = out["subset"].map(subset_text)
    out["n_fixes"] = n_fixes[out["subset"].to_numpy()]
    out["cost_gbp"] = cost[out["subset"].to_numpy()]
    out["rules_failed"] = _rules_text(out["failed"], rules)
    out["rules_fixed"] = _rules_text(out["fixed"], rules)
    out["rules_left"] = _rules_text(out["failed"] & ~out["fixed"], rules)
    fixed_bits = (out["fixed"].to_numpy()[:, None] >> np.arange(len(rules))) & 1
    out["weighted_rules_fixed"] = fixed_bits @ bit_weight
    out["complete"] = out["fixed"] == out["failed"]
    out = out.sort_values(["camera_id", "cost_gbp", "n_fixes", "subset"], kind="stable")
    return out[list(OPTION_COLUMNS)].reset_index(drop=True)


def camera_crime_density(cameras: pd.DataFrame, lsoa_crime: gpd.GeoDataFrame) -> pd.Series:
    """Recorded crimes per km² of the LSOA each camera stands in.

    Parameters
    ----------
    cameras
        Camera table with ``camera_id`` and a point geometry, or ``x_m``/``y_m``
        in EPSG:27700.
    lsoa_crime
        LSOA polygons with a ``total`` crime count
        (:func:`~cctvscope.ingest.london.read_lsoa_crime`); area from
        ``area_km2`` when present, else from the geometry.

    Returns
    -------
    pandas.Series
        Crimes per km², indexed by ``camera_id``; 0 for cameras in no LSOA.
    """
    points = (
        cameras
        if isinstance(cameras, gpd.GeoDataFrame) and cameras.geometry.name in cameras
        else with_points(pd.DataFrame(cameras))
    )
    if "area_km2" in lsoa_crime.columns:
        area_km2 = lsoa_crime["area_km2"].to_numpy(float)
    else:
        area_km2 = lsoa_crime.geometry.area.to_numpy(float) / 1e6
    zones = gpd.GeoDataFrame(
        {"crime_per_km2": lsoa_crime["total"].to_numpy(float) / area_km2},
        geometry=lsoa_crime.geometry.to_numpy(),
        crs=lsoa_crime.crs,
    )
    pts = gpd.GeoDataFrame(
        {"camera_id": points["camera_id"].to_numpy()},
        geometry=points.geometry.to_numpy(),
        crs=points.crs,
    )
    if zones.crs is not None and pts.crs is not None and zones.crs != pts.crs:
        zones = zones.to_crs(pts.crs)
    joined = gpd.sjoin(pts, zones, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")].sort_index()
    return pd.Series(
        joined["crime_per_km2"].fillna(0.0).to_numpy(float),
        index=pd.Index(pts["camera_id"], name="camera_id"),
        name="crime_per_km2",
    )


def upgrade_plan(
    options: pd.DataFrame,
    findings: pd.DataFrame,
    *,
    crime_density: pd.Series | None = None,
) -> pd.DataFrame:
    """London-wide plan: each camera's cheapest bundle, ranked by benefit per £.

    Parameters
    ----------
    options
        Output of :func:`fix_options`.
    findings
        The findings the options were made from; a camera is ``compliant_after``
        when every rule it fails there is fixed by its bundle.
    crime_density
        Crimes per km² indexed by ``camera_id`` (:func:`camera_crime_density`);
        missing cameras weigh 0. ``None`` ranks by compliance gained per £.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PLAN_COLUMNS`. ``benefit`` is ``weighted_rules_fixed``
        (times crime density when given); ranked by ``benefit_per_gbp``
        descending, then cost ascending, then camera id; bundles that fix
        nothing are left out.
    """
    plan = options[options["cheapest"] & (options["n_fixes"] > 0)].copy()
    if crime_density is None:
        density = np.ones(len(plan))
    else:
        density = crime_density.reindex(plan["camera_id"]).fillna(0.0).to_numpy(float)
    plan["benefit"] = plan["weighted_rules_fixed"].to_numpy(float) * density
    plan["benefit_per_gbp"] = plan["benefit"] / plan["cost_gbp"].astype(float)
    fails = findings[findings["outcome"] == "fail"].drop_duplicates(["entity_id", "rule_id"])
    n_failed = fails.groupby("entity_id").size().reindex(plan["camera_id"]).fillna(0)
    n_fixed = plan["rules_fixed"].str.count(RULE_SEPARATOR) + 1
    plan["compliant_after"] = n_fixed.to_numpy() >= n_failed.to_numpy()
    plan = plan.sort_values(
        ["benefit_per_gbp", "cost_gbp", "camera_id"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)
    plan["rank"] = np.arange(1, len(plan) + 1)
    plan["cumulative_cost_gbp"] = plan["cost_gbp"].astype(float).cumsum()
    return plan[list(PLAN_COLUMNS)]


@dataclass(frozen=True)
class PlanSummary:
    """What the top of an upgrade plan buys within a budget.

    Attributes
    ----------
    budget_gbp
        The budget [£].
    cost_gbp
        Cost of the bundles bought [£] (the ranked prefix within the budget).
    cameras_fixed
        Cameras that get a bundle.
    cameras_made_compliant
        Of those, cameras with no failed rule left.
    rules_fixed_by_rule
        Failed rules cleared, counted per rule id.
    benefit
        Sum of the bundles' benefit.
    """

    budget_gbp: float
    cost_gbp: float
    cameras_fixed: int
    cameras_made_compliant: int
    rules_fixed_by_rule: Mapping[str, int]
    benefit: float


def plan_within_budget(plan: pd.DataFrame, budget_gbp: float) -> PlanSummary:
    """Summarise the ranked prefix of ``plan`` whose cumulative cost is within budget.

    The plan is bought in rank order and stops at the first bundle that would
    exceed the budget (no skipping ahead to cheaper, lower-ranked bundles).
    """
    if budget_gbp < 0:
        raise ValueError("budget_gbp must be non-negative")
    ordered = plan.sort_values("rank")
    within = ordered["cumulative_cost_gbp"].to_numpy(float) <= budget_gbp
    stop = int(np.argmin(within)) if not within.all() else len(ordered)
    bought = ordered.iloc[:stop]
    counts = bought["rules_fixed"].str.split(RULE_SEPARATOR).explode()
    by_rule = counts[counts != ""].value_counts().sort_index()
    return PlanSummary(
        budget_gbp=float(budget_gbp),
        cost_gbp=float(bought["cost_gbp"].sum()),
        cameras_fixed=len(bought),
        cameras_made_compliant=int(bought["compliant_after"].sum()),
        rules_fixed_by_rule={str(k): int(v) for k, v in by_rule.items()},
        benefit=float(bought["benefit"].sum()),
    )
