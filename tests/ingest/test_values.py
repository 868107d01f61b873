"""Shared value vocabularies: dates, yes/no words, money, shares, quantities, value maps."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest

from cctvscope.errors import InputError
from cctvscope.ingest import values
from cctvscope.ingest.values import (
    parse_bool_word,
    parse_date,
    parse_decimal,
    parse_money,
    parse_quantity,
    parse_share,
    parse_value_maps,
)

END_OF_MARCH = dt.date(2024, 3, 31)


def test_doctests_pass():
    result = doctest.testmod(values)
    assert result.attempted >= 10 and result.failed == 0


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-31",
        "2024-3-31",
        "2024-03-31T00:00:00",
        "2024-03-31 14:05",
        "2024-03-31T23:59:59Z",
        "31/03/2024",
        "31/3/2024",
        "31/03/24",
        "31-03-2024",
        "31.03.2024",
        "31/03/2024 10:30",
        "45382",
        "45382.0",
        "45382.99",
        "1711843200000",
        "1711929599999",
        "31 Mar 2024",
        "31 March 2024",
        "31st March 2024",
        "31-Mar-2024",
        "31 mar 24",
        "March 31, 2024",
        "Mar 31 2024",
        "  31/03/2024  ",
    ],
)
def test_parse_date_forms(text):
    assert parse_date(text) == END_OF_MARCH


def test_parse_date_is_day_first_and_20xx():
    assert parse_date("01/02/2024") == dt.date(2024, 2, 1)
    assert parse_date("05.06.07") == dt.date(2007, 6, 5)


def test_excel_serials_around_the_phantom_leap_day():
    assert parse_date("1") == dt.date(1900, 1, 1)
    assert parse_date("59") == dt.date(1900, 2, 28)
    assert parse_date("61") == dt.date(1900, 3, 1)
    assert parse_date("99999") == dt.date(2173, 10, 13)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "soon",
        "31/13/2024",
        "2024-02-30",
        "31/02/2024",
        "0",
        "100000",
        "99999999999",
        "-45382",
        "1.5e4",
        "Smarch 3 2024",
        "2024/25",
        "31/03-2024",
    ],
)
def test_parse_date_unreadable(text):
    assert parse_date(text) is None


def test_bool_words():
    assert [parse_bool_word(t) for t in ("Yes", "n", "TRUE", "0", "perhaps")] == [
        True,
        False,
        True,
        False,
        None,
    ]


def test_decimal_money_share_quantity():
    assert parse_decimal("12,500") == 12500.0
    assert parse_decimal("1,234,567.25") == 1234567.25
    assert parse_decimal("2,5") == 2.5
    assert parse_decimal("12 500") == 12500.0
    assert parse_decimal("") is None
    assert parse_money("£12,500") == 12500.0
    assert parse_money("12500") == 12500.0
    assert parse_money("£ 12,500.50") == 12500.5
    assert parse_money("£12.5k") == 12500.0
    assert parse_money("£1.2M") == 1200000.0
    assert parse_money("12,500 GBP") == 12500.0
    assert parse_money("£40,000 p.a.") == 40000.0
    assert parse_money("£40,000 per year") == 40000.0
    assert parse_money("$100") is None
    assert parse_money("about £5") is None
    assert parse_share("62%") == 0.62
    assert parse_share("62 %") == 0.62
    assert parse_share("62") == 0.62
    assert parse_share("0.62") == 0.62
    assert parse_share("0") == 0.0
    assert parse_share("150%") == 1.5
    assert parse_share("most") is None
    assert parse_quantity("2.5 km", {"km": 1.0, "m": 0.001}) == 2.5
    assert parse_quantity("800m", {"km": 1.0, "m": 0.001}) == pytest.approx(0.8)
    assert parse_quantity("24 Hours", {"hours": 1.0}) == 24.0
    assert parse_quantity("24 parsecs", {"hours": 1.0}) is None
    assert parse_quantity("km", {"km": 1.0}) is None


def test_value_maps_parse():
    got = parse_value_maps(
        ["link_type:DF=fibre", "link_type: Radio = wireless", "Retrieval Model:Police=embedded"],
        ["link_type", "retrieval_model"],
    )
    assert got == {
        "link_type": {"df": "fibre", "radio": "wireless"},
        "retrieval_model": {"police": "embedded"},
    }
    # Without a field list the names are left to the table reader to check.
    assert parse_value_maps(["anything:a=b"]) == {"anything": {"a": "b"}}


def test_value_maps_report_every_bad_item_at_once():
    items = [
        "link_type",  # no ':'
        "link_type:fibre",  # no '='
        ":a=b",  # empty field
        "link_type:=fibre",  # empty FROM
        "link_type:DF=",  # empty TO
        "colour:red=blue",  # unknown field
        "link_type:DF=fibre",
        "link_type:df=copper",  # FROM given twice
    ]
    with pytest.raises(InputError) as info:
        parse_value_maps(items, ["link_type"])
    found = [(f.field, f.value, f.reason) for f in info.value.findings]
    assert found == [
        ("link_type", "link_type", "--value-map expects FIELD:FROM=TO"),
        ("link_type", "link_type:fibre", "--value-map expects FIELD:FROM=TO"),
        (None, ":a=b", "--value-map expects FIELD:FROM=TO with FIELD, FROM and TO all given"),
        (
            "link_type",
            "link_type:=fibre",
            "--value-map expects FIELD:FROM=TO with FIELD, FROM and TO all given",
        ),
        (
            "link_type",
            "link_type:DF=",
            "--value-map expects FIELD:FROM=TO with FIELD, FROM and TO all given",
        ),
        ("colour", "colour:red=blue", "--value-map: unknown field 'colour'; fields are link_type"),
        ("link_type", "link_type:df=copper", "--value-map: link_type:df given twice"),
    ]
    assert all(f.severity == "error" and f.row is None for f in info.value.findings)
    assert str(info.value) == "--value-map: 7 bad item(s)"
