"""Read and write the standard single-source facility-location text format.

The file is a whitespace-separated stream of numbers (line breaks carry no
meaning, so wrapped rows are fine)::

    n m
    Q_1 ... Q_n          capacities of the n facilities
    f_1 ... f_n          fixed opening costs
    d_1 ... d_m          demands of the m customers
    c_11 ... c_1n        cost of serving customer 1 from each facility
    ...
    c_m1 ... c_mn        (customer-by-facility matrix, m rows of n values)

Anything after the ``2 + 2n + m + m·n`` values is an error (a trailing known
optimum, as some collections append, is not part of this format).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from cctvscope.errors import Finding, InputError
from cctvscope.optimisation.facility import FacilityProblem

__all__ = ["parse_sscflp", "read_sscflp", "write_sscflp"]


def _fail(source: str, reason: str) -> InputError:
    return InputError(f"{source}: {reason}", [Finding("error", None, None, None, reason)])


def parse_sscflp(text: str, source: str = "<text>") -> FacilityProblem:
    """Parse the text of an SSCFLP instance (see the module docstring)."""
    tokens = text.split()
    if not tokens:
        raise _fail(source, "file is empty: expected 'n m' followed by the instance data")
    values: list[float] = []
    for k, token in enumerate(tokens, start=1):
        try:
            value = float(token)
        except ValueError:
            raise _fail(source, f"non-numeric token {token!r} at position {k}") from None
        if not math.isfinite(value):
            raise _fail(source, f"non-finite value {token!r} at position {k}")
        values.append(value)
    if len(values) < 2:
        raise _fail(source, "expected 'n m' (number of facilities and customers) at the start")
    n_raw, m_raw = values[0], values[1]
    if n_raw != int(n_raw) or m_raw != int(m_raw) or n_raw < 1 or m_raw < 1:
        raise _fail(
            source, f"first two values must be positive integers n m, got {tokens[0]} {tokens[1]}"
        )
    n, m = int(n_raw), int(m_raw)
    expected = 2 + 2 * n + m + m * n
    if len(values) != expected:
        raise _fail(
            source,
            f"wrong number of values for n={n} facilities and m={m} customers: expected "
            f"{expected} (2 + 2n + m + m·n), found {len(values)}",
        )
    data = np.asarray(values[2:], dtype=np.float64)
    capacities = data[:n]
    fixed = data[n : 2 * n]
    demands = data[2 * n : 2 * n + m]
    costs = data[2 * n + m :].reshape(m, n)
    for name, arr in (("capacity", capacities), ("demand", demands)):
        bad = np.flatnonzero(arr < 0)
        if bad.size:
            raise _fail(source, f"negative {name} at index {int(bad[0]) + 1}: {arr[bad[0]]:g}")
    return FacilityProblem(capacities=capacities, fixed_costs=fixed, demands=demands, costs=costs)


def read_sscflp(path: str | Path) -> FacilityProblem:
    """Read an SSCFLP instance file. Raises :class:`InputError` with a precise reason."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(str(p), "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(str(p), f"cannot read file ({exc})") from None
    return parse_sscflp(text, source=str(p))


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def write_sscflp(problem: FacilityProblem, path: str | Path) -> None:
    """Write ``problem``'s data (options such as ``must_open`` are not part of the format)."""
    lines = [f"{problem.n_facilities} {problem.n_customers}"]
    lines.append(" ".join(_fmt(v) for v in problem.capacities))
    lines.append(" ".join(_fmt(v) for v in problem.fixed_costs))
    lines.append(" ".join(_fmt(v) for v in problem.demands))
    lines.extend(" ".join(_fmt(v) for v in row) for row in problem.costs)
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
