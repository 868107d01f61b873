"""The evidence vault: content-addressed read-only masters, hash re-checks, custody chain."""

from __future__ import annotations

import dataclasses
import hashlib
import stat
from pathlib import Path

import pytest

from cctvscope.evidence.vault import (
    GENESIS_HASH,
    EvidenceVault,
    IntegrityError,
    verify_chain,
)

DATA = b"\x00\x01native export bytes\xff" * 100


@pytest.fixture
def vault(tmp_path: Path) -> EvidenceVault:
    return EvidenceVault(tmp_path / "vault")


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "cam1_export.mkv"
    path.write_bytes(DATA)
    return path


def _intake(vault: EvidenceVault, export: Path) -> str:
    item = vault.intake(export, request_id="7", camera_id="C1", actor="pc1", origin="cli:pc1@host")
    return item.sha256


def test_intake_is_content_addressed_and_read_only(vault, export):
    item = vault.intake(
        export, request_id="7", camera_id="C1", actor="pc1", origin="host", clock_offset_s=-12.5
    )
    sha = hashlib.sha256(DATA).hexdigest()
    assert item.sha256 == sha
    assert item.size == len(DATA)
    path = vault.root / "objects" / sha[:2] / sha
    assert path.read_bytes() == DATA
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert vault.read_bytes(sha) == DATA
    with vault.open_item(sha) as handle:
        assert handle.read() == DATA
    (entry,) = vault.custody("7")
    assert entry.action == "intake" and entry.actor == "pc1" and entry.origin == "host"
    assert entry.sha256 == sha and entry.prev_hash == GENESIS_HASH
    assert entry.at.endswith("+00:00")
    (stored,) = vault.items("7")
    assert stored.clock_offset_s == -12.5 and stored.name == "cam1_export.mkv"
    assert export.read_bytes() == DATA  # the source is untouched
    assert not list((vault.root / "objects").glob(".intake-*"))


def test_read_of_altered_object_raises(vault, export):
    sha = _intake(vault, export)
    path = vault.object_path(sha)
    path.chmod(0o644)
    raw = bytearray(path.read_bytes())
    raw[10] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(IntegrityError, match="altered"):
        vault.read_bytes(sha)
    with pytest.raises(IntegrityError, match="altered"), vault.open_item(sha):
        pass
    path.unlink()
    with pytest.raises(IntegrityError, match="missing"):
        vault.read_bytes(sha)


def test_working_copy_is_renamed_and_master_untouched(vault, export, tmp_path):
    sha = _intake(vault, export)
    first = vault.working_copy(sha, tmp_path / "work", request_id="7", actor="a", origin="o")
    second = vault.working_copy(sha, tmp_path / "work", request_id="7", actor="a", origin="o")
    assert first != second
    assert first.name == f"{sha[:12]}.working.1.mkv"
    assert first.read_bytes() == DATA
    assert vault.read_bytes(sha) == DATA
    assert [e.action for e in vault.custody("7")] == ["intake", "working_copy", "working_copy"]


def test_custody_chain_detects_edit_removal_and_reorder(vault, export):
    sha = _intake(vault, export)
    vault.log("7", actor="a", action="read", origin="o", sha256=sha)
    vault.log("7", actor="b", action="state_change", origin="o", detail={"state": "supplied"})
    entries = vault.custody("7")
    assert [e.seq for e in entries] == [1, 2, 3]
    assert verify_chain(entries) is None

    edited = [entries[0], dataclasses.replace(entries[1], actor="mallory"), entries[2]]
    broken = verify_chain(edited)
    assert broken is not None and broken.index == 1 and "edited" in broken.reason

    removed = [entries[0], entries[2]]
    broken = verify_chain(removed)
    assert broken is not None and broken.index == 1 and broken.seq == 3
    assert "custody entry 2 (seq 3)" in str(broken)

    broken = verify_chain([entries[1], entries[0], entries[2]])
    assert broken is not None and broken.index == 0


def test_log_refuses_to_extend_a_broken_chain(vault, export):
    _intake(vault, export)
    vault.log("7", actor="a", action="read", origin="o")
    path = vault.custody_path("7")
    lines = path.read_text().splitlines()
    path.write_text(lines[1] + "\n")  # first entry removed
    with pytest.raises(IntegrityError, match="broken"):
        vault.log("7", actor="a", action="read", origin="o")


def test_same_bytes_twice_keep_one_master(vault, export, tmp_path):
    again = tmp_path / "again.mkv"
    again.write_bytes(DATA)
    assert _intake(vault, export) == _intake(vault, again)
    assert len(list((vault.root / "objects").rglob("*"))) == 2  # one folder, one object
    assert len(vault.items("7")) == 1
