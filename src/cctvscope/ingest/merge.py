"""Merge imported records into an estate table: replace a scope, append, or upsert.

A borough return replaces the records of its *scope* (boroughs × owner types for
cameras, boroughs for rooms, contracts and evidence statistics, profiles for cost
items): every record in the scope goes, synthetic or not, and the file's records
take its place, so the estate never counts a borough's synthetic cameras beside
its real ones. ``append`` adds records (an id already present is an error);
``upsert`` matches by id and changes only what differs, so the same file twice
changes nothing.

:func:`plan_merge` works out what would change without changing anything (the
preview); :func:`apply_merge` returns the merged table. Pure functions: tables in,
tables out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from cctvscope.errors import Finding, InputError
from cctvscope.model.enums import ImportMode, OwnerType, Provenance
from cctvscope.model.estate import ID_COLUMNS

#: Column of each table that places a record in a borough (None: no borough).
BOROUGH_COLUMNS: dict[str, str | None] = {
    "cameras": "borough_code",
    "control_rooms": "borough_code",
    "links": None,
    "contracts": "borough_code",
    "evidence_stats": "borough_code",
    "cost_items": None,
}

#: Columns compared to decide whether an upserted record changed (all but bookkeeping).
_IGNORED_FOR_CHANGE = frozenset({"geometry", "source"})

PLAN_COUNT_COLUMNS = ("borough_code", "added", "changed", "removed", "synthetic_replaced")


@dataclass(frozen=True)
class MergeScope:
    """Which existing records an import speaks for.

    Attributes
    ----------
    boroughs
        GSS codes; empty means every borough (the whole table when
        ``owner_types`` and ``profiles`` are empty too).
    owner_types
        Camera owner types; empty means all.
    profiles
        Cost profile names (cost items); empty means all.
    """

    boroughs: tuple[str, ...] = ()
    owner_types: tuple[OwnerType, ...] = ()
    profiles: tuple[str, ...] = ()

    @property
    def whole_table(self) -> bool:
        """True when the scope is the whole table."""
        return not (self.boroughs or self.owner_types or self.profiles)

    def describe(self) -> str:
        """The scope in words, e.g. ``boroughs E09000012 × owner council``."""
        if self.whole_table:
            return "the whole table"
        parts = []
        if self.boroughs:
            parts.append("boroughs " + ", ".join(self.boroughs))
        if self.owner_types:
            parts.append("owner " + ", ".join(str(o) for o in self.owner_types))
        if self.profiles:
            parts.append("profiles " + ", ".join(self.profiles))
        return " × ".join(parts)


def scope_of_records(table: str, records: pd.DataFrame) -> MergeScope:
    """The scope a file's records speak for: their boroughs (and owner types, profiles)."""
    column = BOROUGH_COLUMNS.get(table)
    boroughs: tuple[str, ...] = ()
    if column and column in records.columns:
        boroughs = tuple(sorted({str(v) for v in records[column].dropna() if str(v)}))
    owners: tuple[OwnerType, ...] = ()
    if table == "cameras" and "owner_type" in records.columns:
        owners = tuple(OwnerType(v) for v in sorted({str(v) for v in records["owner_type"]}))
    profiles: tuple[str, ...] = ()
    if table == "cost_items" and "profile" in records.columns:
        profiles = tuple(sorted({str(v) for v in records["profile"]}))
    return MergeScope(boroughs, owners, profiles)


def in_scope(
    table: str, frame: pd.DataFrame, scope: MergeScope, camera_boroughs: pd.Series | None = None
) -> pd.Series:
    """Boolean mask of the rows of ``frame`` inside ``scope``.

    Links have no borough of their own: ``camera_boroughs`` (camera id -> GSS code)
    places each link in its camera's borough.
    """
    mask = pd.Series(True, index=frame.index)
    if scope.boroughs:
        column = BOROUGH_COLUMNS.get(table)
        if column is not None:
            where = frame[column]
        elif table == "links" and camera_boroughs is not None:
            where = frame["camera_id"].map(camera_boroughs)
        else:
            where = pd.Series(None, index=frame.index, dtype=object)
        mask &= where.isin(scope.boroughs)
    if scope.owner_types and "owner_type" in frame.columns:
        mask &= frame["owner_type"].isin([str(o) for o in scope.owner_types])
    if scope.profiles and "profile" in frame.columns:
        mask &= frame["profile"].isin(scope.profiles)
    return mask


def record_keys(table: str, frame: pd.DataFrame) -> pd.Series:
    """One text key per row from the table's id column(s)."""
    columns = ID_COLUMNS[table]
    if len(columns) == 1:
        ids = frame[columns[0]]
        if ids.dtype == object and all(type(v) is str for v in ids.to_numpy()):
            # The ids themselves: the plan's keys then share the table's strings rather
            # than hold a new one per record (a million-camera import).
            return ids
        return ids.astype(str)
    if frame.empty:  # agg over no rows gives a frame, not a series
        return pd.Series([], index=frame.index, dtype=object)
    keys = frame[columns[0]].astype(str)
    for column in columns[1:]:
        keys = keys + "|" + frame[column].astype(str)
    return keys


