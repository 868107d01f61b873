"""The attacks of issue 15 item 6, reproduced exactly, and the anchor's key checks.

Each attack rewrites everything a holder of the zip can rewrite consistently (the
manifest *and* ``manifest.sha256``); verification must still name the link that broke.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from cctvscope.evidence.signing import generate_key, load_public_key
from cctvscope.evidence.verify import Check, verify_package
from tests.evidence.builders import Built, build_package, read_member, rewrite_zip, with_manifest

SWAPPED = b"someone else's footage" * 40


@pytest.fixture
def built(tmp_path: Path) -> Built:
    return build_package(tmp_path)


def _manifest(built: Built) -> dict:
    return json.loads(read_member(built.zip, "manifest.json"))


def _swap_file_and_rewrite_manifest(built: Built, dest: Path) -> tuple[str, str]:
    """Swap files/a.mkv, put its hash and size in the manifest, recompute manifest.sha256."""
    manifest = _manifest(built)
    entry = next(f for f in manifest["files"] if f["name"] == "files/a.mkv")
    original = entry["sha256"]
    entry["sha256"] = hashlib.sha256(SWAPPED).hexdigest()
    entry["size"] = len(SWAPPED)
    rewrite_zip(built.zip, dest, {"files/a.mkv": SWAPPED, **with_manifest(manifest)})
    return original, entry["sha256"]


def _drop_last_custody_entry(built: Built) -> tuple[dict[str, bytes], list[dict]]:
    """Members for a zip without the last custody entry, the manifest's count and head fixed
    and ``manifest.sha256`` recomputed; and the custody entries as they were."""
    lines = read_member(built.zip, "custody.jsonl").decode().splitlines()
    manifest = _manifest(built)
    manifest["custody"]["entries"] = len(lines) - 1
    manifest["custody"]["last_entry_hash"] = json.loads(lines[-2])["entry_hash"]
    custody = "".join(line + "\n" for line in lines[:-1]).encode()
    return {"custody.jsonl": custody, **with_manifest(manifest)}, [json.loads(x) for x in lines]


def test_swapped_file_with_rewritten_manifest_names_the_custody_mismatch(built, tmp_path):
    bad = tmp_path / "swapped.zip"
    original, swapped = _swap_file_and_rewrite_manifest(built, bad)
    report = verify_package(bad, load_public_key(built.pub))
    assert report.status == "failed"
    by_check = {(f.subject, f.check, f.reason): f for f in report.findings}
    hash_finding = by_check[
        (
            "files/a.mkv",
            Check.CUSTODY_INTAKE,
            "SHA-256 differs from the custody log's intake (seq 1)",
        )
    ]
    assert (hash_finding.expected, hash_finding.found) == (original, swapped)
    size_finding = by_check[
        ("files/a.mkv", Check.CUSTODY_INTAKE, "size differs from the custody log's intake (seq 1)")
    ]
    assert (size_finding.expected, size_finding.found) == (len(b"first export" * 50), len(SWAPPED))
    # The rewritten manifest is self-consistent: only the custody link and the anchor object.
    checks = {f.check for f in report.findings}
    assert checks == {Check.CUSTODY_INTAKE, Check.ANCHOR_CLAIM}
    assert [f.reason for f in report.findings if f.check == Check.ANCHOR_CLAIM] == [
        "signed manifest SHA-256 differs from the package's"
    ]


def test_swapped_file_is_caught_without_a_key_too(built, tmp_path):
    """The custody intake hash is in the package: no key is needed to see this swap."""
    bad = tmp_path / "swapped.zip"
    _swap_file_and_rewrite_manifest(built, bad)
    report = verify_package(bad)
    assert report.status == "failed"
    assert ("files/a.mkv", Check.CUSTODY_INTAKE) in {(f.subject, f.check) for f in report.findings}


def test_removed_last_custody_entry_with_fixed_manifest_names_the_anchor(built, tmp_path):
    members, entries = _drop_last_custody_entry(built)
    bad = rewrite_zip(built.zip, tmp_path / "truncated.zip", members)
    report = verify_package(bad, load_public_key(built.pub))
    assert report.status == "failed"
    # The chain, the manifest's count and head, and every file agree: only the anchor objects.
    assert {f.check for f in report.findings} == {Check.ANCHOR_CLAIM}
    assert all(f.subject == "anchor.json" for f in report.findings)
    claims = {f.reason: (f.expected, f.found) for f in report.findings}
    assert claims == {
        "signed manifest SHA-256 differs from the package's": (
            read_member(built.zip, "manifest.sha256").decode().split()[0],
            hashlib.sha256(members["manifest.json"]).hexdigest(),
        ),
        "signed custody entry count differs from the package's": (3, 2),
        "signed custody head hash differs from the package's": (
            entries[-1]["entry_hash"],
            entries[-2]["entry_hash"],
        ),
    }


def test_anchor_rewritten_to_match_fails_its_signature(built, tmp_path):
    """The attacker also rewrites the anchor's claims: the signature no longer fits them."""
    members, entries = _drop_last_custody_entry(built)
    anchor = json.loads(read_member(built.zip, "anchor.json"))
    anchor["custody_entries"] = len(entries) - 1
    anchor["custody_head_hash"] = entries[-2]["entry_hash"]
    anchor["manifest_sha256"] = hashlib.sha256(members["manifest.json"]).hexdigest()
    members["anchor.json"] = json.dumps(anchor).encode()
    bad = rewrite_zip(built.zip, tmp_path / "resigned.zip", members)
    report = verify_package(bad, load_public_key(built.pub))
    assert [(f.subject, f.check) for f in report.findings] == [
        ("anchor.json", Check.ANCHOR_SIGNATURE)
    ]
    # Without the public key nothing in the zip can tell: unanchored, never a pass.
    blind = verify_package(bad)
    assert (blind.status, blind.ok, blind.findings) == ("unanchored", False, ())


