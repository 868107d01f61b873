"""Pan-London framework agreement: who buys what separately, what pooling saves, when boroughs join.

From a contracts register (one row per :class:`~cctvscope.model.entities.Contract`)
this module measures the separate tendering of each service category, the
saving from pooling London's volume on one framework (a volume-discount curve
from ``economics_framework`` in the assumptions file, plus avoided tender
costs), proposes lots, and aligns each contract's end date to a call-off window
of the framework.

Every number from outside comes from the ``economics_framework`` section; all
of them are our own assumptions (no procurement-cost or price-list source was
retrieved). The mapping of our lots to the lots of the PCD 218 national
framework for Electronic Security, Control Room Systems and AV (Lot 2 "CCTV
Image Presentation and Control Rooms Systems", Lot 3 "Digital Video Recording
Systems, Video Walls and Ancillary"; domain-research §0) is our reading of the
lot titles, not a statement by MOPAC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cctvscope.economics.prices import PriceBase
from cctvscope.errors import DataError
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.enums import ContractCategory

SECTION = "economics_framework"
CATEGORIES: tuple[str, ...] = tuple(c.value for c in ContractCategory)

#: Our reading of which PCD 218 lot covers each category ("none": no lot title matches).
PCD218_LOTS: Mapping[str, str] = {
    "maintenance": "none",
    "transmission": "none",
    "equipment_supply": "Lot 3",
    "vms_software": "Lot 2",
    "monitoring_staff": "none",
}
PCD218_NOTES: Mapping[str, str] = {
    "maintenance": (
        "no lot title matches; PCD 814 bought MPS control-room support and maintenance "
        "as a mini-competition on PCD 218"
    ),
    "transmission": "no PCD 218 lot matches (network links are outside its lot titles)",
    "equipment_supply": (
        "our reading: Lot 3 'Digital Video Recording Systems, Video Walls and Ancillary'"
    ),
    "vms_software": ("our reading: Lot 2 'CCTV Image Presentation and Control Rooms Systems'"),
    "monitoring_staff": "no PCD 218 lot matches (operator staff are a service, not systems)",
}


@dataclass(frozen=True, slots=True)
class VolumeDiscountCurve:
    """Discount off list price as a function of annual spend in one category.

    ``d(V) = min(interp(V; volumes_gbp, discounts), cap)``: piecewise-linear
    between the points, flat beyond the first and last, never above ``cap``.
    """

    volumes_gbp: tuple[float, ...]
    discounts: tuple[float, ...]
    cap: float

    def __post_init__(self) -> None:
        xs = np.asarray(self.volumes_gbp, dtype=float)
        ys = np.asarray(self.discounts, dtype=float)
        if xs.size < 2 or xs.size != ys.size:
            raise DataError("volume-discount curve needs at least two (volume, discount) points")
        if np.any(np.diff(xs) <= 0):
            raise DataError("volume-discount curve volumes must be strictly increasing")
        if np.any(ys < 0) or np.any(ys >= 1) or not 0 <= self.cap < 1:
            raise DataError("volume-discount curve discounts and cap must lie in [0, 1)")

    @classmethod
    def from_assumptions(cls, assumptions: Assumptions) -> VolumeDiscountCurve:
        """The curve ``economics_framework.volume_discount_curve`` with its cap."""
        points = assumptions.value(f"{SECTION}.volume_discount_curve")
        return cls(
            volumes_gbp=tuple(float(p["annual_value_gbp"]) for p in points),
            discounts=tuple(float(p["discount"]) for p in points),
            cap=float(assumptions.value(f"{SECTION}.volume_discount_cap")),
        )

    @property
    def is_monotone(self) -> bool:
        """True when the discount never falls as volume grows."""
        return bool(np.all(np.diff(np.asarray(self.discounts, dtype=float)) >= 0))

    def discount(self, annual_value_gbp: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Discount fraction at each annual value.

        >>> c = VolumeDiscountCurve((0.0, 100.0, 200.0), (0.0, 0.1, 0.3), cap=0.2)
        >>> c.discount([50.0, 150.0, 500.0]).tolist()
        [0.05, 0.2, 0.2]
        """
        v = np.asarray(annual_value_gbp, dtype=float)
        d = np.interp(v, self.volumes_gbp, self.discounts)
        return np.asarray(np.minimum(d, self.cap), dtype=float)


