"""How far each finding of the guide rests on real data: badges, tables and the compliance basis.

Each chapter rests on one or more estate tables (:data:`CHAPTER_TABLES`); its badge
gives the label of :func:`~cctvscope.workflows.confidence.confidence_label` and, per
table, the share of records that are real (returned or published) and what the rest
are. A chapter resting on several tables takes the label of the weakest: a finding
is no firmer than its least-real input, and a large table (cameras) must not hide a
small synthetic one (control rooms).

The compliance basis restates the share compliant honestly: compliant among the
cameras whose every rule could be decided, with how many could not (an input was
defaulted) and the share of real inputs, from
:attr:`~cctvscope.standards.compliance.ComplianceResult.input_basis`.

Nothing here imports :mod:`cctvscope.reporting.guide_content`, which uses it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from cctvscope.model.assumptions import Assumptions
from cctvscope.model.provenance import REAL_RECORD
from cctvscope.standards.compliance import REGION_ROW, ComplianceResult
from cctvscope.workflows.confidence import (
    Confidence,
    confidence_label,
    data_request_text,
)
from cctvscope.workflows.guide import GuideInputs

#: One input of a chapter: an estate table and, for cameras, an owner type (None: all).
TableSpec = tuple[str, str | None]

#: Chapter key -> the estate tables its finding rests on.
CHAPTER_TABLES: Mapping[str, tuple[TableSpec, ...]] = {
    "control_rooms": (("control_rooms", None), ("cameras", None)),
    "framework": (("contracts", None),),
    "compliance": (("cameras", None),),
    "assessment": (("cameras", None), ("evidence_stats", None)),
    "vfm": (("cost_items", None), ("cameras", None)),
    "integration": (("cameras", "private"),),
    "technology": (("cameras", None), ("cost_items", None)),
}

#: How a table's records are named in a sentence ("the camera records").
TABLE_NOUNS: Mapping[str, str] = {
    "cameras": "camera",
    "control_rooms": "control-room",
    "links": "camera–room link",
    "contracts": "contract",
    "evidence_stats": "evidence-statistics",
    "cost_items": "cost-item",
}

#: Short table names for the data-confidence tables.
TABLE_NAMES: Mapping[str, str] = {
    "cameras": "cameras",
    "control_rooms": "control rooms",
    "links": "links",
    "contracts": "contracts",
    "evidence_stats": "evidence stats",
    "cost_items": "cost items",
}

#: Columns of a borough's data-confidence table in its profile.
CONFIDENCE_HEADERS = ("table", "records", "real", "share real", "last return", "label")


def share_text(share: float, digits: int = 0) -> str:
    """A fraction as a percentage with a space (``"3 %"``), never rounded to 0 or 100.

    A share above 0 that rounds to 0 (or below 1 that rounds to 100) gets more
    digits, so "0 %" always means none and "100 %" all.
    """
    if share != share:  # NaN: no records
        return "–"
    value = 100 * share
    text = f"{value:.{digits}f} %"
    if value > 0 and float(text[:-2]) == 0:
        return f"{value:.1g} %"
    if value < 100 and float(text[:-2]) == 100:
        return f"{math.floor(value * 10) / 10:.1f} %"
    return text


@dataclass(frozen=True)
class TableShare:
    """The records of one table a finding rests on, by provenance."""

    table: str
    noun: str
    records: int
    real_records: int
    others: Mapping[str, int]

    @property
    def share_real(self) -> float:
        """Real records over records (NaN with none)."""
        return self.real_records / self.records if self.records else float("nan")

    def others_text(self) -> str:
        """What the records that are not real are, e.g. ``"97 % synthetic"``."""
        return ", ".join(
            f"{share_text(n / self.records)} {prov}" for prov, n in self.others.items() if n
        )


@dataclass(frozen=True)
class Badge:
    """A finding's confidence label and the sentence saying what it rests on."""

    label: Confidence
    text: str
    shares: tuple[TableShare, ...]

    @property
    def css(self) -> str:
        """The badge's CSS class (``confirmed``, ``partly-confirmed``, ``provisional``)."""
        return self.label.value.replace(" ", "-")


