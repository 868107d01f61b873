"""Verification of an evidence package: every link, every failure named.

The links, each checked on its own so that one rewritten value cannot hide behind
another that was rewritten to match:

* each file's computed SHA-256 and size = the manifest's (``file_hash``, ``file_size``);
* each file = the custody log's intake entry of that item: hash, size, camera
  (``custody_intake``), and every item the log took in is in the package
  (``not_packaged``);
* the custody chain is whole: hash-linked, ``seq`` without gaps (``custody_chain``),
  with the manifest's count and head hash (``custody_count``, ``custody_head``);
* the manifest matches ``manifest.sha256`` (``manifest_hash``);
* the anchor: signed by the expected key (``anchor_key``), a valid signature
  (``anchor_signature``), and the signed package id, manifest hash, custody count and
  head hash equal the package's (``anchor_claim``).

Everything in the zip but the anchor can be rewritten consistently by whoever holds
it (a swapped file with its hash rewritten in the manifest, a dropped last custody
entry with the manifest's count fixed, ``manifest.sha256`` recomputed); only the
anchor's signature, made with a key kept outside the package, cannot. So a package
is ``verified`` only when the signature was checked with the signer's public key;
without a key, or without an anchor, the best it can be is ``unanchored``.
"""

from __future__ import annotations

import enum
import hashlib
import json
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cctvscope.evidence.package import ANCHOR, CUSTODY, MANIFEST, MANIFEST_HASH
from cctvscope.evidence.signing import fingerprint, read_claims, signature_valid
from cctvscope.evidence.vault import (
    CHUNK,
    CustodyEntry,
    IntegrityError,
    first_intakes,
    parse_custody,
    verify_chain,
)


class Check(enum.StrEnum):
    """Which link a finding is about."""

    ZIP = "zip"
    MANIFEST = "manifest"
    MANIFEST_HASH = "manifest_hash"
    EXTRA_FILE = "extra_file"
    MISSING_FILE = "missing_file"
    FILE_HASH = "file_hash"
    FILE_SIZE = "file_size"
    CUSTODY = "custody"
    CUSTODY_CHAIN = "custody_chain"
    CUSTODY_COUNT = "custody_count"
    CUSTODY_HEAD = "custody_head"
    CUSTODY_INTAKE = "custody_intake"
    NOT_PACKAGED = "not_packaged"
    ANCHOR = "anchor"
    ANCHOR_KEY = "anchor_key"
    ANCHOR_SIGNATURE = "anchor_signature"
    ANCHOR_CLAIM = "anchor_claim"


@dataclass(frozen=True, slots=True)
class VerifyFinding:
    """One failed link: what (``subject``: a member, entry or the anchor), which check, why."""

    subject: str
    check: Check
    reason: str
    expected: object = None
    found: object = None

    def __str__(self) -> str:
        text = f"{self.subject}: {self.reason}"
        if self.expected is not None or self.found is not None:
            text += f" (expected {self.expected}, found {self.found})"
        return text


AnchorState = Literal["verified", "unchecked", "missing", "failed"]
"""``verified``: signature checked with the given key and every claim matches; ``unchecked``:
no public key given; ``missing``: the package has no anchor; ``failed``: see the findings."""


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """What :func:`verify_package` found.

    ``status``: ``failed`` when any link failed; ``verified`` only when nothing failed
    *and* the anchor's signature was checked; otherwise ``unanchored`` (the package
    is self-consistent, which a tamperer can arrange, so it cannot be trusted).
    """

    path: Path
    files_checked: int = 0
    custody_entries: int = 0
    findings: tuple[VerifyFinding, ...] = field(default_factory=tuple)
    anchor: AnchorState = "unchecked"
    key_fingerprint: str | None = None  # of the key the anchor says signed it

    @property
    def problems(self) -> tuple[str, ...]:
        """Each finding as one line of text."""
        return tuple(str(f) for f in self.findings)

    @property
    def status(self) -> Literal["verified", "failed", "unanchored"]:
        """The verdict: see the class docstring."""
        if self.findings:
            return "failed"
        return "verified" if self.anchor == "verified" else "unanchored"

    @property
    def ok(self) -> bool:
        """True only for a package verified against its signer's public key."""
        return self.status == "verified"

    def unanchored_reason(self) -> str:
        """Why an unanchored package cannot be trusted, in one sentence."""
        if self.anchor == "missing":
            return (
                "the package has no signed anchor: its manifest, custody count and head "
                "hash could have been rewritten together"
            )
        return (
            f"no public key given, so the anchor (signed by {self.key_fingerprint}) was not "
            "checked: the manifest, custody count and head hash could have been rewritten "
            "together; verify with --public-key"
        )


