from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cctvscope.economics.scenarios as scenarios_module
import cctvscope.economics.scenarios_model as model_module
from cctvscope.economics.scenarios import first_replacement_year, rollout_year, run_scenarios
from cctvscope.economics.scenarios_model import (
    ProvisionalRule,
    bitrate_mbps,
    scenarios_from_assumptions,
    storage_tb,
)
from cctvscope.errors import DataError
from cctvscope.model import Camera, Estate
from cctvscope.model.assumptions import parse_assumptions, read_assumptions
from cctvscope.model.entities import CostItem, EvidenceStats
from cctvscope.model.frames import records_to_frame, with_points
from cctvscope.reporting.charts.scenarios import scenarios_chart
from tests.conftest import make_camera

# A self-contained assumptions file with round numbers, so every figure below is hand-worked.
TEST_YAML = """
economics:
  green_book_discount_rate:
    value: [{from_year: 0, to_year: 30, rate: 0.035}, {from_year: 31, to_year: 75, rate: 0.03}]
    unit: "-"
    source: test
    note: "-"
    status: verified
  price_base_year: {value: 2024, unit: year, source: assumption, note: "-", status: assumption}
economics_prices:
  price_uplift_rate: {value: 0.02, unit: "-", source: assumption, note: "-", status: assumption}
synthetic_links:
  bits_per_pixel_by_codec:
    value: {mjpeg: 0.6, mpeg4: 0.15, h264: 0.08, h265: 0.04, other: 0.15}
    unit: "-"
    source: assumption
    note: "-"
    status: assumption
  bandwidth_headroom: {value: 1.25, unit: "-", source: assumption, note: "-", status: assumption}
  min_bandwidth_mbps: {value: 0.5, unit: "-", source: assumption, note: "-", status: assumption}
economics_scenarios:
  camera_lifetime_years: {value: 10, unit: "-", source: assumption, note: "-", status: assumption}
  replacement_backlog_years:
    {value: 2, unit: "-", source: assumption, note: "-", status: assumption}
  scope_owner_types:
    {value: [council, police, tfl], unit: "-", source: assumption, note: "-", status: assumption}
  review_hours_per_request:
    {value: 1.0, unit: "-", source: assumption, note: "-", status: assumption}
  officer_hour_cost_gbp: {value: 40.0, unit: "-", source: assumption, note: "-", status: assumption}
  storage_cost_gbp_per_tb_year:
    value: {on_premises: 100.0, cloud: 300.0}
    unit: "-"
    source: assumption
    note: "-"
    status: assumption
  compliance_signal: {value: [ip], unit: "-", source: assumption, note: "-", status: assumption}
  compliance_min_resolution_h_px:
    {value: 1920, unit: "-", source: assumption, note: "-", status: assumption}
  compliance_min_fps: {value: 6.0, unit: "-", source: assumption, note: "-", status: assumption}
  compliance_codecs:
    {value: [h264, h265], unit: "-", source: assumption, note: "-", status: assumption}
  compliance_min_retention_days:
    {value: 31, unit: "-", source: assumption, note: "-", status: assumption}
  compliance_open_export_formats:
    {value: [mp4, onvif_export], unit: "-", source: assumption, note: "-", status: assumption}
  compliance_time_sync:
    {value: [ntp, gps], unit: "-", source: assumption, note: "-", status: assumption}
  scenario_baseline:
    value: {description: like, capex_item: camera_installation, capex_multiplier: 1.0}
    unit: "-"
    source: assumption
    note: "-"
    status: assumption
  scenario_ip_migration:
    value:
      description: ip
      touches: {signal: [analogue]}
      replaces_camera: true
      change: {signal: ip, min_resolution: "1920x1080", codec: h264, time_sync: ntp,
               min_retention_days: 31, add_export_formats: [mp4], add_onvif_profiles: [S, G]}
      rollout_shares: [0.0, 1.0]
      capex_item: camera_installation
      capex_multiplier: 1.0
      price_decline_rate: 0.1
    unit: "-"
    source: assumption
    note: "-"
    status: assumption
  scenario_uhd_4k:
    value:
      description: 4k
      touches: {}
      replaces_camera: true
      change: {signal: ip, min_resolution: "3840x2160", codec: h264, time_sync: ntp,
               add_export_formats: [mp4]}
      capex_item: camera_installation
      capex_multiplier: 1.2
    unit: "-"
    source: assumption
    note: "-"
    status: assumption
  scenario_h265:
    value:
      description: h265
      touches: {codec: [mjpeg, mpeg4, h264, other]}
      change: {codec: h265, add_onvif_profiles: [T]}
      rollout_shares: [0.5, 0.5]
      capex_extra_gbp: 200.0
      price_decline_rate: 0.5
    unit: "-"
    source: assumption
    note: "-"
    status: assumption
  scenario_cloud_vms:
    value:
      description: cloud
      touches: {signal: [ip]}
      change: {time_sync: ntp, min_retention_days: 31, add_export_formats: [mp4]}
      rollout_shares: [1.0]
      capex_extra_gbp: 100.0
      opex_change_gbp_per_camera_year: 60.0
      hosting: cloud
    unit: "-"
    source: assumption
    note: "-"
    status: assumption
  scenario_analytics_review:
    value:
      description: analytics
      touches: {signal: [ip]}
      change: {add_onvif_profiles: [M]}
      rollout_shares: [0.0, 1.0]
      capex_extra_gbp: 100.0
      opex_change_gbp_per_camera_year: 40.0
      review_time_cut: 0.3
    unit: "-"
    source: assumption
    note: "-"
    status: assumption
"""

