"""Evidence packages: a zip of masters, a manifest and the custody log, and their verification.

Layout of a package::

    files/<name>       each master, bit for bit, as supplied (renamed only if two share a name)
    manifest.json      request, place, window, cameras, and per file: sha256, size, camera,
                       clock offset, standard verdict; the custody log's entry count and last hash
    manifest.sha256    "<sha256 of manifest.json>  manifest.json"
    custody.jsonl      the request's hash-chained custody log up to packaging

:func:`verify_package` re-hashes everything and lists every problem. The detached
``manifest.sha256`` catches a changed manifest but not one changed *together*
with its hash: for that, compare with the manifest hash the vault's custody log
records in its ``package`` entry (written after the zip), or keep the hash apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from cctvscope import __version__
from cctvscope.errors import CctvscopeError
from cctvscope.evidence.requests import RequestRecord
from cctvscope.evidence.vault import (
    CHUNK,
    EvidenceVault,
    IntegrityError,
    parse_custody,
    utc_iso,
    verify_chain,
)

PACKAGE_FORMAT = "cctvscope-evidence-package/1"
"""The manifest's ``format``."""

MANIFEST = "manifest.json"
MANIFEST_HASH = "manifest.sha256"
CUSTODY = "custody.jsonl"
FILES_DIR = "files/"


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """What :func:`verify_package` found: ``ok`` when ``problems`` is empty."""

    path: Path
    files_checked: int = 0
    custody_entries: int = 0
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when nothing was wrong."""
        return not self.problems


def _unique_name(name: str, sha256: str, taken: set[str]) -> str:
    safe = PurePosixPath(name.replace("\\", "/")).name or sha256
    if safe in taken:
        stem, suffix = PurePosixPath(safe).stem, PurePosixPath(safe).suffix
        safe = f"{stem}.{sha256[:12]}{suffix}"
    taken.add(safe)
    return safe


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else utc_iso(value)


def write_package(
    vault: EvidenceVault,
    request: RequestRecord,
    out_zip: Path,
    *,
    actor: str,
    origin: str = "cctvscope",
    audit_verdicts: Mapping[str, str] | None = None,
    standard_version: str | None = None,
    now: dt.datetime | None = None,
) -> Path:
    """Write the evidence package of ``request`` to ``out_zip`` and log it in the vault.

    Every master is re-hashed as it is copied; on any mismatch the partial zip is
    removed and :class:`IntegrityError` raised. ``audit_verdicts`` maps camera id
    to the footage audit's verdict against ``standard_version``. After the zip is
    complete, a ``package`` custody entry records its path and the manifest's hash.
    """
    out_zip = Path(out_zip)
    items = vault.items(request.key)
    if not items:
        raise CctvscopeError(f"request {request.id} has no evidence files to package")
    custody = vault.custody(request.key)
    broken = verify_chain(custody)
    if broken is not None:
        raise IntegrityError(f"custody log of request {request.id} is broken: {broken}")
    verdicts = dict(audit_verdicts or {})
    created = now or dt.datetime.now(dt.UTC)
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
                    }
                )
            custody_text = "".join(entry.to_json() + "\n" for entry in custody)
            manifest = {
                "format": PACKAGE_FORMAT,
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
                "time_window": {
                    "start": _iso(request.window_start),
                    "end": _iso(request.window_end),
                },
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
                "files": files,
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
            manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n"
            manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
            archive.writestr(MANIFEST, manifest_bytes)
            archive.writestr(MANIFEST_HASH, f"{manifest_sha}  {MANIFEST}\n")
            archive.writestr(CUSTODY, custody_text)
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
            "manifest_sha256": manifest_sha,
            "files": [f["sha256"] for f in files],
        },
    )
    return out_zip


def _member_hash(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(name) as member:
        while chunk := member.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError)


def _check_custody(
    archive: zipfile.ZipFile, manifest: Mapping[str, Any], problems: list[str]
) -> int:
    try:
        entries = parse_custody(archive.read(CUSTODY).decode("utf-8"))
    except (*_READ_ERRORS, UnicodeDecodeError, IntegrityError) as exc:
        problems.append(f"{CUSTODY}: unreadable ({exc})")
        return 0
    broken = verify_chain(entries)
    if broken is not None:
        problems.append(f"{CUSTODY}: {broken}")
    record = manifest.get("custody") or {}
    expected = record.get("entries")
    if expected != len(entries):
        problems.append(
            f"{CUSTODY}: {len(entries)} entries, the manifest records {expected} "
            "(entries removed or added)"
        )
    last = entries[-1].entry_hash if entries else None
    if record.get("last_entry_hash") != last:
        problems.append(f"{CUSTODY}: last entry hash differs from the manifest's")
    return len(entries)


def verify_package(zip_path: Path) -> VerificationReport:
    """Re-hash everything in a package; the report lists every problem found.

    Checks: the manifest against ``manifest.sha256``; each listed file present
    with the listed size and SHA-256; no file that the manifest does not list; the
    custody chain whole, with the entry count and last hash the manifest records.
    """
    path = Path(zip_path)
    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return VerificationReport(path, problems=(f"{path}: not a readable zip ({exc})",))
    with archive:
        names = archive.namelist()
        duplicates = sorted({n for n in names if names.count(n) > 1})
        problems.extend(f"{n}: appears more than once in the zip" for n in duplicates)
        try:
            manifest_bytes = archive.read(MANIFEST)
            recorded = archive.read(MANIFEST_HASH).decode("ascii").split()[0]
        except (*_READ_ERRORS, UnicodeDecodeError, IndexError) as exc:
            return VerificationReport(
                path, problems=(*problems, f"manifest or its hash unreadable: {exc}")
            )
        if hashlib.sha256(manifest_bytes).hexdigest() != recorded:
            problems.append(f"{MANIFEST}: changed (its SHA-256 differs from {MANIFEST_HASH})")
        try:
            manifest = json.loads(manifest_bytes)
            listed = {str(f["name"]): f for f in manifest["files"]}
        except (ValueError, KeyError, TypeError) as exc:
            return VerificationReport(
                path, problems=(*problems, f"{MANIFEST}: not a package manifest ({exc})")
            )
        expected = {MANIFEST, MANIFEST_HASH, CUSTODY, *listed}
        for extra in sorted(set(names) - expected):
            problems.append(f"{extra}: in the zip but not in the manifest")
        checked = 0
        for name, entry in listed.items():
            if name not in names:
                problems.append(f"{name}: listed in the manifest but missing")
                continue
            try:
                sha, size = _member_hash(archive, name)
            except _READ_ERRORS as exc:
                problems.append(f"{name}: unreadable, content changed ({exc})")
                continue
            checked += 1
            if sha != entry.get("sha256"):
                problems.append(f"{name}: SHA-256 {sha} differs from the manifest's")
            if size != entry.get("size"):
                problems.append(f"{name}: {size} bytes, the manifest records {entry.get('size')}")
        if CUSTODY in names:
            entries = _check_custody(archive, manifest, problems)
        else:
            problems.append(f"{CUSTODY}: missing")
            entries = 0
    return VerificationReport(
        path, files_checked=checked, custody_entries=entries, problems=tuple(problems)
    )
