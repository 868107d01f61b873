"""Code of Practice self-assessments in the store (both backends), migration 0002, and the CLI."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from typer.testing import CliRunner

from cctvscope.cli.cop_cmd import cop_app
from cctvscope.errors import StoreError, UnknownEstateError
from cctvscope.standards.selfassessment import (
    Answers,
    answers_template,
    parse_answers,
    read_questionnaire,
    score,
)
from cctvscope.store import (
    connect,
    cop_scores,
    estate_borough_codes,
    init_store,
    latest_assessments,
    save_assessment,
    save_estate,
)
from cctvscope.store.migrate import (
    current_revision,
    downgrade_database,
    head_revision,
    schema_differences,
    upgrade_database,
)
from cctvscope.store.tables import cop_assessments
from tests.store.builders import BOROUGH_CODES, make_estate

FORM = read_questionnaire()


@pytest.fixture
def cop_store(store: sa.Engine) -> sa.Engine:
    """The store with no assessments (the PostgreSQL fixture truncates only ``ALL_TABLES``)."""
    with store.begin() as connection:
        connection.execute(cop_assessments.delete())
    return store


def answers_for(borough: str, overrides: dict[str, str] | None = None, on: str = "2026-11-20"):
    """Parsed answers: every question ``yes`` unless overridden."""
    overrides = overrides or {}
    data = {
        "questionnaire": FORM.name,
        "borough_code": borough,
        "assessor": "A. Assessor",
        "assessed_on": on,
        "answers": {q.id: {"answer": overrides.get(q.id, "yes")} for q in FORM.questions},
    }
    return parse_answers(yaml.safe_dump(data), FORM, boroughs=BOROUGH_CODES)


def submit(engine: sa.Engine, answers: Answers, estate: str = "testville") -> int:
    return save_assessment(engine, estate, score(answers, FORM), answers)


def count(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(sa.select(sa.func.count()).select_from(cop_assessments)).scalar_one()
        )


def test_round_trip(cop_store):
    # P1: (2·1 + 1·0.5 + 1·0) / 4 = 0.625; P12 all n/a (no reference database).
    overrides = {"P1.2": "partly", "P1.3": "no", "P12.1": "n/a", "P12.2": "n/a", "P12.3": "n/a"}
    answers = answers_for("E09000001", overrides)
    row_id = submit(cop_store, answers)
    assert row_id >= 1
    with cop_store.connect() as connection:
        row = connection.execute(sa.select(cop_assessments)).mappings().one()
    assert row["estate_name"] == "testville"
    assert row["borough_code"] == "E09000001"
    assert (row["questionnaire_id"], row["questionnaire_version"]) == ("cop-questionnaire", "1")
    assert row["assessed_on"] == dt.date(2026, 11, 20)
    assert row["answers"]["P1.2"] == {"answer": "partly", "evidence": ""}
    assert row["principle_scores"]["1"] == pytest.approx(0.625)
    assert row["principle_scores"]["12"] is None
    assert row["overall_share"] == pytest.approx((0.625 + 10) / 11)

    frame = latest_assessments(cop_store, "testville")
    assert list(frame["borough_code"]) == ["E09000001"]
    first = frame.iloc[0]
    assert first["P1"] == pytest.approx(0.625)
    assert math.isnan(first["P12"])
    assert not first["meets_code"]
    assert first["weakest_principle"] == 1
    assert first["questionnaire"] == "cop-questionnaire-v1"
    assert latest_assessments(cop_store, "testville", pass_mark=0.6)["meets_code"].tolist() == [
        True
    ]
    assert cop_scores(cop_store, "testville") == {"E09000001": pytest.approx((0.625 + 10) / 11)}


def test_latest_per_borough(cop_store):
    submit(cop_store, answers_for("E09000001", {"P6.1": "no"}, on="2026-01-10"))
    submit(cop_store, answers_for("E09000001", on="2026-06-01"))  # later date: the latest
    submit(cop_store, answers_for("E09000001", {"P7.1": "no"}, on="2025-12-01"))  # older, newer id
    submit(cop_store, answers_for("E09000002", {"P9.1": "no"}))
    submit(cop_store, answers_for("E09000003"), estate="elsewhere")
    assert count(cop_store) == 5
    frame = latest_assessments(cop_store, "testville")
    assert frame["borough_code"].tolist() == ["E09000001", "E09000002"]
    assert frame["assessed_on"].tolist() == [dt.date(2026, 6, 1), dt.date(2026, 11, 20)]
    assert frame["meets_code"].tolist() == [True, False]
    # P9 weights 2, 1, 1: (2·0 + 1 + 1) / 4 = 0.5, below the 0.75 pass mark.
    assert frame.loc[1, "P9"] == pytest.approx(0.5)
    assert frame.loc[1, "weakest_principle"] == 9
    scores = cop_scores(cop_store, "testville")
    assert scores == {"E09000001": 1.0, "E09000002": pytest.approx((11 + 0.5) / 12)}
    assert cop_scores(cop_store, "elsewhere") == {"E09000003": 1.0}
    assert cop_scores(cop_store, "nowhere") == {}
    empty = latest_assessments(cop_store, "nowhere")
    assert empty.empty and "meets_code" in empty.columns and "P12" in empty.columns


def test_mismatched_assessment_is_refused(cop_store):
    answers = answers_for("E09000001")
    other = score(answers_for("E09000002"), FORM)
    with pytest.raises(StoreError, match="does not match"):
        save_assessment(cop_store, "testville", other, answers)
    assert count(cop_store) == 0


def test_estate_borough_codes(cop_store):
    with pytest.raises(UnknownEstateError, match="no estate named 'testville'"):
        estate_borough_codes(cop_store, "testville")
    save_estate(cop_store, make_estate())
    assert estate_borough_codes(cop_store, "testville") == list(BOROUGH_CODES)


def test_migration_0002(cop_store):
    # 0002 created cop_assessments; later migrations build on it.
    assert head_revision() >= "0002"
    assert current_revision(cop_store) == head_revision()
    assert schema_differences(cop_store) == []
    submit(cop_store, answers_for("E09000001"))
    downgrade_database(cop_store, "0001")
    assert current_revision(cop_store) == "0001"
    assert "cop_assessments" not in sa.inspect(cop_store).get_table_names()
    assert "estates" in sa.inspect(cop_store).get_table_names()
    upgrade_database(cop_store)
    assert schema_differences(cop_store) == []
    indexes = {i["name"]: i for i in sa.inspect(cop_store).get_indexes("cop_assessments")}
    assert indexes["ix_cop_assessments_estate_borough"]["column_names"] == [
        "estate_name",
        "borough_code",
    ]


# --- the CLI --------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = connect(url)
    try:
        init_store(engine)
        save_estate(engine, make_estate())
    finally:
        engine.dispose()
    return url


def _fill(template: str, borough: str, answer: str = "yes", **answers: str) -> str:
    text = (
        template.replace('borough_code: ""', f"borough_code: {borough}")
        .replace('assessor: ""', "assessor: J. Smith")
        .replace("assessed_on:", "assessed_on: 2026-11-01")
    )
    lines = []
    current = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.endswith(":") and stripped[:-1].startswith("P"):
            current = stripped[:-1]
        if line.startswith("    answer:"):
            line = f"    answer: {answers.get(current.replace('.', '_'), answer)}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_cli_template_fill_submit_show(tmp_path, db_url):
    out = tmp_path / "cop.yaml"
    result = runner.invoke(cop_app, ["template", "--out", str(out)])
    assert result.exit_code == 0, result.output
    template = out.read_text(encoding="utf-8")
    assert "P12.3:" in template

    good = tmp_path / "e1.yaml"
    good.write_text(_fill(template, "E09000001", P12_1="n/a", P12_2="n/a", P12_3="n/a"))
    result = runner.invoke(
        cop_app, ["submit", str(good), "--estate", "testville", "--database-url", db_url]
    )
    assert result.exit_code == 0, result.output
    assert "meets the Code" in result.output
    assert "11 of 11 applicable principles passed" in result.output

    weak = tmp_path / "e2.yaml"
    weak.write_text(_fill(template, "E09000002", P6_1="no", P6_2="partly"))
    result = runner.invoke(
        cop_app, ["submit", str(weak), "--estate", "testville", "--database-url", db_url]
    )
    assert result.exit_code == 0, result.output
    assert "does not meet the Code" in result.output  # P6: (0 + 0.5 + 1) / 4 = 0.375

    result = runner.invoke(cop_app, ["show", "--estate", "testville", "--database-url", db_url])
    assert result.exit_code == 0, result.output
    assert "E09000001" in result.output and "E09000002" in result.output
    assert "P6 (38%)" in result.output
    engine = connect(db_url)
    try:
        assert set(cop_scores(engine, "testville")) == {"E09000001", "E09000002"}
    finally:
        engine.dispose()


def test_cli_bad_answers_exit_2_and_store_nothing(tmp_path, db_url):
    template = answers_template(FORM)
    bad = _fill(template, "E09000099", P3_1="maybe", P6_1="n/a").replace(
        "assessor: J. Smith", "assessor:"
    )
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    result = runner.invoke(
        cop_app, ["submit", str(path), "--estate", "testville", "--database-url", db_url]
    )
    assert result.exit_code == 2, result.output
    for text in (
        "unknown borough",
        "invalid answer",
        "n/a is not allowed",
        "assessor",
        "nothing was stored",
    ):
        assert text in result.output
    engine = connect(db_url)
    try:
        assert count(engine) == 0
    finally:
        engine.dispose()
    result = runner.invoke(cop_app, ["show", "--estate", "testville", "--database-url", db_url])
    assert result.exit_code == 0
    assert "no Code of Practice self-assessments" in result.output


def test_cli_unknown_estate_and_missing_file(tmp_path, db_url):
    good = tmp_path / "e1.yaml"
    good.write_text(_fill(answers_template(FORM), "E09000001"))
    result = runner.invoke(
        cop_app, ["submit", str(good), "--estate", "nowhere", "--database-url", db_url]
    )
    assert result.exit_code == 2  # a usage error: the named estate is not there
    assert "no estate named 'nowhere'" in result.output
    result = runner.invoke(
        cop_app,
        [
            "submit",
            str(tmp_path / "missing.yaml"),
            "--estate",
            "testville",
            "--database-url",
            db_url,
        ],
    )
    assert result.exit_code == 2
