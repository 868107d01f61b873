"""Compliance rules in words, and the cameras failing each, as the compliance run decided."""

from __future__ import annotations

from cctvscope.standards.spec import read_standard
from cctvscope.workflows.compliance import run_compliance
from tests.web.conftest import CAMDEN
from tests.web.test_views import api


def test_rules_carry_their_words_from_the_standard(clients):
    standard = read_standard()
    data = api(clients["analyst"], "/api/compliance")
    words = {r["rule_id"]: (r["title"], r["requires"], r["source"]) for r in data["rules"]}
    for rule in standard.rules:
        if rule.id in words:
            assert words[rule.id] == (rule.title, rule.requires, rule.source)
    page = clients["analyst"].get("/compliance").text
    assert 'href="/compliance/rules/IQ-01"' in page


def test_failing_cameras_per_rule_match_the_assessment(clients, env):
    result = run_compliance(env.estate()).result
    findings = result.findings
    rule = next(
        r for r in result.london_by_rule.itertuples() if r.failed > 0 and r.applies_to == "camera"
    )
    failing = findings[
        (findings["rule_id"] == rule.rule_id)
        & (findings["outcome"] == "fail")
        & (findings["entity_type"] == "camera")
        & (findings["owner_type"] != "private")  # an analyst sees no private camera
    ]
    data = api(clients["analyst"], f"/api/compliance/rules/{rule.rule_id}?page_size=500")
    assert data["total"] == len(failing)
    assert {c["camera_id"] for c in data["items"]} <= set(failing["camera_id"])
    assert all(c["message"] for c in data["items"])
    manager = api(clients["borough_manager"], f"/api/compliance/rules/{rule.rule_id}?page_size=500")
    mine = failing[failing["borough_code"] == CAMDEN]
    assert manager["total"] == len(mine)
    assert {c["borough"] for c in manager["items"]} <= {"Camden"}
    assert clients["analyst"].get("/api/compliance/rules/NOPE-99").status_code == 404
    page = clients["analyst"].get(f"/compliance/rules/{rule.rule_id}").text
    assert f'id="fail-total">{len(failing):,}<' in page