@dataclass(frozen=True, slots=True)
class FrameworkParameters:
    """The ``economics_framework`` assumptions, money at the price base year."""

    cost_per_tender_gbp: float
    cost_per_call_off_gbp: float
    framework_procurement_cost_gbp: float
    framework_term_years: float
    curve: VolumeDiscountCurve
    lot_split_threshold_gbp: float
    framework_start: dt.date
    window_months: int

    @classmethod
    def from_assumptions(cls, assumptions: Assumptions) -> FrameworkParameters:
        """Read the section, moving money entries to the price base year."""
        base = PriceBase.from_assumptions(assumptions)

        def money(name: str) -> float:
            item = assumptions.value(f"{SECTION}.{name}")
            return float(base.to_base_gbp(item["value_gbp"], item["price_base_year"]))

        return cls(
            cost_per_tender_gbp=money("cost_per_tender"),
            cost_per_call_off_gbp=money("cost_per_call_off"),
            framework_procurement_cost_gbp=money("framework_procurement_cost"),
            framework_term_years=float(assumptions.value(f"{SECTION}.framework_term_years")),
            curve=VolumeDiscountCurve.from_assumptions(assumptions),
            lot_split_threshold_gbp=float(assumptions.value(f"{SECTION}.lot_split_threshold")),
            framework_start=dt.date.fromisoformat(
                str(assumptions.value(f"{SECTION}.framework_start_date"))
            ),
            window_months=int(assumptions.value(f"{SECTION}.call_off_window_months")),
        )


def months_between(start: pd.Series, end: pd.Series) -> npt.NDArray[np.int64]:
    """Whole calendar months from ``start`` to ``end``: 12·Δyear + Δmonth − [end day < start day].

    >>> s = pd.Series([dt.date(2022, 4, 1), dt.date(2022, 4, 15)])
    >>> e = pd.Series([dt.date(2026, 4, 1), dt.date(2022, 6, 14)])
    >>> months_between(s, e).tolist()
    [48, 1]
    """
    a = pd.to_datetime(start)
    b = pd.to_datetime(end)
    months = 12 * (b.dt.year - a.dt.year) + (b.dt.month - a.dt.month)
    months = months - (b.dt.day < a.dt.day).astype(np.int64)
    return np.asarray(months.to_numpy(), dtype=np.int64)


def _check_contracts(contracts: pd.DataFrame) -> None:
    needed = {"contract_id", "borough_code", "category", "supplier", "annual_value_gbp"}
    absent = sorted((needed | {"start_date", "end_date"}) - set(contracts.columns))
    if absent:
        raise DataError(f"contracts register lacks columns {absent}")


def tendering_profile(
    contracts: pd.DataFrame, assumptions: Assumptions | FrameworkParameters
) -> pd.DataFrame:
    """Separate buying of each service category across boroughs.

    Parameters
    ----------
    contracts
        Contracts register (columns of :class:`~cctvscope.model.entities.Contract`).
    assumptions
        Assumptions file, or parameters already read from it (cost per tender).

    Returns
    -------
    pandas.DataFrame
        One row per category in enum order, indexed by ``category``:
        ``boroughs`` buying it, ``contracts``, ``suppliers`` (distinct),
        ``annual_value_gbp`` = Σ annual values, ``mean_term_years`` = mean of
        whole months(start → end) / 12, ``tenders_per_year`` = contracts /
        mean term (each contract re-tendered every term) and
        ``procurement_cost_gbp_per_year`` = tenders per year × cost per tender.
        Categories nobody buys have zero counts.
    """
    _check_contracts(contracts)
    params = _params(assumptions)
    frame = contracts.assign(
        term_years=months_between(contracts["start_date"], contracts["end_date"]) / 12.0
    )
    grouped = frame.groupby("category", sort=False)
    out = pd.DataFrame(
        {
            "boroughs": grouped["borough_code"].nunique(),
            "contracts": grouped["contract_id"].count(),
            "suppliers": grouped["supplier"].nunique(),
            "annual_value_gbp": grouped["annual_value_gbp"].sum(),
            "mean_term_years": grouped["term_years"].mean(),
        }
    ).reindex(list(CATEGORIES))
    out.index.name = "category"
    out[["boroughs", "contracts", "suppliers"]] = (
        out[["boroughs", "contracts", "suppliers"]].fillna(0).astype(np.int64)
    )
    out["annual_value_gbp"] = out["annual_value_gbp"].fillna(0.0)
    term = out["mean_term_years"].to_numpy(dtype=float)
    count = out["contracts"].to_numpy(dtype=float)
    safe_term = np.where(np.isfinite(term) & (term > 0), term, 1.0)
    out["tenders_per_year"] = np.where(count > 0, count / safe_term, 0.0)
    out["procurement_cost_gbp_per_year"] = out["tenders_per_year"] * params.cost_per_tender_gbp
    return out


