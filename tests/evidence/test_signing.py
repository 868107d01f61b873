"""Package-signing keys: made private, never overwritten, refused when exposed or not Ed25519."""

from __future__ import annotations

import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

from cctvscope.evidence.signing import (
    AnchorClaims,
    KeyFileError,
    fingerprint,
    generate_key,
    load_private_key,
    load_public_key,
    sign_anchor,
    signature_valid,
)


def test_keygen_writes_a_private_key_only_its_owner_can_read(tmp_path):
    key, pub = generate_key(tmp_path / "k" / "signing.key")
    assert pub.name == "signing.key.pub"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in key.read_bytes() and b"PUBLIC KEY" in pub.read_bytes()
    assert fingerprint(load_private_key(key).public_key()) == fingerprint(load_public_key(pub))


def test_keygen_never_overwrites(tmp_path):
    key, _ = generate_key(tmp_path / "signing.key")
    before = key.read_bytes()
    with pytest.raises(KeyFileError, match="already exists"):
        generate_key(key)
    assert key.read_bytes() == before


def test_exposed_private_key_is_refused(tmp_path):
    key, _ = generate_key(tmp_path / "signing.key")
    key.chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_private_key(key)


def test_missing_and_foreign_keys_are_refused(tmp_path):
    with pytest.raises(KeyFileError, match="cannot read"):
        load_public_key(tmp_path / "absent.pub")
    junk = tmp_path / "junk.pub"
    junk.write_text("not a key")
    with pytest.raises(KeyFileError, match="not a PEM public key"):
        load_public_key(junk)
    ec_pub = tmp_path / "ec.pub"
    ec_pub.write_bytes(
        generate_private_key(SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(KeyFileError, match="not an Ed25519"):
        load_public_key(ec_pub)


def test_signature_covers_every_claim(tmp_path):
    key_file, pub_file = generate_key(tmp_path / "signing.key")
    claims = AnchorClaims("pkg-1", "a" * 64, 3, "b" * 64)
    anchor = sign_anchor(claims, load_private_key(key_file))
    public = load_public_key(pub_file)
    assert signature_valid(anchor, public)
    for field, value in (
        ("package_id", "pkg-2"),
        ("manifest_sha256", "c" * 64),
        ("custody_entries", 2),
        ("custody_head_hash", "d" * 64),
        ("format", "cctvscope-evidence-anchor/0"),
    ):
        assert not signature_valid({**anchor, field: value}, public), field
