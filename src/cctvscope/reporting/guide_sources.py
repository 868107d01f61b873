"""Appendix B's data files: London's as the package ships them, another region's as loaded.

For London the list is the bundled folder's contents (``cctvscope/data/real``), never a
hand-written list, so it cannot name a file the package does not ship. ``SOURCES.md``
documents more files than are bundled; its "What:" line describes each file that is.
For any other region the list is the region's own layers as ``cctvscope region create``
recorded them (:func:`region_files`) and the estate's imports (:func:`import_files`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from cctvscope.store.regions import LayerInfo

#: The bundled real-data folder, inside the ``cctvscope.data`` package.
REAL_FOLDER = "real"
SOURCES_FILE = "SOURCES.md"
#: Widest description shown per file [characters].
WHAT_WIDTH = 110


@dataclass(frozen=True)
class BundledFile:
    """One shipped data file: its path under the package's data folder and what it holds."""

    path: str
    what: str


def _walk(folder: Traversable, prefix: str = "") -> list[str]:
    out: list[str] = []
    for child in sorted(folder.iterdir(), key=lambda c: c.name):
        rel = f"{prefix}{child.name}"
        if child.is_dir():
            out.extend(_walk(child, rel + "/"))
        elif child.is_file() and rel != SOURCES_FILE and not child.name.startswith("."):
            out.append(rel)
    return out


def _descriptions(text: str) -> dict[str, str]:
    """The "What:" line under each ``###`` heading, keyed by every path the heading names."""
    found: dict[str, str] = {}
    paths: list[str] = []
    for line in text.splitlines():
        if line.startswith("### "):
            # "### a.csv and b.csv  (note)": the paths before the note, split on " and ".
            head = line[4:].split("  ")[0].strip()
            paths = [p.strip() for p in head.split(" and ")]
        elif paths and line.lstrip("* ").startswith("What:"):
            what = line.lstrip("* ")[len("What:") :].strip().split("; ")[0]
            what = what if len(what) <= WHAT_WIDTH else what[: WHAT_WIDTH - 1] + "…"
            for p in paths:
                found.setdefault(p, what)
            paths = []
    return found


def _describe(rel: str, descriptions: dict[str, str]) -> str:
    # SOURCES.md names files before compression and under their original folder names.
    stem = rel.removesuffix(".gz")
    for key, what in descriptions.items():
        if key in (rel, stem) or key.rsplit("/", 1)[-1] in (rel.rsplit("/", 1)[-1], stem):
            return what
    return ""


def bundled_files() -> list[BundledFile]:
    """Every data file shipped in ``cctvscope/data/real``, with its description."""
    folder = resources.files("cctvscope.data").joinpath(REAL_FOLDER)
    text = folder.joinpath(SOURCES_FILE).read_text("utf-8")
    descriptions = _descriptions(text)
    return [
        BundledFile(f"cctvscope/data/{REAL_FOLDER}/{rel}", _describe(rel, descriptions))
        for rel in _walk(folder)
    ]


#: Characters of a SHA-256 shown in the appendix (enough to tell files apart).
SHA_SHOWN = 16


@dataclass(frozen=True)
class LoadedFile:
    """One file a region or estate was loaded from: what it became, and when."""

    what: str
    source: str
    detail: str


def region_files(layers: tuple[LayerInfo, ...]) -> list[LoadedFile]:
    """A stored region's layers: kind, source file(s), features, SHA-256, load date."""
    return [
        LoadedFile(
            layer.name.replace("_", " "),
            layer.source,
            f"{layer.feature_count:,} features; sha256 {layer.sha256[:SHA_SHOWN]}…; "
            f"loaded {layer.created_at.date().isoformat()}",
        )
        for layer in layers
    ]


def import_files(
    returns: list[dict[str, Any]], names: Mapping[str, str] | None = None
) -> list[LoadedFile]:
    """The estate's imports (its returns log): table, areas (by ``names``), source file,
    records, date."""
    names = names or {}
    out = []
    for entry in returns:
        scope = entry.get("scope", {}) or {}
        boroughs = scope.get("boroughs") or []
        areas = [names.get(str(code), str(code)) for code in boroughs]
        where = f" for {', '.join(areas)}" if areas else ""
        out.append(
            LoadedFile(
                f"{str(entry.get('table', '')).replace('_', ' ')} import{where}",
                str(entry.get("source", "") or "–"),
                f"{int(entry.get('records', 0) or 0):,} records; "
                f"imported {str(entry.get('at', ''))[:10] or '–'}",
            )
        )
    return out
