"""Evidence packages: a clean package verifies; every kind of tampering is reported."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest

from cctvscope.evidence.package import verify_package, write_package
from cctvscope.evidence.requests import RequestCamera, RequestRecord
from cctvscope.evidence.vault import EvidenceVault, IntegrityError

T0 = dt.datetime(2026, 11, 20, 22, 0, tzinfo=dt.UTC)


def _request() -> RequestRecord:
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


@pytest.fixture
def package(tmp_path: Path) -> tuple[EvidenceVault, Path]:
    vault = EvidenceVault(tmp_path / "vault")
    for name, data in (("a.mkv", b"first export" * 50), ("b.mkv", b"second export" * 70)):
        src = tmp_path / name
        src.write_bytes(data)
        vault.intake(
            src, request_id="7", camera_id="C1", actor="pc1", origin="host", clock_offset_s=3.0
        )
    out = write_package(
        vault,
        _request(),
        tmp_path / "pkg.zip",
        actor="pc1",
        audit_verdicts={"C1": "pass"},
        standard_version="london-cctv v1.0",
    )
    return vault, out


def _rewrite(src: Path, dest: Path, change: dict[str, bytes | None], add: dict[str, bytes]) -> None:
    """Copy a zip, replacing (or, for None, dropping) members and adding others."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dest, "w") as new:
        for name in old.namelist():
            if name in change:
                if change[name] is not None:
                    new.writestr(name, change[name])  # type: ignore[arg-type]
            else:
                new.writestr(name, old.read(name))
        for name, data in add.items():
            new.writestr(name, data)


def test_clean_package_verifies(package):
    vault, out = package
    report = verify_package(out)
    assert report.ok, report.problems
    assert report.files_checked == 2
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert sorted(archive.namelist()) == [
            "custody.jsonl",
            "files/a.mkv",
            "files/b.mkv",
            "manifest.json",
            "manifest.sha256",
        ]
    first = manifest["files"][0]
    assert first["camera_id"] == "C1" and first["clock_offset_s"] == 3.0
    assert first["standard_verdict"] == "pass"
    assert manifest["standard_version"] == "london-cctv v1.0"
    assert manifest["time_window"]["start"] == T0.isoformat()
    assert manifest["custody"]["entries"] == report.custody_entries == 2
    assert vault.custody("7")[-1].action == "package"


def test_tampered_file_is_named(package, tmp_path):
    _, out = package
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(out) as archive:
        data = bytearray(archive.read("files/a.mkv"))
    data[5] ^= 0xFF
    _rewrite(out, bad, {"files/a.mkv": bytes(data)}, {})
    report = verify_package(bad)
    assert not report.ok
    assert any(p.startswith("files/a.mkv: SHA-256") for p in report.problems)
    assert not any("b.mkv" in p for p in report.problems)


def test_byte_flipped_in_the_zip_is_caught(tmp_path):
    vault = EvidenceVault(tmp_path / "vault")
    src = tmp_path / "raw.bin"
    marker = b"UNIQUEMARKER"
    src.write_bytes(marker + bytes(range(256)) * 4)
    vault.intake(src, request_id="7", camera_id="C1", actor="a", origin="o")
    out = write_package(vault, _request(), tmp_path / "p.zip", actor="a")
    # Store the member uncompressed so that its bytes can be found and flipped in place.
    stored = tmp_path / "stored.zip"
    with zipfile.ZipFile(out) as old, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as new:
        for name in old.namelist():
            new.writestr(name, old.read(name))
    raw = bytearray(stored.read_bytes())
    at = raw.index(marker)
    raw[at] ^= 0x01
    stored.write_bytes(bytes(raw))
    report = verify_package(stored)
    assert any(p.startswith("files/raw.bin") for p in report.problems), report.problems


def test_tampered_manifest_fails(package, tmp_path):
    _, out = package
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["files"][0]["camera_id"] = "C999"
    _rewrite(out, bad, {"manifest.json": json.dumps(manifest).encode()}, {})
    report = verify_package(bad)
    assert any(p.startswith("manifest.json: changed") for p in report.problems)


def test_removed_custody_entry_names_the_broken_link(package, tmp_path):
    _, out = package
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(out) as archive:
        lines = archive.read("custody.jsonl").decode().splitlines()
    _rewrite(out, bad, {"custody.jsonl": (lines[1] + "\n").encode()}, {})
    report = verify_package(bad)
    assert any("custody entry 1 (seq 2)" in p for p in report.problems), report.problems
    assert any("1 entries, the manifest records 2" in p for p in report.problems)

    truncated = tmp_path / "truncated.zip"  # last entry removed: the chain alone is whole
    _rewrite(out, truncated, {"custody.jsonl": (lines[0] + "\n").encode()}, {})
    assert any("entries removed" in p for p in verify_package(truncated).problems)


def test_extra_and_missing_files_fail(package, tmp_path):
    _, out = package
    bad = tmp_path / "bad.zip"
    _rewrite(out, bad, {"files/b.mkv": None}, {"files/planted.mkv": b"x"})
    problems = verify_package(bad).problems
    assert "files/planted.mkv: in the zip but not in the manifest" in problems
    assert "files/b.mkv: listed in the manifest but missing" in problems


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"nope")
    assert not verify_package(path).ok


def test_package_refuses_altered_master(package, tmp_path):
    vault, _ = package
    item = vault.items("7")[0]
    path = vault.object_path(item.sha256)
    path.chmod(0o644)
    path.write_bytes(b"swapped")
    out = tmp_path / "again.zip"
    with pytest.raises(IntegrityError, match="altered"):
        write_package(vault, _request(), out, actor="pc1")
    assert not out.exists()
    assert not list(tmp_path.glob(".again.zip.partial"))
