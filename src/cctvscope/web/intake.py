"""Survey uploads: check type and size, preview the findings and the merge, import on confirm.

A survey replaces the selected borough's cameras of the owner types it holds (council
when it names none): the import path is the one the CLI uses
(:func:`cctvscope.workflows.imports.import_file`, mode ``replace``, scope borough ×
owner types). The preview is a dry run of that import: its findings (errors first,
default-value warnings summarised per field) and its merge plan (added, changed,
removed, synthetic records replaced, per borough); a file past one of the readers'
limits (:mod:`cctvscope.ingest.limits`) is refused with 413 and those findings. A
point outside the selected borough is an error, reported by row before the import is
planned. A file that can be confirmed is kept in the store (:mod:`~cctvscope.web.upload_store`,
so any server process takes the confirm) under an unguessable upload id for its uploader
until the confirm, the uploader's next preview, or ``upload_keep_s``, whichever comes
first; of any other file only its findings are kept. A file is on disk only while it is
checked, in a private temporary folder. The confirm re-runs the same request for real
and reports the new estate version. No estate is written before the confirm.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cctvscope.errors import Finding, InputError, StoreError
from cctvscope.ingest.camera_options import CameraImportOptions
from cctvscope.ingest.cameras import CameraImport, read_cameras_file
from cctvscope.ingest.catalogue import read_camera_catalogue
from cctvscope.ingest.limits import is_limit_finding
from cctvscope.ingest.merge import PLAN_COUNT_COLUMNS, MergePlan, MergeScope
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.enums import ImportMode, OwnerType
from cctvscope.store.audit_rows import AuditRow
from cctvscope.web import audit
from cctvscope.web.accounts import User
from cctvscope.web.data import records
from cctvscope.web.deps import AppState, Upload, WebError
from cctvscope.web.schemas import (
    SHOWN_IDS,
    EstateRef,
    FindingOut,
    MergePreview,
    PlanBorough,
    SurveyPreview,
    SurveyResult,
)
from cctvscope.web.upload_limits import extent_problem, upload_extent
from cctvscope.web.upload_store import (
    discard_stale_uploads,
    discard_upload,
    keep_upload,
    kept_upload,
)
from cctvscope.workflows.imports import ImportRequest, TableImportOutcome, import_file

#: Accepted upload types: the survey workbook and CSV.
SUFFIXES = {".csv", ".xlsx"}
ZIP_MAGIC = b"PK\x03\x04"
#: Warnings of a value the file did not give (filled from the assumptions or the borough).
DEFAULTED = "not given;"


def read_upload(state: AppState, filename: str, stream: BinaryIO) -> bytes:
    """The upload's bytes after the size and type checks (413 and 415)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise WebError(415, f"upload a .csv file or the .xlsx survey template, not {suffix!r}")
    limit = state.settings.max_upload_bytes
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise WebError(413, f"the file is over the {limit:,}-byte limit")
    if not data:
        raise WebError(422, "the file is empty")
    if suffix == ".xlsx" and not data.startswith(ZIP_MAGIC):
        raise WebError(415, "the .xlsx file is not an Excel workbook")
    if suffix == ".csv" and b"\x00" in data:
        raise WebError(415, "the .csv file is not text")
    settings = state.settings
    extent = upload_extent(data, suffix, settings.upload_max_rows)
    problem = extent_problem(extent, settings.upload_max_rows, settings.upload_max_cells)
    if problem:
        raise WebError(413, problem)
    return data


def _check_borough(state: AppState, user: User, borough: str) -> None:
    loaded = state.data.current()
    if borough not in set(loaded.estate.boroughs["gss_code"]):
        raise WebError(422, f"unknown borough {borough!r}")
    if not user.may_read_borough(borough) or user.role.value == "police":
        raise WebError(403, f"your account may not submit surveys for {borough}")


def _borough_names(state: AppState) -> dict[str, str]:
    boroughs = state.data.current().estate.boroughs
    return dict(zip(boroughs["gss_code"].astype(str), boroughs["name"].astype(str), strict=True))


