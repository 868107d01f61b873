"""Council camera counts per borough: published where known, imputed elsewhere.

Published figures come from the provision-facts table (``read_provision_facts``)
plus the supplement in ``assumptions.yaml``; one figure per borough is chosen by
the rule ``synthetic_council_cameras.published_count_rule``. Other boroughs are
imputed from the median cameras per 1,000 recorded crimes of the published
boroughs; a borough with no MPS crime (City of London) from the median cameras
per km² of its Inner/Outer group. ``docs/synthetic-estate.md`` states the method.
For any other region the council publishes its counts per area and
:func:`check_council_counts` checks the table the user gives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cctvscope.errors import DataError, Finding
from cctvscope.ingest.synthetic_params import ParamReader
from cctvscope.model.assumptions import Assumptions

COUNT_METRIC = "council_cctv_cameras"
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")

COUNT_COLUMNS = ["gss_code", "cameras", "basis", "source", "period"]
"""Columns of :func:`council_camera_counts`."""


def period_year(period: str) -> int | None:
    """The latest 4-digit year named in a period text (None when undated)."""
    years = [int(y) for y in _YEAR.findall(str(period))]
    return max(years) if years else None


def published_candidates(reader: ParamReader, facts: pd.DataFrame) -> pd.DataFrame:
    """Every published council camera figure per borough (facts table + supplement)."""
    rows = facts[(facts["metric"] == COUNT_METRIC) & facts["area_code"].str.startswith("E09")]
    cands = pd.DataFrame(
        {
            "gss_code": rows["area_code"].astype(str),
            "cameras": pd.to_numeric(rows["value"]).astype("int64"),
            "source": rows["source"].astype(str) + " <" + rows["source_url"].astype(str) + ">",
            "period": rows["period"].astype(str),
        }
    )
    supplement: Mapping[str, int] = reader.value(
        "synthetic_council_cameras.published_count_supplement"
    )
    supp_year = reader.integer("synthetic_council_cameras.published_count_supplement_year")
    supp_source = reader.assumptions.get(
        "synthetic_council_cameras.published_count_supplement"
    ).source
    extra = pd.DataFrame(
        {
            "gss_code": [str(k) for k in supplement],
            "cameras": [int(v) for v in supplement.values()],
            "source": supp_source,
            "period": str(supp_year),
        }
    )
    out = pd.concat([cands, extra], ignore_index=True)
    out["year"] = [period_year(p) for p in out["period"]]
    return out


def choose_published(reader: ParamReader, candidates: pd.DataFrame) -> pd.DataFrame:
    """One figure per borough: the most recent dated one; overrides settle same-year disputes.

    Raises
    ------
    DataError
        When an override names a figure not among the borough's candidates, or two
        different figures tie for most recent without an override.
    """
    rule = reader.value("synthetic_council_cameras.published_count_rule")
    if rule != "most_recent_dated":
        raise DataError(f"unknown published_count_rule {rule!r}")
    overrides: Mapping[str, int] = reader.value(
        "synthetic_council_cameras.published_count_overrides"
    )
    chosen: list[pd.Series] = []
    for code, group in candidates.groupby("gss_code", sort=True):
        if code in overrides:
            pick = group[group["cameras"] == int(overrides[str(code)])]
            if pick.empty:
                raise DataError(f"override for {code} names no published figure")
            chosen.append(pick.iloc[0])
            continue
        dated = group[group["year"].notna()]
        pool = dated[dated["year"] == dated["year"].max()] if not dated.empty else group
        if pool["cameras"].nunique() > 1:
            raise DataError(f"{code}: figures {sorted(pool['cameras'])} tie; add an override")
        chosen.append(pool.iloc[0])
    return pd.DataFrame(chosen).reset_index(drop=True)


def council_camera_counts(
    assumptions: Assumptions | ParamReader,
    boroughs: pd.DataFrame,
    facts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Council cameras per borough with their basis ('published' or 'imputed') and source.

    Parameters
    ----------
    assumptions
        The assumptions (or a reader recording the keys used).
    boroughs
        Estate borough table: ``gss_code``, ``inner_outer``, ``area_km2``,
        ``recorded_crimes_per_year``.
    facts
        Provision facts (default :func:`cctvscope.ingest.london.read_provision_facts`).

    Returns
    -------
    pandas.DataFrame
        One row per borough, in the order of ``boroughs``: ``gss_code``, ``cameras``,
        ``basis``, ``source``, ``period``.
    """
    reader = assumptions if isinstance(assumptions, ParamReader) else ParamReader(assumptions)
    if facts is None:
        from cctvscope.ingest.london import read_provision_facts

        facts = read_provision_facts()
    published = choose_published(reader, published_candidates(reader, facts)).set_index("gss_code")
    table = boroughs.set_index("gss_code")
    pub_codes = [c for c in table.index if c in published.index]
    crimes = table["recorded_crimes_per_year"].astype(float)
    cameras_pub = published.loc[pub_codes, "cameras"].astype(float)

    statistic = reader.value("synthetic_council_cameras.imputation_statistic")
    if statistic != "median":
        raise DataError(f"unknown imputation_statistic {statistic!r}")
    with_crime = [c for c in pub_codes if crimes[c] > 0]
    per_1000_crimes = float(np.median(cameras_pub[with_crime] / crimes[with_crime] * 1000.0))

    group_col = "inner_outer"
    group = reader.value("synthetic_council_cameras.zero_crime_fallback_group")
    in_group = [c for c in pub_codes if table.loc[c, group_col] == group]
    per_km2 = float(np.median(cameras_pub[in_group] / table.loc[in_group, "area_km2"]))

    rows = []
    for code in table.index:
        if code in published.index:
            pub = published.loc[code]
            rows.append(
                (code, int(pub["cameras"]), "published", str(pub["source"]), str(pub["period"]))
            )
        elif crimes[code] > 0:
            n = int(np.rint(per_1000_crimes * crimes[code] / 1000.0))
            note = (
                f"imputed: median {per_1000_crimes:.3f} cameras per 1,000 recorded crimes "
                f"of {len(with_crime)} published boroughs x {int(crimes[code])} crimes"
            )
            rows.append((code, n, "imputed", note, ""))
        else:
            n = int(np.rint(per_km2 * float(table.loc[code, "area_km2"])))
            note = (
                f"imputed: median {per_km2:.3f} cameras per km2 of {len(in_group)} published "
                f"{group} boroughs x {float(table.loc[code, 'area_km2']):.3f} km2 (no MPS crime)"
            )
            rows.append((code, n, "imputed", note, ""))
    out = pd.DataFrame(rows, columns=COUNT_COLUMNS)
    out["cameras"] = out["cameras"].astype("int64")
    return out


