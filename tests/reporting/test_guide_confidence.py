"""The guide's data confidence: badges, borough profiles and the compliance basis, by hand.

The estate (tiny_estate's boroughs; london-v1; every camera monitored by room R1,
synthetic; ONVIF S, G, T; exports native + mp4; HFOV 30°):

====  =========  ==========  ===================================
id    borough    provenance  notes
====  =========  ==========  ===================================
a1    A Alpha    imported
a2    A Alpha    imported    time_sync defaulted (manual): TS-01 unknown
a3    A Alpha    imported
a4    A Alpha    synthetic
b1    B Beta     synthetic   retention 14 days: RT-01 fails
b2    B Beta     synthetic
====  =========  ==========  ===================================

Cost items: the assumed profile of the assumptions file (no borough uses it).

Alpha: 3 of 4 camera records real (75 %), Beta 0 of 2 (0 %), the region 3 of 6
(50 %). With the bundled thresholds (confirmed ≥ 95 %, partly ≥ 10 %) Alpha's
cameras are partly confirmed and Beta's provisional. Alpha's cameras were returned
on 2025-03-04 (the estate's import log).
"""

from __future__ import annotations

import html as html_lib
from pathlib import Path

import pytest

from cctvscope.ingest.synthetic_params import ParamReader
from cctvscope.ingest.synthetic_register import build_cost_items
from cctvscope.model import Estate
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.entities import CostItem
from cctvscope.model.frames import normalise_frame
from cctvscope.reporting.guide import _environment, render_html
from cctvscope.reporting.guide_confidence import (
    CONFIDENCE_HEADERS,
    chapter_badges,
    compliance_basis,
    compliance_sentence,
    label_rule,
    share_text,
)
from cctvscope.reporting.guide_content import headlines
from cctvscope.reporting.guide_profiles import confidence_table, profiles
from cctvscope.standards import assess_compliance, read_standard
from cctvscope.workflows.compliance import run_compliance
from cctvscope.workflows.confidence import (
    TEMPLATE_COMMAND,
    Confidence,
    confidence_label,
    data_request_text,
)
from cctvscope.workflows.guide import GuideInputs
from tests.conftest import make_camera
from tests.standards.test_checks import estate_with, room

A, B = "E09000001", "E09000002"
COMMON = {
    "onvif_profiles": ("S", "G", "T"),
    "export_formats": ("native", "mp4"),
    "control_room_id": "R1",
    "hfov_deg": 30.0,
}
RETURNED = "2025-03-04T10:00:00+00:00"


@pytest.fixture
def estate(tiny_estate: Estate) -> Estate:
    cams = [
        make_camera("a1", A, 500_100, 180_100, provenance="imported", **COMMON),
        make_camera(
            "a2",
            A,
            500_200,
            180_200,
            provenance="imported",
            time_sync="manual",
            defaulted_fields=("time_sync",),
            **COMMON,
        ),
        make_camera("a3", A, 500_300, 180_300, provenance="imported", **COMMON),
        make_camera("a4", A, 500_400, 180_400, **COMMON),
        make_camera("b1", B, 501_500, 180_500, retention_days=14, **COMMON),
        make_camera("b2", B, 501_600, 180_600, **COMMON),
    ]
    built = estate_with(tiny_estate, cams, [room("R1", 24, 2)])
    log = [{"table": "cameras", "scope": {"boroughs": [A]}, "at": RETURNED}]
    # The assumed cost profile, so the upgrade plan can be costed.
    costs = normalise_frame(CostItem, build_cost_items(ParamReader(read_assumptions()), 2024))
    return built.replace_tables(metadata={**built.metadata, "returns": log}, cost_items=costs)


@pytest.fixture
def inputs(estate: Estate) -> GuideInputs:
    return GuideInputs(estate=estate)


def render_profile(inputs: GuideInputs, code: str) -> str:
    profile = next(p for p in profiles(inputs, {}) if p.gss_code == code)
    text = _environment().get_template("guide_profile.html").render(profile=profile)
    return html_lib.unescape(text)


def test_labels_follow_the_assumptions(inputs: GuideInputs) -> None:
    a = inputs.assumptions
    assert confidence_label(0.75, a) is Confidence.PARTLY
    assert confidence_label(0.0, a) is Confidence.PROVISIONAL
    assert inputs.data_confidence.label_for(A, "cameras") is Confidence.PARTLY
    assert inputs.data_confidence.label_for(B, "cameras") is Confidence.PROVISIONAL


def test_confidence_is_computed_once_when_not_given(inputs: GuideInputs) -> None:
    assert inputs.confidence is None
    assert inputs.data_confidence is inputs.data_confidence
    given = GuideInputs(estate=inputs.estate, confidence=inputs.data_confidence)
    assert given.data_confidence is inputs.data_confidence