@dataclass(frozen=True)
class MergePlan:
    """What an import would do to one table, before anything is written.

    Attributes
    ----------
    table, mode, scope
        The table, the import mode and the scope it spoke for.
    added, changed, removed, unchanged
        Record keys (ids) by what happens to them.
    synthetic_replaced
        Keys of removed records whose provenance was ``synthetic``.
    by_borough
        Counts per borough: ``borough_code``, ``added``, ``changed``, ``removed``,
        ``synthetic_replaced`` (boroughs with any change only).
    findings
        Errors (ids clashing outside the scope, ids already present on append)
        and warnings.
    """

    table: str
    mode: ImportMode
    scope: MergeScope
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    synthetic_replaced: tuple[str, ...]
    by_borough: pd.DataFrame
    findings: tuple[Finding, ...] = field(default=())

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings that refuse the import."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def is_noop(self) -> bool:
        """True when applying the plan would change nothing."""
        return not (self.added or self.changed or self.removed)

    def summary(self) -> str:
        """One line: the counts and the scope."""
        return (
            f"{self.table} ({self.mode}, scope {self.scope.describe()}): "
            f"{len(self.added):,} added, {len(self.changed):,} changed, "
            f"{len(self.removed):,} removed ({len(self.synthetic_replaced):,} synthetic replaced), "
            f"{len(self.unchanged):,} unchanged"
        )


def _rows_differ(old: pd.DataFrame, new: pd.DataFrame) -> np.ndarray:
    """Row-wise: does any compared column differ (NaN equals NaN)?"""
    columns = [c for c in new.columns if c in old.columns and c not in _IGNORED_FOR_CHANGE]
    a = old[columns].reset_index(drop=True).astype(object)
    b = new[columns].reset_index(drop=True).astype(object)
    both_missing = a.isna() & b.isna()
    differ = (a != b) & ~both_missing
    return np.asarray(differ.any(axis=1).to_numpy(), dtype=bool)


def plan_merge(
    table: str,
    existing: pd.DataFrame,
    incoming: pd.DataFrame,
    *,
    mode: ImportMode,
    scope: MergeScope | None = None,
    camera_boroughs: pd.Series | None = None,
) -> MergePlan:
    """Work out what importing ``incoming`` into ``existing`` would change.

    Parameters
    ----------
    table
        Estate table name.
    existing, incoming
        The table now and the import's validated records (same columns).
    mode
        ``replace`` (remove the scope's records, put the file's in their place),
        ``append`` or ``upsert``.
    scope
        The scope of a replace; default: :func:`scope_of_records` of ``incoming``.
    camera_boroughs
        Camera id -> borough, to place links in a borough.
    """
    scope = scope or scope_of_records(table, incoming)
    old_keys = record_keys(table, existing)
    new_keys = record_keys(table, incoming)
    old_index = pd.Series(np.arange(len(existing)), index=old_keys.to_numpy())
    findings: list[Finding] = []
    inside = in_scope(table, existing, scope, camera_boroughs).to_numpy()
    present = new_keys.isin(old_keys).to_numpy()
    if mode is ImportMode.APPEND:
        for key in new_keys[present]:
            findings.append(
                Finding("error", None, ID_COLUMNS[table][0], key, "id already in the estate")
            )
    if mode is ImportMode.REPLACE:
        strays = ~in_scope(table, incoming, scope, camera_boroughs).to_numpy()
        for key in new_keys[strays]:
            reason = f"record lies outside the import's scope ({scope.describe()})"
            findings.append(Finding("error", None, ID_COLUMNS[table][0], key, reason))
        outside_keys = set(old_keys[~inside])
        for key in new_keys[new_keys.isin(outside_keys)]:
            reason = (
                f"id already used by a record outside the scope ({scope.describe()}); "
                "widen the scope or give the record another id"
            )
            findings.append(Finding("error", None, ID_COLUMNS[table][0], key, reason))
        removed_mask = inside & ~old_keys.isin(set(new_keys)).to_numpy()
        matched = present & new_keys.isin(set(old_keys[inside])).to_numpy()
    else:
        removed_mask = np.zeros(len(existing), dtype=bool)
        matched = present & (mode is ImportMode.UPSERT)
    changed_mask = np.zeros(len(incoming), dtype=bool)
    if matched.any():
        positions = old_index.loc[new_keys[matched].to_numpy()].to_numpy()
        old_rows = existing.iloc[positions]
        changed_mask[matched] = _rows_differ(old_rows, incoming.loc[matched])
    added_mask = ~present
    removed = existing.loc[removed_mask]
    synthetic = (
        removed["provenance"].astype(str) == str(Provenance.SYNTHETIC)
        if "provenance" in removed.columns
        else pd.Series(False, index=removed.index)
    )
    by_borough = _borough_counts(
        table, existing, incoming, removed_mask, added_mask, changed_mask, camera_boroughs
    )
    return MergePlan(
        table=table,
        mode=mode,
        scope=scope,
        added=tuple(new_keys[added_mask]),
        changed=tuple(new_keys[changed_mask]),
        removed=tuple(old_keys[removed_mask]),
        unchanged=tuple(new_keys[matched & ~changed_mask]),
        synthetic_replaced=tuple(old_keys[removed_mask][synthetic.to_numpy()]),
        by_borough=by_borough,
        findings=tuple(findings),
    )


