"""Evidence workflows: find the cameras that could have seen a place, request, package.

The worked example in the demo is synthetic end to end: a place in central London, a
window two days before the request, holders answering after assumed delays, and a
generated clip standing in for the supplied footage. It exercises every step a real
request takes and says so in its custody log and manifest.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Engine

from cctvscope.coverage.detail import DetailLevel
from cctvscope.coverage.engine import CoverageResult
from cctvscope.coverage.joint import (
    joint_coverage,
    joint_coverage_from_grid,
    recruitment_candidates,
    region_totals,
)
from cctvscope.crs import wgs84_to_bng
from cctvscope.evidence.package import write_package
from cctvscope.evidence.registry import (
    registration_count,
    save_registrations,
    seed_registrations,
)
from cctvscope.evidence.requests import (
    RequestRecord,
    create_requests,
    get_request,
    list_requests,
    record_item,
    transition,
)
from cctvscope.evidence.signing import (
    generate_key,
    load_private_key,
    load_public_key,
    public_key_path,
)
from cctvscope.evidence.vault import EvidenceVault
from cctvscope.evidence.verify import VerificationReport, verify_package
from cctvscope.ingest.london import read_lsoa_crime
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.estate import Estate
from cctvscope.standards.footage import FootageRequirements, audit_clip
from cctvscope.workflows.police_search import (
    busiest_point,
    candidate_attributes,
    candidates_at,
    police_lookup,
)

#: Centre of the worked example's search: Leicester Square, WGS84 (lon, lat) [°]. The place
#: itself is the point within EXAMPLE_SEARCH_M seen by the most cameras (see busiest_point).
EXAMPLE_PLACE_DEG = (-0.13030, 51.51030)
EXAMPLE_SEARCH_M = 300.0
#: When the example request is made, and the incident window it asks about (UTC).
EXAMPLE_NOW = dt.datetime(2024, 4, 10, 9, 0, tzinfo=dt.UTC)
EXAMPLE_WINDOW = (
    dt.datetime(2024, 4, 8, 21, 0, tzinfo=dt.UTC),
    dt.datetime(2024, 4, 8, 21, 30, tzinfo=dt.UTC),
)
EXAMPLE_ACTOR = "demo:worked-example"
#: The worked example's package-signing key, relative to its vault root. DEMO ONLY: a real
#: signing key is kept away from the vault and the packages (see docs/evidence.md), or
#: whoever can rewrite them can re-sign them too.
DEMO_SIGNING_KEY = Path("demo-signing-key") / "package-signing.key"
#: Detail levels compared in the joint public/private coverage outputs.
JOINT_LEVELS = (DetailLevel.DETECT, DetailLevel.RECOGNISE, DetailLevel.IDENTIFY)


def ensure_registrations(engine: Engine, estate: Estate) -> int:
    """Seed registrations for the estate's private cameras if none are stored yet."""
    if registration_count(engine, estate.name):
        return 0
    demo = read_assumptions().section("integration_demo")
    rows = seed_registrations(
        estate,
        consent_contact_share=float(demo["consent_contact_share"].value),
        consent_share_share=float(demo["consent_share_share"].value),
        verified_share=float(demo["verified_share"].value),
    )
    return save_registrations(engine, estate.name, rows)


@dataclass(frozen=True)
class WorkedExample:
    """The demo's synthetic police request, from lookup to a verified package."""

    place_x_m: float
    place_y_m: float
    candidates: pd.DataFrame
    requests: tuple[RequestRecord, ...]
    package: Path | None
    verification: VerificationReport | None
    public_key: Path | None = None  # the demo key's .pub that verifies the package

    @property
    def median_time_to_evidence_h(self) -> float | None:
        """Median hours from request to supply over the supplied requests."""
        hours = [r.time_to_evidence_h for r in self.requests if r.time_to_evidence_h is not None]
        return statistics.median(hours) if hours else None