def test_profile_of_a_partly_returned_borough(inputs: GuideInputs) -> None:
    text = render_profile(inputs, A)
    assert (
        '<p class="confidence partly-confirmed">Partly confirmed — 75 % of this borough\'s '
        "camera records are real returns or published records (25 % synthetic).</p>"
    ) in text
    assert "<h3>Data confidence and data request</h3>" in text
    table = confidence_table(inputs, A)
    assert tuple(table.headers) == CONFIDENCE_HEADERS
    assert table.rows[0] == ["cameras", "4", "3", "75 %", "2025-03-04", "partly confirmed"]
    assert table.rows[1] == ["control rooms", "1", "0", "0 %", "–", "provisional"]
    assert "<td>partly confirmed</td>" in text
    request = data_request_text(A, inputs.data_confidence)
    assert request.startswith("Please send: cameras, control_rooms, links, contracts")
    assert TEMPLATE_COMMAND in request
    assert f"<strong>Data request.</strong> {request}" in text


def test_profile_of_a_synthetic_borough(inputs: GuideInputs) -> None:
    text = render_profile(inputs, B)
    assert (
        '<p class="confidence provisional">Provisional — 0 % of this borough\'s camera '
        "records are real returns or published records (100 % synthetic).</p>"
    ) in text
    assert confidence_table(inputs, B).rows[0] == ["cameras", "2", "0", "0 %", "–", "provisional"]
    assert TEMPLATE_COMMAND in text


def test_chapter_badges(inputs: GuideInputs) -> None:
    badges = chapter_badges(inputs)
    assert badges["compliance"].text == (
        "Partly confirmed — 50 % of the camera records this rests on are real returns or "
        "published records (50 % synthetic)."
    )
    assert badges["compliance"].css == "partly-confirmed"
    # The weakest table sets the label: the one control room is synthetic.
    assert badges["control_rooms"].text == (
        "Provisional — 0 % of the control-room records and 50 % of the camera records this "
        "rests on are real returns or published records (control-room records 100 % "
        "synthetic; camera records 50 % synthetic)."
    )
    assert (
        badges["framework"].text
        == "Provisional — nothing real to rest on; no contract records yet."
    )
    assert (
        badges["integration"].text
        == "Provisional — nothing real to rest on; no private-camera records yet."
    )
    assert set(badges) == {
        "control_rooms",
        "framework",
        "compliance",
        "assessment",
        "vfm",
        "integration",
        "technology",
    }


def test_compliance_sentence_states_its_basis(estate: Estate) -> None:
    result = assess_compliance(estate, read_standard("london-v1"))
    basis = result.region_basis
    # a2's time sync was defaulted: TS-01 is unknown, so a2 is left out of the decided.
    assert (basis.cameras, basis.cameras_unknown, basis.cameras_decided) == (6, 1, 5)
    label = result.standard_label
    expected = (
        f"{share_text(result.share_compliant_decided, 1)} of cameras with every rule of "
        f"{label} decided are compliant (5 of 6 in-service cameras decided; 1 have a rule "
        f"left unknown because an attribute was defaulted); "
        f"{share_text(basis.share_real_inputs)} of the inputs are real."
    )
    assert compliance_sentence(result, label) == expected
    rows = compliance_basis(result).set_index("borough_code")
    assert int(rows.loc[A, "cameras_decided"]) == 3
    assert int(rows.loc[B, "compliant_decided"]) == int(
        (result.cameras["compliant"] & result.cameras["decided"])[
            result.cameras["borough_code"] == B
        ].sum()
    )
    assert float(rows.loc["LONDON", "share_compliant_decided"]) == pytest.approx(
        result.share_compliant_decided
    )


def test_compliance_in_the_guide(estate: Estate, tmp_path: Path) -> None:
    outcome = run_compliance(estate)
    inputs = GuideInputs(estate=estate, compliance=outcome)
    result = outcome.result
    sentence = compliance_sentence(result, outcome.standard_label)
    text = html_lib.unescape(render_html(inputs, "interim", tmp_path))
    assert sentence in text
    assert f"at most {share_text(result.share_compliant, 1)} of all 6 in-service" in text
    assert '<span class="confidence partly-confirmed">partly confirmed</span>' in text
    figure = next(h for h in headlines(inputs) if h.label.startswith("Cameras meeting"))
    assert figure.text == f"{result.share_compliant_decided:.1%}"
    assert figure.trace == "compliance.result.share_compliant_decided"
    rows = dict(next(p for p in profiles(inputs, {}) if p.gss_code == A).sections[2][1])
    decided = compliance_basis(result).set_index("borough_code").loc[A]
    assert rows["compliant (rules decided)"] == (
        f"{float(decided['share_compliant_decided']):.1%} "
        f"({int(decided['compliant_decided'])} of 3 decided)"
    )
    assert rows["a rule unknown (defaulted)"] == "1 cameras"


def test_label_rule_reads_the_thresholds() -> None:
    a = read_assumptions()
    confirmed = float(a.value("data_confidence.confirmed_share"))
    partly = float(a.value("data_confidence.partly_confirmed_share"))
    text = label_rule(a)
    assert f"at least {share_text(confirmed)} of the records" in text
    assert f"at least {share_text(partly)} are" in text


@pytest.mark.parametrize(
    ("share", "text"),
    [
        (0.0, "0 %"),
        (0.03, "3 %"),
        (0.004, "0.4 %"),
        (0.0004, "0.04 %"),
        (0.9996, "99.9 %"),
        (1.0, "100 %"),
        (float("nan"), "–"),
    ],
)
def test_share_text(share: float, text: str) -> None:
    assert share_text(share) == text
