"""Response and request models shared by the pages and their JSON twins.

Every page handler renders one of these models; the ``/api`` twin returns it as
JSON, so the two cannot disagree. Units are in field names (``_km2``, ``_gbp``...).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    """Base: forbids unknown fields in request bodies (clear 422s)."""

    model_config = ConfigDict(extra="forbid")


class EstateRef(Model):
    """Which estate version a response describes."""

    name: str
    version: int
    input_hash: str


class Headline(Model):
    """London-wide headline figures."""

    cameras: int
    council_cameras: int
    tfl_cameras: int
    police_cameras: int
    private_cameras: int
    boroughs: int
    control_rooms: int
    compliant_share: float | None = Field(description="Share of cameras fully compliant [0-1]")


class BoroughRow(Model):
    """One borough's estate summary (see workflows.assess.BOROUGH_SUMMARY_COLUMNS)."""

    gss_code: str
    name: str
    cameras: int
    council_cameras: int
    tfl_cameras: int
    police_cameras: int
    private_cameras: int
    cameras_per_km2: float | None
    cameras_per_1000_residents: float | None
    crimes_per_camera: float | None
    share_analogue: float | None
    median_install_year: float | None


class CoverageRow(Model):
    """Coverage of one area at one detail level (from coverage_summary.csv)."""

    area_type: str
    area_code: str
    area_name: str
    level: str
    covered_km2: float | None
    overlap_km2: float | None
    public_only_km2: float | None
    private_only_km2: float | None
    joint_km2: float | None
    crime_points_share: float | None
    lsoa_crime_share: float | None


class CoverageStatus(Model):
    """Whether coverage has been computed, and its rows for the area asked about."""

    computed: bool
    message: str
    rows: list[CoverageRow]


class Overview(Model):
    """The London overview page."""

    estate: EstateRef
    headline: Headline
    boroughs: list[BoroughRow]
    coverage: CoverageStatus


class RuleResult(Model):
    """One rule's results over an area."""

    rule_id: str
    severity: str
    assessed: int
    passed: int
    failed: int
    unknown: int
    share_passed: float | None


class BoroughCompliance(Model):
    """Compliance of one borough's cameras."""

    standard: str
    cameras: int
    compliant_cameras: int
    share_compliant: float | None
    rules: list[RuleResult]


class BoroughCosts(Model):
    """Value-for-money figures of one borough (from vfm.csv), when computed."""

    annual_cost_gbp: float | None
    revenue_gbp_per_year: float | None
    capital_gbp_per_year: float | None
    cost_per_camera_gbp_per_year: float | None
    detected_incidents_per_year: float | None


class RoomRow(Model):
    """A control room serving the borough's council cameras."""

    control_room_id: str
    cameras: int


class BoroughProfile(Model):
    """The borough profile page: estate, coverage, compliance, costs, options."""

    estate: EstateRef
    borough: BoroughRow
    area_km2: float
    population: int | None
    recorded_crimes_per_year: float | None
    coverage: CoverageStatus
    compliance: BoroughCompliance
    costs: BoroughCosts | None
    control_rooms: list[RoomRow]


class CameraOut(Model):
    """One camera as listed."""

    camera_id: str
    owner_type: str
    operator: str
    borough_code: str
    x_m: float
    y_m: float
    lon_deg: float
    lat_deg: float
    location_text: str | None
    heading_deg: float
    hfov_deg: float
    resolution_h_px: int
    resolution_v_px: int
    codec: str
    fps: float
    signal: str
    install_year: int
    retention_days: int
    control_room_id: str | None
    status: str
    provenance: str


class CameraPage(Model):
    """A page of the filtered camera list."""

    total: int
    page: int
    page_size: int
    items: list[CameraOut]


class BoroughRules(Model):
    """Compliance per borough (row) for the compliance page."""

    gss_code: str
    name: str
    cameras: int
    compliant_cameras: int
    share_compliant: float | None


class ComplianceView(Model):
    """Compliance by rule for London (or the boroughs the user may read)."""

    estate: EstateRef
    standard: str
    rules: list[RuleResult]
    boroughs: list[BoroughRules]


