"""Live estate audit: ask the cameras themselves, reconcile with the inventory, judge, save.

:func:`run_live_audit` reads every target over ONVIF (:mod:`.onvif_client`) in a
bounded thread pool (a concurrency limit, a per-device timeout and a total time
budget), reconciles the readings with the estate's cameras
(:mod:`cctvscope.ingest.onvif_reconcile`), judges TS-01, IQ-02, IQ-03 and
IO-01..03 on the measured values (:mod:`cctvscope.standards.live_audit`) and, on
``apply``, saves a new estate version whose measured attributes carry provenance
``measured``. Each run appends one audit-log row (counts and addresses; never a
credential). Targets and credentials come from files the user names
(:func:`read_targets`, :func:`read_credentials`); see ``docs/live-audit.md``.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import ipaddress
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cctvscope.errors import InputError
from cctvscope.ingest.catalogue import read_camera_catalogue, resolve_many
from cctvscope.ingest.onvif_reconcile import (
    CATALOGUE_LENS_ATTRIBUTES,
    Reconciliation,
    apply_measurements,
    reconcile,
    reconciliation_table,
)
from cctvscope.ingest.onvif_records import DeviceReading
from cctvscope.model.estate import Estate
from cctvscope.standards.live_audit import RuleVerdict, confirmed, judge_reading
from cctvscope.standards.spec import read_standard
from cctvscope.store.audit_rows import AuditRow, insert_audit
from cctvscope.store.engine import as_engine, write_transaction
from cctvscope.store.repository import load_estate, save_estate
from cctvscope.workflows.compliance import estate_standard
from cctvscope.workflows.onvif_client import (
    Clock,
    Credential,
    ReadOptions,
    Target,
    read_device,
    utc_now,
)

#: Environment variables holding the credentials used where the file names none.
USER_ENV = "CCTVSCOPE_ONVIF_USER"
PASSWORD_ENV = "CCTVSCOPE_ONVIF_PASSWORD"

#: Largest CIDR swept address by address (a /22); discovery covers larger networks.
MAX_SWEEP_HOSTS = 1024

#: Port of the ONVIF device service when a target names none.
DEFAULT_PORT = 80

#: Audit-log actions, in the log's vocabulary (``web/audit.py``): a run that saves a version
#: is a data change; one that only reads the cameras is a run.
AUDIT_ACTION_APPLIED = "data_change"
AUDIT_ACTION_READ = "run_analysis"

Progress = Callable[[int, int, DeviceReading], None]


@dataclass(frozen=True, slots=True)
class Credentials:
    """Credentials per device host (``*``: any other host); never logged or stored."""

    by_host: Mapping[str, Credential] = field(default_factory=dict)

    def for_target(self, target: Target) -> Credential | None:
        """The credential for ``target``: its ``host:port``, its host, then ``*``."""
        for key in (target.address, target.host, "*"):
            if key in self.by_host:
                return self.by_host[key]
        return None

    def __repr__(self) -> str:
        return f"Credentials({len(self.by_host)} hosts)"


@dataclass(frozen=True, slots=True)
class LiveAuditRequest:
    """What to audit and how far to go."""

    targets: tuple[Target, ...]
    credentials: Credentials
    timeout_s: float = 5.0
    concurrency: int = 8
    budget_s: float = 300.0
    stream_seconds: float = 3.0
    snapshot_dir: Path | None = None
    apply: bool = False
    standard: str | None = None
    username: str | None = None


@dataclass(frozen=True, slots=True)
class LiveAuditOutcome:
    """The readings, their reconciliation and verdicts, and the version saved (if any)."""

    audited_at: dt.datetime
    readings: tuple[DeviceReading, ...]
    reconciliation: Reconciliation
    verdicts: Mapping[str, tuple[RuleVerdict, ...]]
    table: pd.DataFrame
    saved_version: int | None
    written: Mapping[str, tuple[str, ...]]
    silent_searched: int = 0
    """Addresses of a sweep or discovery where nothing answered (left out of the table)."""


# --- targets and credentials ----------------------------------------------------------------


def _address(text: str, where: str) -> str:
    """``host`` or ``host:port`` checked and given a port; :class:`InputError` otherwise."""
    host, _, port = text.strip().partition(":")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not host or any(c.isspace() or c in "/@?#" for c in host):
            raise InputError(f"{where}: {text!r} is not a host or host:port") from None
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise InputError(f"{where}: port {port!r} is not 1-65535")
    return f"{host}:{port or DEFAULT_PORT}"


def _sweep(network: str) -> tuple[Target, ...]:
    net = ipaddress.ip_network(network, strict=False)
    if net.num_addresses > MAX_SWEEP_HOSTS:
        raise InputError(
            f"--targets {network}: {net.num_addresses} addresses is more than "
            f"{MAX_SWEEP_HOSTS}; name a smaller network"
        )
    hosts = list(net.hosts()) or [net.network_address]
    return tuple(Target(address=f"{h}:{DEFAULT_PORT}", searched=True) for h in hosts)


def read_targets(spec: str) -> tuple[Target, ...]:
    """Targets from a CSV file (``address[,camera_id]``) or a CIDR the user names.

    The file's ``address`` is ``host`` or ``host:port`` (port 80 by default);
    ``camera_id`` ties the device to its inventory record. Every bad row is
    reported at once.
    """
    path = Path(spec)
    if not path.is_file():
        try:
            return _sweep(spec)
        except ValueError:
            raise InputError(f"--targets {spec}: neither a file nor a network (CIDR)") from None
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    if not rows or "address" not in rows[0]:
        raise InputError(f"{path.name}: a targets file needs an 'address' column")
    problems: list[str] = []
    targets: dict[str, Target] = {}
    for line, row in enumerate(rows, start=2):
        try:
            address = _address(row.get("address") or "", f"{path.name} line {line}")
        except InputError as exc:
            problems.append(str(exc))
            continue
        targets[address] = Target(address, (row.get("camera_id") or "").strip())
    if problems:
        raise InputError("; ".join(problems))
    return tuple(targets.values())


def read_credentials(path: Path | None, environ: Mapping[str, str]) -> Credentials:
    """Credentials from a CSV file (``host,username,password``; ``*`` for any host) and the env.

    ``CCTVSCOPE_ONVIF_USER`` / ``CCTVSCOPE_ONVIF_PASSWORD`` in ``environ`` (the entry
    point passes the process environment) give the credential of every host the file
    does not name. Messages never quote a password.
    """
    by_host: dict[str, Credential] = {}
    if environ.get(USER_ENV):
        by_host["*"] = Credential(environ[USER_ENV], environ.get(PASSWORD_ENV, ""))
    if path is None:
        return Credentials(by_host)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"credentials file {path.name}: cannot read it ({exc.strerror})") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    needed = {"host", "username", "password"}
    if not rows or not needed <= set(rows[0]):
        raise InputError(f"{path.name}: a credentials file needs columns host,username,password")
    for row in rows:
        host = (row.get("host") or "").strip()
        if host:
            by_host[host] = Credential(
                (row.get("username") or "").strip(), row.get("password") or ""
            )
    return Credentials(by_host)


# --- the audit ------------------------------------------------------------------------------


def _budget_spent(target: Target) -> DeviceReading:
    return DeviceReading(
        address=target.address,
        status="offline",
        camera_id=target.camera_id,
        message="not read: the audit's time budget ran out",
    )


def read_all(
    request: LiveAuditRequest, clock: Clock = utc_now, on_progress: Progress | None = None
) -> tuple[DeviceReading, ...]:
    """Read every target in a pool of ``concurrency`` threads within ``budget_s``.

    Readings come back in target order; a target not read when the budget runs
    out is reported silent with that reason (its thread ends on its own timeouts).
    """
    options = ReadOptions(
        timeout_s=request.timeout_s,
        stream_seconds=request.stream_seconds,
        snapshot_dir=request.snapshot_dir,
    )
    results: dict[int, DeviceReading] = {}
    end = time.monotonic() + request.budget_s
    pool = ThreadPoolExecutor(max_workers=max(1, request.concurrency))
    try:
        futures: dict[Future[DeviceReading], int] = {
            pool.submit(
                read_device, target, request.credentials.for_target(target), options, clock
            ): i
            for i, target in enumerate(request.targets)
        }
        pending = set(futures)
        while pending and time.monotonic() < end:
            done, pending = wait(
                pending, timeout=end - time.monotonic(), return_when=FIRST_COMPLETED
            )
            for future in done:
                results[futures[future]] = future.result()
                if on_progress:
                    on_progress(len(results), len(request.targets), results[futures[future]])
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return tuple(
        results.get(i) or _budget_spent(target) for i, target in enumerate(request.targets)
    )


def _catalogue_lens(result: Reconciliation) -> dict[str, dict[str, float | None]]:
    """Per matched camera, the catalogue's lens attributes for its measured make and model."""
    matched = [d for d in result.devices if d.status == "matched" and d.measured.get("model")]
    if not matched:
        return {}
    found = resolve_many(
        read_camera_catalogue(),
        [str(d.measured.get("make", "")) for d in matched],
        [str(d.measured["model"]) for d in matched],
    )
    return {
        d.camera_id: {name: getattr(m, name) for name in CATALOGUE_LENS_ATTRIBUTES}
        for d, m in zip(matched, found, strict=True)
        if m is not None
    }