#: Columns of a region's published council camera counts (``estate create --council-counts``).
REGION_COUNT_COLUMNS = ("area_code", "council_cameras")


def check_council_counts(
    raw: pd.DataFrame, area_codes: Sequence[str]
) -> tuple[dict[str, int], list[Finding]]:
    """Published council cameras per area from a table read as text; every finding at once.

    ``raw`` holds the columns ``area_code`` and ``council_cameras`` as strings
    (rows numbered from 1, the header being row 0). Errors: a missing column, a
    blank or unknown area code, a duplicate code, a count that is blank, negative
    or not a whole number. Any error and the counts are empty.
    """
    columns = {str(c).strip().lower(): c for c in raw.columns}
    absent = [c for c in REGION_COUNT_COLUMNS if c not in columns]
    if absent:
        reason = f"no column {', '.join(absent)} (columns: {', '.join(map(str, raw.columns))})"
        return {}, [Finding("error", None, ", ".join(absent), None, reason)]
    known = set(area_codes)
    counts: dict[str, int] = {}
    first_row: dict[str, int] = {}
    findings: list[Finding] = []
    codes = raw[columns["area_code"]].astype(str).str.strip()
    values = raw[columns["council_cameras"]].astype(str).str.strip()
    for row, (code, text) in enumerate(zip(codes, values, strict=True), start=1):
        if not code:
            findings.append(Finding("error", row, "area_code", code, "blank area code"))
        elif code not in known:
            findings.append(Finding("error", row, "area_code", code, "not an area of the region"))
        elif code in first_row:
            reason = f"duplicate (row {first_row[code]})"
            findings.append(Finding("error", row, "area_code", code, reason))
        first_row.setdefault(code, row)
        number = _whole_number(text)
        if number is None:
            reason = "not a whole number of cameras ≥ 0"
            findings.append(Finding("error", row, "council_cameras", text, reason))
        elif code in known and code not in counts:
            counts[code] = number
    return ({} if findings else counts), findings


def _whole_number(text: str) -> int | None:
    """A non-negative whole number written as text ("1,015" and "12.0" allowed), else None."""
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return None
    if not np.isfinite(number) or number < 0 or not number.is_integer():
        return None
    return int(number)
