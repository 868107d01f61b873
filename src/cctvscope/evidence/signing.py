"""The package anchor: an Ed25519 signature over what a package must not lose.

A package's ``manifest.sha256`` and the custody count and head hash in its manifest
can all be rewritten by whoever holds the zip, together and consistently. The anchor
closes that gap: the packager signs the package id, the manifest's SHA-256 and the
custody log's entry count and head (last entry) hash with a private key kept
*outside* the package. The package carries only the signature and the public key's
fingerprint; anyone with the public key (``KEY.pub``, handed over separately)
verifies it offline.

Key files: the private key is PKCS#8 PEM, unencrypted, written with mode 0600
(loading refuses one that others may read, as ssh does); the public key is
SubjectPublicKeyInfo PEM beside it as ``KEY.pub``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cctvscope.errors import CctvscopeError
from cctvscope.evidence.vault import canonical_json

ANCHOR_FORMAT = "cctvscope-evidence-anchor/1"
"""The anchor's ``format``; part of what is signed, so a signature cannot be reused elsewhere."""

ALGORITHM = "Ed25519"
PUBLIC_SUFFIX = ".pub"


class KeyFileError(CctvscopeError):
    """A signing or public key file is missing, unreadable, not Ed25519 or too exposed."""


def public_key_path(private_key: Path) -> Path:
    """Where :func:`generate_key` puts the public key of ``private_key``: ``KEY.pub``."""
    return private_key.with_name(private_key.name + PUBLIC_SUFFIX)


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """``SHA256:<hex>`` of the raw 32-byte public key: names the key without carrying it."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + hashlib.sha256(raw).hexdigest()


def generate_key(out: Path) -> tuple[Path, Path]:
    """Write a new private key to ``out`` (mode 0600) and its public key to ``out.pub``.

    Refuses to overwrite either file: replacing a signing key silently would leave
    packages signed with the old one unverifiable by the new ``.pub``.
    """
    out = Path(out)
    pub = public_key_path(out)
    for path in (out, pub):
        if path.exists():
            raise KeyFileError(f"{path} already exists: not overwriting a key")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    # Created 0600 in one step (O_EXCL), so the key is never readable by others, even briefly.
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem)
    pub.write_bytes(public_pem)
    return out, pub


def _key_bytes(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read the {what} {path}: {exc.strerror or exc}") from exc


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in ``path``; refused when group or others may read it."""
    path = Path(path)
    data = _key_bytes(path, "signing key")
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"signing key {path} is accessible to other users: chmod 600 {path} "
            "(a key others can read cannot vouch for who signed)"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path} is not an unencrypted PEM private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in ``path`` (PEM, as ``cctvscope evidence keygen`` writes it)."""
    data = _key_bytes(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path} is not a PEM public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path} is not an Ed25519 public key")
    return key


@dataclass(frozen=True, slots=True)
class AnchorClaims:
    """What the anchor vouches for: the values a tamperer would have to change together."""

    package_id: str
    manifest_sha256: str
    custody_entries: int
    custody_head_hash: str | None

    def payload(self) -> bytes:
        """The exact bytes signed: canonical JSON of the claims and the anchor format."""
        return canonical_json(
            {
                "format": ANCHOR_FORMAT,
                "package_id": self.package_id,
                "manifest_sha256": self.manifest_sha256,
                "custody_entries": self.custody_entries,
                "custody_head_hash": self.custody_head_hash,
            }
        )


def sign_anchor(claims: AnchorClaims, key: Ed25519PrivateKey) -> dict[str, Any]:
    """The anchor document (``anchor.json``): the claims, the key's fingerprint, the signature."""
    return {
        "format": ANCHOR_FORMAT,
        "algorithm": ALGORITHM,
        "package_id": claims.package_id,
        "manifest_sha256": claims.manifest_sha256,
        "custody_entries": claims.custody_entries,
        "custody_head_hash": claims.custody_head_hash,
        "key_fingerprint": fingerprint(key.public_key()),
        "signature": base64.b64encode(key.sign(claims.payload())).decode("ascii"),
    }


def read_claims(anchor: Mapping[str, Any]) -> AnchorClaims:
    """The claims of an anchor document; :class:`ValueError` when a field is missing or bad."""
    try:
        head = anchor["custody_head_hash"]
        return AnchorClaims(
            package_id=str(anchor["package_id"]),
            manifest_sha256=str(anchor["manifest_sha256"]),
            custody_entries=int(anchor["custody_entries"]),
            custody_head_hash=None if head is None else str(head),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not an anchor: {exc!r}") from exc


def signature_valid(anchor: Mapping[str, Any], public_key: Ed25519PublicKey) -> bool:
    """True when the anchor's signature is ``public_key``'s over the anchor's own claims."""
    if anchor.get("format") != ANCHOR_FORMAT or anchor.get("algorithm") != ALGORITHM:
        return False
    try:
        signature = base64.b64decode(str(anchor["signature"]), validate=True)
        public_key.verify(signature, read_claims(anchor).payload())
    except (KeyError, ValueError, InvalidSignature):
        return False
    return True
