"""View functions: build the shared response models, applying what each role may see.

Camera visibility (locations):

- admin and police: every public camera, and private cameras whose business
  consents to share (each such view is written to the audit log);
- analyst: every public camera;
- borough manager: public cameras of their boroughs;
- business: their own registered cameras only.

Which private cameras a role sees is decided once, in
:mod:`cctvscope.evidence.visibility`, for this module and the registry alike.

Aggregates (counts per borough, coverage, compliance shares) include every camera.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from fastapi import Request

from cctvscope.evidence.visibility import visible_registrations
from cctvscope.model.provenance import attribute_sources
from cctvscope.standards.compliance import REGION_ROW
from cctvscope.web import audit
from cctvscope.web.accounts import User
from cctvscope.web.data import COVERAGE_MISSING, EstateData, Loaded, clean, records
from cctvscope.web.deps import AppState, WebError, client_ip
from cctvscope.web.schemas import (
    BoroughCompliance,
    BoroughCosts,
    BoroughProfile,
    BoroughRow,
    BoroughRules,
    CameraDetail,
    CameraOut,
    ComplianceBasis,
    ComplianceView,
    ConfidenceRow,
    CoverageRow,
    CoverageStatus,
    Headline,
    Overview,
    RoomRow,
    RuleResult,
)
from cctvscope.web.security import UserRole
from cctvscope.workflows.confidence import data_request_text
from cctvscope.workflows.results import OutputFile

PRIVATE = "private"
CAMERA_FIELDS = list(CameraOut.model_fields)
DETAIL_FIELDS = [f for f in CameraDetail.model_fields if f != "sources"]
CONFIDENCE_FIELDS = list(ConfidenceRow.model_fields)
BOROUGH_FIELDS = list(BoroughRow.model_fields)
COVERAGE_FIELDS = list(CoverageRow.model_fields)


def scope_key(user: User) -> tuple[str, frozenset[str], str | None]:
    """What decides which cameras ``user`` may see: the role, a borough manager's boroughs
    and a business's id (the key of answers prepared per scope)."""
    boroughs = user.boroughs if user.role is UserRole.BOROUGH_MANAGER else frozenset()
    business = user.business_id if user.role is UserRole.BUSINESS else None
    return (user.role.value, boroughs, business)


def visible_mask(data: EstateData, user: User, loaded: Loaded) -> npt.NDArray[np.bool_]:
    """Per camera (by position), whether ``user`` may see its location (see the module
    docstring); which private ones is the evidence layer's policy
    (:mod:`cctvscope.evidence.visibility`)."""
    cams = loaded.cameras
    private = (cams["owner_type"] == PRIVATE).to_numpy(dtype=bool)
    regs = data.registrations(loaded)
    allowed = regs.loc[visible_registrations(user.role.value, user.business_id, regs)]
    listed = cams["camera_id"].astype(str).isin(set(allowed["camera_id"])).to_numpy(dtype=bool)
    shown_private = private & listed
    if user.role is UserRole.BUSINESS:
        return shown_private  # a business sees its own cameras only
    public = ~private
    if user.role is UserRole.BOROUGH_MANAGER:
        public &= cams["borough_code"].isin(user.boroughs).to_numpy(dtype=bool)
    mask: npt.NDArray[np.bool_] = public | shown_private
    return mask


def visible_cameras(data: EstateData, user: User, loaded: Loaded) -> pd.DataFrame:
    """The cameras whose locations ``user`` may see (:func:`visible_mask`)."""
    return loaded.cameras[visible_mask(data, user, loaded)]


def audit_private_view(
    state: AppState, request: Request, user: User, shown: pd.DataFrame, what: str
) -> None:
    """Record a view that revealed private-camera locations (nothing when none did)."""
    private = shown.loc[shown["owner_type"] == PRIVATE, "camera_id"].astype(str)
    audit_private_ids(state, request, user, private.tolist(), what)


def audit_private_ids(
    state: AppState, request: Request, user: User, camera_ids: Sequence[str], what: str
) -> None:
    """Record a view that revealed these private cameras' locations (nothing when none)."""
    if not camera_ids:
        return
    audit.record(
        state.engine,
        audit.VIEW_PRIVATE,
        what,
        username=user.username,
        ip=client_ip(request),
        # Every id: the log must say exactly which locations were revealed, not a sample.
        detail={"cameras": len(camera_ids), "camera_ids": list(camera_ids)},
    )


