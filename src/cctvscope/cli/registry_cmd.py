"""``cctvscope registry``: the private camera registry.

``register`` lets a business register a camera (validated like an import; any
error stores nothing, exit 2), ``list`` shows a business its own cameras or the
police/analysts the consenting ones, ``verify`` sets a registration's status.
Registered by the main app as ``app.add_typer(registry_app, name="registry")``;
this module does not import :mod:`cctvscope.cli.main`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cctvscope.cli.common import (
    EXIT_INPUT_ERROR,
    DbOption,
    EastingOption,
    LatOption,
    LonOption,
    NorthingOption,
    fail,
    store_url,
)
from cctvscope.cli.mirrors import ACTING_ROLES, VerificationStatusName
from cctvscope.cli.render import console, err_console, findings_table
from cctvscope.cli.validate import degrees, field_of_view, non_negative
from cctvscope.errors import CctvscopeError, InputError

if TYPE_CHECKING:  # heavy (pandas, SQLAlchemy): imported by the commands that run, not by --help
    from cctvscope.evidence.registry import Registration

registry_app = typer.Typer(
    help="Private camera registry: businesses register cameras, police find consenting ones.",
    no_args_is_help=True,
)

EstateOption = Annotated[str, typer.Option("--estate", help="Estate the cameras belong to.")]


def _resolution(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not match:
        raise typer.BadParameter("give WIDTHxHEIGHT in pixels, e.g. 1920x1080")
    return int(match.group(1)), int(match.group(2))


def _print(rows: list[Registration], title: str) -> None:
    table = Table(title=title)
    for col in ("camera", "business", "contact", "contact ok", "shares", "status"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.camera_id,
            r.business_id,
            r.contact,
            "yes" if r.consent_contact else "no",
            "yes" if r.consent_share else "no",
            str(r.verification_status),
        )
    console.print(table)


@registry_app.command("register")
def register_cmd(
    business: Annotated[str, typer.Option("--business", help="Your business id.")],
    heading: Annotated[
        float, typer.Option("--heading", help="Compass bearing [°].", callback=degrees)
    ],
    hfov: Annotated[
        float, typer.Option("--hfov", help="Horizontal field of view [°].", callback=field_of_view)
    ],
    resolution: Annotated[str, typer.Option("--resolution", help="WIDTHxHEIGHT [px].")],
    retention_days: Annotated[
        int, typer.Option("--retention-days", help="Days kept.", callback=non_negative)
    ],
    contact: Annotated[str, typer.Option("--contact", help="Who to contact (e-mail, phone).")],
    estate: EstateOption,
    lon: LonOption = None,
    lat: LatOption = None,
    easting: EastingOption = None,
    northing: NorthingOption = None,
    camera_id: Annotated[
        str | None, typer.Option("--camera-id", help="Camera id (default: made up).")
    ] = None,
    consent_contact: Annotated[
        bool,
        typer.Option("--consent-contact/--no-consent-contact", help="May police contact you?"),
    ] = False,
    consent_share: Annotated[
        bool,
        typer.Option("--consent-share/--no-consent-share", help="Will you share footage?"),
    ] = False,
    database_url: DbOption = None,
) -> None:
    """Register a camera of your business (it starts unverified)."""
    from cctvscope.evidence.registry import Actor, PrivateCameraSpec, register_camera
    from cctvscope.model.assumptions import read_assumptions
    from cctvscope.store import init_store

    width, height = _resolution(resolution)
    spec = PrivateCameraSpec(
        heading_deg=heading,
        hfov_deg=hfov,
        resolution_h_px=width,
        resolution_v_px=height,
        retention_days=retention_days,
        contact=contact,
        consent_contact=consent_contact,
        consent_share=consent_share,
        x_m=easting,
        y_m=northing,
        lon=lon,
        lat=lat,
        camera_id=camera_id,
    )
    try:
        engine = init_store(store_url(database_url))
        got = register_camera(
            engine, estate, Actor.business(business), spec, assumptions=read_assumptions()
        )
    except InputError as exc:
        if exc.findings:
            err_console.print(findings_table(exc.errors, title="Registration errors"))
        err_console.print(f"[red]{exc}; nothing was stored[/red]")
        raise typer.Exit(code=EXIT_INPUT_ERROR) from exc
    except CctvscopeError as exc:
        raise fail(exc) from exc
    console.print(f"registered camera {got.camera_id} for {business} (status unverified)")


@registry_app.command("list")
def list_cmd(
    estate: EstateOption,
    business: Annotated[
        str | None, typer.Option("--business", help="List your own cameras.")
    ] = None,
    role: Annotated[
        str | None,
        typer.Option("--role", help="police: consenting cameras (an analyst sees none)."),
    ] = None,
    database_url: DbOption = None,
) -> None:
    """A business's own cameras, or (police) every camera whose business shares."""
    if (business is None) == (role is None):
        raise typer.BadParameter("give exactly one of --business or --role")
    if role is not None and role not in ACTING_ROLES:
        raise typer.BadParameter("--role is police or analyst")
    from cctvscope.evidence.registry import Actor, Registration, Role, list_registrations
    from cctvscope.store import init_store

    actor = Actor.business(business) if business else Actor(Role(str(role)))
    try:
        frame = list_registrations(init_store(store_url(database_url)), estate, actor)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    rows = [
        Registration(estate_name=estate, **{str(k): v for k, v in r.items()})
        for r in frame.to_dict("records")
    ]
    _print(rows, f"Registered cameras visible to {actor} ({len(rows)})")


@registry_app.command("verify")
def verify_cmd(
    camera: Annotated[str, typer.Argument(help="Camera id.")],
    estate: EstateOption,
    status: Annotated[
        VerificationStatusName, typer.Option("--status", help="New verification status.")
    ] = "verified",
    role: Annotated[str, typer.Option("--role", help="analyst or police.")] = "analyst",
    database_url: DbOption = None,
) -> None:
    """Set a registration's verification status (analyst or police)."""
    if role not in ACTING_ROLES:
        raise typer.BadParameter("--role is police or analyst")
    from cctvscope.evidence.registry import Actor, Role, VerificationStatus, set_verification
    from cctvscope.store import init_store

    try:
        got = set_verification(
            init_store(store_url(database_url)),
            estate,
            Actor(Role(role)),
            camera,
            VerificationStatus(status),
        )
    except CctvscopeError as exc:
        raise fail(exc) from exc
    console.print(f"camera {got.camera_id}: {got.verification_status.value}")
