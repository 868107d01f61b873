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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

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
from cctvscope.model.entities import Camera, Contract, ControlRoom, CostItem, EvidenceStats, Link
from cctvscope.model.enums import OwnerType
from cctvscope.model.estate import Estate
from cctvscope.model.frames import normalise_frame, with_points

__all__ = [
    "build_london_estate",
    "council_camera_counts",
    "generator_source",
    "hfov_deg",
]

PLACEMENT = "synthetic_placement"


def generator_source(version: str, seed: int) -> str:
    """The ``source`` text of every synthetic record."""
    return f"cctvscope synthetic estate v{version}, seed {seed}"


def _placement_params(reader: ParamReader, cluster_share_key: str) -> PlacementParams:
    return PlacementParams(
        cluster_share=reader.number(cluster_share_key),
        cluster_sigma_m=reader.number(f"{PLACEMENT}.cluster_sigma_m"),
        max_rejection_rounds=reader.integer(f"{PLACEMENT}.max_rejection_rounds"),
    )


def _samplers(
    reader: ParamReader, boroughs: pd.DataFrame, lsoa_crime: pd.DataFrame, categories: list[str]
) -> dict[str, BoroughSampler]:
    return build_samplers(
        boroughs,
        lsoa_crime,
        lsoa_weights(lsoa_crime, categories),
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
    reader: ParamReader,
    seed: int,
    counts: pd.DataFrame,
    samplers: Mapping[str, BoroughSampler],
    names: Mapping[str, str],
    room_of: Mapping[str, str],
    source: str,
) -> pd.DataFrame:
    placed = place_points(
        stage_rng(seed, "council_placement"),
        samplers,
        dict(zip(counts["gss_code"], counts["cameras"], strict=True)),
        _placement_params(reader, f"{PLACEMENT}.cluster_share"),
    )
    rng = stage_rng(seed, "council_attributes")
    years = draw_install_years(rng, reader, "council", len(placed))
    attrs = draw_camera_attributes(rng, reader, OwnerType.COUNCIL, years)
    codes = placed["borough_code"].astype(str)
    serial = placed.groupby("borough_code").cumcount() + 1
    return _camera_rows(
        placed,
        attrs,
        ids=[f"cam-{c}-c{i:05d}" for c, i in zip(codes, serial, strict=True)],
        owner=OwnerType.COUNCIL,
        operator=[council_operator(names[c]) for c in codes],
        room=[room_of[c] for c in codes],
        source=source,
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
    reader: ParamReader,
    seed: int,
    council_counts: Mapping[str, int],
    samplers: Mapping[str, BoroughSampler],
    source: str,
) -> pd.DataFrame:
    """Business cameras at synthetic sites: 1 + Poisson cameras per site, sharing its position."""
    rng = stage_rng(seed, "private")
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
    sites = place_points(
        rng,
        samplers,
        {c: len(s) for c, s in site_sizes.items()},
        _placement_params(reader, "synthetic_private.cluster_share"),
    )
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
        source=source,
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
    reader = ParamReader(assumptions or read_assumptions())
    seed = int(reader.value("synthetic.seed")) if seed is None else int(seed)
    version = str(reader.value("synthetic.generator_version"))
    reference_date = dt.date.fromisoformat(str(reader.value("synthetic.reference_date")))
    source = generator_source(version, seed)
    crime_year = london.LATEST_CRIME_YEAR

    step("Reading boroughs, LSOA crime and published camera counts")
    boroughs = london.read_borough_table(str(reader.value("synthetic_costs.profile_name")))
    lsoa_crime = london.read_lsoa_crime(crime_year)
    counts = council_camera_counts(reader, boroughs, london.read_provision_facts())
    names = dict(zip(boroughs["gss_code"], boroughs["name"], strict=True))

    step("Finding town-centre seeds and placing control rooms")
    council_samplers = _samplers(
        reader, boroughs, lsoa_crime, [str(reader.value(f"{PLACEMENT}.crime_weight_category"))]
    )
    plan = plan_rooms(reader, boroughs, council_samplers, source)

    step("Placing council cameras and drawing their attributes")
    council = _council_cameras(
        reader, seed, counts, council_samplers, names, plan.room_of_borough, source
    )
    step("Adding police cameras and the real TfL JamCams")
    police = _police_cameras(reader, seed, council_samplers, source)
    tfl = tfl_cameras(reader, london.read_tfl_cameras(), TFL_ROOM_ID)
    step("Placing private business cameras")
    private_samplers = _samplers(
        reader,
        boroughs,
        lsoa_crime,
        [str(c) for c in reader.value("synthetic_private.weight_categories")],
    )
    council_counts = dict(zip(counts["gss_code"], counts["cameras"].astype(int), strict=True))
    private = _private_cameras(reader, seed, council_counts, private_samplers, source)
    cameras = normalise_frame(Camera, pd.concat([council, police, tfl, private], ignore_index=True))

    step("Staffing control rooms and building links")
    rooms = normalise_frame(ControlRoom, staff_rooms(reader, plan.rooms, cameras))
    links = normalise_frame(
        Link,
        build_links(stage_rng(seed, "links"), reader, cameras, rooms, band_labels(reader)),
    )
    step("Writing contracts, evidence statistics and cost items")
    contracts = normalise_frame(
        Contract,
        build_contracts(stage_rng(seed, "contracts"), reader, council_counts, reference_date),
    )
    evidence = normalise_frame(
        EvidenceStats,
        build_evidence_stats(stage_rng(seed, "evidence"), reader, boroughs, crime_year),
    )
    costs = normalise_frame(CostItem, build_cost_items(reader, reference_date.year))

    metadata: dict[str, Any] = {
        "seed": seed,
        "assumptions_sha256": reader.assumptions.sha256,
        "generator_version": version,
        "generator_source": source,
        "crime_year": crime_year,
        "reference_date": reference_date.isoformat(),
        "counts_by_provenance": {
            str(k): int(v) for k, v in cameras["provenance"].value_counts().sort_index().items()
        },
        "counts_by_owner": {
            str(k): int(v) for k, v in cameras["owner_type"].value_counts().sort_index().items()
        },
        "council_counts": counts.to_dict(orient="records"),
        "assumption_keys": sorted(reader.used),
    }
    return Estate(
        name=name,
        region=london.london_region(),
        boroughs=boroughs,
        control_rooms=with_points(rooms),
        cameras=with_points(cameras),
        links=links,
        contracts=contracts,
        evidence_stats=evidence,
        cost_items=costs,
        metadata=metadata,
    )
