"""The worked example's demo signing key: made once under the vault root, then reused."""

from __future__ import annotations

import stat

from cctvscope.evidence.signing import fingerprint, load_private_key, load_public_key
from cctvscope.workflows.evidence import DEMO_SIGNING_KEY, demo_signing_key


def test_demo_key_lives_under_the_vault_root_and_is_reused(tmp_path):
    vault_root = tmp_path / "evidence_vault"
    key = demo_signing_key(vault_root)
    assert key == vault_root / DEMO_SIGNING_KEY
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first = fingerprint(load_private_key(key).public_key())
    assert demo_signing_key(vault_root) == key  # a re-run keeps the key its packages verify with
    assert fingerprint(load_private_key(key).public_key()) == first
    assert fingerprint(load_public_key(key.with_name(key.name + ".pub"))) == first
