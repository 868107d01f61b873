"""ONVIF SOAP messages and the records read from them: pure builders and parsers.

A live audit (``cctvscope audit-live``) asks each camera a handful of ONVIF
questions (Device service: ``GetSystemDateAndTime``, ``GetDeviceInformation``,
``GetScopes``, ``GetCapabilities``; Media service: ``GetProfiles``,
``GetStreamUri``). This module builds those SOAP 1.2 envelopes, with the
WS-Security UsernameToken password digest ONVIF Core §5.12 requires, and parses
the answers into frozen records. It does no I/O: the workflow
(:mod:`cctvscope.workflows.live_audit`) sends the bytes and hands the answers in.

Answers come from devices on the network, so they are parsed defensively: a size
cap, no DTDs (no entity expansion), and a missing element is ``None`` rather than
an error, since cameras implement the optional parts of ONVIF unevenly.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Literal
from xml.sax.saxutils import escape

from cctvscope.model.enums import Codec, OnvifProfile

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
}
_PASSWORD_DIGEST = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordDigest"
)
_NONCE_ENCODING = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

#: Largest SOAP answer parsed; an ONVIF answer for these calls is a few kB.
MAX_RESPONSE_BYTES = 1 << 20

#: ONVIF scope paths (``onvif://www.onvif.org/Profile/...``) naming each conformance profile.
_PROFILE_SCOPES: dict[str, OnvifProfile] = {
    "streaming": OnvifProfile.S,
    "s": OnvifProfile.S,
    "g": OnvifProfile.G,
    "t": OnvifProfile.T,
    "m": OnvifProfile.M,
    "q": OnvifProfile.Q,
    "c": OnvifProfile.C,
    "a": OnvifProfile.A,
    "d": OnvifProfile.D,
}

#: ONVIF ``tt:VideoEncoding`` (Media 1) and Media 2 encoding names -> the estate's codec.
_ENCODINGS: dict[str, Codec] = {
    "JPEG": Codec.MJPEG,
    "MPEG4": Codec.MPEG4,
    "MP4V-ES": Codec.MPEG4,
    "H264": Codec.H264,
    "H265": Codec.H265,
}

#: How the device keeps its clock (``tt:SetDateTimeType``).
ClockMode = Literal["ntp", "manual"]


class OnvifFaultError(Exception):
    """A SOAP fault, or an answer that is not a SOAP envelope."""

    def __init__(self, reason: str, *, not_authorized: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.not_authorized = not_authorized


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """``GetDeviceInformation``: who made the device and what it runs."""

    manufacturer: str
    model: str
    firmware: str
    serial: str
    hardware_id: str = ""


@dataclass(frozen=True, slots=True)
class DeviceClock:
    """``GetSystemDateAndTime``: the device's UTC time and how it keeps it."""

    utc: dt.datetime | None
    mode: ClockMode | None


@dataclass(frozen=True, slots=True)
class Capabilities:
    """``GetCapabilities``: addresses of the services the audit uses (None: not offered)."""

    media_xaddr: str | None
    ptz_xaddr: str | None


@dataclass(frozen=True, slots=True)
class MediaProfile:
    """One media profile and its video encoder configuration (None fields: not given)."""

    token: str
    name: str
    codec: Codec | None
    encoding: str
    width_px: int | None
    height_px: int | None
    fps: float | None
    bitrate_kbps: int | None
    ptz: bool

    @property
    def pixels(self) -> int:
        """Pixel count of the encoder's resolution (0 when unknown)."""
        return (self.width_px or 0) * (self.height_px or 0)


@dataclass(frozen=True, slots=True)
class StreamMeasure:
    """A few seconds of a camera's stream, measured with the footage-audit metrics."""

    uri: str
    codec: str
    width_px: int
    height_px: int
    declared_fps: float | None
    measured_fps: float | None
    duration_s: float
    frame_count: int
    gaps: tuple[tuple[float, float], ...]
    dropped_frames: int
    sharpness_laplacian_var: float
    noise_sigma: float
    snapshot: str = ""


