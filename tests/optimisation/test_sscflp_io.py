"""Reader and writer of the standard SSCFLP text format."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from cctvscope.errors import InputError
from cctvscope.optimisation.facility import FacilityProblem
from cctvscope.optimisation.sscflp_io import parse_sscflp, read_sscflp, write_sscflp

TEXT = """2 3
10 20
100 200
4 5 6
1 2
3 4
5 6
"""


def test_reads_rows_in_order() -> None:
    p = parse_sscflp(TEXT)
    assert (p.n_facilities, p.n_customers) == (2, 3)
    np.testing.assert_array_equal(p.capacities, [10, 20])
    np.testing.assert_array_equal(p.fixed_costs, [100, 200])
    np.testing.assert_array_equal(p.demands, [4, 5, 6])
    np.testing.assert_array_equal(p.costs, [[1, 2], [3, 4], [5, 6]])


def test_line_wrapping_does_not_matter() -> None:
    wrapped = " ".join(TEXT.split()).replace(" 5 6 ", "\n5\n6\n", 1)
    p = parse_sscflp(wrapped)
    np.testing.assert_array_equal(p.costs, parse_sscflp(TEXT).costs)


def test_round_trip(tmp_path: Path) -> None:
    p = FacilityProblem([10.0, 20.5], [100.0, 200.0], [4.0, 5.0, 6.0], np.arange(6.0).reshape(3, 2))
    path = tmp_path / "x.txt"
    write_sscflp(p, path)
    q = read_sscflp(path)
    for name in ("capacities", "fixed_costs", "demands", "costs"):
        np.testing.assert_array_equal(getattr(q, name), getattr(p, name))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "file is empty"),
        ("   \n", "file is empty"),
        ("2 3\n10 abc", "non-numeric token 'abc' at position 4"),
        ("2", "expected 'n m'"),
        ("2.5 3", "positive integers"),
        ("2 3\n1 2 3", "expected 15 (2 + 2n + m + m·n), found 5"),
        (TEXT + "\n99", "expected 15 (2 + 2n + m + m·n), found 16"),
        (TEXT.replace("4 5 6", "4 -5 6"), "negative demand at index 2"),
        ("2 3 nan", "non-finite"),
    ],
)
def test_errors(text: str, fragment: str) -> None:
    with pytest.raises(InputError, match=re.escape(fragment)) as info:
        parse_sscflp(text)
    assert info.value.errors


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_sscflp(tmp_path / "nope.txt")
