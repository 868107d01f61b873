"""Read OpenStreetMap XML (``.osm``, ``.osm.gz``) surveillance nodes into a raw camera table.

Nodes tagged ``man_made=surveillance`` become rows (numbered 1, 2, ... in file
order); ways and relations are ignored with one warning. Tags map to import
fields as follows (OSM wiki, ``Tag:man_made=surveillance`` and ``Key:camera:*``):

==================== =====================================================
``camera:direction`` ``heading_deg`` (degrees, compass letters, or a
                     clockwise range ``90-180`` read as its midpoint);
                     ``direction`` when ``camera:direction`` is absent
``camera:angle``     ``hfov_deg`` (warned: some tools read it as tilt)
``camera:type``      ``fixed`` -> ``ptz`` no; ``panning``/``dome`` -> ``ptz``
                     yes; a dome with no angle gets ``hfov_deg`` 360
``height``           ``mount_height_m`` (warned: contested, SCEE #933/#934)
``operator``         ``operator``
``name``, ``ref``,   folded into ``location_text`` with ``surveillance``,
``description``      ``surveillance:zone`` and ``camera:mount``
==================== =====================================================

``surveillance:type`` other than camera/ALPR/ANPR (e.g. ``guard``) is not a camera:
the node is skipped with a warning. The camera id is ``osm-node-<id>``.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pandas as pd

from cctvscope.errors import Finding
from cctvscope.ingest.limits import MAX_ROWS, limit_finding
from cctvscope.ingest.sources import RawTable, checked_text, file_error

CAMERA_TYPES = frozenset({"camera", "alpr", "anpr"})
OSM_COLUMNS = (
    "camera_id",
    "location_text",
    "lon",
    "lat",
    "heading_deg",
    "hfov_deg",
    "ptz",
    "mount_height_m",
    "operator",
)
HEIGHT_WARNING = (
    "OSM 'height' read as the lens height above ground; its meaning is contested "
    "(camera or mounting structure: StreetComplete SCEE #933/#934), check it"
)
ANGLE_WARNING = (
    "OSM 'camera:angle' read as the horizontal field of view; some tools read it "
    "as the tilt below horizontal, check it"
)


def read_osm(data: bytes) -> RawTable:
    """Parse OSM XML bytes into a raw table of surveillance cameras."""
    rows: list[dict[str, str]] = []
    index: list[int] = []
    findings: list[Finding] = []
    nodes = 0
    ignored = 0
    number = 0
    tags: dict[str, str] = {}
    try:
        parser = ET.iterparse(io.BytesIO(data), events=("start", "end"))
        _, root = next(parser)
        if root.tag != "osm":
            return file_error(f"not OSM XML: the root element is <{root.tag}>, not <osm>", "osm")
        for event, elem in parser:
            if event == "start":
                if elem.tag in ("node", "way", "relation"):
                    tags = {}
                continue
            if elem.tag == "tag":
                tags[elem.get("k", "")] = elem.get("v", "")
            elif elem.tag == "node":
                nodes += 1
                if tags.get("man_made") == "surveillance":
                    number += 1
                    if number > MAX_ROWS:
                        what = "the file has more surveillance nodes"
                        return RawTable(
                            pd.DataFrame(), (limit_finding(what, MAX_ROWS, "rows"),), "osm"
                        )
                    row, notes = node_row(elem.attrib, tags)
                    findings += [Finding("warning", number, f, v, r) for f, v, r in notes]
                    if row is not None:
                        rows.append(
                            {k: checked_text(v, number, k, findings) for k, v in row.items()}
                        )
                        index.append(number)
                root.clear()
            elif elem.tag in ("way", "relation"):
                if tags.get("man_made") == "surveillance":
                    ignored += 1
                root.clear()
    except (ET.ParseError, StopIteration) as exc:
        return file_error(f"not valid OSM XML: {exc or 'no content'}", "osm")
    except (LookupError, ValueError) as exc:
        # The XML declaration names an encoding Python does not know (LookupError), one
        # expat cannot read ("multi-byte encodings are not supported"), or the bytes do
        # not fit the one it names (UnicodeError is a ValueError).
        return file_error(f"not readable OSM XML: {exc}", "osm")
    if ignored:
        findings.append(
            Finding(
                "warning",
                None,
                None,
                str(ignored),
                f"{ignored} ways/relations tagged man_made=surveillance ignored "
                "(only nodes are camera positions)",
            )
        )
    if number == 0:
        return file_error(
            f"no surveillance nodes: none of the {nodes} nodes is tagged man_made=surveillance",
            "osm",
        )
    frame = pd.DataFrame(rows, columns=list(OSM_COLUMNS), index=index, dtype=object).fillna("")
    fixed = {name: name for name in OSM_COLUMNS}
    return RawTable(frame, tuple(findings), "osm", fixed)


def node_row(
    attrib: dict[str, str], tags: dict[str, str]
) -> tuple[dict[str, str] | None, list[tuple[str | None, str | None, str]]]:
    """One surveillance node as import cells, with (field, value, reason) warnings."""
    node_id = attrib.get("id", "")
    notes: list[tuple[str | None, str | None, str]] = []
    kind = tags.get("surveillance:type", "camera")
    if kind.lower() not in CAMERA_TYPES:
        notes.append(("surveillance:type", kind, f"osm-node-{node_id} is not a camera; skipped"))
        return None, notes
    row = {
        "camera_id": f"osm-node-{node_id}" if node_id else "",
        "lon": attrib.get("lon", ""),
        "lat": attrib.get("lat", ""),
        "operator": tags.get("operator", ""),
        "heading_deg": tags.get("camera:direction", tags.get("direction", "")),
        "location_text": location_text(tags),
    }
    angle = tags.get("camera:angle", "")
    if angle:
        row["hfov_deg"] = angle
        notes.append(("hfov_deg", angle, ANGLE_WARNING))
    cam_type = tags.get("camera:type", "").lower()
    if cam_type == "fixed":
        row["ptz"] = "no"
    elif cam_type in ("panning", "dome"):
        row["ptz"] = "yes"
        if cam_type == "dome" and not angle:
            row["hfov_deg"] = "360"
            notes.append(("hfov_deg", "360", "dome camera with no camera:angle: hfov 360°"))
    elif cam_type:
        notes.append(("ptz", cam_type, f"camera:type {cam_type!r} not recognised; ignored"))
    height = tags.get("height", "")
    if height:
        row["mount_height_m"] = height
        notes.append(("mount_height_m", height, HEIGHT_WARNING))
    return row, notes


def location_text(tags: dict[str, str]) -> str:
    """A location description from a node's name/ref/description and surveillance tags."""
    head = "; ".join(tags[k] for k in ("name", "ref", "description") if tags.get(k))
    extra = ", ".join(
        f"{k}={tags[k]}"
        for k in ("surveillance", "surveillance:zone", "camera:mount")
        if tags.get(k)
    )
    if head and extra:
        return f"{head} ({extra})"
    return head or (f"OSM ({extra})" if extra else "")
