"""Parameter access and random draws shared by the synthetic-estate modules.

The generator reads every number through :class:`ParamReader`, which records the
keys it used, so a test can check each one exists in ``assumptions.yaml`` with
value, unit, source, note and status, and the estate metadata can list them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from cctvscope.errors import DataError
from cctvscope.model.assumptions import Assumptions

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Stage numbers: each stage gets its own random stream, so changing one stage
#: does not reshuffle the others.
STAGES: dict[str, int] = {
    "council_placement": 1,
    "council_attributes": 2,
    "police": 3,
    "private": 4,
    "links": 5,
    "contracts": 6,
    "evidence": 7,
}


class ParamReader:
    """Read assumption values and remember which keys were read."""

    def __init__(self, assumptions: Assumptions) -> None:
        self.assumptions = assumptions
        self.used: set[str] = set()

    def value(self, key: str) -> Any:
        """The value of ``section.name`` (recorded as used)."""
        self.used.add(key)
        return self.assumptions.value(key)

    def number(self, key: str) -> float:
        """A scalar value as float."""
        return float(self.value(key))

    def integer(self, key: str) -> int:
        """A scalar value as int."""
        return int(self.value(key))

    def shares(self, key: str) -> dict[str, float]:
        """A ``{option: share}`` table, checked to sum to 1."""
        return check_shares(key, self.value(key))

    def by_band(self, key: str) -> dict[str, Any]:
        """A table keyed by install-year band label (``"2005-2009"``)."""
        table = self.value(key)
        if not isinstance(table, Mapping):
            raise DataError(f"assumption {key!r} must map year bands to values")
        return {str(k): v for k, v in table.items()}


def check_shares(key: str, table: Any) -> dict[str, float]:
    """Validate a share table: a mapping of options to non-negative shares summing to 1."""
    if not isinstance(table, Mapping) or not table:
        raise DataError(f"assumption {key!r} must be a non-empty mapping of shares")
    out = {str(k): float(v) for k, v in table.items()}
    if any(v < 0 for v in out.values()) or not np.isclose(sum(out.values()), 1.0, atol=1e-9):
        raise DataError(f"assumption {key!r}: shares must be >= 0 and sum to 1, got {out}")
    return out


def stage_rng(seed: int, stage: str) -> np.random.Generator:
    """An independent random generator for one stage of the build."""
    return np.random.default_rng([seed, STAGES[stage]])


def parse_band(label: str) -> tuple[int, int]:
    """``"2005-2009"`` -> ``(2005, 2009)`` (inclusive)."""
    try:
        first, last = (int(p) for p in label.split("-"))
    except ValueError:
        raise DataError(f"year band {label!r} is not 'YYYY-YYYY'") from None
    if last < first:
        raise DataError(f"year band {label!r} ends before it starts")
    return first, last


def band_index(years: npt.ArrayLike, labels: Sequence[str]) -> IntArray:
    """Index into ``labels`` of the band holding each year (-1 when none does)."""
    yrs = np.asarray(years, dtype=np.int64)
    out = np.full(yrs.shape, -1, dtype=np.int64)
    for i, label in enumerate(labels):
        first, last = parse_band(label)
        out[(yrs >= first) & (yrs <= last)] = i
    return out


def draw_categorical(
    rng: np.random.Generator, table: Mapping[str, float], size: int
) -> npt.NDArray[np.str_]:
    """``size`` draws of the options of a share table."""
    options = list(table)
    probs = np.array([table[o] for o in options], dtype=float)
    return np.asarray(rng.choice(np.array(options), size=size, p=probs / probs.sum()))


def draw_by_band(
    rng: np.random.Generator,
    band_of: IntArray,
    labels: Sequence[str],
    tables: Mapping[str, Mapping[str, float]],
    key: str,
) -> npt.NDArray[np.object_]:
    """Draw one option per item from the share table of its year band."""
    out = np.empty(band_of.shape, dtype=object)
    for i, label in enumerate(labels):
        mask = band_of == i
        if mask.any():
            if label not in tables:
                raise DataError(f"assumption {key!r} has no entry for year band {label!r}")
            table = check_shares(f"{key}.{label}", tables[label])
            out[mask] = draw_categorical(rng, table, int(mask.sum()))
    return out


def clipped_normal(rng: np.random.Generator, spec: Mapping[str, float], size: int) -> FloatArray:
    """Normal draws (``mean``, ``sd``) clipped to [``min``, ``max``]."""
    values = rng.normal(float(spec["mean"]), float(spec["sd"]), size)
    return np.clip(values, float(spec["min"]), float(spec["max"]))
