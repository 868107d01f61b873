"""Estate entities: one pydantic model per kind of record.

Every attribute carries a description and a unit (``"-"`` where it has none) in
its field metadata; :mod:`cctvscope.model.schema` turns them into the schema
table in ``docs/schema.md``. Locations are British National Grid easting and
northing in metres (EPSG:27700).

The models validate single records (imports, the web API). Bulk analysis works
on the estate's GeoDataFrames, whose columns are these field names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from cctvscope.model.enums import (
    CameraStatus,
    Codec,
    ContractCategory,
    ExportFormat,
    LinkType,
    OnvifProfile,
    OwnerType,
    Provenance,
    RetrievalModel,
    RoomOperator,
    Signal,
    TimeSync,
)

AREA_CODE_BODY = r"[A-Za-z0-9_.:-]{1,32}"
"""An area code without anchors: 1-32 letters, digits or ``_.:-`` (no whitespace)."""
AREA_CODE_PATTERN = rf"^{AREA_CODE_BODY}$"
"""Code of an area unit of a region: a GSS code (E09000007, E05000650), a police
neighbourhood id or the user's own. Regions are any area, so no code family is implied."""
OPTIONAL_AREA_CODE_PATTERN = rf"^({AREA_CODE_BODY})?$"
"""An area code or the empty string (optional query parameters)."""
# The old name stays: borough fields keep their names, boroughs being the region's area units.
GSS_BOROUGH_PATTERN = AREA_CODE_PATTERN


def attr(description: str, unit: str = "-", **kwargs: Any) -> Any:
    """A pydantic ``Field`` carrying a description and a unit for the schema table."""
    extra: dict[str, JsonValue] = {"unit": unit}
    return Field(description=description, json_schema_extra=extra, **kwargs)


class Entity(BaseModel):
    """Base of all estate records: strict about unknown fields, immutable."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Region(Entity):
    """The region an estate covers (London: GSS E12000007; any area a user defines)."""

    region_code: str = attr(
        "Code of the region (a GSS code, or the stored region's name)", min_length=1
    )
    name: str = attr("Region name", min_length=1)


class Borough(Entity):
    """An area unit of the region: a London borough, a ward, a district, the user's own area."""

    gss_code: str = attr(
        "Code of the area (ONS GSS code in London; any code elsewhere)", pattern=GSS_BOROUGH_PATTERN
    )
    name: str = attr("Name of the area", min_length=1)
    inner_outer: str = attr("ONS Inner/Outer London statistical definition")
    area_km2: float = attr("Land area inside the boundary", "km²", gt=0)
    population: int = attr("Resident population, ONS mid-2020 estimate", "persons", ge=0)
    recorded_crimes_per_year: int = attr(
        "MPS recorded crimes in the reference year (0 where not published)", "crimes/yr", ge=0
    )
    cost_profile: str = attr("Name of the cost profile applied to this borough")
    provenance: Provenance = attr("Where the record comes from")
    source: str = attr("Source of the record")


class ControlRoom(Entity):
    """A CCTV control room (monitoring and recording centre)."""

    room_id: str = attr("Unique control room id", min_length=1)
    name: str = attr("Control room name", min_length=1)
    operator_kind: RoomOperator = attr("Who runs the room")
    operator: str = attr("Organisation running the room")
    borough_code: str | None = attr(
        "GSS code of the borough the room is in (None outside the region)",
        pattern=GSS_BOROUGH_PATTERN,
        default=None,
    )
    served_boroughs: tuple[str, ...] = attr(
        "GSS codes of the boroughs whose cameras the room monitors", default=()
    )
    x_m: float = attr("Easting, British National Grid", "m")
    y_m: float = attr("Northing, British National Grid", "m")
    operator_positions: int = attr("Operator workstations staffed at peak", "positions", ge=0)
    hours_per_day: float = attr("Hours per day the room is staffed", "h/day", ge=0, le=24)
    days_per_week: float = attr("Days per week the room is staffed", "days/wk", ge=0, le=7)
    staff_fte: float = attr("Operator staff in full-time equivalents", "FTE", ge=0)
    screens_per_operator: int = attr("Monitors per operator position", "screens", ge=0)
    provenance: Provenance = attr("Where the record comes from")
    source: str = attr("Source of the record")
    vms: str = attr("Video management system used in the room", default="")