def test_tampered_signature_fails(built, tmp_path):
    anchor = json.loads(read_member(built.zip, "anchor.json"))
    signature = bytearray(base64.b64decode(anchor["signature"]))
    signature[0] ^= 0x01
    anchor["signature"] = base64.b64encode(bytes(signature)).decode()
    bad = rewrite_zip(built.zip, tmp_path / "sig.zip", {"anchor.json": json.dumps(anchor).encode()})
    report = verify_package(bad, load_public_key(built.pub))
    assert [(f.subject, f.check) for f in report.findings] == [
        ("anchor.json", Check.ANCHOR_SIGNATURE)
    ]
    assert report.anchor == "failed"


def test_wrong_public_key_fails(built, tmp_path):
    _, other_pub = generate_key(tmp_path / "other" / "other.key")
    other = load_public_key(other_pub)
    report = verify_package(built.zip, other)
    assert report.status == "failed"
    [finding] = report.findings
    assert (finding.subject, finding.check) == ("anchor.json", Check.ANCHOR_KEY)
    assert finding.expected == report.key_fingerprint
    assert finding.found != finding.expected and str(finding.found).startswith("SHA256:")


def test_untouched_package_passes(built):
    report = verify_package(built.zip, load_public_key(built.pub))
    assert (report.status, report.ok, report.findings) == ("verified", True, ())
    assert report.anchor == "verified"
    assert (report.files_checked, report.custody_entries) == (2, 3)


def test_untouched_package_without_a_key_is_unanchored(built):
    report = verify_package(built.zip)
    assert (report.status, report.ok, report.anchor) == ("unanchored", False, "unchecked")
    assert report.key_fingerprint in report.unanchored_reason()


def test_removed_anchor(built, tmp_path):
    bad = rewrite_zip(built.zip, tmp_path / "unsigned.zip", {"anchor.json": None})
    with_key = verify_package(bad, load_public_key(built.pub))
    assert [(f.subject, f.check) for f in with_key.findings] == [("anchor.json", Check.ANCHOR)]
    without = verify_package(bad)
    assert (without.status, without.anchor) == ("unanchored", "missing")
    assert "no signed anchor" in without.unanchored_reason()


def test_custody_intake_not_packaged(built, tmp_path):
    """A file dropped from both the zip and the manifest is still in the custody log."""
    manifest = _manifest(built)
    manifest["files"] = [f for f in manifest["files"] if f["name"] != "files/b.mkv"]
    bad = rewrite_zip(
        built.zip, tmp_path / "dropped.zip", {"files/b.mkv": None, **with_manifest(manifest)}
    )
    findings = verify_package(bad).findings
    assert ("custody entry seq 2", Check.NOT_PACKAGED) in {(f.subject, f.check) for f in findings}
