"""One policy decides which private cameras a role sees: the web views and the registry
(evidence layer) give the same cameras for every role (issue 16 item 7)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cctvscope.evidence.registry import Actor, list_registrations
from cctvscope.evidence.visibility import PrivateScope, private_scope, registration_where
from cctvscope.store.registry_tables import private_registrations
from tests.web.conftest import ROLES


def _web_private_ids(client) -> set[str]:
    layer = client.get("/api/layers/cameras").json()
    return {
        f["properties"]["id"]
        for f in layer["features"]
        if f["properties"]["owner_type"] == "private"
    }


def _registry_ids(env, role: str, business_id: str | None) -> set[str]:
    """The evidence layer's answer: its SQL condition on the registrations table, and for
    the registry's own roles its list_registrations as well (they must be the same)."""
    table = private_registrations
    query = sa.select(table.c.camera_id).where(
        table.c.estate_name == "london", registration_where(role, business_id)
    )
    with env.engine.connect() as connection:
        by_sql = {str(c) for c in connection.execute(query).scalars()}
    actors = {
        "business": Actor.business(business_id or "x"),
        "police": Actor.police(),
        "analyst": Actor.analyst(),
    }
    if role in actors:
        listed = set(list_registrations(env.engine, "london", actors[role])["camera_id"])
        assert listed == by_sql
    return by_sql & set(env.estate().cameras["camera_id"])


@pytest.mark.parametrize("role", ROLES)
def test_web_and_registry_show_the_same_private_cameras(clients, env, role):
    client = clients[role]
    business_id = client.get("/api/me").json()["business_id"]
    web = _web_private_ids(client)
    registry = _registry_ids(env, role, business_id)
    assert web == registry
    # And what the policy says, worked out from the registrations by hand.
    with env.engine.connect() as connection:
        rows = (
            connection.execute(
                sa.select(private_registrations).where(
                    private_registrations.c.estate_name == "london"
                )
            )
            .mappings()
            .all()
        )
    cameras = set(env.estate().cameras["camera_id"])
    expected = {
        "admin": {r["camera_id"] for r in rows if r["consent_share"]},
        "police": {r["camera_id"] for r in rows if r["consent_share"]},
        "business": {r["camera_id"] for r in rows if r["business_id"] == business_id},
        "analyst": set(),
        "borough_manager": set(),
    }[role] & cameras
    assert web == expected
    if role in ("admin", "police", "business"):
        assert expected  # the test estate has some, so the equality means something


def test_the_policy_by_role():
    assert [private_scope(r) for r in ("business", "police", "admin")] == [
        PrivateScope.OWN, PrivateScope.CONSENTING, PrivateScope.CONSENTING,
    ]  # fmt: skip
    assert {private_scope(r) for r in ("analyst", "borough_manager", "anyone")} == {
        PrivateScope.NONE
    }