_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError)


def _member_hash(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(name) as member:
        while chunk := member.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class _Checker:
    """The findings of one verification, gathered as each link is checked."""

    def __init__(self) -> None:
        self.findings: list[VerifyFinding] = []

    def fail(
        self, subject: str, check: Check, reason: str, expected: object = None, found: object = None
    ) -> None:
        self.findings.append(VerifyFinding(subject, check, reason, expected, found))

    def equal(
        self, subject: str, check: Check, reason: str, expected: object, found: object
    ) -> bool:
        """Record a finding unless ``expected == found``; True when they are equal."""
        if expected == found:
            return True
        self.fail(subject, check, reason, expected, found)
        return False


def _read_custody(archive: zipfile.ZipFile, out: _Checker) -> list[CustodyEntry] | None:
    try:
        return parse_custody(archive.read(CUSTODY).decode("utf-8"))
    except KeyError:
        out.fail(CUSTODY, Check.CUSTODY, "missing from the zip")
    except (*_READ_ERRORS, UnicodeDecodeError, IntegrityError) as exc:
        out.fail(CUSTODY, Check.CUSTODY, f"unreadable ({exc})")
    return None


def _check_chain(
    entries: Sequence[CustodyEntry], manifest: Mapping[str, Any], out: _Checker
) -> None:
    broken = verify_chain(entries)
    if broken is not None:
        subject = f"custody entry {broken.index + 1} (seq {broken.seq})"
        out.fail(subject, Check.CUSTODY_CHAIN, broken.reason)
    record = manifest.get("custody") or {}
    out.equal(
        CUSTODY,
        Check.CUSTODY_COUNT,
        "entry count differs from the manifest's (entries removed or added)",
        record.get("entries"),
        len(entries),
    )
    out.equal(
        CUSTODY,
        Check.CUSTODY_HEAD,
        "last entry hash differs from the manifest's",
        record.get("last_entry_hash"),
        entries[-1].entry_hash if entries else None,
    )


def _check_files(
    archive: zipfile.ZipFile,
    listed: Mapping[str, Mapping[str, Any]],
    entries: Sequence[CustodyEntry] | None,
    out: _Checker,
) -> int:
    """Each listed file against the manifest and its custody intake; the number re-hashed."""
    names = set(archive.namelist())
    by_seq = {entry.seq: entry for entry in entries or ()}
    checked = 0
    for name, record in listed.items():
        if name not in names:
            out.fail(name, Check.MISSING_FILE, "listed in the manifest but missing")
            continue
        try:
            sha, size = _member_hash(archive, name)
        except _READ_ERRORS as exc:
            out.fail(name, Check.FILE_HASH, f"unreadable, content changed ({exc})")
            continue
        checked += 1
        out.equal(
            name, Check.FILE_HASH, "SHA-256 differs from the manifest's", record.get("sha256"), sha
        )
        out.equal(
            name, Check.FILE_SIZE, "size differs from the manifest's", record.get("size"), size
        )
        if entries is None:
            continue  # the custody log itself is reported unreadable
        seq = record.get("intake_seq")
        intake = by_seq.get(seq) if isinstance(seq, int) else None
        if intake is None or intake.action != "intake":
            out.fail(
                name,
                Check.CUSTODY_INTAKE,
                f"the manifest's intake entry (seq {seq}) is not an intake in the custody log",
            )
            continue
        where = f"differs from the custody log's intake (seq {intake.seq})"
        out.equal(name, Check.CUSTODY_INTAKE, f"SHA-256 {where}", intake.sha256, sha)
        out.equal(name, Check.CUSTODY_INTAKE, f"size {where}", intake.detail.get("size"), size)
        out.equal(
            name,
            Check.CUSTODY_INTAKE,
            f"camera {where}",
            intake.detail.get("camera_id"),
            record.get("camera_id"),
        )
    if entries is not None:
        packaged = {record.get("intake_seq") for record in listed.values()}
        for intake in first_intakes(entries):
            if intake.seq not in packaged:
                out.fail(
                    f"custody entry seq {intake.seq}",
                    Check.NOT_PACKAGED,
                    f"the intake of {intake.sha256} is not in the package",
                )
    return checked


def _check_anchor(
    archive: zipfile.ZipFile,
    manifest: Mapping[str, Any],
    manifest_sha: str,
    entries: Sequence[CustodyEntry] | None,
    public_key: Ed25519PublicKey | None,
    out: _Checker,
) -> tuple[AnchorState, str | None]:
    """The anchor's state and signer; the signed claims are compared even without a key."""
    try:
        anchor = json.loads(archive.read(ANCHOR))
        claims = read_claims(anchor)
    except KeyError:
        if public_key is not None:
            out.fail(ANCHOR, Check.ANCHOR, "missing: the package is unsigned")
        return "missing", None
    except (*_READ_ERRORS, ValueError) as exc:
        out.fail(ANCHOR, Check.ANCHOR, f"unreadable ({exc})")
        return "failed", None
    signer = str(anchor.get("key_fingerprint"))
    before = len(out.findings)
    claim = "signed {} differs from the package's"
    out.equal(
        ANCHOR,
        Check.ANCHOR_CLAIM,
        claim.format("package id"),
        claims.package_id,
        manifest.get("package_id"),
    )
    out.equal(
        ANCHOR,
        Check.ANCHOR_CLAIM,
        claim.format("manifest SHA-256"),
        claims.manifest_sha256,
        manifest_sha,
    )
    if entries is not None:
        head = entries[-1].entry_hash if entries else None
        out.equal(
            ANCHOR,
            Check.ANCHOR_CLAIM,
            claim.format("custody entry count"),
            claims.custody_entries,
            len(entries),
        )
        out.equal(
            ANCHOR,
            Check.ANCHOR_CLAIM,
            claim.format("custody head hash"),
            claims.custody_head_hash,
            head,
        )
    if public_key is None:
        return ("failed" if len(out.findings) > before else "unchecked"), signer
    if not out.equal(
        ANCHOR,
        Check.ANCHOR_KEY,
        "signed by another key than the one given",
        signer,
        fingerprint(public_key),
    ):
        return "failed", signer
    if not signature_valid(anchor, public_key):
        out.fail(ANCHOR, Check.ANCHOR_SIGNATURE, "signature invalid: the anchor was altered")
        return "failed", signer
    return ("failed" if len(out.findings) > before else "verified"), signer


def verify_package(
    zip_path: Path, public_key: Ed25519PublicKey | None = None
) -> VerificationReport:
    """Check every link of a package (module docstring); the report names each failure.

    ``public_key``: the signer's public key (``KEY.pub``); without it the anchor's
    signature cannot be checked and an otherwise clean package is ``unanchored``.
    """
    path = Path(zip_path)
    out = _Checker()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        out.fail(str(path), Check.ZIP, f"not a readable zip ({exc})")
        return VerificationReport(path, findings=tuple(out.findings), anchor="failed")
    with archive:
        names = archive.namelist()
        for name in sorted({n for n in names if names.count(n) > 1}):
            out.fail(name, Check.ZIP, "appears more than once in the zip")
        try:
            manifest_bytes = archive.read(MANIFEST)
            recorded = archive.read(MANIFEST_HASH).decode("ascii").split()[0]
            manifest = json.loads(manifest_bytes)
            listed = {str(f["name"]): f for f in manifest["files"]}
        except (*_READ_ERRORS, UnicodeDecodeError, IndexError, ValueError, TypeError) as exc:
            out.fail(MANIFEST, Check.MANIFEST, f"manifest or its hash unreadable ({exc!r})")
            return VerificationReport(path, findings=tuple(out.findings), anchor="failed")
        manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
        out.equal(
            MANIFEST,
            Check.MANIFEST_HASH,
            f"changed: its SHA-256 differs from {MANIFEST_HASH}",
            recorded,
            manifest_sha,
        )
        for extra in sorted(set(names) - {MANIFEST, MANIFEST_HASH, CUSTODY, ANCHOR, *listed}):
            out.fail(extra, Check.EXTRA_FILE, "in the zip but not in the manifest")
        entries = _read_custody(archive, out)
        if entries is not None:
            _check_chain(entries, manifest, out)
        checked = _check_files(archive, listed, entries, out)
        anchor, signer = _check_anchor(archive, manifest, manifest_sha, entries, public_key, out)
    return VerificationReport(
        path,
        files_checked=checked,
        custody_entries=len(entries or ()),
        findings=tuple(out.findings),
        anchor=anchor,
        key_fingerprint=signer,
    )