#: How a device answered: ``ok``; ``offline`` (no connection or no answer);
#: ``auth_failed`` (credentials refused); ``error`` (answered, but not usable ONVIF).
ReachStatus = Literal["ok", "offline", "auth_failed", "error"]


@dataclass(frozen=True, slots=True)
class DeviceReading:
    """Everything one device told the audit, or why it told nothing."""

    address: str
    status: ReachStatus
    message: str = ""
    camera_id: str = ""
    info: DeviceInfo | None = None
    clock: DeviceClock | None = None
    clock_offset_s: float | None = None
    scopes: tuple[str, ...] = ()
    onvif_profiles: tuple[OnvifProfile, ...] = ()
    media_profiles: tuple[MediaProfile, ...] = ()
    ptz: bool | None = None
    stream_uri: str = ""
    stream: StreamMeasure | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def main_profile(self) -> MediaProfile | None:
        """The media profile of the highest resolution: the recorded (main) stream."""
        return max(self.media_profiles, key=lambda p: p.pixels, default=None)

    @property
    def name_scope(self) -> str:
        """The device's ``onvif://www.onvif.org/name/...`` scope (its configured name), or ''."""
        return scope_value(self.scopes, "name")


# --- building requests ----------------------------------------------------------------------


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """WS-Security PasswordDigest: ``Base64(SHA-1(nonce + created + password))``."""
    raw = nonce + created.encode("utf-8") + password.encode("utf-8")
    return base64.b64encode(hashlib.sha1(raw, usedforsecurity=False).digest()).decode("ascii")


def security_header(username: str, password: str, nonce: bytes, created: dt.datetime) -> str:
    """A ``wsse:Security`` header carrying a UsernameToken with a password digest."""
    created_text = created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return (
        f'<wsse:Security xmlns:wsse="{NS["wsse"]}" xmlns:wsu="{NS["wsu"]}">'
        "<wsse:UsernameToken>"
        f"<wsse:Username>{escape(username)}</wsse:Username>"
        f'<wsse:Password Type="{_PASSWORD_DIGEST}">'
        f"{password_digest(nonce, created_text, password)}</wsse:Password>"
        f'<wsse:Nonce EncodingType="{_NONCE_ENCODING}">'
        f"{base64.b64encode(nonce).decode('ascii')}</wsse:Nonce>"
        f"<wsu:Created>{created_text}</wsu:Created>"
        "</wsse:UsernameToken></wsse:Security>"
    )


def envelope(body: str, security: str = "") -> bytes:
    """A SOAP 1.2 envelope around ``body`` (with ``security`` as its header, if given)."""
    header = f"<s:Header>{security}</s:Header>" if security else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{NS["s"]}" '
        f'xmlns:tds="{NS["tds"]}" xmlns:trt="{NS["trt"]}" xmlns:tt="{NS["tt"]}">'
        f"{header}<s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


#: Request bodies of the calls the audit makes.
GET_SYSTEM_DATE_AND_TIME = "<tds:GetSystemDateAndTime/>"
GET_DEVICE_INFORMATION = "<tds:GetDeviceInformation/>"
GET_SCOPES = "<tds:GetScopes/>"
GET_CAPABILITIES = "<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>"
GET_PROFILES = "<trt:GetProfiles/>"


def get_stream_uri(profile_token: str) -> str:
    """``GetStreamUri`` for an RTP-unicast RTSP stream of ``profile_token``."""
    return (
        "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
        "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>"
        f"<trt:ProfileToken>{escape(profile_token)}</trt:ProfileToken></trt:GetStreamUri>"
    )


# --- parsing answers ------------------------------------------------------------------------


