"""Compliance of an estate with an evidential standard.

:func:`assess_compliance` runs every rule's registered check and summarises the
findings per camera, per control room, per borough and region-wide (the LONDON
row), with the share of cameras meeting each rule. Shares are
``passed / (passed + failed)``: entities whose outcome is ``unknown`` are left
out of the denominator and counted separately. ``strict=True`` raises
:class:`ComplianceError` instead of returning when anything fails.

Decommissioned and planned cameras are excluded; faulty cameras are assessed.
Rules that apply to a camera, a recording system or a control room are assessed
per camera (through the system that records it or the room that monitors it);
borough rules (the Code of Practice) per borough, and they do not enter a
camera's ``compliant`` flag.

A camera attribute filled from the assumptions-file defaults is not evidence:
a check whose declared input was defaulted answers ``unknown`` for that camera
(the would-be answer stays in the message), unless ``assume_defaults=True``
scores defaults as if measured (planning only). :attr:`ComplianceResult.input_basis`
says how much of the assessment rests on real inputs: records by provenance,
cameras decided or not, and the share of (camera, input) pairs that are neither
defaulted nor synthetic.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cctvscope.errors import CctvscopeError
from cctvscope.model.estate import Estate
from cctvscope.standards.registry import (
    CheckContext,
    registered_checks,
    run_check,
    validate_thresholds,
)
from cctvscope.standards.spec import Rule, Standard

CAMERA_ASSESSED = frozenset({"camera", "recording_system", "control_room"})
"""``applies_to`` values assessed per camera."""

REGION_ROW = "LONDON"
"""``borough_code`` of the region-wide rows of :attr:`ComplianceResult.by_borough_rule`."""

UNMONITORED = "unmonitored"
"""``control_room_id`` of the :attr:`ComplianceResult.by_room` row of cameras no room monitors."""

FINDING_COLUMNS = (
    "entity_type",
    "entity_id",
    "camera_id",
    "borough_code",
    "owner_type",
    "control_room_id",
    "rule_id",
    "applies_to",
    "severity",
    "outcome",
    "message",
    "clause",
)
"""Columns of :attr:`ComplianceResult.findings`."""

COUNT_COLUMNS = ("assessed", "passed", "failed", "unknown", "share_passed")

INPUT_BASIS_COLUMNS = (
    "borough_code",
    "cameras",
    "real_records",
    "synthetic_records",
    "cameras_decided",
    "cameras_unknown",
    "share_real_inputs",
)
"""Columns of :attr:`ComplianceResult.input_basis`."""

REAL_PROVENANCES = frozenset({"real", "imported"})
"""Record provenances counted as real (a published source or a user import)."""

SYNTHETIC_PROVENANCE = "synthetic"
STRICT_EXAMPLES = 5
"""Entities named per rule in a strict-mode error."""


@dataclass(frozen=True, slots=True)
class InputBasis:
    """How much of an assessment rests on real inputs (one row of ``input_basis``).

    Attributes
    ----------
    cameras
        In-service cameras assessed.
    real_records, synthetic_records
        Of those, records whose provenance is real or imported, and synthetic.
    cameras_decided, cameras_unknown
        Cameras with no ``unknown`` camera-assessed rule, and with at least one
        (rules whose check reads no inventory attribute, such as EX-03, are
        unknown for every camera and left out of both).
    share_real_inputs
        Share of (camera, input) pairs, over the cameras and the union of the
        camera-assessed checks' declared inputs, that are neither defaulted nor
        synthetic (catalogue values count as real); NaN with no cameras.
    """

    cameras: int
    real_records: int
    synthetic_records: int
    cameras_decided: int
    cameras_unknown: int
    share_real_inputs: float


class ComplianceError(CctvscopeError):
    """Raised by strict assessment when any rule fails.

    ``failures`` holds the failing findings (columns :data:`FINDING_COLUMNS`);
    ``counts`` the number of failures per rule id.
    """

    def __init__(self, message: str, failures: pd.DataFrame) -> None:
        super().__init__(message)
        self.failures = failures
        self.counts: dict[str, int] = {
            str(k): int(v) for k, v in failures["rule_id"].value_counts(sort=False).items()
        }


@dataclass(frozen=True)
class ComplianceResult:
    """Findings and summaries of one assessment.

    Attributes
    ----------
    standard_label
        The standard and version used (``"london-cctv v1.0"``).
    standard
        The standard itself (its ``sha256`` identifies the file).
    findings
        Long table, one row per rule × entity, columns :data:`FINDING_COLUMNS`:
        ``entity_type`` (camera or borough), ``entity_id``, ``camera_id`` (None
        for borough rows), ``borough_code``, ``owner_type`` and
        ``control_room_id`` (of the camera; None for borough rows), ``rule_id``,
        ``applies_to``, ``severity``, ``outcome`` (pass, fail, unknown),
        ``message`` and ``clause`` (the rule's source).
    cameras
        One row per in-service camera: ``camera_id``, ``borough_code``,
        ``owner_type``, ``control_room_id``, one column per camera-assessed rule
        id holding its outcome, ``rules_failed``, ``critical_failed``,
        ``rules_unknown`` (counts of rules), ``compliant`` (no camera-assessed
        rule failed; unknowns do not count against it) and ``decided`` (no
        camera-assessed rule unknown, leaving out rules whose check reads no
        inventory attribute, which are unknown for every camera).
    by_room
        One row per control room with cameras (cameras with no room under
        :data:`UNMONITORED`): ``control_room_id``, ``cameras``, ``compliant``
        (count), ``share_compliant`` (fraction), then one column per
        camera-assessed rule id with its share passed (fraction of cameras with
        a pass or fail; NaN if all unknown).
    by_borough_rule
        One row per borough × rule plus a :data:`REGION_ROW` row per rule:
        ``borough_code``, ``rule_id``, ``severity``, ``applies_to``,
        ``assessed`` (entities in scope: cameras, or boroughs for borough
        rules), ``passed``, ``failed``, ``unknown`` (counts) and
        ``share_passed`` = passed / (passed + failed), NaN when both are 0.
    london_by_rule
        One row per rule of the standard, in order: ``rule_id``, ``title``,
        ``severity``, ``applies_to``, ``status`` and the counts and share as in
        ``by_borough_rule``, region-wide.
    input_basis
        One row per borough (of the estate's borough table and of its cameras)
        plus a :data:`REGION_ROW` row, columns :data:`INPUT_BASIS_COLUMNS` (see
        :class:`InputBasis`): how much of the assessment rests on real inputs.
    assume_defaults
        Whether defaulted attributes were scored as if measured (planning) rather
        than answering ``unknown``.
    """

    standard_label: str
    standard: Standard
    findings: pd.DataFrame
    cameras: pd.DataFrame
    by_room: pd.DataFrame
    by_borough_rule: pd.DataFrame
    london_by_rule: pd.DataFrame
    input_basis: pd.DataFrame
    assume_defaults: bool = False

    @property
    def share_compliant(self) -> float:
        """Share of in-service cameras with no failed camera-assessed rule (NaN if none).

        Unknowns do not count against a camera, so where inputs are defaulted
        (and answer ``unknown``) this is an upper bound; see
        :attr:`share_compliant_decided`.
        """
        n = len(self.cameras)
        return float(self.cameras["compliant"].sum()) / n if n else float("nan")

    @property
    def share_compliant_decided(self) -> float:
        """Share compliant among the decided cameras (no camera-assessed rule unknown).

        The compliance of the cameras whose every rule could be answered (NaN if
        none could): unlike :attr:`share_compliant`, unknowns neither count for
        nor against, they leave the camera out.
        """
        decided = self.cameras["decided"].astype(bool)
        n = int(decided.sum())
        return float((self.cameras["compliant"] & decided).sum()) / n if n else float("nan")

    @property
    def region_basis(self) -> InputBasis:
        """The :data:`REGION_ROW` row of :attr:`input_basis`."""
        table = self.input_basis
        row: dict[Hashable, Any] = table.loc[table["borough_code"] == REGION_ROW].iloc[0].to_dict()
        return InputBasis(
            cameras=int(row["cameras"]),
            real_records=int(row["real_records"]),
            synthetic_records=int(row["synthetic_records"]),
            cameras_decided=int(row["cameras_decided"]),
            cameras_unknown=int(row["cameras_unknown"]),
            share_real_inputs=float(row["share_real_inputs"]),
        )


def _rule_findings(ctx: CheckContext, rule: Rule, info: pd.DataFrame) -> pd.DataFrame:
    """The check's result for one rule, with camera attributes and rule columns added."""
    result = run_check(ctx, rule).reset_index(drop=True)
    if rule.applies_to in CAMERA_ASSESSED:
        ids = info["camera_id"].to_numpy(dtype=object)
        if len(result) != len(ids) or not np.array_equal(
            result["entity_id"].to_numpy(dtype=object), ids
        ):
            raise TypeError(f"check {rule.id!r} must return one row per camera, in camera order")
        for column in ("borough_code", "owner_type", "control_room_id"):
            result[column] = info[column].to_numpy(dtype=object)
        result["camera_id"] = ids
    else:
        result["camera_id"] = None
        result["borough_code"] = result["entity_id"].where(result["entity_type"] == "borough", None)
        result["owner_type"] = None
        result["control_room_id"] = None
    result["rule_id"] = rule.id
    result["applies_to"] = rule.applies_to
    result["severity"] = rule.severity
    result["clause"] = rule.source
    return result.loc[:, list(FINDING_COLUMNS)]


def _counts(findings: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Outcome counts and share passed per group of ``keys``."""
    table = pd.crosstab(
        [findings[k] for k in keys],
        findings["outcome"],
    ).reindex(columns=["pass", "fail", "unknown"], fill_value=0)
    out = pd.DataFrame(
        {
            "passed": table["pass"].astype(int),
            "failed": table["fail"].astype(int),
            "unknown": table["unknown"].astype(int),
        }
    )
    out.insert(0, "assessed", out.sum(axis=1))
    decided = out["passed"] + out["failed"]
    out["share_passed"] = (out["passed"] / decided.where(decided > 0)).astype(float)
    return out.reset_index()


def _by_room(cameras: pd.DataFrame, rule_ids: list[str]) -> pd.DataFrame:
    key = cameras["control_room_id"].where(cameras["control_room_id"].notna(), UNMONITORED)
    key = key.astype(str).rename("control_room_id")
    grouped = cameras.groupby(key, sort=True)
    out = pd.DataFrame({"cameras": grouped.size(), "compliant": grouped["compliant"].sum()})
    out["compliant"] = out["compliant"].astype(int)
    out["share_compliant"] = out["compliant"] / out["cameras"]
    for rule_id in rule_ids:
        passed = (cameras[rule_id] == "pass").groupby(key).sum().astype(float)
        decided = (cameras[rule_id] != "unknown").groupby(key).sum().astype(float)
        out[rule_id] = (passed / decided.where(decided > 0)).astype(float)
    return out.reset_index()


def _input_basis(
    ctx: CheckContext, cameras: pd.DataFrame, inputs: list[str], boroughs: list[str]
) -> pd.DataFrame:
    """Records by provenance, cameras decided and the share of real inputs, per borough."""
    cams = ctx.cameras
    provenance = cams["provenance"].astype(str)
    synthetic = (provenance == SYNTHETIC_PROVENANCE).to_numpy(dtype=bool)
    real_pairs = np.zeros(len(cams), dtype=float)
    for attribute in inputs:
        real_pairs += ~ctx.defaulted(attribute).to_numpy(dtype=bool) & ~synthetic
    decided = cameras["decided"].to_numpy(dtype=bool)
    per_camera = pd.DataFrame(
        {
            "borough_code": cams["borough_code"].astype(str).to_numpy(dtype=object),
            "cameras": 1,
            "real_records": provenance.isin(REAL_PROVENANCES).to_numpy(dtype=int),
            "synthetic_records": synthetic.astype(int),
            "cameras_decided": decided.astype(int),
            "cameras_unknown": (~decided).astype(int),
            "_real_pairs": real_pairs,
        }
    )
    codes = sorted(set(boroughs) | set(per_camera["borough_code"]))
    table = per_camera.groupby("borough_code").sum().reindex(codes, fill_value=0)
    table.loc[REGION_ROW] = per_camera.drop(columns="borough_code").sum()
    pairs = table["cameras"] * len(inputs)
    table["share_real_inputs"] = (table["_real_pairs"] / pairs.where(pairs > 0)).astype(float)
    counts = ["cameras", "real_records", "synthetic_records", "cameras_decided", "cameras_unknown"]
    table[counts] = table[counts].astype(int)
    return table.rename_axis("borough_code").reset_index().loc[:, list(INPUT_BASIS_COLUMNS)]


def _strict_message(label: str, failures: pd.DataFrame, order: list[str]) -> str:
    parts = []
    for rule_id in order:
        rows = failures.loc[failures["rule_id"] == rule_id, "entity_id"]
        if rows.empty:
            continue
        first = ", ".join(str(e) for e in rows.head(STRICT_EXAMPLES))
        more = ", ..." if len(rows) > STRICT_EXAMPLES else ""
        parts.append(f"{rule_id}: {len(rows)} failed ({first}{more})")
    return f"{label}: {len(failures)} failures; " + "; ".join(parts)


def assess_compliance(
    estate: Estate,
    standard: Standard,
    *,
    cop_scores: Mapping[str, float] | None = None,
    strict: bool = False,
    assume_defaults: bool = False,
) -> ComplianceResult:
    """Assess an estate against a standard, rule by rule.

    Parameters
    ----------
    estate
        The estate; decommissioned and planned cameras are excluded.
    standard
        The standard (e.g. ``read_standard("london-v1")``); every rule must have
        a registered check and the thresholds it reads.
    cop_scores
        Borough GSS code → share (0-1) of the Surveillance Camera Code of
        Practice self-assessment met, for rule CoP; boroughs without one are
        ``unknown``.
    strict
        Raise :class:`ComplianceError` if any finding is a fail (unknowns do not
        raise), naming the count per rule and the first few entities.
    assume_defaults
        Score attributes filled from the assumptions-file defaults as if they
        had been measured (planning only). False (the default): a check whose
        declared input was defaulted answers ``unknown`` for that camera.

    Returns
    -------
    ComplianceResult
        Findings and the per-camera, per-room, per-borough and region-wide tables.

    Raises
    ------
    StandardError
        If a rule has no check or lacks a threshold its check reads.
    ValueError
        If a Code of Practice score lies outside [0, 1].
    ComplianceError
        In strict mode, if anything fails.
    """
    validate_thresholds(standard)
    bad = {k: v for k, v in (cop_scores or {}).items() if not 0.0 <= float(v) <= 1.0}
    if bad:
        raise ValueError(f"Code of Practice scores must lie in [0, 1]: {bad}")
    ctx = CheckContext.from_estate(estate, cop_scores, assume_defaults=assume_defaults)
    info = ctx.cameras.loc[:, ["camera_id", "borough_code", "owner_type", "control_room_id"]]
    info = info.astype(object).where(info.notna(), None)
    per_rule = {rule.id: _rule_findings(ctx, rule, info) for rule in standard.rules}
    findings = pd.concat(list(per_rule.values()), ignore_index=True)

    camera_rules = [r for r in standard.rules if r.applies_to in CAMERA_ASSESSED]
    camera_ids = [r.id for r in camera_rules]
    cameras = pd.DataFrame(info).reset_index(drop=True)
    for rule in camera_rules:
        cameras[rule.id] = per_rule[rule.id]["outcome"].to_numpy(dtype=object)
    outcomes = cameras[camera_ids]
    critical = [r.id for r in camera_rules if r.severity == "critical"]
    cameras["rules_failed"] = (outcomes == "fail").sum(axis=1).astype(int)
    cameras["critical_failed"] = (cameras[critical] == "fail").sum(axis=1).astype(int)
    cameras["rules_unknown"] = (outcomes == "unknown").sum(axis=1).astype(int)
    cameras["compliant"] = cameras["rules_failed"] == 0
    checks = registered_checks()
    decidable = [r.id for r in camera_rules if checks[r.id].inputs]
    cameras["decided"] = ~(cameras[decidable] == "unknown").any(axis=1)
    inputs = sorted({i for r in camera_rules for i in checks[r.id].inputs})
    table_codes = pd.DataFrame(estate.boroughs).get("gss_code", pd.Series(dtype=object))
    input_basis = _input_basis(ctx, cameras, inputs, [str(c) for c in table_codes])

    rule_order = {r.id: i for i, r in enumerate(standard.rules)}
    meta = pd.DataFrame(
        {
            "rule_id": [r.id for r in standard.rules],
            "title": [r.title for r in standard.rules],
            "severity": [r.severity for r in standard.rules],
            "applies_to": [r.applies_to for r in standard.rules],
            "status": [r.status for r in standard.rules],
        }
    )
    region = meta.merge(_counts(findings, ["rule_id"]), on="rule_id", how="left")
    for column in ("assessed", "passed", "failed", "unknown"):
        region[column] = region[column].fillna(0).astype(int)
    region["share_passed"] = region["share_passed"].astype(float)

    with_borough = findings.loc[findings["borough_code"].notna()]
    boroughs = _counts(with_borough, ["borough_code", "rule_id"])
    regional = region.loc[:, ["rule_id", *COUNT_COLUMNS]].assign(borough_code=REGION_ROW)
    by_borough_rule = pd.concat([boroughs, regional], ignore_index=True)
    by_borough_rule = by_borough_rule.merge(
        meta[["rule_id", "severity", "applies_to"]], on="rule_id"
    )
    by_borough_rule["_order"] = by_borough_rule["rule_id"].map(rule_order)
    by_borough_rule["_region"] = by_borough_rule["borough_code"] == REGION_ROW
    by_borough_rule = by_borough_rule.sort_values(["_region", "borough_code", "_order"])
    by_borough_rule = by_borough_rule.loc[
        :, ["borough_code", "rule_id", "severity", "applies_to", *COUNT_COLUMNS]
    ].reset_index(drop=True)

    if strict:
        failures = findings.loc[findings["outcome"] == "fail"].reset_index(drop=True)
        if not failures.empty:
            message = _strict_message(standard.label, failures, list(rule_order))
            raise ComplianceError(message, failures)

    return ComplianceResult(
        standard_label=standard.label,
        standard=standard,
        findings=findings,
        cameras=cameras,
        by_room=_by_room(cameras, camera_ids),
        by_borough_rule=by_borough_rule,
        london_by_rule=region,
        input_basis=input_basis,
        assume_defaults=assume_defaults,
    )
