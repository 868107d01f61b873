"""The assumptions file: every number from outside, with value, unit, source and note.

``data/assumptions.yaml`` is grouped in sections; an entry is addressed as
``section.name``. Each entry has ``value``, ``unit``, ``source`` (a citation, or
the word ``assumption``), ``note`` and ``status``: ``verified`` (read in a
retrieved source), ``unverified`` (widely quoted, not confirmed: must stay marked
so) or ``assumption`` (our own choice, stated as such).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from cctvscope.errors import DataError

STATUSES = frozenset({"verified", "unverified", "assumption"})
REQUIRED_KEYS = ("value", "unit", "source", "note", "status")


@dataclass(frozen=True, slots=True)
class Assumption:
    """One sourced number (or table of numbers)."""

    key: str
    value: Any
    unit: str
    source: str
    note: str
    status: str


@dataclass(frozen=True)
class Assumptions:
    """All entries of an assumptions file, with the file's SHA-256 for provenance."""

    entries: Mapping[str, Assumption]
    sha256: str
    path: str

    def get(self, key: str) -> Assumption:
        """The entry ``section.name``; a clear error names the missing key."""
        try:
            return self.entries[key]
        except KeyError:
            raise DataError(f"assumption {key!r} is not in {self.path}") from None

    def value(self, key: str) -> Any:
        """The value of entry ``section.name``."""
        return self.get(key).value

    def section(self, name: str) -> dict[str, Assumption]:
        """Every entry of one section, keyed by its name within the section."""
        prefix = name + "."
        found = {k[len(prefix) :]: a for k, a in self.entries.items() if k.startswith(prefix)}
        if not found:
            raise DataError(f"assumptions section {name!r} is not in {self.path}")
        return found


def default_assumptions_path() -> Path:
    """Path of the bundled ``assumptions.yaml``."""
    return Path(str(resources.files("cctvscope.data").joinpath("assumptions.yaml")))


def parse_assumptions(text: str, *, path: str = "<string>") -> Assumptions:
    """Parse and validate assumptions YAML; every problem is reported at once."""
    import yaml  # on first use: a cached police search only hashes the file

    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a mapping of sections")
    problems: list[str] = []
    entries: dict[str, Assumption] = {}
    for section, body in raw.items():
        if not isinstance(body, dict):
            problems.append(f"section {section!r} is not a mapping")
            continue
        for name, entry in body.items():
            key = f"{section}.{name}"
            if not isinstance(entry, dict):
                problems.append(f"{key}: not a mapping")
                continue
            missing = [k for k in REQUIRED_KEYS if k not in entry]
            if missing:
                problems.append(f"{key}: missing {', '.join(missing)}")
                continue
            if entry["status"] not in STATUSES:
                problems.append(f"{key}: status {entry['status']!r} not in {sorted(STATUSES)}")
            if not str(entry["source"]).strip():
                problems.append(f"{key}: empty source")
            if entry["status"] == "assumption" and entry["source"] != "assumption":
                problems.append(f"{key}: status assumption needs source 'assumption'")
            entries[key] = Assumption(
                key=key,
                value=entry["value"],
                unit=str(entry["unit"]),
                source=str(entry["source"]),
                note=str(entry["note"]),
                status=str(entry["status"]),
            )
    if problems:
        raise DataError(f"{path}: " + "; ".join(problems))
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Assumptions(entries=entries, sha256=digest, path=path)


@cache
def _read_cached(path: str) -> Assumptions:
    return parse_assumptions(Path(path).read_text(encoding="utf-8"), path=path)


def read_assumptions(path: str | Path | None = None) -> Assumptions:
    """Read an assumptions file (the bundled one by default)."""
    return _read_cached(str(path or default_assumptions_path()))
