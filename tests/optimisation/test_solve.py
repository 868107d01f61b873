"""The solver wrapper survives thread-count changes between runs in one process."""

from __future__ import annotations

import numpy as np

from cctvscope.optimisation.facility import FacilityProblem
from cctvscope.optimisation.facility_solve import solve_facility
from cctvscope.optimisation.solve import SolveOptions


def test_thread_count_changes_between_runs():
    # Two facilities (capacity 10, fixed 5 and 7), two customers of demand 4:
    # opening facility 0 alone costs 5 + 1 + 2 = 8, the optimum.
    problem = FacilityProblem(
        capacities=np.array([10.0, 10.0]),
        fixed_costs=np.array([5.0, 7.0]),
        demands=np.array([4.0, 4.0]),
        costs=np.array([[1.0, 3.0], [2.0, 1.0]]),
    )
    for threads in (None, 1, 2, None, 1):
        solution = solve_facility(problem, SolveOptions(threads=threads))
        assert solution.status == "optimal"
        assert solution.objective == 8.0
