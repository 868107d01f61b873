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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cctvscope.errors import CctvscopeError
from cctvscope.model.estate import Estate
from cctvscope.standards.registry import CheckContext, run_check, validate_thresholds
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
STRICT_EXAMPLES = 5
"""Entities named per rule in a strict-mode error."""


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
        ``rules_unknown`` (counts of rules) and ``compliant`` (no camera-assessed
        rule failed; unknowns do not count against it).
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
    """

    standard_label: str
    standard: Standard
    findings: pd.DataFrame
    cameras: pd.DataFrame
    by_room: pd.DataFrame
    by_borough_rule: pd.DataFrame
    london_by_rule: pd.DataFrame

    @property
    def share_compliant(self) -> float:
        """Share of in-service cameras with no failed camera-assessed rule (NaN if none)."""
        n = len(self.cameras)
        return float(self.cameras["compliant"].sum()) / n if n else float("nan")


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
    ctx = CheckContext.from_estate(estate, cop_scores)
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
    )