def _locate_in_borough(state: AppState, path: Path, borough: str) -> CameraImport:
    """Read the file against the selected borough alone: a point elsewhere is an error.

    Raises InputError when the file cannot be read at all.
    """
    boroughs = state.data.current().estate.boroughs
    mine = boroughs[boroughs["gss_code"] == borough]
    name = str(mine["name"].iloc[0])
    imported = read_cameras_file(
        path,
        boroughs=mine,
        assumptions=read_assumptions(),
        options=CameraImportOptions(catalogue=read_camera_catalogue()),
    )
    findings = tuple(
        Finding(f.severity, f.row, f.field, f.value, f"not in {name}: {f.reason}")
        if f.field == "coordinates" and f.reason.startswith("outside the region")
        else f
        for f in imported.findings
    )
    return CameraImport(imported.cameras, findings, imported.defaulted_counts, path.name)


def survey_scope(borough: str, owner_types: Iterable[str]) -> MergeScope:
    """The scope a survey replaces: the borough × the owner types of its cameras (council
    when it has none).

    Private cameras are never in a survey's scope: businesses register them, with their
    consents, through the registry, and a borough survey must not delete those records.
    A survey row of a private camera therefore falls outside the scope and is refused.
    """
    owners = tuple(
        OwnerType(v) for v in sorted({str(o) for o in owner_types}) if v != OwnerType.PRIVATE
    )
    return MergeScope(boroughs=(borough,), owner_types=owners or (OwnerType.COUNCIL,))


@dataclass(frozen=True)
class Checked:
    """A survey file checked against its borough and, when clean, imported (or dry run)."""

    findings: tuple[Finding, ...]
    cameras_valid: int
    outcome: TableImportOutcome | None

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings that refuse the import."""
        return tuple(f for f in self.findings if f.severity == "error")


def check_and_import(
    state: AppState,
    path: Path,
    borough: str,
    *,
    dry_run: bool,
    audit_row: AuditRow | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Checked:
    """Check ``path`` against ``borough``; when clean, run the replace import (a dry run
    writes nothing). Every problem comes back as a finding (no outcome).

    Raises
    ------
    StoreError
        When the estate changed since it was read (a concurrent import), or cannot be saved.
    """
    try:
        located = _locate_in_borough(state, path, borough)
    except InputError as exc:  # unreadable file: the findings say why
        reason = (Finding("error", None, None, None, str(exc)),)
        return Checked(exc.findings or reason, 0, None)
    if located.errors:
        return Checked(located.findings, len(located.cameras), None)
    if progress is not None:
        progress(0.3, "loading the estate")
    request = ImportRequest(
        table="cameras",
        path=path,
        mode=ImportMode.REPLACE,
        scope=survey_scope(borough, located.cameras["owner_type"]),
        dry_run=dry_run,
        audit=audit_row,
    )
    try:
        outcome = import_file(
            state.engine,
            state.settings.estate_name,
            request,
            create_missing=False,
            on_step=None if progress is None else _import_steps(progress),
        )
    except InputError as exc:
        reason = (Finding("error", None, None, None, str(exc)),)
        return Checked(exc.findings or reason, len(located.cameras), None)
    return Checked(outcome.findings, outcome.records, outcome)


#: Progress reached at each step the import names (validate, plan, save): saving a city's
#: estate takes most of the time.
IMPORT_STEP_SHARES = (0.35, 0.45, 0.6)


def _import_steps(progress: Callable[[float, str], None]) -> Callable[[str], None]:
    """The import's step names as progress (a job's status line)."""
    shares = iter(IMPORT_STEP_SHARES)

    def step(text: str) -> None:
        progress(next(shares, IMPORT_STEP_SHARES[-1]), text[:1].lower() + text[1:])

    return step


def findings_out(findings: Iterable[Finding]) -> list[FindingOut]:
    """Errors first (file-level, then by row), then warnings by row, then the default-value
    warnings summarised per field and reason with the number of rows."""
    errors: list[Finding] = []
    warnings: list[Finding] = []
    defaulted: dict[tuple[str | None, str], int] = {}
    for f in findings:
        if f.severity == "error":
            errors.append(f)
        elif f.reason.startswith(DEFAULTED):
            defaulted[(f.field, f.reason)] = defaulted.get((f.field, f.reason), 0) + f.count
        else:
            warnings.append(f)

    def by_row(f: Finding) -> int:
        return -1 if f.row is None else f.row

    out = [
        FindingOut(severity=f.severity, row=f.row, field=f.field, value=f.value, reason=f.reason)
        for f in (*sorted(errors, key=by_row), *sorted(warnings, key=by_row))
    ]
    out += [
        FindingOut(severity="warning", row=None, field=field, value=None, reason=reason, count=n)
        for (field, reason), n in defaulted.items()
    ]
    return out


#: Cell openings a spreadsheet would run as a formula (CSV injection): such cells get a '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def findings_csv(findings: Iterable[FindingOut]) -> bytes:
    """Findings as CSV (UTF-8 with a byte-order mark, for Excel); no cell runs as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["severity", "row", "field", "value", "reason", "rows"])
    for f in findings:
        writer.writerow(
            [_cell(v) for v in (f.severity, f.row, f.field, f.value, f.reason, f.count)]
        )
    return out.getvalue().encode("utf-8-sig")


