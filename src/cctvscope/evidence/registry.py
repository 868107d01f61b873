"""The private camera registry: businesses register their cameras, police find them.

A business registers a camera (location, direction, field of view, resolution,
retention, contact, consent to be contacted and to share footage); the camera goes
into a new estate version as owner type ``private`` and a ``private_registrations``
row (linked by ``camera_id``) holds the business, contact, consents and verification.
Every service function takes an explicit :class:`Actor`: a business sees, registers
and edits only its own cameras (else :class:`PermissionDenied`); police and analysts
see every camera whose business consents to share, and set verification.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa
from pydantic import ValidationError

from cctvscope.crs import wgs84_to_bng
from cctvscope.errors import CctvscopeError, Finding, InputError, StoreError
from cctvscope.evidence.visibility import PrivateScope, private_scope, registration_where
from cctvscope.ingest.camera_fields import default_cell
from cctvscope.ingest.locate import point_boroughs
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.entities import Camera
from cctvscope.model.estate import Estate
from cctvscope.model.frames import (
    frame_to_records,
    normalise_frame,
    records_to_frame,
    with_points,
)
from cctvscope.store.audit_rows import AuditRow
from cctvscope.store.registry_tables import private_registrations
from cctvscope.store.repository import (
    EngineOrUrl,
    _database_errors,
    _engine,
    load_estate,
    save_estate,
)

if TYPE_CHECKING:
    import pandas as pd

#: Share of the synthetic businesses taken to consent to being contacted (assumption).
SEED_CONSENT_CONTACT_SHARE = 0.8
#: Share taken to consent to sharing footage with police (assumption).
SEED_CONSENT_SHARE_SHARE = 0.6
#: Share of seeded registrations taken as already verified (assumption).
SEED_VERIFIED_SHARE = 0.5
#: Random seed of the seeded consents.
SEED_RANDOM_SEED = 20261123

#: Camera fields a business may change on a registered camera.
EDITABLE_CAMERA_FIELDS = frozenset(
    {"x_m", "y_m", "location_text", "mount_height_m", "heading_deg", "hfov_deg", "tilt_deg"}
) | {"resolution_h_px", "resolution_v_px", "retention_days", "fps", "status"}


class PermissionDenied(CctvscopeError):  # noqa: N818 (the name the API promises)
    """The actor may not see or change that registration."""


class VerificationStatus(StrEnum):
    """Where a registration stands with the registry."""

    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    REJECTED = "rejected"


class Role(StrEnum):
    """Who is acting: a business, or the police or an analyst of the registry."""

    BUSINESS = "business"
    POLICE = "police"
    ANALYST = "analyst"


@dataclass(frozen=True, slots=True)
class Actor:
    """Whoever calls a registry function: a business (with its id) or a police/analyst role."""

    role: Role
    business_id: str | None = None

    def __post_init__(self) -> None:
        if (self.role is Role.BUSINESS) != bool(self.business_id):
            raise ValueError("a business actor needs a business_id; other roles have none")

    @classmethod
    def business(cls, business_id: str) -> Actor:
        """A business acting on its own cameras."""
        return cls(Role.BUSINESS, business_id)

    @classmethod
    def police(cls) -> Actor:
        """The police (searching consenting cameras)."""
        return cls(Role.POLICE)

    @classmethod
    def analyst(cls) -> Actor:
        """A registry analyst (verifying registrations)."""
        return cls(Role.ANALYST)

    def __str__(self) -> str:
        return f"business {self.business_id}" if self.role is Role.BUSINESS else str(self.role)


@dataclass(frozen=True)
class Registration:
    """One stored registration."""

    estate_name: str
    business_id: str
    camera_id: str
    contact: str
    consent_contact: bool
    consent_share: bool
    verification_status: VerificationStatus
    registered_at: dt.datetime
    updated_at: dt.datetime


REGISTRATION_COLUMNS = tuple(f.name for f in dataclasses.fields(Registration))[1:]
"""Columns of a registrations table (:func:`list_registrations`, :func:`seed_registrations`)."""


@dataclass(frozen=True)
class PrivateCameraSpec:
    """What a business states about a camera it registers.

    Give ``x_m``/``y_m`` (BNG easting/northing [m]) or ``lon``/``lat`` (WGS84 [°]).
    Attributes left out of ``extra`` are filled from ``camera_defaults`` of the
    assumptions file, as imports do, and named in the camera's ``defaulted_fields``.
    """

    heading_deg: float
    hfov_deg: float
    resolution_h_px: int
    resolution_v_px: int
    retention_days: int
    contact: str
    consent_contact: bool
    consent_share: bool
    x_m: float | None = None
    y_m: float | None = None
    lon: float | None = None
    lat: float | None = None
    camera_id: str | None = None
    operator: str | None = None
    location_text: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def business_id_of(operator: str) -> str:
    """A stable business id from an operator name (lower case, runs of other chars to ``-``)."""
    return re.sub(r"[^a-z0-9]+", "-", operator.lower()).strip("-")


def _invalid(message: str, field: str, value: str | None, reason: str) -> InputError:
    return InputError(message, [Finding("error", None, field, value, reason)])


def _key(estate_name: str, camera_id: str) -> sa.ColumnElement[bool]:
    table = private_registrations
    return (table.c.estate_name == estate_name) & (table.c.camera_id == camera_id)


def _require_business(actor: Actor) -> str:
    if actor.role is not Role.BUSINESS or actor.business_id is None:
        raise PermissionDenied(f"only a business registers or edits cameras, not {actor}")
    return actor.business_id


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _registration(row: Mapping[Any, Any]) -> Registration:
    return Registration(
        estate_name=str(row["estate_name"]),
        business_id=str(row["business_id"]),
        camera_id=str(row["camera_id"]),
        contact=str(row["contact"]),
        consent_contact=bool(row["consent_contact"]),
        consent_share=bool(row["consent_share"]),
        verification_status=VerificationStatus(row["verification_status"]),
        registered_at=_utc(row["registered_at"]),
        updated_at=_utc(row["updated_at"]),
    )


# --- validation -----------------------------------------------------------------------------


def _location(spec: PrivateCameraSpec) -> tuple[float, float]:
    if spec.x_m is not None and spec.y_m is not None:
        return float(spec.x_m), float(spec.y_m)
    if spec.lon is not None and spec.lat is not None:
        x, y = wgs84_to_bng([spec.lon], [spec.lat])
        return float(x[0]), float(y[0])
    raise _invalid("the camera has no location", "coordinates", None, "give lon/lat or x/y")


def _validated_camera(data: Mapping[str, Any], estate: Estate, assumptions: Assumptions) -> Camera:
    """A Camera from registration fields, located in a borough of the estate, or InputError."""
    x, y = float(data["x_m"]), float(data["y_m"])
    codes, _gaps = point_boroughs(np.array([x]), np.array([y]), estate.boroughs)
    if codes[0] is None:
        where = f"{x:.0f}, {y:.0f}"
        reason = f"easting, northing {where} is outside every borough of {estate.name!r}"
        raise _invalid("the camera is outside the region", "coordinates", where, reason)
    fields: dict[str, Any] = {}
    defaulted: list[str] = []
    for name, entry in assumptions.section("camera_defaults").items():
        if name in Camera.model_fields and name not in data:
            fields[name] = default_cell(name, entry.value)
            defaulted.append(name)
    fields.update(data)
    fields["borough_code"] = codes[0]
    fields["owner_type"] = "private"
    fields.setdefault("provenance", "imported")
    fields["defaulted_fields"] = tuple(
        sorted(set(defaulted) - {"owner_type"} | set(fields.get("defaulted_fields", ())))
    )
    try:
        return Camera.model_validate(fields)
    except ValidationError as exc:
        findings = []
        for err in exc.errors():
            value = None if err.get("input") is None else str(err.get("input"))
            loc = ".".join(str(p) for p in err["loc"]) or None
            findings.append(Finding("error", None, loc, value, err["msg"]))
        raise InputError(f"the camera is not valid ({len(findings)} errors)", findings) from exc


def _with_camera(estate: Estate, camera: Camera, *, replace_id: str | None = None) -> Estate:
    import pandas as pd

    cameras = estate.cameras
    if replace_id is not None:
        cameras = cameras[cameras["camera_id"] != replace_id]
    new = records_to_frame(Camera, [camera])
    frame = normalise_frame(Camera, pd.concat([pd.DataFrame(cameras), new], ignore_index=True))
    return estate.replace_tables(cameras=with_points(frame))


# --- service functions ----------------------------------------------------------------------


def _rows(
    connection: sa.Connection, estate_name: str, where: sa.ColumnElement[bool] | None = None
) -> list[Registration]:
    table = private_registrations
    query = sa.select(table).where(table.c.estate_name == estate_name)
    if where is not None:
        query = query.where(where)
    rows = connection.execute(query.order_by(table.c.camera_id)).mappings().all()
    return [_registration(r) for r in rows]


def _one(connection: sa.Connection, estate_name: str, camera_id: str) -> Registration:
    found = _rows(connection, estate_name, _key(estate_name, camera_id))
    if not found:
        raise StoreError(f"camera {camera_id!r} is not registered in estate {estate_name!r}")
    return found[0]


def _owned(
    connection: sa.Connection, estate_name: str, actor: Actor, camera_id: str
) -> Registration:
    business = _require_business(actor)
    found = _one(connection, estate_name, camera_id)
    if found.business_id != business:
        raise PermissionDenied(f"camera {camera_id!r} is not registered by {actor}")
    return found


def list_registrations(engine: EngineOrUrl, estate_name: str, actor: Actor) -> pd.DataFrame:
    """The registrations ``actor`` may see, by camera id.

    The policy of :mod:`cctvscope.evidence.visibility`: a business sees its own
    cameras (whatever their consents); the police every camera whose business
    consents to share footage; an analyst none. Columns: :data:`REGISTRATION_COLUMNS`.
    """
    import pandas as pd

    where = registration_where(actor.role, actor.business_id)
    with (
        _engine(engine) as eng,
        _database_errors("reading registrations"),
        eng.connect() as connection,
    ):
        found = _rows(connection, estate_name, where)
    return pd.DataFrame(
        [{c: getattr(r, c) for c in REGISTRATION_COLUMNS} for r in found],
        columns=list(REGISTRATION_COLUMNS),
    )


def consenting_camera_ids(engine: EngineOrUrl, estate_name: str, actor: Actor) -> list[str]:
    """Ids of the registered cameras ``actor`` may see whose business consents to share,
    sorted: the ``camera_id`` column of :func:`list_registrations` where ``consent_share``,
    from one narrow query (a cached police search keys on it at every call)."""
    table = private_registrations
    query = (
        sa.select(table.c.camera_id)
        .where(table.c.estate_name == estate_name)
        .where(registration_where(actor.role, actor.business_id))
        .where(table.c.consent_share.is_(True))
        .order_by(table.c.camera_id)
    )
    with _engine(engine) as eng, _database_errors("reading registrations"), eng.connect() as c:
        return [str(v) for v in c.execute(query).scalars()]


def registration_count(engine: EngineOrUrl, estate_name: str) -> int:
    """How many cameras are registered in the estate (a count, visible to any role)."""
    table = private_registrations
    query = sa.select(sa.func.count()).where(table.c.estate_name == estate_name)
    with _engine(engine) as eng, _database_errors("counting registrations"), eng.connect() as c:
        return int(c.execute(query).scalar_one())


def get_registration(
    engine: EngineOrUrl, estate_name: str, actor: Actor, camera_id: str
) -> Registration:
    """One registration, if ``actor`` may see it (else :class:`PermissionDenied`)."""
    with (
        _engine(engine) as eng,
        _database_errors("reading a registration"),
        eng.connect() as connection,
    ):
        scope = private_scope(actor.role)
        if scope is PrivateScope.OWN:
            return _owned(connection, estate_name, actor, camera_id)
        found = _one(connection, estate_name, camera_id)
    if scope is PrivateScope.NONE:
        raise PermissionDenied(f"the {actor.role} role sees no private camera's registration")
    if not found.consent_share:
        raise PermissionDenied(f"camera {camera_id!r}'s business does not consent to share")
    return found


def register_camera(
    engine: EngineOrUrl,
    estate_name: str,
    actor: Actor,
    spec: PrivateCameraSpec,
    *,
    assumptions: Assumptions,
    audit: AuditRow | None = None,
) -> Registration:
    """Validate a business's camera, add it to a new estate version, store its registration.

    The version is saved from the one read here (``based_on``): a registration during
    an import is refused rather than dropping the import's cameras. ``audit``: an
    audit-log entry saved in the version's transaction.

    The camera is checked as an import checks it (inside a borough of the estate,
    every field in range via :class:`~cctvscope.model.entities.Camera`); the
    registration starts ``unverified``. Fields the business leaves out take their
    defaults from ``assumptions`` (the caller reads the file, e.g. ``read_assumptions()``).

    Raises
    ------
    PermissionDenied
        When ``actor`` is not a business.
    InputError
        When the camera is invalid, outside the region, or its id is taken.
    """
    business = _require_business(actor)
    if not spec.contact.strip():
        raise _invalid("a registration needs a contact", "contact", spec.contact, "empty")
    x, y = _location(spec)
    with _engine(engine) as eng:
        estate = load_estate(eng, estate_name)
        taken = set(estate.cameras["camera_id"].astype(str))
        camera_id = spec.camera_id or _next_id(business, taken)
        if camera_id in taken:
            raise _invalid(f"camera id {camera_id!r} is taken", "camera_id", camera_id, "in use")
        data: dict[str, Any] = {
            **dict(spec.extra),
            "camera_id": camera_id,
            "operator": spec.operator or business,
            "x_m": x,
            "y_m": y,
            "source": f"private registry ({business})",
            "resolution_h_px": spec.resolution_h_px,
            "resolution_v_px": spec.resolution_v_px,
            **{f: getattr(spec, f) for f in _SPEC_FIELDS},
        }
        camera = _validated_camera(data, estate, assumptions)
        now = _now()
        values = {
            "estate_name": estate_name,
            "business_id": business,
            "camera_id": camera_id,
            "contact": spec.contact.strip(),
            "consent_contact": bool(spec.consent_contact),
            "consent_share": bool(spec.consent_share),
            "verification_status": VerificationStatus.UNVERIFIED.value,
            "registered_at": now,
            "updated_at": now,
        }
        with _database_errors(f"registering camera {camera_id!r}"), eng.begin() as connection:
            if _rows(connection, estate_name, _key(estate_name, camera_id)):
                raise InputError(f"camera id {camera_id!r} is already registered")
            connection.execute(private_registrations.insert().values(values))
        # The estate version is written after the registration row, so a failed insert
        # leaves no orphan camera; a failed save removes the row again.
        try:
            save_estate(
                eng,
                _with_camera(estate, camera),
                description=f"registered {camera_id}",
                based_on=estate.version,
                audit=None
                if audit is None
                else AuditRow(
                    audit.action,
                    f"registered {camera_id}",
                    audit.username,
                    audit.ip,
                    {
                        **audit.detail,
                        "business_id": business,
                        "consent_share": bool(spec.consent_share),
                    },
                ),
            )
        except CctvscopeError:
            with eng.begin() as connection:
                connection.execute(
                    private_registrations.delete().where(_key(estate_name, camera_id))
                )
            raise
    return _registration(values)


_SPEC_FIELDS = ("location_text", "heading_deg", "hfov_deg", "retention_days")


def _next_id(business: str, taken: set[str]) -> str:
    n = 1
    while f"priv-{business}-{n:03d}" in taken:
        n += 1
    return f"priv-{business}-{n:03d}"


def update_registration(
    engine: EngineOrUrl,
    estate_name: str,
    actor: Actor,
    camera_id: str,
    *,
    contact: str | None = None,
    consent_contact: bool | None = None,
    consent_share: bool | None = None,
    camera_changes: Mapping[str, Any] | None = None,
    assumptions: Assumptions,
) -> Registration:
    """A business edits its own registration and, optionally, its camera's attributes.

    Camera changes (fields of :data:`EDITABLE_CAMERA_FIELDS`) are validated like a
    registration and written as a new estate version; they set the registration
    back to ``unverified``, since what was verified has changed. ``assumptions``: as
    for :func:`register_camera`.

    Raises
    ------
    PermissionDenied
        When ``actor`` is not the business that registered ``camera_id``.
    InputError
        When a change is invalid.
    """
    changes = dict(camera_changes or {})
    bad = sorted(set(changes) - EDITABLE_CAMERA_FIELDS)
    if bad:
        raise InputError(
            f"fields a business cannot edit: {bad}",
            [Finding("error", None, f, None, "not editable") for f in bad],
        )
    if contact is not None and not contact.strip():
        raise _invalid("contact cannot be empty", "contact", contact, "empty")
    with _engine(engine) as eng:
        with _database_errors("reading a registration"), eng.connect() as connection:
            current = _owned(connection, estate_name, actor, camera_id)
        if changes:
            estate = load_estate(eng, estate_name)
            rows = estate.cameras[estate.cameras["camera_id"] == camera_id]
            if rows.empty:
                raise StoreError(f"camera {camera_id!r} is not in estate {estate_name!r}")
            record = frame_to_records(Camera, rows)[0].model_dump()
            record.update(changes)
            record["defaulted_fields"] = tuple(
                f for f in record["defaulted_fields"] if f not in changes
            )
            camera = _validated_camera(record, estate, assumptions)
            save_estate(
                eng,
                _with_camera(estate, camera, replace_id=camera_id),
                description=f"edited {camera_id}",
            )
        values: dict[str, Any] = {"updated_at": _now()}
        if contact is not None:
            values["contact"] = contact.strip()
        if consent_contact is not None:
            values["consent_contact"] = bool(consent_contact)
        if consent_share is not None:
            values["consent_share"] = bool(consent_share)
        if changes:
            values["verification_status"] = VerificationStatus.UNVERIFIED.value
        with _database_errors(f"editing camera {camera_id!r}"), eng.begin() as connection:
            connection.execute(
                private_registrations.update().where(_key(estate_name, camera_id)).values(values)
            )
            return _one(connection, estate_name, current.camera_id)


def set_verification(
    engine: EngineOrUrl,
    estate_name: str,
    actor: Actor,
    camera_id: str,
    status: VerificationStatus | str,
) -> Registration:
    """Police or an analyst sets a registration's verification status.

    Raises
    ------
    PermissionDenied
        When a business tries (a business cannot verify its own cameras).
    """
    if actor.role is Role.BUSINESS:
        raise PermissionDenied(f"{actor} cannot verify registrations")
    new = VerificationStatus(status)
    with (
        _engine(engine) as eng,
        _database_errors(f"verifying camera {camera_id!r}"),
        eng.begin() as connection,
    ):
        _one(connection, estate_name, camera_id)
        connection.execute(
            private_registrations.update()
            .where(_key(estate_name, camera_id))
            .values(verification_status=new.value, updated_at=_now())
        )
        return _one(connection, estate_name, camera_id)


# --- seeding and the police view -------------------------------------------------------------


def seed_registrations(
    estate: Estate,
    *,
    consent_contact_share: float = SEED_CONSENT_CONTACT_SHARE,
    consent_share_share: float = SEED_CONSENT_SHARE_SHARE,
    verified_share: float = SEED_VERIFIED_SHARE,
    seed: int = SEED_RANDOM_SEED,
    registered_at: dt.datetime | None = None,
) -> pd.DataFrame:
    """Registration rows for the estate's private cameras (synthetic consents).

    One row per private camera; the business id comes from its operator name
    (:func:`business_id_of`), so all cameras of one synthetic site belong to one
    business. Consents are drawn per *business* (a site consents or not as a whole)
    with the given shares, which are assumptions (``docs/private-cameras.md``).
    """
    import pandas as pd

    shares = (consent_contact_share, consent_share_share, verified_share)
    if not all(0.0 <= v <= 1.0 for v in shares):
        raise ValueError("consent_contact_share, consent_share_share, verified_share: [0, 1]")
    private = estate.cameras[estate.cameras["owner_type"] == "private"]
    businesses = np.array([business_id_of(str(op)) for op in private["operator"]], dtype=object)
    _unique, inverse = np.unique(businesses.astype(str), return_inverse=True)
    draws = np.random.default_rng(seed).random((int(inverse.max(initial=-1)) + 1, 3))[inverse]
    when = registered_at or _now()
    verified = np.where(draws[:, 2] < verified_share, "verified", "unverified")
    return pd.DataFrame(
        {
            "business_id": businesses,
            "camera_id": private["camera_id"].astype(str).to_numpy(),
            "contact": [f"contact@{b}.example" for b in businesses],
            "consent_contact": draws[:, 0] < consent_contact_share,
            "consent_share": draws[:, 1] < consent_share_share,
            "verification_status": verified,
            "registered_at": [when] * len(private),
            "updated_at": [when] * len(private),
        },
        columns=list(REGISTRATION_COLUMNS),
    )


def save_registrations(engine: EngineOrUrl, estate_name: str, rows: pd.DataFrame) -> int:
    """Store registration rows (as from :func:`seed_registrations`) in one transaction.

    Returns the number stored. Raises :class:`StoreError` (storing nothing) when a
    camera is already registered in the estate.
    """
    records = [
        {
            "estate_name": estate_name,
            "business_id": str(r["business_id"]),
            "camera_id": str(r["camera_id"]),
            "contact": str(r["contact"]),
            "consent_contact": bool(r["consent_contact"]),
            "consent_share": bool(r["consent_share"]),
            "verification_status": VerificationStatus(r["verification_status"]).value,
            "registered_at": r["registered_at"],
            "updated_at": r["updated_at"],
        }
        for r in rows.to_dict("records")
    ]
    if not records:
        return 0
    with (
        _engine(engine) as eng,
        _database_errors(f"storing registrations of estate {estate_name!r}"),
        eng.begin() as connection,
    ):
        connection.execute(private_registrations.insert(), records)
    return len(records)


def searchable_cameras(estate: Estate, registrations: pd.DataFrame) -> pd.DataFrame:
    """The cameras a police lookup may list: every public camera, and private ones that consent.

    ``registrations`` needs ``camera_id`` and ``consent_share`` (as listed for the
    police). A private camera with no registration, or without consent, is left out.
    """
    cams = estate.cameras
    consenting = set(
        registrations.loc[registrations["consent_share"].astype(bool), "camera_id"].astype(str)
    )
    keep = (cams["owner_type"] != "private") | cams["camera_id"].astype(str).isin(consenting)
    out: pd.DataFrame = cams[keep.to_numpy()].reset_index(drop=True)
    return out
