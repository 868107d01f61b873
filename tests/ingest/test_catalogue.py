"""The bundled camera-model catalogue and the make/model resolver.

Expected numbers are read off the bundled CSV rows named in each test.
"""

from __future__ import annotations

import doctest
import hashlib
import math
import re
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from cctvscope.ingest import catalogue as catalogue_module
from cctvscope.ingest.catalogue import (
    CatalogueMatch,
    normalise_model,
    parse_hfov_deg,
    parse_resolution,
    read_camera_catalogue,
    resolve_camera_model,
    resolve_many,
)

REAL = Path(str(resources.files("cctvscope.data").joinpath("real")))
FILES = ("cctv_camera_models_uk_brands.csv", "cctv_camera_database_summary.csv")


@pytest.fixture(scope="module")
def catalogue() -> pd.DataFrame:
    return read_camera_catalogue()


def test_docstring_examples_hold():
    result = doctest.testmod(catalogue_module)
    assert result.attempted >= 10
    assert result.failed == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("35 to 96 horizontal", 96.0),
        ("2.11-58.9 horizontal, 1.2-34.1 vertical", 58.9),
        ("86 horizontal, 46.8 vertical, 99.8 diagonal", 86.0),
        (
            "2.8mm: 102.4 horizontal, 77.4 vertical, 125.5 diagonal; "
            "4mm: 82.3 horizontal, 58.8 vertical, 106.6 diagonal",
            102.4,
        ),
        ("360 panoramic", 360.0),
        ("104 (2.8mm)/89.2 (4mm) horizontal", 104.0),
        ("55 H / 33 V / 61.5 D", 55.0),
        ("110-30h", 110.0),
        ("H: 58.5-2.8; V: 33.2-1.5; D: 67.5-3.2", 58.5),
        ("93 (H), 48 (V), 115 (D); pan 355, tilt -5 to 80", 93.0),
        ("22-96 (horizontal; wide 71-96, tele 22-29)", 96.0),
        ("94.8 (wide) - 28.1 (tele) horizontal", 94.8),
        ("16 x 12 (H x V)", 16.0),
        ("84 horizontal / 43.1 vertical (visible); 50 horizontal / 37.3 vertical (thermal)", 84.0),
        ("56 horizontal (thermal) / 81 horizontal (optical)", 81.0),
        ("31 (thermal horizontal)", 31.0),  # a thermal-only camera keeps its thermal view
        ("Horizontal (wall): 180, Horizontal (ceiling): 360", 360.0),
        ("400 horizontal", 360.0),  # capped
    ],
)
def test_parse_hfov_takes_the_widest_horizontal_figure(text, expected):
    assert parse_hfov_deg(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "120 diagonal", "114", "104-29", "350 pan / 80 tilt", "pan 360 (horizontal)", "n/a"],
)
def test_parse_hfov_gives_none_without_a_horizontal_figure(text):
    assert parse_hfov_deg(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2MP (1920x1080)", (1920, 1080)),
        ("4MP (2688x1520)", (2688, 1520)),
        ("VGA (640 x 480)", (640, 480)),
        ("5MP (2592x1944) visible + 320x240 thermal", (2592, 1944)),
        ("4K UHD", (3840, 2160)),
        ("1080p HD", (1920, 1080)),
        ("4MP (1440p)", (2560, 1440)),
        ("720p", (1280, 720)),
        ("4MP", None),
        ("2K", None),
        ("4K (12MP)", None),  # the megapixel figure contradicts the name
        ("2 MP (4K-interpolated recording)", None),
        ("", None),
    ],
)
def test_parse_resolution(text, expected):
    assert parse_resolution(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ds-2cd2087g2-lu", "DS2CD2087G2LU"),
        ("DS 2CD2087G2 LU", "DS2CD2087G2LU"),
        ("DS_2CD2087G2.LU", "DS2CD2087G2LU"),
        ("iDS-2CD7A46G0/P-IZHS(Y)", "IDS2CD7A46G0PIZHS"),
        ("DS-2CD2087G2-LU (2.8mm)", "DS2CD2087G2LU"),
        ("AUTODOME IP 5000i", "AUTODOMEIP5000I"),
    ],
)
def test_normalise_model(text, expected):
    assert normalise_model(text) == expected


def test_catalogue_shape_and_types(catalogue):
    assert list(catalogue.columns) == list(catalogue_module.CATALOGUE_COLUMNS)
    assert str(catalogue["resolution_h_px"].dtype) == "Int64"
    assert str(catalogue["resolution_v_px"].dtype) == "Int64"
    assert catalogue["ptz"].dtype == bool
    assert catalogue["hfov_deg"].dtype == float
    # 62 datasheet rows + 3,988 summary rows, less those a datasheet row or a twin replaces.
    assert 3900 < len(catalogue) < 62 + 3988
    assert catalogue.source.str.startswith("cctv-camera-database uk_brands ").sum() == 62
    assert not catalogue.duplicated(["key", "alt_model_key"]).any()
    assert catalogue.hfov_deg.dropna().between(0, 360, inclusive="right").all()
    assert (catalogue.ptz == (catalogue.camera_type == "ptz")).all()