def _borough_of(table: str, frame: pd.DataFrame, camera_boroughs: pd.Series | None) -> pd.Series:
    column = BOROUGH_COLUMNS.get(table)
    if column is not None and column in frame.columns:
        return frame[column].fillna("(none)").astype(str)
    if table == "links" and camera_boroughs is not None and "camera_id" in frame.columns:
        return frame["camera_id"].map(camera_boroughs).fillna("(none)").astype(str)
    return pd.Series("(all)", index=frame.index)


def _borough_counts(
    table: str,
    existing: pd.DataFrame,
    incoming: pd.DataFrame,
    removed_mask: np.ndarray,
    added_mask: np.ndarray,
    changed_mask: np.ndarray,
    camera_boroughs: pd.Series | None,
) -> pd.DataFrame:
    old_b = _borough_of(table, existing, camera_boroughs)
    new_b = _borough_of(table, incoming, camera_boroughs)
    synthetic = (
        existing["provenance"].astype(str) == str(Provenance.SYNTHETIC)
        if "provenance" in existing.columns
        else pd.Series(False, index=existing.index)
    )
    counts = pd.DataFrame(
        {
            "added": new_b[added_mask].value_counts(),
            "changed": new_b[changed_mask].value_counts(),
            "removed": old_b[removed_mask].value_counts(),
            "synthetic_replaced": old_b[removed_mask & synthetic.to_numpy()].value_counts(),
        }
    )
    counts = counts.fillna(0).astype(int).rename_axis("borough_code").reset_index()
    ordered = counts.sort_values("borough_code").reset_index(drop=True)
    return pd.DataFrame(ordered.loc[:, list(PLAN_COUNT_COLUMNS)])


def apply_merge(existing: pd.DataFrame, incoming: pd.DataFrame, plan: MergePlan) -> pd.DataFrame:
    """The table after the plan: removed rows gone, changed rows replaced, new rows added.

    Raises
    ------
    InputError
        If the plan has errors (nothing is merged).
    """
    if plan.errors:
        raise InputError(
            f"{plan.table}: {len(plan.errors)} conflict(s); nothing imported", plan.findings
        )
    old_keys = record_keys(plan.table, existing)
    new_keys = record_keys(plan.table, incoming)
    drop = set(plan.removed) | set(plan.changed)
    kept = _rows_where(existing, ~old_keys.isin(drop).to_numpy())
    take = set(plan.added) | set(plan.changed)
    added = _rows_where(incoming, new_keys.isin(take).to_numpy())
    parts = [p for p in (kept, added) if len(p)]
    if not parts:
        return existing.iloc[0:0].copy()
    # One part (a first import, or a whole file of new records) is the table itself:
    # not copied, so that a million-camera import is not held twice.
    merged = (
        parts[0].reset_index(drop=True) if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    )
    if isinstance(existing, gpd.GeoDataFrame):
        geo: pd.DataFrame = gpd.GeoDataFrame(merged, geometry="geometry", crs=existing.crs)
        return geo
    return merged


def _rows_where(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """The rows of ``frame`` where ``mask`` holds; the frame itself (no copy) when all do."""
    return frame if bool(mask.all()) else frame.loc[mask]


def dangling(
    keys: Collection[str], references: pd.Series, what: str, *, rows: Sequence[int] | None = None
) -> list[Finding]:
    """Warnings for references (e.g. a camera's control room) to ids not in ``keys``."""
    known = set(keys)
    out: list[Finding] = []
    for i, value in enumerate(references):
        if value is None or (isinstance(value, float) and np.isnan(value)) or str(value) in known:
            continue
        row = rows[i] if rows is not None else None
        out.append(Finding("warning", row, what, str(value), f"no such {what} in the estate"))
    return out


__all__ = [
    "BOROUGH_COLUMNS",
    "MergePlan",
    "MergeScope",
    "apply_merge",
    "in_scope",
    "plan_merge",
    "record_keys",
    "scope_of_records",
]
