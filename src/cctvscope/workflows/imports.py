"""Import any estate table from a file: validate, preview the merge, store a new version.

One path for every table (cameras, control rooms, links, contracts, evidence
statistics, cost items, monitoring assignments) and every caller (CLI, web):

1. read and validate the file (all findings at once; any error: nothing written);
2. plan the merge into the latest estate version (:mod:`cctvscope.ingest.merge`):
   what is added, changed, removed and which synthetic records are replaced;
3. unless it is a dry run, apply the plan and save a new estate version, based
   on the version read (a concurrent import in between is refused, not lost),
   with the return logged in the estate's metadata (``returns``) for the data
   confidence table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from cctvscope.errors import Finding, InputError, UnknownEstateError
from cctvscope.ingest.camera_options import CameraImportOptions
from cctvscope.ingest.cameras import read_cameras_file
from cctvscope.ingest.catalogue import read_camera_catalogue
from cctvscope.ingest.locate import REGION_ATTR, BoroughIndex
from cctvscope.ingest.london import london_empty_estate
from cctvscope.ingest.merge import MergePlan, MergeScope, apply_merge, plan_merge
from cctvscope.ingest.tables import read_table_file
from cctvscope.model.assumptions import Assumptions, read_assumptions
from cctvscope.model.enums import ImportMode, OwnerType
from cctvscope.model.estate import FINDING_COLUMNS, REGION_METADATA_KEY, Estate
from cctvscope.store import load_estate, save_estate
from cctvscope.store.audit_rows import AuditRow

Step = Callable[[str], None]

#: Tables an import can name: the estate tables users hold, and monitoring assignments.
IMPORTABLE = (
    "cameras",
    "control_rooms",
    "links",
    "contracts",
    "evidence_stats",
    "cost_items",
    "monitoring",
)

RETURNS_KEY = "returns"
"""Estate metadata key of the log of imports (one entry per import)."""


@dataclass(frozen=True)
class ImportRequest:
    """What to import and how.

    Attributes
    ----------
    table
        One of :data:`IMPORTABLE`.
    path
        The file (CSV, xlsx, GeoJSON; cameras also OSM XML).
    mode
        ``replace`` (default: the file's scope is replaced), ``append`` or ``upsert``.
    scope
        The scope a replace speaks for; None: the boroughs (× owner types,
        profiles) of the file's records.
    field_map, constants, value_maps
        ``--map``, ``--set`` and ``--value-map``.
    id_from
        Camera ids composed from these columns (cameras only).
    fmt, encoding, sheet
        Reader overrides.
    dry_run
        Plan only: nothing is written.
    audit
        An audit-log entry saved with the new version in one transaction (its detail
        gains the plan's counts and the version).
    """

    table: str
    path: Path
    mode: ImportMode = ImportMode.REPLACE
    scope: MergeScope | None = None
    field_map: Mapping[str, str] = field(default_factory=dict)
    constants: Mapping[str, str] = field(default_factory=dict)
    value_maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    id_from: tuple[str, ...] = ()
    fmt: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    dry_run: bool = False
    audit: AuditRow | None = None


@dataclass(frozen=True)
class TableImportOutcome:
    """What an import did (or, on a dry run, would do).

    ``estate``: after a camera import its ``cameras`` table is the lean table the
    import saved (:func:`~cctvscope.ingest.cameras.read_cameras_file` ``lean``): no
    Point geometry (``x_m``/``y_m`` are the points; :func:`~cctvscope.model.frames.
    with_points` adds it), columns of one value as read-only views; its
    :meth:`~cctvscope.model.estate.Estate.input_hash` is the stored one.
    """

    estate: Estate
    plan: MergePlan
    findings: tuple[Finding, ...]
    records: int
    created: bool
    written: bool

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The import's warnings."""
        return tuple(f for f in self.findings if f.severity == "warning")


def _base_estate(engine: Any, name: str, create_missing: bool) -> tuple[Estate, bool]:
    try:
        return load_estate(engine, name), False
    except UnknownEstateError:
        if not create_missing:
            raise
        return london_empty_estate(name), True


def located_boroughs(base: Estate) -> gpd.GeoDataFrame:
    """The estate's boroughs, carrying its region's title when it was made from a stored region.

    Location errors then name the region ("outside the region Stockport") rather
    than leave the user to guess which area the estate covers.
    """
    if not base.metadata.get(REGION_METADATA_KEY):
        return base.boroughs
    boroughs = base.boroughs.copy()
    boroughs.attrs[REGION_ATTR] = base.region.name
    return boroughs


def read_records(
    request: ImportRequest, base: Estate, assumptions: Assumptions
) -> tuple[pd.DataFrame, tuple[Finding, ...], str]:
    """Read and validate the request's file against ``base``: (records, findings, source)."""
    boroughs = located_boroughs(base)
    if request.table not in IMPORTABLE:
        raise InputError(
            f"unknown table {request.table!r}; tables are {', '.join(IMPORTABLE)}",
            [Finding("error", None, "table", request.table, "not an importable table")],
        )
    if request.table == "cameras":
        options = CameraImportOptions(
            value_maps=request.value_maps,
            id_from=request.id_from,
            catalogue=read_camera_catalogue(),
            sheet=request.sheet,
        )
        cams = read_cameras_file(
            request.path,
            boroughs=boroughs,
            assumptions=assumptions,
            field_map=request.field_map,
            constants=request.constants,
            fmt=request.fmt,
            encoding=request.encoding,
            options=options,
            lean=True,  # only saved: points from x_m/y_m batch by batch (see plan_import)
        )
        return cams.cameras, cams.findings, cams.source_name
    got = read_table_file(
        request.path,
        request.table,
        boroughs=boroughs,
        field_map=request.field_map,
        constants=request.constants,
        value_maps=request.value_maps,
        fmt=request.fmt,
        encoding=request.encoding,
        sheet=request.sheet,
    )
    return got.records, got.findings, got.source_name


def _refuse(source: str, findings: tuple[Finding, ...] | list[Finding]) -> InputError:
    errors = [f for f in findings if f.severity == "error"]
    return InputError(f"{source}: {len(errors)} error(s); nothing was imported", list(findings))


def plan_import(
    base: Estate, request: ImportRequest, records: pd.DataFrame
) -> tuple[MergePlan, pd.DataFrame, str]:
    """The merge plan of ``records`` into ``base``, the table after it, and the table's name."""
    camera_boroughs = pd.Series(
        base.cameras["borough_code"].to_numpy(), index=base.cameras["camera_id"].astype(str)
    )
    if request.table == "monitoring":
        return plan_monitoring(base, records)
    existing = base.table(request.table)
    if request.table == "cameras":
        # Imported cameras come without Point geometry (a million shapely points take
        # some 200 MiB); the merged table has none either and the store saves points
        # from x_m/y_m batch by batch. The existing table's columns are lent, not copied.
        existing = pd.DataFrame(existing.drop(columns="geometry", errors="ignore"))
    plan = plan_merge(
        request.table,
        existing,
        records,
        mode=request.mode,
        scope=request.scope,
        camera_boroughs=camera_boroughs,
    )
    if plan.errors:
        return plan, existing, request.table
    return plan, apply_merge(existing, records, plan), request.table


def plan_monitoring(base: Estate, records: pd.DataFrame) -> tuple[MergePlan, pd.DataFrame, str]:
    """Monitoring assignments as an upsert of the cameras' ``control_room_id``.

    Unknown cameras or rooms are errors; an assigned camera's ``control_room_id``
    stops counting as defaulted.
    """
    cams = base.cameras
    findings: list[Finding] = []
    known_cams = set(cams["camera_id"].astype(str))
    known_rooms = set(base.control_rooms["room_id"].astype(str))
    for cid, rid in zip(records["camera_id"], records["control_room_id"], strict=True):
        if str(cid) not in known_cams:
            findings.append(Finding("error", None, "camera_id", str(cid), "no such camera"))
        if str(rid) not in known_rooms:
            reason = "no such control room (import control_rooms first)"
            findings.append(Finding("error", None, "control_room_id", str(rid), reason))
    incoming = cams.set_index(cams["camera_id"].astype(str), drop=False).copy()
    if not findings:
        wanted = dict(
            zip(records["camera_id"].astype(str), records["control_room_id"], strict=True)
        )
        ids = list(wanted)
        incoming = incoming.loc[ids]
        incoming["control_room_id"] = [wanted[i] for i in ids]
        incoming["defaulted_fields"] = [
            ";".join(f for f in str(v).split(";") if f and f != "control_room_id")
            for v in incoming["defaulted_fields"]
        ]
    else:
        incoming = incoming.iloc[0:0]
    plan = plan_merge("cameras", cams, incoming.reset_index(drop=True), mode=ImportMode.UPSERT)
    merged = cams if findings else apply_merge(cams, incoming.reset_index(drop=True), plan)
    shown = MergePlan(**{**plan.__dict__, "table": "monitoring", "findings": tuple(findings)})
    return shown, merged, "cameras"


def resolve_scope(
    engine: Any,
    estate_name: str,
    table: str,
    boroughs: list[str],
    owner_types: list[str],
    whole_table: bool,
) -> MergeScope | None:
    """The scope named on the command line (None: take it from the file's records).

    Boroughs may be codes or names (resolved against the estate's boroughs); owner
    types are checked against the vocabulary. All problems are reported at once.
    """
    if whole_table:
        if boroughs or owner_types:
            reason = "--whole-table cannot be combined with --scope-borough/--scope-owner"
            raise InputError(reason, [Finding("error", None, "scope", None, reason)])
        return MergeScope()
    if not (boroughs or owner_types):
        return None
    problems: list[Finding] = []
    codes: list[str] = []
    if boroughs:
        base, _ = _base_estate(engine, estate_name, True)
        index = BoroughIndex.of(base.boroughs)
        for text in boroughs:
            code = index.resolve(text)
            if code is None:
                reason = f"unknown borough {text!r}; nearest matches: {index.suggest(text)}"
                problems.append(Finding("error", None, "scope_borough", text, reason))
            else:
                codes.append(code)
    owners: list[OwnerType] = []
    allowed = ", ".join(o.value for o in OwnerType)
    for text in owner_types:
        try:
            owners.append(OwnerType(text.strip().lower()))
        except ValueError:
            reason = f"unknown owner type; allowed: {allowed}"
            problems.append(Finding("error", None, "scope_owner", text, reason))
    if owners and table != "cameras":
        reason = "--scope-owner applies to cameras only"
        problems.append(Finding("error", None, "scope_owner", ",".join(owner_types), reason))
    if problems:
        raise InputError(f"scope: {len(problems)} problem(s)", problems)
    return MergeScope(tuple(sorted(set(codes))), tuple(owners))


def _log_return(
    base: Estate, request: ImportRequest, plan: MergePlan, source: str, records: int
) -> dict[str, Any]:
    entry = {
        "table": request.table,
        "mode": str(request.mode),
        "scope": {
            "boroughs": list(plan.scope.boroughs),
            "owner_types": [str(o) for o in plan.scope.owner_types],
            "profiles": list(plan.scope.profiles),
        },
        "source": source,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "records": records,
        "added": len(plan.added),
        "changed": len(plan.changed),
        "removed": len(plan.removed),
        "synthetic_replaced": len(plan.synthetic_replaced),
    }
    log = [*base.metadata.get(RETURNS_KEY, []), entry]
    return {**dict(base.metadata), RETURNS_KEY: log}


def stored_findings(table: str, findings: Sequence[Finding], source: str) -> pd.DataFrame:
    """An import's warnings as rows of the estate's stored findings.

    A warning standing for many rows (a value not given and defaulted: already
    recorded per camera in ``defaulted_fields``) is one row whose value is its row
    count, rather than some twenty rows per camera of a bare ``id, lon, lat`` file.
    """
    rows = [
        {"table": table, "record_id": None, "row": f.row, "field": f.field,
         "value": f"{f.count} rows" if f.count > 1 else f.value, "reason": f.reason,
         "source": source}
        for f in findings
        if f.severity == "warning"
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def import_file(
    engine: Any,
    estate_name: str,
    request: ImportRequest,
    *,
    create_missing: bool = True,
    assumptions: Assumptions | None = None,
    on_step: Step | None = None,
) -> TableImportOutcome:
    """Import one table's file into ``estate_name`` (see the module docstring).

    Raises
    ------
    InputError
        Carrying every finding, when the file or the merge has errors; the store
        is unchanged.
    StoreError
        When the estate changed since it was read (a concurrent import) or cannot
        be saved; the store is unchanged.
    """
    assumptions = assumptions or read_assumptions()
    base, created = _base_estate(engine, estate_name, create_missing)
    if on_step:
        on_step(f"Validating {request.path.name}")
    records, findings, source = read_records(request, base, assumptions)
    if any(f.severity == "error" for f in findings):
        raise _refuse(request.path.name, findings)
    if on_step:
        on_step("Planning the merge")
    plan, table, name = plan_import(base, request, records)
    if plan.errors:
        raise _refuse(request.path.name, [*plan.findings, *findings])
    findings = (*findings, *plan.findings)
    if request.dry_run or (plan.is_noop and not created):
        return TableImportOutcome(base, plan, findings, len(records), created, False)
    changes: dict[str, Any] = {name: table}
    if name == "cameras" and plan.removed:
        gone = set(plan.removed)
        links = base.links
        changes["links"] = links.loc[~links["camera_id"].astype(str).isin(gone)].reset_index(
            drop=True
        )
    stored = pd.concat([base.findings, stored_findings(name, findings, source)], ignore_index=True)
    updated = base.replace_tables(
        **changes,
        findings=stored[FINDING_COLUMNS],
        metadata=_log_return(base, request, plan, source, len(records)),
    )
    if on_step:
        on_step("Saving a new estate version")
    audit = None
    if request.audit is not None:
        audit = request.audit.with_detail(
            records=len(records),
            added=len(plan.added),
            changed=len(plan.changed),
            removed=len(plan.removed),
            synthetic_replaced=len(plan.synthetic_replaced),
        )
    saved = save_estate(
        engine,
        updated,
        points=False,
        description=f"import {request.table} from {request.path.name} ({request.mode})",
        based_on=0 if created else base.version,
        audit=audit,
    )
    return TableImportOutcome(saved, plan, findings, len(records), created, True)


__all__ = [
    "IMPORTABLE",
    "RETURNS_KEY",
    "ImportRequest",
    "TableImportOutcome",
    "import_file",
    "plan_import",
    "read_records",
    "resolve_scope",
    "stored_findings",
]
