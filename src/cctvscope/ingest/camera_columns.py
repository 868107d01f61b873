"""The validated camera table of an import, filled in place chunk by chunk.

A million-camera import used to keep its validated rows as some fifty tables of
:data:`~cctvscope.ingest.cameras.CHUNK_ROWS` rows and join them at the end: for a
moment every row was held twice, next to the raw cells. Here each column is one
array sized for every row of the file, made once; a chunk of validated records is
written into its slice and let go, and the table is these arrays (not copied).
Repeated text (a ``defaulted_fields`` list, an operator, the source name) is one
shared string per distinct value rather than one string per row.

A column holding one value on every row so far (a field the file does not give:
``None``, ``NaN`` or its default on every camera) has no array while it is filled:
it becomes one when a row differs. A table made only to be saved (``views``) keeps
such a column as a read-only view of its one cell seen on every row: a bare ``id,
lon, lat`` file of a million rows then holds a handful of its forty columns'
arrays (8 MB each), not all of them. Pandas refuses a write in place into such a
column (it replaces the column whole), so any other table gets arrays.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cctvscope.model.entities import Camera
from cctvscope.model.frames import field_kind, records_to_frame

#: Distinct values of a text column that share one string object each; a column with
#: more (camera ids) keeps its values as they come.
SHARED_VALUES = 4_096

_DTYPES = {"int": np.int64, "float": np.float64, "bool": np.bool_}


class CameraColumns:
    """Columns of up to ``capacity`` validated cameras, in the canonical estate dtypes."""

    def __init__(self, capacity: int) -> None:
        self.size = 0
        self.capacity = capacity
        self.dtypes: dict[str, np.dtype[np.generic]] = {}
        #: A column's array; absent while every row so far holds ``constants[name]``.
        self.columns: dict[str, np.ndarray] = {}
        self.constants: dict[str, np.ndarray] = {}  # one cell each
        self.shared: dict[str, dict[object, object] | None] = {}
        for name in Camera.model_fields:
            kind = field_kind(Camera, name)
            self.dtypes[name] = np.dtype(_DTYPES.get(kind, object))
            self.shared[name] = {} if kind not in _DTYPES else None

    def add(self, records: Sequence[Camera]) -> None:
        """Append ``records`` (converted as :func:`records_to_frame` does)."""
        if not records:
            return
        chunk = records_to_frame(Camera, records, objects=True)
        end = self.size + len(chunk)
        for name, dtype in self.dtypes.items():
            values = chunk[name].to_numpy()
            known = self.shared[name]
            if known is not None:
                values = self._share(name, known, values)
            if name not in self.columns:
                if self._still_constant(name, dtype, values):
                    continue
                self._make_array(name, dtype)
            self.columns[name][self.size : end] = values
        self.size = end

    def _still_constant(self, name: str, dtype: np.dtype[np.generic], values: np.ndarray) -> bool:
        """True when every value is the column's one value so far (the first, if none yet)."""
        cell = self.constants.get(name)
        if cell is None:
            cell = np.empty(1, dtype=dtype)
            cell[0] = values[0]
            self.constants[name] = cell
        if dtype.kind == "O":
            first = cell[0]
            return all(v is first for v in values)  # the same object, as an array would hold
        bits = f"u{dtype.itemsize}"  # bit for bit: NaN is NaN, -0.0 is not 0.0
        return bool((np.asarray(values, dtype=dtype).view(bits) == cell.view(bits)[0]).all())

    def _make_array(self, name: str, dtype: np.dtype[np.generic]) -> None:
        """The column's array, its rows so far holding the one value they share."""
        column = np.empty(self.capacity, dtype=dtype)
        if self.size:
            column[: self.size] = self.constants[name]  # one cell, broadcast
        self.columns[name] = column

    def _share(self, name: str, known: dict[object, object], values: np.ndarray) -> np.ndarray:
        out = np.empty(len(values), dtype=object)
        for i, value in enumerate(values):
            out[i] = known.setdefault(value, value)
        if len(known) > SHARED_VALUES:
            self.shared[name] = None  # an id-like column: sharing saves nothing
        return out

    def column(self, name: str, *, views: bool = False) -> np.ndarray:
        """The values of column ``name`` for every camera added (lent, not copied); a
        column of one value is an array of it, or with ``views`` a read-only view of
        one cell."""
        if name in self.columns:
            return self.columns[name][: self.size]
        cell = self.constants.get(name, np.empty(1, dtype=self.dtypes[name]))
        if views:
            return np.broadcast_to(cell, (self.size,))
        self._make_array(name, self.dtypes[name])
        return self.columns[name][: self.size]

    def frame(self, *, views: bool = False) -> pd.DataFrame:
        """The table of every camera added; the arrays are lent, not copied.

        ``views``: a column of one value stays one cell (see the module docstring): a
        table that is only saved, never changed in place.
        """
        # Series of the arrays' own dtype: text stays Python objects, not inferred as
        # Arrow strings (a copy of every text column).
        data = {
            name: pd.Series(self.column(name, views=views), dtype=dtype, copy=False)
            for name, dtype in self.dtypes.items()
        }
        self.columns = {}
        self.constants = {}
        return pd.DataFrame(data, copy=False)


def return_freed_memory() -> None:
    """Hand the pages the C allocator holds free back to the system (glibc ``malloc_trim``).

    glibc keeps freed heap memory for reuse; after a million rows' raw cells go, much
    of it is never asked for again (the table's columns were sized up front), yet it
    would count in the import's peak. Without glibc (macOS, Windows, musl): nothing.
    """
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


__all__ = ["SHARED_VALUES", "CameraColumns", "return_freed_memory"]
