"""Optimisation models from named blocks of variables and constraints.

Every model in this package is built the same way: declare blocks of variables
(:meth:`ModelBuilder.add_variables`, each with its costs, bounds and
integrality), then blocks of constraints (:meth:`ModelBuilder.add_constraints`,
entries as (row within the block, column, value) triplets, vectorised), then
:meth:`ModelBuilder.build` passes the whole matrix to HiGHS at once. The blocks'
names map back to column and row ranges (:class:`Block`), which is what the
extract step reads the solution with.

Columns and rows keep their declaration order, so a model's layout is fixed by
the order in which its blocks are added.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cctvscope.errors import CctvscopeError
from cctvscope.optimisation.solve import new_highs

__all__ = ["INF", "Block", "BuiltModelLayout", "ModelBuilder"]

#: Infinite bound, for one-sided constraints.
INF = float(highspy.kHighsInf)


@dataclass(frozen=True, slots=True)
class Block:
    """A named range of columns or rows: ``start`` (first) to ``stop`` (one past the last)."""

    name: str
    start: int
    stop: int

    @property
    def size(self) -> int:
        """Number of columns or rows in the block."""
        return self.stop - self.start

    def at(self, offset: ArrayLike) -> NDArray[np.int64]:
        """Absolute indices of the block's members at ``offset`` (0-based within the block)."""
        return self.start + np.asarray(offset, dtype=np.int64)

    def all(self) -> NDArray[np.int64]:
        """Absolute indices of every member."""
        return np.arange(self.start, self.stop, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class BuiltModelLayout:
    """A HiGHS model and the named blocks of its columns and rows."""

    highs: highspy.Highs
    columns: dict[str, Block]
    rows: dict[str, Block]


def _full(value: ArrayLike, count: int, name: str) -> NDArray[np.float64]:
    arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (count,))
    if arr.shape != (count,):
        raise ValueError(f"{name}: expected {count} values")
    return arr


class ModelBuilder:
    """Collects variable and constraint blocks; :meth:`build` makes one HiGHS model."""

    def __init__(self) -> None:
        self._columns: dict[str, Block] = {}
        self._rows: dict[str, Block] = {}
        self._cost: list[NDArray[np.float64]] = []
        self._col_lower: list[NDArray[np.float64]] = []
        self._col_upper: list[NDArray[np.float64]] = []
        self._integer: list[NDArray[np.int32]] = []
        self._row_lower: list[NDArray[np.float64]] = []
        self._row_upper: list[NDArray[np.float64]] = []
        self._entries: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]] = []
        self._num_col = 0
        self._num_row = 0

    @property
    def num_columns(self) -> int:
        """Columns declared so far."""
        return self._num_col

    def add_variables(
        self,
        name: str,
        count: int,
        *,
        cost: ArrayLike = 0.0,
        lower: ArrayLike = 0.0,
        upper: ArrayLike = 1.0,
        integer: bool = False,
    ) -> Block:
        """Declare ``count`` variables (scalars broadcast); returns their block."""
        if name in self._columns:
            raise ValueError(f"variable block {name!r} declared twice")
        block = Block(name, self._num_col, self._num_col + count)
        self._cost.append(_full(cost, count, f"{name} cost"))
        self._col_lower.append(_full(lower, count, f"{name} lower"))
        self._col_upper.append(_full(upper, count, f"{name} upper"))
        self._integer.append(np.full(count, 1 if integer else 0, dtype=np.int32))
        self._columns[name] = block
        self._num_col = block.stop
        return block

    def add_constraints(
        self,
        name: str,
        count: int,
        rows: ArrayLike,
        columns: ArrayLike,
        values: ArrayLike,
        *,
        lower: ArrayLike = -INF,
        upper: ArrayLike = INF,
    ) -> Block:
        """Declare ``count`` rows ``lower ≤ Σ value·x ≤ upper`` from (row, column, value) triplets.

        ``rows`` are 0-based within the block; ``columns`` are absolute (see
        :meth:`Block.at`). A repeated (row, column) pair is summed by HiGHS only
        if declared once, so callers pass each pair once.
        """
        if name in self._rows:
            raise ValueError(f"constraint block {name!r} declared twice")
        r = np.asarray(rows, dtype=np.int64).ravel()
        c = np.asarray(columns, dtype=np.int64).ravel()
        v = np.broadcast_to(np.asarray(values, dtype=np.float64), r.shape)
        if c.shape != r.shape:
            raise ValueError(f"{name}: rows and columns differ in length")
        if r.size and (r.min() < 0 or r.max() >= count):
            raise ValueError(f"{name}: row offsets outside 0..{count - 1}")
        if c.size and (c.min() < 0 or c.max() >= self._num_col):
            raise ValueError(f"{name}: column indices outside the declared variables")
        block = Block(name, self._num_row, self._num_row + count)
        self._entries.append((r + block.start, c, v))
        self._row_lower.append(_full(lower, count, f"{name} lower"))
        self._row_upper.append(_full(upper, count, f"{name} upper"))
        self._rows[name] = block
        self._num_row = block.stop
        return block

    def build(self) -> BuiltModelLayout:
        """Pass every block to a fresh, silent HiGHS object as one row-wise matrix."""
        empty_f = np.zeros(0)
        empty_i = np.zeros(0, dtype=np.int64)
        r_all = np.concatenate([e[0] for e in self._entries] or [empty_i])
        c_all = np.concatenate([e[1] for e in self._entries] or [empty_i])
        v_all = np.concatenate([e[2] for e in self._entries] or [empty_f])
        order = np.lexsort((c_all, r_all))
        r_all, c_all, v_all = r_all[order], c_all[order], v_all[order]
        start = np.searchsorted(r_all, np.arange(self._num_row)).astype(np.int32)
        highs = new_highs()
        status = highs.passModel(
            self._num_col,
            self._num_row,
            int(v_all.size),
            int(highspy.MatrixFormat.kRowwise),
            int(highspy.ObjSense.kMinimize),
            0.0,
            np.concatenate(self._cost or [empty_f]),
            np.concatenate(self._col_lower or [empty_f]),
            np.concatenate(self._col_upper or [empty_f]),
            np.concatenate(self._row_lower or [empty_f]),
            np.concatenate(self._row_upper or [empty_f]),
            start,
            c_all.astype(np.int32),
            v_all,
            np.concatenate(self._integer or [np.zeros(0, dtype=np.int32)]),
        )
        if status == highspy.HighsStatus.kError:
            raise CctvscopeError(f"HiGHS rejected the model ({status})")
        return BuiltModelLayout(highs=highs, columns=dict(self._columns), rows=dict(self._rows))
