"""The registry of compliance checks: one function per rule id, registered by decorator.

A check is registered with :func:`check` under the rule id it implements and
the threshold keys it reads. Keeping checks in a registry (the PyPSA
consistency-check pattern) means a rule without a check, or a check without a
rule, is caught by a test instead of drifting silently.

A check is vectorised: it takes a :class:`CheckContext` (the estate, the
in-service cameras and any caller-supplied inputs) and the :class:`Rule`, and
returns a DataFrame with the columns of :data:`RESULT_COLUMNS`, one row per
entity it assessed. Camera-assessed rules (``applies_to`` camera,
recording_system or control_room) give one row per in-service camera;
borough rules give one row per borough.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import pandas as pd

from cctvscope.model.estate import Estate
from cctvscope.standards.spec import Rule, Standard, StandardError

Outcome = Literal["pass", "fail", "unknown"]
OUTCOMES: tuple[Outcome, ...] = ("pass", "fail", "unknown")

RESULT_COLUMNS = ("entity_type", "entity_id", "outcome", "message")
"""Columns of the frame a check returns: entity_type (``camera`` or ``borough``),
entity_id (camera id or borough GSS code), outcome (pass, fail, unknown), message."""

EXCLUDED_STATUSES = frozenset({"decommissioned", "planned"})
"""Camera statuses left out of compliance: such cameras record nothing. Faulty
cameras stay in: they are in service and their owner must meet the standard."""


@dataclass(frozen=True, slots=True)
class ComplianceFinding:
    """One outcome of one rule for one entity.

    ``clause`` is the rule's ``source`` (the clause the finding rests on).
    """

    rule_id: str
    severity: str
    entity_type: str
    entity_id: str
    outcome: Outcome
    message: str
    clause: str


@dataclass(frozen=True)
class CheckContext:
    """What a check sees.

    Attributes
    ----------
    estate
        The whole estate (control rooms, boroughs, ...).
    cameras
        The in-service cameras: the estate's camera table without
        :data:`EXCLUDED_STATUSES`, index reset to 0..n-1.
    cop_scores
        Borough GSS code → share of the Surveillance Camera Code of Practice
        self-assessment met (0-1), as supplied by the caller; empty if none.
    """

    estate: Estate
    cameras: pd.DataFrame
    cop_scores: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_estate(
        cls, estate: Estate, cop_scores: Mapping[str, float] | None = None
    ) -> CheckContext:
        """A context over the estate's in-service cameras."""
        cams = pd.DataFrame(estate.cameras)
        cams = cams.loc[~cams["status"].isin(EXCLUDED_STATUSES)].reset_index(drop=True)
        return cls(estate=estate, cameras=cams, cop_scores=MappingProxyType(dict(cop_scores or {})))


CheckFunction = Callable[[CheckContext, Rule], pd.DataFrame]


@dataclass(frozen=True, slots=True)
class RegisteredCheck:
    """A registered check: the function and the threshold keys it reads."""

    rule_id: str
    function: CheckFunction
    thresholds: tuple[str, ...]


_REGISTRY: dict[str, RegisteredCheck] = {}


def check(
    rule_id: str, *, thresholds: tuple[str, ...] = ()
) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as the check of ``rule_id``.

    Parameters
    ----------
    rule_id
        The rule id the check implements; each id may be registered once.
    thresholds
        Keys the check reads from ``rule.thresholds``; :func:`validate_thresholds`
        reports any a standard lacks before checks run.

    Raises
    ------
    ValueError
        If a check is already registered for ``rule_id``.
    """

    def register(function: CheckFunction) -> CheckFunction:
        if rule_id in _REGISTRY:
            raise ValueError(f"a check for {rule_id!r} is already registered")
        _REGISTRY[rule_id] = RegisteredCheck(rule_id, function, thresholds)
        return function

    return register


def registered_checks() -> Mapping[str, RegisteredCheck]:
    """Every registered check by rule id (importing the bundled checks first)."""
    import cctvscope.standards.checks  # noqa: F401  (registers on import)

    return MappingProxyType(dict(_REGISTRY))


def validate_thresholds(standard: Standard) -> None:
    """Check that every rule has a check and every threshold its check reads.

    Raises
    ------
    StandardError
        Listing every rule without a check and every missing threshold key.
    """
    checks = registered_checks()
    problems: list[str] = []
    for rule in standard.rules:
        registered = checks.get(rule.id)
        if registered is None:
            problems.append(f"rule {rule.id!r}: no registered check")
            continue
        missing = [k for k in registered.thresholds if k not in rule.thresholds]
        if missing:
            problems.append(f"rule {rule.id!r}: thresholds missing {', '.join(missing)}")
    if problems:
        raise StandardError(f"{standard.label}: " + "; ".join(problems), tuple(problems))


def run_check(context: CheckContext, rule: Rule) -> pd.DataFrame:
    """Run the registered check of ``rule`` and validate its result frame."""
    result = registered_checks()[rule.id].function(context, rule)
    missing = [c for c in RESULT_COLUMNS if c not in result.columns]
    if missing:
        raise TypeError(f"check {rule.id!r} returned no {', '.join(missing)} column(s)")
    bad = set(result["outcome"].unique()) - set(OUTCOMES)
    if bad:
        raise TypeError(f"check {rule.id!r} returned outcome(s) {sorted(bad)}")
    return result.loc[:, list(RESULT_COLUMNS)]