def _params(assumptions: Assumptions | FrameworkParameters) -> FrameworkParameters:
    if isinstance(assumptions, FrameworkParameters):
        return assumptions
    return FrameworkParameters.from_assumptions(assumptions)


def aggregation_savings(
    contracts: pd.DataFrame,
    assumptions: Assumptions | FrameworkParameters,
    *,
    curve: VolumeDiscountCurve | None = None,
    lots: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Annual saving per category from pooling London's volume on one framework.

    With borough volumes ``v_b`` (Σ of a borough's contracts in the category)
    and London volume ``V = Σ_b v_b``:

    * ``own_discount = Σ_b v_b·d(v_b) / V`` (what boroughs already get alone);
    * ``pooled_discount = d(V)``, or with ``lots`` (from :func:`propose_lots`)
      the volume-weighted lot discount ``Σ_l V_l·d(V_l) / V`` (a split lot pools
      less volume, so it earns less);
    * ``price_saving_gbp_per_year = V·(d(V) − own_discount)``: the increment only
      (first order: values are taken as list prices, an error of order d²);
    * ``framework_tenders_per_year = 1 / framework term``; call-offs replace the
      separate tenders one for one, so
      ``tender_saving_gbp_per_year = T·c_tender − (c_framework / term + T·c_call_off)``
      with ``T`` the separate tenders per year (may be negative for a small
      category);
    * ``tenders_avoided_per_year = T − 1/term``.

    A category bought by fewer than two boroughs is not pooled: every saving is 0.
    For a monotone curve ``d(V) ≥ d(v_b)`` for every borough, so the price saving
    is never negative.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``category`` (enum order) with the columns above, plus
        ``boroughs``, ``annual_value_gbp``, ``tenders_per_year``, ``pooled``
        (bool) and ``annual_saving_gbp`` = price + tender saving.
    """
    params = _params(assumptions)
    curve = curve or params.curve
    profile = tendering_profile(contracts, params)
    by_borough = contracts.groupby(["category", "borough_code"], sort=False)[
        "annual_value_gbp"
    ].sum()
    own = pd.Series(curve.discount(by_borough.to_numpy()) * by_borough.to_numpy(), by_borough.index)
    own_gbp = own.groupby(level="category").sum().reindex(list(CATEGORIES)).fillna(0.0)
    volume = profile["annual_value_gbp"].to_numpy(dtype=float)
    pooled = profile["boroughs"].to_numpy() >= 2
    safe_volume = np.where(volume > 0, volume, 1.0)
    own_discount = np.where(volume > 0, own_gbp.to_numpy(dtype=float) / safe_volume, 0.0)
    pooled_discount = curve.discount(volume)
    if lots is not None:
        lot_value = lots["annual_value_gbp"].to_numpy(dtype=float)
        lot_gbp = pd.Series(curve.discount(lot_value) * lot_value, index=lots["category"])
        by_cat = lot_gbp.groupby(level=0).sum().reindex(list(CATEGORIES))
        has_lot = by_cat.notna().to_numpy()
        weighted = by_cat.fillna(0.0).to_numpy(dtype=float) / safe_volume
        pooled_discount = np.where(has_lot, weighted, pooled_discount)
    price = np.where(pooled, volume * (pooled_discount - own_discount), 0.0)
    tenders = profile["tenders_per_year"].to_numpy(dtype=float)
    framework_tenders = np.where(pooled, 1.0 / params.framework_term_years, 0.0)
    framework_cost = framework_tenders * params.framework_procurement_cost_gbp
    tender = np.where(
        pooled,
        tenders * params.cost_per_tender_gbp
        - (framework_cost + tenders * params.cost_per_call_off_gbp),
        0.0,
    )
    out = pd.DataFrame(
        {
            "boroughs": profile["boroughs"],
            "annual_value_gbp": volume,
            "pooled": pooled,
            "own_discount": own_discount,
            "pooled_discount": np.where(pooled, pooled_discount, own_discount),
            "price_saving_gbp_per_year": price,
            "tenders_per_year": tenders,
            "framework_tenders_per_year": framework_tenders,
            "tenders_avoided_per_year": np.where(pooled, tenders - framework_tenders, 0.0),
            "tender_saving_gbp_per_year": tender,
        },
        index=profile.index,
    )
    out["annual_saving_gbp"] = out["price_saving_gbp_per_year"] + out["tender_saving_gbp_per_year"]
    return out


def propose_lots(
    contracts: pd.DataFrame,
    boroughs: pd.DataFrame,
    assumptions: Assumptions | FrameworkParameters,
) -> pd.DataFrame:
    """Lots of the framework: one per pooled category, split Inner/Outer above a threshold.

    A category bought by at least two boroughs becomes one London-wide lot; when
    its London value exceeds ``lot_split_threshold`` it is split by the
    borough table's ``inner_outer`` (ONS Inner/Outer London), one lot per area.
    Each lot carries its value, the discount ``d(lot value)`` and our reading of
    the matching PCD 218 lot (:data:`PCD218_LOTS`).

    Returns
    -------
    pandas.DataFrame
        Columns ``lot_id`` (``L1``, ``L2``, … in category then area order),
        ``category``, ``area`` (``London-wide``, ``Inner London`` or ``Outer
        London``), ``boroughs``, ``borough_codes`` (``;``-joined), ``contracts``,
        ``annual_value_gbp``, ``lot_discount``, ``pcd218_lot`` and ``pcd218_note``.
    """
    params = _params(assumptions)
    areas = boroughs.set_index("gss_code")["inner_outer"].astype(str)
    unknown = sorted(set(contracts["borough_code"]) - set(areas.index))
    if unknown:
        raise DataError(f"contracts name boroughs not in the borough table: {unknown}")
    frame = contracts.assign(area=contracts["borough_code"].map(areas) + " London")
    totals = frame.groupby("category")["annual_value_gbp"].sum()
    counts = frame.groupby("category")["borough_code"].nunique()
    split = frame["category"].map(totals > params.lot_split_threshold_gbp).astype(bool)
    frame["area"] = frame["area"].where(split, "London-wide")
    rows: list[dict[str, object]] = []
    for category in CATEGORIES:
        if counts.get(category, 0) < 2:
            continue
        part = frame[frame["category"] == category]
        for area, lot in part.groupby("area", sort=True):
            codes = sorted(set(lot["borough_code"]))
            rows.append(
                {
                    "category": category,
                    "area": area,
                    "boroughs": len(codes),
                    "borough_codes": ";".join(codes),
                    "contracts": len(lot),
                    "annual_value_gbp": float(lot["annual_value_gbp"].sum()),
                    "pcd218_lot": PCD218_LOTS[category],
                    "pcd218_note": PCD218_NOTES[category],
                }
            )
    columns = [
        "lot_id",
        "category",
        "area",
        "boroughs",
        "borough_codes",
        "contracts",
        "annual_value_gbp",
        "lot_discount",
        "pcd218_lot",
        "pcd218_note",
    ]
    out = pd.DataFrame(rows, columns=[c for c in columns if c not in ("lot_id", "lot_discount")])
    out.insert(0, "lot_id", [f"L{i + 1}" for i in range(len(out))])
    out.insert(7, "lot_discount", params.curve.discount(out["annual_value_gbp"].to_numpy(float)))
    return out[columns]


def _window_dates(framework_start: dt.date, window_months: int, count: int) -> pd.DatetimeIndex:
    base = pd.Timestamp(framework_start)
    return pd.DatetimeIndex([base + pd.DateOffset(months=k * window_months) for k in range(count)])


def call_off_timeline(
    contracts: pd.DataFrame,
    *,
    framework_start: dt.date,
    window_months: int,
    borough_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """When each contract's borough can call off the framework.

    Call-off windows open at ``framework_start + k·window_months`` (k = 0, 1, …).
    A contract joins at the first window on or after its end date, so one ending
    before the framework starts joins at the first window (k = 0; the borough
    must extend or roll over until then).

    * ``waiting_months`` = whole months(end date → join date) ≥ 0;
    * ``window_index`` = k of the join window;
    * ``borough_joined_date`` = the latest join date of the borough's contracts
      (from then on all its categories are on the framework).

    Returns
    -------
    pandas.DataFrame
        One row per contract, sorted by borough then category order:
        ``contract_id``, ``borough_code``, ``borough_name``, ``category``,
        ``supplier``, ``annual_value_gbp``, ``start_date``, ``end_date``,
        ``window_index``, ``join_date``, ``waiting_months``, ``borough_joined_date``
        (dates as :class:`datetime.date`).
    """
    _check_contracts(contracts)
    if window_months < 1:
        raise DataError("call-off window must be at least one month")
    frame = contracts.copy()
    ends = pd.to_datetime(frame["end_date"])
    span = int(months_between(pd.Series([framework_start]), pd.Series([ends.max().date()]))[0])
    windows = _window_dates(framework_start, window_months, max(span, 0) // window_months + 2)
    index = np.searchsorted(windows.to_numpy(), ends.to_numpy(), side="left")
    join = windows[index]
    frame["window_index"] = index.astype(np.int64)
    frame["join_date"] = [t.date() for t in join]
    frame["waiting_months"] = months_between(frame["end_date"], frame["join_date"])
    frame["borough_joined_date"] = frame.groupby("borough_code")["join_date"].transform("max")
    names = borough_names or {}
    frame["borough_name"] = frame["borough_code"].map(lambda c: names.get(c, c))
    order = {c: i for i, c in enumerate(CATEGORIES)}
    frame = frame.assign(_cat=frame["category"].map(order)).sort_values(["borough_code", "_cat"])
    columns = [
        "contract_id",
        "borough_code",
        "borough_name",
        "category",
        "supplier",
        "annual_value_gbp",
        "start_date",
        "end_date",
        "window_index",
        "join_date",
        "waiting_months",
        "borough_joined_date",
    ]
    return frame[columns].reset_index(drop=True)


def borough_join_dates(timeline: pd.DataFrame) -> pd.DataFrame:
    """Per borough: first and full join dates and contracts joining (from a timeline)."""
    grouped = timeline.groupby(["borough_code", "borough_name"], sort=False)
    out = grouped.agg(
        first_join_date=("join_date", "min"),
        joined_date=("join_date", "max"),
        contracts=("contract_id", "count"),
    ).reset_index()
    return out.sort_values(["joined_date", "borough_name"]).reset_index(drop=True)


@dataclass(frozen=True)
class FrameworkResult:
    """Everything the framework analysis produces; totals over pooled categories.

    Savings use the proposed lots: a category split into Inner/Outer lots earns
    the volume-weighted discount of its lots, not the London-wide one.
    """

    profile: pd.DataFrame
    lots: pd.DataFrame
    savings: pd.DataFrame
    timeline: pd.DataFrame
    annual_value_gbp: float
    price_saving_gbp_per_year: float
    tender_saving_gbp_per_year: float
    annual_savings_gbp: float
    tenders_per_year: float
    tenders_avoided_per_year: float
    framework_start: dt.date
    window_months: int

    def table(self) -> pd.DataFrame:
        """One row per category: profile, savings and lots (the ``framework.csv`` table)."""
        lots = self.lots.groupby("category").agg(
            lots=("lot_id", "count"),
            lot_ids=("lot_id", ";".join),
            pcd218_lot=("pcd218_lot", "first"),
        )
        savings = self.savings.drop(columns=["boroughs", "annual_value_gbp", "tenders_per_year"])
        out = self.profile.join(savings).join(lots)
        out["lots"] = out["lots"].fillna(0).astype(np.int64)
        return out.reset_index()


def framework_analysis(
    contracts: pd.DataFrame,
    boroughs: pd.DataFrame,
    assumptions: Assumptions,
) -> FrameworkResult:
    """Run the whole framework analysis on a contracts register and borough table."""
    params = FrameworkParameters.from_assumptions(assumptions)
    profile = tendering_profile(contracts, params)
    lots = propose_lots(contracts, boroughs, params)
    savings = aggregation_savings(contracts, params, lots=lots)
    names: dict[str, str] = dict(
        zip(boroughs["gss_code"].astype(str), boroughs["name"].astype(str), strict=True)
    )
    timeline = call_off_timeline(
        contracts,
        framework_start=params.framework_start,
        window_months=params.window_months,
        borough_names=names,
    )
    return FrameworkResult(
        profile=profile,
        lots=lots,
        savings=savings,
        timeline=timeline,
        annual_value_gbp=float(profile["annual_value_gbp"].sum()),
        price_saving_gbp_per_year=float(savings["price_saving_gbp_per_year"].sum()),
        tender_saving_gbp_per_year=float(savings["tender_saving_gbp_per_year"].sum()),
        annual_savings_gbp=float(savings["annual_saving_gbp"].sum()),
        tenders_per_year=float(profile["tenders_per_year"].sum()),
        tenders_avoided_per_year=float(savings["tenders_avoided_per_year"].sum()),
        framework_start=params.framework_start,
        window_months=params.window_months,
    )
