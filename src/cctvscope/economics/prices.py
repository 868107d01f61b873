"""Price base for economic appraisals (defined in :mod:`cctvscope.model.prices`)."""

from __future__ import annotations

from cctvscope.model.prices import PriceBase, unit_costs_gbp

__all__ = ["PriceBase", "unit_costs_gbp"]
