"""The evidential standard as data: versioned YAML files of rules.

A standard file (``standards/data/<name>.yaml``) has a ``standard`` header (id,
version, title, date, status, scope) and a list of ``rules``. Each rule carries
its id, title, what it ``applies_to`` (camera, recording_system, control_room or
borough), its ``severity`` (critical, major or minor), what it ``requires``, its
``thresholds``, the ``rationale``, the ``source`` clause, the ``status`` of that
source (verified, unverified or assumption) and an optional ``caveat``. Keys a
rule has beyond these (the Code of Practice's ``principles``) are kept in
:attr:`Rule.extra`.

A second file defines another standard or version; a :class:`Standard` knows its
:attr:`~Standard.label` (``"london-cctv v1.0"``) and the SHA-256 of its file so
that reports can say exactly which one they used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from cctvscope.errors import DataError

APPLIES_TO = ("camera", "recording_system", "control_room", "borough")
"""What a rule can apply to."""

SEVERITIES = ("critical", "major", "minor")
"""Rule severities, most severe first: critical (footage unusable or unobtainable),
major (evidential value impaired), minor (best practice)."""

STATUSES = ("verified", "unverified", "assumption")
"""Status of a rule's source: read in a retrieved source, widely quoted but not
confirmed, or our own recommendation."""

HEADER_KEYS = ("id", "version", "title", "date", "status", "scope")
RULE_KEYS = (
    "id",
    "title",
    "applies_to",
    "severity",
    "requires",
    "thresholds",
    "rationale",
    "source",
    "status",
)
OPTIONAL_RULE_KEYS = ("caveat",)

DEFAULT_STANDARD = "london-v1"
"""Name of the bundled standard read when none is given."""


class StandardError(DataError):
    """A standard file is missing or malformed; the message lists every problem."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = problems


def _freeze(value: Any) -> Any:
    """Read-only copies of nested mappings (lists become tuples)."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


@dataclass(frozen=True)
class Rule:
    """One rule of a standard.

    Attributes
    ----------
    id
        Rule id, unique within the standard (``"IQ-01"``).
    title
        Short title.
    applies_to
        ``camera``, ``recording_system``, ``control_room`` or ``borough``.
    severity
        ``critical``, ``major`` or ``minor``.
    requires
        What the rule requires, in words.
    thresholds
        The rule's numbers and lists, read-only (nested mappings too; lists become tuples).
    rationale
        Why the rule matters.
    source
        The source clause(s); findings quote it as their ``clause``.
    status
        ``verified``, ``unverified`` or ``assumption``: the status of the source.
    caveat
        What is uncertain about the rule ("" if nothing).
    extra
        Further keys of the rule in the file (e.g. the Code of Practice ``principles``).
    """

    id: str
    title: str
    applies_to: str
    severity: str
    requires: str
    thresholds: Mapping[str, Any]
    rationale: str
    source: str
    status: str
    caveat: str = ""
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Standard:
    """A versioned standard: header plus rules in file order.

    ``sha256`` is the digest of the file's text and ``path`` where it was read
    from, for provenance in reports.
    """

    id: str
    version: str
    title: str
    date: str
    status: str
    scope: str
    rules: tuple[Rule, ...]
    sha256: str = ""
    path: str = ""

    @property
    def label(self) -> str:
        """Id and version, as reports quote them (``"london-cctv v1.0"``)."""
        return f"{self.id} v{self.version}"

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Rule ids in file order."""
        return tuple(r.id for r in self.rules)

    def rule(self, rule_id: str) -> Rule:
        """The rule called ``rule_id``; a ``KeyError`` names the rules there are."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(
            f"{self.label} has no rule {rule_id!r}; rules are {', '.join(self.rule_ids)}"
        )


def _check_rule(index: int, raw: Any, problems: list[str]) -> Rule | None:
    where = f"rules[{index}]"
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: not a mapping")
        return None
    if "id" in raw:
        where = f"rule {raw['id']!r}"
    bad = len(problems)
    missing = [k for k in RULE_KEYS if k not in raw]
    if missing:
        problems.append(f"{where}: missing {', '.join(missing)}")
    for key, allowed in (
        ("applies_to", APPLIES_TO),
        ("severity", SEVERITIES),
        ("status", STATUSES),
    ):
        if key in raw and raw[key] not in allowed:
            problems.append(f"{where}: {key} {raw[key]!r} not one of {', '.join(allowed)}")
    if "thresholds" in raw and not isinstance(raw["thresholds"], Mapping):
        problems.append(f"{where}: thresholds is not a mapping")
    if "source" in raw and not str(raw["source"] or "").strip():
        problems.append(f"{where}: empty source")
    if len(problems) > bad:
        return None
    known = set(RULE_KEYS) | set(OPTIONAL_RULE_KEYS)
    return Rule(
        id=str(raw["id"]),
        title=str(raw["title"]),
        applies_to=str(raw["applies_to"]),
        severity=str(raw["severity"]),
        requires=str(raw["requires"]).strip(),
        thresholds=_freeze(raw["thresholds"]),
        rationale=str(raw["rationale"]).strip(),
        source=str(raw["source"]).strip(),
        status=str(raw["status"]),
        caveat=str(raw.get("caveat") or "").strip(),
        extra=_freeze({k: v for k, v in raw.items() if k not in known}),
    )


def parse_standard(text: str, *, path: str = "<string>") -> Standard:
    """Parse and validate a standard's YAML text, reporting every problem at once.

    Parameters
    ----------
    text
        The file's YAML text.
    path
        Where the text came from, for messages and provenance.

    Returns
    -------
    Standard
        The validated standard.

    Raises
    ------
    StandardError
        With ``problems`` listing every missing key, unknown ``applies_to``,
        ``severity`` or ``status`` and duplicate rule id.
    """
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise StandardError(f"{path}: not valid YAML: {exc}", (str(exc),)) from exc
    if not isinstance(raw, Mapping):
        raise StandardError(f"{path}: expected a mapping with 'standard' and 'rules'", ())
    problems: list[str] = []
    header = raw.get("standard")
    if not isinstance(header, Mapping):
        problems.append("missing 'standard' header mapping")
        header = {}
    else:
        missing = [k for k in HEADER_KEYS if k not in header]
        if missing:
            problems.append(f"standard header: missing {', '.join(missing)}")
    raw_rules = raw.get("rules")
    rules: list[Rule] = []
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.append("missing or empty 'rules' list")
    else:
        for i, raw_rule in enumerate(raw_rules):
            rule = _check_rule(i, raw_rule, problems)
            if rule is not None:
                rules.append(rule)
        ids = [str(r["id"]) for r in raw_rules if isinstance(r, Mapping) and "id" in r]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(f"duplicate rule id {dup!r}")
    if problems:
        raise StandardError(f"{path}: " + "; ".join(problems), tuple(problems))
    return Standard(
        id=str(header["id"]),
        version=str(header["version"]),
        title=str(header["title"]),
        date=str(header["date"]),
        status=str(header["status"]),
        scope=str(header["scope"]).strip(),
        rules=tuple(rules),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        path=path,
    )


def _data_folder() -> Traversable:
    """The bundled ``standards/data`` folder (a resources Traversable)."""
    return resources.files("cctvscope.standards").joinpath("data")


def _is_standard_text(text: str) -> bool:
    """Whether YAML text is a standard (has a top-level ``standard`` header)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError:
        return True  # a broken standard should fail loudly when read, not vanish
    return isinstance(raw, Mapping) and "standard" in raw


