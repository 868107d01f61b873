"""Response and request models shared by the pages and their JSON twins.

Every page handler renders one of these models; the ``/api`` twin returns it as
JSON, so the two cannot disagree. Units are in field names (``_km2``, ``_gbp``...).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: Synthetic ids listed in a merge preview.
SHOWN_IDS = 50


class Model(BaseModel):
    """Base: forbids unknown fields in request bodies, and NaN or infinite numbers (JSON
    readers accept ``NaN``, ``Infinity`` and ``1e309``), so both are clear 422s."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class EstateRef(Model):
    """Which estate version a response describes."""

    name: str
    version: int
    input_hash: str


class Headline(Model):
    """Region-wide headline figures."""

    cameras: int
    council_cameras: int
    tfl_cameras: int
    police_cameras: int
    private_cameras: int
    boroughs: int
    control_rooms: int
    compliant_share: float | None = Field(
        description="Share of cameras with no failed rule, unknowns passing [0-1] (upper bound)"
    )
    compliant_share_decided: float | None = Field(
        default=None,
        description="Share compliant among cameras whose every rule could be decided [0-1]",
    )


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


class ConfidenceRow(Model):
    """How far one estate table rests on real data (workflows.confidence)."""

    table: str
    records: int
    real_records: int = Field(description="Records whose provenance is real or imported")
    share_real: float | None = Field(description="real_records / records [0-1]")
    share_real_values: float | None = Field(
        description="Cameras only: share of attribute values real or from the catalogue [0-1]"
    )
    last_returned: str = Field(description="ISO time of the last return ('' when none)")
    label: str = Field(description="confirmed, partly confirmed or provisional")


class Overview(Model):
    """The overview page of the estate's region."""

    estate: EstateRef
    region: str = Field(description="The estate's region, as outputs name it ('London')")
    headline: Headline
    boroughs: list[BoroughRow]
    coverage: CoverageStatus
    confidence: list[ConfidenceRow] = Field(description="Data confidence per table, whole region")


class RuleResult(Model):
    """One rule's results over an area, with what it asks and why."""

    rule_id: str
    severity: str
    assessed: int
    passed: int
    failed: int
    unknown: int
    share_passed: float | None
    title: str = ""
    requires: str = Field(default="", description="What the rule requires, in words")
    rationale: str = Field(default="", description="Why it matters")
    source: str = Field(default="", description="The clause it comes from")


class RuleFailure(Model):
    """A camera that fails a rule, and why."""

    camera_id: str
    borough_code: str | None
    borough: str | None
    owner_type: str | None
    message: str


class RuleFailures(Model):
    """One rule and a page of the cameras (the caller may see) that fail it."""

    rule: RuleResult
    total: int
    page: int
    page_size: int
    items: list[RuleFailure]


class BoroughCompliance(Model):
    """Compliance of one borough's cameras."""

    standard: str
    cameras: int
    compliant_cameras: int
    share_compliant: float | None
    cameras_decided: int = 0
    cameras_unknown: int = 0
    share_real_inputs: float | None = None
    share_compliant_decided: float | None = None
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
    confidence: list[ConfidenceRow] = Field(description="Data confidence per table")
    data_request: str = Field(description="What the borough should still send, and how")


class CameraOut(Model):
    """One camera as listed."""

    camera_id: str
    owner_type: str
    operator: str
    borough_code: str
    borough: str | None = Field(default=None, description="The area's name")
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
    make: str = ""
    model: str = ""
    vms: str = ""
    fault_notes: str = ""
    custodian: str = ""
    last_updated: dt.date | None = None
    ir_range_m: float | None = None


AttributeSourceName = Literal["real", "catalogue", "default", "synthetic", "measured"]


class CameraDetail(CameraOut):
    """One camera with every attribute and where each value comes from."""

    mount_height_m: float
    tilt_deg: float
    ptz: bool
    ptz_max_zoom: float
    sensor_width_mm: float | None
    focal_length_mm: float | None
    onvif_profiles: str = Field(description="';'-separated list")
    export_formats: str = Field(description="';'-separated list")
    time_sync: str
    source: str = Field(description="Source of the record (publisher, file or generator)")
    sources: dict[str, AttributeSourceName] = Field(
        description="Attribute -> real, catalogue, default (assumptions file), synthetic, measured"
    )


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
    cameras: int = Field(description="In-service cameras assessed")
    compliant_cameras: int
    share_compliant: float | None = Field(description="Unknowns pass (upper bound) [0-1]")
    cameras_decided: int = Field(description="Cameras with every rule decided")
    cameras_unknown: int = Field(description="Cameras with a rule unknown (defaulted inputs)")
    share_real_inputs: float | None = Field(
        description="Share of rule inputs neither defaulted nor synthetic [0-1]"
    )
    share_compliant_decided: float | None = Field(
        description="Share compliant among the decided cameras [0-1]"
    )