def parse_body(payload: bytes) -> ET.Element:
    """The first child of the SOAP body; :class:`OnvifFaultError` for a fault or non-SOAP."""
    if len(payload) > MAX_RESPONSE_BYTES:
        raise OnvifFaultError(f"answer of {len(payload)} bytes is larger than {MAX_RESPONSE_BYTES}")
    if b"<!DOCTYPE" in payload or b"<!ENTITY" in payload:
        raise OnvifFaultError("answer carries a DTD, which ONVIF never does")
    try:
        root = ET.fromstring(payload)
    except ET.ParseError as exc:
        raise OnvifFaultError(f"answer is not XML ({exc})") from None
    body = root.find("s:Body", NS)
    if body is None or len(body) == 0:
        raise OnvifFaultError("answer is not a SOAP 1.2 envelope with a body")
    first = body[0]
    if first.tag == f"{{{NS['s']}}}Fault":
        raise _fault(first)
    return first


def _fault(element: ET.Element) -> OnvifFaultError:
    reason = " ".join(
        (t.text or "").strip() for t in element.iterfind("s:Reason/s:Text", NS)
    ).strip()
    codes = [(v.text or "").strip() for v in element.iter(f"{{{NS['s']}}}Value")]
    not_authorized = any(c.rsplit(":", 1)[-1] == "NotAuthorized" for c in codes)
    return OnvifFaultError(
        reason or ", ".join(codes) or "SOAP fault", not_authorized=not_authorized
    )


def _text(element: ET.Element | None, path: str) -> str:
    found = None if element is None else element.find(path, NS)
    return "" if found is None or found.text is None else found.text.strip()


def _int(element: ET.Element | None, path: str) -> int | None:
    text = _text(element, path)
    try:
        return int(float(text)) if text else None
    except ValueError:
        return None


def parse_device_information(body: ET.Element) -> DeviceInfo:
    """``GetDeviceInformationResponse`` -> :class:`DeviceInfo`."""
    return DeviceInfo(
        manufacturer=_text(body, "tds:Manufacturer"),
        model=_text(body, "tds:Model"),
        firmware=_text(body, "tds:FirmwareVersion"),
        serial=_text(body, "tds:SerialNumber"),
        hardware_id=_text(body, "tds:HardwareId"),
    )


def parse_system_date_time(body: ET.Element) -> DeviceClock:
    """``GetSystemDateAndTimeResponse`` -> the device's UTC time and clock mode."""
    info = body.find("tds:SystemDateAndTime", NS)
    mode_text = _text(info, "tt:DateTimeType").lower()
    mode: ClockMode | None = "ntp" if mode_text == "ntp" else "manual" if mode_text else None
    utc = None if info is None else info.find("tt:UTCDateTime", NS)
    parts = [
        _int(utc, f"tt:{path}")
        for path in (
            "Date/tt:Year",
            "Date/tt:Month",
            "Date/tt:Day",
            "Time/tt:Hour",
            "Time/tt:Minute",
            "Time/tt:Second",
        )
    ]
    when: dt.datetime | None = None
    if all(p is not None for p in parts):
        year, month, day, hour, minute, second = (int(p or 0) for p in parts)
        try:
            when = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
        except ValueError:
            when = None
    return DeviceClock(utc=when, mode=mode)


def parse_scopes(body: ET.Element) -> tuple[str, ...]:
    """``GetScopesResponse`` -> the scope URIs (``onvif://www.onvif.org/...``)."""
    return tuple(
        item.text.strip()
        for item in body.iterfind("tds:Scopes/tt:ScopeItem", NS)
        if item.text and item.text.strip()
    )


def scope_value(scopes: tuple[str, ...], category: str) -> str:
    """The first ``onvif://www.onvif.org/<category>/<value>`` scope's value, or ''."""
    prefix = f"onvif://www.onvif.org/{category}/"
    for scope in scopes:
        if scope.lower().startswith(prefix.lower()):
            return scope[len(prefix) :].strip("/")
    return ""


