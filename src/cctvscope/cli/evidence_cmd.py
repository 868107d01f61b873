"""``cctvscope evidence``: police evidence requests, intake, packages and their verification.

Registered by the main app as ``app.add_typer(evidence_app, name="evidence")``;
this module does not import :mod:`cctvscope.cli.main`. The vault lives in
``--evidence-dir`` (env ``CCTVSCOPE_EVIDENCE_DIR``), by default ``evidence/``
beside a SQLite store's file, else ``./evidence``. Every action on evidence is
logged in the request's custody log with the actor (``--actor``, default the
login name) and the origin ``cli:<user>@<host>``.

Packages are signed with an Ed25519 key kept outside them (``keygen``; ``package
--signing-key``, env ``CCTVSCOPE_EVIDENCE_SIGNING_KEY``) and verified offline with its
public key (``verify --public-key``, env ``CCTVSCOPE_EVIDENCE_PUBLIC_KEY``).
"""

from __future__ import annotations

import datetime as dt
import getpass
import socket
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cctvscope.cli.common import (
    DbOption,
    EastingOption,
    LatOption,
    LonOption,
    NorthingOption,
    fail,
    store_url,
)
from cctvscope.cli.render import console, err_console
from cctvscope.cli.validate import (
    bng_point,
    easting,
    finite,
    northing,
    out_dir,
    out_file,
)
from cctvscope.errors import CctvscopeError

if TYPE_CHECKING:
    from cctvscope.workflows.evidence import JointCoverage, WorkedExample

evidence_app = typer.Typer(
    help="Police evidence requests, evidence intake, packages and verification.",
    no_args_is_help=True,
)

EXIT_ERROR = 1
#: ``verify`` found nothing wrong but could not check the anchor's signature (no public key,
#: or an unsigned package): not a pass, and distinct from a failure for scripts.
EXIT_UNANCHORED = 3

DirOption = Annotated[
    Path | None,
    typer.Option(
        "--evidence-dir",
        envvar="CCTVSCOPE_EVIDENCE_DIR",
        help="Evidence vault folder (default: evidence/ beside a SQLite store, else ./evidence).",
        show_default=False,
        callback=out_dir,
    ),
]
ActorOption = Annotated[
    str | None,
    typer.Option("--actor", help="Who acts (default: the login name).", show_default=False),
]


def _vault_root(option: Path | None, database_url: str) -> Path:
    if option is not None:
        return option
    import sqlalchemy as sa

    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).resolve().parent / "evidence"
    return Path("evidence")


def _actor(option: str | None) -> str:
    return option or getpass.getuser()


def _origin() -> str:
    return f"cli:{getpass.getuser()}@{socket.gethostname()}"


def _fail(message: object) -> typer.Exit:
    if isinstance(message, CctvscopeError):
        return fail(message)  # one rule for exit codes (an unknown estate is a usage error)
    err_console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=EXIT_ERROR)


