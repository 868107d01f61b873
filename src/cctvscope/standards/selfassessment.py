"""Surveillance Camera Code of Practice self-assessment: questionnaire, answers, score.

A borough answers 2 to 4 questions for each of the Code's 12 guiding principles
(``data/cop-questionnaire-v1.yaml``; our paraphrase in the spirit of the SCC
Self-Assessment Tool, not the official text) in a YAML file written by
:func:`answers_template`. :func:`parse_answers` validates the whole file and
reports every problem at once; :func:`score` turns valid answers into an
:class:`Assessment`.

Scoring, by hand: ``yes`` = 1, ``partly`` = 0.5, ``no`` = 0, ``n/a`` is left
out. A principle's share is the weighted mean of its answered questions
(``None`` when every question is ``n/a``); the overall share is the plain mean
of the applicable principles' shares (each principle counts equally, however
many questions it has). The borough meets the Code when every applicable
principle reaches the pass mark (0.75, rule ``CoP`` of the London standard).

Everything here is pure: no settings, no store, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cctvscope.errors import DataError, Finding, InputError

DATA_DIR = Path(__file__).resolve().parent / "data"
"""Where the bundled questionnaires live."""

DEFAULT_QUESTIONNAIRE = "cop-questionnaire-v1"
DEFAULT_PASS_MARK = 0.75
"""Pass mark per principle: ``min_score_share`` of rule ``CoP`` (our recommendation)."""

NOT_APPLICABLE = "n/a"
ANSWER_VALUES: dict[str, float | None] = {
    "yes": 1.0,
    "partly": 0.5,
    "no": 0.0,
    NOT_APPLICABLE: None,
}
"""Canonical answers and their values (``None``: excluded from the score)."""

_ANSWER_ALIASES: dict[str, str] = {
    "na": NOT_APPLICABLE,
    "not applicable": NOT_APPLICABLE,
    "not_applicable": NOT_APPLICABLE,
    "part": "partly",
}
_TOP_LEVEL_KEYS = ("questionnaire", "borough_code", "assessor", "assessed_on", "answers")
_ANSWER_KEYS = ("answer", "evidence")
_TOLERANCE = 1e-9


class _AnswersLoader(yaml.SafeLoader):
    """A safe loader that leaves dates as text (PyYAML raises on ``2026-13-45``)."""


_AnswersLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# --- the questionnaire ----------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One question: ``id`` like ``P6.1``, its principle number, text and weight."""

    id: str
    principle: int
    text: str
    weight: float
    not_applicable_allowed: bool = False


@dataclass(frozen=True)
class Principle:
    """One of the Code's 12 guiding principles with its questions."""

    number: int
    title: str
    questions: tuple[Question, ...]
    note: str = ""


@dataclass(frozen=True)
class Questionnaire:
    """A versioned questionnaire; ``name`` (``cop-questionnaire-v1``) names its file."""

    id: str
    version: str
    title: str
    note: str
    principles: tuple[Principle, ...]

    @property
    def name(self) -> str:
        """``{id}-v{version}``: the name answers files refer to."""
        return f"{self.id}-v{self.version}"

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question, in order."""
        return tuple(q for p in self.principles for q in p.questions)

    def question(self, question_id: str) -> Question:
        """The question with this id (``KeyError`` when unknown)."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def principle(self, number: int) -> Principle:
        """The principle with this number (``KeyError`` when unknown)."""
        for p in self.principles:
            if p.number == number:
                return p
        raise KeyError(number)