def _audit_row(request: LiveAuditRequest, estate: str, result: Reconciliation) -> AuditRow:
    counts = {
        status: result.count(status)
        for status in ("matched", "unknown", "offline", "auth_failed", "error", "unreachable")
    }
    return AuditRow(
        AUDIT_ACTION_APPLIED if request.apply else AUDIT_ACTION_READ,
        f"live ONVIF audit of {estate}",
        request.username,
        None,
        {
            "targets": len(request.targets),
            **counts,
            "not_audited": len(result.not_audited),
            "silent_searched": len(request.targets) - len(result.devices),
            "applied": request.apply,
            "addresses": [d.reading.address for d in result.devices],
        },
    )


def run_live_audit(
    engine: Any,
    estate_name: str,
    request: LiveAuditRequest,
    *,
    clock: Clock = utc_now,
    on_progress: Progress | None = None,
) -> LiveAuditOutcome:
    """Audit ``request.targets`` against estate ``estate_name`` (see the module docstring).

    Rules are judged with ``request.standard``, else the estate's own standard
    (``london-v1`` unless the estate names another).

    Raises
    ------
    InputError
        When the estate has no version to audit against, or the standard is unknown.
    StoreError
        When the new version cannot be saved (the store is unchanged).
    """
    base: Estate = load_estate(engine, estate_name)
    standard = read_standard(request.standard or estate_standard(base))
    audited_at = clock()
    everything = read_all(request, clock, on_progress)
    # A silent address of a sweep is no device; a silent listed target is a finding.
    readings = tuple(
        r
        for r, t in zip(everything, request.targets, strict=True)
        if not (t.searched and r.status == "offline")
    )
    result = reconcile(readings, base.cameras)
    verdicts = {r.address: judge_reading(r, standard) for r in readings}
    row = _audit_row(request, estate_name, result)
    saved: int | None = None
    written: dict[str, tuple[str, ...]] = {}
    if request.apply and result.count("matched"):
        cameras, written = apply_measurements(
            base.cameras, result, audited_at, _catalogue_lens(result)
        )
        estate = save_estate(
            engine,
            base.replace_tables(cameras=cameras),
            description=(
                f"live ONVIF audit of {len(written)} cameras at {audited_at:%Y-%m-%d %H:%M} UTC"
            ),
            based_on=base.version,
            audit=row.with_detail(changed=len(written)),
        )
        saved = estate.version
    else:
        with write_transaction(as_engine(engine)) as connection:
            insert_audit(connection, row)
    return LiveAuditOutcome(
        audited_at=audited_at,
        readings=readings,
        reconciliation=result,
        verdicts=verdicts,
        table=reconciliation_table(result),
        saved_version=saved,
        written=written,
        silent_searched=len(everything) - len(readings),
    )