class Camera(Entity):
    """A camera: where it is, what it sees, how it records and who holds its footage."""

    camera_id: str = attr("Unique camera id within the estate", min_length=1)
    owner_type: OwnerType = attr("Who owns the camera")
    operator: str = attr("Organisation that operates the camera")
    borough_code: str = attr(
        "GSS code of the borough the camera is in", pattern=GSS_BOROUGH_PATTERN
    )
    x_m: float = attr("Easting, British National Grid", "m")
    y_m: float = attr("Northing, British National Grid", "m")
    location_text: str = attr("Free-text location description", default="")
    mount_height_m: float = attr("Lens height above ground", "m", gt=0, le=100)
    heading_deg: float = attr(
        "Compass bearing of the optical axis, clockwise from grid north", "°", ge=0, lt=360
    )
    hfov_deg: float = attr("Horizontal field of view at the widest zoom", "°", gt=0, le=360)
    tilt_deg: float = attr("Downward tilt of the optical axis below horizontal", "°", ge=0, le=90)
    ptz: bool = attr("True for a pan-tilt-zoom camera")
    ptz_max_zoom: float = attr(
        "Optical zoom ratio of a PTZ lens (1 for fixed cameras)", "×", ge=1, le=100
    )
    sensor_width_mm: float | None = attr("Sensor width", "mm", gt=0, le=50, default=None)
    focal_length_mm: float | None = attr(
        "Focal length at the widest zoom", "mm", gt=0, le=500, default=None
    )
    resolution_h_px: int = attr("Horizontal resolution of the recorded image", "px", gt=0, le=16384)
    resolution_v_px: int = attr("Vertical resolution of the recorded image", "px", gt=0, le=16384)
    codec: Codec = attr("Recording codec")
    fps: float = attr("Recorded frame rate", "frames/s", gt=0, le=120)
    signal: Signal = attr("Analogue or IP signal chain")
    install_year: int = attr("Year the camera was installed", "year", ge=1970, le=2100)
    retention_days: int = attr("Days recordings are kept before overwrite", "days", ge=0, le=3650)
    onvif_profiles: tuple[OnvifProfile, ...] = attr(
        "ONVIF profiles the recorder claims", default=()
    )
    export_formats: tuple[ExportFormat, ...] = attr(
        "Formats footage can be exported in", default=()
    )
    time_sync: TimeSync = attr("How the recorder clock is kept")
    control_room_id: str | None = attr(
        "Control room that monitors the camera (None if unmonitored)", default=None
    )
    status: CameraStatus = attr("Operational state")
    provenance: Provenance = attr("Where the record comes from")
    source: str = attr("Source of the record (publisher, file or generator)")
    defaulted_fields: tuple[str, ...] = attr(
        "Attributes filled from the assumptions file rather than the source", default=()
    )
    catalogue_fields: tuple[str, ...] = attr(
        "Attributes filled from the camera-model catalogue for the camera's make and model",
        default=(),
    )
    measured_fields: tuple[str, ...] = attr(
        "Attributes read from the device itself by a live ONVIF audit",
        default=(),
    )
    measured_at: str = attr(
        "When a live audit read the measured attributes (ISO 8601, UTC; empty if never)",
        "datetime",
        default="",
    )
    make: str = attr("Manufacturer as the source names it", default="")
    model: str = attr("Camera model as the source names it", default="")
    ir_range_m: float | None = attr(
        "Infrared illumination range (catalogue or source)", "m", ge=0, le=1000, default=None
    )
    vms: str = attr("Video management system recording the camera", default="")
    fault_notes: str = attr("Fault or maintenance comments from the source", default="")
    custodian: str = attr("Data custodian responsible for the camera's footage", default="")
    last_updated: dt.date | None = attr(
        "Date the source last updated the record", "date", default=None
    )

    @model_validator(mode="after")
    def _check_resolution_and_ptz(self) -> Camera:
        if not self.ptz and self.ptz_max_zoom != 1:
            raise ValueError("a fixed camera has ptz_max_zoom 1")
        if self.signal is Signal.ANALOGUE and self.onvif_profiles:
            raise ValueError("an analogue camera cannot claim ONVIF profiles")
        return self


