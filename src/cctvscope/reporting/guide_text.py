"""How the guide writes numbers, money, years and counted nouns (one place for all chapters)."""

from __future__ import annotations

import math


def gbp(value: float) -> str:
    """Whole pounds with thousands separators; negatives as ``-£1,234``."""
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.0f}"


def missing(value: object) -> bool:
    """True for a value the guide shows as "–" (None or NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def num(value: object, spec: str = ",.0f") -> str:
    """A number formatted with ``spec`` ("–" when missing; text as it is)."""
    if missing(value):
        return "–"
    if isinstance(value, int | float):
        return format(value, spec)
    return str(value)


def year(value: object) -> str:
    """A calendar year as a label: ``2026``, never ``2,026`` ("–" when missing)."""
    return num(value, ".0f")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``count`` and the noun in the right number: ``1 control room``, ``3 control rooms``.

    >>> plural(1, "room"), plural(3, "room"), plural(2, "box", "boxes")
    ('1 room', '3 rooms', '2 boxes')
    """
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


#: What "–" means in a Code of Practice column: no self-assessment is stored, not a fail.
COP_NOT_ASSESSED = (
    "not assessed: no Code of Practice self-assessment returned (cctvscope cop submit records one)"
)
#: The same, short enough for a borough profile's row.
COP_NOT_ASSESSED_SHORT = "not assessed (no self-assessment returned)"