def write_demo_clip(path: Path, *, seed: int = 0, seconds: float = 2.0) -> Path:
    """A synthetic H.264 MP4 standing in for supplied footage (704×288, 12.5 fps, textured scene).

    It meets the resolution, frame-rate and codec rules of london-v1, so the audit's
    verdict in the manifest reflects the clip rather than a generation artefact.
    """
    width, height, fps = 704, 288, Fraction(25, 2)
    rng = np.random.default_rng(seed)
    texture = rng.integers(0, 255, (height, width * 2), dtype=np.uint8)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"crf": "18"}
        stream.codec_context.time_base = 1 / fps
        for k in range(int(seconds * float(fps))):
            gray = texture[:, 4 * k : 4 * k + width]
            frame = av.VideoFrame.from_ndarray(np.dstack([gray] * 3), format="rgb24")
            frame.pts, frame.time_base = k, 1 / fps
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def has_worked_example(engine: Engine, vault_root: Path) -> bool:
    """True when the demo's worked requests are stored and their footage is in the vault.

    The demo keeps the example's vault beside its outputs (``OUT/evidence_vault``), so
    a report into another folder has no footage to package and leaves the example out.
    """
    requests = [r for r in list_requests(engine) if r.requested_by == EXAMPLE_ACTOR]
    if not requests or not vault_root.is_dir():
        return False
    vault = EvidenceVault(vault_root)
    supplied = [r for r in requests if r.state == "supplied"]
    return all(vault.items(r.key) for r in supplied)


def run_worked_example(
    engine: Engine, estate: Estate, out_dir: Path, *, vault_root: Path
) -> WorkedExample:
    """Lookup → requests → simulated answers → intake → audit → package → verify.

    Re-running reuses the stored example requests (requested by ``demo:worked-example``)
    rather than adding duplicates.
    """
    ensure_registrations(engine, estate)
    lookup = police_lookup(engine, estate)
    x0, y0 = (float(v[0]) for v in wgs84_to_bng([EXAMPLE_PLACE_DEG[0]], [EXAMPLE_PLACE_DEG[1]]))
    x, y = busiest_point(lookup, x0, y0, half_width_m=EXAMPLE_SEARCH_M)
    candidates = candidates_at(lookup, estate, x, y)
    existing = [r for r in list_requests(engine) if r.requested_by == EXAMPLE_ACTOR]
    vault = EvidenceVault(vault_root)
    if not existing and not candidates.empty:
        created = create_requests(
            engine, x, y, *EXAMPLE_WINDOW, candidates, requested_by=EXAMPLE_ACTOR, now=EXAMPLE_NOW
        )
        for n, request in enumerate(created):
            _answer(engine, vault, out_dir, request, seed=n)
        existing = [get_request(engine, r.id) for r in created]
    requests = tuple(existing)
    supplied = [r for r in requests if r.state == "supplied"]
    package = verification = public_key = None
    if supplied:
        first = supplied[0]
        key_file = demo_signing_key(vault_root)
        package = write_package(
            vault,
            first,
            out_dir / f"evidence_request_{first.id}.zip",
            actor=EXAMPLE_ACTOR,
            signing_key=load_private_key(key_file),
            audit_verdicts=_verdicts(vault, first),
            standard_version="london-cctv v1.0",
            now=EXAMPLE_NOW + dt.timedelta(days=5),
        )
        public_key = public_key_path(key_file)
        verification = verify_package(package, load_public_key(public_key))
    return WorkedExample(x, y, candidates, requests, package, verification, public_key)


def demo_signing_key(vault_root: Path) -> Path:
    """The demo's signing key under ``vault_root`` (made on first use, kept for re-runs).

    Demo only: it lives beside the vault so that the demo runs with no setup. A real
    key is made with ``cctvscope evidence keygen`` and kept where the packages are not.
    """
    key_file = vault_root / DEMO_SIGNING_KEY
    if not key_file.exists():
        generate_key(key_file)
    return key_file


