"""Evidence packages: a zip of masters, a manifest, the custody log and a signed anchor.

Layout of a package::

    files/<name>       each master, bit for bit, as supplied (renamed only if two share a name)
    manifest.json      package id, request, place, window, cameras, and per file: sha256, size,
                       camera, clock offset, standard verdict, the custody entry of its intake;
                       the custody log's entry count and last hash
    manifest.sha256    "<sha256 of manifest.json>  manifest.json"
    custody.jsonl      the request's hash-chained custody log up to packaging
    anchor.json        Ed25519 signature over the package id, the manifest's SHA-256 and the
                       custody count and head hash (:mod:`~cctvscope.evidence.signing`)

Everything but the anchor can be rewritten consistently by whoever holds the zip;
the anchor cannot without the private key, which never enters the package.
:func:`~cctvscope.evidence.verify.verify_package` checks every link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cctvscope import __version__
from cctvscope.errors import CctvscopeError
from cctvscope.evidence.requests import RequestRecord
from cctvscope.evidence.signing import AnchorClaims, sign_anchor
from cctvscope.evidence.vault import (
    CustodyEntry,
    EvidenceVault,
    IntegrityError,
    first_intakes,
    utc_iso,
    verify_chain,
)

PACKAGE_FORMAT = "cctvscope-evidence-package/2"
"""The manifest's ``format`` (2: package id, each file's intake entry, the signed anchor)."""

MANIFEST = "manifest.json"
MANIFEST_HASH = "manifest.sha256"
CUSTODY = "custody.jsonl"
ANCHOR = "anchor.json"
FILES_DIR = "files/"


def _unique_name(name: str, sha256: str, taken: set[str]) -> str:
    safe = PurePosixPath(name.replace("\\", "/")).name or sha256
    if safe in taken:
        stem, suffix = PurePosixPath(safe).stem, PurePosixPath(safe).suffix
        safe = f"{stem}.{sha256[:12]}{suffix}"
    taken.add(safe)
    return safe


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else utc_iso(value)


def _manifest(
    request: RequestRecord,
    files: Sequence[Mapping[str, Any]],
    custody: Sequence[CustodyEntry],
    verdicts: Mapping[str, str],
    *,
    package_id: str,
    created: dt.datetime,
    actor: str,
    standard_version: str | None,
) -> dict[str, Any]:
    return {
        "format": PACKAGE_FORMAT,
        "package_id": package_id,
        "request": {
            "id": request.id,
            "holder": request.holder,
            "owner_type": request.owner_type,
            "borough_code": request.borough_code,
            "state": request.state,
            "requested_by": request.requested_by,
            "requested_at": _iso(request.requested_at),
            "supplied_at": _iso(request.supplied_at),
            "outside_retention": request.outside_retention,
        },
        "place": {"x_m": request.place_x_m, "y_m": request.place_y_m, "crs": "EPSG:27700"},
        "time_window": {"start": _iso(request.window_start), "end": _iso(request.window_end)},
        "cameras": [
            {
                "camera_id": c.camera_id,
                "borough_code": c.borough_code,
                "owner_type": c.owner_type,
                "level": c.level,
                "retention_days": c.retention_days,
                "outside_retention": c.outside_retention,
                "export_formats": c.export_formats,
                "standard_verdict": verdicts.get(c.camera_id),
            }
            for c in request.cameras
        ],
        "files": list(files),
        "custody": {
            "file": CUSTODY,
            "entries": len(custody),
            "last_entry_hash": custody[-1].entry_hash if custody else None,
        },
        "created": utc_iso(created),
        "created_by": actor,
        "cctvscope_version": __version__,
        "standard_version": standard_version,
        "hash_algorithm": "sha256",
    }


def write_package(
    vault: EvidenceVault,
    request: RequestRecord,
    out_zip: Path,
    *,
    actor: str,
    signing_key: Ed25519PrivateKey,
    origin: str = "cctvscope",
    audit_verdicts: Mapping[str, str] | None = None,
    standard_version: str | None = None,
    now: dt.datetime | None = None,
) -> Path:
    """Write the evidence package of ``request`` to ``out_zip``, signed, and log it in the vault.

    Every master is re-hashed as it is copied; on any mismatch the partial zip is
    removed and :class:`IntegrityError` raised. ``audit_verdicts`` maps camera id
    to the footage audit's verdict against ``standard_version``. ``signing_key``
    signs the anchor (:mod:`~cctvscope.evidence.signing`); it is required so that no
    package leaves unanchored. After the zip is complete, a ``package`` custody
    entry records its path, id, manifest hash and the signing key's fingerprint.
    """
    out_zip = Path(out_zip)
    items = vault.items(request.key)
    if not items:
        raise CctvscopeError(f"request {request.id} has no evidence files to package")
    custody = vault.custody(request.key)
    broken = verify_chain(custody)
    if broken is not None:
        raise IntegrityError(f"custody log of request {request.id} is broken: {broken}")
    intake_seq = {entry.sha256: entry.seq for entry in first_intakes(custody)}
    verdicts = dict(audit_verdicts or {})
    created = now or dt.datetime.now(dt.UTC)
    package_id = str(uuid.uuid4())
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_zip.with_name(f".{out_zip.name}.partial")
    taken: set[str] = set()
    files: list[dict[str, Any]] = []
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for item in items:
                name = FILES_DIR + _unique_name(item.name, item.sha256, taken)
                with archive.open(name, "w", force_zip64=True) as member:
                    size = vault.copy_to(item.sha256, member)
                files.append(
                    {
                        "name": name,
                        "sha256": item.sha256,
                        "size": size,
                        "camera_id": item.camera_id,
                        "clock_offset_s": item.clock_offset_s,
                        "standard_verdict": verdicts.get(item.camera_id),
                        "intake_at": utc_iso(item.intake_at),
                        "intake_by": item.intake_by,
                        "intake_seq": intake_seq[item.sha256],
                    }
                )
            manifest = _manifest(
                request,
                files,
                custody,
                verdicts,
                package_id=package_id,
                created=created,
                actor=actor,
                standard_version=standard_version,
            )
            manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n"
            manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
            claims = AnchorClaims(
                package_id=package_id,
                manifest_sha256=manifest_sha,
                custody_entries=len(custody),
                custody_head_hash=custody[-1].entry_hash if custody else None,
            )
            anchor = sign_anchor(claims, signing_key)
            archive.writestr(MANIFEST, manifest_bytes)
            archive.writestr(MANIFEST_HASH, f"{manifest_sha}  {MANIFEST}\n")
            archive.writestr(CUSTODY, "".join(entry.to_json() + "\n" for entry in custody))
            archive.writestr(ANCHOR, json.dumps(anchor, indent=2, sort_keys=True) + "\n")
        tmp.replace(out_zip)
    finally:
        tmp.unlink(missing_ok=True)
    vault.log(
        request.key,
        actor=actor,
        action="package",
        origin=origin,
        at=created,
        detail={
            "path": str(out_zip.resolve()),
            "package_id": package_id,
            "manifest_sha256": manifest_sha,
            "key_fingerprint": anchor["key_fingerprint"],
            "files": [f["sha256"] for f in files],
        },
    )
    return out_zip
