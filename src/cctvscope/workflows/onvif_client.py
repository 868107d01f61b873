"""Read one camera over ONVIF: a small SOAP client, its stream, and WS-Discovery.

The client speaks the six ONVIF calls a live audit needs over HTTP with the
standard library (``urllib``), signing each request with a WS-Security
UsernameToken digest; envelopes and parsing are the pure
:mod:`cctvscope.ingest.onvif_records`. No WSDL is read and nothing is fetched at
run time. A few seconds of the stream are copied with PyAV (any URI FFmpeg opens:
``rtsp://``, ``http://``, a file) into a temporary file and measured with the
footage-audit metrics of :func:`cctvscope.standards.footage.audit_clip`.

Every failure becomes a :class:`DeviceReading` status, never an exception: one
bad device never stops an audit. Credentials are never put in a message.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cctvscope.ingest import onvif_records as rec
from cctvscope.ingest.onvif_records import DeviceReading, OnvifFaultError, StreamMeasure

Clock = Callable[[], dt.datetime]

#: SOAP 1.2 content type ONVIF devices expect.
_CONTENT_TYPE = "application/soap+xml; charset=utf-8"


def utc_now() -> dt.datetime:
    """The auditing machine's clock (UTC)."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Credential:
    """A username and password for one device; the password never shows in a repr."""

    username: str
    password: str

    def __repr__(self) -> str:
        return f"Credential(username={self.username!r}, password=***)"


@dataclass(frozen=True, slots=True)
class Target:
    """One device to audit: ``host:port`` of its device service, and its inventory id if known.

    ``searched``: the address came from a network sweep or discovery rather than a list, so
    its silence means no device, not a silent camera.
    """

    address: str
    camera_id: str = ""
    searched: bool = False

    @property
    def device_url(self) -> str:
        """The ONVIF device service URL (``http://host:port/onvif/device_service``)."""
        return f"http://{self.address}/onvif/device_service"

    @property
    def host(self) -> str:
        """The host part of the address."""
        return self.address.rsplit(":", 1)[0] if ":" in self.address else self.address


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Bounds of one device's reading."""

    timeout_s: float = 5.0
    stream_seconds: float = 3.0
    snapshot_dir: Path | None = None


class _OfflineError(Exception):
    """No connection or no answer."""


class _Session:
    """One device's SOAP calls, within a deadline."""

    def __init__(
        self, credential: Credential | None, timeout_s: float, clock: Clock, deadline: float
    ) -> None:
        self.credential = credential
        self.timeout_s = timeout_s
        self.clock = clock
        self.deadline = deadline
        # The device's clock minus ours, once read: tokens are dated by the device's clock.
        self.skew = dt.timedelta(0)
        # Some firmware asks for HTTP Digest authentication instead of (or as well as) the
        # WS-Security token: urllib answers the challenge with the same credential.
        self.passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPDigestAuthHandler(self.passwords)
        )

    def call(
        self, url: str, body: str, *, sign: bool = True
    ) -> tuple[ET.Element, dt.datetime, dt.datetime]:
        """POST ``body`` to ``url``; the answer's body element and when it was sent and received."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _OfflineError("per-device timeout reached")
        security = ""
        if self.credential is not None:  # for an HTTP Digest challenge from this address
            self.passwords.add_password(
                None, url, self.credential.username, self.credential.password
            )
        if sign and self.credential is not None:
            security = rec.security_header(
                self.credential.username,
                self.credential.password,
                os.urandom(16),
                self.clock() + self.skew,
            )
        request = urllib.request.Request(
            url, data=rec.envelope(body, security), headers={"Content-Type": _CONTENT_TYPE}
        )
        sent = self.clock()
        try:
            with self.opener.open(request, timeout=min(self.timeout_s, left)) as response:
                payload = response.read(rec.MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            payload = exc.read(rec.MAX_RESPONSE_BYTES + 1)
            if exc.code == 401:
                raise OnvifFaultError(
                    "HTTP 401: credentials refused", not_authorized=True
                ) from None
            if not payload:
                raise OnvifFaultError(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _OfflineError(f"no answer ({reason})") from None
        received = self.clock()
        return rec.parse_body(payload), sent, received


def read_device(
    target: Target,
    credential: Credential | None,
    options: ReadOptions,
    clock: Clock = utc_now,
) -> DeviceReading:
    """Everything ``target`` tells the audit; failures become the reading's status."""
    base = DeviceReading(address=target.address, status="ok", camera_id=target.camera_id)
    session = _Session(
        credential, options.timeout_s, clock, time.monotonic() + 4 * options.timeout_s
    )
    try:
        return _read(session, target, base, options)
    except _OfflineError as exc:
        return replace(base, status="offline", message=str(exc))
    except OnvifFaultError as exc:
        status: rec.ReachStatus = "auth_failed" if exc.not_authorized else "error"
        return replace(base, status=status, message=exc.reason)