def camera_out(row: dict[str, Any]) -> CameraOut:
    """A camera row as the response model."""
    return CameraOut.model_validate({k: clean(row.get(k)) for k in CAMERA_FIELDS})


def confidence_rows(frame: pd.DataFrame) -> list[ConfidenceRow]:
    """Rows of a data-confidence table (``by_table`` or one borough's) as response models."""
    return [ConfidenceRow.model_validate(r) for r in records(frame, CONFIDENCE_FIELDS)]


def compliance_table(outcome: Any) -> pd.DataFrame:
    """Compliance per borough with its input basis: ``outcome.boroughs`` (gss_code, name,
    cameras, compliant_cameras, share_compliant...) plus ``cameras_decided``,
    ``cameras_unknown``, ``real_records``, ``synthetic_records``, ``share_real_inputs``
    (from ``input_basis``) and ``share_compliant_decided``."""
    result = outcome.result
    basis = result.input_basis.set_index("borough_code")
    table: pd.DataFrame = outcome.boroughs.copy()
    for column in ("cameras_decided", "cameras_unknown", "real_records", "synthetic_records"):
        table[column] = table["gss_code"].map(basis[column]).fillna(0).astype(int)
    table["share_real_inputs"] = table["gss_code"].map(basis["share_real_inputs"]).astype(float)
    cams = result.cameras
    decided = cams["decided"].astype(bool)
    counts = (
        pd.DataFrame(
            {
                "borough_code": cams["borough_code"].astype(str),
                "decided": decided.astype(int),
                "ok": (cams["compliant"].astype(bool) & decided).astype(int),
            }
        )
        .groupby("borough_code")[["decided", "ok"]]
        .sum()
    )
    share = counts["ok"] / counts["decided"].where(counts["decided"] > 0)
    table["share_compliant_decided"] = table["gss_code"].map(share).astype(float)
    return table


def compliance_basis(outcome: Any, table: pd.DataFrame, user: User) -> ComplianceBasis:
    """The compliance basis over the region, or over the boroughs the user may read."""
    result = outcome.result
    if user.all_london:
        row = result.input_basis.set_index("borough_code").loc[REGION_ROW]
        return ComplianceBasis(
            area=outcome.region_title,
            cameras_assessed=int(row["cameras"]),
            cameras_decided=int(row["cameras_decided"]),
            cameras_unknown=int(row["cameras_unknown"]),
            real_records=int(row["real_records"]),
            synthetic_records=int(row["synthetic_records"]),
            share_real_inputs=clean(float(row["share_real_inputs"])),
            share_compliant=clean(result.share_compliant),
            share_compliant_decided=clean(result.share_compliant_decided),
        )
    mine = table[table["gss_code"].isin(user.boroughs)]
    cams = result.cameras[result.cameras["borough_code"].isin(user.boroughs)]
    decided = cams["decided"].astype(bool)
    n, n_decided = len(cams), int(decided.sum())
    weight = mine["cameras"].astype(float)
    real_inputs = (mine["share_real_inputs"].fillna(0.0) * weight).sum()
    return ComplianceBasis(
        area=", ".join(sorted(user.boroughs)),
        cameras_assessed=int(mine["cameras"].sum()),
        cameras_decided=int(mine["cameras_decided"].sum()),
        cameras_unknown=int(mine["cameras_unknown"].sum()),
        real_records=int(mine["real_records"].sum()),
        synthetic_records=int(mine["synthetic_records"].sum()),
        share_real_inputs=float(real_inputs / weight.sum()) if weight.sum() > 0 else None,
        share_compliant=float(cams["compliant"].sum()) / n if n else None,
        share_compliant_decided=(
            float((cams["compliant"].astype(bool) & decided).sum()) / n_decided
            if n_decided
            else None
        ),
    )


def _borough_row(row: dict[str, Any]) -> BoroughRow:
    return BoroughRow.model_validate({k: clean(row.get(k)) for k in BOROUGH_FIELDS})


