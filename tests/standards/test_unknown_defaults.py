"""Checks on defaulted inputs answer unknown; the input basis of an assessment, by hand.

The estate (london-v1; every camera monitored by room R1, 24 h/day, 2 positions;
ONVIF S, G, T; exports native + mp4; fps 25; h264; 1920x1080 unless defaulted):

====  =========  ===========  ===============================================  =========
id    borough    provenance   defaulted_fields (values = the assumptions'       notes
                              camera_defaults)
====  =========  ===========  ===============================================  =========
full  E09000001  real         none; hfov 30°, time sync ntp, retention 31       all pass
res   E09000001  real         resolution_h_px, resolution_v_px, hfov_deg        hfov 85°
                              (1920x1080 at 85°)
sync  E09000002  imported     time_sync (manual)                                hfov 30°
syn   E09000002  synthetic    none; hfov 60°, retention 14                      RT-01 fail
====  =========  ===========  ===============================================  =========

IQ-01 (council → street, Recognise 125 px/m at 10 m; reach = N / (2·125·tan(HFOV/2))):
full, sync 1920 / (250·tan 15°) = 28.66 m ≥ 10 → pass; syn 1920 / (250·tan 30°) = 13.30 m
→ pass; res with defaults 1920 / (250·tan 42.5°) = 8.38 m < 10 → would fail, so unknown.
TS-01 (ntp or gps): sync's defaulted ``manual`` would fail → unknown. RT-01 (≥ 31 days):
syn 14 → fail (synthetic values are scored: they are the planning model, not defaults).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cctvscope.model import Camera, Estate
from cctvscope.standards import assess_compliance, read_standard, registered_checks
from cctvscope.standards.compliance import CAMERA_ASSESSED, INPUT_BASIS_COLUMNS, REGION_ROW
from cctvscope.standards.registry import CheckContext, attribute_defaulted, run_check
from tests.conftest import make_camera
from tests.standards.test_checks import estate_with, room

A, B = "E09000001", "E09000002"
COMMON = {
    "onvif_profiles": ("S", "G", "T"),
    "export_formats": ("native", "mp4"),
    "control_room_id": "R1",
}
RES_DEFAULTED = ("resolution_h_px", "resolution_v_px", "hfov_deg")

#: Union of the london-v1 camera-assessed checks' inputs: 13 attributes.
LONDON_INPUTS = (
    "codec",
    "control_room_id",
    "export_formats",
    "fps",
    "hfov_deg",
    "onvif_profiles",
    "ptz",
    "ptz_max_zoom",
    "resolution_h_px",
    "resolution_v_px",
    "retention_days",
    "signal",
    "time_sync",
)

#: Checks that read no inventory attribute (and so declare no inputs).
READS_NO_ATTRIBUTE = {"EX-03"}


def four_cameras(**sync_extra: object) -> list[Camera]:
    return [
        make_camera("full", A, hfov_deg=30.0, provenance="real", **COMMON),
        make_camera(
            "res",
            A,
            hfov_deg=85.0,
            resolution_h_px=1920,
            resolution_v_px=1080,
            provenance="real",
            defaulted_fields=RES_DEFAULTED,
            **COMMON,
        ),
        make_camera(
            "sync",
            B,
            hfov_deg=30.0,
            time_sync="manual",
            provenance="imported",
            defaulted_fields=("time_sync",),
            **{**COMMON, **sync_extra},
        ),
        make_camera("syn", B, hfov_deg=60.0, retention_days=14, provenance="synthetic", **COMMON),
    ]


@pytest.fixture
def estate(tiny_estate: Estate) -> Estate:
    return estate_with(tiny_estate, four_cameras(), [room("R1", 24, 2)])


def outcomes(
    estate: Estate, rule_id: str, *, assume_defaults: bool = False
) -> dict[str, tuple[str, str]]:
    ctx = CheckContext.from_estate(estate, assume_defaults=assume_defaults)
    result = run_check(ctx, read_standard("london-v1").rule(rule_id))
    return {r.entity_id: (r.outcome, r.message) for r in result.itertuples(index=False)}


# --- declared inputs -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["london-v1", "national-minimum-v1"])
def test_camera_checks_declare_camera_field_inputs(name: str) -> None:
    checks = registered_checks()
    for rule in read_standard(name).rules:
        inputs = checks[rule.id].inputs
        assert len(set(inputs)) == len(inputs), rule.id
        assert set(inputs) <= set(Camera.model_fields), (rule.id, inputs)
        if rule.applies_to not in CAMERA_ASSESSED:
            assert inputs == (), rule.id
        elif rule.id not in READS_NO_ATTRIBUTE:
            assert inputs, f"{rule.id} reads camera attributes but declares no inputs"


def test_declared_inputs_per_rule() -> None:
    checks = registered_checks()
    declared = {rule_id: checks[rule_id].inputs for rule_id in ("IQ-01", "TS-01", "RT-01")}
    assert declared == {
        "IQ-01": ("resolution_h_px", "hfov_deg", "ptz", "ptz_max_zoom"),
        "TS-01": ("time_sync",),
        "RT-01": ("retention_days",),
    }
    union = {i for r in read_standard("london-v1").rules for i in checks[r.id].inputs}
    assert tuple(sorted(union)) == LONDON_INPUTS


# --- outcomes by hand ------------------------------------------------------------------


def test_defaulted_inputs_answer_unknown(estate: Estate) -> None:
    iq01 = outcomes(estate, "IQ-01")
    assert iq01["full"][0] == iq01["sync"][0] == iq01["syn"][0] == "pass"
    assert iq01["res"] == (
        "unknown",
        "unknown — inputs defaulted: resolution_h_px, hfov_deg (with defaults it would fail: "
        "street (recognise, 125 px/m): reach 8.4 m < need 10 m)",
    )
    ts01 = outcomes(estate, "TS-01")
    assert {k: v[0] for k, v in ts01.items()} == {
        "full": "pass",
        "res": "pass",
        "sync": "unknown",
        "syn": "pass",
    }
    assert ts01["sync"][1] == (
        "unknown — inputs defaulted: time_sync (with defaults it would fail: "
        "time sync manual is not one of ntp, gps (clock offset not recorded))"
    )
    rt01 = outcomes(estate, "RT-01")
    assert {k: v[0] for k, v in rt01.items()} == {
        "full": "pass",
        "res": "pass",
        "sync": "pass",
        "syn": "fail",
    }
    iq03 = outcomes(estate, "IQ-03")
    assert iq03["res"] == (
        "unknown",
        "unknown — inputs defaulted: resolution_h_px, resolution_v_px (with defaults it would "
        "pass: resolution 1920x1080 meets minimum 704x288)",
    )


def test_assume_defaults_scores_them(estate: Estate) -> None:
    assert 1920 / (250 * math.tan(math.radians(42.5))) == pytest.approx(8.38, abs=0.01)
    iq01 = outcomes(estate, "IQ-01", assume_defaults=True)
    assert iq01["res"] == ("fail", "street (recognise, 125 px/m): reach 8.4 m < need 10 m")
    assert {k: v[0] for k, v in iq01.items()} == {
        "full": "pass",
        "res": "fail",
        "sync": "pass",
        "syn": "pass",
    }
    ts01 = outcomes(estate, "TS-01", assume_defaults=True)
    assert {k: v[0] for k, v in ts01.items()} == {
        "full": "pass",
        "res": "pass",
        "sync": "fail",
        "syn": "pass",
    }
    rt01 = outcomes(estate, "RT-01", assume_defaults=True)
    assert {k: v[0] for k, v in rt01.items()} == {
        "full": "pass",
        "res": "pass",
        "sync": "pass",
        "syn": "fail",
    }


def test_already_unknown_keeps_would_be_unknown(tiny_estate: Estate) -> None:
    # exports not declared and the (empty) value flagged defaulted: unknown either way
    cam = make_camera("c", export_formats=(), defaulted_fields=("export_formats",))
    got = outcomes(estate_with(tiny_estate, [cam]), "EX-01")
    assert got["c"] == (
        "unknown",
        "unknown — inputs defaulted: export_formats (with defaults it would be unknown: "
        "export formats not declared)",
    )


# --- catalogue values are not defaults -------------------------------------------------


def test_catalogue_fields_are_not_defaults(tiny_estate: Estate) -> None:
    cams = [
        # resolution and HFOV from the model catalogue, not the assumptions file
        make_camera(
            "cat",
            hfov_deg=85.0,
            catalogue_fields=("resolution_h_px", "resolution_v_px", "hfov_deg"),
            provenance="imported",
            **COMMON,
        ),
        # named in both lists: the catalogue value wins (it is the camera model's figure)
        make_camera(
            "both",
            hfov_deg=85.0,
            defaulted_fields=("hfov_deg",),
            catalogue_fields=("hfov_deg",),
            provenance="imported",
            **COMMON,
        ),
    ]
    estate = estate_with(tiny_estate, cams, [room("R1", 24, 2)])
    got = outcomes(estate, "IQ-01")
    assert got["cat"] == ("fail", "street (recognise, 125 px/m): reach 8.4 m < need 10 m")
    assert got["both"][0] == "fail"
    basis = assess_compliance(estate, read_standard()).region_basis
    assert basis.share_real_inputs == 1.0
    assert basis.cameras_decided == 2


def test_without_catalogue_column(estate: Estate) -> None:
    cameras = estate.cameras.drop(columns=["catalogue_fields"], errors="ignore")
    bare = estate.replace_tables(cameras=cameras)
    assert "catalogue_fields" not in bare.cameras.columns
    assert outcomes(bare, "IQ-01")["res"][0] == "unknown"
    assert attribute_defaulted(pd.DataFrame(bare.cameras), "hfov_deg").tolist() == [
        False,
        True,
        False,
        False,
    ]


# --- summaries -------------------------------------------------------------------------


def test_input_basis_by_hand(estate: Estate) -> None:
    """13 inputs (LONDON_INPUTS) x 4 in-service cameras = 52 (camera, input) pairs.

    Real pairs: full 13; res 13 - 3 defaulted = 10; sync 13 - 1 = 12; syn 0 (synthetic).
    A (full, res): 23 / 26; B (sync, syn): 12 / 26; LONDON: 35 / 52 = 0.673.
    Decided (no unknown among rules that read an attribute; EX-03 is left out):
    full yes, res no (IQ-01, IQ-03), sync no (TS-01), syn yes.
    Compliant (no fail): full, res, sync; syn fails RT-01. share_compliant 3/4;
    among decided (full, syn) 1/2.
    """
    result = assess_compliance(estate, read_standard())
    basis = result.input_basis.set_index("borough_code")
    assert tuple(result.input_basis.columns) == INPUT_BASIS_COLUMNS
    assert list(basis.index) == [A, B, REGION_ROW]
    expected = {
        A: (2, 2, 0, 1, 1, 23 / 26),
        B: (2, 1, 1, 1, 1, 12 / 26),
        REGION_ROW: (4, 3, 1, 2, 2, 35 / 52),
    }
    for code, (n, real, synthetic, decided, unknown, share) in expected.items():
        row = basis.loc[code]
        assert (
            row["cameras"],
            row["real_records"],
            row["synthetic_records"],
            row["cameras_decided"],
            row["cameras_unknown"],
        ) == (n, real, synthetic, decided, unknown), code
        assert row["share_real_inputs"] == pytest.approx(share), code
    region = result.region_basis
    assert (region.cameras, region.cameras_decided, region.cameras_unknown) == (4, 2, 2)
    assert region.share_real_inputs == pytest.approx(35 / 52)
    assert result.cameras.set_index("camera_id")["decided"].to_dict() == {
        "full": True,
        "res": False,
        "sync": False,
        "syn": True,
    }
    assert result.share_compliant == pytest.approx(3 / 4)
    assert result.share_compliant_decided == pytest.approx(1 / 2)
    assert not result.assume_defaults
    iq01 = result.london_by_rule.set_index("rule_id").loc["IQ-01"]
    assert (iq01["assessed"], iq01["passed"], iq01["failed"], iq01["unknown"]) == (4, 3, 0, 1)
    assert iq01["share_passed"] == pytest.approx(1.0)


def test_input_basis_with_assumed_defaults(estate: Estate) -> None:
    """Defaults scored: res fails IQ-01, sync fails TS-01, syn fails RT-01: 1 of 4 compliant.

    Every camera is decided; the share of real inputs is the same 35 / 52 (what the inputs
    are does not change with how they are scored).
    """
    result = assess_compliance(estate, read_standard(), assume_defaults=True)
    region = result.region_basis
    assert (region.cameras_decided, region.cameras_unknown) == (4, 0)
    assert region.share_real_inputs == pytest.approx(35 / 52)
    assert result.share_compliant == pytest.approx(1 / 4)
    assert result.share_compliant_decided == pytest.approx(1 / 4)
    assert result.assume_defaults
    iq01 = result.london_by_rule.set_index("rule_id").loc["IQ-01"]
    assert (iq01["passed"], iq01["failed"], iq01["unknown"]) == (3, 1, 0)


def test_borough_without_cameras_and_empty_estate(tiny_estate: Estate) -> None:
    only_a = estate_with(tiny_estate, [make_camera("a", A, **COMMON)], [room("R1", 24, 2)])
    basis = assess_compliance(only_a, read_standard()).input_basis.set_index("borough_code")
    assert basis.loc[B, "cameras"] == 0
    assert math.isnan(basis.loc[B, "share_real_inputs"])
    # make_camera's default provenance is synthetic: no real pair
    assert basis.loc[REGION_ROW, "share_real_inputs"] == 0.0
    empty = assess_compliance(estate_with(tiny_estate, []), read_standard())
    assert empty.region_basis.cameras == 0
    assert math.isnan(empty.region_basis.share_real_inputs)
    assert math.isnan(empty.share_compliant_decided)
