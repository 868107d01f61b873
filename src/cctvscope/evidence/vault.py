"""The evidence vault: a content-addressed store of masters and a hash-chained custody log.

Follows the ACPO digital-evidence principles (domain research §1.4 (d)): no
action changes the original data, and every action is recorded so that it is
repeatable and explainable.

* A supplied file is copied, bit for bit, to ``root/objects/<sha256[:2]>/<sha256>``
  through a temporary file, ``fsync`` and an atomic rename, then made read-only.
  That copy is the **master**; nothing in cctvscope writes to it again.
* Every read (:meth:`EvidenceVault.read_bytes`, :meth:`EvidenceVault.open_item`,
  :meth:`EvidenceVault.copy_to`) re-hashes the object and raises
  :class:`IntegrityError` when its bytes no longer match their name.
* Working copies (:meth:`EvidenceVault.working_copy`) are separate files with a
  new, unique name outside ``objects/``; the master is untouched.
* Each request has an append-only JSON-lines custody log
  ``root/custody/<request_id>.jsonl``. An entry records ``seq``, ``at`` (UTC),
  ``actor`` (who), ``action`` (what), ``sha256`` (of the item, if any),
  ``origin`` (from where: host or CLI user) and ``detail``; ``prev_hash`` is the
  previous entry's ``entry_hash`` (64 zeros for the first), and ``entry_hash`` is
  the SHA-256 of the canonical JSON of every other field. Editing, removing or
  reordering an entry breaks the chain (:func:`verify_chain`); removing the
  *last* entries is caught by comparing with a recorded count and last hash, as
  evidence packages do in their signed anchor (:mod:`~cctvscope.evidence.signing`).

SHA-256 is industry practice for evidence hashing; UK guidance asks for a
bit-for-bit master but names no algorithm (domain research §1.4, §2.3).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from cctvscope.errors import CctvscopeError

CHUNK = 1 << 20
"""Bytes read at a time while hashing."""

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first custody entry."""

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class IntegrityError(CctvscopeError):
    """Stored evidence, a package or a custody log no longer matches its recorded hash."""


def sha256_file(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size in bytes of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def canonical_json(value: Any) -> bytes:
    """The canonical JSON encoding hashed by the custody chain: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def utc_iso(value: dt.datetime) -> str:
    """An aware datetime as ISO 8601 in UTC (naive datetimes are refused)."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: give a timezone")
    return value.astimezone(dt.UTC).isoformat()


@dataclass(frozen=True, slots=True)
class StoredItem:
    """A master in the vault, as recorded at intake."""

    sha256: str
    size: int
    name: str  # the file's name as supplied
    request_id: str
    camera_id: str
    intake_at: dt.datetime
    intake_by: str
    origin: str
    clock_offset_s: float | None = None


