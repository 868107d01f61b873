"""The validated camera table of an import, filled in place chunk by chunk.

A million-camera import used to keep its validated rows as some fifty tables of
:data:`~cctvscope.ingest.cameras.CHUNK_ROWS` rows and join them at the end: for a
moment every row was held twice, next to the raw cells. Here each column is one
array sized for every row of the file, made once; a chunk of validated records is
written into its slice and let go, and the table is these arrays (not copied).
Repeated text (a ``defaulted_fields`` list, an operator, the source name) is one
shared string per distinct value rather than one string per row.
"""

from __future__ import annotations

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
        self.columns: dict[str, np.ndarray] = {}
        self.shared: dict[str, dict[object, object] | None] = {}
        for name in Camera.model_fields:
            kind = field_kind(Camera, name)
            self.columns[name] = np.empty(capacity, dtype=_DTYPES.get(kind, object))
            self.shared[name] = {} if kind not in _DTYPES else None

    def add(self, records: Sequence[Camera]) -> None:
        """Append ``records`` (converted as :func:`records_to_frame` does)."""
        if not records:
            return
        chunk = records_to_frame(Camera, records, objects=True)
        end = self.size + len(chunk)
        for name, column in self.columns.items():
            values = chunk[name].to_numpy()
            known = self.shared[name]
            if known is not None:
                values = self._share(name, known, values)
            column[self.size : end] = values
        self.size = end

    def _share(self, name: str, known: dict[object, object], values: np.ndarray) -> np.ndarray:
        out = np.empty(len(values), dtype=object)
        for i, value in enumerate(values):
            out[i] = known.setdefault(value, value)
        if len(known) > SHARED_VALUES:
            self.shared[name] = None  # an id-like column: sharing saves nothing
        return out

    def frame(self) -> pd.DataFrame:
        """The table of every camera added; the arrays are lent, not copied."""
        # Series of the arrays' own dtype: text stays Python objects, not inferred as
        # Arrow strings (a copy of every text column).
        data = {
            name: pd.Series(column[: self.size], dtype=column.dtype, copy=False)
            for name, column in self.columns.items()
        }
        self.columns = {}
        return pd.DataFrame(data, copy=False)


__all__ = ["SHARED_VALUES", "CameraColumns"]
