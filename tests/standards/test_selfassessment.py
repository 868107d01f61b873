"""Code of Practice self-assessment: the questionnaire, answers validation and scoring by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import yaml

from cctvscope.errors import DataError, InputError
from cctvscope.standards.selfassessment import (
    ANSWER_VALUES,
    Answer,
    Answers,
    answers_template,
    meets_code,
    parse_answers,
    read_questionnaire,
    score,
)

BOROUGHS = ("E09000001", "E09000002")


@pytest.fixture(scope="module")
def form():
    return read_questionnaire()


def answers_text(form, overrides=None, *, borough="E09000001", drop=(), extra=None) -> str:
    """An answers file: every question ``yes`` unless overridden; ``drop`` leaves questions out."""
    overrides = overrides or {}
    answers = {
        q.id: {"answer": overrides.get(q.id, "yes"), "evidence": f"doc {q.id}"}
        for q in form.questions
        if q.id not in drop
    }
    answers.update(extra or {})
    data = {
        "questionnaire": form.name,
        "borough_code": borough,
        "assessor": "A. Assessor",
        "assessed_on": "2026-11-20",
        "answers": answers,
    }
    return yaml.safe_dump(data, sort_keys=False)


def test_questionnaire_covers_the_twelve_principles(form):
    assert form.name == "cop-questionnaire-v1"
    assert (form.id, form.version) == ("cop-questionnaire", "1")
    assert "paraphrase" in form.note and "not the official SAT text" in form.note
    assert [p.number for p in form.principles] == list(range(1, 13))
    assert all(2 <= len(p.questions) <= 4 for p in form.principles)
    assert form.question("P1.1").text.startswith("Is there a documented operational requirement")
    assert form.question("P6.1").text.startswith("Is a retention period defined and enforced")
    # n/a only where it can make sense: every P12 question (no reference database), and P8.3.
    na = {q.id for q in form.questions if q.not_applicable_allowed}
    assert na == {"P8.3", "P12.1", "P12.2", "P12.3"}
    assert ANSWER_VALUES == {"yes": 1.0, "partly": 0.5, "no": 0.0, "n/a": None}


def test_unknown_questionnaire():
    with pytest.raises(DataError, match="cop-questionnaire-v1"):
        read_questionnaire("cop-questionnaire-v9")


def test_score_by_hand(form):
    # P1 weights 2, 1, 1: (2·1 + 1·0.5 + 1·0) / 4 = 0.625.
    # P12 weights 2, 1, 1 with P12.1 n/a: (1·1 + 1·0.5) / (1 + 1) = 0.75 (n/a excluded).
    text = answers_text(
        form,
        {"P1.1": "yes", "P1.2": "partly", "P1.3": "no", "P12.1": "n/a", "P12.3": "partly"},
    )
    answers = parse_answers(text, form, boroughs=BOROUGHS)
    result = score(answers, form)
    shares = result.principle_shares
    assert shares[1] == pytest.approx(0.625)
    assert shares[12] == pytest.approx(0.75)
    assert all(shares[n] == 1.0 for n in range(2, 12))
    p12 = result.principles[11]
    assert (p12.answered, p12.not_applicable, p12.passed) == (2, 1, True)  # 0.75 reaches 0.75
    # Overall: mean of the 12 principle shares = (0.625 + 10 + 0.75) / 12.
    assert result.overall_share == pytest.approx(11.375 / 12)
    assert (result.principles_applicable, result.principles_passed) == (12, 11)
    assert result.meets_code is False  # P1 is below the pass mark
    assert result.weakest.number == 1
    assert result.borough_code == "E09000001"
    assert (result.questionnaire_id, result.questionnaire_version) == ("cop-questionnaire", "1")


def test_principle_twelve_not_applicable(form):
    # No reference database: P12 drops out; the other 11 all yes -> overall 1.0, meets the Code.
    text = answers_text(form, {"P12.1": "n/a", "P12.2": "n/a", "P12.3": "n/a"})
    result = score(parse_answers(text, form, boroughs=BOROUGHS), form)
    assert result.principle_shares[12] is None
    assert result.principles[11].passed is None
    assert (result.principles_applicable, result.principles_passed) == (11, 11)
    assert result.overall_share == pytest.approx(1.0)
    assert result.meets_code is True


def test_pass_mark_is_a_parameter(form):
    # P2 weights 2, 1, 1: (2·0.5 + 1 + 1) / 4 = 0.75; P10 weights 1, 1, 1: (1 + 0.5 + 0) / 3 = 0.5.
    text = answers_text(form, {"P2.1": "partly", "P10.2": "partly", "P10.3": "no"})
    answers = parse_answers(text, form, boroughs=BOROUGHS)
    strict = score(answers, form)
    assert strict.principle_shares[2] == pytest.approx(0.75)
    assert strict.principle_shares[10] == pytest.approx(0.5)
    assert (strict.principles_passed, strict.meets_code) == (11, False)
    lenient = score(answers, form, pass_mark=0.5)
    assert (lenient.principles_passed, lenient.meets_code) == (12, True)
    assert lenient.overall_share == strict.overall_share == pytest.approx(11.25 / 12)
    with pytest.raises(ValueError, match="pass mark"):
        score(answers, form, pass_mark=1.5)


def test_meets_code_ignores_not_applicable():
    assert meets_code({1: 0.8, 2: None}, 0.75)
    assert not meets_code({1: 0.8, 2: 0.7}, 0.75)
    assert not meets_code({1: None}, 0.75)


def test_assessment_is_frozen(form):
    result = score(parse_answers(answers_text(form), form, boroughs=BOROUGHS), form)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.overall_share = 0.0  # type: ignore[misc]


def test_score_refuses_incomplete_answers(form):
    answers = Answers(form.name, "E09000001", "me", dt.date(2026, 1, 1), (Answer("P1.1", "yes"),))
    with pytest.raises(ValueError, match=r"no answer to P1\.2"):
        score(answers, form)


def test_parse_reads_every_field(form):
    answers = parse_answers(answers_text(form, {"P3.1": "Partly"}), form, boroughs=BOROUGHS)
    assert answers.borough_code == "E09000001"
    assert answers.assessor == "A. Assessor"
    assert answers.assessed_on == dt.date(2026, 11, 20)
    assert len(answers.answers) == len(form.questions) == 37
    by_id = answers.by_question()
    assert by_id["P3.1"] == Answer("P3.1", "partly", "doc P3.1")
    assert answers.as_json()["P1.1"] == {"answer": "yes", "evidence": "doc P1.1"}


def test_bare_yes_no_and_shorthand(form):
    # YAML 1.1 reads bare yes/no as booleans; "P1.1: partly" is shorthand for answer: partly.
    text = answers_text(form).replace(
        "  P1.1:\n    answer: 'yes'\n    evidence: doc P1.1\n", "  P1.1: partly\n"
    )
    text = text.replace("answer: 'yes'\n    evidence: doc P2.1", "answer: no\n    evidence: x")
    text = text.replace("answer: 'yes'\n    evidence: doc P2.2", "answer: yes\n    evidence: y")
    by_id = parse_answers(text, form, boroughs=BOROUGHS).by_question()
    assert by_id["P1.1"] == Answer("P1.1", "partly", "")
    assert by_id["P2.1"].value == "no"
    assert by_id["P2.2"].value == "yes"


def test_all_problems_reported_at_once(form):
    text = answers_text(
        form,
        {"P3.1": "maybe", "P6.1": "n/a"},
        borough="E09000099",
        drop=("P2.1",),
        extra={"P13.1": {"answer": "yes"}, "P4.1": {"answer": "", "evidence": 5}},
    )
    text = text.replace("assessor: A. Assessor", "assessor: ''")
    text = text.replace("assessed_on: '2026-11-20'", "assessed_on: 2026-13-45\nsigned: true")
    with pytest.raises(InputError) as info:
        parse_answers(text, form, boroughs=BOROUGHS)
    problems = {(f.field, f.value, f.reason.split(";")[0]) for f in info.value.findings}
    assert problems == {
        ("borough_code", "E09000099", "unknown borough: not a borough of this estate"),
        ("assessor", None, "missing: who completed the assessment"),
        ("assessed_on", "2026-13-45", "not a date"),
        ("signed", None, "unknown field"),
        ("answers.P13.1", None, "unknown question id"),
        ("answers.P2.1", None, "missing answer"),
        ("answers.P3.1", "maybe", "invalid answer"),
        ("answers.P6.1", "n/a", "n/a is not allowed for this question"),
        ("answers.P4.1.evidence", "5", "must be text"),
        ("answers.P4.1", None, "missing answer"),
    }
    assert all(f.severity == "error" for f in info.value.findings)
    assert "10 errors" in str(info.value)
    lines = {f.field: f.row for f in info.value.findings}
    assert text.splitlines()[lines["answers.P3.1"] - 1].strip() == "P3.1:"
    assert text.splitlines()[lines["borough_code"] - 1].startswith("borough_code:")


def test_repeated_question_and_wrong_questionnaire(form):
    text = answers_text(form).replace("questionnaire: cop-questionnaire-v1", "questionnaire: x-v0")
    text += "  P1.1:\n    answer: 'no'\n"
    with pytest.raises(InputError) as info:
        parse_answers(text, form, boroughs=BOROUGHS)
    fields = sorted((f.field, f.reason.split(";")[0]) for f in info.value.findings)
    assert fields == [
        ("answers.P1.1", "given more than once (only one is kept)"),
        ("questionnaire", "answers are for another questionnaire"),
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("answers: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        ("", "must be a mapping"),
    ],
)
def test_malformed_file(form, text, reason):
    with pytest.raises(InputError) as info:
        parse_answers(text, form, boroughs=BOROUGHS)
    assert len(info.value.findings) == 1
    assert reason in info.value.findings[0].reason


def test_template_lists_every_question_and_round_trips(form):
    template = answers_template(form)
    assert "paraphrase" in template
    for q in form.questions:
        assert f"  {q.id}:\n" in template
        assert q.text in template
    # Unfilled, it fails on every question and the three header fields.
    with pytest.raises(InputError) as info:
        parse_answers(template, form, boroughs=BOROUGHS)
    assert len(info.value.findings) == len(form.questions) + 3
    filled = (
        template.replace('borough_code: ""', "borough_code: E09000002")
        .replace('assessor: ""', "assessor: J. Smith")
        .replace("assessed_on:", "assessed_on: 2026-11-01")
        .replace("    answer:    #", "    answer: partly    #")
    )
    result = score(parse_answers(filled, form, boroughs=BOROUGHS), form)
    assert result.overall_share == pytest.approx(0.5)
    assert result.borough_code == "E09000002"