def _questionnaire_from(data: Any, name: str) -> Questionnaire:
    """Build and check a questionnaire from parsed YAML; ``DataError`` when malformed."""
    try:
        head = data["questionnaire"]
        principles = []
        for p in data["principles"]:
            number = int(p["number"])
            questions = tuple(
                Question(
                    id=str(q["id"]),
                    principle=number,
                    text=str(q["text"]),
                    weight=float(q["weight"]),
                    not_applicable_allowed=bool(q.get("not_applicable_allowed", False)),
                )
                for q in p["questions"]
            )
            principles.append(Principle(number, str(p["title"]), questions, str(p.get("note", ""))))
        questionnaire = Questionnaire(
            id=str(head["id"]),
            version=str(head["version"]),
            title=str(head["title"]),
            note=str(head.get("note", "")),
            principles=tuple(principles),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"questionnaire {name!r} is malformed: {exc!r}") from exc
    ids = [q.id for q in questionnaire.questions]
    problems = []
    if [p.number for p in questionnaire.principles] != list(range(1, 13)):
        problems.append("principles must be numbered 1 to 12 in order")
    if len(set(ids)) != len(ids):
        problems.append("question ids repeat")
    if any(not 2 <= len(p.questions) <= 4 for p in questionnaire.principles):
        problems.append("each principle needs 2 to 4 questions")
    if any(q.weight <= 0 for q in questionnaire.questions):
        problems.append("weights must be positive")
    if all(any(q.not_applicable_allowed for q in p.questions) for p in questionnaire.principles):
        problems.append("at least one principle must have no question that may be n/a")
    if questionnaire.name != name:
        problems.append(f"its id and version make {questionnaire.name!r}, not {name!r}")
    if problems:
        raise DataError(f"questionnaire {name!r} is malformed: " + "; ".join(problems))
    return questionnaire


