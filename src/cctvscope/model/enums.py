"""Controlled vocabularies of the estate model (string enums, stored as their values)."""

from __future__ import annotations

from enum import StrEnum


class OwnerType(StrEnum):
    """Who owns a camera."""

    COUNCIL = "council"
    TFL = "tfl"
    POLICE = "police"
    PRIVATE = "private"


class RoomOperator(StrEnum):
    """Who runs a control room."""

    COUNCIL = "council"
    POLICE = "police"
    TFL = "tfl"
    SHARED = "shared"


class CameraStatus(StrEnum):
    """Operational state of a camera."""

    OPERATIONAL = "operational"
    FAULTY = "faulty"
    DECOMMISSIONED = "decommissioned"
    PLANNED = "planned"


class Provenance(StrEnum):
    """Where a record comes from.

    ``real``: a published source (named in ``source``); ``synthetic``: generated
    by the calibrated synthetic estate; ``imported``: supplied by a user import
    (a borough return or register); ``assumed``: a figure of the assumptions file
    standing in until a return supplies it (cost profiles).
    """

    REAL = "real"
    SYNTHETIC = "synthetic"
    IMPORTED = "imported"
    ASSUMED = "assumed"


class AttributeSource(StrEnum):
    """Where one attribute value of a record comes from.

    ``real``: the source gave it; ``catalogue``: the camera-model catalogue gave
    it for the camera's make and model; ``default``: the assumptions file filled
    it (checks treat it as unknown); ``synthetic``: the synthetic estate
    generated it; ``measured``: read from the device itself.
    """

    REAL = "real"
    CATALOGUE = "catalogue"
    DEFAULT = "default"
    SYNTHETIC = "synthetic"
    MEASURED = "measured"


class ImportMode(StrEnum):
    """How an import meets the records already in its scope.

    ``replace``: records in the scope are removed and the file's records put in
    their place; ``append``: records are added (an id already present is an
    error); ``upsert``: records are matched by id, changed where they differ and
    added where new (the same file twice changes nothing).
    """

    REPLACE = "replace"
    APPEND = "append"
    UPSERT = "upsert"


class Signal(StrEnum):
    """Camera signal chain."""

    ANALOGUE = "analogue"
    IP = "ip"


class Codec(StrEnum):
    """Recording codec."""

    MJPEG = "mjpeg"
    MPEG4 = "mpeg4"
    H264 = "h264"
    H265 = "h265"
    OTHER = "other"


class OnvifProfile(StrEnum):
    """ONVIF conformance profiles a device claims (onvif.org/profiles)."""

    S = "S"
    G = "G"
    T = "T"
    M = "M"
    Q = "Q"
    C = "C"
    A = "A"
    D = "D"


class ExportFormat(StrEnum):
    """Formats a recording system can export footage in."""

    NATIVE = "native"  # proprietary native file, needs the vendor player
    MP4 = "mp4"  # open MP4 container (H.264/H.265)
    AVI = "avi"
    MKV = "mkv"
    ONVIF_EXPORT = "onvif_export"  # ONVIF export file format / IEC 62676-2-32
    STILL = "still"  # still images only


class TimeSync(StrEnum):
    """How a recorder keeps its clock."""

    NONE = "none"
    MANUAL = "manual"
    NTP = "ntp"
    GPS = "gps"


class RetrievalModel(StrEnum):
    """How police obtain footage from a borough (PCD 167 para 1.2)."""

    EMBEDDED_POLICE = "embedded_police"
    OFFICER_ATTENDS = "officer_attends"
    DIGITAL_TRANSFER = "digital_transfer"


class LinkType(StrEnum):
    """Transmission link from camera to control room."""

    FIBRE = "fibre"
    WIRELESS = "wireless"
    LEASED_LINE = "leased_line"
    CELLULAR = "cellular"
    COPPER = "copper"


class ContractCategory(StrEnum):
    """Services a borough buys for its CCTV."""

    MAINTENANCE = "maintenance"
    TRANSMISSION = "transmission"
    EQUIPMENT_SUPPLY = "equipment_supply"
    VMS_SOFTWARE = "vms_software"
    MONITORING_STAFF = "monitoring_staff"