def _answer(
    engine: Engine, vault: EvidenceVault, out_dir: Path, request: RequestRecord, *, seed: int
) -> None:
    """Simulate the holder: acknowledge, then supply one synthetic clip (or let it expire)."""
    if request.state != "requested":
        return
    hours = read_assumptions().value("integration_demo.response_hours")
    ack_h, supply_h = (float(h) for h in hours[request.owner_type])
    at = request.requested_at
    transition(
        engine, request.id, "acknowledged", actor=request.holder, at=at + dt.timedelta(hours=ack_h)
    )
    camera = request.cameras[0].camera_id
    clip = write_demo_clip(out_dir / f"synthetic_clip_{request.id}.mp4", seed=seed)
    supplied_at = at + dt.timedelta(hours=supply_h)
    item = vault.intake(
        clip,
        request_id=request.key,
        camera_id=camera,
        actor=request.holder,
        origin="demo:synthetic-holder",
        at=supplied_at,
    )
    clip.unlink()
    record_item(
        engine,
        request.id,
        sha256=item.sha256,
        size=item.size,
        name=f"{camera}.mp4",
        camera_id=camera,
        intake_at=supplied_at,
        intake_by=request.holder,
        origin="demo:synthetic-holder",
    )
    transition(engine, request.id, "supplied", actor=request.holder, at=supplied_at)


def _verdicts(vault: EvidenceVault, request: RequestRecord) -> dict[str, str]:
    """Footage-audit verdict of each supplied master (read through the vault's hash check)."""
    requirements = FootageRequirements.from_standard()
    verdicts: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for item in vault.items(request.key):
            copy = Path(tmp) / f"{item.sha256}.mp4"
            with copy.open("wb") as handle:
                vault.copy_to(item.sha256, handle)
            audit = audit_clip(copy, requirements=requirements, detect_people=False)
            verdicts[item.camera_id] = audit.verdict
    return verdicts


@dataclass(frozen=True)
class JointCoverage:
    """What registered private cameras add to public coverage, and where to recruit more.

    ``from_grid``: the areas come from the coverage engine's painted grid (occluded where
    there are footprints), not from unoccluded wedge unions.
    """

    by_borough: gpd.GeoDataFrame
    london: pd.DataFrame
    candidates: gpd.GeoDataFrame
    from_grid: bool = False


def run_joint_coverage(
    estate: Estate,
    *,
    levels: tuple[DetailLevel, ...] = JOINT_LEVELS,
    top_n: int = 20,
    crime: gpd.GeoDataFrame | None = None,
    coverage: CoverageResult | None = None,
) -> JointCoverage:
    """Public vs joint (public + private) coverage per borough and level, crime-weighted.

    With ``coverage`` (the coverage engine's result for ``estate``, summed over the
    same small areas as ``crime``) the areas come from its painted grid's public and
    private bits (:func:`~cctvscope.coverage.joint.joint_coverage_from_grid`: occluded
    where there are footprints); without it, from unions of view wedges without
    building occlusion. Crime is MPS 2021 LSOA crime spread by area. Recruitment cells:
    the top ``top_n`` 250 m cells by crime with no public coverage at Recognise.
    ``crime``: the region's small-area crime
    (:meth:`~cctvscope.workflows.region_inputs.RegionInputs.lsoa_crime`); London's
    bundled LSOA crime when omitted.
    """
    usable = float(read_assumptions().value("coverage.usable_range_m"))
    if crime is None:
        crime = read_lsoa_crime()
    if coverage is not None:
        table = joint_coverage_from_grid(coverage.summary, estate.boroughs, crime, levels)
    else:
        table = joint_coverage(
            estate.cameras, estate.boroughs, crime, levels, usable_range_m=usable
        )
    return JointCoverage(
        by_borough=table,
        london=region_totals(table).reset_index(),
        candidates=recruitment_candidates(estate.cameras, crime, top_n=top_n),
        from_grid=coverage is not None,
    )


__all__ = [
    "JointCoverage",
    "WorkedExample",
    "busiest_point",
    "candidate_attributes",
    "candidates_at",
    "ensure_registrations",
    "police_lookup",
    "run_joint_coverage",
    "run_worked_example",
]
