"""Economic appraisal: discounting, annuities, whole-life cost and payback."""

from __future__ import annotations

from cctvscope.economics.costs import (
    FloatOrArray,
    annuity_factor,
    discounted_payback_year,
    equivalent_annual_cost_gbp,
    green_book_bands,
    green_book_discount_factors,
    npv,
    payback_year,
    present_value_factor,
    whole_life_cost_gbp,
)

__all__ = [
    "FloatOrArray",
    "annuity_factor",
    "discounted_payback_year",
    "equivalent_annual_cost_gbp",
    "green_book_bands",
    "green_book_discount_factors",
    "npv",
    "payback_year",
    "present_value_factor",
    "whole_life_cost_gbp",
]
