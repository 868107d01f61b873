"""Estate workflows: build the London demo estate, import cameras into a stored estate."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from cctvscope import __version__
from cctvscope.errors import InputError, UnknownEstateError
from cctvscope.ingest.cameras import CameraImport, read_cameras_file
from cctvscope.ingest.london import london_empty_estate
from cctvscope.ingest.synthetic import build_london_estate
from cctvscope.model.assumptions import Assumptions, read_assumptions
from cctvscope.model.estate import FINDING_COLUMNS, Estate
from cctvscope.store import list_estates, load_estate, record_run, save_estate
from cctvscope.workflows.assess import summarise_boroughs
from cctvscope.workflows.imports import stored_findings

Step = Callable[[str], None]


@dataclass(frozen=True)
class DemoResult:
    """The stored London estate and its per-borough summary."""

    estate: Estate
    summary: pd.DataFrame
    build_seconds: float


def build_demo(
    engine: Engine,
    *,
    name: str = "london",
    seed: int | None = None,
    assumptions: Assumptions | None = None,
    on_step: Step | None = None,
) -> DemoResult:
    """Build the London estate (real + calibrated synthetic), store it and summarise it."""
    started = time.perf_counter()
    assumptions = assumptions or read_assumptions()
    estate = build_london_estate(name, seed=seed, assumptions=assumptions, on_step=on_step)
    if on_step:
        on_step("Saving the estate to the store")
    saved = _latest_identical(engine, estate) or save_estate(
        engine, estate, description="London demo estate: real TfL + synthetic"
    )
    if on_step:
        on_step("Summarising boroughs")
    summary = summarise_boroughs(saved)
    assert saved.version is not None
    record_run(
        engine,
        saved.name,
        saved.version,
        "demo",
        {"seed": seed, "assumptions_sha256": assumptions.sha256, "cctvscope": __version__},
        saved.input_hash(),
        {"cameras": len(saved.cameras), "boroughs": len(saved.boroughs)},
    )
    return DemoResult(saved, summary, time.perf_counter() - started)


def _latest_identical(engine: Engine, estate: Estate) -> Estate | None:
    """The stored latest version of ``estate.name`` when its content is identical."""
    digest = estate.input_hash()
    for info in list_estates(engine):
        if info.name == estate.name:
            return (
                load_estate(engine, info.name, info.version) if info.input_hash == digest else None
            )
    return None


@dataclass(frozen=True)
class ImportOutcome:
    """A successful import: the new estate version and what the import found."""

    estate: Estate
    imported: CameraImport
    created: bool


def import_cameras(
    engine: Engine,
    estate_name: str,
    path: Path,
    *,
    field_map: Mapping[str, str] | None = None,
    constants: Mapping[str, str] | None = None,
    fmt: str | None = None,
    encoding: str | None = None,
    create_missing: bool = True,
    assumptions: Assumptions | None = None,
) -> ImportOutcome:
    """Validate a camera file and store it as a new version of ``estate_name``.

    Every row and field is checked before anything is written; any error raises
    :class:`~cctvscope.errors.InputError` carrying all findings, and the store is
    left exactly as it was. Warnings are stored with the estate. A missing estate
    is created with the 33 London boroughs when ``create_missing``.
    """
    assumptions = assumptions or read_assumptions()
    created = False
    try:
        base = load_estate(engine, estate_name)
    except UnknownEstateError:
        if not create_missing:
            raise
        base = london_empty_estate(estate_name)
        created = True
    imported = read_cameras_file(
        path,
        boroughs=base.boroughs,
        assumptions=assumptions,
        field_map=field_map or {},
        constants=constants or {},
        existing_ids=set(base.cameras["camera_id"]),
        fmt=fmt,
        encoding=encoding,
    )
    if imported.errors:
        raise InputError(
            f"{path.name}: {len(imported.errors)} error(s); nothing was imported",
            imported.findings,
        )
    cameras = gpd.GeoDataFrame(
        pd.concat([base.cameras, imported.cameras], ignore_index=True),
        geometry="geometry",
        crs=base.cameras.crs or imported.cameras.crs,
    )
    findings = pd.concat(
        [base.findings, stored_findings("cameras", imported.findings, imported.source_name)],
        ignore_index=True,
    )[FINDING_COLUMNS]
    updated = base.replace_tables(cameras=cameras, findings=findings)
    saved = save_estate(engine, updated, description=f"import cameras from {path.name}")
    return ImportOutcome(saved, imported, created)