def _when(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise _fail(f"not an ISO 8601 time: {text!r}") from exc
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@evidence_app.command("request")
def request_cmd(
    cameras: Annotated[
        Path,
        typer.Option(
            "--cameras",
            exists=True,
            dir_okay=False,
            help="Candidate cameras (CSV from the camera lookup).",
        ),
    ],
    start: Annotated[str, typer.Option("--start", help="Window start, ISO 8601 (UTC if naive).")],
    end: Annotated[str, typer.Option("--end", help="Window end, ISO 8601 (UTC if naive).")],
    x: Annotated[
        float, typer.Option("--x", help="Place easting (EPSG:27700, m).", callback=easting)
    ],
    y: Annotated[
        float, typer.Option("--y", help="Place northing (EPSG:27700, m).", callback=northing)
    ],
    actor: ActorOption = None,
    database_url: DbOption = None,
) -> None:
    """Create one request per holder of the candidate cameras; flag footage outside retention."""
    import pandas as pd

    from cctvscope.evidence.requests import create_requests
    from cctvscope.store import init_store

    try:
        frame = pd.read_csv(cameras, dtype={"camera_id": str, "borough_code": str})
    except (OSError, ValueError) as exc:
        raise _fail(f"cannot read {cameras}: {exc}") from exc
    try:
        engine = init_store(store_url(database_url))
        records = create_requests(
            engine,
            x,
            y,
            _when(start),
            _when(end),
            frame,
            requested_by=_actor(actor),
            now=dt.datetime.now(dt.UTC),
        )
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    table = Table(title="Evidence requests")
    for col in ("id", "holder", "owner type", "borough", "cameras", "outside retention", "state"):
        table.add_column(col)
    for r in records:
        outside = sum(c.outside_retention for c in r.cameras)
        table.add_row(
            str(r.id),
            r.holder,
            r.owner_type,
            r.borough_code,
            str(len(r.cameras)),
            f"[red]{outside}[/red]" if outside else "0",
            r.state,
        )
    console.print(table)


@evidence_app.command("status")
def status_cmd(
    request_id: Annotated[int, typer.Argument(help="Request id.")],
    database_url: DbOption = None,
) -> None:
    """A request's state, cameras (with retention) and supplied files."""
    from cctvscope.evidence.requests import get_request, request_items
    from cctvscope.store import init_store

    try:
        engine = init_store(store_url(database_url))
        record = get_request(engine, request_id)
        items = request_items(engine, request_id)
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    tte = record.time_to_evidence_h
    console.print(
        f"request {record.id} to {record.holder} ({record.owner_type}, {record.borough_code}): "
        f"[bold]{record.state}[/bold]; window {record.window_start.isoformat()} to "
        f"{record.window_end.isoformat()}; requested {record.requested_at.isoformat()} by "
        f"{record.requested_by}" + ("" if tte is None else f"; time to evidence {tte:.1f} h")
    )
    table = Table(title="Cameras")
    for col in ("camera", "level", "retention days", "retained until", "export formats"):
        table.add_column(col)
    for c in record.cameras:
        until = "unknown" if c.retention_ends_at is None else c.retention_ends_at.isoformat()
        table.add_row(
            c.camera_id,
            c.level or "-",
            "-" if c.retention_days is None else str(c.retention_days),
            f"[red]{until} (outside)[/red]" if c.outside_retention else until,
            c.export_formats,
        )
    console.print(table)
    for row in items.to_dict("records"):
        console.print(f"file {row['name']} camera {row['camera_id']} sha256 {row['sha256']}")


@evidence_app.command("transition")
def transition_cmd(
    request_id: Annotated[int, typer.Argument(help="Request id.")],
    state: Annotated[str, typer.Argument(help="acknowledged, supplied, refused or expired.")],
    note: Annotated[str | None, typer.Option("--note", help="Why (kept in history).")] = None,
    actor: ActorOption = None,
    database_url: DbOption = None,
    evidence_dir: DirOption = None,
) -> None:
    """Move a request to a new state (illegal moves fail); logged in its custody log."""
    from cctvscope.evidence.requests import transition
    from cctvscope.evidence.vault import EvidenceVault
    from cctvscope.store import init_store

    url = store_url(database_url)
    who = _actor(actor)
    try:
        engine = init_store(url)
        record = transition(
            engine, request_id, state, actor=who, at=dt.datetime.now(dt.UTC), note=note
        )
        EvidenceVault(_vault_root(evidence_dir, url)).log(
            record.key,
            actor=who,
            action="state_change",
            origin=_origin(),
            detail={"state": state, "note": note},
        )
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    console.print(f"request {request_id} is now {record.state}")


@evidence_app.command("intake")
def intake_cmd(
    request_id: Annotated[int, typer.Argument(help="Request id.")],
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="Export file supplied by the holder."),
    ],
    camera: Annotated[str, typer.Option("--camera", help="Camera the footage is from.")],
    clock_offset_s: Annotated[
        float | None,
        typer.Option(
            "--clock-offset-s", help="Recorder clock minus true time, seconds.", callback=finite
        ),
    ] = None,
    actor: ActorOption = None,
    database_url: DbOption = None,
    evidence_dir: DirOption = None,
) -> None:
    """Store a supplied file as a read-only master (SHA-256 recorded) and log the intake."""
    from cctvscope.evidence.requests import get_request, record_item
    from cctvscope.evidence.vault import EvidenceVault
    from cctvscope.store import init_store

    url = store_url(database_url)
    try:
        engine = init_store(url)
        record = get_request(engine, request_id)
        if camera not in {c.camera_id for c in record.cameras}:
            raise CctvscopeError(f"camera {camera!r} is not part of request {request_id}")
        item = EvidenceVault(_vault_root(evidence_dir, url)).intake(
            file,
            request_id=record.key,
            camera_id=camera,
            actor=_actor(actor),
            origin=_origin(),
            clock_offset_s=clock_offset_s,
        )
        record_item(
            engine,
            request_id,
            sha256=item.sha256,
            size=item.size,
            name=item.name,
            camera_id=camera,
            intake_at=item.intake_at,
            intake_by=item.intake_by,
            origin=item.origin,
            clock_offset_s=clock_offset_s,
        )
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    console.print(f"stored {item.name} ({item.size} bytes) sha256 {item.sha256}")