def _read(
    session: _Session, target: Target, reading: DeviceReading, options: ReadOptions
) -> DeviceReading:
    url = target.device_url
    # GetSystemDateAndTime needs no credentials (ONVIF Core 5.9.1): it tells whether
    # anything answers, and the clock, before credentials are tried.
    body, sent, received = session.call(url, rec.GET_SYSTEM_DATE_AND_TIME, sign=False)
    clock = rec.parse_system_date_time(body)
    offset = None if clock.utc is None else rec.clock_offset_s(clock.utc, sent, received)
    # Devices refuse a UsernameToken whose Created time is far from their own clock (often
    # by more than a few seconds): a camera whose clock is off must still be readable.
    session.skew = dt.timedelta(seconds=offset or 0.0)
    info = rec.parse_device_information(session.call(url, rec.GET_DEVICE_INFORMATION)[0])
    scopes = rec.parse_scopes(session.call(url, rec.GET_SCOPES)[0])
    caps = rec.parse_capabilities(session.call(url, rec.GET_CAPABILITIES)[0])
    reading = replace(
        reading,
        info=info,
        clock=clock,
        clock_offset_s=offset,
        scopes=scopes,
        onvif_profiles=rec.profiles_from_scopes(scopes),
    )
    if caps.media_xaddr is None:
        return replace(reading, ptz=caps.ptz_xaddr is not None, notes=("no Media service",))
    profiles = rec.parse_media_profiles(session.call(caps.media_xaddr, rec.GET_PROFILES)[0])
    reading = replace(
        reading,
        media_profiles=profiles,
        ptz=caps.ptz_xaddr is not None or any(p.ptz for p in profiles),
    )
    main = reading.main_profile
    if main is None:
        return replace(reading, notes=("no media profile",))
    uri = rec.parse_stream_uri(session.call(caps.media_xaddr, rec.get_stream_uri(main.token))[0])
    reading = replace(reading, stream_uri=without_credential(uri))
    if not uri or options.stream_seconds <= 0:
        return reading
    try:
        stream = measure_stream(
            with_credential(uri, session.credential), options, _snapshot_name(target)
        )
    except StreamError as exc:
        return replace(reading, notes=(*reading.notes, f"stream not measured: {exc}"))
    return replace(reading, stream=stream)


def with_credential(uri: str, credential: Credential | None) -> str:
    """``uri`` with the device's credential as its userinfo, for FFmpeg to authenticate.

    Cameras give stream URIs without credentials and ask for them (RTSP or HTTP
    authentication). A URI that already has userinfo is left as it is. The result
    is only handed to FFmpeg: never stored, shown or logged.
    """
    parts = urllib.parse.urlsplit(uri)
    if credential is None or not parts.hostname or "@" in parts.netloc:
        return uri
    user = urllib.parse.quote(credential.username, safe="")
    secret = urllib.parse.quote(credential.password, safe="")
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:{secret}@{parts.netloc}"))


def without_credential(uri: str) -> str:
    """``uri`` with any userinfo removed (what may be shown and stored)."""
    parts = urllib.parse.urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _snapshot_name(target: Target) -> str:
    name = target.camera_id or target.address
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) + ".jpg"


class StreamError(Exception):
    """The stream could not be opened, copied or measured."""


def _copy_stream(uri: str, seconds: float, timeout_s: float, path: Path) -> None:
    """Copy about ``seconds`` of ``uri``'s first video stream into ``path`` (Matroska)."""
    import av
    import av.error

    try:
        source = av.open(uri, mode="r", timeout=(timeout_s, timeout_s))
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise StreamError(f"cannot open the stream ({type(exc).__name__})") from None
    with source:
        if not source.streams.video:
            raise StreamError("the stream has no video")
        video = source.streams.video[0]
        with av.open(str(path), mode="w", format="matroska") as sink:
            out = sink.add_stream_from_template(video)
            first: Any = None
            try:
                for packet in source.demux(video):
                    if packet.pts is None or packet.dts is None:
                        continue
                    first = packet.pts if first is None else first
                    if float((packet.pts - first) * packet.time_base) >= seconds:
                        break
                    packet.stream = out
                    sink.mux(packet)
            except (av.error.FFmpegError, OSError) as exc:
                raise StreamError(f"stream broke off ({type(exc).__name__})") from None
            if first is None:
                raise StreamError("no video packet arrived")