def coverage_status(data: EstateData, area_code: str) -> CoverageStatus:
    """Coverage rows of an area (``london`` or a borough code), or why there are none."""
    summary = data.coverage_summary()
    if summary is None:
        return CoverageStatus(computed=False, message=COVERAGE_MISSING, rows=[])
    if area_code == "london":
        rows = summary[summary["area_type"] == "london"]
    else:
        rows = summary[(summary["area_type"] == "borough") & (summary["area_code"] == area_code)]
    present = [c for c in COVERAGE_FIELDS if c in rows.columns]
    items = [
        CoverageRow.model_validate({k: r.get(k) for k in COVERAGE_FIELDS})
        for r in records(rows, present)
    ]
    return CoverageStatus(computed=True, message="", rows=items)


def overview(data: EstateData, user: User) -> Overview:
    """The region's headline figures and per-area table (the areas the user may read),
    made once per version, coverage output and readable areas."""
    loaded = data.current()
    readable = "all" if user.all_london else scope_key(user)
    key = (readable, data.outputs.stamp(OutputFile.COVERAGE_SUMMARY))
    return data.scoped("overview", loaded, key, lambda: _overview(data, user, loaded))


def _overview(data: EstateData, user: User, loaded: Loaded) -> Overview:
    summary = loaded.summary
    estate = loaded.estate
    compliance = data.compliance(loaded)
    share = compliance.result.share_compliant
    decided_share = compliance.result.share_compliant_decided
    headline = Headline(
        cameras=len(estate.cameras),
        council_cameras=int(summary["council_cameras"].sum()),
        tfl_cameras=int(summary["tfl_cameras"].sum()),
        police_cameras=int(summary["police_cameras"].sum()),
        private_cameras=int(summary["private_cameras"].sum()),
        boroughs=len(estate.boroughs),
        control_rooms=len(estate.control_rooms),
        compliant_share=None if np.isnan(share) else float(share),
        compliant_share_decided=None if np.isnan(decided_share) else float(decided_share),
    )
    rows = [_borough_row(r) for r in records(summary) if user.may_read_borough(str(r["gss_code"]))]
    return Overview(
        estate=loaded.ref,
        region=data.region(loaded).title,
        headline=headline,
        boroughs=rows,
        coverage=coverage_status(data, "london"),
        confidence=confidence_rows(data.confidence(loaded).by_table),
    )


#: Words of a rule taken from its standard, beside its counts.
RULE_TEXT_FIELDS = ("title", "requires", "rationale", "source")


def rule_texts(standard: Any) -> dict[str, dict[str, str]]:
    """Rule id -> its title, requirement, rationale and source, from the standard."""
    return {r.id: {f: str(getattr(r, f)) for f in RULE_TEXT_FIELDS} for r in standard.rules}


def _rules(frame: pd.DataFrame, standard: Any) -> list[RuleResult]:
    """Rule rows (counts per rule) with each rule's words."""
    texts = rule_texts(standard)
    cols = [c for c in RuleResult.model_fields if c not in RULE_TEXT_FIELDS]
    return [
        RuleResult.model_validate(r | texts.get(str(r["rule_id"]), {}))
        for r in records(frame, cols)
    ]


