"""Helpers for tests (and demos): one account per role, and a stored estate with outputs.

Passwords are random per call and returned; nothing here is a fixed credential.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine

from cctvscope.store.registry_tables import private_registrations
from cctvscope.web.accounts import add_user
from cctvscope.web.security import UserRole

#: Borough of the seeded borough manager: Camden.
CAMDEN = "E09000007"
#: Usernames of the seeded accounts, by role.
DEMO_USERNAMES: dict[UserRole, str] = {
    UserRole.ADMIN: "admin",
    UserRole.ANALYST: "analyst",
    UserRole.BOROUGH_MANAGER: "camden",
    UserRole.POLICE: "police",
    UserRole.BUSINESS: "business",
}


def demo_business(engine: Engine, estate_name: str = "london") -> str:
    """The business with the fewest (at least two) registered cameras, by id; a fixed
    id when the estate has no registrations."""
    table = private_registrations
    query = (
        sa.select(table.c.business_id, sa.func.count().label("cameras"))
        .where(table.c.estate_name == estate_name)
        .group_by(table.c.business_id)
        .having(sa.func.count() >= 2)
        .order_by(sa.func.count(), table.c.business_id)
        .limit(1)
    )
    with engine.connect() as connection:
        found = connection.execute(query).first()
    return str(found[0]) if found else "demo-business"


def seed_demo_users(engine: Engine, estate_name: str = "london") -> dict[str, tuple[str, str]]:
    """One account per role; returns role -> (username, password).

    The borough manager manages Camden; the business user owns the cameras of
    :func:`demo_business` (seed the estate's registrations first).
    """
    business = demo_business(engine, estate_name)
    out: dict[str, tuple[str, str]] = {}
    for role, username in DEMO_USERNAMES.items():
        password = secrets.token_urlsafe(12)
        add_user(
            engine,
            username,
            password,
            role,
            boroughs=[CAMDEN] if role is UserRole.BOROUGH_MANAGER else [],
            business_id=business if role is UserRole.BUSINESS else None,
        )
        out[role.value] = (username, password)
    return out


def build_demo_store(
    database_url: str, output_dir: Path, *, boroughs: Collection[str] | None = None
) -> Engine:
    """A store holding the London demo estate (as ``london``) with seeded registrations,
    and the demo's control-room options table (1 and 2 rooms) in ``output_dir``.

    ``boroughs`` keeps only those boroughs' cameras (every borough outline, room and
    contract stays): a four-borough estate saves, loads and analyses in well under a
    second, where the whole estate takes seconds per step.
    """
    from cctvscope.ingest.synthetic import build_london_estate
    from cctvscope.model.assumptions import read_assumptions
    from cctvscope.reporting.options import write_control_room_options
    from cctvscope.store import init_store, save_estate
    from cctvscope.workflows.evidence import ensure_registrations
    from cctvscope.workflows.options import run_control_room_options

    engine = init_store(database_url)
    estate = build_london_estate("london", seed=None, assumptions=read_assumptions())
    if boroughs is not None:
        cams = estate.cameras
        estate = estate.replace_tables(
            cameras=cams[cams["borough_code"].isin(set(boroughs))].reset_index(drop=True)
        )
    estate = save_estate(engine, estate, description="London demo estate (tests)")
    ensure_registrations(engine, estate)
    result = run_control_room_options(estate, room_counts=[1, 2])
    write_control_room_options(result, estate, output_dir)
    return engine