class ComplianceBasis(Model):
    """How far the compliance figures rest on real inputs, over the area shown."""

    area: str = Field(description="The region (its name), or the codes of the areas shown")
    cameras_assessed: int
    cameras_decided: int
    cameras_unknown: int
    real_records: int
    synthetic_records: int
    share_real_inputs: float | None
    share_compliant: float | None = Field(description="Unknowns pass (upper bound) [0-1]")
    share_compliant_decided: float | None = Field(
        description="Share compliant among the decided cameras [0-1]"
    )


class ComplianceView(Model):
    """Compliance by rule for the region (or the areas the user may read)."""

    estate: EstateRef
    standard: str
    basis: ComplianceBasis
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
    progress: float = Field(default=0.0, description="Share of the run done [0-1]")
    request: OptionsRequest
    status_quo_annual_gbp_per_year: float | None = None
    options: list[OptionRow] = []
    rooms: dict[str, list[RoomPoint]] = {}


class JobStatus(Model):
    """A long action started from the web (a control-room run, a survey import, a
    registration): its state, status line and progress, and its result when done."""

    id: str
    kind: Literal["control_rooms", "survey_import", "registration"]
    state: Literal["queued", "running", "done", "failed"]
    message: str
    progress: float = Field(description="Share done [0-1]")
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str = Field(description="The job's page")
    result: dict[str, Any] | None = Field(
        default=None, description="When done: the action's answer (as its own endpoint gives it)"
    )


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
    operator: str = Field(description="Who holds the footage: the contact for a request")
    borough_code: str | None
    borough: str | None = Field(default=None, description="The area's name")
    retention_days: float | None
    lon_deg: float
    lat_deg: float
    url: str | None = Field(default=None, description="The camera's page (public cameras)")
    retention_ends_at: str | None = Field(
        default=None, description="When footage of the incident time is overwritten (ISO 8601)"
    )
    within_retention: bool | None = Field(
        default=None, description="Footage of the incident time still kept (None: unknown)"
    )


class PlaceOut(Model):
    """A place a search text may mean."""

    label: str
    kind: str
    x_m: float
    y_m: float
    area: str | None = None


class SearchResult(Model):
    """Cameras that could have seen a point."""

    x_m: float
    y_m: float
    lon_deg: float
    lat_deg: float
    place: PlaceOut | None = Field(default=None, description="The place searched for, if by name")
    other_places: list[PlaceOut] = Field(default_factory=list)
    incident_at: str | None = None
    cameras: list[SearchHit]


class FindingOut(Model):
    """One finding of a survey check, located by row and field."""

    severity: str
    row: int | None
    field: str | None
    value: str | None
    reason: str
    count: int = Field(
        default=1, description="Rows it stands for (default-value warnings: one per field)"
    )


class PlanBorough(Model):
    """What an import changes in one borough."""

    borough_code: str
    borough: str
    added: int
    changed: int
    removed: int
    synthetic_replaced: int


class MergePreview(Model):
    """What an import changes in the estate (a replace: the file takes its scope's place)."""

    table: str
    mode: str
    scope: str = Field(description="The records the file speaks for, in words")
    added: int
    changed: int
    removed: int
    unchanged: int
    synthetic_replaced: int = Field(description="Removed records that were synthetic")
    by_borough: list[PlanBorough]
    synthetic_replaced_ids: list[str] = Field(
        description=f"The first {SHOWN_IDS} ids of the synthetic records replaced"
    )
    summary: str


class SurveyPreview(Model):
    """What a survey upload would import; nothing is saved until it is confirmed."""

    upload_id: str
    filename: str
    borough: str
    cameras_valid: int
    errors: int
    warnings: int
    findings: list[FindingOut] = Field(
        description="Errors first; default-value warnings summarised per field; at most "
        "the server's preview_max_findings (all of them: findings_csv)"
    )
    findings_total: int = Field(default=0, description="Findings in all (listed or not)")
    findings_csv: str = Field(default="", description="Where every finding is, as CSV")
    plan: MergePreview | None = Field(
        default=None, description="The merge the confirm would make (None when errors remain)"
    )
    can_confirm: bool


class SurveyConfirm(Model):
    """Confirm a previewed upload."""

    upload_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class SurveyResult(Model):
    """A confirmed survey import."""

    estate: EstateRef
    previous_version: int | None = Field(description="The version the import was based on")
    written: bool = Field(description="False when the file changed nothing")
    imported: int
    warnings: int
    plan: MergePreview


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


class PasswordChange(Model):
    """A password change: the current password, and the new one."""

    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


class AccountChange(Model):
    """What an account change did: the account, whether it is active, sessions ended."""

    username: str
    active: bool
    sessions_ended: int


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
