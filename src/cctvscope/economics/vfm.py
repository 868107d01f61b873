"""Value for money: what the public-space estate costs and what each pound buys.

Per borough and London-wide: annual cost, cost per camera per year, per km² covered at
each detail level, per recorded crime in coverage, per detected incident (once the
monitoring model exists) and per evidential export; with a one-at-a-time sensitivity
analysis over the key assumptions.

Cost basis. A borough's annual cost is its revenue spend plus its annualised capital:

* revenue: the sum of its contracts register (current spend, base-year pounds); a
  borough with no contracts falls back to council cameras × the cost profile's
  ``camera_running`` unit cost;
* capital: council cameras × installation cost × annuity factor (discount rate,
  camera lifetime) — the equivalent annual cost of replacing the estate as it ages.

Only council cameras count: TfL, police and private cameras are paid for by others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from cctvscope.economics.costs import annuity_factor, green_book_bands
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.enums import OwnerType
from cctvscope.model.estate import Estate
from cctvscope.model.prices import PriceBase

LONDON = "LONDON"
#: Detail level whose coverage counts crime "in coverage" (street evidential standard).
CRIME_COVERAGE_LEVEL = "recognise"


@dataclass(frozen=True, slots=True)
class VfmInputs:
    """The scalar assumptions behind the VFM figures (all money in base-year pounds)."""

    installation_gbp_per_camera: float
    running_gbp_per_camera_year: float
    camera_lifetime_years: float
    discount_rate: float
    contract_value_factor: float = 1.0
    #: Share of requests that yield evidential footage, replacing every borough's recorded
    #: ``footage_available_share`` (None: each borough's own). A replacement, never a
    #: multiplier: the recorded share may already be the useful share (the synthetic
    #: estate's 0.65 is Ashby's 29/45), and multiplying would count that ratio twice.
    footage_useful_share: float | None = None


def vfm_inputs(
    estate: Estate, assumptions: Assumptions, *, price_uplift_rate: float | None = None
) -> VfmInputs:
    """Read the VFM inputs from the estate's cost profile and the assumptions file.

    The first Green Book band's rate (3.5 %) annualises capital, whose lifetime is
    well inside that band.
    """
    base = PriceBase.from_assumptions(assumptions)
    if price_uplift_rate is not None:
        base = PriceBase(base.base_year, price_uplift_rate)
    profile = str(estate.boroughs["cost_profile"].iloc[0]) if len(estate.boroughs) else ""
    items = estate.cost_items[estate.cost_items["profile"] == profile].set_index("item")

    def unit_cost(item: str) -> float:
        value = items["value_gbp"].astype(float)[item]
        year = items["price_base_year"].astype(int)[item]
        return float(base.to_base_gbp(value, year))

    return VfmInputs(
        installation_gbp_per_camera=unit_cost("camera_installation"),
        running_gbp_per_camera_year=unit_cost("camera_running"),
        camera_lifetime_years=float(assumptions.value("economics_vfm.camera_lifetime_years")),
        discount_rate=float(green_book_bands(assumptions)[0][1]),
    )


def vfm_table(
    estate: Estate,
    inputs: VfmInputs,
    *,
    coverage_km2: pd.DataFrame | None = None,
    crimes_in_coverage: pd.Series | None = None,
    detected_incidents: pd.Series | None = None,
    region_name: str = "London",
) -> pd.DataFrame:
    """One row per borough plus a region row (``gss_code`` = ``LONDON``, ``name`` =
    ``region_name``).

    ``coverage_km2`` (index gss_code, one column per detail level) and
    ``crimes_in_coverage`` (index gss_code) come from the coverage engine; when absent
    the dependent columns are NaN rather than invented. ``detected_incidents`` comes
    from the monitoring model and is NaN until that model exists. London ratios are
    ratios of London totals, not means of borough ratios.
    """
    boroughs = pd.DataFrame(estate.boroughs.drop(columns="geometry"))
    codes = boroughs["gss_code"]
    council = estate.cameras[estate.cameras["owner_type"] == OwnerType.COUNCIL.value]
    cameras = council.groupby("borough_code").size().reindex(codes, fill_value=0).astype(float)
    contracts = estate.contracts.groupby("borough_code")["annual_value_gbp"].sum()
    has_contracts = codes.isin(contracts.index).to_numpy()
    revenue = np.where(
        has_contracts,
        contracts.reindex(codes, fill_value=0.0).to_numpy(float) * inputs.contract_value_factor,
        cameras.to_numpy() * inputs.running_gbp_per_camera_year,
    )
    factor = float(annuity_factor(inputs.discount_rate, inputs.camera_lifetime_years))
    capital = cameras.to_numpy() * inputs.installation_gbp_per_camera * factor
    ev = estate.evidence_stats.drop_duplicates("borough_code", keep="last").set_index(
        "borough_code"
    )
    share = (
        ev["footage_available_share"]
        if inputs.footage_useful_share is None
        else inputs.footage_useful_share
    )
    exports = (ev["requests_per_year"] * share).reindex(codes, fill_value=0.0)

    table = pd.DataFrame(
        {
            "gss_code": codes.to_numpy(),
            "name": boroughs["name"].to_numpy(),
            "council_cameras": cameras.to_numpy(),
            "revenue_basis": np.where(has_contracts, "contracts", "unit cost"),
            "revenue_gbp_per_year": revenue,
            "capital_gbp_per_year": capital,
            "annual_cost_gbp": revenue + capital,
            "evidential_exports_per_year": exports.to_numpy(float),
        }
    )
    levels = list(coverage_km2.columns) if coverage_km2 is not None else []
    for level in levels:
        assert coverage_km2 is not None
        table[f"covered_km2_{level}"] = coverage_km2[level].reindex(codes).to_numpy(float)
    table["crimes_in_coverage"] = (
        crimes_in_coverage.reindex(codes).to_numpy(float)
        if crimes_in_coverage is not None
        else np.nan
    )
    table["detected_incidents_per_year"] = (
        detected_incidents.reindex(codes).to_numpy(float)
        if detected_incidents is not None
        else np.nan
    )
    london = _london_row(table, region_name)
    table = pd.concat([table, london], ignore_index=True)
    return _add_ratios(table, levels)


def _london_row(table: pd.DataFrame, region_name: str) -> pd.DataFrame:
    sums = table.select_dtypes("number").sum(min_count=1)
    row = {**sums.to_dict(), "gss_code": LONDON, "name": region_name, "revenue_basis": "mixed"}
    return pd.DataFrame([row])[table.columns]


def _ratio(num: pd.Series, den: pd.Series) -> np.ndarray:
    n = num.to_numpy(float)
    d = den.to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d > 0, n / d, np.nan)


def _add_ratios(table: pd.DataFrame, levels: list[str]) -> pd.DataFrame:
    cost = table["annual_cost_gbp"]
    out = table.copy()
    out["cost_per_camera_gbp_per_year"] = _ratio(cost, table["council_cameras"])
    for level in levels:
        out[f"cost_per_km2_{level}_gbp_per_year"] = _ratio(cost, table[f"covered_km2_{level}"])
    out["cost_per_crime_in_coverage_gbp"] = _ratio(cost, table["crimes_in_coverage"])
    out["cost_per_detected_incident_gbp"] = _ratio(cost, table["detected_incidents_per_year"])
    out["cost_per_evidential_export_gbp"] = _ratio(cost, table["evidential_exports_per_year"])
    return out


# --- sensitivity -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SensitivityParameter:
    """One input varied on its own between ``low`` and ``high`` (absolute values)."""

    name: str
    field: str
    low: float
    high: float
    unit: str


def sensitivity_parameters(
    inputs: VfmInputs, assumptions: Assumptions
) -> list[SensitivityParameter]:
    """The key VFM inputs with their ranges from ``economics_vfm``."""

    def rng(key: str) -> tuple[float, float]:
        low, high = assumptions.value(f"economics_vfm.{key}")
        return float(low), float(high)

    inst_lo, inst_hi = rng("installation_cost_range")
    con_lo, con_hi = rng("contract_value_range")
    life_lo, life_hi = rng("camera_lifetime_range")
    dr_lo, dr_hi = rng("discount_rate_range")
    use_lo, use_hi = rng("footage_useful_share_range")
    inst = inputs.installation_gbp_per_camera
    return [
        SensitivityParameter(
            "installation cost",
            "installation_gbp_per_camera",
            inst * inst_lo,
            inst * inst_hi,
            "£/camera",
        ),
        SensitivityParameter("contract values", "contract_value_factor", con_lo, con_hi, "×"),
        SensitivityParameter("camera lifetime", "camera_lifetime_years", life_lo, life_hi, "years"),
        SensitivityParameter("discount rate", "discount_rate", dr_lo, dr_hi, "fraction/yr"),
        SensitivityParameter(
            "useful footage share", "footage_useful_share", use_lo, use_hi, "fraction"
        ),
    ]


Metric = Callable[[pd.DataFrame], float]


def london_metric(column: str) -> Metric:
    """A metric reading one column of the London row of a VFM table."""

    def metric(table: pd.DataFrame) -> float:
        return float(table.loc[table["gss_code"] == LONDON, column].iloc[0])

    return metric


def one_at_a_time(
    estate: Estate,
    inputs: VfmInputs,
    parameters: list[SensitivityParameter],
    metrics: Mapping[str, Metric],
    *,
    extra_inputs: Mapping[str, VfmInputs] | None = None,
) -> pd.DataFrame:
    """One-at-a-time sensitivity: each parameter at its low and high value, others at base.

    ``extra_inputs`` adds named cases computed elsewhere (e.g. a price-uplift rate that
    changes several unit costs at once) as (low, high) pairs keyed ``"<name>|low"`` and
    ``"<name>|high"``. Rows are sorted by the swing of the first metric, largest first,
    which is the order of a tornado chart.
    """
    valid = {f.name for f in fields(VfmInputs)}
    base_table = vfm_table(estate, inputs)
    rows: list[dict[str, object]] = []
    cases: list[tuple[str, str, float, float, VfmInputs, VfmInputs]] = []
    for p in parameters:
        if p.field not in valid:
            raise KeyError(f"{p.field!r} is not a VFM input; inputs are {sorted(valid)}")
        cases.append(
            (
                p.name,
                p.unit,
                p.low,
                p.high,
                replace(inputs, **{p.field: p.low}),
                replace(inputs, **{p.field: p.high}),
            )
        )
    extra = dict(extra_inputs or {})
    for key in sorted({k.split("|")[0] for k in extra}):
        lo, hi = extra[f"{key}|low"], extra[f"{key}|high"]
        cases.append((key, "", np.nan, np.nan, lo, hi))
    for name, unit, low, high, lo_inputs, hi_inputs in cases:
        lo_table = vfm_table(estate, lo_inputs)
        hi_table = vfm_table(estate, hi_inputs)
        for metric_name, metric in metrics.items():
            base = metric(base_table)
            m_lo, m_hi = metric(lo_table), metric(hi_table)
            rows.append(
                {
                    "parameter": name,
                    "unit": unit,
                    "low_value": low,
                    "high_value": high,
                    "metric": metric_name,
                    "base": base,
                    "at_low": m_lo,
                    "at_high": m_hi,
                    "swing": abs(m_hi - m_lo),
                }
            )
    frame = pd.DataFrame(rows)
    first = next(iter(metrics))
    order = (
        frame[frame["metric"] == first].sort_values("swing", ascending=False)["parameter"].tolist()
    )
    frame["rank"] = frame["parameter"].map({p: i for i, p in enumerate(order)})
    return frame.sort_values(["metric", "rank"]).drop(columns="rank").reset_index(drop=True)
