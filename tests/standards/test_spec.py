"""The standard as data: bundled files, validation, versioning and the check registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from cctvscope.errors import DataError
from cctvscope.standards import StandardError, list_standards, read_standard, registered_checks
from cctvscope.standards.registry import check, validate_thresholds
from cctvscope.standards.spec import APPLIES_TO, SEVERITIES, STATUSES, parse_standard

GOOD_RULE = """
  - id: RT-01
    title: Retention
    applies_to: camera
    severity: critical
    requires: Keep 31 days.
    thresholds: {min_days: 31}
    rationale: Late requests.
    source: "HO/ACPO leaflet item 8"
    status: verified
"""

HEADER = """
standard:
  id: test
  version: "2.1"
  title: Test standard
  date: "2026-01-01"
  status: draft
  scope: tests
rules:
"""


def test_both_bundled_standards_load() -> None:
    names = list_standards()
    assert {"london-v1", "national-minimum-v1"} <= set(names)
    london = read_standard()
    national = read_standard("national-minimum-v1")
    assert london.label == "london-cctv v1.0"
    assert national.label == "national-minimum v1.0"
    assert london.rule_ids == national.rule_ids
    assert len(london.rules) == 14
    assert london.sha256 != national.sha256
    for name in names:
        standard = read_standard(name)
        for rule in standard.rules:
            assert rule.applies_to in APPLIES_TO
            assert rule.severity in SEVERITIES
            assert rule.status in STATUSES
            assert rule.source


def test_national_minimum_is_lower_where_sources_allow() -> None:
    london = read_standard("london-v1")
    national = read_standard("national-minimum-v1")
    assert national.rule("RT-01").thresholds["min_days"] == 7
    assert london.rule("RT-01").thresholds["min_days"] == 31
    assert national.rule("RT-01").source.startswith("Fife Police")
    assert national.rule("OP-01").status == "assumption"
    assert (
        national.rule("IQ-02").thresholds["min_fps"] == london.rule("IQ-02").thresholds["min_fps"]
    )


def test_rule_lookup_and_read_only_thresholds() -> None:
    london = read_standard()
    rule = london.rule("IQ-01")
    assert rule.thresholds["purposes"]["street"]["px_per_m"] == 125
    assert "principles" in london.rule("CoP").extra
    with pytest.raises(TypeError):
        rule.thresholds["x"] = 1  # type: ignore[index]
    with pytest.raises(KeyError, match="no rule 'XX-99'"):
        london.rule("XX-99")


def test_read_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(HEADER + GOOD_RULE, encoding="utf-8")
    standard = read_standard(path)
    assert standard.label == "test v2.1"
    assert standard.path == str(path)
    assert read_standard(str(path)).rule_ids == ("RT-01",)


def test_unknown_name_is_a_standard_error() -> None:
    with pytest.raises(StandardError, match="no bundled standard 'nope'") as info:
        read_standard("nope")
    assert isinstance(info.value, DataError)


def test_every_problem_reported_at_once() -> None:
    bad = (
        HEADER.replace('  version: "2.1"\n', "")
        + GOOD_RULE
        + GOOD_RULE
        + """
  - id: IQ-02
    title: Frame rate
    applies_to: lamp_post
    severity: fatal
    requires: fast
    thresholds: {min_fps: 6}
    rationale: r
    source: s
    status: rumour
  - id: IQ-03
    title: Resolution
"""
    )
    with pytest.raises(StandardError) as info:
        parse_standard(bad, path="bad.yaml")
    problems = info.value.problems
    text = str(info.value)
    assert "standard header: missing version" in problems
    assert "duplicate rule id 'RT-01'" in problems
    assert any("applies_to 'lamp_post'" in p for p in problems)
    assert any("severity 'fatal'" in p for p in problems)
    assert any("status 'rumour'" in p for p in problems)
    assert any(p.startswith("rule 'IQ-03': missing applies_to") for p in problems)
    assert len(problems) == 6
    assert text.startswith("bad.yaml: ")


def test_not_yaml_or_no_rules() -> None:
    with pytest.raises(StandardError, match="not valid YAML"):
        parse_standard("a: [")
    with pytest.raises(StandardError, match="missing or empty 'rules' list"):
        parse_standard(HEADER)


def test_every_rule_has_exactly_one_check_and_no_check_is_orphaned() -> None:
    checks = registered_checks()
    rule_ids: set[str] = set()
    for name in list_standards():
        standard = read_standard(name)
        validate_thresholds(standard)
        rule_ids |= set(standard.rule_ids)
        assert len(set(standard.rule_ids)) == len(standard.rules)
    assert set(checks) == rule_ids


def test_a_rule_can_only_be_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        check("IQ-01")(lambda ctx, rule: ctx.cameras)


def test_missing_threshold_or_check_is_reported() -> None:
    text = (
        HEADER
        + GOOD_RULE.replace("{min_days: 31}", "{days: 31}")
        + GOOD_RULE.replace("RT-01", "ZZ-01")
    )
    with pytest.raises(StandardError) as info:
        validate_thresholds(parse_standard(text))
    assert info.value.problems == (
        "rule 'RT-01': thresholds missing min_days",
        "rule 'ZZ-01': no registered check",
    )
