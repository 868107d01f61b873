"""Web fixtures: the London demo estate in a temporary SQLite store, one account and API
token per role, and a logged-in client per role (built once per session: about 10 s)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cctvscope.store import init_store, load_estate
from cctvscope.web.accounts import create_token
from cctvscope.web.app import create_app
from cctvscope.web.security import SESSION_COOKIE, decode_session
from cctvscope.web.settings import WebSettings
from cctvscope.web.testing import build_demo_store, seed_demo_users
from tests.conftest import throwaway_pg_engine

CAMDEN = "E09000007"
#: Boroughs whose cameras the test estate keeps: City, Camden, Islington, Westminster.
TEST_BOROUGHS = ("E09000001", "E09000007", "E09000019", "E09000033")
ROLES = ("admin", "analyst", "borough_manager", "police", "business")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class WebEnv:
    """Everything a web test needs."""

    settings: WebSettings
    engine: Engine
    app: FastAPI
    users: dict[str, tuple[str, str]]
    tokens: dict[str, str]
    out: Path

    def estate(self):
        """The latest stored London estate (tests may add versions)."""
        return load_estate(self.engine, "london")


@pytest.fixture(scope="session")
def web_env(tmp_path_factory) -> WebEnv:
    root = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{root / 'store.db'}"
    out = root / "out"
    engine = build_demo_store(url, out, boroughs=TEST_BOROUGHS)
    write_coverage_outputs(out, load_estate(engine, "london"))
    users = seed_demo_users(engine)
    tokens = {role: create_token(engine, name, "tests") for role, (name, _pw) in users.items()}
    settings = WebSettings(
        database_url=url,
        output_dir=out,
        secret_key="test-secret-key-not-for-production",
        secure_cookies=False,
        login_rate_limit=5,
    )
    return WebEnv(settings, engine, create_app(settings), users, tokens, out)


#: Coverage rows written for the tests (Camden and London), as `cctvscope coverage` would.
COVERAGE_ROWS = [
    ("london", "london", "London", "Recognise", 61.5, 3.2, 50.0, 5.0, 66.5, 0.31, 0.29),
    ("borough", CAMDEN, "Camden", "Recognise", 2.25, 0.1, 2.0, 0.15, 2.4, 0.42, 0.4),
]
COVERAGE_COLUMNS = [
    "area_type", "area_code", "area_name", "level", "covered_km2", "overlap_km2",
    "public_only_km2", "private_only_km2", "joint_km2", "crime_points_share", "lsoa_crime_share",
]  # fmt: skip


def write_coverage_outputs(out: Path, estate) -> None:
    """A small coverage.gpkg (two layers) and coverage_summary.csv with known content."""
    camden = estate.boroughs.set_index("gss_code").loc[CAMDEN, "geometry"]
    centre = camden.representative_point()
    union = gpd.GeoDataFrame(
        {"level": ["Recognise", "Identify"], "borough_code": [CAMDEN, CAMDEN]},
        geometry=[centre.buffer(500.0), centre.buffer(200.0)],
        crs="EPSG:27700",
    )
    gaps = gpd.GeoDataFrame(
        {"rank": [1], "crimes": [37.0], "borough_code": [CAMDEN], "lsoa_code": ["E01000907"]},
        geometry=[shapely.box(centre.x + 600, centre.y, centre.x + 800, centre.y + 200)],
        crs="EPSG:27700",
    )
    union.to_file(out / "coverage.gpkg", layer="coverage_union", driver="GPKG")
    gaps.to_file(out / "coverage.gpkg", layer="gaps", driver="GPKG")
    pd.DataFrame(COVERAGE_ROWS, columns=COVERAGE_COLUMNS).to_csv(
        out / "coverage_summary.csv", index=False
    )


def csrf_of(client: TestClient, env: WebEnv) -> str:
    """The CSRF token of the client's current session."""
    session = decode_session(client.cookies.get(SESSION_COOKIE), env.settings.secret_key, 3600.0)
    assert session is not None
    return session.csrf


def login(client: TestClient, username: str, password: str) -> TestClient:
    """Log ``client`` in through the form; asserts the redirect to the overview."""
    page = client.get("/login")
    token = CSRF_RE.search(page.text)
    assert token, page.text
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"
    return client


@pytest.fixture(scope="session")
def clients(web_env: WebEnv) -> Iterator[dict[str, TestClient]]:
    """A logged-in client per role, and ``anonymous``."""
    made = {"anonymous": TestClient(web_env.app)}
    for role, (name, password) in web_env.users.items():
        made[role] = login(TestClient(web_env.app), name, password)
    yield made
    for client in made.values():
        client.close()


@pytest.fixture
def env(web_env: WebEnv) -> WebEnv:
    return web_env


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path) -> Iterator[Engine]:
    """A fresh store on SQLite, and on PostgreSQL when ``make test`` provides one."""
    if request.param == "sqlite":
        engine = init_store(f"sqlite:///{tmp_path / 'accounts.db'}")
        yield engine
        engine.dispose()
        return
    with throwaway_pg_engine("web") as engine:
        yield engine