class Link(Entity):
    """A transmission link carrying camera video to a control room."""

    link_id: str = attr("Unique link id", min_length=1)
    camera_id: str = attr("Camera at the near end")
    control_room_id: str = attr("Control room at the far end")
    link_type: LinkType = attr("Transmission technology")
    bandwidth_mbps: float = attr("Provisioned bandwidth", "Mbit/s", gt=0, le=100_000)
    length_km: float = attr("Straight-line length of the link", "km", ge=0)
    annual_cost_gbp: float = attr("Annual rental or running cost", "£/yr", ge=0)
    provenance: Provenance = attr("Where the record comes from")


class Contract(Entity):
    """A contract a borough holds for CCTV services."""

    contract_id: str = attr("Unique contract id", min_length=1)
    borough_code: str = attr("GSS code of the contracting borough", pattern=GSS_BOROUGH_PATTERN)
    category: ContractCategory = attr("Service category")
    supplier: str = attr("Supplier name")
    annual_value_gbp: float = attr("Annual contract value", "£/yr", ge=0)
    start_date: dt.date = attr("Contract start date", "date")
    end_date: dt.date = attr("Contract end date (before extensions)", "date")
    provenance: Provenance = attr("Where the record comes from")

    @model_validator(mode="after")
    def _check_dates(self) -> Contract:
        if self.end_date <= self.start_date:
            raise ValueError("end_date must be after start_date")
        return self


class EvidenceStats(Entity):
    """Police requests for footage from a borough's public-space CCTV."""

    borough_code: str = attr("GSS code of the borough", pattern=GSS_BOROUGH_PATTERN)
    year: int = attr("Reference year", "year", ge=1990, le=2100)
    requests_per_year: int = attr("Police requests for footage", "requests/yr", ge=0)
    footage_available_share: float = attr(
        "Share of requests where usable footage exists", "fraction", ge=0, le=1
    )
    retrieval_model: RetrievalModel = attr("How police obtain the footage")
    provenance: Provenance = attr("Where the record comes from")
    turnaround_days: float | None = attr(
        "Median days from a police request to footage handed over", "days", ge=0, default=None
    )


class CostItem(Entity):
    """One unit cost of a named cost profile."""

    profile: str = attr("Cost profile name", min_length=1)
    item: str = attr("Cost item key", min_length=1)
    value_gbp: float = attr("Unit cost at the price base year", "£", ge=0)
    per: str = attr("What the cost is per (camera, camera-year, room-year, FTE-year, ...)")
    price_base_year: int = attr("Price base year of value_gbp", "year", ge=1990, le=2100)
    source: str = attr("Source of the figure, or 'assumption'")
    provenance: Provenance = attr(
        "Where the figure comes from (assumptions file or a borough return)",
        default=Provenance.ASSUMED,
    )


ENTITY_TYPES: dict[str, type[Entity]] = {
    "regions": Region,
    "boroughs": Borough,
    "control_rooms": ControlRoom,
    "cameras": Camera,
    "links": Link,
    "contracts": Contract,
    "evidence_stats": EvidenceStats,
    "cost_items": CostItem,
}
"""Estate tables and the entity each holds, in dependency order."""
