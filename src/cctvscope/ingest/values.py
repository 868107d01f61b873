"""Shared value vocabularies of the imports: dates, yes/no words, money, shares, value maps.

Every parser takes the stripped text of one cell and returns the value, or None when
it cannot read it: the caller makes the finding (it knows the row and field). The
forms accepted are those met in borough returns: UK day-first dates, Excel serial
numbers, epoch milliseconds from web exports, ``£12,500`` and ``62%``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from cctvscope.errors import Finding, InputError
from cctvscope.ingest.camera_fields import BOOL_WORDS, normalise_header, parse_number

#: Accepted date forms, for the reason of an unreadable-date finding.
DATE_FORMS = (
    "2024-03-31, 31/03/2024, 31-03-2024, 31.03.2024, 31 Mar 2024, March 31, 2024, "
    "an Excel serial number (45382) or epoch milliseconds (1711843200000)"
)

#: Excel's day 0 of the 1900 date system for serials after its phantom 29 Feb 1900.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Serials up to this are read as Excel dates (below 100000: year 2173).
_EXCEL_MAX_SERIAL = 100_000
#: A plain integer at least this large is epoch milliseconds (10^11 ms is March 1973).
_EPOCH_MS_MIN = 10**11
_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_TIME = r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$")
_UK = re.compile(rf"^(\d{{1,2}})([/.-])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)\.?,?[\s-]+(\d{4}|\d{2})$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}|\d{2})$")
_PLAIN_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_MONEY = re.compile(
    r"^(?:£|gbp)?\s*([+-]?[\d.,]+)\s*([km]|bn)?\s*"
    r"(?:gbp|£)?\s*(?:/\s*(?:yr|year|annum)|p\.?a\.?|per\s+(?:year|annum))?$",
    re.IGNORECASE,
)
_QUANTITY = re.compile(r"^([+-]?[\d.,]+(?:e[+-]?\d+)?)\s*([^\d\s].*)?$", re.IGNORECASE)
_MONEY_SCALE = {"k": 1e3, "m": 1e6, "bn": 1e9}


#: Unicode categories removed from imported text: controls (Cc) and invisible format
#: characters (Cf: zero-width space and joiners, BOM, bidirectional marks).
_INVISIBLE = frozenset({"Cc", "Cf"})


def normalise_text(text: str) -> str:
    """``text`` as NFC without control or invisible characters, trimmed.

    Two ids that look the same then are the same: ``"CAM\u200b1"`` and ``"CAM1"``, or a
    decomposed ``"é"`` and a composed one.

    >>> normalise_text("CAM\u200b1\t")
    'CAM1'
    """
    if text.isascii() and text.isprintable():
        # Already NFC, nothing invisible: the text itself (not a copy) for most ids.
        return text.strip()
    composed = unicodedata.normalize("NFC", text)
    return "".join(c for c in composed if unicodedata.category(c) not in _INVISIBLE).strip()


ID_MAX_CHARS = 64
"""Longest id accepted at import (the bundled and synthetic ids are at most 30)."""
ID_PUNCTUATION = " -_./:#()'&,+"
"""Characters an id may hold besides letters and digits (any script): enough for register
numbers, ward names and composed ids (``--id-from``), never markup (``<>"`=``), quotes for
code, or controls. Ids end up in pages, map tooltips and file names."""


def id_problem(text: str) -> str | None:
    """Why ``text`` (already normalised) is not an acceptable id, or None.

    >>> id_problem("JamCams_00001.01251"), id_problem("St Mary's-12 (rear)")
    (None, None)
    >>> id_problem("WT-<img src=x onerror=alert(3)>")
    "characters not allowed in an id: '<' '=' '>'; use letters, digits, spaces and -_./:#()'&,+"
    """
    if len(text) > ID_MAX_CHARS:
        return f"longer than {ID_MAX_CHARS} characters ({len(text)})"
    bad = sorted({c for c in text if not (c.isalnum() or c in ID_PUNCTUATION)})
    if bad:
        listed = " ".join(repr(c) for c in bad)
        return (
            f"characters not allowed in an id: {listed}; use letters, digits, spaces and "
            f"{ID_PUNCTUATION.strip()}"
        )
    return None


def id_findings(row: int, data: Mapping[str, object], texts: Mapping[str, str]) -> list[Finding]:
    """An error for each id of a parsed row (a ``*_id`` field) outside :func:`id_problem`."""
    return [
        Finding("error", row, name, texts.get(name, value), problem)
        for name, value in data.items()
        if name.endswith("_id") and isinstance(value, str) and (problem := id_problem(value))
    ]


def id_key(text: str) -> str:
    """The key under which two ids are the same one: normalised and case-folded."""
    return normalise_text(text).casefold()


#: Ids keyed at a time when repeats are looked for [rows].
KEY_CHUNK_ROWS = 50_000


def first_use_rows(ids: Sequence[str], rows: Sequence[int]) -> np.ndarray:
    """For each id, the row on which the same id (:func:`id_key`) was first used, or 0
    where this is its first use; empty ids and ids :func:`id_problem` refuses are never
    a first use.

    Keys are held as an Arrow text column, not as a dictionary of a million strings
    (some 140 bytes an id); codes in order of first appearance make a row a first use
    exactly when its code is above every code before it.
    """
    parts = []
    for start in range(0, len(ids), KEY_CHUNK_ROWS):
        keys = [id_key(c) if c and id_problem(c) is None else None
                for c in ids[start : start + KEY_CHUNK_ROWS]]  # fmt: skip
        parts.append(pd.Series(keys, dtype="str"))
    if not parts:
        return np.zeros(0, dtype=np.int64)
    codes, _ = pd.factorize(pd.concat(parts, ignore_index=True))
    valid = codes >= 0
    before = np.maximum.accumulate(np.concatenate([[-1], codes[:-1]]))
    first = np.flatnonzero(valid & (codes > before))  # code k -> position of its first use
    if first.size == 0:
        return np.zeros(len(ids), dtype=np.int64)
    first_row = np.asarray(rows, dtype=np.int64)[first[np.where(valid, codes, 0)]]
    return np.where(valid & (codes <= before), first_row, 0)


def parse_date(text: str) -> dt.date | None:
    """A date from cell text in any accepted form; None if unreadable.

    Day first always (a UK product); two-digit years are 20xx.

    >>> parse_date("2024-03-31")
    datetime.date(2024, 3, 31)
    >>> parse_date("2024-03-31T14:05:00")
    datetime.date(2024, 3, 31)
    >>> parse_date("31/03/2024"), parse_date("31-03-2024"), parse_date("31.03.2024")
    (datetime.date(2024, 3, 31), datetime.date(2024, 3, 31), datetime.date(2024, 3, 31))
    >>> parse_date("01/04/24")
    datetime.date(2024, 4, 1)
    >>> parse_date("45382")
    datetime.date(2024, 3, 31)
    >>> parse_date("45382.75")
    datetime.date(2024, 3, 31)
    >>> parse_date("1711843200000")
    datetime.date(2024, 3, 31)
    >>> parse_date("31 Mar 2024"), parse_date("March 31, 2024")
    (datetime.date(2024, 3, 31), datetime.date(2024, 3, 31))
    >>> parse_date("31/02/2024") is None, parse_date("soon") is None, parse_date("250000") is None
    (True, True, True)
    """
    text = text.strip()
    lower = text.lower()
    try:
        if match := _ISO.match(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _UK.match(text):
            return dt.date(_year(match[4]), int(match[3]), int(match[1]))
        if _PLAIN_NUMBER.match(text):
            return _serial_or_epoch(text)
        if match := _DAY_MONTH.match(lower):
            return _named(match[1], match[2], match[3])
        if match := _MONTH_DAY.match(lower):
            return _named(match[2], match[1], match[3])
    except (ValueError, OverflowError):
        return None  # a well-formed but impossible date (31/02/2024)
    return None


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _named(day: str, month: str, year: str) -> dt.date | None:
    number = _MONTHS.get(month)
    return None if number is None else dt.date(_year(year), number, int(day))


def _serial_or_epoch(text: str) -> dt.date | None:
    value = float(text)
    if "." not in text and value >= _EPOCH_MS_MIN:
        return dt.datetime.fromtimestamp(value / 1000.0, tz=dt.UTC).date()
    if not 1 <= value < _EXCEL_MAX_SERIAL:
        return None
    days = int(value)
    # Excel counts a 29 Feb 1900 that never was: serials before it are one day earlier.
    base = _EXCEL_EPOCH if days >= 61 else _EXCEL_EPOCH + dt.timedelta(days=1)
    return base + dt.timedelta(days=days)


def parse_bool_word(text: str) -> bool | None:
    """A yes/no word (yes, no, true, false, y, n, 1, 0); None if it is none of them.

    >>> parse_bool_word("Yes"), parse_bool_word("0"), parse_bool_word("maybe")
    (True, False, None)
    """
    return BOOL_WORDS.get(text.strip().lower())


def parse_decimal(text: str) -> float | None:
    """A number with thousands separators (``1,234.5``) or a decimal comma (``12,5``).

    >>> parse_decimal("1,234.5"), parse_decimal("12,5"), parse_decimal("-3"), parse_decimal("x")
    (1234.5, 12.5, -3.0, None)
    """
    text = text.strip().replace(" ", "")
    if _THOUSANDS.match(text):
        return float(text.replace(",", ""))
    return parse_number(text) if re.match(r"^[+-]?[\d.,]+(?:e[+-]?\d+)?$", text, re.I) else None


def parse_money(text: str) -> float | None:
    """An amount in pounds: ``£12,500``, ``12500``, ``£12.5k``, ``£1.2m``, ``£40,000 pa``.

    >>> parse_money("£12,500"), parse_money("£12.5k"), parse_money("GBP 1.2m")
    (12500.0, 12500.0, 1200000.0)
    >>> parse_money("40000 pa"), parse_money("£1,250.50/yr")
    (40000.0, 1250.5)
    >>> parse_money("twelve") is None
    True
    """
    match = _MONEY.match(text.strip())
    if not match:
        return None
    number = parse_decimal(match[1])
    if number is None:
        return None
    return round(number * _MONEY_SCALE.get((match[2] or "").lower(), 1.0), 6)


def parse_share(text: str) -> float | None:
    """A share as a fraction: ``62%`` and ``62`` (any number above 1) read as percentages.

    >>> parse_share("62%"), parse_share("62"), parse_share("0.62"), parse_share("1")
    (0.62, 0.62, 0.62, 1.0)
    """
    text = text.strip()
    percent = text.endswith("%")
    number = parse_decimal(text.removesuffix("%").strip())
    if number is None:
        return None
    return round(number / 100.0, 12) if percent or number > 1 else number


def parse_quantity(text: str, units: Mapping[str, float]) -> float | None:
    """A number with an optional trailing unit from ``units`` (unit -> factor to the field's unit).

    >>> parse_quantity("1 Gbps", {"mbps": 1.0, "gbps": 1000.0}), parse_quantity("20", {})
    (1000.0, 20.0)
    >>> parse_quantity("20 furlongs", {"km": 1.0}) is None
    True
    """
    match = _QUANTITY.match(text.strip())
    if not match:
        return None
    number = parse_decimal(match[1])
    unit = (match[2] or "").strip().lower()
    factor = units.get(unit) if unit else 1.0
    if number is None or factor is None:
        return None
    return number * factor


def parse_value_maps(
    items: Sequence[str], fields: Collection[str] | None = None
) -> dict[str, dict[str, str]]:
    """Parse ``--value-map FIELD:FROM=TO`` items into {field: {from (lower case): to}}.

    ``fields`` are the names FIELD may take (compared after
    :func:`~cctvscope.ingest.camera_fields.normalise_header`); None leaves the
    check to the table reader, which knows its fields and their aliases. FROM is
    matched case-insensitively against whole cells before they are parsed.

    >>> parse_value_maps(["link_type:DF=fibre", "link_type:Radio=wireless"], {"link_type"})
    {'link_type': {'df': 'fibre', 'radio': 'wireless'}}

    Raises
    ------
    InputError
        Carrying one finding per bad item (all of them at once): no ``:`` or ``=``,
        an empty part, an unknown FIELD, or the same FROM mapped twice.
    """
    known = None if fields is None else {normalise_header(f) for f in fields}
    out: dict[str, dict[str, str]] = {}
    problems: list[Finding] = []
    for item in items:
        name, colon, rest = item.partition(":")
        source, equals, target = rest.partition("=")
        field, source, target = normalise_header(name), source.strip(), target.strip()
        reason = None
        if not colon or not equals:
            reason = "--value-map expects FIELD:FROM=TO"
        elif not field or not source or not target:
            reason = "--value-map expects FIELD:FROM=TO with FIELD, FROM and TO all given"
        elif known is not None and field not in known:
            listed = ", ".join(fields or ())
            reason = f"--value-map: unknown field {name.strip()!r}; fields are {listed}"
        elif source.lower() in out.get(field, {}):
            reason = f"--value-map: {field}:{source} given twice"
        if reason:
            problems.append(Finding("error", None, field or None, item, reason))
            continue
        out.setdefault(field, {})[source.lower()] = target
    if problems:
        raise InputError(f"--value-map: {len(problems)} bad item(s)", problems)
    return out


__all__ = [
    "DATE_FORMS",
    "first_use_rows",
    "parse_bool_word",
    "parse_date",
    "parse_decimal",
    "parse_money",
    "parse_quantity",
    "parse_share",
    "parse_value_maps",
]
