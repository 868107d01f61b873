"""``cctvscope audit-live``: audit an estate's cameras over ONVIF and reconcile the inventory.

Registered in :mod:`cctvscope.cli.main` with ``app.command("audit-live")(audit_live)``.
Heavy imports (the workflow, PyAV, pandas) stay inside the command so that the CLI
starts fast. Exit code 0 when the audit ran (whatever it found), 1 when the store
refuses, 2 for bad input (a targets or credentials file, a network, an option).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cctvscope.cli.common import EXIT_INPUT_ERROR, DbOption, fail, store_url
from cctvscope.cli.render import console, err_console
from cctvscope.cli.validate import number, out_dir, out_file
from cctvscope.errors import CctvscopeError, InputError

if TYPE_CHECKING:
    from cctvscope.ingest.onvif_records import DeviceReading
    from cctvscope.workflows.live_audit import LiveAuditOutcome
    from cctvscope.workflows.onvif_client import Target


def _targets(targets: str | None, discover_cidr: str | None) -> tuple[Target, ...]:
    from cctvscope.workflows.live_audit import read_targets
    from cctvscope.workflows.onvif_client import discover

    found: list[Target] = list(read_targets(targets)) if targets else []
    if discover_cidr:
        try:
            found.extend(discover(discover_cidr))
        except ValueError:
            raise InputError(f"--discover {discover_cidr}: not a network (CIDR)") from None
        except OSError as exc:
            raise InputError(f"--discover {discover_cidr}: no multicast ({exc})") from None
    if not found:
        raise InputError("nothing to audit: give --targets FILE|CIDR or --discover CIDR")
    return tuple(found)


def _render(outcome: LiveAuditOutcome, estate: str) -> None:
    from cctvscope.cli.render import frame_table
    from cctvscope.workflows.live_audit import stream_table, verdict_table

    result = outcome.reconciliation
    headers = {"make_model": "make / model", "clock_offset_s": "clock Δ s"}
    console.print(
        frame_table(
            outcome.table,
            title=f"Live audit of {estate} at {outcome.audited_at:%Y-%m-%d %H:%M:%S} UTC",
            headers=headers,
            caption=(
                f"{result.count('matched')} matched, {result.count('unknown')} unknown on the "
                f"network, {result.count('offline')} listed but silent, "
                f"{result.count('auth_failed')} refused the credentials, "
                f"{len(result.not_audited)} inventory cameras not among the targets"
                + (
                    f"; {outcome.silent_searched} searched addresses silent"
                    if outcome.silent_searched
                    else ""
                )
            ),
        )
    )
    streams = stream_table(outcome)
    if not streams.empty:
        console.print(
            frame_table(
                streams,
                title="Streams measured (footage-audit metrics)",
                formats={"sharpness": ",.0f", "noise_sigma": ".2f"},
            )
        )
    verdicts = verdict_table(outcome)
    if not verdicts.empty:
        console.print(frame_table(verdicts.fillna("-"), title="Rules judged on measured values"))
    if outcome.saved_version is not None:
        console.print(
            f"saved {estate} version {outcome.saved_version}: {len(outcome.written)} cameras "
            "with measured attributes"
        )


def audit_live(
    estate: Annotated[str, typer.Option("--estate", help="Estate to reconcile with.")],
    targets: Annotated[
        str | None,
        typer.Option(
            "--targets",
            help="CSV file (address[,camera_id]) or a network (CIDR, at most 1024 addresses).",
        ),
    ] = None,
    credentials: Annotated[
        Path | None,
        typer.Option(
            "--credentials",
            help="CSV host,username,password ('*' for any host); else env "
            "CCTVSCOPE_ONVIF_USER / CCTVSCOPE_ONVIF_PASSWORD.",
        ),
    ] = None,
    discover_cidr: Annotated[
        str | None,
        typer.Option("--discover", help="WS-Discovery probe; keep answers inside this CIDR."),
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Save a new estate version with measured values.")
    ] = False,
    timeout_s: Annotated[
        float,
        typer.Option(
            "--timeout",
            help="Per-request timeout, seconds.",
            callback=number(lo=0.1, hi=600, what="seconds"),
        ),
    ] = 5.0,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", help="Devices read at once.", callback=number(lo=1, hi=64)),
    ] = 8,
    budget_s: Annotated[
        float,
        typer.Option(
            "--budget",
            help="Total time budget of the audit, seconds.",
            callback=number(lo=1, hi=86_400, what="seconds"),
        ),
    ] = 300.0,
    stream_seconds: Annotated[
        float,
        typer.Option(
            "--stream-seconds",
            help="Seconds of stream measured (0: none).",
            callback=number(lo=0, hi=60, what="seconds"),
        ),
    ] = 3.0,
    snapshots: Annotated[
        Path | None,
        typer.Option("--snapshots", help="Folder for one snapshot per camera.", callback=out_dir),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the reconciliation table as CSV.", callback=out_file),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the whole outcome as JSON instead of tables.")
    ] = False,
    standard: Annotated[
        str | None,
        typer.Option("--standard", help="Standard to judge by (default: the estate's own)."),
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Read every camera over ONVIF, reconcile with the inventory, judge, optionally save."""
    from cctvscope.workflows.live_audit import LiveAuditRequest, read_credentials, run_live_audit

    try:
        found = _targets(targets, discover_cidr)
        creds = read_credentials(credentials, dict(os.environ))
        if snapshots is not None:
            snapshots.mkdir(parents=True, exist_ok=True)
    except (InputError, OSError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=EXIT_INPUT_ERROR) from None
    request = LiveAuditRequest(
        targets=found,
        credentials=creds,
        timeout_s=timeout_s,
        concurrency=concurrency,
        budget_s=budget_s,
        stream_seconds=stream_seconds,
        snapshot_dir=snapshots,
        apply=apply,
        standard=standard,
        username=os.environ.get("USER"),
    )
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err_console,
            transient=True,
        ) as progress:
            task = progress.add_task("reading cameras", total=len(found))

            def advance(done: int, total: int, reading: DeviceReading) -> None:
                progress.update(task, completed=done, description=f"read {reading.address}")

            outcome = run_live_audit(store_url(database_url), estate, request, on_progress=advance)
    except InputError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=EXIT_INPUT_ERROR) from None
    except CctvscopeError as exc:
        raise fail(exc) from None
    if json_output:
        from cctvscope.workflows.live_audit import outcome_json

        typer.echo(json.dumps(outcome_json(outcome, estate), indent=2, default=str))
    else:
        _render(outcome, estate)
    if out is not None:
        outcome.table.to_csv(out, index=False)
        (err_console if json_output else console).print(f"reconciliation table written to {out}")
