"""Compliance rules explained: what each asks and why, and the cameras that fail it.

The compliance page lists rule ids with counts; a borough CCTV manager needs the
rule in words and the failing cameras to act on. Both come from the estate's
compliance outcome (one assessment, cached per estate version) and its standard.
"""

from __future__ import annotations

from cctvscope.web.accounts import User
from cctvscope.web.data import EstateData, clean, records
from cctvscope.web.deps import WebError
from cctvscope.web.schemas import RuleFailure, RuleFailures, RuleResult
from cctvscope.web.views import rule_texts, visible_cameras


def rule_failures(
    data: EstateData, user: User, rule_id: str, page: int, page_size: int
) -> RuleFailures:
    """The cameras failing ``rule_id`` that ``user`` may see, by area then id (404 for a rule
    the standard does not have)."""
    loaded = data.current()
    outcome = data.compliance(loaded)
    result = outcome.result
    texts = rule_texts(result.standard)
    if rule_id not in texts:
        raise WebError(404, f"no rule {rule_id!r} in {result.standard_label}")
    findings = result.findings
    failing = findings[
        (findings["rule_id"] == rule_id)
        & (findings["outcome"] == "fail")
        & (findings["entity_type"] == "camera")
    ]
    seen = set(visible_cameras(data, user, loaded)["camera_id"].astype(str))
    failing = failing[failing["camera_id"].astype(str).isin(seen)]
    failing = failing.sort_values(["borough_code", "camera_id"])
    areas = loaded.estate.boroughs
    names = dict(zip(areas["gss_code"].astype(str), areas["name"].astype(str), strict=True))
    shown = failing.iloc[(page - 1) * page_size : page * page_size]
    items = [
        RuleFailure(
            camera_id=str(r["camera_id"]),
            borough_code=clean(r.get("borough_code")),
            borough=names.get(str(r.get("borough_code"))),
            owner_type=clean(r.get("owner_type")),
            message=str(r.get("message") or ""),
        )
        for r in records(shown)
    ]
    counts = result.london_by_rule
    row = records(counts[counts["rule_id"] == rule_id])
    base = row[0] if row else {"rule_id": rule_id, "severity": "", "assessed": 0, "passed": 0,
                               "failed": 0, "unknown": 0, "share_passed": None}  # fmt: skip
    rule = RuleResult.model_validate(
        {k: clean(base.get(k)) for k in ("rule_id", "severity", "assessed", "passed", "failed",
                                         "unknown", "share_passed")} | texts[rule_id]
    )  # fmt: skip
    return RuleFailures(rule=rule, total=len(failing), page=page, page_size=page_size, items=items)


__all__ = ["rule_failures"]
