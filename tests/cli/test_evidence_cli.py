"""`cctvscope evidence keygen | package | verify`: exit codes and messages, never a traceback."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from cctvscope.cli.main import app
from tests.evidence.builders import Built, build_package, read_member, rewrite_zip, with_manifest

runner = CliRunner()
#: Neither key may come from the developer's environment.
NO_KEY_ENV: dict[str, str | None] = {
    "CCTVSCOPE_EVIDENCE_SIGNING_KEY": None,
    "CCTVSCOPE_EVIDENCE_PUBLIC_KEY": None,
}


def _invoke(args: list[str]) -> Result:
    result = runner.invoke(app, args, env=NO_KEY_ENV)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


@pytest.fixture
def built(tmp_path: Path) -> Built:
    return build_package(tmp_path)


def test_keygen_then_refuses_to_overwrite(tmp_path):
    key = tmp_path / "signing.key"
    result = _invoke(["evidence", "keygen", "--out", str(key)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert (tmp_path / "signing.key.pub").is_file()
    assert "fingerprint SHA256:" in result.output
    again = _invoke(["evidence", "keygen", "--out", str(key)])
    assert again.exit_code == 1
    assert "already exists: not overwriting a key" in again.output


def test_verify_untouched_package(built):
    result = _invoke(["evidence", "verify", str(built.zip), "--public-key", str(built.pub)])
    assert result.exit_code == 0, result.output
    assert "2 files and 3 custody entries intact; anchor signed by SHA256:" in result.output


def test_verify_without_a_key_is_unanchored_not_a_pass(built):
    result = _invoke(["evidence", "verify", str(built.zip)])
    assert result.exit_code == 3, result.output
    assert "UNANCHORED" in result.output
    assert "no public key given" in result.output and "--public-key" in result.output


def test_verify_names_the_swapped_file(built, tmp_path):
    swapped = b"other footage" * 30
    manifest = json.loads(read_member(built.zip, "manifest.json"))
    manifest["files"][0].update(sha256=hashlib.sha256(swapped).hexdigest(), size=len(swapped))
    bad = rewrite_zip(
        built.zip, tmp_path / "bad.zip", {"files/a.mkv": swapped, **with_manifest(manifest)}
    )
    result = _invoke(["evidence", "verify", str(bad), "--public-key", str(built.pub)])
    assert result.exit_code == 1
    assert "VERIFICATION FAILED" in result.output
    original = hashlib.sha256(b"first export" * 50).hexdigest()
    assert (
        "[custody_intake] files/a.mkv: SHA-256 differs from the custody log's intake (seq 1) "
        f"(expected {original}, found {hashlib.sha256(swapped).hexdigest()})"
    ) in result.output


def test_verify_with_a_bad_public_key_file(built, tmp_path):
    junk = tmp_path / "junk.pub"
    junk.write_text("nope")
    result = _invoke(["evidence", "verify", str(built.zip), "--public-key", str(junk)])
    assert result.exit_code == 1
    assert "not a PEM public key" in result.output


def test_package_needs_a_signing_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    out = tmp_path / "p.zip"
    assert _invoke(["init", "--database-url", url]).exit_code == 0  # the store must exist
    result = _invoke(["evidence", "package", "1", "--out", str(out), "--database-url", url])
    assert result.exit_code == 1
    assert "no signing key" in result.output and "evidence keygen" in result.output
    assert not out.exists()
