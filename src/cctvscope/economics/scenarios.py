"""Advancing-technology scenarios: yearly cost, storage, bandwidth, compliance and review time.

:func:`run_scenarios` runs every scenario of ``economics_scenarios`` (see
:mod:`cctvscope.economics.scenarios_model` for the scenario data and the
bitrate, storage and compliance models) over a horizon, vectorised over the
in-scope cameras (owner in ``scope_owner_types``, status operational or faulty).

Year by year, for each scenario:

* **Life cycle.** Each camera is replaced like-for-like every
  ``camera_lifetime_years`` from its install year; cameras already past their
  life at the start are replaced oldest first, evenly over
  ``replacement_backlog_years``. A replacement costs the baseline's unit capex.
* **Upgrades.** A touched camera is upgraded in its roll-out slot (touched
  cameras ranked oldest install year first; ``rollout_shares[t]`` of them in
  year ``start_year + t``). A camera-replacing scenario upgrades at the earlier
  of the slot and the end of life, and the new kind then replaces itself every
  lifetime; a retrofit adds its own capex and leaves the life cycle alone. An
  upgrade counts in full from the year it happens.
* **Capex** = Σ events × unit capex × (1 − price decline)^(year − price base year).
* **Opex** = cameras × ``camera_running`` + the estate's link costs of those
  cameras + storage TB × £/TB-year (by hosting) + Σ upgraded × opex change.
* **Storage / bandwidth**: Σ over cameras of :func:`storage_tb` at the camera's
  retention, and of max(min link, bitrate × headroom) [Gbit/s].
* **Review hours** = hours per request × Σ boroughs requests × (1 − mean review
  cut over the borough's in-scope cameras); requests are the latest year of the
  estate's ``evidence_stats``, held constant. Valued at ``officer_hour_cost_gbp``.
* **NPV vs baseline** = Σ_t D(t) × (baseline cost − scenario cost), cost =
  capex + opex + review cost, D from the Green Book bands (``costs.py``) with
  the first year as year 0. Positive means the scenario costs less.

All money is in pounds at the price base year (``economics.price_base_year``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cctvscope.economics.costs import green_book_bands, green_book_discount_factors
from cctvscope.economics.prices import PriceBase, unit_costs_gbp
from cctvscope.economics.scenarios_model import (
    BASELINE,
    ComplianceRule,
    ProvisionalRule,
    Scenario,
    ScenarioSettings,
    apply_change,
    bitrate_mbps,
    scenarios_from_assumptions,
    storage_tb,
)
from cctvscope.errors import DataError
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.estate import Estate

__all__ = [
    "RESULT_COLUMNS",
    "ScenarioResult",
    "first_replacement_year",
    "rollout_year",
    "run_scenarios",
]

IN_SERVICE = ("operational", "faulty")
RUNNING_COST_ITEM = "camera_running"

RESULT_COLUMNS = (
    "scenario",
    "year",
    "capex_gbp",
    "opex_gbp",
    "review_cost_gbp",
    "total_cost_gbp",
    "storage_tb",
    "bandwidth_gbps",
    "compliant_share",
    "review_hours",
    "cameras_upgraded",
)
"""Columns of :attr:`ScenarioResult.table` (one row per scenario and year)."""

_F = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ScenarioResult:
    """Scenario outputs: a long yearly table and each scenario's NPV against the baseline."""

    table: pd.DataFrame
    npv_vs_baseline_gbp: Mapping[str, float]
    scenarios: tuple[Scenario, ...]
    start_year: int
    horizon_years: int
    price_base_year: int
    cameras_in_scope: int
    assumptions_sha256: str

    def summary(self) -> pd.DataFrame:
        """One row per scenario: NPV vs baseline, totals, and last-year storage and compliance."""
        last = self.table[self.table["year"] == self.table["year"].max()].set_index("scenario")
        sums = self.table.groupby("scenario", sort=False)[["capex_gbp", "opex_gbp"]].sum()
        names = [s.name for s in self.scenarios]
        return pd.DataFrame(
            {
                "scenario": names,
                "description": [s.description for s in self.scenarios],
                "npv_vs_baseline_gbp": [self.npv_vs_baseline_gbp[n] for n in names],
                "capex_total_gbp": sums.loc[names, "capex_gbp"].to_numpy(),
                "opex_total_gbp": sums.loc[names, "opex_gbp"].to_numpy(),
                "final_storage_tb": last.loc[names, "storage_tb"].to_numpy(),
                "final_bandwidth_gbps": last.loc[names, "bandwidth_gbps"].to_numpy(),
                "final_compliant_share": last.loc[names, "compliant_share"].to_numpy(),
                "final_review_hours": last.loc[names, "review_hours"].to_numpy(),
            }
        )