# Hand-worked storage (31 days, TB = Mbit/s x 86,400 x 31 / 8 / 1e6):
#   c1 analogue 720x576 12.5 fps MPEG-4: 0.7776 Mbit/s -> 0.26034048 TB
#   c2 IP 1920x1080 25 fps H.264:        4.1472 Mbit/s -> 1.38848256 TB
C1_TB = 0.26034048
C2_TB = 1.38848256
YEARS = [2024, 2025, 2026]
D = np.array([1.0, 1 / 1.035, 1 / 1.035**2])  # Green Book 3.5 %, first year is year 0


@pytest.fixture
def assumptions():
    return parse_assumptions(TEST_YAML, path="test.yaml")


@pytest.fixture
def estate(tiny_estate: Estate) -> Estate:
    """c1: council analogue 2010 (overdue: replaced 2024); c2: council IP 2020 (due 2030);
    p1: private (out of scope); d1: decommissioned (out of scope). Borough A, 100 requests."""
    cameras = [
        make_camera(
            "c1",
            signal="analogue",
            codec="mpeg4",
            resolution_h_px=720,
            resolution_v_px=576,
            fps=12.5,
            install_year=2010,
            time_sync="manual",
            export_formats=("native",),
        ),
        make_camera(
            "c2", install_year=2020, export_formats=("native", "mp4"), onvif_profiles=("S",)
        ),
        make_camera("p1", owner_type="private", install_year=2000),
        make_camera("d1", install_year=2000, status="decommissioned"),
    ]
    costs = [
        CostItem(
            profile="test",
            item=item,
            value_gbp=value,
            per="camera",
            price_base_year=2024,
            source="test",
        )
        for item, value in (("camera_installation", 5000.0), ("camera_running", 500.0))
    ]
    stats = [
        EvidenceStats(
            borough_code="E09000001",
            year=year,
            requests_per_year=requests,
            footage_available_share=0.5,
            retrieval_model="officer_attends",
            provenance="synthetic",
        )
        for year, requests in ((2023, 999), (2024, 100))
    ]
    return tiny_estate.replace_tables(
        cameras=with_points(records_to_frame(Camera, cameras)),
        cost_items=records_to_frame(CostItem, costs),
        evidence_stats=records_to_frame(EvidenceStats, stats),
    )


@pytest.fixture
def result(estate, assumptions):
    return run_scenarios(estate, assumptions, horizon_years=3, start_year=2024)


def rows(result, name: str) -> pd.DataFrame:
    return result.table[result.table["scenario"] == name].reset_index(drop=True)


# --- models --------------------------------------------------------------------------------


