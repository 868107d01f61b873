"""The files a pipeline run writes, by name, and how they are read back.

The reporting writers name their files from :class:`OutputFile`; the web app reads
them through :class:`AssessmentOutputs`, never by spelling a file name itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import geopandas as gpd
import pandas as pd


class OutputFile(StrEnum):
    """The pipeline's tables, layers and guide (other files: charts and maps)."""

    ESTATE_GPKG = "estate.gpkg"
    BOROUGH_SUMMARY = "borough_summary.csv"
    COVERAGE_GPKG = "coverage.gpkg"
    COVERAGE_SUMMARY = "coverage_summary.csv"
    COVERAGE_GAPS = "coverage_gaps.csv"
    COVERAGE_CAMERAS = "coverage_cameras.csv"
    COVERAGE_CRIME_TYPES = "coverage_crime_types.csv"
    COVERAGE_CRIME_CATEGORIES = "coverage_crime_categories.csv"
    COMPLIANCE = "compliance.csv"
    COMPLIANCE_SUMMARY = "compliance_summary.csv"
    COMPLIANCE_BOROUGHS = "compliance_boroughs.csv"
    CONTROL_ROOM_OPTIONS = "control_room_options.csv"
    MONITORING = "monitoring.csv"
    VFM = "vfm.csv"
    FRAMEWORK = "framework.csv"
    SCENARIOS = "scenarios.csv"
    EVIDENCE_OPS = "evidence_ops.csv"
    JOINT_COVERAGE = "joint_coverage.csv"
    JOINT_COVERAGE_REGION = "joint_coverage_london.csv"
    GUIDE_PDF = "guide.pdf"
    GUIDE_HTML = "guide.html"


#: Outputs a reader may download: the guide and aggregate tables (no camera locations).
PUBLISHABLE: tuple[OutputFile, ...] = (
    OutputFile.GUIDE_PDF,
    OutputFile.GUIDE_HTML,
    OutputFile.BOROUGH_SUMMARY,
    OutputFile.COVERAGE_SUMMARY,
    OutputFile.COMPLIANCE_BOROUGHS,
    OutputFile.COMPLIANCE_SUMMARY,
    OutputFile.CONTROL_ROOM_OPTIONS,
    OutputFile.VFM,
    OutputFile.FRAMEWORK,
    OutputFile.SCENARIOS,
    OutputFile.EVIDENCE_OPS,
    OutputFile.JOINT_COVERAGE,
    OutputFile.JOINT_COVERAGE_REGION,
)

#: Layers of :attr:`OutputFile.COVERAGE_GPKG` a reader may ask for.
COVERAGE_LAYERS = ("coverage_union", "gaps")


@dataclass(frozen=True)
class AssessmentOutputs:
    """The outputs of the pipeline runs written to ``folder`` (None: not written yet)."""

    folder: Path

    def path(self, name: OutputFile) -> Path | None:
        """The file's path, or None when no run has written it."""
        path = self.folder / name.value
        return path if path.is_file() else None

    def stamp(self, name: OutputFile) -> tuple[str, float] | None:
        """The file's path and modification time (a cache key), or None."""
        path = self.path(name)
        return None if path is None else (str(path), path.stat().st_mtime)

    def table(self, name: OutputFile) -> pd.DataFrame | None:
        """A CSV output as a frame, or None."""
        if not name.value.endswith(".csv"):
            raise ValueError(f"{name.value} is not a table")
        path = self.path(name)
        return None if path is None else pd.read_csv(path)

    def coverage_layer(self, layer: str, level: str | None = None) -> gpd.GeoDataFrame | None:
        """A layer of the coverage GeoPackage (one detail level when given), or None."""
        if layer not in COVERAGE_LAYERS:
            raise ValueError(f"no coverage layer {layer!r}: one of {', '.join(COVERAGE_LAYERS)}")
        path = self.path(OutputFile.COVERAGE_GPKG)
        if path is None:
            return None
        frame = gpd.read_file(path, layer=layer)
        if level is not None and "level" in frame.columns:
            frame = frame[frame["level"].astype(str).str.lower() == level.lower()]
        return frame

    def publishable(self) -> list[tuple[OutputFile, int]]:
        """The downloadable outputs written, with their sizes [bytes]."""
        found = ((name, self.path(name)) for name in PUBLISHABLE)
        return [(name, path.stat().st_size) for name, path in found if path is not None]