def first_replacement_year(
    install_year: npt.ArrayLike, start_year: int, lifetime_years: int, backlog_years: int
) -> _F:
    """Year of each camera's first like-for-like replacement at or after ``start_year``.

    Due at install year + lifetime; cameras already overdue at the start are
    ranked oldest first (ties in row order) and spread evenly over the backlog
    years: rank ``r`` of ``m`` → ``start + floor(r × backlog / m)``.

    >>> first_replacement_year([2000, 2001, 2020], 2025, 10, 2).tolist()
    [2025.0, 2026.0, 2030.0]
    """
    install = np.asarray(install_year, dtype=np.int64)
    due = (install + lifetime_years).astype(float)
    overdue = due < start_year
    order = np.lexsort((np.arange(install.size), install))
    late = order[overdue[order]]
    spread = max(int(backlog_years), 1)
    due[late] = start_year + np.floor(np.arange(late.size) * spread / max(late.size, 1))
    return due


def rollout_year(
    install_year: npt.ArrayLike,
    touched: npt.NDArray[np.bool_],
    rollout_shares: Sequence[float],
    start_year: int,
) -> _F:
    """Roll-out year of each touched camera (inf where none): oldest install year first.

    By the end of year ``start + t``, round(cumulative share × n touched)
    cameras are upgraded.

    >>> rollout_year([2010, 2000, 2005, 2015], np.array([1, 1, 1, 0], bool), [0.5, 0.5], 2025)
    array([2026., 2025., 2025.,   inf])
    """
    install = np.asarray(install_year, dtype=np.int64)
    slot = np.full(install.size, np.inf)
    idx = np.flatnonzero(touched)
    if idx.size == 0 or len(rollout_shares) == 0:
        return slot
    order = idx[np.argsort(install[idx], kind="stable")]
    cumulative = np.floor(np.cumsum(np.asarray(rollout_shares, float)) * order.size + 0.5)
    year_index = np.searchsorted(cumulative, np.arange(order.size), side="right")
    valid = year_index < len(rollout_shares)
    slot[order[valid]] = start_year + year_index[valid]
    return slot


def _event_counts(first: _F, start_year: int, horizon: int, repeat_every: int | None) -> _F:
    """Events per year: at ``first`` and (when ``repeat_every``) every so many years after."""
    counts = np.zeros(horizon)
    finite = first[np.isfinite(first)].astype(np.int64) - start_year
    repeats = horizon // repeat_every + 1 if repeat_every else 0
    for k in range(repeats + 1):
        t = finite + k * (repeat_every or 0)
        t = t[(t >= 0) & (t < horizon)]
        counts += np.bincount(t, minlength=horizon)
    return counts


@dataclass(frozen=True, slots=True)
class _Metrics:
    storage_tb: _F
    bandwidth_mbps: _F
    compliant: _F


def _metrics(cameras: pd.DataFrame, settings: ScenarioSettings, rule: ComplianceRule) -> _Metrics:
    rate = bitrate_mbps(
        cameras["resolution_h_px"].to_numpy(),
        cameras["resolution_v_px"].to_numpy(),
        cameras["codec"].astype(str).to_numpy(),
        cameras["fps"].to_numpy(),
        settings.bits_per_pixel,
    )
    compliant = np.asarray(rule(cameras), dtype=bool)
    if compliant.shape != (len(cameras),):
        raise DataError("the compliance rule must return one bool per camera")
    return _Metrics(
        storage_tb=storage_tb(rate, cameras["retention_days"].to_numpy()),
        bandwidth_mbps=np.maximum(rate * settings.bandwidth_headroom, settings.min_bandwidth_mbps),
        compliant=compliant.astype(float),
    )