def test_doctests_pass():
    for module in (scenarios_module, model_module):
        outcome = doctest.testmod(module, raise_on_error=False)
        assert outcome.attempted >= 2
        assert outcome.failed == 0


def test_bitrate_hand_values():
    bpp = {"h264": 0.08, "h265": 0.04, "mjpeg": 0.6}
    got = bitrate_mbps([1920, 1920, 720], [1080, 1080, 576], ["h264", "h265", "mjpeg"], 25, bpp)
    # 1920 x 1080 x 25 x 0.08 / 1e6 = 4.1472; half for H.265; 720 x 576 x 25 x 0.6 / 1e6 = 6.2208
    np.testing.assert_allclose(got, [4.1472, 2.0736, 6.2208])


def test_bitrate_unknown_codec_is_a_data_error():
    with pytest.raises(DataError, match="vp9"):
        bitrate_mbps([10], [10], ["vp9"], [25], {"h264": 0.08})


def test_storage_hand_values():
    assert storage_tb(4.0, 31) == pytest.approx(1.3392)  # 4 x 86,400 x 31 / 8 / 1e6
    np.testing.assert_allclose(storage_tb([1.0, 8.0], [1, 1]), [0.0108, 0.0864])


def test_first_replacement_and_rollout_years():
    # overdue 1990, 1995, 2000 over 3 backlog years -> 2024, 2025, 2026; 2020 due 2030
    got = first_replacement_year([2000, 1990, 2020, 1995], 2024, 10, 3)
    np.testing.assert_array_equal(got, [2026, 2024, 2030, 2025])
    touched = np.array([True, True, True, True])
    slots = rollout_year([2004, 2001, 2003, 2002], touched, [0.25, 0.25], 2024)
    np.testing.assert_array_equal(slots, [np.inf, 2024, np.inf, 2025])


def test_provisional_rule_checks_each_requirement(estate, assumptions):
    rule = ProvisionalRule.from_assumptions(assumptions)
    base = records_to_frame(Camera, [make_camera("ok", export_formats=("mp4",))])
    assert rule(base).tolist() == [True]
    failing = {
        "signal": "analogue",
        "resolution_h_px": 1280,
        "fps": 5.0,
        "codec": "mpeg4",
        "retention_days": 30,
        "export_formats": "native;avi",
        "time_sync": "manual",
    }
    for column, value in failing.items():
        bad = base.copy()
        bad[column] = value
        assert rule(bad).tolist() == [False], column
    gps_onvif = base.assign(time_sync="gps", export_formats="native;onvif_export")
    assert rule(gps_onvif).tolist() == [True]


def test_bundled_scenarios_load():
    bundled = read_assumptions()
    names = [s.name for s in scenarios_from_assumptions(bundled)]
    assert names[0] == "baseline"
    assert {"ip_migration", "uhd_4k", "h265", "cloud_vms", "analytics_review"} <= set(names)
    for key, entry in bundled.section("economics_scenarios").items():
        assert entry.status in {"verified", "unverified", "assumption"}, key


# --- tiny estate, worked by hand ----------------------------------------------------------


def test_baseline_by_hand(result):
    base = rows(result, "baseline")
    assert result.cameras_in_scope == 2
    # c1 overdue (2010 + 10 < 2024), only overdue camera -> replaced in 2024 at GBP 5,000
    np.testing.assert_allclose(base["capex_gbp"], [5000.0, 0.0, 0.0])
    # 2 x 500 running + GBP 100/TB-yr x (0.26034048 + 1.38848256) TB
    np.testing.assert_allclose(base["opex_gbp"], 1000.0 + 100.0 * (C1_TB + C2_TB))
    np.testing.assert_allclose(base["storage_tb"], C1_TB + C2_TB)
    # (0.7776 + 4.1472) Mbit/s x 1.25 headroom = 6.156 Mbit/s
    np.testing.assert_allclose(base["bandwidth_gbps"], 0.006156)
    np.testing.assert_allclose(base["compliant_share"], 0.5)  # c2 only
    # latest year's 100 requests x 1 h, x GBP 40
    np.testing.assert_allclose(base["review_hours"], 100.0)
    np.testing.assert_allclose(base["review_cost_gbp"], 4000.0)
    assert result.npv_vs_baseline_gbp["baseline"] == 0.0