def _safe_stem(filename: str) -> str:
    """The file name's stem in characters safe in a path and a header."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", Path(filename).stem)[:80] or "survey"


def findings_file(state: AppState, user: User, upload_id: str) -> tuple[str, bytes]:
    """The file name and CSV of every finding of this user's preview (404 otherwise)."""
    entry = kept_upload(state.engine, upload_id, user.id)
    if entry is None:
        raise WebError(404, "no such previewed upload; upload the file again")
    return f"{_safe_stem(entry.name)}-findings.csv", entry.findings_csv


def plan_out(plan: MergePlan, names: Mapping[str, str]) -> MergePreview:
    """A merge plan as the response model (the first :data:`SHOWN_IDS` synthetic ids)."""
    by_borough = [
        PlanBorough.model_validate(
            r | {"borough": names.get(str(r["borough_code"]), str(r["borough_code"]))}
        )
        for r in records(plan.by_borough, list(PLAN_COUNT_COLUMNS))
    ]
    return MergePreview(
        table=plan.table,
        mode=str(plan.mode),
        scope=plan.scope.describe(),
        added=len(plan.added),
        changed=len(plan.changed),
        removed=len(plan.removed),
        unchanged=len(plan.unchanged),
        synthetic_replaced=len(plan.synthetic_replaced),
        by_borough=by_borough,
        synthetic_replaced_ids=[str(i) for i in plan.synthetic_replaced[:SHOWN_IDS]],
        summary=plan.summary(),
    )


def _upload_dir(state: AppState, *, create: bool = True) -> Path:
    folder = Path(tempfile.gettempdir()) / f"cctvscope-uploads-{id(state)}"
    if create:
        folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def discard_uploads(state: AppState) -> None:
    """Remove this process's temporary folder of files being checked (at shutdown)."""
    shutil.rmtree(_upload_dir(state, create=False), ignore_errors=True)


def _checked_file(state: AppState, upload_id: str, filename: str, data: bytes) -> tuple[Path, Path]:
    """Write ``data`` to a private folder of its own for the readers: (folder, file)."""
    folder = _upload_dir(state) / upload_id
    folder.mkdir(mode=0o700)
    path = folder / f"{_safe_stem(filename)}{Path(filename).suffix.lower()}"
    path.write_bytes(data)
    return folder, path


