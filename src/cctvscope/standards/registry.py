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

A check also declares the camera attributes it reads (``inputs``). Where one
of them was filled from the assumptions-file defaults rather than the source
(the camera's ``defaulted_fields``), the check's answer rests on an
assumption, not on the camera: :func:`run_check` turns it into ``unknown``
and keeps the would-be answer in the message, unless the context says
``assume_defaults`` (planning: score defaults as if measured). This is the one
place the policy lives; checks themselves never look at ``defaulted_fields``.
Attributes filled from the camera-model catalogue (``catalogue_fields``) count
as supplied, not as defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Literal

import numpy as np
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

DEFAULTED_COLUMN = "defaulted_fields"
"""Camera column naming (``;``-separated) the attributes filled from the assumptions file."""

CATALOGUE_COLUMN = "catalogue_fields"
"""Camera column naming (``;``-separated) the attributes filled from the camera-model
catalogue; they count as supplied. An estate without the column has none."""


def _padded_list(cameras: pd.DataFrame, column: str) -> pd.Series:
    """Each camera's ``;``-separated list cell as ``;a;b;`` (empty list: ``;``)."""
    if column not in cameras.columns:
        return pd.Series(";", index=cameras.index, dtype=object)
    return ";" + cameras[column].fillna("").astype(str).str.strip(";") + ";"


def attribute_defaulted(cameras: pd.DataFrame, attribute: str) -> pd.Series:
    """Whether each camera's ``attribute`` came from the assumptions-file defaults.

    True where ``attribute`` is listed in ``defaulted_fields`` and not in
    ``catalogue_fields`` (a catalogue value is a value for the camera's model,
    not an assumption). Vectorised: one string search per attribute.
    """
    token = f";{attribute};"
    defaulted = _padded_list(cameras, DEFAULTED_COLUMN).str.contains(token, regex=False)
    catalogued = _padded_list(cameras, CATALOGUE_COLUMN).str.contains(token, regex=False)
    return (defaulted & ~catalogued).astype(bool)


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
    assume_defaults
        Score attributes filled from the assumptions-file defaults as if they
        had been measured (planning only). False (the default): a check whose
        declared input was defaulted answers ``unknown`` for that camera.
    """

    estate: Estate
    cameras: pd.DataFrame
    cop_scores: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    assume_defaults: bool = False

    @classmethod
    def from_estate(
        cls,
        estate: Estate,
        cop_scores: Mapping[str, float] | None = None,
        *,
        assume_defaults: bool = False,
    ) -> CheckContext:
        """A context over the estate's in-service cameras."""
        cams = pd.DataFrame(estate.cameras)
        cams = cams.loc[~cams["status"].isin(EXCLUDED_STATUSES)].reset_index(drop=True)
        return cls(
            estate=estate,
            cameras=cams,
            cop_scores=MappingProxyType(dict(cop_scores or {})),
            assume_defaults=assume_defaults,
        )

    @cached_property
    def _defaulted_masks(self) -> dict[str, pd.Series]:
        return {}

    def defaulted(self, attribute: str) -> pd.Series:
        """Whether each in-service camera's ``attribute`` was defaulted (cached per attribute).

        See :func:`attribute_defaulted`; catalogue values are not defaults.
        """
        masks = self._defaulted_masks
        if attribute not in masks:
            masks[attribute] = attribute_defaulted(self.cameras, attribute)
        return masks[attribute]


CheckFunction = Callable[[CheckContext, Rule], pd.DataFrame]


@dataclass(frozen=True, slots=True)
class RegisteredCheck:
    """A registered check: the function, the threshold keys and the camera attributes it reads.

    ``inputs`` are :class:`~cctvscope.model.entities.Camera` attributes; empty
    for borough checks and for checks that read no inventory attribute.
    """

    rule_id: str
    function: CheckFunction
    thresholds: tuple[str, ...]
    inputs: tuple[str, ...] = ()


_REGISTRY: dict[str, RegisteredCheck] = {}


def check(
    rule_id: str, *, thresholds: tuple[str, ...] = (), inputs: tuple[str, ...] = ()
) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as the check of ``rule_id``.

    Parameters
    ----------
    rule_id
        The rule id the check implements; each id may be registered once.
    thresholds
        Keys the check reads from ``rule.thresholds``; :func:`validate_thresholds`
        reports any a standard lacks before checks run.
    inputs
        Camera attributes the check's outcome depends on. Where any of them is
        in a camera's ``defaulted_fields`` (and not in its ``catalogue_fields``),
        :func:`run_check` answers ``unknown`` for that camera unless the
        context assumes defaults.

    Raises
    ------
    ValueError
        If a check is already registered for ``rule_id``.
    """

    def register(function: CheckFunction) -> CheckFunction:
        if rule_id in _REGISTRY:
            raise ValueError(f"a check for {rule_id!r} is already registered")
        _REGISTRY[rule_id] = RegisteredCheck(rule_id, function, thresholds, tuple(inputs))
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
    """Run the registered check of ``rule``, validate its result frame, mask defaulted inputs.

    Unless ``context.assume_defaults``, every camera row whose camera had one of
    the check's declared ``inputs`` defaulted becomes ``unknown`` (see
    :func:`unknown_where_defaulted`).
    """
    registered = registered_checks()[rule.id]
    result = registered.function(context, rule)
    missing = [c for c in RESULT_COLUMNS if c not in result.columns]
    if missing:
        raise TypeError(f"check {rule.id!r} returned no {', '.join(missing)} column(s)")
    bad = set(result["outcome"].unique()) - set(OUTCOMES)
    if bad:
        raise TypeError(f"check {rule.id!r} returned outcome(s) {sorted(bad)}")
    result = result.loc[:, list(RESULT_COLUMNS)]
    if context.assume_defaults or not registered.inputs:
        return result
    return unknown_where_defaulted(context, result, registered.inputs)


_WOULD = {"pass": "pass", "fail": "fail", "unknown": "be unknown"}


def unknown_where_defaulted(
    context: CheckContext, result: pd.DataFrame, inputs: tuple[str, ...]
) -> pd.DataFrame:
    """``result`` with camera rows whose ``inputs`` were defaulted turned ``unknown``.

    The message names the defaulted inputs and keeps the answer the defaults
    would give: ``unknown — inputs defaulted: hfov_deg (with defaults it would
    fail: <the check's message>)``. Vectorised over cameras: one string search
    per input, cached on the context across rules.
    """
    cams = context.cameras
    names = pd.Series("", index=cams.index, dtype=object)
    for attribute in inputs:
        hit = context.defaulted(attribute).to_numpy(dtype=bool)
        names = names + np.where(hit, f", {attribute}", "")
    names = names.str.slice(2)
    is_camera = (result["entity_type"] == "camera").to_numpy(dtype=bool)
    ids = result["entity_id"].to_numpy(dtype=object)
    camera_ids = cams["camera_id"].to_numpy(dtype=object)
    if is_camera.all() and len(ids) == len(camera_ids) and np.array_equal(ids, camera_ids):
        per_row = names.to_numpy(dtype=object)
    else:
        lookup = pd.Series(names.to_numpy(dtype=object), index=camera_ids)
        lookup = lookup[~lookup.index.duplicated()]
        per_row = pd.Series(ids).map(lookup).fillna("").to_numpy(dtype=object)
        per_row = np.where(is_camera, per_row, "")
    hit_rows = pd.Series(per_row, index=result.index).astype(str).str.len().to_numpy() > 0
    if not hit_rows.any():
        return result
    out = result.copy()
    would = out["outcome"].map(_WOULD).astype(str)
    masked = (
        "unknown — inputs defaulted: "
        + pd.Series(per_row, index=out.index).astype(str)
        + " (with defaults it would "
        + would
        + ": "
        + out["message"].astype(str)
        + ")"
    )
    out["message"] = out["message"].where(~hit_rows, masked)
    out["outcome"] = out["outcome"].where(~hit_rows, "unknown")
    return out