@evidence_app.command("package")
def package_cmd(
    request_id: Annotated[int, typer.Argument(help="Request id.")],
    out: Annotated[Path, typer.Option("--out", help="Package to write (.zip).", callback=out_file)],
    signing_key: Annotated[
        Path | None,
        typer.Option(
            "--signing-key",
            envvar="CCTVSCOPE_EVIDENCE_SIGNING_KEY",
            help="Ed25519 private key that signs the package's anchor (from `evidence keygen`; "
            "keep it away from the vault and the packages).",
            show_default=False,
        ),
    ] = None,
    standard_version: Annotated[
        str | None, typer.Option("--standard", help="Standard the verdicts refer to.")
    ] = None,
    actor: ActorOption = None,
    database_url: DbOption = None,
    evidence_dir: DirOption = None,
) -> None:
    """Write the evidence package: masters, manifest (hashes), custody log, signed anchor."""
    from cctvscope.evidence.package import write_package
    from cctvscope.evidence.requests import get_request
    from cctvscope.evidence.signing import load_private_key
    from cctvscope.evidence.vault import EvidenceVault
    from cctvscope.store import init_store

    if signing_key is None:
        raise _fail(
            "no signing key: give --signing-key KEY (or CCTVSCOPE_EVIDENCE_SIGNING_KEY); "
            "make one with `cctvscope evidence keygen --out KEY`"
        )
    url = store_url(database_url)
    try:
        key = load_private_key(signing_key)
        record = get_request(init_store(url), request_id)
        path = write_package(
            EvidenceVault(_vault_root(evidence_dir, url)),
            record,
            out,
            actor=_actor(actor),
            signing_key=key,
            origin=_origin(),
            standard_version=standard_version,
        )
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    console.print(f"wrote {path}")