def _others(frame: pd.DataFrame) -> dict[str, int]:
    if "provenance" not in frame.columns:
        return {"unrecorded": len(frame)} if len(frame) else {}
    prov = frame["provenance"].astype(str)
    counts = prov[~prov.isin(REAL_RECORD)].value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def table_share(inputs: GuideInputs, table: str, owner: str | None = None) -> TableShare:
    """Region-wide records of ``table`` (cameras of ``owner`` only, if given) by provenance.

    The counts of whole tables come from the data-confidence table's region rows; a
    subset by owner (not a row there) is counted with the same rule, real or imported.
    """
    frame = inputs.estate.table(table)
    noun = TABLE_NOUNS.get(table, table)
    if owner is not None:
        frame = frame.loc[frame["owner_type"].astype(str) == owner]
        real = int(frame["provenance"].astype(str).isin(REAL_RECORD).sum())
        return TableShare(table, f"{owner}-{noun}", len(frame), real, _others(frame))
    rows = inputs.data_confidence.by_table
    row = rows.loc[rows["table"] == table].iloc[0]
    return TableShare(table, noun, int(row["records"]), int(row["real_records"]), _others(frame))


def badge_for(shares: Sequence[TableShare], assumptions: Assumptions, whose: str = "") -> Badge:
    """The badge of a finding resting on ``shares`` (label of the weakest table).

    ``whose`` qualifies the records ("this borough's "); by default the sentence
    speaks of the records the finding rests on.
    """
    shares = tuple(shares)
    weakest = min((s.share_real for s in shares), default=float("nan"))
    if any(s.share_real != s.share_real for s in shares):
        weakest = float("nan")  # a table with no records: nothing real to rest on
    label = confidence_label(weakest, assumptions)
    present = [s for s in shares if s.records]
    missing = [s for s in shares if not s.records]
    head = label.value.capitalize()
    if present:
        parts = " and ".join(
            f"{share_text(s.share_real)} of {whose or 'the '}{s.noun} records" for s in present
        )
        rest = [s for s in present if s.others]
        if len(present) == 1 and rest:
            detail = f" ({rest[0].others_text()})"
        elif rest:
            detail = " (" + "; ".join(f"{s.noun} records {s.others_text()}" for s in rest) + ")"
        else:
            detail = ""
        rests = "" if whose else " this rests on"
        text = f"{head} — {parts}{rests} are real returns or published records{detail}"
    else:
        text = f"{head} — nothing real to rest on"
    if missing:
        text += "; no " + " or ".join(f"{s.noun} records" for s in missing) + " yet"
    return Badge(label, text + ".", shares)


def chapter_badges(inputs: GuideInputs) -> dict[str, Badge]:
    """Chapter key -> its badge, for every chapter of :data:`CHAPTER_TABLES`."""
    return {
        key: badge_for([table_share(inputs, t, o) for t, o in specs], inputs.assumptions)
        for key, specs in CHAPTER_TABLES.items()
    }


def borough_badge(inputs: GuideInputs, code: str) -> Badge:
    """A borough profile's headline badge: the label of its camera records."""
    cams = inputs.estate.cameras
    mine = cams.loc[cams["borough_code"].astype(str) == code]
    rows = inputs.data_confidence.borough(code)
    row = rows.loc[rows["table"] == "cameras"]
    records = int(row["records"].iloc[0]) if len(row) else 0
    real = int(row["real_records"].iloc[0]) if len(row) else 0
    share = TableShare("cameras", "camera", records, real, _others(mine))
    return badge_for([share], inputs.assumptions, whose="this borough's ")


def _when(value: object) -> str:
    """An import time as its date (``–`` when never returned)."""
    text = "" if value is None else str(value)
    return text[:10] if text else "–"