def verdict_table(outcome: LiveAuditOutcome) -> pd.DataFrame:
    """One row per answering device, one column per rule judged (``pass``/``fail``/``unknown``).

    ``confirmed`` is ``yes`` when every rule judged passed on the measured values.
    """
    records = []
    for device in outcome.reconciliation.devices:
        verdicts = outcome.verdicts.get(device.reading.address, ())
        if not verdicts:
            continue
        record: dict[str, str] = {"camera_id": device.camera_id, "address": device.reading.address}
        record.update({v.rule_id: v.outcome for v in verdicts})
        record["confirmed"] = "yes" if confirmed(verdicts) else "no"
        records.append(record)
    return pd.DataFrame(records)


def outcome_json(outcome: LiveAuditOutcome, estate: str) -> dict[str, Any]:
    """The whole outcome as JSON-ready data: every device with its reading and verdicts."""
    devices = []
    for device in outcome.reconciliation.devices:
        verdicts = outcome.verdicts.get(device.reading.address, ())
        devices.append(
            {
                "camera_id": device.camera_id,
                "address": device.reading.address,
                "status": device.status,
                "measured": dict(device.measured),
                "differences": [dataclasses.asdict(d) for d in device.differences],
                "note": device.note,
                "verdicts": [dataclasses.asdict(v) for v in verdicts],
                "confirmed": confirmed(verdicts),
                "reading": dataclasses.asdict(device.reading),
            }
        )
    return {
        "estate": estate,
        "audited_at": outcome.audited_at.isoformat(),
        "saved_version": outcome.saved_version,
        "not_audited": list(outcome.reconciliation.not_audited),
        "silent_searched": outcome.silent_searched,
        "devices": devices,
    }


def stream_table(outcome: LiveAuditOutcome) -> pd.DataFrame:
    """One row per stream measured: what the camera actually sent, by the footage metrics."""
    records = []
    for device in outcome.reconciliation.devices:
        stream = device.reading.stream
        if stream is None:
            continue
        records.append(
            {
                "camera_id": device.camera_id,
                "codec": stream.codec,
                "resolution": f"{stream.width_px}x{stream.height_px}",
                "declared_fps": stream.declared_fps,
                "measured_fps": stream.measured_fps,
                "frames": stream.frame_count,
                "gaps": len(stream.gaps),
                "dropped_frames": stream.dropped_frames,
                "sharpness": stream.sharpness_laplacian_var,
                "noise_sigma": stream.noise_sigma,
                "snapshot": Path(stream.snapshot).name if stream.snapshot else "",
            }
        )
    return pd.DataFrame(records)


__all__ = [
    "AUDIT_ACTION_APPLIED",
    "AUDIT_ACTION_READ",
    "PASSWORD_ENV",
    "USER_ENV",
    "Credentials",
    "LiveAuditOutcome",
    "LiveAuditRequest",
    "outcome_json",
    "read_all",
    "read_credentials",
    "read_targets",
    "run_live_audit",
    "stream_table",
    "verdict_table",
]