def profiles_from_scopes(scopes: tuple[str, ...]) -> tuple[OnvifProfile, ...]:
    """Conformance profiles the device claims in its ``Profile/...`` scopes, in enum order."""
    found: set[OnvifProfile] = set()
    for scope in scopes:
        value = scope_value((scope,), "Profile")
        head = value.split("/", 1)[0].lower()
        if head in _PROFILE_SCOPES:
            found.add(_PROFILE_SCOPES[head])
    return tuple(p for p in OnvifProfile if p in found)


def parse_capabilities(body: ET.Element) -> Capabilities:
    """``GetCapabilitiesResponse`` -> the Media and PTZ service addresses."""
    caps = body.find("tds:Capabilities", NS)
    media = _text(caps, "tt:Media/tt:XAddr")
    ptz = _text(caps, "tt:PTZ/tt:XAddr")
    return Capabilities(media_xaddr=media or None, ptz_xaddr=ptz or None)


def _media_profile(element: ET.Element) -> MediaProfile:
    encoder = element.find("tt:VideoEncoderConfiguration", NS)
    encoding = _text(encoder, "tt:Encoding").upper()
    fps_text = _text(encoder, "tt:RateControl/tt:FrameRateLimit")
    try:
        fps = float(fps_text) if fps_text else None
    except ValueError:
        fps = None
    return MediaProfile(
        token=element.get("token", ""),
        name=_text(element, "tt:Name"),
        codec=_ENCODINGS.get(encoding, Codec.OTHER) if encoding else None,
        encoding=encoding,
        width_px=_int(encoder, "tt:Resolution/tt:Width"),
        height_px=_int(encoder, "tt:Resolution/tt:Height"),
        fps=fps if fps and fps > 0 else None,
        bitrate_kbps=_int(encoder, "tt:RateControl/tt:BitrateLimit"),
        ptz=element.find("tt:PTZConfiguration", NS) is not None,
    )


def parse_media_profiles(body: ET.Element) -> tuple[MediaProfile, ...]:
    """``GetProfilesResponse`` -> the media profiles with their encoder configurations."""
    return tuple(_media_profile(p) for p in body.iterfind("trt:Profiles", NS))


def parse_stream_uri(body: ET.Element) -> str:
    """``GetStreamUriResponse`` -> the stream URI ('' when none is given)."""
    return _text(body, "trt:MediaUri/tt:Uri")


#: ONVIF's ``tt:Time`` carries whole seconds: the device's time lies in [t, t + 1 s).
DEVICE_CLOCK_RESOLUTION_S = 1.0


def clock_offset_s(device_utc: dt.datetime, sent: dt.datetime, received: dt.datetime) -> float:
    """Device clock minus the auditing machine's, at the middle of the round trip [s].

    Positive: the device is ahead. The device truncates its time to the second, so
    the middle of that second is taken (without it a perfect clock reads up to 1 s
    behind): the offset is known to ±0.5 s plus half the round trip.
    """
    middle = sent + (received - sent) / 2
    device_mid = device_utc + dt.timedelta(seconds=DEVICE_CLOCK_RESOLUTION_S / 2)
    return round((device_mid - middle).total_seconds(), 3)


__all__ = [
    "GET_CAPABILITIES",
    "GET_DEVICE_INFORMATION",
    "GET_PROFILES",
    "GET_SCOPES",
    "GET_SYSTEM_DATE_AND_TIME",
    "NS",
    "Capabilities",
    "DeviceClock",
    "DeviceInfo",
    "DeviceReading",
    "MediaProfile",
    "OnvifFaultError",
    "ReachStatus",
    "StreamMeasure",
    "clock_offset_s",
    "envelope",
    "get_stream_uri",
    "parse_body",
    "parse_capabilities",
    "parse_device_information",
    "parse_media_profiles",
    "parse_scopes",
    "parse_stream_uri",
    "parse_system_date_time",
    "password_digest",
    "profiles_from_scopes",
    "scope_value",
    "security_header",
]
