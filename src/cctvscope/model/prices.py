"""Price base: express every cost in pounds of one year (used by ingest and economics).

Published cost figures come from different years (Wandsworth's £494 per camera-year
is 2010, the H&F refurbishment about 2014); appraisals add them only after moving
each to the price base year (``economics.price_base_year``) with the uplift rate
``economics_prices.price_uplift_rate`` (a proxy for the GDP deflator, marked
unverified in the assumptions file).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cctvscope.errors import DataError
from cctvscope.model.assumptions import Assumptions


@dataclass(frozen=True, slots=True)
class PriceBase:
    """The year all money is expressed in and the rate used to move figures to it."""

    base_year: int
    uplift_rate: float

    @classmethod
    def from_assumptions(cls, assumptions: Assumptions) -> PriceBase:
        """The price base of an assumptions file."""
        return cls(
            base_year=int(assumptions.value("economics.price_base_year")),
            uplift_rate=float(assumptions.value("economics_prices.price_uplift_rate")),
        )

    def to_base_gbp(
        self, value_gbp: npt.ArrayLike, price_year: npt.ArrayLike
    ) -> npt.NDArray[np.float64]:
        """Move values from their price year to the base year: v·(1 + g)^(base − year).

        >>> PriceBase(2024, 0.02).to_base_gbp(100.0, 2023).item()
        102.0
        >>> PriceBase(2024, 0.0).to_base_gbp([494.0, 5000.0], [2010, 2010]).tolist()
        [494.0, 5000.0]
        """
        value = np.asarray(value_gbp, dtype=float)
        years = np.asarray(price_year, dtype=float)
        return np.asarray(value * (1.0 + self.uplift_rate) ** (self.base_year - years), dtype=float)


def unit_costs_gbp(cost_items: pd.DataFrame, profile: str, price_base: PriceBase) -> pd.Series:
    """Unit costs of one cost profile at the price base year, indexed by item key.

    Raises :class:`~cctvscope.errors.DataError` when the estate has no such profile.
    """
    items = cost_items[cost_items["profile"] == profile]
    if items.empty:
        known = sorted(set(cost_items["profile"]))
        raise DataError(f"no cost profile {profile!r} in the estate; profiles: {known}")
    values = price_base.to_base_gbp(items["value_gbp"], items["price_base_year"])
    return pd.Series(values, index=items["item"].to_numpy(), name="value_gbp")
