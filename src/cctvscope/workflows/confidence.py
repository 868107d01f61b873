"""Data confidence: per borough and table, how much of the estate is real, and what is missing.

A record is *real* when its provenance is ``real`` (published) or ``imported``
(a borough return); ``synthetic`` records and ``assumed`` cost figures are not.
Each borough × table gets the share of real records, the date of its last return
(from the estate's import log) and a label for the findings resting on it:

- **confirmed**: real share ≥ ``data_confidence.confirmed_share``;
- **partly confirmed**: real share at least ``data_confidence.partly_confirmed_share``;
- **provisional**: otherwise (the calibrated synthetic estate or defaults).

The borough's data request lists the tables still to send and the template that
carries them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd

from cctvscope.model.assumptions import Assumptions, read_assumptions
from cctvscope.model.estate import Estate
from cctvscope.model.provenance import REAL_RECORD, share_real_values
from cctvscope.workflows.imports import RETURNS_KEY

#: Tables a borough returns, in the order of the return workbook.
RETURN_TABLES: tuple[str, ...] = (
    "cameras",
    "control_rooms",
    "links",
    "contracts",
    "evidence_stats",
    "cost_items",
)

CONFIDENCE_COLUMNS = (
    "borough_code",
    "borough",
    "table",
    "records",
    "real_records",
    "share_real",
    "share_real_values",
    "last_returned",
    "label",
)

TEMPLATE_COMMAND = "cctvscope template return --out return.xlsx"
"""The command that writes the borough return workbook."""


class Confidence(StrEnum):
    """How far a finding rests on real data."""

    CONFIRMED = "confirmed"
    PARTLY = "partly confirmed"
    PROVISIONAL = "provisional"


def confidence_label(share_real: float, assumptions: Assumptions) -> Confidence:
    """The label for a finding whose inputs are ``share_real`` real (NaN: provisional)."""
    confirmed = float(assumptions.value("data_confidence.confirmed_share"))
    partly = float(assumptions.value("data_confidence.partly_confirmed_share"))
    if share_real != share_real:  # NaN: nothing to rest on
        return Confidence.PROVISIONAL
    if share_real >= confirmed:
        return Confidence.CONFIRMED
    if share_real >= partly and share_real > 0:
        return Confidence.PARTLY
    return Confidence.PROVISIONAL


def _record_boroughs(estate: Estate, table: str) -> pd.Series:
    """Borough of each record of ``table`` (links by camera, cost items by profile)."""
    frame = estate.table(table)
    if table in ("cameras", "control_rooms", "contracts", "evidence_stats"):
        return frame["borough_code"].astype(object)
    if table == "links":
        where = dict(zip(estate.cameras["camera_id"], estate.cameras["borough_code"], strict=True))
        return frame["camera_id"].map(where).astype(object)
    return pd.Series(None, index=frame.index, dtype=object)


def _is_real(frame: pd.DataFrame) -> pd.Series:
    if "provenance" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["provenance"].astype(str).isin(REAL_RECORD)


def _last_returns(metadata: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """(table, borough) -> ISO time of its latest return (``*`` for the whole table)."""
    out: dict[tuple[str, str], str] = {}
    for entry in metadata.get(RETURNS_KEY, []):
        table = "cameras" if entry.get("table") == "monitoring" else str(entry.get("table"))
        scope = entry.get("scope", {})
        boroughs = scope.get("boroughs") or ["*"]
        for code in boroughs:
            key = (table, str(code))
            out[key] = max(out.get(key, ""), str(entry.get("at", "")))
    return out


@dataclass(frozen=True)
class DataConfidence:
    """Per borough × table confidence, and each borough's data request.

    Attributes
    ----------
    table
        Columns :data:`CONFIDENCE_COLUMNS`: ``records``, ``real_records``,
        ``share_real`` (fraction, NaN without records), ``share_real_values``
        (cameras only: real or catalogue attribute values, NaN elsewhere),
        ``last_returned`` (ISO time or ""), ``label`` (:class:`Confidence`).
    by_table
        The same for the whole region, one row per table (``borough_code`` ``*``).
    requests
        Borough code -> the tables still to send (real share below confirmed).
    """

    table: pd.DataFrame
    by_table: pd.DataFrame
    requests: Mapping[str, tuple[str, ...]]

    def borough(self, code: str) -> pd.DataFrame:
        """The rows of one borough."""
        return self.table.loc[self.table["borough_code"] == code].reset_index(drop=True)

    def label_for(self, code: str, table: str) -> Confidence:
        """The label of one borough's table."""
        rows = self.table.loc[
            (self.table["borough_code"] == code) & (self.table["table"] == table), "label"
        ]
        return Confidence(str(rows.iloc[0])) if len(rows) else Confidence.PROVISIONAL


