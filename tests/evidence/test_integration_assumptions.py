"""The registry's default consent shares are the ones the assumptions file states."""

from __future__ import annotations

from cctvscope.evidence import registry
from cctvscope.model.assumptions import read_assumptions


def test_registry_defaults_match_assumptions():
    demo = read_assumptions().section("integration_demo")
    assert demo["consent_contact_share"].value == registry.SEED_CONSENT_CONTACT_SHARE
    assert demo["consent_share_share"].value == registry.SEED_CONSENT_SHARE_SHARE
    assert demo["verified_share"].value == registry.SEED_VERIFIED_SHARE
    hours = demo["response_hours"].value
    assert set(hours) == {"police", "council", "tfl", "private"}
    assert all(0 < ack < supply for ack, supply in hours.values())