def test_every_row_names_its_source(catalogue):
    assert catalogue.source.str.len().gt(len("cctv-camera-database summary ")).all()
    assert catalogue.source.str.match(
        r"cctv-camera-database (uk_brands https?://|summary \S)"
    ).all()


def test_bundled_files_match_the_sha256_in_sources_md():
    sources = (REAL / "SOURCES.md").read_text(encoding="utf-8")
    for name in FILES:
        section = sources.split(f"### camera_models/{name}", 1)[1]
        stated = re.search(r"sha256 ([0-9a-f]{64})", section)
        assert stated is not None, name
        digest = hashlib.sha256((REAL / "camera_models" / name).read_bytes()).hexdigest()
        assert digest == stated.group(1), name


def test_datasheet_row_wins_over_the_summary_row(catalogue):
    # uk_brands: DS-2CD2087G2-LU 3840x2160, hfov 102, IR 60 m, 24 fps; the summary row of the same
    # model (4K UHD, "102 horizontal (2.8mm)") has no IR range or frame rate.
    rows = catalogue[catalogue.key == "HIKVISION:DS2CD2087G2LU"]
    assert len(rows) == 1
    assert rows.iloc[0].source.startswith("cctv-camera-database uk_brands https://www.hikvision")
    got = resolve_camera_model(catalogue, "Hikvision", "DS-2CD2087G2-LU")
    assert got == CatalogueMatch(
        brand="Hikvision",
        model="DS-2CD2087G2-LU",
        how="exact",
        resolution_h_px=3840,
        resolution_v_px=2160,
        hfov_deg=102.0,
        ptz=False,
        ir_range_m=60.0,
        max_fps=24.0,
        source=rows.iloc[0].source,
    )


def test_summary_only_models_take_parsed_text(catalogue):
    # summary id 3xlogic-va-2mb-od-riwh: bullet, "2MP (1920x1080)", "86 horizontal, 46.8 vertical".
    bullet = resolve_camera_model(catalogue, "3xLOGIC", "VA-2MB-OD-RIWH-02")
    assert bullet is not None
    assert (bullet.resolution_h_px, bullet.resolution_v_px, bullet.hfov_deg) == (1920, 1080, 86.0)
    assert (bullet.ptz, bullet.ir_range_m, bullet.max_fps) == (False, None, None)
    assert bullet.source == "cctv-camera-database summary 3xlogic-va-2mb-od-riwh"
    # 3xlogic-vx-12m-360-iaw: fisheye, "12MP (4000x3000)", "360 panoramic".
    fisheye = resolve_camera_model(catalogue, "3xLOGIC", "VX-12M-360-IAW")
    assert fisheye is not None
    assert (fisheye.resolution_h_px, fisheye.resolution_v_px, fisheye.hfov_deg) == (4000, 3000, 360)
    # 3xlogic dual-lens: "2.8mm: 102.4 horizontal, ...; 4mm: 82.3 horizontal, ..."
    dual = resolve_camera_model(catalogue, "3xLOGIC", "VX-10M28-DUAL-OD-IAW")
    assert dual is not None
    assert dual.hfov_deg == 102.4
    assert dual.resolution_h_px == 2592  # "10MP (2x 5MP, 2592x1944 per sensor)"


@pytest.mark.parametrize(
    ("make", "model", "brand", "hfov"),
    [
        ("Hik", "ds 2cd2087g2 lu", "Hikvision", 102.0),
        ("HIKVISION", "DS-2CD2087G2-LU", "Hikvision", 102.0),
        ("AXIS Communications", "Q6135-LE", "Axis", 58.3),
        ("axis", "q6135-le", "Axis", 58.3),
        ("Panasonic i-PRO", "WV-S15500-V3L", "i-PRO", 106.0),
        ("i-PRO", "WV-S15500-V3L", "i-PRO", 106.0),
        ("Samsung Wisenet", "XNO-8082R", "Hanwha", 114.0),
        ("Hanwha Vision", "XNO-8082R", "Hanwha", 114.0),
        ("Wisenet", "XNP-6400RW", "Hanwha", 65.66),
        ("Bosch Security", "NBE-7704-AL", "Bosch", 108.0),  # order code in the catalogue's bracket
        ("", "Hikvision DS-2CD2087G2-LU", "Hikvision", 102.0),
        ("", "AXIS Q6135-LE", "Axis", 58.3),
        ("Hikvision", "Hikvision DS-2CD2087G2-LU", "Hikvision", 102.0),
    ],
)
def test_exact_match_with_brand_synonyms(catalogue, make, model, brand, hfov):
    got = resolve_camera_model(catalogue, make, model)
    assert got is not None
    assert (got.how, got.brand, got.hfov_deg) == ("exact", brand, hfov)


