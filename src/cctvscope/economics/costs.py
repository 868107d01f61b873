"""Discounting, annuities, whole-life cost and payback.

Every function takes scalars or numpy arrays and runs one broadcasting code path
(``np.asarray``); a scalar in gives a numpy scalar out, an array in gives an
array out. Money is in pounds sterling [GBP] at constant prices of the
appraisal's price base year; rates are real, as fractions per year [1/year].

Conventions: a cash flow indexed ``t`` falls at the *end* of year ``t`` and is
discounted by :math:`(1 + r)^{-t}`; year 0 is "now" and is not discounted.
Capital is spent in year 0 and again at the end of each asset lifetime;
operating cost falls at the end of years 1 to N.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import numpy.typing as npt

from cctvscope.model.assumptions import Assumptions

__all__ = [
    "FloatOrArray",
    "annuity_factor",
    "discounted_payback_year",
    "equivalent_annual_cost_gbp",
    "green_book_bands",
    "green_book_discount_factors",
    "npv",
    "payback_year",
    "present_value_factor",
    "whole_life_cost_gbp",
]

FloatOrArray = np.float64 | npt.NDArray[np.float64]
"""A numpy float scalar (from scalar inputs) or a float array."""

_F = npt.NDArray[np.float64]


def _as_float(x: npt.ArrayLike) -> _F:
    return np.asarray(x, dtype=np.float64)


def _out(a: _F) -> FloatOrArray:
    """Unwrap a 0-d array to a numpy scalar; leave other arrays alone."""
    return cast(FloatOrArray, a[()])


def _check_rate(r: _F) -> None:
    if np.any(r <= -1.0) or np.any(np.isnan(r)):
        raise ValueError("discount_rate must be greater than -1")


def _check_positive(x: _F, name: str) -> None:
    if not np.all(x > 0):
        raise ValueError(f"{name} must be positive")


def _log_discount(r: _F) -> _F:
    """:math:`\\ln(1 + r)`, accurate for small ``r``."""
    return cast(_F, np.log1p(r))


def annuity_factor(discount_rate: npt.ArrayLike, lifetime_years: npt.ArrayLike) -> FloatOrArray:
    r"""Capital recovery factor: the share of capital paid each year to repay it over a life.

    .. math::

        a(r, n) = \frac{r}{1 - (1 + r)^{-n}}, \qquad a(0, n) = \frac{1}{n}

    At :math:`r = 0` the formula is 0/0 and its limit, straight-line
    depreciation :math:`1/n`, is used instead, with no division warning.

    Parameters
    ----------
    discount_rate
        Real discount rate :math:`r` [1/year], greater than -1.
    lifetime_years
        Asset lifetime :math:`n` [year], positive.

    Returns
    -------
    FloatOrArray
        Annuity factor [1/year]; broadcast shape of the inputs.

    Raises
    ------
    ValueError
        If a rate is -1 or less, or a lifetime is not positive.

    References
    ----------
    .. [1] PyPSA, ``pypsa.costs.annuity`` (same formula and r = 0 limit).
    .. [2] HM Treasury, The Green Book (2022), Annex A6 (discounting).

    Examples
    --------
    >>> float(annuity_factor(0.035, 10))  # doctest: +ELLIPSIS
    0.12024...
    >>> float(annuity_factor(0.0, 20))  # 0 % = straight-line depreciation
    0.05
    >>> annuity_factor([0.0, 0.1], 2).round(4)
    array([0.5   , 0.5762])
    """
    r = _as_float(discount_rate)
    n = _as_float(lifetime_years)
    _check_rate(r)
    _check_positive(n, "lifetime_years")
    zero = r == 0.0
    r_safe = np.where(zero, 1.0, r)
    # 1 - (1 + r)^-n written with expm1/log1p to keep precision for small r
    denominator = -np.expm1(-n * _log_discount(r_safe))
    return _out(np.where(zero, 1.0 / n, r_safe / denominator))


def present_value_factor(discount_rate: npt.ArrayLike, year: npt.ArrayLike) -> FloatOrArray:
    r"""Discount factor for a cash flow at the end of year ``t``.

    .. math::

        d(r, t) = (1 + r)^{-t}

    Parameters
    ----------
    discount_rate
        Real discount rate :math:`r` [1/year], greater than -1.
    year
        Years from now :math:`t` [year]; 0 is now (factor 1).

    Returns
    -------
    FloatOrArray
        Discount factor [-]; broadcast shape of the inputs.

    Examples
    --------
    >>> float(present_value_factor(0.1, 1))  # doctest: +ELLIPSIS
    0.90909...
    >>> present_value_factor(0.0, [0, 5, 10])
    array([1., 1., 1.])
    """
    r = _as_float(discount_rate)
    _check_rate(r)
    t = _as_float(year)
    return _out(np.exp(-t * _log_discount(r)))


def npv(
    cash_flows_gbp: npt.ArrayLike, discount_rate: npt.ArrayLike, *, start_year: int = 0
) -> FloatOrArray:
    r"""Net present value of yearly cash flows.

    .. math::

        \mathrm{NPV} = \sum_{k=0}^{N-1} C_k \, (1 + r)^{-(s + k)}

    Parameters
    ----------
    cash_flows_gbp
        Cash flows :math:`C_k` [GBP]; the last axis is years, so a 2-D array
        is (scenarios x years). Costs are negative, benefits positive.
    discount_rate
        Real discount rate [1/year]: a scalar, or one rate per scenario
        (shape of the leading axes of ``cash_flows_gbp``).
    start_year
        Year :math:`s` of the first cash flow (0 = now, undiscounted).

    Returns
    -------
    FloatOrArray
        NPV [GBP]: a scalar for 1-D flows, one value per scenario for 2-D.

    Examples
    --------
    >>> float(npv([-100.0, 60.0, 60.0], 0.10))  # doctest: +ELLIPSIS
    4.132...
    >>> npv([[-100.0, 60.0, 60.0], [-100.0, 50.0, 50.0]], 0.0)
    array([20.,  0.])
    """
    flows = _as_float(cash_flows_gbp)
    if flows.ndim == 0:
        raise ValueError("cash_flows_gbp must have a years axis")
    years = start_year + np.arange(flows.shape[-1], dtype=np.float64)
    factors = present_value_factor(_as_float(discount_rate)[..., np.newaxis], years)
    return _out(np.sum(flows * factors, axis=-1))


def equivalent_annual_cost_gbp(
    capex_gbp: npt.ArrayLike,
    lifetime_years: npt.ArrayLike,
    discount_rate: npt.ArrayLike,
    annual_opex_gbp: npt.ArrayLike = 0.0,
) -> FloatOrArray:
    r"""Equivalent annual cost: capital annuitised over its life plus yearly running cost.

    .. math::

        \mathrm{EAC} = K \, a(r, n) + O

    Parameters
    ----------
    capex_gbp
        Capital cost :math:`K` [GBP].
    lifetime_years
        Asset lifetime :math:`n` [year].
    discount_rate
        Real discount rate :math:`r` [1/year].
    annual_opex_gbp
        Running cost :math:`O` [GBP/year].

    Returns
    -------
    FloatOrArray
        Equivalent annual cost [GBP/year].

    See Also
    --------
    annuity_factor

    Examples
    --------
    >>> float(equivalent_annual_cost_gbp(5000.0, 10, 0.0, 494.0))
    994.0
    >>> float(equivalent_annual_cost_gbp(100_000.0, 10, 0.035))  # doctest: +ELLIPSIS
    12024.1...
    """
    capex = _as_float(capex_gbp)
    opex = _as_float(annual_opex_gbp)
    return _out(capex * annuity_factor(discount_rate, lifetime_years) + opex)


def whole_life_cost_gbp(
    capex_gbp: npt.ArrayLike,
    annual_opex_gbp: npt.ArrayLike,
    lifetime_years: npt.ArrayLike,
    discount_rate: npt.ArrayLike,
    horizon_years: npt.ArrayLike,
) -> FloatOrArray:
    r"""Present value of owning an asset over a horizon, replacing it at end of life.

    Capital :math:`K` is spent at years :math:`0, n, 2n, \dots` while below the
    horizon :math:`H` (:math:`m = \lceil H / n \rceil` purchases); running cost
    :math:`O` falls at the end of years 1 to :math:`H`. No residual value is
    credited for life left at the horizon.

    .. math::

        \mathrm{WLC} = K \sum_{k=0}^{m-1} (1 + r)^{-kn} + \frac{O}{a(r, H)}

    Parameters
    ----------
    capex_gbp
        Capital cost of one purchase :math:`K` [GBP].
    annual_opex_gbp
        Running cost :math:`O` [GBP/year].
    lifetime_years
        Asset lifetime :math:`n` [year], positive.
    discount_rate
        Real discount rate :math:`r` [1/year].
    horizon_years
        Appraisal horizon :math:`H` [year], positive.

    Returns
    -------
    FloatOrArray
        Whole-life cost, present value [GBP].

    Examples
    --------
    Undiscounted, a 7-year asset bought at years 0, 7 and 14 over 20 years:

    >>> float(whole_life_cost_gbp(5000.0, 494.0, 7, 0.0, 20))
    24880.0
    >>> float(whole_life_cost_gbp(100.0, 0.0, 10, 0.10, 20))  # doctest: +ELLIPSIS
    138.55...
    """
    capex = _as_float(capex_gbp)
    opex = _as_float(annual_opex_gbp)
    n = _as_float(lifetime_years)
    horizon = _as_float(horizon_years)
    _check_positive(n, "lifetime_years")
    _check_positive(horizon, "horizon_years")
    purchases = np.ceil(horizon / n)
    q = _as_float(present_value_factor(discount_rate, n))  # discount over one lifetime
    same = q == 1.0
    q_safe = np.where(same, 0.0, q)
    # geometric series sum_{k<m} q^k, = m when q = 1 (r = 0)
    capital_factor = np.where(same, purchases, (1.0 - q_safe**purchases) / (1.0 - q_safe))
    opex_factor = 1.0 / _as_float(annuity_factor(discount_rate, horizon))
    return _out(capex * capital_factor + opex * opex_factor)


def payback_year(cash_flows_gbp: npt.ArrayLike, *, start_year: int = 0) -> FloatOrArray:
    """First year in which cumulative undiscounted cash flow is non-negative.

    Parameters
    ----------
    cash_flows_gbp
        Net cash flows [GBP]; the last axis is years (2-D: scenarios x years).
    start_year
        Year of the first cash flow.

    Returns
    -------
    FloatOrArray
        Payback year [year] (first crossing; a later dip below zero is not
        considered); NaN where the cumulative total never reaches zero.

    Examples
    --------
    >>> float(payback_year([-100.0, 48.0, 48.0, 48.0]))
    3.0
    >>> payback_year([[-100.0, 60.0, 60.0], [-100.0, 10.0, 10.0]])
    array([ 2., nan])
    """
    flows = _as_float(cash_flows_gbp)
    if flows.ndim == 0:
        raise ValueError("cash_flows_gbp must have a years axis")
    reached = np.cumsum(flows, axis=-1) >= 0.0
    first = np.argmax(reached, axis=-1).astype(np.float64) + start_year
    return _out(np.where(np.any(reached, axis=-1), first, np.nan))


def discounted_payback_year(
    cash_flows_gbp: npt.ArrayLike, discount_rate: npt.ArrayLike, *, start_year: int = 0
) -> FloatOrArray:
    r"""First year in which cumulative discounted cash flow is non-negative.

    Each flow :math:`C_k` is discounted by :math:`(1 + r)^{-(s + k)}` before
    accumulating; otherwise as :func:`payback_year`.

    Parameters
    ----------
    cash_flows_gbp
        Net cash flows [GBP]; the last axis is years.
    discount_rate
        Real discount rate [1/year], scalar or one per scenario.
    start_year
        Year :math:`s` of the first cash flow.

    Returns
    -------
    FloatOrArray
        Discounted payback year [year]; NaN when never reached.

    Examples
    --------
    >>> float(discounted_payback_year([-100.0, 60.0, 60.0], 0.10))
    2.0
    >>> float(discounted_payback_year([-100.0, 55.0, 55.0], 0.10))
    nan
    """
    flows = _as_float(cash_flows_gbp)
    if flows.ndim == 0:
        raise ValueError("cash_flows_gbp must have a years axis")
    years = start_year + np.arange(flows.shape[-1], dtype=np.float64)
    factors = present_value_factor(_as_float(discount_rate)[..., np.newaxis], years)
    return payback_year(flows * factors, start_year=start_year)


def green_book_discount_factors(
    years: npt.ArrayLike, rates_by_band: Sequence[tuple[float, float]]
) -> FloatOrArray:
    r"""Discount factors under a declining, banded discount-rate schedule.

    Year :math:`y` (from 1) is discounted at the rate of the band containing it,
    and the factor for year :math:`t` is the product of the yearly factors:

    .. math::

        D(t) = \prod_{y=1}^{t} (1 + r_{b(y)})^{-1}

    so with 3.5 % to year 30 and 3.0 % after, :math:`D(31) = 1.035^{-30}\,1.03^{-1}`.
    Fractional years are discounted pro rata within their band.

    Parameters
    ----------
    years
        Years from now :math:`t` [year], from 0 to the last band's end.
    rates_by_band
        ``(last_year, rate)`` pairs in increasing ``last_year`` order; each
        band runs from the previous band's last year (0 for the first) to its
        own, at ``rate`` [1/year].

    Returns
    -------
    FloatOrArray
        Discount factors [-], shape of ``years``.

    Raises
    ------
    ValueError
        If the bands are empty or out of order, a rate is -1 or less, or a year
        is negative or beyond the last band.

    References
    ----------
    .. [1] HM Treasury, The Green Book (2022), Table 8 / Annex A6 (declining
       long-term discount rate). Values carried as ``economics.green_book_discount_rate``
       (unverified).

    Examples
    --------
    >>> bands = [(30, 0.035), (75, 0.03)]
    >>> round(float(green_book_discount_factors(31, bands) * 1.035**30 * 1.03), 12)
    1.0
    >>> green_book_discount_factors([0, 1], bands).round(5)
    array([1.     , 0.96618])
    """
    if not rates_by_band:
        raise ValueError("rates_by_band must have at least one band")
    ends = _as_float([end for end, _ in rates_by_band])
    rates = _as_float([rate for _, rate in rates_by_band])
    starts = np.concatenate(([0.0], ends[:-1]))
    if np.any(ends <= starts):
        raise ValueError("rates_by_band must be in increasing last_year order")
    _check_rate(rates)
    t = _as_float(years)
    if np.any(t < 0) or np.any(t > ends[-1]) or np.any(np.isnan(t)):
        raise ValueError(f"years must lie in [0, {ends[-1]:g}]")
    years_in_band = np.clip(t[..., np.newaxis] - starts, 0.0, ends - starts)
    return _out(np.exp(-np.sum(years_in_band * _log_discount(rates), axis=-1)))


def green_book_bands(assumptions: Assumptions) -> tuple[tuple[float, float], ...]:
    """The Green Book rate bands from ``economics.green_book_discount_rate``.

    Parameters
    ----------
    assumptions
        Assumptions to read (e.g. the bundled file, ``read_assumptions()``).

    Returns
    -------
    tuple of (float, float)
        ``(last_year, rate)`` pairs for :func:`green_book_discount_factors`.

    Examples
    --------
    >>> from cctvscope.model.assumptions import read_assumptions
    >>> green_book_bands(read_assumptions())
    ((30.0, 0.035), (75.0, 0.03))
    """
    entries = assumptions.value("economics.green_book_discount_rate")
    return tuple((float(band["to_year"]), float(band["rate"])) for band in entries)