def test_ip_migration_by_hand(result):
    ip = rows(result, "ip_migration")
    # slot 2025, end of life 2024 -> upgraded in 2024 at 5,000 x 0.9^0
    np.testing.assert_allclose(ip["capex_gbp"], [5000.0, 0.0, 0.0])
    # c1 becomes 1080p H.264 at 12.5 fps: 2.0736 Mbit/s -> 0.69424128 TB
    np.testing.assert_allclose(ip["storage_tb"], 0.69424128 + C2_TB)
    np.testing.assert_allclose(ip["opex_gbp"], 1000.0 + 100.0 * (0.69424128 + C2_TB))
    np.testing.assert_allclose(ip["compliant_share"], 1.0)
    np.testing.assert_array_equal(ip["cameras_upgraded"], [1, 1, 1])
    extra_opex = 100.0 * (0.69424128 - C1_TB)  # 43.390080 a year
    assert result.npv_vs_baseline_gbp["ip_migration"] == pytest.approx(-extra_opex * D.sum())


def test_uhd_4k_by_hand(result):
    uhd = rows(result, "uhd_4k")
    np.testing.assert_allclose(uhd["capex_gbp"], [6000.0, 0.0, 0.0])  # 1.2 x 5,000 at c1's EOL
    # c1 becomes 3840x2160 H.264 12.5 fps: 8.2944 Mbit/s -> 2.77696512 TB; c2 not due until 2030
    np.testing.assert_allclose(uhd["storage_tb"], 2.77696512 + C2_TB)
    np.testing.assert_allclose(uhd["compliant_share"], 1.0)
    cost_gap = np.array([1000.0, 0, 0]) + 100.0 * (2.77696512 - C1_TB)
    assert result.npv_vs_baseline_gbp["uhd_4k"] == pytest.approx(-(cost_gap * D).sum())


def test_h265_by_hand(result):
    h265 = rows(result, "h265")
    # c1 (older) retrofitted 2024 at 200; c2 in 2025 at 200 x 0.5; c1's life-cycle replacement 2024
    np.testing.assert_allclose(h265["capex_gbp"], [5200.0, 100.0, 0.0])
    # H.265 at 0.04 bpp: c1 0.069424128 TB; c2 half of 1.38848256
    storage = [0.069424128 + C2_TB, 0.069424128 + C2_TB / 2, 0.069424128 + C2_TB / 2]
    np.testing.assert_allclose(h265["storage_tb"], storage)
    np.testing.assert_allclose(h265["opex_gbp"], 1000.0 + 100.0 * np.array(storage))
    np.testing.assert_allclose(h265["compliant_share"], 0.5)  # c1 is still analogue


def test_cloud_vms_by_hand(result):
    cloud = rows(result, "cloud_vms")
    np.testing.assert_allclose(cloud["capex_gbp"], [5100.0, 0.0, 0.0])
    # c2 on cloud storage at 300/TB-yr plus 60 subscription; c1 stays on premises at 100
    np.testing.assert_allclose(cloud["opex_gbp"], 1000.0 + 100.0 * C1_TB + 300.0 * C2_TB + 60.0)
    np.testing.assert_allclose(cloud["compliant_share"], 0.5)


def test_analytics_review_by_hand(result):
    analytics = rows(result, "analytics_review")
    np.testing.assert_allclose(analytics["capex_gbp"], [5000.0, 100.0, 0.0])
    np.testing.assert_allclose(
        analytics["opex_gbp"], 1000.0 + 100.0 * (C1_TB + C2_TB) + np.array([0.0, 40.0, 40.0])
    )
    # from 2025, 1 of borough A's 2 in-scope cameras has analytics: cut 0.3 / 2 -> 85 hours
    np.testing.assert_allclose(analytics["review_hours"], [100.0, 85.0, 85.0])
    gap = np.array([0.0, -100.0 - 40.0 + 600.0, -40.0 + 600.0])
    assert result.npv_vs_baseline_gbp["analytics_review"] == pytest.approx((gap * D).sum())


