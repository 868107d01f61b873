"""Private camera registry: ownership, consent, validation and storage on both backends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cctvscope.cli.registry_cmd import registry_app
from cctvscope.errors import InputError, StoreError
from cctvscope.evidence.registry import (
    REGISTRATION_COLUMNS,
    Actor,
    PermissionDenied,
    PrivateCameraSpec,
    VerificationStatus,
    business_id_of,
    get_registration,
    list_registrations,
    register_camera,
    save_registrations,
    searchable_cameras,
    seed_registrations,
    set_verification,
    update_registration,
)
from cctvscope.model import Camera, Estate
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.frames import records_to_frame, with_points
from cctvscope.store import init_store, load_estate, save_estate
from tests.conftest import make_camera, throwaway_pg_engine

PG_ENV = "CCTVSCOPE_TEST_PG_URL"
SHOP_A = Actor.business("shop-a")
SHOP_B = Actor.business("shop-b")
POLICE = Actor.police()
ANALYST = Actor.analyst()
# Registration reads no file: camera defaults come in as an argument.
ASSUMPTIONS = read_assumptions()


@pytest.fixture(scope="module")
def pg_engine() -> Iterator[sa.Engine]:
    """A fresh migrated PostgreSQL database for this module, dropped at its end."""
    with throwaway_pg_engine("registry") as engine:
        yield engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """An empty migrated store on each backend."""
    if request.param == "postgres":
        engine: sa.Engine = request.getfixturevalue("pg_engine")
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "TRUNCATE estates, private_registrations RESTART IDENTITY CASCADE"
            )
        yield engine
        return
    engine = init_store(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def estate(tiny_estate: Estate) -> Estate:
    """The tiny estate plus two private cameras of Shop A and one of Shop B."""
    extra = [
        make_camera("pa1", "E09000001", 500_400, 180_400, owner_type="private", operator="Shop A"),
        make_camera("pa2", "E09000001", 500_410, 180_400, owner_type="private", operator="Shop A"),
        make_camera("pb1", "E09000002", 501_600, 180_600, owner_type="private", operator="Shop B"),
    ]
    cameras = pd.concat(
        [tiny_estate.cameras.drop(columns="geometry"), records_to_frame(Camera, extra)],
        ignore_index=True,
    )
    return tiny_estate.replace_tables(cameras=with_points(cameras))


@pytest.fixture
def seeded(store: sa.Engine, estate: Estate) -> sa.Engine:
    """The estate saved, and its private cameras registered (Shop A shares, Shop B does not)."""
    save_estate(store, estate)
    rows = seed_registrations(estate, registered_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    rows["consent_share"] = rows["business_id"] != "shop-b"
    save_registrations(store, "tiny", rows)
    return store


def _spec(**kw: object) -> PrivateCameraSpec:
    fields: dict[str, object] = {
        "x_m": 500_500.0,
        "y_m": 180_500.0,
        "heading_deg": 45.0,
        "hfov_deg": 90.0,
        "resolution_h_px": 2560,
        "resolution_v_px": 1440,
        "retention_days": 30,
        "contact": "owner@shop-a.example",
        "consent_contact": True,
        "consent_share": True,
    }
    fields.update(kw)
    return PrivateCameraSpec(**fields)  # type: ignore[arg-type]


def test_seed_rows(estate):
    rows = seed_registrations(estate)
    assert list(rows.columns) == list(REGISTRATION_COLUMNS)
    # a3 (operator Test Council, private) and the three shop cameras.
    assert sorted(rows["camera_id"]) == ["a3", "pa1", "pa2", "pb1"]
    by_cam = rows.set_index("camera_id")
    assert by_cam.loc["pa1", "business_id"] == by_cam.loc["pa2", "business_id"] == "shop-a"
    # Consents are drawn per business: one site consents as a whole.
    assert by_cam.loc["pa1", "consent_share"] == by_cam.loc["pa2", "consent_share"]
    assert set(rows["verification_status"]) <= {"verified", "unverified"}
    assert business_id_of("Business 01-0001 (synthetic)") == "business-01-0001-synthetic"
    everyone = seed_registrations(estate, consent_share_share=1.0, consent_contact_share=0.0)
    assert everyone["consent_share"].all() and not everyone["consent_contact"].any()
    with pytest.raises(ValueError, match="consent_share_share"):
        seed_registrations(estate, consent_share_share=1.5)


def test_seed_london_shares():
    from cctvscope.ingest.synthetic import build_london_estate

    estate = build_london_estate("london")
    rows = seed_registrations(estate)
    # One row per private camera of the synthetic estate (5,405 with the 2021 crime totals
    # of the ten major categories), each camera once.
    private = estate.cameras.loc[estate.cameras["owner_type"] == "private", "camera_id"]
    assert len(rows) == len(private) == 5405
    assert set(rows["camera_id"]) == set(private)
    businesses = rows.drop_duplicates("business_id")
    assert businesses["consent_share"].mean() == pytest.approx(0.6, abs=0.05)
    assert businesses["consent_contact"].mean() == pytest.approx(0.8, abs=0.05)


def test_business_sees_only_its_own(seeded):
    mine = list_registrations(seeded, "tiny", SHOP_A)
    assert mine["camera_id"].tolist() == ["pa1", "pa2"]
    theirs = list_registrations(seeded, "tiny", SHOP_B)
    assert theirs["camera_id"].tolist() == ["pb1"]  # its own, though it does not share
    assert get_registration(seeded, "tiny", SHOP_A, "pa1").business_id == "shop-a"
    with pytest.raises(PermissionDenied):
        get_registration(seeded, "tiny", SHOP_A, "pb1")
    with pytest.raises(PermissionDenied):
        update_registration(
            seeded, "tiny", SHOP_A, "pb1", contact="x@y.example", assumptions=ASSUMPTIONS
        )
    with pytest.raises(PermissionDenied):
        update_registration(
            seeded,
            "tiny",
            SHOP_B,
            "pa1",
            camera_changes={"heading_deg": 10},
            assumptions=ASSUMPTIONS,
        )
    with pytest.raises(PermissionDenied):
        set_verification(seeded, "tiny", SHOP_A, "pa1", "verified")
    with pytest.raises(PermissionDenied):
        register_camera(seeded, "tiny", POLICE, _spec(), assumptions=ASSUMPTIONS)
    # Nothing changed for Shop B.
    assert get_registration(seeded, "tiny", SHOP_B, "pb1").contact == "contact@shop-b.example"


def test_police_see_only_consenting(seeded, estate):
    seen = list_registrations(seeded, "tiny", POLICE)
    assert "pb1" not in set(seen["camera_id"])
    assert seen["consent_share"].all()
    # An analyst sees no private camera (the policy of evidence.visibility), not even a
    # consenting one; they may still verify a registration they are given by id.
    assert list_registrations(seeded, "tiny", ANALYST).empty
    with pytest.raises(PermissionDenied, match="analyst role sees no private"):
        get_registration(seeded, "tiny", ANALYST, "pa1")
    with pytest.raises(PermissionDenied):
        get_registration(seeded, "tiny", POLICE, "pb1")
    searchable = searchable_cameras(estate, seen)
    ids = set(searchable["camera_id"])
    assert {"a1", "a2", "b1", "pa1", "pa2"} <= ids  # public, and Shop A's
    assert "pb1" not in ids


def test_register_edit_and_verify(store, estate):
    save_estate(store, estate)
    got = register_camera(
        store, "tiny", SHOP_A, _spec(camera_id="pa3", location_text="door"), assumptions=ASSUMPTIONS
    )
    assert got.verification_status is VerificationStatus.UNVERIFIED
    assert got.business_id == "shop-a"
    stored = load_estate(store, "tiny")
    assert stored.version == 2
    cam = stored.cameras.set_index("camera_id").loc["pa3"]
    assert cam["owner_type"] == "private"
    assert cam["borough_code"] == "E09000001"
    assert cam["operator"] == "shop-a"
    assert "mount_height_m" in cam["defaulted_fields"]
    assert "heading_deg" not in cam["defaulted_fields"]
    # An id is made up when none is given.
    auto = register_camera(
        store, "tiny", SHOP_A, _spec(lon=-0.1276, lat=51.5072), assumptions=ASSUMPTIONS
    )
    assert auto.camera_id == "priv-shop-a-001"
    # Verification by an analyst, then an edit of the camera resets it.
    assert set_verification(store, "tiny", ANALYST, "pa3", "verified").verification_status == (
        VerificationStatus.VERIFIED
    )
    edited = update_registration(
        store,
        "tiny",
        SHOP_A,
        "pa3",
        consent_share=False,
        camera_changes={"heading_deg": 180.0},
        assumptions=ASSUMPTIONS,
    )
    assert edited.verification_status is VerificationStatus.UNVERIFIED
    assert not edited.consent_share
    assert (
        load_estate(store, "tiny").cameras.set_index("camera_id").loc["pa3", "heading_deg"] == 180
    )
    renamed = update_registration(
        store, "tiny", SHOP_A, "pa3", contact="new@a.example", assumptions=ASSUMPTIONS
    )
    assert renamed.contact == "new@a.example"
    with pytest.raises(StoreError, match="not registered"):
        set_verification(store, "tiny", ANALYST, "nope", "verified")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"x_m": 400_000.0}, "coordinates"),  # outside every borough
        ({"hfov_deg": 400.0}, "hfov_deg"),
        ({"resolution_h_px": 0}, "resolution_h_px"),
        ({"retention_days": 5000}, "retention_days"),
        ({"heading_deg": 360.0}, "heading_deg"),
        ({"contact": "  "}, "contact"),
        ({"camera_id": "a1"}, "camera_id"),  # taken
        ({"x_m": None, "y_m": None}, "coordinates"),
    ],
)
def test_registration_validation(store, estate, change, field):
    save_estate(store, estate)
    with pytest.raises(InputError) as err:
        register_camera(store, "tiny", SHOP_A, _spec(**change), assumptions=ASSUMPTIONS)
    assert field in {f.field for f in err.value.findings}
    assert load_estate(store, "tiny").version == 1  # nothing stored
    assert list_registrations(store, "tiny", SHOP_A).empty


def test_edit_validation(seeded):
    with pytest.raises(InputError, match="cannot edit"):
        update_registration(
            seeded,
            "tiny",
            SHOP_A,
            "pa1",
            camera_changes={"owner_type": "council"},
            assumptions=ASSUMPTIONS,
        )
    with pytest.raises(InputError):
        update_registration(
            seeded, "tiny", SHOP_A, "pa1", camera_changes={"hfov_deg": -1}, assumptions=ASSUMPTIONS
        )


def test_store_round_trip(seeded):
    rows = list_registrations(seeded, "tiny", SHOP_A)
    first = rows.iloc[0]
    assert first["registered_at"] == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert first["contact"] == "contact@shop-a.example"
    assert isinstance(first["consent_share"], (bool, np.bool_))
    with pytest.raises(StoreError):  # registered twice
        save_registrations(seeded, "tiny", seed_registrations(load_estate(seeded, "tiny")))


def test_cli_register_list_verify(tmp_path, estate):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    save_estate(init_store(url), estate)
    runner = CliRunner()
    base = ["--estate", "tiny", "--database-url", url]
    done = runner.invoke(
        registry_app,
        [
            "register",
            "--business",
            "shop-c",
            "--easting",
            "500600",
            "--northing",
            "180600",
            "--heading",
            "90",
            "--hfov",
            "80",
            "--resolution",
            "1920x1080",
            "--retention-days",
            "14",
            "--contact",
            "c@shop-c.example",
            "--consent-share",
            *base,
        ],
    )
    assert done.exit_code == 0, done.output
    assert "priv-shop-c-001" in done.output
    bad = runner.invoke(
        registry_app,
        [
            "register",
            "--business",
            "shop-c",
            "--easting",
            "1",
            "--northing",
            "1",
            "--heading",
            "0",
            "--hfov",
            "80",
            "--resolution",
            "1920x1080",
            "--retention-days",
            "14",
            "--contact",
            "c@x",
            *base,
        ],
    )
    assert bad.exit_code == 2
    listed = runner.invoke(registry_app, ["list", "--business", "shop-c", *base])
    assert listed.exit_code == 0 and "priv-shop-c-001" in listed.output
    other = runner.invoke(registry_app, ["list", "--business", "shop-d", *base])
    assert "priv-shop-c-001" not in other.output
    police = runner.invoke(registry_app, ["list", "--role", "police", *base])
    assert "priv-shop-c-001" in police.output
    verified = runner.invoke(
        registry_app, ["verify", "priv-shop-c-001", "--status", "verified", *base]
    )
    assert verified.exit_code == 0, verified.output
    assert "verified" in verified.output


def test_police_lookup_lists_only_consenting_private(seeded, estate):
    from cctvscope.coverage.detail import DetailLevel
    from cctvscope.coverage.lookup import CameraLookup

    cameras = searchable_cameras(estate, list_registrations(seeded, "tiny", POLICE))
    lookup = CameraLookup.build(cameras, levels=[DetailLevel.DETECT])
    # pb1 (Shop B, no consent) at (501600, 180600) facing east: a point 5 m east of it.
    assert lookup.cameras_at(501_605.0, 180_600.0).empty
    everyone = CameraLookup.build(estate.cameras, levels=[DetailLevel.DETECT])
    assert everyone.cameras_at(501_605.0, 180_600.0)["camera_id"].tolist() == ["pb1"]
    assert lookup.cameras_at(500_415.0, 180_400.0)["camera_id"].tolist() == ["pa2", "pa1"]


def test_a_registration_during_an_import_is_refused_not_lost(store, estate, monkeypatch):
    """The registration read version 1; an import saved version 2 meanwhile: the
    registration is refused (and its row removed) rather than dropping the import."""
    import cctvscope.evidence.registry as registry

    save_estate(store, estate)
    stale = load_estate(store, "tiny")
    imported = stale.replace_tables(cameras=stale.cameras.iloc[:-1])  # the "import"
    save_estate(store, imported, based_on=1)
    monkeypatch.setattr(registry, "load_estate", lambda *_a, **_k: stale)
    with pytest.raises(StoreError, match="changed while"):
        register_camera(store, "tiny", SHOP_A, _spec(camera_id="pa9"), assumptions=ASSUMPTIONS)
    monkeypatch.undo()
    latest = load_estate(store, "tiny")
    assert latest.version == 2
    assert len(latest.cameras) == len(imported.cameras)
    assert "pa9" not in set(list_registrations(store, "tiny", SHOP_A)["camera_id"])