def read_questionnaire(name: str = DEFAULT_QUESTIONNAIRE) -> Questionnaire:
    """The bundled questionnaire ``name`` (``data/{name}.yaml``).

    Raises
    ------
    DataError
        When there is no such questionnaire or its file is malformed.
    """
    path = DATA_DIR / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in DATA_DIR.glob("cop-questionnaire-*.yaml"))
        raise DataError(f"no questionnaire {name!r}; bundled: {', '.join(known) or 'none'}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"questionnaire {name!r} is not valid YAML: {exc}") from exc
    return _questionnaire_from(data, name)


# --- the answers file -----------------------------------------------------------------------


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def answers_template(questionnaire: Questionnaire) -> str:
    """The YAML file a borough fills in: header fields, then one entry per question.

    Each answer is left empty (``answer:``); the question text and whether
    ``n/a`` is allowed are written as comments above it.
    """
    lines = [
        f"# {questionnaire.title}",
        f"# {questionnaire.note}",
        "#",
        "# Fill in borough_code (GSS code, e.g. E09000001), assessor and assessed_on (YYYY-MM-DD),",
        "# then one answer per question: yes, partly, no, or n/a where the question allows it.",
        "# evidence: an optional note of where the evidence is (document, link, date).",
        f"questionnaire: {questionnaire.name}",
        'borough_code: ""',
        'assessor: ""',
        "assessed_on:",
        "answers:",
    ]
    for principle in questionnaire.principles:
        lines.append(f"  # Principle {principle.number}: {principle.title}")
        if principle.note:
            lines.append(f"  # {principle.note}")
        for q in principle.questions:
            allowed = "yes | partly | no" + (" | n/a" if q.not_applicable_allowed else "")
            lines += [
                f"  # {q.text} (weight {q.weight:g})",
                f"  {q.id}:",
                f"    answer:    # {allowed}",
                '    evidence: ""',
            ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Answer:
    """One answer: canonical ``value`` (``yes``, ``partly``, ``no``, ``n/a``) and evidence."""

    question_id: str
    value: str
    evidence: str = ""


@dataclass(frozen=True)
class Answers:
    """A validated answers file for one borough."""

    questionnaire: str
    borough_code: str
    assessor: str
    assessed_on: dt.date
    answers: tuple[Answer, ...]

    def by_question(self) -> dict[str, Answer]:
        """The answers keyed by question id."""
        return {a.question_id: a for a in self.answers}

    def as_json(self) -> dict[str, dict[str, str]]:
        """``{question id: {"answer": ..., "evidence": ...}}`` for storage."""
        return {a.question_id: {"answer": a.value, "evidence": a.evidence} for a in self.answers}


def _lines(node: yaml.Node) -> tuple[dict[str, int], dict[str, int], list[tuple[str, int]]]:
    """Line numbers (1-based) of the top-level keys and of the question ids, and repeated keys."""
    top: dict[str, int] = {}
    questions: dict[str, int] = {}
    repeated: list[tuple[str, int]] = []

    def collect(mapping: yaml.MappingNode, into: dict[str, int], prefix: str) -> None:
        for key, _value in mapping.value:
            name = str(key.value)
            line = key.start_mark.line + 1
            if name in into:
                repeated.append((prefix + name, line))
            else:
                into[name] = line

    if isinstance(node, yaml.MappingNode):
        collect(node, top, "")
        for key, value in node.value:
            if key.value == "answers" and isinstance(value, yaml.MappingNode):
                collect(value, questions, "answers.")
    return top, questions, repeated


def _canonical_answer(raw: Any) -> str | None:
    """``yes``/``partly``/``no``/``n/a`` for a raw value; YAML reads bare yes/no as booleans."""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, str):
        text = " ".join(raw.strip().lower().split())
        text = _ANSWER_ALIASES.get(text, text)
        return text if text in ANSWER_VALUES else None
    return None


def _as_date(raw: Any) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            return None
    return None


def parse_answers(text: str, questionnaire: Questionnaire, *, boroughs: Collection[str]) -> Answers:
    """Validate an answers file (YAML text) against ``questionnaire`` and the known boroughs.

    Every problem is collected before raising: malformed YAML, unknown or repeated
    fields and question ids, missing answers, invalid answer values, ``n/a`` where
    the question does not allow it, an unknown borough, a missing assessor or an
    invalid date. Each finding carries the file's line number where there is one.

    Raises
    ------
    InputError
        With one finding per problem.
    """
    try:
        node = yaml.compose(text, Loader=_AnswersLoader)
        data = yaml.load(text, Loader=_AnswersLoader)  # a SafeLoader subclass
    except (yaml.YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        finding = Finding("error", line, None, None, f"not valid YAML: {exc}")
        raise InputError("the answers file is not valid YAML", [finding]) from exc
    if not isinstance(data, Mapping) or node is None:
        reason = "the answers file must be a mapping of questionnaire, borough_code, ... answers"
        raise InputError(
            "the answers file is malformed", [Finding("error", None, None, None, reason)]
        )
    top_lines, question_lines, repeated = _lines(node)
    findings: list[Finding] = []

    def error(field: str | None, value: Any, reason: str, line: int | None = None) -> None:
        shown = None if value is None else str(value)
        where = line if line is not None else top_lines.get((field or "").split(".")[0])
        findings.append(Finding("error", where, field, shown, reason))

    for key, line in repeated:
        error(key, None, "given more than once (only one is kept)", line)
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            error(str(key), None, f"unknown field; expected {', '.join(_TOP_LEVEL_KEYS)}")

    name = data.get("questionnaire")
    if name is None:
        error("questionnaire", None, f"missing; expected {questionnaire.name}")
    elif str(name) != questionnaire.name:
        error(
            "questionnaire",
            name,
            f"answers are for another questionnaire; expected {questionnaire.name}",
        )

    borough = data.get("borough_code")
    borough_text = "" if borough is None else str(borough).strip()
    if not borough_text:
        error("borough_code", None, "missing: the GSS code of the assessed borough")
    elif borough_text not in boroughs:
        error("borough_code", borough_text, "unknown borough: not a borough of this estate")

    assessor = data.get("assessor")
    assessor_text = "" if assessor is None else str(assessor).strip()
    if not assessor_text:
        error("assessor", None, "missing: who completed the assessment")

    raw_date = data.get("assessed_on")
    assessed_on = _as_date(raw_date)
    if raw_date is None or raw_date == "":
        error("assessed_on", None, "missing: the date of the assessment (YYYY-MM-DD)")
    elif assessed_on is None:
        error("assessed_on", raw_date, "not a date; use YYYY-MM-DD")

    raw_answers = data.get("answers")
    entries: Mapping[Any, Any] = raw_answers if isinstance(raw_answers, Mapping) else {}
    if raw_answers is None:
        error("answers", None, "missing: one answer per question")
    elif not isinstance(raw_answers, Mapping):
        error("answers", None, "must be a mapping of question id to answer")
    known = {q.id: q for q in questionnaire.questions}
    for key in entries:
        if str(key) not in known:
            line = question_lines.get(str(key))
            error(f"answers.{key}", None, "unknown question id", line)

    answers: list[Answer] = []
    for q in questionnaire.questions:
        line = question_lines.get(q.id, top_lines.get("answers"))
        field = f"answers.{q.id}"
        if q.id not in entries:
            error(field, None, "missing answer", line)
            continue
        entry = entries[q.id]
        evidence: Any = ""
        if isinstance(entry, Mapping):
            for extra in entry:
                if extra not in _ANSWER_KEYS:
                    error(
                        f"{field}.{extra}", None, "unknown field; expected answer, evidence", line
                    )
            raw = entry.get("answer")
            evidence = entry.get("evidence") or ""
        else:
            raw = entry  # shorthand: ``P1.1: partly``
        if not isinstance(evidence, str):
            error(f"{field}.evidence", evidence, "must be text", line)
            evidence = ""
        if raw is None or raw == "":
            error(field, None, "missing answer", line)
            continue
        value = _canonical_answer(raw)
        if value is None:
            error(field, raw, "invalid answer; use yes, partly, no or n/a", line)
        elif value == NOT_APPLICABLE and not q.not_applicable_allowed:
            error(
                field, raw, "n/a is not allowed for this question; answer yes, partly or no", line
            )
        else:
            answers.append(Answer(q.id, value, evidence.strip()))

    if findings or assessed_on is None:
        findings.sort(key=lambda f: (f.row is None, f.row or 0))
        raise InputError(f"the answers file has {len(findings)} errors", findings)
    return Answers(questionnaire.name, borough_text, assessor_text, assessed_on, tuple(answers))


# --- scoring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrincipleScore:
    """One principle's result; ``share`` is ``None`` when every question is ``n/a``."""

    number: int
    title: str
    share: float | None
    answered: int
    not_applicable: int
    passed: bool | None


@dataclass(frozen=True)
class Assessment:
    """A scored self-assessment of one borough."""

    questionnaire_id: str
    questionnaire_version: str
    borough_code: str
    pass_mark: float
    principles: tuple[PrincipleScore, ...]
    overall_share: float
    principles_applicable: int
    principles_passed: int
    meets_code: bool

    @property
    def principle_shares(self) -> dict[int, float | None]:
        """Principle number → share (``None``: not applicable)."""
        return {p.number: p.share for p in self.principles}

    @property
    def weakest(self) -> PrincipleScore:
        """The applicable principle with the lowest share (the lowest number on a tie)."""
        applicable = [p for p in self.principles if p.share is not None]
        return min(applicable, key=lambda p: (p.share, p.number))


def passes(share: float, pass_mark: float) -> bool:
    """``share`` reaches ``pass_mark`` (with a rounding tolerance of 1e-9)."""
    return share >= pass_mark - _TOLERANCE


def meets_code(principle_shares: Mapping[Any, float | None], pass_mark: float) -> bool:
    """Every applicable principle (share not ``None``) reaches the pass mark."""
    shares = [s for s in principle_shares.values() if s is not None]
    return bool(shares) and all(passes(s, pass_mark) for s in shares)


def score(
    answers: Answers, questionnaire: Questionnaire, *, pass_mark: float = DEFAULT_PASS_MARK
) -> Assessment:
    """Score valid answers: per-principle weighted shares, overall share, pass or fail.

    Raises
    ------
    ValueError
        When the answers are for another questionnaire, miss a question, or the
        pass mark is outside 0..1.
    """
    if answers.questionnaire != questionnaire.name:
        raise ValueError(f"answers are for {answers.questionnaire!r}, not {questionnaire.name!r}")
    if not 0.0 <= pass_mark <= 1.0:
        raise ValueError(f"pass mark must be between 0 and 1, not {pass_mark}")
    given = answers.by_question()
    missing = [q.id for q in questionnaire.questions if q.id not in given]
    if missing:
        raise ValueError(f"no answer to {', '.join(missing)}")
    results = []
    for principle in questionnaire.principles:
        weighted = total = 0.0
        answered = excluded = 0
        for q in principle.questions:
            value = ANSWER_VALUES[given[q.id].value]
            if value is None:
                excluded += 1
                continue
            answered += 1
            weighted += q.weight * value
            total += q.weight
        share = weighted / total if total else None
        passed = None if share is None else passes(share, pass_mark)
        results.append(
            PrincipleScore(principle.number, principle.title, share, answered, excluded, passed)
        )
    shares = [p.share for p in results if p.share is not None]
    return Assessment(
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        borough_code=answers.borough_code,
        pass_mark=pass_mark,
        principles=tuple(results),
        overall_share=sum(shares) / len(shares),
        principles_applicable=len(shares),
        principles_passed=sum(1 for p in results if p.passed),
        meets_code=meets_code({p.number: p.share for p in results}, pass_mark),
    )