def confidence_rows(frame: pd.DataFrame) -> list[list[str]]:
    """Rows of a data-confidence table (:data:`CONFIDENCE_HEADERS`) from its frame."""
    return [
        [
            TABLE_NAMES.get(str(r["table"]), str(r["table"])),
            f"{int(r['records']):,}",
            f"{int(r['real_records']):,}",
            share_text(float(r["share_real"])),
            _when(r["last_returned"]),
            str(r["label"]),
        ]
        for r in frame.to_dict("records")
    ]


def borough_request(inputs: GuideInputs, code: str) -> str:
    """The borough's data request (what to send, and the command writing the template)."""
    return data_request_text(code, inputs.data_confidence)


def label_rule(assumptions: Assumptions) -> str:
    """How the labels are defined, with the thresholds read from the assumptions."""
    confirmed = float(assumptions.value("data_confidence.confirmed_share"))
    partly = float(assumptions.value("data_confidence.partly_confirmed_share"))
    return (
        f"A finding is confirmed when at least {share_text(confirmed)} of the records it "
        f"rests on are real (returned by the borough or published), partly confirmed when "
        f"at least {share_text(partly)} are, and provisional otherwise (it rests on the "
        "calibrated synthetic estate or on defaults). A finding resting on several tables "
        "takes the label of the least real one. Thresholds: data_confidence.confirmed_share "
        "and data_confidence.partly_confirmed_share in Appendix A."
    )


def compliance_basis(result: ComplianceResult) -> pd.DataFrame:
    """Per borough and :data:`REGION_ROW`: the input basis plus compliance among the decided.

    Columns of ``input_basis`` and ``compliant_decided`` (cameras decided and
    compliant) and ``share_compliant_decided`` (NaN where none is decided).
    """
    cams = result.cameras
    decided = cams["decided"].astype(bool)
    ok = (cams["compliant"].astype(bool) & decided).astype(int)
    by = ok.groupby(cams["borough_code"].astype(str)).sum()
    by.loc[REGION_ROW] = int(ok.sum())
    out = result.input_basis.copy()
    out["compliant_decided"] = out["borough_code"].map(by).fillna(0).astype(int)
    n = out["cameras_decided"]
    out["share_compliant_decided"] = (out["compliant_decided"] / n.where(n > 0)).astype(float)
    return out


def compliance_sentence(result: ComplianceResult, label: str, code: str = REGION_ROW) -> str:
    """The share compliant stated on its basis (a borough's with ``code``).

    Compliant among cameras with every rule decided, how many are decided, how many
    have a rule left unknown, and the share of real inputs.
    """
    rows = compliance_basis(result)
    row = rows.loc[rows["borough_code"] == code]
    if row.empty or int(row["cameras"].iloc[0]) == 0:
        return f"No in-service camera was assessed against {label}."
    r = row.iloc[0]
    cameras, decided, unknown = (
        int(r["cameras"]),
        int(r["cameras_decided"]),
        int(r["cameras_unknown"]),
    )
    real = share_text(float(r["share_real_inputs"]))
    if decided == 0:
        return (
            f"No camera has every rule of {label} decided ({unknown:,} of {cameras:,} "
            "in-service cameras have a rule left unknown because an attribute was "
            f"defaulted), so the share compliant is not known; {real} of the inputs are real."
        )
    return (
        f"{share_text(float(r['share_compliant_decided']), 1)} of cameras with every rule of "
        f"{label} decided are compliant ({decided:,} of {cameras:,} in-service cameras "
        f"decided; {unknown:,} have a rule left unknown because an attribute was defaulted); "
        f"{real} of the inputs are real."
    )


__all__ = [
    "CHAPTER_TABLES",
    "CONFIDENCE_HEADERS",
    "Badge",
    "TableShare",
    "badge_for",
    "borough_badge",
    "borough_request",
    "chapter_badges",
    "compliance_basis",
    "compliance_sentence",
    "confidence_rows",
    "label_rule",
    "share_text",
    "table_share",
]
