"""Survey uploads: check type and size, preview every finding, import only on confirm.

A preview validates the file against the selected borough only (a point in another
borough is an error for a borough manager's survey) and keeps the file under an
unguessable upload id for its uploader; confirming re-checks it and imports it as a
new estate version. Nothing is written to the store before the confirm.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from cctvscope.errors import Finding, InputError
from cctvscope.ingest.cameras import CameraImport, read_cameras_file
from cctvscope.model.assumptions import read_assumptions
from cctvscope.web.accounts import User
from cctvscope.web.deps import AppState, WebError
from cctvscope.web.schemas import FindingOut, SurveyPreview, SurveyResult

#: Accepted upload types: the survey workbook and CSV.
SUFFIXES = {".csv", ".xlsx"}
ZIP_MAGIC = b"PK\x03\x04"


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
    return data


def _check_borough(state: AppState, user: User, borough: str) -> None:
    loaded = state.data.current()
    if borough not in set(loaded.estate.boroughs["gss_code"]):
        raise WebError(422, f"unknown borough {borough!r}")
    if not user.may_read_borough(borough) or user.role.value == "police":
        raise WebError(403, f"your account may not submit surveys for {borough}")


def _validate(state: AppState, path: Path, borough: str) -> CameraImport:
    loaded = state.data.current()
    boroughs = loaded.estate.boroughs
    mine = boroughs[boroughs["gss_code"] == borough]
    name = str(mine["name"].iloc[0])
    imported = read_cameras_file(
        path,
        boroughs=mine,
        assumptions=read_assumptions(),
        existing_ids=set(loaded.estate.cameras["camera_id"].astype(str)),
    )
    findings = tuple(
        Finding(f.severity, f.row, f.field, f.value, f"not in {name}: {f.reason}")
        if f.field == "coordinates" and f.reason.startswith("outside the region")
        else f
        for f in imported.findings
    )
    return CameraImport(imported.cameras, findings, imported.defaulted_counts, path.name)


def _upload_dir(state: AppState, *, create: bool = True) -> Path:
    folder = Path(tempfile.gettempdir()) / f"cctvscope-uploads-{id(state)}"
    if create:
        folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def discard_uploads(state: AppState) -> None:
    """Remove the previewed files never confirmed (at shutdown)."""
    state.uploads.clear()
    shutil.rmtree(_upload_dir(state, create=False), ignore_errors=True)


def preview(state: AppState, user: User, borough: str, filename: str, data: bytes) -> SurveyPreview:
    """Check the file against the borough and keep it for a confirm; saves nothing."""
    _check_borough(state, user, borough)
    upload_id = secrets.token_urlsafe(16)
    suffix = Path(filename).suffix.lower()
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(filename).stem)[:80] or "survey"
    folder = _upload_dir(state) / upload_id
    folder.mkdir(mode=0o700)
    path = folder / f"{safe}{suffix}"
    path.write_bytes(data)
    try:
        imported = _validate(state, path, borough)
    except InputError as exc:  # unreadable file: the findings say why
        imported = CameraImport(
            state.data.current().estate.cameras.iloc[0:0], exc.findings or (
                Finding("error", None, None, None, str(exc)),
            ), {}, path.name,
        )  # fmt: skip
    state.uploads[upload_id] = (user.id, str(path), Path(filename).name, borough)
    return SurveyPreview(
        upload_id=upload_id,
        filename=Path(filename).name,
        borough=borough,
        cameras_valid=len(imported.cameras),
        errors=len(imported.errors),
        warnings=len(imported.warnings),
        findings=[
            FindingOut(
                severity=f.severity, row=f.row, field=f.field, value=f.value, reason=f.reason
            )
            for f in imported.findings
        ],
        can_confirm=not imported.errors and len(imported.cameras) > 0,
    )


def confirm(state: AppState, user: User, upload_id: str) -> tuple[SurveyResult, str]:
    """Import a previewed upload of this user (re-checked); returns the result and borough."""
    from cctvscope.workflows import import_cameras

    entry = state.uploads.get(upload_id)
    if entry is None or entry[0] != user.id:
        raise WebError(404, "no such previewed upload; upload the file again")
    _user_id, path_text, _name, borough = entry
    _check_borough(state, user, borough)
    path = Path(path_text)
    checked = _validate(state, path, borough)
    if checked.errors:
        raise WebError(422, f"{len(checked.errors)} error(s) remain; nothing was saved")
    try:
        outcome = import_cameras(state.engine, state.settings.estate_name, path)
    except InputError as exc:
        raise WebError(422, f"{exc}; nothing was saved") from exc
    finally:
        state.uploads.pop(upload_id, None)
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    estate = outcome.estate
    assert estate.version is not None
    from cctvscope.web.schemas import EstateRef

    ref = EstateRef(name=estate.name, version=estate.version, input_hash=estate.input_hash())
    result = SurveyResult(
        estate=ref, imported=len(outcome.imported.cameras), warnings=len(outcome.imported.warnings)
    )
    return result, borough
