"""Store and read Code of Practice self-assessments of an estate's boroughs.

An assessment is kept by estate *name* and borough code, not tied to an estate
version: it describes how a borough runs its system, which a new camera import
does not change. Each submission is a new row; readers take the latest per
borough (the latest ``assessed_on``, then the latest submitted). Like the rest
of the store, every function takes the engine (or a URL) and never reads settings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa

from cctvscope.errors import StoreError
from cctvscope.standards.selfassessment import DEFAULT_PASS_MARK, Answers, Assessment, meets_code
from cctvscope.store.repository import EngineOrUrl, _database_errors, _engine, _find_estate
from cctvscope.store.tables import ESTATE_TABLES, cop_assessments

PRINCIPLES = tuple(range(1, 13))
"""The Code's 12 guiding principles, by number."""


def estate_borough_codes(engine: EngineOrUrl, estate_name: str) -> list[str]:
    """GSS codes of the boroughs in the latest version of ``estate_name``.

    Raises
    ------
    UnknownEstateError
        When the store has no estate of that name.
    """
    boroughs = ESTATE_TABLES["boroughs"]
    with (
        _engine(engine) as eng,
        _database_errors(f"reading the boroughs of estate {estate_name!r}"),
        eng.connect() as connection,
    ):
        estate_id = _find_estate(connection, estate_name, None).id
        query = (
            sa.select(boroughs.c.gss_code)
            .where(boroughs.c.estate_id == estate_id)
            .order_by(boroughs.c.position)
        )
        return [str(code) for code in connection.execute(query).scalars()]


def save_assessment(
    engine: EngineOrUrl, estate_name: str, assessment: Assessment, answers: Answers
) -> int:
    """Store a scored self-assessment with its answers; returns the new row's id.

    Raises
    ------
    StoreError
        When the assessment and answers disagree (borough, questionnaire) or the
        database fails; nothing is stored then.
    """
    questionnaire = f"{assessment.questionnaire_id}-v{assessment.questionnaire_version}"
    if not estate_name:
        raise StoreError("an assessment needs an estate name")
    if answers.borough_code != assessment.borough_code or answers.questionnaire != questionnaire:
        raise StoreError(
            f"the assessment ({assessment.borough_code}, {questionnaire}) does not match "
            f"its answers ({answers.borough_code}, {answers.questionnaire})"
        )
    values = {
        "estate_name": estate_name,
        "borough_code": assessment.borough_code,
        "questionnaire_id": assessment.questionnaire_id,
        "questionnaire_version": assessment.questionnaire_version,
        "assessor": answers.assessor,
        "assessed_on": answers.assessed_on,
        "answers": answers.as_json(),
        "principle_scores": {str(n): s for n, s in assessment.principle_shares.items()},
        "overall_share": float(assessment.overall_share),
        "created_at": dt.datetime.now(dt.UTC),
    }
    with (
        _engine(engine) as eng,
        _database_errors(f"saving the assessment of {assessment.borough_code}"),
        eng.begin() as connection,
    ):
        query = cop_assessments.insert().values(values).returning(cop_assessments.c.id)
        return int(connection.execute(query).scalar_one())


def _latest_rows(engine: EngineOrUrl, estate_name: str) -> list[sa.RowMapping]:
    """The latest assessment of each borough of ``estate_name``, by borough code."""
    table = cop_assessments
    query = (
        sa.select(table)
        .where(table.c.estate_name == estate_name)
        .order_by(table.c.borough_code, table.c.assessed_on.desc(), table.c.id.desc())
    )
    with (
        _engine(engine) as eng,
        _database_errors(f"reading the assessments of estate {estate_name!r}"),
        eng.connect() as connection,
    ):
        rows = connection.execute(query).mappings().all()
    latest: dict[str, sa.RowMapping] = {}
    for row in rows:
        latest.setdefault(row["borough_code"], row)
    return list(latest.values())


def _shares(row: sa.RowMapping) -> dict[int, float | None]:
    stored: dict[str, Any] = dict(row["principle_scores"])
    return {n: None if stored.get(str(n)) is None else float(stored[str(n)]) for n in PRINCIPLES}


def latest_assessments(
    engine: EngineOrUrl, estate_name: str, *, pass_mark: float = DEFAULT_PASS_MARK
) -> pd.DataFrame:
    """The latest self-assessment of each borough of ``estate_name``, one row per borough.

    Columns: ``borough_code``, ``assessed_on``, ``assessor``, ``questionnaire``,
    ``overall_share``, ``meets_code`` (every applicable principle reaches
    ``pass_mark``), ``weakest_principle`` (number of the lowest share) and
    ``P1`` … ``P12`` (shares; NaN where not applicable). Empty, with these
    columns, when no borough has been assessed.
    """
    columns = [
        "borough_code",
        "assessed_on",
        "assessor",
        "questionnaire",
        "overall_share",
        "meets_code",
        "weakest_principle",
        *(f"P{n}" for n in PRINCIPLES),
    ]
    records = []
    for row in _latest_rows(engine, estate_name):
        shares = _shares(row)
        applicable = {n: s for n, s in shares.items() if s is not None}
        weakest = min(applicable, key=lambda n: (applicable[n], n)) if applicable else None
        records.append(
            {
                "borough_code": row["borough_code"],
                "assessed_on": row["assessed_on"],
                "assessor": row["assessor"],
                "questionnaire": f"{row['questionnaire_id']}-v{row['questionnaire_version']}",
                "overall_share": float(row["overall_share"]),
                "meets_code": meets_code(shares, pass_mark),
                "weakest_principle": weakest,
                **{f"P{n}": float("nan") if s is None else s for n, s in shares.items()},
            }
        )
    frame = pd.DataFrame.from_records(records, columns=columns)
    if frame.empty:
        return frame
    frame["meets_code"] = frame["meets_code"].astype(bool)
    frame["weakest_principle"] = frame["weakest_principle"].astype("Int64")
    return frame


def cop_scores(engine: EngineOrUrl, estate_name: str) -> dict[str, float]:
    """Borough code → overall share of its latest self-assessment (rule ``CoP``)."""
    return {
        str(row["borough_code"]): float(row["overall_share"])
        for row in _latest_rows(engine, estate_name)
    }