def test_summary_and_errors(result, estate, assumptions):
    summary = result.summary()
    assert summary["scenario"].tolist()[0] == "baseline"
    assert summary.loc[summary["scenario"] == "uhd_4k", "final_compliant_share"].item() == 1.0
    no_baseline = [s for s in scenarios_from_assumptions(assumptions) if s.name != "baseline"]
    with pytest.raises(DataError, match="baseline"):
        run_scenarios(estate, assumptions, scenarios=no_baseline)
    with pytest.raises(DataError, match="in scope"):
        run_scenarios(estate.replace_tables(cameras=estate.cameras.iloc[2:]), assumptions)


def test_compliance_rule_is_a_parameter(estate, assumptions):
    def everyone(cameras: pd.DataFrame) -> np.ndarray:
        return np.ones(len(cameras), dtype=bool)

    out = run_scenarios(estate, assumptions, horizon_years=2, compliance=everyone)
    assert (out.table["compliant_share"] == 1.0).all()


# --- properties ------------------------------------------------------------------------------

RESOLUTIONS = [(720, 576), (1280, 720), (1920, 1080), (2560, 1440), (3840, 2160)]
camera_rows = st.fixed_dictionaries(
    {
        "signal": st.sampled_from(["analogue", "ip"]),
        "resolution": st.sampled_from(RESOLUTIONS),
        "codec": st.sampled_from(["mjpeg", "mpeg4", "h264", "h265", "other"]),
        "fps": st.sampled_from([6.25, 12.5, 25.0]),
        "install_year": st.integers(1996, 2024),
        "retention_days": st.sampled_from([7, 14, 31, 90]),
        "time_sync": st.sampled_from(["none", "manual", "ntp", "gps"]),
        "export_formats": st.sampled_from(["native", "native;mp4", "onvif_export"]),
    }
)


def random_estate(base: Estate, specs: list[dict[str, object]]) -> Estate:
    cams = pd.concat([base.cameras.iloc[[1]]] * len(specs), ignore_index=True)
    for i, spec in enumerate(specs):
        h, v = spec["resolution"]  # type: ignore[misc]
        values = {k: val for k, val in spec.items() if k != "resolution"}
        values |= {"camera_id": f"r{i}", "resolution_h_px": h, "resolution_v_px": v}
        for column, value in values.items():
            cams.loc[i, column] = value
    return base.replace_tables(cameras=cams)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=st.lists(camera_rows, min_size=1, max_size=12))
def test_ip_migration_compliance_never_falls(estate, assumptions, specs):
    out = run_scenarios(random_estate(estate, specs), assumptions, horizon_years=8)
    share = rows(out, "ip_migration")["compliant_share"].to_numpy()
    assert np.all(np.diff(share) >= -1e-12)
    assert out.npv_vs_baseline_gbp["baseline"] == 0.0


@given(
    resolution=st.sampled_from(RESOLUTIONS),
    fps=st.floats(1.0, 60.0),
    days=st.integers(0, 400),
)
def test_h265_never_needs_more_storage_than_h264(resolution, fps, days):
    bpp = dict(read_assumptions().value("synthetic_links.bits_per_pixel_by_codec"))
    h, v = resolution
    rates = bitrate_mbps([h, h], [v, v], ["h264", "h265"], [fps, fps], bpp)
    tb = storage_tb(rates, [days, days])
    assert tb[1] <= tb[0]


# --- London demo --------------------------------------------------------------------------------


@pytest.mark.slow
def test_london_smoke(tmp_path: Path):
    from cctvscope.ingest.synthetic import build_london_estate

    out = run_scenarios(build_london_estate("london"), read_assumptions())
    assert len(out.table) == 6 * 10
    numeric = out.table.drop(columns="scenario").to_numpy(dtype=float)
    assert np.isfinite(numeric).all()
    assert all(np.isfinite(v) for v in out.npv_vs_baseline_gbp.values())
    assert out.table["compliant_share"].between(0, 1).all()
    path = scenarios_chart(out, tmp_path / "scenarios.svg")
    text = path.read_text(encoding="utf-8")
    assert "Technology scenarios" in text
    assert "ip_migration" in text