def _row(
    code: str,
    name: str,
    table: str,
    frame: pd.DataFrame,
    last: str,
    assumptions: Assumptions,
) -> dict[str, object]:
    real = int(_is_real(frame).sum())
    share = real / len(frame) if len(frame) else float("nan")
    values = share_real_values(frame) if table == "cameras" else float("nan")
    return {
        "borough_code": code,
        "borough": name,
        "table": table,
        "records": len(frame),
        "real_records": real,
        "share_real": share,
        "share_real_values": values,
        "last_returned": last,
        "label": confidence_label(share, assumptions).value,
    }


def data_confidence(
    estate: Estate,
    *,
    assumptions: Assumptions | None = None,
    tables: Sequence[str] = RETURN_TABLES,
) -> DataConfidence:
    """The confidence table of ``estate`` (see the module docstring)."""
    assumptions = assumptions or read_assumptions()
    last = _last_returns(estate.metadata)
    rows: list[dict[str, object]] = []
    names = dict(zip(estate.boroughs["gss_code"], estate.boroughs["name"], strict=True))
    profile_of = dict(
        zip(estate.boroughs["gss_code"], estate.boroughs["cost_profile"], strict=True)
    )
    for table in tables:
        frame = estate.table(table)
        where = _record_boroughs(estate, table)
        for code, name in names.items():
            if table == "cost_items":
                mine = frame.loc[frame["profile"] == profile_of.get(code)]
            else:
                mine = frame.loc[(where == code).to_numpy()]
            when = last.get((table, code)) or last.get((table, "*"), "")
            rows.append(_row(code, name, table, mine, when, assumptions))
    table_frame = pd.DataFrame(rows, columns=list(CONFIDENCE_COLUMNS))
    region = [
        _row("*", estate.region.name, t, estate.table(t), _latest(last, t), assumptions)
        for t in tables
    ]
    confirmed = Confidence.CONFIRMED.value
    requests = {
        code: tuple(
            table_frame.loc[
                (table_frame["borough_code"] == code) & (table_frame["label"] != confirmed),
                "table",
            ]
        )
        for code in names
    }
    return DataConfidence(
        table_frame, pd.DataFrame(region, columns=list(CONFIDENCE_COLUMNS)), requests
    )


def _latest(last: Mapping[tuple[str, str], str], table: str) -> str:
    return max((v for (t, _), v in last.items() if t == table), default="")


def record_basis(estate: Estate, region_code: str) -> pd.DataFrame:
    """Per borough (and a ``region_code`` row): the share of real records each table holds.

    Columns: ``gss_code``, ``share_real_cameras``, ``share_real_camera_values`` and
    ``share_real_<table>`` for control rooms, contracts, evidence statistics and
    the borough's cost profile, so that a cost or coverage figure says what it rests on.
    """
    confidence = data_confidence(estate)
    wide = confidence.table.pivot(index="borough_code", columns="table", values="share_real")
    values = confidence.table.loc[confidence.table["table"] == "cameras"].set_index("borough_code")[
        "share_real_values"
    ]
    region = confidence.by_table.set_index("table")
    rows = [wide.reset_index().rename(columns={"borough_code": "gss_code"})]
    rows[0]["share_real_camera_values"] = rows[0]["gss_code"].map(values).to_numpy()
    total = {"gss_code": region_code, **{t: region.loc[t, "share_real"] for t in wide.columns}}
    total["share_real_camera_values"] = region.loc["cameras", "share_real_values"]
    out = pd.concat([rows[0], pd.DataFrame([total])], ignore_index=True)
    return out.rename(columns={t: f"share_real_{t}" for t in wide.columns})


def real_share_text(estate: Estate) -> str:
    """How much of the estate is real, for output titles ("3 % real records").

    Counts the records of every return table; "no records" for an empty estate.
    """
    frame = data_confidence(estate).by_table
    records = int(frame["records"].sum())
    if not records:
        return "no records"
    return f"{100 * int(frame['real_records'].sum()) / records:.0f} % real records"


def data_request_text(code: str, confidence: DataConfidence) -> str:
    """One borough's data request: what to send and which template carries it."""
    wanted = confidence.requests.get(code, ())
    if not wanted:
        return "Nothing outstanding: every table rests on returned or published records."
    sheets = ", ".join(wanted)
    return (
        f"Please send: {sheets}. Each is a sheet of the borough return workbook "
        f"(`{TEMPLATE_COMMAND}`); import it with "
        f"`cctvscope import TABLE return.xlsx --estate NAME --mode replace`."
    )


__all__ = [
    "CONFIDENCE_COLUMNS",
    "RETURN_TABLES",
    "Confidence",
    "DataConfidence",
    "confidence_label",
    "data_confidence",
    "data_request_text",
    "real_share_text",
    "record_basis",
]
