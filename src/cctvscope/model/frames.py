"""Conversion between entity records and the (Geo)DataFrames that analyses use.

Conventions for every estate table: one column per entity field, in field order;
enums as their string values; tuple fields as ``;``-separated strings (so that the
same columns go unchanged to SQL, GeoPackage and CSV); dates as ``datetime.date``.
Point tables (cameras, control rooms) also carry a Point geometry built from
``x_m``/``y_m`` in EPSG:27700.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import shapely

from cctvscope.crs import BNG
from cctvscope.model.entities import Entity

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

E = TypeVar("E", bound=Entity)

LIST_SEPARATOR = ";"
POINT_TABLES = frozenset({"cameras", "control_rooms"})


def _base_type(annotation: Any) -> Any:
    """Strip ``X | None`` down to ``X``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def is_tuple_field(entity: type[Entity], name: str) -> bool:
    """True when the field holds a tuple (stored as a ``;``-separated string)."""
    return typing.get_origin(_base_type(entity.model_fields[name].annotation)) is tuple


def field_kind(entity: type[Entity], name: str) -> str:
    """A storage kind for a field: str, int, float, bool, date or list."""
    ann = _base_type(entity.model_fields[name].annotation)
    if typing.get_origin(ann) is tuple:
        return "list"
    if isinstance(ann, type):
        if issubclass(ann, Enum):
            return "str"
        if issubclass(ann, bool):
            return "bool"
        if issubclass(ann, int):
            return "int"
        if issubclass(ann, float):
            return "float"
        if issubclass(ann, dt.date):
            return "date"
    return "str"


def _to_cell(value: Any) -> Any:
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(str(v.value if isinstance(v, Enum) else v) for v in value)
    if isinstance(value, Enum):
        return value.value
    return value


def records_to_frame(
    entity: type[Entity], records: Iterable[Entity], *, objects: bool = False
) -> pd.DataFrame:
    """A DataFrame with one row per record and one column per field of ``entity``.

    ``objects``: text columns hold the records' own strings (a camera import's ids are
    then those of the file's cells, not a second string per row), not Arrow text.
    """
    import pandas as pd

    columns = list(entity.model_fields)
    rows = [[_to_cell(getattr(r, c)) for c in columns] for r in records]
    frame = pd.DataFrame(rows, columns=columns, dtype=object if objects else None)
    return normalise_frame(entity, frame)


def normalise_frame(entity: type[Entity], frame: pd.DataFrame) -> pd.DataFrame:
    """Give an estate table its canonical column order and dtypes."""
    import pandas as pd

    out = pd.DataFrame(index=frame.index)
    for name, info in entity.model_fields.items():
        # A column the frame lacks takes the field's default, so that tables built
        # before a field was added (and synthetic generators) stay valid.
        fill = None if info.is_required() else _to_cell(info.default)
        col = frame[name] if name in frame.columns else pd.Series(fill, index=frame.index)
        kind = field_kind(entity, name)
        if _is_canonical(kind, col):
            out[name] = col  # shared, not copied (pandas copies on write)
        elif kind == "int":
            out[name] = pd.to_numeric(col).astype("int64")
        elif kind == "float":
            out[name] = pd.to_numeric(col).astype("float64")
        elif kind == "bool":
            out[name] = col.astype(bool)
        elif kind == "list":
            out[name] = col.fillna("").astype(str)
        elif kind == "date":
            out[name] = pd.Series([_date_cell(v) for v in col], index=col.index, dtype=object)
        else:
            out[name] = shared_objects(col)
    return out.reset_index(drop=True)


#: The dtype of a column of each storage kind, once normalised ("str" and "date": object).
_CANONICAL_DTYPES = {"int": np.dtype("int64"), "float": np.dtype("float64"), "bool": np.dtype(bool)}


def _is_canonical(kind: str, col: pd.Series) -> bool:
    """True when normalising ``col`` would give back its values and dtype unchanged.

    A table already in canonical form (a validated import about to be stored) is then
    not copied column by column: a million cameras' columns are held once.
    """
    if kind in _CANONICAL_DTYPES:
        return col.dtype == _CANONICAL_DTYPES[kind]
    if kind == "str" and col.dtype == object:
        missing = col.isna().to_numpy()
        return all(v is None for v in col.to_numpy()[missing])
    if kind == "list" and col.dtype == object and len(col):
        # Lists as shared Python strings (an import's defaulted_fields: the same few
        # lists on a million rows) are kept, not made an Arrow string per row.
        return all(type(v) is str for v in col.to_numpy())
    return False


def shared_objects(col: pd.Series) -> pd.Series:
    """A text column as Python objects, missing values as None, each distinct value one
    shared object.

    Converting an Arrow-backed ``str`` column cell by cell makes a new string per cell
    (some 50 bytes each, several columns of a million-camera table); a register repeats
    the same few owner types, codecs and sources on every row, so each distinct value is
    made once and referenced from every row that holds it.
    """
    import pandas as pd

    if col.dtype == object:
        return col.where(col.notna(), None)
    codes, uniques = pd.factorize(col)
    values = np.empty(len(uniques) + 1, dtype=object)  # the last slot: missing (code -1)
    values[:-1] = uniques.to_numpy(dtype=object)
    return pd.Series(values[codes], index=col.index, dtype=object)


def _date_cell(value: Any) -> dt.date | None:
    import pandas as pd

    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    return dt.date.fromisoformat(text[:10]) if text else None


def frame_to_records(entity: type[E], frame: pd.DataFrame) -> list[E]:
    """Validate each row of an estate table back into entity records."""
    import pandas as pd

    names = list(entity.model_fields)
    records: list[E] = []
    for row in frame[names].itertuples(index=False, name=None):
        data: dict[str, Any] = {}
        for name, value in zip(names, row, strict=True):
            if is_tuple_field(entity, name):
                data[name] = tuple(v for v in str(value or "").split(LIST_SEPARATOR) if v)
            elif value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            else:
                data[name] = value.item() if hasattr(value, "item") else value
        records.append(entity.model_validate(data))
    return records


def with_points(frame: pd.DataFrame, *, copy: bool = True) -> gpd.GeoDataFrame:
    """Attach Point geometry from ``x_m``/``y_m`` in EPSG:27700.

    ``copy=False`` lends ``frame``'s columns to the result (a table just built, that
    nothing else holds): a million-camera table is then not held twice.
    """
    import geopandas as gpd  # on first use: a cached police search never needs it

    geometry = shapely.points(frame["x_m"].to_numpy(float), frame["y_m"].to_numpy(float))
    # copy=False also keeps geopandas from copying (and consolidating) the columns itself.
    return gpd.GeoDataFrame(frame.copy() if copy else frame, geometry=geometry, crs=BNG, copy=False)


def empty_frame(entity: type[Entity], *, points: bool = False) -> pd.DataFrame:
    """An empty table with the entity's columns (and geometry when ``points``)."""
    import pandas as pd

    frame = normalise_frame(entity, pd.DataFrame(columns=list(entity.model_fields)))
    return with_points(frame) if points else frame


def split_list(value: str) -> Sequence[str]:
    """Parse a ``;``-separated list cell."""
    return [v for v in str(value or "").split(LIST_SEPARATOR) if v]
