"""Dates of a run: the price base, the framework start and the scenario years follow the run date.

The assumptions file holds no calendar year that should move with time: the price base
is the run date's year, the framework's first call-off is
``economics_prices.framework_lead_months`` after the run date (the time to procure it),
and the technology scenarios start the year after the price base. The pipeline passes
its run date (today unless given) through :func:`dated_assumptions`, so every analysis
and the guide read the same dates, and Appendix A shows them; the single-analysis
workflows default to :func:`current_assumptions` (today), so ``cctvscope economics``
prices in the year ``cctvscope report`` does on the same day.

The file's own ``economics.price_base_year`` and ``framework_start_date`` remain the
defaults of an economics function called directly (the unit tests' fixed figures).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from cctvscope.model.assumptions import Assumption, Assumptions, read_assumptions

#: Assumption keys set from the run date.
PRICE_BASE_KEY = "economics.price_base_year"
FRAMEWORK_START_KEY = "economics_framework.framework_start_date"
LEAD_KEY = "economics_framework.framework_lead_months"


@dataclasses.dataclass(frozen=True)
class RunDates:
    """The dates one run's analyses use (``scenario_last_year`` inclusive)."""

    run_date: dt.date
    price_base_year: int
    framework_start: dt.date
    scenario_first_year: int
    scenario_last_year: int


def first_of_month_after(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` whole months after ``day``'s month, or
    ``day`` itself when it is the first and ``months`` is 0.

    >>> first_of_month_after(dt.date(2026, 12, 3), 12)
    datetime.date(2028, 1, 1)
    >>> first_of_month_after(dt.date(2026, 4, 1), 12)
    datetime.date(2027, 4, 1)
    """
    # A date past the 1st rounds up to the next month: a window cannot open in the past.
    index = day.year * 12 + (day.month - 1) + months + (0 if day.day == 1 else 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def run_dates(assumptions: Assumptions, run_date: dt.date, horizon_years: int = 10) -> RunDates:
    """The dates a run on ``run_date`` uses."""
    lead = int(assumptions.value(LEAD_KEY))
    if lead < 0:
        raise ValueError(f"{LEAD_KEY} must not be negative, not {lead}")
    return RunDates(
        run_date=run_date,
        price_base_year=run_date.year,
        framework_start=first_of_month_after(run_date, lead),
        scenario_first_year=run_date.year + 1,
        scenario_last_year=run_date.year + horizon_years,
    )


def _dated(entry: Assumption, value: object, note: str) -> Assumption:
    return dataclasses.replace(entry, value=value, note=note)


def dated_assumptions(assumptions: Assumptions, run_date: dt.date) -> Assumptions:
    """``assumptions`` with the price base and framework start set from ``run_date``.

    The sha256 stays the file's (it identifies the file read); the run date is in the
    guide's reproducibility table.
    """
    dates = run_dates(assumptions, run_date)
    entries = dict(assumptions.entries)
    entries[PRICE_BASE_KEY] = _dated(
        assumptions.get(PRICE_BASE_KEY),
        dates.price_base_year,
        f"The run date's year (run on {run_date.isoformat()}): every appraisal is in "
        "pounds of this year; figures from other years are uplifted to it.",
    )
    lead = int(assumptions.value(LEAD_KEY))
    entries[FRAMEWORK_START_KEY] = _dated(
        assumptions.get(FRAMEWORK_START_KEY),
        dates.framework_start.isoformat(),
        f"First day boroughs can call off the framework: the first of the month {lead} "
        f"months after the run date ({run_date.isoformat()}), for its procurement.",
    )
    return dataclasses.replace(assumptions, entries=entries)


def current_assumptions() -> Assumptions:
    """The bundled assumptions dated by today: the default of every analysis workflow, so a
    single-analysis command (``economics``, ``comply``, ``options``) prices in the same
    year as ``report`` run on the same day."""
    return dated_assumptions(read_assumptions(), dt.date.today())
