"""One small exception hierarchy for the whole package."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class CctvscopeError(Exception):
    """Base class of every error cctvscope raises on purpose."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in input data, located precisely enough to fix it.

    ``row`` is 1-based over the data rows of the source (the header is row 0);
    ``None`` when the finding concerns the file as a whole. ``count`` is the number
    of rows one finding stands for: the same warning on many rows (a value not given
    and defaulted) is one finding, not one per row, so that the findings of a
    million-row file stay small.
    """

    severity: str  # "error" or "warning"
    row: int | None
    field: str | None
    value: str | None
    reason: str
    count: int = 1

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        if self.count > 1:
            where += f" ({self.count:,} rows)"
        field = f" field {self.field!r}" if self.field else ""
        value = f" value {self.value!r}" if self.value is not None else ""
        return f"{self.severity}: {where}{field}{value}: {self.reason}"


class InputError(CctvscopeError):
    """Input data failed validation; ``findings`` lists every problem at once."""

    def __init__(self, message: str, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.findings: tuple[Finding, ...] = tuple(findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings of severity ``error``."""
        return tuple(f for f in self.findings if f.severity == "error")


class DataError(CctvscopeError):
    """A bundled data file or the assumptions file is missing or malformed."""


class StoreError(CctvscopeError):
    """The store cannot satisfy a request (unknown estate, version clash, bad URL)."""


class UnknownEstateError(StoreError):
    """No estate of that name (and version) is in the store."""


class UnknownRegionError(StoreError):
    """No region of that name is in the store."""


class InfeasibleError(CctvscopeError):
    """An optimisation model has no feasible solution; the message names the constraint."""
