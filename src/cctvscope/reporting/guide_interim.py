"""The interim report: the data returned so far by borough, what is outstanding, and the
findings so far, each marked provisional.

It is a different document from the final guide, not a shortened one: while boroughs
are still returning data the question is what has come in, what rests on the synthetic
estate or the assumptions file's defaults, and what is still to ask for. Record counts
come from the data-confidence table; camera values from their per-attribute provenance
(:func:`cctvscope.model.provenance.attribute_sources`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cctvscope.model.enums import AttributeSource
from cctvscope.model.provenance import MEASURED_ATTRIBUTES, attribute_sources
from cctvscope.reporting.guide_confidence import TABLE_NAMES, chapter_badges, share_text
from cctvscope.reporting.guide_content import chapters
from cctvscope.reporting.guide_tables import GuideTable
from cctvscope.workflows.confidence import RETURN_TABLES, data_request_text
from cctvscope.workflows.guide import GuideInputs

#: The sources of a camera value, in the order the interim table shows them.
VALUE_SOURCES: tuple[str, ...] = tuple(s.value for s in AttributeSource)
#: Marks every finding of the interim report.
PROVISIONAL = "Provisional"


@dataclass(frozen=True)
class InterimFinding:
    """One chapter's finding so far, with its confidence label."""

    title: str
    finding: str
    label: str

    @property
    def css(self) -> str:
        """The label's CSS class (as the final guide's badges: ``partly-confirmed``)."""
        return self.label.replace(" ", "-")


@dataclass(frozen=True)
class Outstanding:
    """One borough's outstanding request: the tables still to send, and how."""

    borough: str
    tables: tuple[str, ...]
    text: str


def _borough_names(inputs: GuideInputs) -> dict[str, str]:
    b = inputs.estate.boroughs
    return dict(zip(b["gss_code"].astype(str), b["name"].astype(str), strict=True))


def _pair(real: object, records: object) -> str:
    """ "12 / 40": real records of all records."""
    return f"{int(str(real)):,} / {int(str(records)):,}"


def returns_table(inputs: GuideInputs) -> GuideTable:
    """Per borough and return table: real records of all records ("12 / 40").

    Real: returned by the borough or published; the rest are synthetic records
    (or assumed cost figures).
    """
    conf = inputs.data_confidence.table
    cell = {
        (str(r["borough_code"]), str(r["table"])): _pair(r["real_records"], r["records"])
        for r in conf.to_dict("records")
    }
    region = {
        str(r["table"]): _pair(r["real_records"], r["records"])
        for r in inputs.data_confidence.by_table.to_dict("records")
    }
    rows = [
        [name, *(cell.get((code, t), "–") for t in RETURN_TABLES)]
        for code, name in _borough_names(inputs).items()
    ]
    rows.append([f"{inputs.region_title} (all)", *(region.get(t, "–") for t in RETURN_TABLES)])
    return GuideTable(
        "Real records (returned by the borough or published) of all records, per table; the "
        "rest are synthetic records or assumed cost figures.",
        ("area", *(TABLE_NAMES[t] for t in RETURN_TABLES)),
        rows,
        (False, *(True for _ in RETURN_TABLES)),
    )


def value_source_counts(cameras: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """Per group of ``keys``: how many camera values (camera × attribute of
    :data:`MEASURED_ATTRIBUTES`) come from each source (columns :data:`VALUE_SOURCES`)."""
    if cameras.empty:
        return pd.DataFrame(columns=list(VALUE_SOURCES), dtype=int)
    sources = attribute_sources(cameras, MEASURED_ATTRIBUTES)[list(MEASURED_ATTRIBUTES)]
    flat = pd.DataFrame(
        {
            "key": np.repeat(keys.astype(str).to_numpy(), len(MEASURED_ATTRIBUTES)),
            "source": sources.to_numpy().ravel(),
        }
    )
    counts = flat.groupby(["key", "source"]).size().unstack(fill_value=0)
    return counts.reindex(columns=list(VALUE_SOURCES), fill_value=0).astype(int)


def value_sources_table(inputs: GuideInputs) -> GuideTable:
    """Per borough: the share of its camera values from each source (real, catalogue,
    measured, default, synthetic), from the per-attribute provenance."""
    cams = inputs.estate.cameras
    counts = value_source_counts(cams, cams["borough_code"])
    region = value_source_counts(cams, pd.Series("*", index=cams.index))
    rows = []
    for code, name in [*_borough_names(inputs).items(), ("*", f"{inputs.region_title} (all)")]:
        frame = region if code == "*" else counts
        if code not in frame.index:
            rows.append([name, "0", *("–" for _ in VALUE_SOURCES)])
            continue
        n = {s: int(str(frame.at[code, s])) for s in VALUE_SOURCES}
        total = sum(n.values())
        rows.append(
            [name, f"{total:,}", *(f"{n[s]:,} ({share_text(n[s] / total)})" for s in VALUE_SOURCES)]
        )
    return GuideTable(
        f"Camera values (camera × {len(MEASURED_ATTRIBUTES)} recorded attributes) by source, "
        "count (share): "
        "real (as returned or published), catalogue (the camera model's datasheet), measured "
        "(read from the device), default (the assumptions file), synthetic.",
        ("area", "values", *VALUE_SOURCES),
        rows,
        (False, True, *(True for _ in VALUE_SOURCES)),
    )


def returns_received(inputs: GuideInputs) -> list[str]:
    """Each borough's returned tables with the date of the latest return, or "none yet"."""
    conf = inputs.data_confidence.table
    out = []
    for code, name in _borough_names(inputs).items():
        rows = conf[(conf["borough_code"] == code) & (conf["last_returned"].astype(str) != "")]
        got = [
            f"{TABLE_NAMES[str(r['table'])]} ({str(r['last_returned'])[:10]})"
            for r in rows.to_dict("records")
        ]
        out.append(f"{name}: {', '.join(got) if got else 'no return yet'}.")
    return out


def outstanding(inputs: GuideInputs) -> list[Outstanding]:
    """The boroughs with tables still to send (not confirmed), with their data requests."""
    names = _borough_names(inputs)
    conf = inputs.data_confidence
    return [
        Outstanding(names[code], tables, data_request_text(code, conf))
        for code, tables in conf.requests.items()
        if tables and code in names
    ]


def analysis_gaps(inputs: GuideInputs) -> list[str]:
    """The analyses left out or limited for lack of an input, with what is missing."""
    return [
        f"{key.replace('_', ' ')}: {'; '.join(why)}" for key, why in sorted(inputs.gaps.items())
    ]


def provisional_findings(inputs: GuideInputs) -> list[InterimFinding]:
    """Every chapter's finding so far with its confidence label (all are provisional here)."""
    badges = chapter_badges(inputs)
    return [
        InterimFinding(
            c.title,
            c.finding,
            badges[c.key].label.value if c.available and c.key in badges else "not available",
        )
        for c in chapters(inputs)
    ]


def interim_context(inputs: GuideInputs) -> dict[str, Any]:
    """What the interim template shows, beyond the title, provenance and reproducibility."""
    return {
        "returns_table": returns_table(inputs),
        "value_sources": value_sources_table(inputs),
        "received": returns_received(inputs),
        "outstanding": outstanding(inputs),
        "analysis_gaps": analysis_gaps(inputs),
        "findings": provisional_findings(inputs),
        "provisional": PROVISIONAL,
    }


__all__ = [
    "PROVISIONAL",
    "VALUE_SOURCES",
    "InterimFinding",
    "Outstanding",
    "interim_context",
    "value_source_counts",
]
