"""The guide's crime in coverage by police.uk crime type, and which types each area has.

Crime CCTV serves is every police.uk type the crime layer gives. Where only burglary
points are given (London's 32 MPS boroughs: the MPS all-crime street files are not
bundled) the guide says the figure is burglary alone; it never calls a burglary
share "crime".
"""

from __future__ import annotations

import pandas as pd

from cctvscope.coverage.engine import CoverageResult
from cctvscope.reporting.guide_tables import GuideTable
from cctvscope.reporting.guide_text import plural

#: The level crime in coverage is reported at (as the gaps are).
LEVEL = "recognise"
BURGLARY_ONLY = ("Burglary",)


def area_types(result: CoverageResult, area_type: str, code: str | None = None) -> tuple[str, ...]:
    """The crime types of the points of one area (``area_type`` "borough" with ``code``, or
    the whole region with "london"), sorted."""
    t = result.crime_by_type
    if t.empty:
        return ()
    rows = t[(t["area_type"] == area_type) & (t["level"] == LEVEL)]
    if code is not None:
        rows = rows[rows["area_code"] == code]
    return tuple(sorted(set(rows["crime_type"].astype(str))))


def points_phrase(types: tuple[str, ...]) -> str:
    """What the crime points are: "burglary street points, the only crime type given" or
    "street-level crime points of 14 police.uk crime types".

    >>> points_phrase(("Burglary",))
    'burglary street points, the only crime type given'
    >>> points_phrase(("Drugs", "Robbery"))
    'street-level crime points of 2 police.uk crime types'
    """
    if types == BURGLARY_ONLY:
        return "burglary street points, the only crime type given"
    return f"street-level crime points of {plural(len(types), 'police.uk crime type')}"


def types_available(result: CoverageResult) -> str:
    """Which crime types were available, and where: one sentence for the guide."""
    t = result.crime_by_type
    boroughs = t[(t["area_type"] == "borough") & (t["level"] == LEVEL)]
    if boroughs.empty:
        return "No crime points were available."
    every = sorted(set(boroughs["crime_type"].astype(str)))
    per_area: dict[str, tuple[str, ...]] = {
        str(name): tuple(sorted(set(rows["crime_type"].astype(str))))
        for name, rows in boroughs.groupby("area_name")
    }
    listed = ", ".join(every)
    fewer = {name: types for name, types in per_area.items() if len(types) < len(every)}
    if not fewer:
        return f"Crime types available in every area: {listed}."
    groups: dict[tuple[str, ...], list[str]] = {}
    for name, types in sorted(fewer.items()):
        groups.setdefault(types, []).append(name)
    parts = [
        f"{', '.join(types)} only in {_areas(names)}" for types, names in sorted(groups.items())
    ]
    full = sorted(set(per_area) - set(fewer))
    whole = f"; all {len(every)} types in {_areas(full)}" if full else ""
    return (
        f"Crime types available: {listed}. Not every area has every type: "
        f"{'; '.join(parts)}{whole}. {UNEVEN_TYPES}"
    )


#: What uneven types mean for comparisons (said whenever areas differ in their types).
UNEVEN_TYPES = (
    "An area with more crime types has more points, so its shares are not comparable with "
    "other areas' and its squares rank higher among the gaps."
)
#: Most areas a sentence names one by one (more are counted).
AREAS_NAMED = 5


def _areas(names: list[str]) -> str:
    """Area names, or their count when there are many (London's 32 MPS boroughs)."""
    return ", ".join(names) if len(names) <= AREAS_NAMED else plural(len(names), "area")


def crime_type_table(result: CoverageResult, region_title: str) -> GuideTable:
    """The region's crime points in coverage at Recognise per crime type, most points first."""
    t = result.crime_by_type
    rows = t[(t["area_type"] == "london") & (t["level"] == LEVEL)]
    rows = rows.sort_values(["crime_points", "crime_type"], ascending=[False, True])
    boroughs = t[(t["area_type"] == "borough") & (t["level"] == LEVEL)]
    areas = boroughs.groupby("crime_type")["area_code"].nunique()
    body = [
        [
            str(r["crime_type"]),
            f"{int(r['crime_points']):,}",
            f"{int(r['crime_points_covered']):,}",
            f"{100 * float(r['crime_points_share']):.1f} %",
            f"{int(areas.get(r['crime_type'], 0)):,}",
        ]
        for r in rows.to_dict("records")
    ]
    return GuideTable(
        f"{region_title}'s street-level crime points seen at Recognise or better, by police.uk "
        "crime type; areas: how many areas' points include the type.",
        ("crime type", "points", "in coverage", "share", "areas"),
        body,
        (False, True, True, True, True),
    )


def category_table(result: CoverageResult, region_title: str) -> GuideTable:
    """The region's small-area recorded crime in coverage at Recognise per category."""
    t = result.lsoa_crime_by_category
    rows = t[(t["area_type"] == "london") & (t["level"] == LEVEL)]
    rows = rows.sort_values(["lsoa_crime", "category"], ascending=[False, True])
    body = [
        [
            str(r["category"]),
            f"{float(r['lsoa_crime']):,.0f}",
            f"{float(r['lsoa_crime_covered']):,.0f}",
            f"{100 * float(r['lsoa_crime_share']):.1f} %",
        ]
        for r in rows.to_dict("records")
    ]
    return GuideTable(
        f"{region_title}'s recorded crime per small area, by category, spread over each small "
        "area and counted inside coverage at Recognise or better.",
        ("category", "recorded", "in coverage", "share"),
        body,
        (False, True, True, True),
    )


def crime_type_notes(result: CoverageResult | None, region_title: str) -> list[str]:
    """The sentence on which crime types the crime-in-coverage figures count (none without
    crime points)."""
    if result is None or result.crime_by_type.empty:
        return []
    types = area_types(result, "london")
    return [
        f"Crime in coverage counts {points_phrase(types)} for {region_title}. "
        + types_available(result)
    ]


def crime_tables(result: CoverageResult | None, region_title: str) -> list[GuideTable]:
    """The assessment chapter's crime-in-coverage tables: by police.uk type, and by
    recorded-crime category where the small areas give categories."""
    if result is None:
        return []
    tables = [crime_type_table(result, region_title)] if has_types(result) else []
    if not result.lsoa_crime_by_category.empty:
        tables.append(category_table(result, region_title))
    return tables


def has_types(result: CoverageResult | None) -> bool:
    """True when the coverage result holds crime points by type."""
    return (
        result is not None
        and isinstance(result.crime_by_type, pd.DataFrame)
        and not (result.crime_by_type.empty)
    )