def test_axis_q6135_le_is_a_ptz_with_250_m_ir(catalogue):
    got = resolve_camera_model(catalogue, "AXIS", "Q6135-LE")
    assert got is not None
    assert (got.resolution_h_px, got.resolution_v_px, got.ptz) == (1920, 1080, True)
    assert (got.ir_range_m, got.max_fps) == (250.0, None)


def test_model_only_match_ignores_a_wrong_brand(catalogue):
    got = resolve_camera_model(catalogue, "Dahua", "DS-2CD2087G2-LU")
    assert got is not None
    assert (got.how, got.brand, got.model) == ("model_only", "Hikvision", "DS-2CD2087G2-LU")
    bare = resolve_camera_model(catalogue, "", "VA-2MB-OD-RIWH-02")
    assert bare is not None
    assert (bare.how, bare.brand) == ("model_only", "3xLOGIC")


def test_model_only_match_across_brands_needs_agreement(catalogue):
    # Netatmo and Qubo "Smart Video Doorbell": both 1080p, both "... diagonal" (no hfov): agree.
    agree = resolve_camera_model(catalogue, "", "Smart Video Doorbell")
    assert agree is not None
    assert (agree.how, agree.brand, agree.resolution_h_px, agree.hfov_deg) == (
        "model_only",
        "Netatmo",
        1920,
        None,
    )
    # SimpliSafe "Outdoor Camera" has 140 horizontal, Somfy's only "120 diagonal": ambiguous.
    assert resolve_camera_model(catalogue, "", "Outdoor Camera") is None


def test_prefix_matches(catalogue):
    # The register adds a lens suffix: the longest catalogue key in front of it wins.
    longer = resolve_camera_model(catalogue, "Hikvision", "DS-2CD2087G2-LU-2.8mm")
    assert longer is not None
    assert (longer.how, longer.model, longer.hfov_deg) == ("prefix", "DS-2CD2087G2-LU", 102.0)
    # The register truncates: "Q3538-L" (6 characters) prefixes only Axis Q3538-LVE.
    shorter = resolve_camera_model(catalogue, "Axis", "Q3538-L")
    assert shorter is not None
    assert (shorter.how, shorter.model, shorter.hfov_deg) == ("prefix", "Q3538-LVE", 103.0)


@pytest.mark.parametrize(
    ("make", "model"),
    [
        ("Hikvision", "DS-2CD2087G2"),  # prefixes -L, -LU, -SU, H-LI, H-LIU ... which differ
        ("Vivotek", "FD9389"),  # FD9389-EHTV-V2 (95°) and FD9389-EHV-v2 (105°)
        ("Bosch", "DINION 7100i IR"),  # lens variants, each with its own order code
        ("Axis", "Q6135"),  # 5 characters: too short to prefix
        ("Acme", "ZX-9000-NOPE"),
        ("Hikvision", ""),
        ("", ""),
    ],
)
def test_ambiguous_or_unknown_gives_none(catalogue, make, model):
    assert resolve_camera_model(catalogue, make, model) is None


def test_missing_cells_read_as_blank(catalogue):
    got = resolve_many(catalogue, [None, math.nan], ["Hikvision DS-2CD2087G2-LU", None])
    assert got[0] is not None and got[0].model == "DS-2CD2087G2-LU"
    assert got[1] is None


def test_resolve_many_looks_each_distinct_pair_up_once(catalogue, monkeypatch):
    calls: list[tuple[str, str]] = []
    real = catalogue_module._resolve

    def spy(index, make, model):
        calls.append((make, model))
        return real(index, make, model)

    monkeypatch.setattr(catalogue_module, "_resolve", spy)
    distinct = [("Hikvision", "DS-2CD2087G2-LU"), ("AXIS", "Q6135-LE"), ("Acme", "nothing")]
    distinct += [("Hikvision", f"DS-2CD20{n:02d}") for n in range(17)]
    makes = [distinct[i % 20][0] for i in range(10_000)]
    models = [distinct[i % 20][1] for i in range(10_000)]
    got = resolve_many(catalogue, makes, models)
    assert len(got) == 10_000
    assert len(calls) == 20
    assert got[0] is got[20] is got[9980]
    assert got[0] == resolve_camera_model(catalogue, "Hikvision", "DS-2CD2087G2-LU")
    assert got[2] is None


def test_resolve_many_needs_equal_lengths(catalogue):
    with pytest.raises(ValueError, match="2 makes but 1 models"):
        resolve_many(catalogue, ["a", "b"], ["c"])


def test_catalogue_is_cached_and_copied():
    first, second = read_camera_catalogue(), read_camera_catalogue()
    assert first is not second
    first.loc[0, "hfov_deg"] = -1.0
    assert read_camera_catalogue().loc[0, "hfov_deg"] != -1.0
    assert catalogue_module._catalogue() is catalogue_module._catalogue()
