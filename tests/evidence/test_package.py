"""Evidence packages: what a package holds; tampering with its members is reported."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from cctvscope.evidence.package import write_package
from cctvscope.evidence.signing import load_private_key, load_public_key
from cctvscope.evidence.vault import IntegrityError
from cctvscope.evidence.verify import Check, verify_package
from tests.evidence.builders import (
    T0,
    Built,
    build_package,
    make_request,
    read_member,
    rewrite_zip,
)


@pytest.fixture
def built(tmp_path: Path) -> Built:
    return build_package(tmp_path)


def test_clean_package_verifies(built):
    report = verify_package(built.zip, load_public_key(built.pub))
    assert report.ok, report.problems
    assert report.files_checked == 2
    with zipfile.ZipFile(built.zip) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        anchor = json.loads(archive.read("anchor.json"))
        assert sorted(archive.namelist()) == [
            "anchor.json",
            "custody.jsonl",
            "files/a.mkv",
            "files/b.mkv",
            "manifest.json",
            "manifest.sha256",
        ]
    first = manifest["files"][0]
    assert first["camera_id"] == "C1" and first["clock_offset_s"] == 3.0
    assert first["standard_verdict"] == "pass"
    assert [f["intake_seq"] for f in manifest["files"]] == [1, 2]
    assert manifest["standard_version"] == "london-cctv v1.0"
    assert manifest["time_window"]["start"] == T0.isoformat()
    assert manifest["custody"]["entries"] == report.custody_entries == 3
    logged = built.vault.custody("7")[-1]
    assert logged.action == "package"
    assert logged.detail["package_id"] == manifest["package_id"] == anchor["package_id"]
    assert logged.detail["key_fingerprint"] == anchor["key_fingerprint"] == report.key_fingerprint


def test_package_carries_no_key_material(built):
    """Only the signature and the key's fingerprint travel; neither key does."""
    key_pem = built.key.read_bytes()
    pub_pem = built.pub.read_bytes()
    with zipfile.ZipFile(built.zip) as archive:
        blob = b"".join(archive.read(n) for n in archive.namelist())
    for pem in (key_pem, pub_pem):
        body = b"".join(pem.splitlines()[1:-1])
        assert body not in blob


def test_tampered_file_is_named(built, tmp_path):
    with zipfile.ZipFile(built.zip) as archive:
        data = bytearray(archive.read("files/a.mkv"))
    data[5] ^= 0xFF
    bad = rewrite_zip(built.zip, tmp_path / "bad.zip", {"files/a.mkv": bytes(data)})
    report = verify_package(bad, load_public_key(built.pub))
    assert not report.ok
    assert {(f.subject, f.check) for f in report.findings} == {
        ("files/a.mkv", Check.FILE_HASH),
        ("files/a.mkv", Check.CUSTODY_INTAKE),
    }


def test_byte_flipped_in_the_zip_is_caught(tmp_path):
    built = build_package(tmp_path)
    # Store a member uncompressed so that its bytes can be found and flipped in place.
    stored = tmp_path / "stored.zip"
    with zipfile.ZipFile(built.zip) as old, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as new:
        for name in old.namelist():
            new.writestr(name, old.read(name))
    raw = bytearray(stored.read_bytes())
    at = raw.index(b"second export")
    raw[at] ^= 0x01
    stored.write_bytes(bytes(raw))
    report = verify_package(stored)
    assert any(f.subject == "files/b.mkv" for f in report.findings), report.problems


def test_tampered_manifest_fails(built, tmp_path):
    manifest = json.loads(read_member(built.zip, "manifest.json"))
    manifest["files"][0]["camera_id"] = "C999"
    bad = rewrite_zip(
        built.zip, tmp_path / "bad.zip", {"manifest.json": json.dumps(manifest).encode()}
    )
    report = verify_package(bad)
    checks = {(f.subject, f.check) for f in report.findings}
    assert ("manifest.json", Check.MANIFEST_HASH) in checks
    assert ("files/a.mkv", Check.CUSTODY_INTAKE) in checks  # camera differs from the intake's


def test_removed_middle_custody_entry_names_the_broken_link(built, tmp_path):
    lines = read_member(built.zip, "custody.jsonl").decode().splitlines()
    bad = rewrite_zip(
        built.zip, tmp_path / "bad.zip", {"custody.jsonl": "\n".join(lines[1:]).encode()}
    )
    findings = verify_package(bad).findings
    chain = [f for f in findings if f.check == Check.CUSTODY_CHAIN]
    assert [f.subject for f in chain] == ["custody entry 1 (seq 2)"]
    count = next(f for f in findings if f.check == Check.CUSTODY_COUNT)
    assert (count.expected, count.found) == (3, 2)


def test_extra_and_missing_files_fail(built, tmp_path):
    bad = rewrite_zip(
        built.zip, tmp_path / "bad.zip", {"files/b.mkv": None}, {"files/planted.mkv": b"x"}
    )
    problems = verify_package(bad).problems
    assert "files/planted.mkv: in the zip but not in the manifest" in problems
    assert "files/b.mkv: listed in the manifest but missing" in problems


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"nope")
    report = verify_package(path)
    assert report.status == "failed"
    assert [f.check for f in report.findings] == [Check.ZIP]


def test_package_refuses_altered_master(built, tmp_path):
    item = built.vault.items("7")[0]
    path = built.vault.object_path(item.sha256)
    path.chmod(0o644)
    path.write_bytes(b"swapped")
    out = tmp_path / "again.zip"
    with pytest.raises(IntegrityError, match="altered"):
        write_package(
            built.vault, make_request(), out, actor="pc1", signing_key=load_private_key(built.key)
        )
    assert not out.exists()
    assert not list(tmp_path.glob(".again.zip.partial"))