def borough_profile(data: EstateData, user: User, code: str) -> BoroughProfile:
    """One borough: estate, coverage, compliance, costs, control rooms."""
    loaded = data.current()
    boroughs = loaded.estate.boroughs
    match = boroughs[boroughs["gss_code"] == code]
    if match.empty:
        raise WebError(404, f"no borough {code!r} in estate {loaded.ref.name!r}")
    if not user.may_read_borough(code):
        raise WebError(403, f"your account may not read borough {code}")
    info = records(pd.DataFrame(match.drop(columns="geometry")))[0]
    row = records(loaded.summary[loaded.summary["gss_code"] == code])[0]
    outcome = data.compliance(loaded)
    result = outcome.result
    by_borough = compliance_table(outcome)
    table = records(by_borough[by_borough["gss_code"] == code])[0]
    rules = result.by_borough_rule[result.by_borough_rule["borough_code"] == code]
    compliance = BoroughCompliance(
        standard=result.standard_label,
        cameras=int(table["cameras"]),
        compliant_cameras=int(table["compliant_cameras"]),
        share_compliant=clean(table["share_compliant"]),
        cameras_decided=int(table["cameras_decided"]),
        cameras_unknown=int(table["cameras_unknown"]),
        share_real_inputs=clean(table["share_real_inputs"]),
        share_compliant_decided=clean(table["share_compliant_decided"]),
        rules=_rules(rules, outcome.result.standard),
    )
    confidence = data.confidence(loaded)
    costs = None
    vfm = data.output_csv(OutputFile.VFM)
    if vfm is not None and code in set(vfm["gss_code"]):
        v = records(vfm[vfm["gss_code"] == code])[0]
        costs = BoroughCosts.model_validate({k: v.get(k) for k in BoroughCosts.model_fields})
    cams = loaded.cameras
    council = cams[(cams["borough_code"] == code) & cams["control_room_id"].notna()]
    rooms = council.groupby("control_room_id").size().sort_values(ascending=False)
    return BoroughProfile(
        estate=loaded.ref,
        borough=_borough_row(row),
        area_km2=float(info["area_km2"]),
        population=info.get("population"),
        recorded_crimes_per_year=info.get("recorded_crimes_per_year"),
        coverage=coverage_status(data, code),
        compliance=compliance,
        costs=costs,
        control_rooms=[RoomRow(control_room_id=str(k), cameras=int(n)) for k, n in rooms.items()],
        confidence=confidence_rows(confidence.borough(code)),
        data_request=data_request_text(code, confidence),
    )


def filter_cameras(
    cams: pd.DataFrame, borough: str | None, owner: str | None, kind: str | None
) -> pd.DataFrame:
    """Cameras by borough code, owner type and kind (``fixed`` or ``ptz``)."""
    if borough:
        cams = cams[cams["borough_code"] == borough]
    if owner:
        cams = cams[cams["owner_type"] == owner]
    if kind:
        cams = cams[cams["ptz"].astype(bool) == (kind == "ptz")]
    return cams


def visible_camera(
    state: AppState, request: Request, user: User, camera_id: str, what: str
) -> pd.DataFrame:
    """The one-row table of a camera the user may see (404 otherwise: its existence is not
    revealed); a private one's view is audited as ``what``."""
    loaded = state.data.current()
    cams = visible_cameras(state.data, user, loaded)
    match = cams[cams["camera_id"].astype(str) == camera_id]
    if match.empty:
        raise WebError(404, f"no camera {camera_id!r} that your account may see")
    audit_private_view(state, request, user, match, what)
    return match


def camera_detail(state: AppState, request: Request, user: User, camera_id: str) -> CameraDetail:
    """One camera with each attribute's source, if the user may see it."""
    match = visible_camera(state, request, user, camera_id, f"camera {camera_id}")
    row = records(match)[0]
    areas = state.data.current().estate.boroughs
    row["borough"] = areas.loc[areas["gss_code"] == row.get("borough_code"), "name"].max()
    sources = attribute_sources(match.iloc[:1]).iloc[0].drop("camera_id")
    values = {k: clean(row.get(k)) for k in DETAIL_FIELDS}
    return CameraDetail.model_validate(values | {"sources": sources.astype(str).to_dict()})


def compliance_view(data: EstateData, user: User) -> ComplianceView:
    """Compliance by rule (London, or the manager's boroughs) and by borough."""
    loaded = data.current()
    outcome = data.compliance(loaded)
    result = outcome.result
    if user.all_london:
        rules = result.london_by_rule
    else:
        mine = result.by_borough_rule[result.by_borough_rule["borough_code"].isin(user.boroughs)]
        sums = mine.groupby(["rule_id", "severity"], sort=False)[
            ["assessed", "passed", "failed", "unknown"]
        ].sum()
        rules = sums.reset_index()
        decided = rules["passed"] + rules["failed"]
        rules["share_passed"] = rules["passed"] / decided.where(decided > 0)
    table = compliance_table(outcome)
    boroughs = table[table["gss_code"].map(lambda c: user.may_read_borough(str(c)))]
    cols = list(BoroughRules.model_fields)
    return ComplianceView(
        estate=loaded.ref,
        standard=result.standard_label,
        basis=compliance_basis(outcome, table, user),
        rules=_rules(rules, outcome.result.standard),
        boroughs=[BoroughRules.model_validate(r) for r in records(boroughs, cols)],
    )