def _in_scope(estate: Estate, settings: ScenarioSettings) -> pd.DataFrame:
    cams = pd.DataFrame(estate.cameras).drop(columns="geometry", errors="ignore")
    keep = cams["owner_type"].astype(str).isin(settings.scope_owner_types) & cams["status"].astype(
        str
    ).isin(IN_SERVICE)
    cams = cams[keep.to_numpy()].reset_index(drop=True)
    if cams.empty:
        raise DataError(f"estate {estate.name!r} has no in-service cameras in scope")
    return cams


def _cost_profile(estate: Estate, cost_profile: str | None) -> str:
    if cost_profile is not None:
        return cost_profile
    profiles = estate.cost_items["profile"].astype(str).unique()
    if profiles.size == 1:
        return str(profiles[0])
    named = estate.boroughs["cost_profile"].dropna().astype(str) if len(estate.boroughs) else []
    if len(named):
        return str(pd.Series(named).mode().iloc[0])
    raise DataError(f"estate {estate.name!r}: cannot tell which cost profile to use")


def _requests(estate: Estate, cams: pd.DataFrame) -> tuple[_F, npt.NDArray[np.int64]]:
    """Requests per borough (latest year) and each camera's index into them (-1: none)."""
    stats = estate.evidence_stats
    if stats.empty:
        return np.zeros(0), np.full(len(cams), -1, dtype=np.int64)
    latest = stats.sort_values("year").groupby("borough_code").tail(1)
    boroughs = pd.Index(latest["borough_code"].astype(str))
    index = boroughs.get_indexer(pd.Index(cams["borough_code"].astype(str)))
    return latest["requests_per_year"].to_numpy(dtype=float), index.astype(np.int64)


def _review_hours(
    requests: _F, borough_index: npt.NDArray[np.int64], cut_by_year: _F, hours: float
) -> _F:
    """Hours per year with each borough's requests cut by its cameras' mean review cut."""
    if requests.size == 0:
        return np.zeros(cut_by_year.shape[0])
    known = borough_index >= 0
    idx = borough_index[known]
    n_cams = np.bincount(idx, minlength=requests.size).astype(float)
    out = np.empty(cut_by_year.shape[0])
    for t, cut in enumerate(cut_by_year):
        mean_cut = np.bincount(idx, weights=cut[known], minlength=requests.size) / np.maximum(
            n_cams, 1.0
        )
        out[t] = hours * float(np.sum(requests * (1.0 - mean_cut)))
    return out


