"""The bounds on what one import reads: every limit in one place, named with its unit.

A file is never trusted to say how big it is (a 4.9 KB workbook may declare the
cell XFD1048576; a gzip or zip part may unpack to gigabytes; JSON may nest past
Python's recursion limit). Each reader checks these limits while it reads and
answers a limit it meets with a file-level (or row-level) error finding whose
reason starts with :data:`LIMIT_REASON`, so callers (the web upload) can tell
"too big to read" from "wrong data".
"""

from __future__ import annotations

from collections.abc import Sequence

from cctvscope.errors import Finding

#: Most data rows one import reads: bounds the work of a mistaken upload.
MAX_ROWS = 1_000_000
#: Most columns of a table (header cells, GeoJSON property names).
MAX_COLUMNS = 1_000
#: Longest cell text [characters]; Excel's own limit for one cell.
MAX_CELL_CHARS = 32_767
#: Longest number [digits]: far beyond any coordinate or count, far below Python's
#: 4,300-digit limit on int/str conversion (which would otherwise be a traceback).
MAX_NUMBER_DIGITS = 100
#: Deepest nesting of JSON arrays and objects [levels]; GeoJSON needs about 6.
MAX_NESTING_LEVELS = 64
#: Most bytes a compressed file, or one part of a workbook, may unpack to [bytes].
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
#: Most findings one import reports; the rest are counted in one closing finding.
MAX_FINDINGS = 100_000

#: The opening of every limit finding's reason.
LIMIT_REASON = "over the limit"


def limit_reason(what: str, limit: int, unit: str) -> str:
    """The reason of a limit finding: ``what`` passes ``limit`` ``unit``."""
    return f"{LIMIT_REASON} of {limit:,} {unit}: {what}"


def limit_finding(what: str, limit: int, unit: str, value: str | None = None) -> Finding:
    """A file-level error finding: ``what`` passes ``limit`` ``unit``."""
    return Finding("error", None, None, value, limit_reason(what, limit, unit))


def is_limit_finding(finding: Finding) -> bool:
    """True for an error a limit of this module raised (the file is too big to read)."""
    return finding.severity == "error" and finding.reason.startswith(LIMIT_REASON)


def cap_findings(findings: Sequence[Finding], limit: int = MAX_FINDINGS) -> list[Finding]:
    """At most ``limit`` findings, errors kept before warnings, in their order, and one
    more finding that counts what was left out (an error when an error was left out)."""
    if len(findings) <= limit:
        return list(findings)
    errors = [i for i, f in enumerate(findings) if f.severity == "error"]
    keep = set(errors[:limit])
    for i, f in enumerate(findings):
        if len(keep) >= limit:
            break
        if f.severity != "error":
            keep.add(i)
    dropped = [f for i, f in enumerate(findings) if i not in keep]
    severity = "error" if any(f.severity == "error" for f in dropped) else "warning"
    what = f"{len(dropped):,} more not listed (fix the first ones and import again)"
    reason = limit_reason(what, limit, "findings")
    kept = [f for i, f in enumerate(findings) if i in keep]
    return [*kept, Finding(severity, None, None, str(len(dropped)), reason)]
