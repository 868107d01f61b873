"""Evidence test builders: a request, a signed package of two files, zip rewriting."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cctvscope.evidence.package import write_package
from cctvscope.evidence.requests import RequestCamera, RequestRecord
from cctvscope.evidence.signing import generate_key, load_private_key
from cctvscope.evidence.vault import EvidenceVault

T0 = dt.datetime(2026, 11, 20, 22, 0, tzinfo=dt.UTC)


def make_request() -> RequestRecord:
    """Request 7 to Westminster for camera C1 (vault key ``"7"``)."""
    camera = RequestCamera("C1", "E09000033", "council", "identify", 31, T0, "native;mp4", False)
    return RequestRecord(
        id=7,
        holder="Westminster CC",
        owner_type="council",
        borough_code="E09000033",
        place_x_m=529000.0,
        place_y_m=180000.0,
        window_start=T0,
        window_end=T0 + dt.timedelta(hours=1),
        state="supplied",
        outside_retention=False,
        requested_by="pc1",
        requested_at=T0 + dt.timedelta(days=1),
        acknowledged_at=None,
        supplied_at=T0 + dt.timedelta(days=2),
        refused_at=None,
        expired_at=None,
        history=(),
        cameras=(camera,),
    )


@dataclass(frozen=True)
class Built:
    """A signed package and what made it."""

    vault: EvidenceVault
    zip: Path
    key: Path  # private signing key
    pub: Path  # its public key


def build_package(tmp_path: Path) -> Built:
    """Two intakes (seq 1, 2), then a state change (seq 3); packaged and signed."""
    vault = EvidenceVault(tmp_path / "vault")
    for name, data in (("a.mkv", b"first export" * 50), ("b.mkv", b"second export" * 70)):
        src = tmp_path / name
        src.write_bytes(data)
        vault.intake(
            src, request_id="7", camera_id="C1", actor="pc1", origin="host", clock_offset_s=3.0
        )
    vault.log("7", actor="pc1", action="state_change", origin="host", detail={"state": "supplied"})
    key, pub = generate_key(tmp_path / "keys" / "signing.key")
    out = write_package(
        vault,
        make_request(),
        tmp_path / "pkg.zip",
        actor="pc1",
        signing_key=load_private_key(key),
        audit_verdicts={"C1": "pass"},
        standard_version="london-cctv v1.0",
    )
    return Built(vault, out, key, pub)


def rewrite_zip(
    src: Path, dest: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None = None
) -> Path:
    """Copy a zip, replacing (or, for None, dropping) members and adding others."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dest, "w") as new:
        for name in old.namelist():
            if name not in change:
                new.writestr(name, old.read(name))
            elif (data := change[name]) is not None:
                new.writestr(name, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return dest


def read_member(zip_path: Path, name: str) -> bytes:
    """One member's bytes."""
    with zipfile.ZipFile(zip_path) as archive:
        return archive.read(name)


def with_manifest(manifest: dict[str, Any]) -> dict[str, bytes]:
    """The members of a rewritten manifest *and* its recomputed ``manifest.sha256``."""
    data = json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n"
    digest = hashlib.sha256(data).hexdigest()
    return {"manifest.json": data, "manifest.sha256": f"{digest}  manifest.json\n".encode()}