def list_standards() -> list[str]:
    """Names of the bundled standards (file stems under ``standards/data``), sorted.

    Other YAML files there (e.g. the Code of Practice questionnaire) have no
    ``standard`` header and are not listed.
    """
    return sorted(
        p.name.removesuffix(".yaml")
        for p in _data_folder().iterdir()
        if p.name.endswith(".yaml") and _is_standard_text(p.read_text(encoding="utf-8"))
    )


def _is_name(name_or_path: str | Path) -> bool:
    if isinstance(name_or_path, Path):
        return False
    return "/" not in name_or_path and "\\" not in name_or_path and "." not in name_or_path


@cache
def _read_cached(path: str) -> Standard:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise StandardError(f"cannot read standard file {path}: {exc}", (str(exc),)) from exc
    return parse_standard(text, path=path)


def read_standard(name_or_path: str | Path = DEFAULT_STANDARD) -> Standard:
    """Read a standard: a bundled one by name, or any file by path.

    Parameters
    ----------
    name_or_path
        A bare name (``"london-v1"``, ``"national-minimum-v1"``: see
        :func:`list_standards`) reads the bundled ``standards/data/<name>.yaml``;
        anything with a slash or a dot, or a :class:`~pathlib.Path`, is a file path.

    Returns
    -------
    Standard
        The validated standard (cached per path).

    Raises
    ------
    StandardError
        If the name is not bundled, the file cannot be read, or it is malformed.
    """
    if _is_name(name_or_path):
        name = str(name_or_path)
        if name not in list_standards():
            raise StandardError(
                f"no bundled standard {name!r}; bundled: {', '.join(list_standards())}", ()
            )
        path = str(_data_folder().joinpath(f"{name}.yaml"))
    else:
        path = str(Path(name_or_path))
    return _read_cached(path)