def preview(state: AppState, user: User, borough: str, filename: str, data: bytes) -> SurveyPreview:
    """Check the file against the borough, plan its import, keep it for a confirm; saves
    nothing."""
    _check_borough(state, user, borough)
    discard_stale_uploads(state.engine, user.id, state.settings.upload_keep_s)
    upload_id = secrets.token_urlsafe(16)
    folder, path = _checked_file(state, upload_id, filename, data)
    try:
        checked = check_and_import(state, path, borough, dry_run=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    too_big = [f for f in checked.findings if is_limit_finding(f)]
    if too_big:
        # A file past a reading limit cannot be previewed or confirmed: 413, with the
        # findings that name the limit, and nothing kept.
        raise WebError(413, "; ".join(str(f) for f in too_big))
    outcome = checked.outcome
    can_confirm = outcome is not None and checked.cameras_valid > 0
    listed = findings_out(checked.findings)
    kept = data if can_confirm else None  # nothing to confirm: only the findings kept
    upload = Upload(user.id, kept, Path(filename).name, borough, findings_csv(listed))
    keep_upload(state.engine, upload_id, upload)
    return SurveyPreview(
        upload_id=upload_id,
        filename=Path(filename).name,
        borough=borough,
        cameras_valid=checked.cameras_valid,
        errors=len(checked.errors),
        warnings=sum(f.count for f in checked.findings if f.severity == "warning"),
        findings=listed[: state.settings.preview_max_findings],
        findings_total=len(listed),
        findings_csv=f"/api/survey/{upload_id}/findings.csv",
        plan=None if outcome is None else plan_out(outcome.plan, _borough_names(state)),
        can_confirm=can_confirm,
    )


def confirmable(state: AppState, user: User, upload_id: str) -> Upload:
    """This user's previewed upload that may be imported (404 when it is not theirs or is
    gone, 422 when its preview had errors; such an upload is forgotten)."""
    entry = kept_upload(state.engine, upload_id, user.id)
    if entry is None:
        raise WebError(404, "no such previewed upload; upload the file again")
    if entry.data is None:
        discard_upload(state.engine, upload_id)
        raise WebError(422, "the preview had errors; nothing was saved; fix the file and upload it")
    _check_borough(state, user, entry.borough)
    return entry


def _no_progress(_share: float, _message: str) -> None:
    return None


def confirm(
    state: AppState,
    user: User,
    upload_id: str,
    *,
    ip: str | None,
    progress: Callable[[float, str], None] = _no_progress,
) -> tuple[SurveyResult, str]:
    """Import a previewed upload of this user (re-checked); returns the result and borough.

    The audit entry is saved with the new version, in one transaction: a confirm that
    answers 200 has its audit row, and one that fails has neither. ``progress`` hears
    of each step (a job's status line).
    """
    entry = confirmable(state, user, upload_id)
    borough = entry.borough
    assert entry.data is not None  # confirmable: the file was kept
    if not discard_upload(state.engine, upload_id):
        raise WebError(409, "this upload is already being imported; see your jobs")
    base_version = state.data.latest_version()
    folder, path = _checked_file(state, upload_id, entry.name, entry.data)
    try:
        entry_row = audit.row(
            audit.DATA_CHANGE, f"survey import {borough}", username=user.username, ip=ip
        )
        progress(0.05, f"checking {entry.name} against {borough}")
        checked = check_and_import(
            state, path, borough, dry_run=False, audit_row=entry_row, progress=progress
        )
    except StoreError as exc:
        raise WebError(409, f"{exc}; nothing was saved; upload the file again") from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if checked.outcome is None:
        raise WebError(422, f"{len(checked.errors)} error(s) remain; nothing was saved")
    outcome = checked.outcome
    estate = outcome.estate
    assert estate.version is not None
    ref = EstateRef(name=estate.name, version=estate.version, input_hash=estate.input_hash())
    result = SurveyResult(
        estate=ref,
        previous_version=base_version,
        written=outcome.written,
        imported=outcome.records,
        warnings=sum(f.count for f in outcome.warnings),
        plan=plan_out(outcome.plan, _borough_names(state)),
    )
    return result, borough
