"""A calibrated synthetic fill for any region: ``estate create NAME --region R --synthetic``.

Real council inventories are rarely public, but councils publish how many cameras
they run. Given those counts per area (a CSV ``area_code,council_cameras``), this
workflow reads and checks the file (every finding at once; any error and nothing
is stored), then builds the estate with
:func:`cctvscope.ingest.synthetic.build_region_estate` from the region's stored
layers and stores it as version 1. Every record it makes is ``synthetic``, and the
estate's description says so; nothing is taken from London.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from cctvscope.errors import Finding, InputError
from cctvscope.ingest.region import file_sha256
from cctvscope.ingest.synthetic import build_region_estate
from cctvscope.ingest.synthetic_counts import check_council_counts
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.entities import Region
from cctvscope.model.estate import REGION_METADATA_KEY, Estate
from cctvscope.store import save_estate
from cctvscope.workflows.regions import LONDON, estate_region, region_borough_table

#: Counts files are one row per area: a region has at most this many areas to count.
MAX_COUNT_ROWS = 100_000


@dataclass(frozen=True)
class SyntheticRegionEstate:
    """The stored synthetic estate and the areas the counts file left without council cameras."""

    estate: Estate
    areas_without_counts: tuple[str, ...]


def synthetic_description(title: str, seed: int) -> str:
    """The stored description: says the records are synthetic and what they rest on."""
    return (
        f"synthetic estate of region {title}: calibrated to published council camera counts, "
        f"seed {seed}; every record is synthetic, not a real camera"
    )


def read_council_counts(path: Path, area_codes: list[str]) -> tuple[dict[str, int], list[Finding]]:
    """Read the counts CSV as text and check it against the region's area codes."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=MAX_COUNT_ROWS + 1)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return {}, [Finding("error", None, None, None, f"cannot read {path.name}: {exc}")]
    if len(raw) > MAX_COUNT_ROWS:
        reason = f"more than {MAX_COUNT_ROWS:,} rows (one row per area)"
        return {}, [Finding("error", None, None, None, reason)]
    return check_council_counts(raw, area_codes)


def _crime_year(months: Any) -> int | None:
    """The year of the region's latest crime month ("2024-04" -> 2024), None without crime."""
    listed = sorted(str(m) for m in months or ())
    return int(listed[-1][:4]) if listed else None


def create_synthetic_estate(
    engine: Any,
    name: str,
    region: str,
    counts_file: Path,
    *,
    seed: int | None = None,
    standard: str | None = None,
    assumptions: Assumptions | None = None,
    on_step: Callable[[str], None] | None = None,
) -> SyntheticRegionEstate:
    """Build the region's calibrated synthetic estate from published council counts; store it.

    Raises
    ------
    InputError
        With every finding, when the estate exists, the region cannot hold an
        estate, the region is London (its calibrated estate is ``cctvscope demo``)
        or the counts file has errors. Nothing is stored then.
    """
    from cctvscope.workflows.compliance import standard_metadata

    step = on_step or (lambda _message: None)
    chosen = standard_metadata(standard)
    data = estate_region(engine, name, region)
    info = data.info
    if info.name == LONDON and info.metadata.get("bundled"):
        reason = "London's calibrated synthetic estate is built by `cctvscope demo`"
        raise InputError(reason, [Finding("error", None, "region", region, reason)])
    step(f"Reading {counts_file.name}")
    codes = [str(c) for c in data.areas["code"]]
    counts, findings = read_council_counts(counts_file, codes)
    if findings:
        raise InputError(
            f"{counts_file.name}: {len(findings)} error(s); nothing was stored",
            [
                Finding(f.severity, f.row, f.field, f.value, f"{counts_file.name}: {f.reason}")
                for f in findings
            ],
        )
    sha = file_sha256(counts_file)
    estate = build_region_estate(
        name,
        region=Region(
            region_code=str(info.metadata.get("region_code") or info.name), name=info.title
        ),
        boroughs=region_borough_table(data),
        small_areas=data.small_areas if len(data.small_areas) else None,
        council_counts=counts,
        counts_source=f"published council camera counts, {counts_file.name} (sha256 {sha})",
        crime_year=_crime_year(info.metadata.get("crime_months")) if len(data.crime) else None,
        seed=seed,
        assumptions=assumptions,
        on_step=step,
    )
    metadata = {
        **dict(estate.metadata),
        REGION_METADATA_KEY: info.name,
        "council_counts_file": counts_file.name,
        "council_counts_sha256": sha,
        **chosen,
    }
    step("Storing the estate")
    saved = save_estate(
        engine,
        estate.replace_tables(metadata=metadata),
        description=synthetic_description(info.title, int(metadata["seed"])),
        based_on=0,
    )
    return SyntheticRegionEstate(saved, tuple(metadata["areas_without_counts"]))


__all__ = [
    "SyntheticRegionEstate",
    "create_synthetic_estate",
    "read_council_counts",
    "synthetic_description",
]
