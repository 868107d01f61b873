"""Run dates: the price base, framework start and scenario years follow the run date."""

from __future__ import annotations

import datetime as dt

import pytest

from cctvscope.economics.procurement import FrameworkParameters
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.prices import PriceBase
from cctvscope.workflows.dates import (
    current_assumptions,
    dated_assumptions,
    first_of_month_after,
    run_dates,
)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        # 3 Dec 2026 rounds up to 1 Jan 2027, then 12 months on.
        (dt.date(2026, 12, 3), 12, dt.date(2028, 1, 1)),
        (dt.date(2026, 4, 1), 12, dt.date(2027, 4, 1)),
        (dt.date(2026, 4, 1), 0, dt.date(2026, 4, 1)),
        (dt.date(2026, 11, 30), 1, dt.date(2027, 1, 1)),
    ],
)
def test_first_of_month_after(day: dt.date, months: int, expected: dt.date) -> None:
    assert first_of_month_after(day, months) == expected


@pytest.mark.parametrize(
    ("run", "base", "start"),
    [
        (dt.date(2026, 12, 3), 2026, dt.date(2028, 1, 1)),
        (dt.date(2031, 4, 1), 2031, dt.date(2032, 4, 1)),
    ],
)
def test_economics_read_the_run_dates(run: dt.date, base: int, start: dt.date) -> None:
    dated = dated_assumptions(read_assumptions(), run)
    assert PriceBase.from_assumptions(dated).base_year == base
    assert FrameworkParameters.from_assumptions(dated).framework_start == start
    dates = run_dates(read_assumptions(), run)
    assert (dates.scenario_first_year, dates.scenario_last_year) == (base + 1, base + 10)
    # The file read is unchanged: only the dated copy moves.
    assert read_assumptions().get("economics.price_base_year").note != (
        dated.get("economics.price_base_year").note
    )
    assert dated.sha256 == read_assumptions().sha256


def test_no_fixed_framework_year_survives_dating() -> None:
    dated = dated_assumptions(read_assumptions(), dt.date(2026, 12, 3))
    entry = dated.get("economics_framework.framework_start_date")
    assert entry.value == "2028-01-01"
    assert "2026-12-03" in entry.note


def test_workflow_default_is_dated_by_today() -> None:
    before = dt.date.today()
    current = current_assumptions()
    after = dt.date.today()  # a call across midnight may take either day
    assert PriceBase.from_assumptions(current).base_year in (before.year, after.year)
    note = current.get("economics.price_base_year").note
    assert any(f"run on {d.isoformat()}" in note for d in (before, after))
