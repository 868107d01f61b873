"""``cctvscope audit-footage``: audit video clips against the london-v1 standard.

The lead registers it with ``app.command("audit-footage")(audit_footage)``. Exit code 0
when every clip passes, 1 when any clip fails the standard, 2 when a file cannot be read.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cctvscope.cli.render import console, err_console
from cctvscope.errors import InputError

if TYPE_CHECKING:  # heavy (PyAV, OpenCV, NumPy): imported by the command that runs, not by --help
    from cctvscope.standards.footage import ClipAudit

EXIT_FAIL = 1
EXIT_INPUT_ERROR = 2


def _parse_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"{option}: {value!r} is not an ISO 8601 date and time") from exc


def _num(value: float | None, spec: str = ",.2f", unit: str = "") -> str:
    return "-" if value is None else f"{format(value, spec)}{unit}"


def clip_table(audit: ClipAudit) -> Table:
    """One clip's measurements, verdict and reasons as a rich table."""
    colour = "green" if audit.verdict == "pass" else "red"
    table = Table(title=f"{audit.path}: [{colour}]{audit.verdict.upper()}[/{colour}]")
    table.add_column("measure")
    table.add_column("value", overflow="fold")
    expo = audit.exposure
    gaps = ", ".join(f"{length:g} s at {t:g} s" for t, length in audit.gaps) or "none"
    rows = [
        ("container / codec", f"{audit.container_format} / {audit.codec}"),
        ("resolution", f"{audit.width_px}x{audit.height_px} px"),
        (
            "frame rate declared / measured",
            f"{_num(audit.declared_fps)} / {_num(audit.measured_fps)} fps",
        ),
        ("frames / duration", f"{audit.frame_count} / {audit.duration_s:.2f} s"),
        ("bitrate", _num(audit.bitrate_kbps, ",.1f", " kbps")),
        ("gaps", gaps),
        ("dropped / duplicated frames", f"{audit.dropped_frames} / {audit.duplicated_frames}"),
        ("clock offset", _num(audit.clock_offset_s, "+.3f", " s")),
        ("sharpness (Laplacian variance)", f"{audit.sharpness_laplacian_var:,.1f}"),
        ("noise sigma", f"{audit.noise_sigma:.2f} grey levels"),
        ("blockiness", f"{audit.blockiness:.3f}"),
        (
            "exposure",
            f"mean luma {expo.mean_luma:.1f}; clipped shadows "
            f"{expo.clipped_shadow_share:.1%}, highlights {expo.clipped_highlight_share:.1%}",
        ),
    ]
    if audit.people is not None:
        people = audit.people
        heights = ", ".join(str(h) for h in people.box_heights_px) or "none"
        rows.append(
            (
                "people (HOG)",
                f"{len(people.detections)} in {people.frames_searched} frames; "
                f"box heights {heights} px; best Home Office category "
                f"{people.best_category or '-'}",
            )
        )
    for measure, value in rows:
        table.add_row(measure, value)
    for reason in audit.reasons:
        table.add_row("[red]reason[/red]", reason)
    for note in audit.notes:
        table.add_row("note", note)
    return table


def audit_footage(
    files: Annotated[list[Path], typer.Argument(help="Video files to audit.")],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print a JSON list instead of tables.")
    ] = False,
    reference_time: Annotated[
        str | None,
        typer.Option(
            "--reference-time",
            help="True time at the first frame, ISO 8601 (naive = UTC); enables TS-01.",
        ),
    ] = None,
    clip_start_time: Annotated[
        str | None,
        typer.Option(
            "--clip-start-time",
            help="Recorder's time at the first frame, ISO 8601 (default: container creation_time).",
        ),
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option(
            "--purpose",
            help="Camera purpose for IQ-01 (entrance, street, wide_area).",
        ),
    ] = None,
    people: Annotated[
        bool, typer.Option("--people/--no-people", help="Look for people with HOG.")
    ] = True,
) -> None:
    """Audit video clips: format, timing, clock, image quality, people; verdict per clip."""
    from cctvscope.standards.footage import FootageRequirements, audit_clip

    try:
        reference = _parse_time(reference_time, "--reference-time")
        clip_start = _parse_time(clip_start_time, "--clip-start-time")
        requirements = FootageRequirements.from_standard(purpose=purpose)
    except (InputError, ValueError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=EXIT_INPUT_ERROR) from None
    results: list[dict[str, Any]] = []
    failed = unreadable = False
    for path in files:
        try:
            audit = audit_clip(
                path,
                requirements=requirements,
                reference_time=reference,
                clip_start_time=clip_start,
                detect_people=people,
            )
        except InputError as exc:
            unreadable = True
            err_console.print(f"[red]error:[/red] {exc}")
            results.append({"path": str(path), "error": str(exc)})
            continue
        failed = failed or audit.verdict != "pass"
        if json_output:
            results.append(audit.to_dict())
        else:
            console.print(clip_table(audit))
    if json_output:
        typer.echo(json.dumps(results, indent=2))
    if unreadable:
        raise typer.Exit(code=EXIT_INPUT_ERROR)
    if failed:
        raise typer.Exit(code=EXIT_FAIL)