def _snapshot(clip: Path, path: Path) -> None:
    """The clip's first decodable frame as a JPEG at ``path``."""
    import av
    import cv2

    with av.open(str(clip)) as container:
        for frame in container.decode(video=0):
            cv2.imwrite(str(path), frame.to_ndarray(format="bgr24"))
            return


def measure_stream(uri: str, options: ReadOptions, snapshot_name: str) -> StreamMeasure:
    """A few seconds of ``uri`` measured with the footage metrics (real fps, gaps, picture)."""
    from cctvscope.errors import InputError
    from cctvscope.standards.footage import FootageRequirements, audit_clip

    with tempfile.TemporaryDirectory(prefix="cctvscope-live-") as folder:
        clip = Path(folder) / "stream.mkv"
        _copy_stream(uri, options.stream_seconds, options.timeout_s, clip)
        try:
            audit = audit_clip(
                clip, requirements=FootageRequirements.from_standard(), detect_people=False
            )
        except InputError as exc:
            raise StreamError(str(exc).replace(str(clip), "stream")) from None
        snapshot = ""
        if options.snapshot_dir is not None:
            target = options.snapshot_dir / snapshot_name
            _snapshot(clip, target)
            snapshot = str(target)
    return StreamMeasure(
        uri=without_credential(uri),
        codec=audit.codec,
        width_px=audit.width_px,
        height_px=audit.height_px,
        declared_fps=audit.declared_fps,
        measured_fps=audit.measured_fps,
        duration_s=audit.duration_s,
        frame_count=audit.frame_count,
        gaps=audit.gaps,
        dropped_frames=audit.dropped_frames,
        sharpness_laplacian_var=audit.sharpness_laplacian_var,
        noise_sigma=audit.noise_sigma,
        snapshot=snapshot,
    )


# --- WS-Discovery ---------------------------------------------------------------------------

_WSD_GROUP = ("239.255.255.250", 3702)
_PROBE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl">'
    "<s:Header><a:MessageID>uuid:{id}</a:MessageID>"
    "<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>"
    "<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>"
    "<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body>"
    "</s:Envelope>"
)


def discover(network: str, wait_s: float = 3.0) -> list[Target]:
    """Devices answering a WS-Discovery probe whose address lies in ``network`` (a CIDR).

    The probe goes to the WS-Discovery multicast group on the local segment, from
    the interface whose address lies in ``network`` when there is one; answers from
    outside ``network`` are dropped, so discovery stays on the network the user named.
    """
    net = ipaddress.ip_network(network, strict=False)
    found: dict[str, Target] = {}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP) as sock:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        sock.settimeout(0.5)
        sock.sendto(_PROBE.format(id=uuid.uuid4()).encode(), _WSD_GROUP)
        end = time.monotonic() + wait_s
        while time.monotonic() < end:
            try:
                payload, (host, _port) = sock.recvfrom(65536)
            except TimeoutError:
                continue
            if ipaddress.ip_address(host) not in net:
                continue
            for target in xaddr_targets(payload, net):
                found.setdefault(target.address, target)
    return sorted(found.values(), key=lambda t: t.address)


def xaddr_targets(
    payload: bytes, net: ipaddress.IPv4Network | ipaddress.IPv6Network
) -> list[Target]:
    """Device service addresses (``host:port``) in a ProbeMatch, inside ``net``."""
    try:
        root = ET.fromstring(payload) if b"<!DOCTYPE" not in payload else None
    except ET.ParseError:
        return []
    if root is None:
        return []
    targets: list[Target] = []
    for element in root.iter("{http://schemas.xmlsoap.org/ws/2005/04/discovery}XAddrs"):
        for url in (element.text or "").split():
            address = url.split("//", 1)[-1].split("/", 1)[0]
            host = address.rsplit(":", 1)[0] if ":" in address else address
            try:
                inside = ipaddress.ip_address(host) in net
            except ValueError:
                inside = False
            if inside:
                targets.append(Target(address=address, searched=True))
    return targets


__all__ = [
    "Clock",
    "Credential",
    "ReadOptions",
    "StreamError",
    "Target",
    "discover",
    "measure_stream",
    "read_device",
    "utc_now",
    "with_credential",
    "without_credential",
    "xaddr_targets",
]
