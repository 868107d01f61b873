"""The calibrated synthetic London estate: real boroughs and TfL cameras, synthetic the rest.

Real council inventories are not public, so this module generates one,
deterministically from a seed, with every parameter in ``data/assumptions.yaml``
(sections ``synthetic*``). Published council camera counts are reproduced where
known and imputed elsewhere; cameras are placed by LSOA crime density with
town-centre clusters; attributes are drawn by install year; control rooms,
links, a contracts register, business cameras, evidence statistics and a cost
profile complete the estate. Every synthetic record has provenance
``synthetic`` and a ``source`` naming the generator and seed; the 900 TfL
JamCams keep provenance ``real``. The method is in ``docs/synthetic-estate.md``.

:func:`build_region_estate` runs the same stages for any region from the
council camera counts it publishes per area (no police, TfL or London costs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from cctvscope.ingest import london
from cctvscope.ingest.synthetic_attributes import (
    band_labels,
    draw_camera_attributes,
    draw_install_years,
    hfov_deg,
    tfl_cameras,
)
from cctvscope.ingest.synthetic_counts import council_camera_counts
from cctvscope.ingest.synthetic_network import (
    TFL_ROOM_ID,
    build_links,
    council_operator,
    mps_room_id,
    plan_council_rooms,
    plan_rooms,
    staff_rooms,
)
from cctvscope.ingest.synthetic_params import ParamReader, stage_rng
from cctvscope.ingest.synthetic_placement import (
    BoroughSampler,
    PlacementParams,
    build_samplers,
    lsoa_weights,
    place_points,
)
from cctvscope.ingest.synthetic_register import (
    build_contracts,
    build_cost_items,
    build_evidence_stats,
)
from cctvscope.model.assumptions import Assumptions, read_assumptions
from cctvscope.model.entities import (
    Camera,
    Contract,
    ControlRoom,
    CostItem,
    EvidenceStats,
    Link,
    Region,
)
from cctvscope.model.enums import OwnerType
from cctvscope.model.estate import Estate
from cctvscope.model.frames import empty_frame, normalise_frame, with_points

__all__ = [
    "build_london_estate",
    "build_region_estate",
    "council_camera_counts",
    "generator_source",
    "hfov_deg",
    "region_zones",
]

PLACEMENT = "synthetic_placement"


def generator_source(version: str, seed: int) -> str:
    """The ``source`` text of every synthetic record."""
    return f"cctvscope synthetic estate v{version}, seed {seed}"


@dataclass(frozen=True)
class _Run:
    """What every stage of one build shares: the reader, seed, version and record source."""

    reader: ParamReader
    seed: int
    version: str
    reference_date: dt.date
    source: str


def _start(assumptions: Assumptions | None, seed: int | None) -> _Run:
    reader = ParamReader(assumptions or read_assumptions())
    seed = int(reader.value("synthetic.seed")) if seed is None else int(seed)
    version = str(reader.value("synthetic.generator_version"))
    reference_date = dt.date.fromisoformat(str(reader.value("synthetic.reference_date")))
    return _Run(reader, seed, version, reference_date, generator_source(version, seed))


def _placement_params(
    reader: ParamReader, cluster_share_key: str, clustered: bool = True
) -> PlacementParams:
    # Without crime there are no town centres to cluster around: every point is spread.
    share = reader.number(cluster_share_key)
    return PlacementParams(
        cluster_share=share if clustered else 0.0,
        cluster_sigma_m=reader.number(f"{PLACEMENT}.cluster_sigma_m"),
        max_rejection_rounds=reader.integer(f"{PLACEMENT}.max_rejection_rounds"),
    )


def _samplers(
    reader: ParamReader, boroughs: pd.DataFrame, zones: pd.DataFrame, categories: list[str]
) -> dict[str, BoroughSampler]:
    return build_samplers(
        boroughs,
        zones,
        lsoa_weights(zones, categories),
        reader.integer(f"{PLACEMENT}.town_centre_seeds_per_borough"),
        reader.number(f"{PLACEMENT}.min_seed_separation_m"),
    )


def _camera_rows(
    placed: pd.DataFrame,
    attrs: pd.DataFrame,
    *,
    ids: list[str],
    owner: OwnerType,
    operator: list[str],
    room: list[str | None],
    source: str,
) -> pd.DataFrame:
    frame = pd.concat(
        [placed[["borough_code", "x_m", "y_m"]].reset_index(drop=True), attrs], axis=1
    )
    frame["camera_id"] = ids
    frame["owner_type"] = owner.value
    frame["operator"] = operator
    frame["location_text"] = ""
    frame["control_room_id"] = room
    frame["provenance"] = "synthetic"
    frame["source"] = source
    frame["defaulted_fields"] = ""
    return frame


def _council_cameras(
    run: _Run,
    counts: Mapping[str, int],
    samplers: Mapping[str, BoroughSampler],
    names: Mapping[str, str],
    room_of: Mapping[str, str],
    params: PlacementParams,
) -> pd.DataFrame:
    placed = place_points(stage_rng(run.seed, "council_placement"), samplers, counts, params)
    rng = stage_rng(run.seed, "council_attributes")
    years = draw_install_years(rng, run.reader, "council", len(placed))
    attrs = draw_camera_attributes(rng, run.reader, OwnerType.COUNCIL, years)
    codes = placed["borough_code"].astype(str)
    serial = placed.groupby("borough_code").cumcount() + 1
    return _camera_rows(
        placed,
        attrs,
        ids=[f"cam-{c}-c{i:05d}" for c, i in zip(codes, serial, strict=True)],
        owner=OwnerType.COUNCIL,
        operator=[council_operator(names[c]) for c in codes],
        room=[room_of[c] for c in codes],
        source=run.source,
    )


def _police_cameras(
    reader: ParamReader, seed: int, samplers: Mapping[str, BoroughSampler], source: str
) -> pd.DataFrame:
    code = str(reader.value("synthetic_police.borough_code"))
    n = reader.integer("synthetic_police.central_london_cameras")
    rng = stage_rng(seed, "police")
    placed = place_points(
        rng, samplers, {code: n}, _placement_params(reader, f"{PLACEMENT}.cluster_share")
    )
    years = np.full(n, reader.integer("synthetic_police.install_year"), dtype=np.int64)
    attrs = draw_camera_attributes(rng, reader, OwnerType.POLICE, years)
    room = mps_room_id(str(reader.value("synthetic_control_rooms.police_cameras_room")))
    return _camera_rows(
        placed,
        attrs,
        ids=[f"cam-{code}-p{i:03d}" for i in range(1, n + 1)],
        owner=OwnerType.POLICE,
        operator=["Metropolitan Police Service"] * n,
        room=[room] * n,
        source=source + "; count from MOPAC PCD 144 (64 former Westminster cameras)",
    )


def _private_cameras(
    run: _Run,
    council_counts: Mapping[str, int],
    samplers: Mapping[str, BoroughSampler],
    params: PlacementParams,
) -> pd.DataFrame:
    """Business cameras at synthetic sites: 1 + Poisson cameras per site, sharing its position."""
    reader = run.reader
    rng = stage_rng(run.seed, "private")
    ratio = reader.number("synthetic_private.registered_per_council_camera")
    extra_mean = reader.number("synthetic_private.extra_cameras_per_site_mean")
    site_sizes: dict[str, np.ndarray] = {}
    for code in sorted(council_counts):
        n = int(np.rint(ratio * council_counts[code]))
        sizes = 1 + rng.poisson(extra_mean, max(n, 1))
        cut = int(np.searchsorted(np.cumsum(sizes), n)) + 1 if n else 0
        sizes = sizes[:cut].copy()
        if cut:
            sizes[-1] -= int(sizes.sum()) - n
        site_sizes[code] = sizes
    sites = place_points(rng, samplers, {c: len(s) for c, s in site_sizes.items()}, params)
    sizes_all = np.concatenate([site_sizes[c] for c in sorted(site_sizes) if len(site_sizes[c])])
    placed = sites.loc[sites.index.repeat(sizes_all)].reset_index(drop=True)
    site_no = np.repeat(sites.groupby("borough_code").cumcount().to_numpy() + 1, sizes_all)
    years = draw_install_years(rng, reader, "private", len(placed))
    attrs = draw_camera_attributes(rng, reader, OwnerType.PRIVATE, years)
    codes = placed["borough_code"].astype(str).to_numpy()
    serial = placed.groupby("borough_code").cumcount().to_numpy() + 1
    return _camera_rows(
        placed,
        attrs,
        ids=[f"cam-{c}-b{i:05d}" for c, i in zip(codes, serial, strict=True)],
        owner=OwnerType.PRIVATE,
        operator=[
            f"Business {c[-2:]}-{s:04d} (synthetic)" for c, s in zip(codes, site_no, strict=True)
        ],
        room=[None] * len(placed),
        source=run.source,
    )


def _finish(
    run: _Run,
    step: Callable[[str], None],
    *,
    name: str,
    region: Region,
    boroughs: gpd.GeoDataFrame,
    camera_parts: list[pd.DataFrame],
    rooms: pd.DataFrame,
    council_counts: Mapping[str, int],
    crime_year: int | None,
    with_costs: bool,
    counts_used: list[dict[Hashable, Any]],
    extra_metadata: Mapping[str, Any],
) -> Estate:
    """Staff the rooms, link the cameras, write the registers and the metadata: the estate."""
    reader = run.reader
    cameras = normalise_frame(Camera, pd.concat(camera_parts, ignore_index=True))
    step("Staffing control rooms and building links")
    rooms = normalise_frame(ControlRoom, staff_rooms(reader, rooms, cameras))
    links = normalise_frame(
        Link,
        build_links(stage_rng(run.seed, "links"), reader, cameras, rooms, band_labels(reader)),
    )
    step("Writing contracts, evidence statistics and cost items")
    contracts = normalise_frame(
        Contract,
        build_contracts(
            stage_rng(run.seed, "contracts"), reader, council_counts, run.reference_date
        ),
    )
    # Requests are sized from recorded crime: with no crime year there is nothing to size them by.
    evidence = (
        empty_frame(EvidenceStats)
        if crime_year is None
        else normalise_frame(
            EvidenceStats,
            build_evidence_stats(stage_rng(run.seed, "evidence"), reader, boroughs, crime_year),
        )
    )
    costs = (
        normalise_frame(CostItem, build_cost_items(reader, run.reference_date.year))
        if with_costs
        else empty_frame(CostItem)
    )
    metadata: dict[str, Any] = {
        "seed": run.seed,
        "assumptions_sha256": reader.assumptions.sha256,
        "generator_version": run.version,
        "generator_source": run.source,
        "crime_year": crime_year,
        "reference_date": run.reference_date.isoformat(),
        "counts_by_provenance": {
            str(k): int(v) for k, v in cameras["provenance"].value_counts().sort_index().items()
        },
        "counts_by_owner": {
            str(k): int(v) for k, v in cameras["owner_type"].value_counts().sort_index().items()
        },
        "council_counts": counts_used,
        **extra_metadata,
        "assumption_keys": sorted(reader.used),
    }
    return Estate(
        name=name,
        region=region,
        boroughs=boroughs,
        control_rooms=with_points(rooms),
        cameras=with_points(cameras),
        links=links,
        contracts=contracts,
        evidence_stats=evidence,
        cost_items=costs,
        metadata=metadata,
    )


def build_london_estate(
    name: str = "london",
    *,
    seed: int | None = None,
    assumptions: Assumptions | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Estate:
    """Build the calibrated synthetic London estate (real boroughs and TfL cameras).

    Parameters
    ----------
    name
        Estate name chosen by the caller (the demo uses ``london``).
    seed
        Random seed; default ``synthetic.seed`` of the assumptions file. The
        same seed and assumptions give the same :meth:`Estate.input_hash`.
    assumptions
        Assumptions to use (default: the bundled file).
    on_step
        Called with a short message before each stage (progress display).

    Returns
    -------
    Estate
        Metadata: ``seed``, ``assumptions_sha256``, ``generator_version``,
        ``generator_source``, ``crime_year``, ``counts_by_provenance``,
        ``counts_by_owner``, ``council_counts`` and ``assumption_keys`` (every
        assumption the build read).
    """
    step = on_step or (lambda _msg: None)
    run = _start(assumptions, seed)
    reader = run.reader
    crime_year = london.LATEST_CRIME_YEAR

    step("Reading boroughs, LSOA crime and published camera counts")
    boroughs = london.read_borough_table(str(reader.value("synthetic_costs.profile_name")))
    lsoa_crime = london.read_lsoa_crime(crime_year)
    counts = council_camera_counts(reader, boroughs, london.read_provision_facts())
    names = dict(zip(boroughs["gss_code"], boroughs["name"], strict=True))
    council_counts = dict(zip(counts["gss_code"], counts["cameras"].astype(int), strict=True))

    step("Finding town-centre seeds and placing control rooms")
    council_samplers = _samplers(
        reader, boroughs, lsoa_crime, [str(reader.value(f"{PLACEMENT}.crime_weight_category"))]
    )
    plan = plan_rooms(reader, boroughs, council_samplers, run.source)

    step("Placing council cameras and drawing their attributes")
    council = _council_cameras(
        run,
        council_counts,
        council_samplers,
        names,
        plan.room_of_borough,
        _placement_params(reader, f"{PLACEMENT}.cluster_share"),
    )
    step("Adding police cameras and the real TfL JamCams")
    police = _police_cameras(reader, run.seed, council_samplers, run.source)
    tfl = tfl_cameras(reader, london.read_tfl_cameras(), TFL_ROOM_ID)
    step("Placing private business cameras")
    private_samplers = _samplers(
        reader,
        boroughs,
        lsoa_crime,
        [str(c) for c in reader.value("synthetic_private.weight_categories")],
    )
    private = _private_cameras(
        run,
        council_counts,
        private_samplers,
        _placement_params(reader, "synthetic_private.cluster_share"),
    )
    return _finish(
        run,
        step,
        name=name,
        region=london.london_region(),
        boroughs=boroughs,
        camera_parts=[council, police, tfl, private],
        rooms=plan.rooms,
        council_counts=council_counts,
        crime_year=crime_year,
        with_costs=True,
        counts_used=counts.to_dict(orient="records"),
        extra_metadata={},
    )


def region_zones(
    boroughs: gpd.GeoDataFrame, small_areas: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    """Placement zones of a region: its small areas, and each area that holds none as a whole.

    Columns ``borough_code``, ``crimes`` (0 where unknown), ``area_km2`` and the
    geometry. An area without small areas is one zone of no crime, so its
    cameras spread uniformly over it (the samplers weigh crime-less zones by area).
    """
    crs = boroughs.crs
    parts: list[pd.DataFrame] = []
    if small_areas is not None and len(small_areas):
        small = small_areas[small_areas["area_code"].isin(boroughs["gss_code"])]
        parts.append(
            pd.DataFrame(
                {
                    "borough_code": small["area_code"].astype(str).to_numpy(),
                    "crimes": pd.to_numeric(small["crimes"]).fillna(0).to_numpy(float),
                    "geometry": small.to_crs(crs).geometry.to_numpy(),
                }
            )
        )
    covered = set(parts[0]["borough_code"]) if parts else set()
    bare = boroughs[~boroughs["gss_code"].isin(covered)]
    parts.append(
        pd.DataFrame(
            {
                "borough_code": bare["gss_code"].astype(str).to_numpy(),
                "crimes": 0.0,
                "geometry": bare.geometry.to_numpy(),
            }
        )
    )
    zones = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=crs)
    zones["area_km2"] = zones.geometry.area.to_numpy() / 1e6
    return zones


def build_region_estate(
    name: str,
    *,
    region: Region,
    boroughs: gpd.GeoDataFrame,
    small_areas: gpd.GeoDataFrame | None,
    council_counts: Mapping[str, int],
    counts_source: str,
    crime_year: int | None,
    seed: int | None = None,
    assumptions: Assumptions | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Estate:
    """A calibrated synthetic estate for any region: published council counts, placed by crime.

    Council cameras: exactly ``council_counts[area]`` in each area (an area missing
    from the table gets none, and is listed in the metadata's
    ``areas_without_counts``), placed by the small areas' crime with town-centre
    clusters as in London, or uniformly over the area when the region has no crime.
    Private business cameras, one council control room per area with cameras, links,
    contracts and (when crime is known) evidence statistics follow London's rules.
    No police or TfL cameras and no cost profile: those are London's.

    Parameters
    ----------
    name
        Estate name.
    region
        The region record the estate names.
    boroughs
        The region's areas as an estate ``boroughs`` table (Borough fields and
        polygons in EPSG:27700; ``recorded_crimes_per_year`` sizes evidence requests).
    small_areas
        ``code``, ``area_code``, ``crimes`` (may be missing) and polygons, or None.
    council_counts
        Published council cameras per area code (codes of ``boroughs``).
    counts_source
        Where the counts come from (the file and its SHA-256), kept in the metadata.
    crime_year
        Year of the region's crime, or None when it has none (no evidence statistics).
    seed, assumptions, on_step
        As :func:`build_london_estate`.
    """
    step = on_step or (lambda _msg: None)
    run = _start(assumptions, seed)
    reader = run.reader
    codes = [str(c) for c in boroughs["gss_code"]]
    counts = {c: int(council_counts[c]) for c in codes if c in council_counts}
    missing = [c for c in codes if c not in council_counts]
    names = dict(zip(codes, boroughs["name"].astype(str), strict=True))

    step("Finding town-centre seeds and placing control rooms")
    zones = region_zones(boroughs, small_areas)
    clustered = bool(zones["crimes"].sum() > 0)
    samplers = _samplers(reader, boroughs, zones, ["crimes"])
    with_cameras = boroughs[boroughs["gss_code"].isin([c for c, n in counts.items() if n > 0])]
    plan = plan_council_rooms(with_cameras, samplers, run.source, {})

    step("Placing council cameras and drawing their attributes")
    params = _placement_params(reader, f"{PLACEMENT}.cluster_share", clustered)
    parts = [_council_cameras(run, counts, samplers, names, plan.room_of_borough, params)]
    if sum(counts.values()):
        step("Placing private business cameras")
        # The region's small areas hold all crime, not theft and robbery: business sites follow it.
        private = _placement_params(reader, "synthetic_private.cluster_share", clustered)
        parts.append(_private_cameras(run, counts, samplers, private))
    used: list[dict[Hashable, Any]] = [
        {"gss_code": c, "cameras": n, "basis": "published", "source": counts_source}
        for c, n in counts.items()
    ]
    return _finish(
        run,
        step,
        name=name,
        region=region,
        boroughs=boroughs,
        camera_parts=parts,
        rooms=plan.rooms,
        council_counts={c: n for c, n in counts.items() if n > 0},
        crime_year=crime_year,
        with_costs=False,
        counts_used=used,
        extra_metadata={"generator": "region", "areas_without_counts": missing},
    )