@dataclass(frozen=True, slots=True)
class CustodyEntry:
    """One link of the custody chain."""

    seq: int
    at: str  # ISO 8601, UTC
    actor: str
    action: str
    request_id: str
    sha256: str | None
    origin: str
    detail: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    entry_hash: str = ""

    def body(self) -> dict[str, Any]:
        """Every field but ``entry_hash``: what ``entry_hash`` is computed over."""
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "request_id": self.request_id,
            "sha256": self.sha256,
            "origin": self.origin,
            "detail": dict(self.detail),
            "prev_hash": self.prev_hash,
        }

    def computed_hash(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`body`."""
        return hashlib.sha256(canonical_json(self.body())).hexdigest()

    def to_json(self) -> str:
        """One JSON line (keys sorted)."""
        return json.dumps({**self.body(), "entry_hash": self.entry_hash}, sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> CustodyEntry:
        """Parse one JSON line; raise :class:`IntegrityError` when it is not an entry."""
        try:
            raw = json.loads(line)
            return cls(
                seq=int(raw["seq"]),
                at=str(raw["at"]),
                actor=str(raw["actor"]),
                action=str(raw["action"]),
                request_id=str(raw["request_id"]),
                sha256=None if raw["sha256"] is None else str(raw["sha256"]),
                origin=str(raw["origin"]),
                detail=dict(raw["detail"]),
                prev_hash=str(raw["prev_hash"]),
                entry_hash=str(raw["entry_hash"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise IntegrityError(f"unreadable custody entry: {exc}") from exc


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first broken link of a custody chain: the entry at ``index`` (0-based)."""

    index: int
    seq: int | None
    reason: str

    def __str__(self) -> str:
        return f"custody entry {self.index + 1} (seq {self.seq}): {self.reason}"


def verify_chain(entries: Sequence[CustodyEntry]) -> ChainBreak | None:
    """The first broken link of ``entries``, or None when the chain is whole.

    Checks each entry's own hash, that it points at its predecessor's hash, and
    that ``seq`` runs 1, 2, 3, ... A removed, reordered, inserted or edited entry
    breaks the chain; removing entries at the *end* does not, so compare the
    count and last hash with a record kept elsewhere.
    """
    previous = GENESIS_HASH
    for index, entry in enumerate(entries):
        if entry.computed_hash() != entry.entry_hash:
            return ChainBreak(index, entry.seq, "entry edited: its hash does not match")
        if entry.prev_hash != previous:
            return ChainBreak(
                index, entry.seq, "chain broken: prev_hash is not the previous entry's hash"
            )
        if entry.seq != index + 1:
            return ChainBreak(index, entry.seq, f"sequence broken: expected seq {index + 1}")
        previous = entry.entry_hash
    return None


def parse_custody(text: str) -> list[CustodyEntry]:
    """Custody entries from JSON-lines text (blank lines ignored)."""
    return [CustodyEntry.from_json(line) for line in text.splitlines() if line.strip()]


def first_intakes(entries: Sequence[CustodyEntry]) -> list[CustodyEntry]:
    """The first ``intake`` entry of each distinct SHA-256, in log order.

    One master per hash (content addressing): a second intake of the same bytes is
    logged but adds no item, so packages and their verification count items alike.
    """
    seen: dict[str, CustodyEntry] = {}
    for entry in entries:
        if entry.action == "intake" and entry.sha256 is not None:
            seen.setdefault(entry.sha256, entry)
    return list(seen.values())


def _check_id(value: str, what: str) -> str:
    if not _SAFE_ID.match(value):
        raise CctvscopeError(f"bad {what} {value!r}: use letters, digits, '_', '.', '-'")
    return value


def _check_sha(value: str) -> str:
    if not _SHA256.match(value):
        raise CctvscopeError(f"not a SHA-256 (64 lowercase hex digits): {value!r}")
    return value


class EvidenceVault:
    """Content-addressed evidence masters and per-request custody logs under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- paths -------------------------------------------------------------------------

    def object_path(self, sha256: str) -> Path:
        """Where the master with this hash lives."""
        _check_sha(sha256)
        return self.root / "objects" / sha256[:2] / sha256

    def custody_path(self, request_id: str) -> Path:
        """The custody log of a request."""
        return self.root / "custody" / f"{_check_id(request_id, 'request id')}.jsonl"

    # -- custody -----------------------------------------------------------------------

    def custody(self, request_id: str) -> list[CustodyEntry]:
        """The custody entries of a request, oldest first (empty when none)."""
        path = self.custody_path(request_id)
        if not path.exists():
            return []
        return parse_custody(path.read_text(encoding="utf-8"))

    def log(
        self,
        request_id: str,
        *,
        actor: str,
        action: str,
        origin: str,
        sha256: str | None = None,
        detail: Mapping[str, Any] | None = None,
        at: dt.datetime | None = None,
    ) -> CustodyEntry:
        """Append one entry to a request's custody log, under an exclusive file lock.

        The existing chain is verified first: appending to a broken chain raises
        :class:`IntegrityError` rather than hiding the break behind a new link.
        """
        path = self.custody_path(request_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.seek(0)
                entries = parse_custody(handle.read())
                broken = verify_chain(entries)
                if broken is not None:
                    raise IntegrityError(f"custody log {path} is broken: {broken}")
                entry = CustodyEntry(
                    seq=len(entries) + 1,
                    at=utc_iso(at or dt.datetime.now(dt.UTC)),
                    actor=actor,
                    action=action,
                    request_id=request_id,
                    sha256=sha256,
                    origin=origin,
                    detail=dict(detail or {}),
                    prev_hash=entries[-1].entry_hash if entries else GENESIS_HASH,
                )
                entry = CustodyEntry(**{**entry.body(), "entry_hash": entry.computed_hash()})
                handle.seek(0, os.SEEK_END)
                handle.write(entry.to_json() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return entry

    # -- intake ------------------------------------------------------------------------

    def intake(
        self,
        src_path: Path,
        *,
        request_id: str,
        camera_id: str,
        actor: str,
        origin: str,
        clock_offset_s: float | None = None,
        at: dt.datetime | None = None,
    ) -> StoredItem:
        """Store a supplied file as a read-only master and log the intake.

        The copy is hashed while written, then re-read and compared: a file that
        changed during the copy is refused. Storing the same bytes twice keeps the
        first master (content addressing) and logs a second intake.
        """
        src = Path(src_path)
        if not src.is_file():
            raise CctvscopeError(f"no such evidence file: {src}")
        when = at or dt.datetime.now(dt.UTC)
        objects = self.root / "objects"
        objects.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=objects, prefix=".intake-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, src.open("rb") as source:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            if sha256_file(tmp) != (sha, size):
                raise IntegrityError(f"{src}: the copy does not match what was read")
            final = self.object_path(sha)
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                self._verify_object(sha)
            else:
                tmp.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
                tmp.replace(final)
                _fsync_dir(final.parent)
        finally:
            tmp.unlink(missing_ok=True)
        item = StoredItem(
            sha256=sha,
            size=size,
            name=src.name,
            request_id=request_id,
            camera_id=camera_id,
            intake_at=when.astimezone(dt.UTC),
            intake_by=actor,
            origin=origin,
            clock_offset_s=clock_offset_s,
        )
        self.log(
            request_id,
            actor=actor,
            action="intake",
            origin=origin,
            sha256=sha,
            at=when,
            detail={
                "name": item.name,
                "size": size,
                "camera_id": camera_id,
                "clock_offset_s": clock_offset_s,
                "source_path": str(src.resolve()),
            },
        )
        return item

    def items(self, request_id: str) -> list[StoredItem]:
        """The masters taken in for a request, from its custody log (first intake of each)."""
        items: list[StoredItem] = []
        for entry in first_intakes(self.custody(request_id)):
            assert entry.sha256 is not None  # first_intakes keeps only entries with a hash
            offset = entry.detail.get("clock_offset_s")
            items.append(
                StoredItem(
                    sha256=entry.sha256,
                    size=int(entry.detail["size"]),
                    name=str(entry.detail["name"]),
                    request_id=request_id,
                    camera_id=str(entry.detail["camera_id"]),
                    intake_at=dt.datetime.fromisoformat(entry.at),
                    intake_by=entry.actor,
                    origin=entry.origin,
                    clock_offset_s=None if offset is None else float(offset),
                )
            )
        return items

    # -- reads (each re-checks the hash) -----------------------------------------------

    def _verify_object(self, sha256: str) -> Path:
        path = self.object_path(sha256)
        if not path.is_file():
            raise IntegrityError(f"evidence object {sha256} is missing from the vault")
        actual, _ = sha256_file(path)
        if actual != sha256:
            raise IntegrityError(
                f"evidence object {sha256} has been altered on disk (now hashes to {actual})"
            )
        return path

    def read_bytes(self, sha256: str) -> bytes:
        """The master's bytes, hashed as read; :class:`IntegrityError` on a mismatch."""
        path = self.object_path(sha256)
        if not path.is_file():
            raise IntegrityError(f"evidence object {sha256} is missing from the vault")
        data = path.read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise IntegrityError(
                f"evidence object {sha256} has been altered on disk (now hashes to {actual})"
            )
        return data

    @contextlib.contextmanager
    def open_item(self, sha256: str) -> Iterator[BinaryIO]:
        """A read-only handle on the master, opened after its hash was re-checked.

        The handle reads the file opened *before* hashing, so what it reads is
        what was verified unless the file is changed in place meanwhile (masters
        are read-only; the vault never writes them).
        """
        path = self.object_path(sha256)
        if not path.is_file():
            raise IntegrityError(f"evidence object {sha256} is missing from the vault")
        with path.open("rb") as handle:
            digest = hashlib.sha256()
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
            if digest.hexdigest() != sha256:
                raise IntegrityError(
                    f"evidence object {sha256} has been altered on disk "
                    f"(now hashes to {digest.hexdigest()})"
                )
            handle.seek(0)
            yield handle

    def copy_to(self, sha256: str, out: IO[bytes]) -> int:
        """Stream the master into ``out``, hashing as it goes; raise on a mismatch.

        The bytes are written before the check can finish, so a caller must
        discard ``out`` when this raises (as :func:`~cctvscope.evidence.package.write_package`
        does). Returns the number of bytes copied.
        """
        path = self.object_path(sha256)
        if not path.is_file():
            raise IntegrityError(f"evidence object {sha256} is missing from the vault")
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise IntegrityError(
                f"evidence object {sha256} has been altered on disk "
                f"(now hashes to {digest.hexdigest()})"
            )
        return size

    def working_copy(
        self,
        sha256: str,
        dest_dir: Path,
        *,
        request_id: str,
        actor: str,
        origin: str,
        purpose: str = "working",
    ) -> Path:
        """A verified, renamed copy of a master in ``dest_dir``; the master is untouched.

        Named ``<sha256[:12]>.<purpose>.<n><suffix>`` (the first free ``n``), so it
        is uniquely identifiable and never mistaken for the master. Logged as
        ``working_copy``.
        """
        item = next((i for i in self.items(request_id) if i.sha256 == sha256), None)
        if item is None:
            raise CctvscopeError(f"{sha256} was not taken in for request {request_id}")
        _check_id(purpose, "purpose")
        dest = Path(dest_dir)
        dest.mkdir(parents=True, exist_ok=True)
        suffix = Path(item.name).suffix
        n = 1
        while (target := dest / f"{sha256[:12]}.{purpose}.{n}{suffix}").exists():
            n += 1
        with self.open_item(sha256) as handle, target.open("xb") as out:
            shutil.copyfileobj(handle, out, CHUNK)
        self.log(
            request_id,
            actor=actor,
            action="working_copy",
            origin=origin,
            sha256=sha256,
            detail={"path": str(target.resolve()), "purpose": purpose},
        )
        return target


def _fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
