"""Unit tests of the synthetic-estate building blocks (no full build)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cctvscope.errors import DataError
from cctvscope.ingest.synthetic_attributes import draw_install_years
from cctvscope.ingest.synthetic_counts import choose_published, period_year
from cctvscope.ingest.synthetic_network import ceil_positions
from cctvscope.ingest.synthetic_params import ParamReader, band_index, check_shares
from cctvscope.ingest.synthetic_placement import town_centre_seeds
from cctvscope.ingest.synthetic_register import cctv_available_share_of_crimes
from cctvscope.model.assumptions import read_assumptions


@pytest.fixture
def reader() -> ParamReader:
    return ParamReader(read_assumptions())


@pytest.mark.parametrize(
    ("period", "year"),
    [
        ("BBW 2016 report (FOI data c. 2012-2015)", 2016),
        ("c. 2016 (council statement)", 2016),
        ("council web page (strategy period 2006-2011)", 2011),
        ("date not stated in stored excerpt", None),
        ("2009", 2009),
    ],
)
def test_period_year(period: str, year: int | None) -> None:
    assert period_year(period) == year


def _cands(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["gss_code", "cameras", "period"])
    frame["source"] = "s"
    frame["year"] = [period_year(p) for p in frame["period"]]
    return frame


def test_choose_published_rule(reader: ParamReader) -> None:
    cands = _cands(
        [
            ("E09000033", 310, "2009"),
            ("E09000033", 134, "BBW 2016 report"),
            ("E09000032", 2246, "BBW 2016 report"),
            ("E09000032", 1100, "c. 2016"),
            ("E09000019", 1000, "date not stated"),
        ]
    )
    chosen = choose_published(reader, cands).set_index("gss_code")["cameras"]
    assert chosen.to_dict() == {"E09000019": 1000, "E09000032": 1100, "E09000033": 134}


def test_choose_published_tie_needs_override(reader: ParamReader) -> None:
    cands = _cands([("E09000001", 10, "2016"), ("E09000001", 20, "2016")])
    with pytest.raises(DataError, match="tie"):
        choose_published(reader, cands)


def test_town_centre_seeds_are_separated() -> None:
    xy = np.array([[0.0, 0.0], [100.0, 0.0], [5000.0, 0.0], [9000.0, 0.0]])
    density = np.array([10.0, 9.0, 8.0, 1.0])
    assert town_centre_seeds(xy, density, 3, 1500.0).tolist() == [0, 2, 3]
    assert town_centre_seeds(xy, density, 1, 1500.0).tolist() == [0]


def test_install_years_fall_in_bands(reader: ParamReader) -> None:
    years = draw_install_years(np.random.default_rng(1), reader, "council", 5000)
    assert years.min() >= 1996 and years.max() <= 2024
    labels = list(reader.by_band("synthetic_attributes.install_year_shares_council"))
    band = band_index(years, labels)
    assert (band >= 0).all()
    share_first = (band == 0).mean()
    assert abs(share_first - 0.20) < 0.03


def test_share_tables_validated() -> None:
    with pytest.raises(DataError):
        check_shares("x", {"a": 0.5, "b": 0.4})
    assert check_shares("x", {"a": 0.5, 2: 0.5}) == {"a": 0.5, "2": 0.5}


def test_derived_figures(reader: ParamReader) -> None:
    assert cctv_available_share_of_crimes(reader) == pytest.approx(141_565 / 771_566)
    assert round(cctv_available_share_of_crimes(reader), 4) == 0.1835
    assert ceil_positions(2900, 300, 2) == 10
    assert ceil_positions(64, 300, 2) == 2