@evidence_app.command("keygen")
def keygen_cmd(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Private key file to write (mode 0600); KEY.pub beside.",
            callback=out_file,
        ),
    ],
) -> None:
    """Make an Ed25519 package-signing key: KEY (private, 0600) and KEY.pub (hand this over)."""
    from cctvscope.evidence.signing import fingerprint, generate_key, load_public_key

    try:
        private, public = generate_key(out)
    except (CctvscopeError, OSError) as exc:
        raise _fail(exc) from exc
    console.print(
        f"wrote {private} (private: keep it off the vault's machine and out of packages) and "
        f"{public} (public: give it to whoever verifies); "
        f"fingerprint {fingerprint(load_public_key(public))}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@evidence_app.command("verify")
def verify_cmd(
    package: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Evidence package (.zip).")
    ],
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            envvar="CCTVSCOPE_EVIDENCE_PUBLIC_KEY",
            help="The signer's public key (KEY.pub) that checks the package's anchor.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check every link: files, manifest, custody intake hashes and chain, signed anchor.

    Exit 0: verified against the public key. Exit 1: a link failed (each one listed).
    Exit 3: nothing failed but the anchor could not be checked (no key, or unsigned).
    """
    from cctvscope.evidence.signing import load_public_key
    from cctvscope.evidence.verify import verify_package

    try:
        key = None if public_key is None else load_public_key(public_key)
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    report = verify_package(package, key)
    if report.status == "failed":
        err_console.print(f"[red]VERIFICATION FAILED[/red] for {package}:")
        for finding in report.findings:
            # soft_wrap: hashes stay whole on one line, to be compared or copied.
            err_console.print(
                f"  - [{finding.check}] {finding}", markup=False, highlight=False, soft_wrap=True
            )
        raise typer.Exit(code=EXIT_ERROR)
    counts = f"{report.files_checked} files and {report.custody_entries} custody entries"
    if report.status == "unanchored":
        err_console.print(
            f"[yellow]UNANCHORED[/yellow] {package}: {counts} consistent, but "
            f"{report.unanchored_reason()}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=EXIT_UNANCHORED)
    console.print(
        f"verified {package}: {counts} intact; anchor signed by {report.key_fingerprint}",
        highlight=False,
        soft_wrap=True,
    )


@evidence_app.command("sla")
def sla_cmd(database_url: DbOption = None) -> None:
    """Per borough and owner type: requests, share supplied, time to evidence, refusals."""
    from cctvscope.evidence.requests import sla_summary
    from cctvscope.store import init_store

    try:
        frame = sla_summary(init_store(store_url(database_url)))
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    if frame.empty:
        console.print("no evidence requests stored")
        return
    table = Table(title="Evidence request SLA")
    for col in frame.columns:
        table.add_column(str(col).replace("_", " "))
    for row in frame.itertuples(index=False):
        table.add_row(
            *(f"{v:.2f}" if isinstance(v, float) else str(v) for v in row)  # NaN prints as nan
        )
    console.print(table)


def integration_summary(example: WorkedExample, joint: JointCoverage) -> str:
    """Two lines for the demo: what private cameras add, and the worked request's outcome."""
    recognise = joint.london[joint.london["level"] == "recognise"].iloc[0]
    median = example.median_time_to_evidence_h
    verified = example.verification is not None and example.verification.ok
    return (
        f"Private cameras add {recognise['gain_km2']:.3f} km² ({recognise['gain_pct']:.1f} %) "
        f"to public Recognise coverage in London, {recognise['crime_gain_pct']:.1f} % more "
        "crime covered.\n"
        f"Worked request (synthetic): {len(example.candidates)} cameras could have seen the place "
        f"(BNG {example.place_x_m:.1f} E, {example.place_y_m:.1f} N), "
        f"{len(example.requests)} holders asked, median time to evidence "
        f"{'-' if median is None else f'{median:.0f} h'}; package "
        f"{example.package.name if example.package else '-'} "
        f"{'verified' if verified else 'NOT verified'}."
    )


def _hits_table(
    found: Sequence[Mapping[Any, Any]], where: str, incident: dt.datetime | None
) -> Table:
    """The cameras that could have seen ``where``, with their footage of ``incident``."""
    table = Table(title=f"Cameras that could have seen {where}")
    for col in ("camera", "level", "distance m", "owner", "holder", "retention days"):
        table.add_column(col)
    if incident is not None:
        table.add_column(f"footage of {incident:%Y-%m-%d %H:%M} UTC")
    for row in found:
        cells = [
            str(row["camera_id"]),
            str(row["level"]),
            f"{row['distance_m']:.0f}",
            str(row["owner_type"]),
            str(row["operator"]),
            str(row["retention_days"]),
        ]
        if incident is not None:
            ends = row["retention_ends_at"]
            kept = row["within_retention"]
            cells.append(
                "retention unknown"
                if ends is None
                else f"{'kept until' if kept else 'overwritten'} {ends:%Y-%m-%d %H:%M}"
            )
        table.add_row(*cells)
    return table


def _place_point(engine: Any, estate: str, place: str) -> tuple[float, float, str]:
    """The best match of ``place`` in the estate's region: (x_m, y_m, its label)."""
    from cctvscope.store import load_estate
    from cctvscope.workflows.places import find_place

    loaded = load_estate(engine, estate)
    found = find_place(engine, loaded, place)
    if not found:
        raise _fail(f"no place in {loaded.region.name} matches {place!r}")
    return found[0].x_m, found[0].y_m, f"{found[0].label} ({found[0].kind.value}) "


@evidence_app.command("cameras-at")
def cameras_at_cmd(
    estate: Annotated[str, typer.Option("--estate", help="Estate to search.")],
    x: EastingOption = None,
    y: NorthingOption = None,
    lon: LonOption = None,
    lat: LatOption = None,
    place: Annotated[
        str | None,
        typer.Option(
            "--place",
            help="A postcode, place, street or area name, or coordinates (see `cctvscope place`).",
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Incident time, ISO 8601 (UTC if naive): is footage still kept?"),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the candidates as CSV for `request`.", callback=out_file),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            envvar="CCTVSCOPE_LOOKUP_CACHE_DIR",
            help="Where police lookups are cached (default: STORE.lookup-cache beside a "
            "SQLite store, else ./lookup-cache).",
            show_default=False,
        ),
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Cameras (public, and private that consent to share) that could have seen a place.

    The lookup is cached per estate version beside the store (see ``--cache-dir``): the
    first search of a version builds it (seconds), later ones read it.
    """
    from cctvscope.store import init_store
    from cctvscope.workflows.police_search import (
        default_cache_dir,
        search_point,
        search_point_rows,
    )

    if (x is None or y is None) and lon is not None and lat is not None:
        x, y = bng_point(lon, lat)  # checked before the store is read
    if (x is None or y is None) and not place:
        raise _fail(
            "give the place as --place TEXT, --x/--y (British National Grid) or --lon/--lat"
        )
    incident = _when(at) if at else None
    url = store_url(database_url)
    try:
        engine = init_store(url)
        where = ""
        if x is None or y is None:
            x, y, where = _place_point(engine, estate, str(place))
        cache = cache_dir or default_cache_dir(url)
        found = None
        if out is None:  # the table alone needs no pandas (issue 18)
            rows: Sequence[Mapping[Any, Any]] = search_point_rows(
                engine, estate, x, y, cache_dir=cache, incident_at=incident
            )
        else:  # the CSV is written from the table
            found = search_point(engine, estate, x, y, cache_dir=cache, incident_at=incident)
            rows = found.to_dict("records")
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    console.print(_hits_table(rows, f"{where}({x:.0f}, {y:.0f})", incident))
    if out is not None and found is not None:
        found.to_csv(out, index=False)
        console.print(f"wrote {out} ({len(found)} cameras)")