def run_scenarios(
    estate: Estate,
    assumptions: Assumptions,
    *,
    horizon_years: int = 10,
    start_year: int | None = None,
    scenarios: Sequence[Scenario] | None = None,
    compliance: ComplianceRule | None = None,
    cost_profile: str | None = None,
) -> ScenarioResult:
    """Run each scenario over ``horizon_years`` from ``start_year`` (default price base + 1).

    ``scenarios`` defaults to every ``economics_scenarios.scenario_*`` entry and
    must include one named ``baseline``; ``compliance`` defaults to the
    provisional rule set (:class:`ProvisionalRule`); ``cost_profile`` to the
    estate's only profile (else the boroughs' most common). Raises
    :class:`~cctvscope.errors.DataError` for missing inputs.
    """
    source = assumptions
    if horizon_years < 1:
        raise ValueError("horizon_years must be at least 1")
    settings = ScenarioSettings.from_assumptions(source)
    price_base = PriceBase.from_assumptions(source)
    chosen = tuple(scenarios) if scenarios is not None else scenarios_from_assumptions(source)
    baseline = next((s for s in chosen if s.name == BASELINE), None)
    if baseline is None:
        raise DataError("scenarios must include one named 'baseline'")
    rule = compliance if compliance is not None else ProvisionalRule.from_assumptions(source)
    start = int(start_year) if start_year is not None else price_base.base_year + 1
    years = start + np.arange(horizon_years)

    cams = _in_scope(estate, settings)
    unit = unit_costs_gbp(estate.cost_items, _cost_profile(estate, cost_profile), price_base)
    costs = {str(k): float(v) for k, v in unit.items()}
    if RUNNING_COST_ITEM not in costs:
        raise DataError(f"cost profile has no {RUNNING_COST_ITEM!r} item")
    links = estate.links[estate.links["camera_id"].isin(cams["camera_id"])]
    fixed_opex = len(cams) * costs[RUNNING_COST_ITEM] + float(links["annual_cost_gbp"].sum())
    install = cams["install_year"].to_numpy(dtype=np.int64)
    lifetime = settings.camera_lifetime_years
    eol = first_replacement_year(install, start, lifetime, settings.backlog_years)
    before = _metrics(cams, settings, rule)
    requests, borough_index = _requests(estate, cams)
    storage_rate = settings.storage_cost_gbp_per_tb_year
    base_capex = baseline.unit_capex_gbp(costs)
    base_price = (1.0 - baseline.price_decline_rate) ** (years - price_base.base_year)

    frames: list[pd.DataFrame] = []
    totals: dict[str, _F] = {}
    for scenario in chosen:
        touched = scenario.touched(cams)
        slot = rollout_year(install, touched, scenario.rollout_shares, start)
        if scenario.replaces_camera:
            upgrade = np.where(touched, np.minimum(slot, eol), np.inf)
            like_for_like = np.where(touched, np.inf, eol)
        else:
            upgrade = np.where(touched, slot, np.inf)
            like_for_like = eol
        after = (
            _metrics(apply_change(cams, scenario.change, settings.bits_per_pixel), settings, rule)
            if touched.any()
            else before
        )
        up = (years[:, np.newaxis] >= upgrade[np.newaxis, :]).astype(float)

        n_base = _event_counts(like_for_like, start, horizon_years, lifetime)
        n_new = _event_counts(
            upgrade, start, horizon_years, lifetime if scenario.replaces_camera else None
        )
        new_price = (1.0 - scenario.price_decline_rate) ** (years - price_base.base_year)
        capex = (
            n_base * base_capex * base_price + n_new * scenario.unit_capex_gbp(costs) * new_price
        )

        store_before = before.storage_tb * storage_rate["on_premises"]
        store_after = after.storage_tb * storage_rate[scenario.hosting]
        upgraded = up.sum(axis=1)
        opex = (
            fixed_opex
            + store_before.sum()
            + up @ (store_after - store_before)
            + upgraded * scenario.opex_change_gbp_per_camera_year
        )
        storage = before.storage_tb.sum() + up @ (after.storage_tb - before.storage_tb)
        bandwidth = (
            before.bandwidth_mbps.sum() + up @ (after.bandwidth_mbps - before.bandwidth_mbps)
        ) / 1e3
        compliant = (before.compliant.sum() + up @ (after.compliant - before.compliant)) / len(cams)
        cut = up * np.where(touched, scenario.review_time_cut, 0.0)
        hours = _review_hours(requests, borough_index, cut, settings.review_hours_per_request)
        review_cost = hours * settings.officer_hour_cost_gbp
        totals[scenario.name] = capex + opex + review_cost
        frames.append(
            pd.DataFrame(
                {
                    "scenario": scenario.name,
                    "year": years,
                    "capex_gbp": capex,
                    "opex_gbp": opex,
                    "review_cost_gbp": review_cost,
                    "total_cost_gbp": totals[scenario.name],
                    "storage_tb": storage,
                    "bandwidth_gbps": bandwidth,
                    "compliant_share": compliant,
                    "review_hours": hours,
                    "cameras_upgraded": upgraded.astype(np.int64),
                }
            )
        )

    factors = np.asarray(
        green_book_discount_factors(years - start, green_book_bands(source)), dtype=float
    )
    npv = {
        name: float(np.sum(factors * (totals[BASELINE] - total))) for name, total in totals.items()
    }
    return ScenarioResult(
        table=pd.concat(frames, ignore_index=True)[list(RESULT_COLUMNS)],
        npv_vs_baseline_gbp=npv,
        scenarios=chosen,
        start_year=start,
        horizon_years=horizon_years,
        price_base_year=price_base.base_year,
        cameras_in_scope=len(cams),
        assumptions_sha256=source.sha256,
    )
