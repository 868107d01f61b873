"""Named-block model builder: layout, matrix and a hand-solved model."""

from __future__ import annotations

import numpy as np
import pytest

from cctvscope.optimisation.model_builder import ModelBuilder
from cctvscope.optimisation.solve import solve


def test_layout_and_hand_solved_knapsack() -> None:
    # max 5a + 4b + 3c s.t. 2a + 3b + c ≤ 5, a + b ≤ 1, integers in {0,1}, plus a
    # continuous slack s ≤ 2 with cost 1 and row s ≥ 0.5: by hand a = c = 1, b = 0
    # (value 8, weight 3); s = 0.5; objective −8 + 0.5 = −7.5.
    mb = ModelBuilder()
    pick = mb.add_variables("pick", 3, cost=[-5.0, -4.0, -3.0], integer=True)
    slack = mb.add_variables("slack", 1, cost=1.0, upper=2.0)
    cap = mb.add_constraints("capacity", 1, [0, 0, 0], pick.all(), [2.0, 3.0, 1.0], upper=5.0)
    excl = mb.add_constraints("exclusive", 1, [0, 0], pick.at([0, 1]), 1.0, upper=1.0)
    low = mb.add_constraints("slack_floor", 1, [0], slack.all(), 1.0, lower=0.5)
    built = mb.build()
    assert (pick.start, pick.stop, slack.start, slack.size) == (0, 3, 3, 1)
    assert (cap.start, excl.start, low.start) == (0, 1, 2)
    assert built.columns["slack"] == slack and built.rows["exclusive"] == excl
    lp = built.highs.getLp()
    assert (lp.num_col_, lp.num_row_) == (4, 3)
    outcome = solve(built.highs)
    assert outcome.status == "optimal"
    assert outcome.objective == pytest.approx(-7.5)
    values = np.asarray(built.highs.getSolution().col_value)
    np.testing.assert_allclose(values[pick.all()], [1.0, 0.0, 1.0], atol=1e-9)
    assert values[slack.start] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("rows", "cols", "fragment"),
    [([0, 2], [0, 1], "row offsets outside 0..1"), ([0, 1], [0, 5], "column indices outside")],
)
def test_bad_triplets_are_rejected(rows: list[int], cols: list[int], fragment: str) -> None:
    mb = ModelBuilder()
    mb.add_variables("v", 2)
    with pytest.raises(ValueError, match=fragment):
        mb.add_constraints("c", 2, rows, cols, 1.0)


def test_names_are_unique() -> None:
    mb = ModelBuilder()
    mb.add_variables("v", 1)
    with pytest.raises(ValueError, match="declared twice"):
        mb.add_variables("v", 2)


def test_empty_model_builds() -> None:
    built = ModelBuilder().build()
    assert built.highs.getLp().num_col_ == 0