class OptionsRequest(Model):
    """Settings of a control-room consolidation run."""

    room_counts: list[Annotated[int, Field(ge=1, le=40)]] = Field(
        default=[3, 5, 8], min_length=1, max_length=6, description="Numbers of rooms to try."
    )
    max_distance_km: float | None = Field(default=None, gt=0, le=100)
    resilience: bool = False
    time_limit_s: float = Field(default=20.0, gt=0, le=120)


class OptionRow(Model):
    """One consolidation option (or the status quo)."""

    rooms: int
    status: str
    annual_cost_gbp_per_year: float | None
    one_off_gbp: float | None
    npv_gbp: float | None
    payback_year: float | None
    open_rooms: list[str]
    reason: str


class RoomPoint(Model):
    """An open room of an option, for the map."""

    room_id: str
    name: str
    lon_deg: float
    lat_deg: float


class OptionsJob(Model):
    """A control-room run: its state, a status line, and the result when done."""

    id: str
    state: Literal["queued", "running", "done", "failed"]
    message: str
    request: OptionsRequest
    status_quo_annual_gbp_per_year: float | None = None
    options: list[OptionRow] = []
    rooms: dict[str, list[RoomPoint]] = {}


class OptionsView(Model):
    """The options explorer: the demo's stored results and the runs of this server."""

    stored: list[OptionRow]
    jobs: list[OptionsJob]


class ReportFile(Model):
    """A downloadable output of `cctvscope demo`."""

    name: str
    size_bytes: int
    url: str


class ReportsView(Model):
    """The reports page."""

    files: list[ReportFile]
    guide_available: bool


class SearchHit(Model):
    """A camera that could have seen the point."""

    camera_id: str
    level: str
    distance_m: float
    owner_type: str
    operator: str
    borough_code: str | None
    retention_days: float | None
    lon_deg: float
    lat_deg: float


class SearchResult(Model):
    """Cameras that could have seen a point."""

    x_m: float
    y_m: float
    lon_deg: float
    lat_deg: float
    cameras: list[SearchHit]


class FindingOut(Model):
    """One finding of a survey check, located by row and field."""

    severity: str
    row: int | None
    field: str | None
    value: str | None
    reason: str


class SurveyPreview(Model):
    """What a survey upload would import; nothing is saved until it is confirmed."""

    upload_id: str
    filename: str
    borough: str
    cameras_valid: int
    errors: int
    warnings: int
    findings: list[FindingOut]
    can_confirm: bool


class SurveyConfirm(Model):
    """Confirm a previewed upload."""

    upload_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class SurveyResult(Model):
    """A confirmed survey import."""

    estate: EstateRef
    imported: int
    warnings: int


class RegistrationIn(Model):
    """A business's registration of one private camera."""

    lon_deg: float = Field(ge=-0.6, le=0.4, description="Longitude, WGS84 [°]")
    lat_deg: float = Field(ge=51.2, le=51.8, description="Latitude, WGS84 [°]")
    heading_deg: float = Field(ge=0, lt=360)
    hfov_deg: float = Field(gt=0, le=360)
    resolution_h_px: int = Field(ge=160, le=10000)
    resolution_v_px: int = Field(ge=120, le=10000)
    retention_days: int = Field(ge=0, le=3650)
    contact: str = Field(min_length=3, max_length=200)
    consent_contact: bool
    consent_share: bool
    location_text: str = Field(default="", max_length=200)


class RegistrationOut(Model):
    """A stored registration with its camera's location."""

    camera_id: str
    business_id: str
    contact: str
    consent_contact: bool
    consent_share: bool
    verification_status: str
    registered_at: dt.datetime
    lon_deg: float | None
    lat_deg: float | None


class Me(Model):
    """The caller."""

    username: str
    role: str
    boroughs: list[str]
    business_id: str | None


class AuditRow(Model):
    """One audit-log row."""

    id: int
    at: dt.datetime
    username: str | None
    action: str
    target: str
    detail: dict[str, Any]
    ip: str | None


class FeatureCollection(Model):
    """A GeoJSON FeatureCollection in WGS84."""

    model_config = ConfigDict(extra="allow")

    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]]


class ErrorOut(Model):
    """An error body (never a traceback)."""

    detail: str
