"""Virtual ONVIF cameras on loopback for the live-audit tests.

Each :class:`VirtualCamera` is a small HTTP server on ``127.0.0.1`` (an ephemeral
port) answering the six ONVIF calls a live audit makes with SOAP 1.2 answers
shaped like those recorded from real devices (ONVIF Core / Media 1 schemas), and
serving a generated H.264 MPEG-TS clip as its stream over HTTP. Credentials are
checked as a device does: the WS-Security password digest is recomputed, and a
mismatch gets the ``ter:NotAuthorized`` fault (HTTP 400). Nothing here touches an
address outside 127.0.0.0/8.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import http.server
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from cctvscope.model import Camera, Estate
from cctvscope.model.frames import records_to_frame, with_points
from cctvscope.store import init_store
from cctvscope.store.repository import save_estate
from tests.store.builders import camera, make_estate

ENV_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:tt="http://www.onvif.org/ver10/schema" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" '
    'xmlns:trt="http://www.onvif.org/ver10/media/wsdl" '
    'xmlns:ter="http://www.onvif.org/ver10/error">'
    "<SOAP-ENV:Body>"
)
ENV_CLOSE = "</SOAP-ENV:Body></SOAP-ENV:Envelope>"

NOT_AUTHORIZED = (
    "<SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Sender</SOAP-ENV:Value>"
    "<SOAP-ENV:Subcode><SOAP-ENV:Value>ter:NotAuthorized</SOAP-ENV:Value></SOAP-ENV:Subcode>"
    '</SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en">Sender not Authorized'
    "</SOAP-ENV:Text></SOAP-ENV:Reason></SOAP-ENV:Fault>"
)

MAX_TOKEN_SKEW_S = 5.0
"""How far a UsernameToken's Created time may be from the device's clock."""

FIXED_NOW = dt.datetime(2026, 12, 4, 10, 0, 0, tzinfo=dt.UTC)
"""The auditing machine's clock in the tests: the cameras' clocks are set against it."""


@dataclass
class VirtualCamera:
    """What one virtual camera says about itself."""

    name: str
    manufacturer: str = "Axis"
    model: str = "P3245-LV"
    width_px: int = 1280
    height_px: int = 720
    fps: float = 25.0
    encoding: str = "H264"
    bitrate_kbps: int = 4096
    clock_offset_s: float = 0.0
    clock_mode: str = "NTP"
    profiles: tuple[str, ...] = ("Streaming", "G", "T")
    ptz: bool = False
    username: str = "auditor"
    password: str = "s3cret-pass"
    stream: bool = True
    delay_s: float = 0.0
    http_digest: bool = False
    onvif: bool = True
    now: Callable[[], dt.datetime] = field(default=lambda: FIXED_NOW)
    port: int = 0
    clip: Path | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


def write_ts_clip(path: Path, width: int, height: int, fps: int, seconds: float = 2.0) -> Path:
    """An H.264 MPEG-TS clip of a moving textured scene (a streamable container)."""
    rng = np.random.default_rng(5)
    # Blurred noise: texture with edges, like a street scene, not pure noise.
    noise = rng.integers(0, 255, (height + 64, width + 64)).astype(np.float32)
    base = np.clip(cv2.GaussianBlur(noise, (0, 0), 2.0) * 3 - 255, 0, 255).astype(np.uint8)
    with av.open(str(path), "w", format="mpegts") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "18"}
        for i in range(round(seconds * fps)):
            gray = base[i % 64 : i % 64 + height, 0:width]
            frame = av.VideoFrame.from_ndarray(np.dstack([gray] * 3), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _authorised(cam: VirtualCamera, body: str) -> bool:
    found = {
        key: re.search(rf"<(?:\w+:)?{key}[^>]*>([^<]*)</", body)
        for key in ("Username", "Password", "Nonce", "Created")
    }
    if any(m is None for m in found.values()):
        return False
    user, digest, nonce, created = (m.group(1) for m in found.values() if m is not None)
    raw = base64.b64decode(nonce) + created.encode() + cam.password.encode()
    expected = base64.b64encode(hashlib.sha1(raw).digest()).decode()
    # As devices do: a token dated more than MAX_TOKEN_SKEW_S from the device's own clock
    # is refused (replay protection), so a client must date it by the device's clock.
    own = cam.now() + dt.timedelta(seconds=cam.clock_offset_s)
    when = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    fresh = abs((when - own).total_seconds()) <= MAX_TOKEN_SKEW_S
    return user == cam.username and digest == expected and fresh


DIGEST_REALM = "virtual-camera"
DIGEST_NONCE = "4f2a9c"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _digest_ok(cam: VirtualCamera, method: str, header: str) -> bool:
    """RFC 7616 Digest (MD5, qop=auth) as a camera checks it."""
    if not header.startswith("Digest "):
        return False
    fields = dict(re.findall(r'(\w+)="?([^",]*)"?', header[len("Digest ") :]))
    ha1 = _md5(f"{cam.username}:{DIGEST_REALM}:{cam.password}")
    ha2 = _md5(f"{method}:{fields.get('uri', '')}")
    expected = _md5(
        f"{ha1}:{DIGEST_NONCE}:{fields.get('nc', '')}:{fields.get('cnonce', '')}:auth:{ha2}"
    )
    return fields.get("username") == cam.username and fields.get("response") == expected


def _answer(cam: VirtualCamera, operation: str) -> str:
    base = f"http://{cam.address}"
    if operation == "GetSystemDateAndTime":
        t = cam.now() + dt.timedelta(seconds=cam.clock_offset_s)
        return (
            "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
            f"<tt:DateTimeType>{cam.clock_mode}</tt:DateTimeType>"
            "<tt:DaylightSavings>false</tt:DaylightSavings>"
            "<tt:TimeZone><tt:TZ>GMT0BST,M3.5.0/1,M10.5.0</tt:TZ></tt:TimeZone>"
            f"<tt:UTCDateTime><tt:Time><tt:Hour>{t.hour}</tt:Hour><tt:Minute>{t.minute}"
            f"</tt:Minute><tt:Second>{t.second}</tt:Second></tt:Time><tt:Date><tt:Year>{t.year}"
            f"</tt:Year><tt:Month>{t.month}</tt:Month><tt:Day>{t.day}</tt:Day></tt:Date>"
            "</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
        )
    if operation == "GetDeviceInformation":
        return (
            f"<tds:GetDeviceInformationResponse><tds:Manufacturer>{cam.manufacturer}"
            f"</tds:Manufacturer><tds:Model>{cam.model}</tds:Model>"
            "<tds:FirmwareVersion>10.12.114</tds:FirmwareVersion>"
            f"<tds:SerialNumber>SN-{cam.name}</tds:SerialNumber>"
            "<tds:HardwareId>7F1</tds:HardwareId></tds:GetDeviceInformationResponse>"
        )
    if operation == "GetScopes":
        scopes = [f"onvif://www.onvif.org/Profile/{p}" for p in cam.profiles]
        scopes += [
            f"onvif://www.onvif.org/name/{cam.name}",
            "onvif://www.onvif.org/type/video_encoder",
            "onvif://www.onvif.org/location/country/uk",
        ]
        items = "".join(
            f"<tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>{s}</tt:ScopeItem>"
            "</tds:Scopes>"
            for s in scopes
        )
        return f"<tds:GetScopesResponse>{items}</tds:GetScopesResponse>"
    if operation == "GetCapabilities":
        ptz = f"<tt:PTZ><tt:XAddr>{base}/onvif/ptz_service</tt:XAddr></tt:PTZ>" if cam.ptz else ""
        return (
            "<tds:GetCapabilitiesResponse><tds:Capabilities>"
            f"<tt:Device><tt:XAddr>{base}/onvif/device_service</tt:XAddr></tt:Device>"
            f"<tt:Media><tt:XAddr>{base}/onvif/media_service</tt:XAddr>"
            "<tt:StreamingCapabilities><tt:RTP_TCP>true</tt:RTP_TCP></tt:StreamingCapabilities>"
            f"</tt:Media>{ptz}</tds:Capabilities></tds:GetCapabilitiesResponse>"
        )
    if operation == "GetProfiles":
        sub_w, sub_h = 640, 360
        return (
            "<trt:GetProfilesResponse>"
            + _profile("profile_1", "main", cam.encoding, cam.width_px, cam.height_px, cam.fps,
                       cam.bitrate_kbps, cam.ptz)
            + _profile("profile_2", "sub", cam.encoding, sub_w, sub_h, cam.fps, 512, cam.ptz)
            + "</trt:GetProfilesResponse>"
        )  # fmt: skip
    if operation == "GetStreamUri":
        uri = f"{base}/stream.ts" if cam.stream else ""
        return (
            f"<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>{uri}</tt:Uri>"
            "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
            "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout>"
            "</trt:MediaUri></trt:GetStreamUriResponse>"
        )
    raise KeyError(operation)


def _profile(
    token: str, name: str, encoding: str, w: int, h: int, fps: float, kbps: int, ptz: bool
) -> str:
    ptz_xml = (
        '<tt:PTZConfiguration token="ptz0"><tt:Name>ptz</tt:Name></tt:PTZConfiguration>'
        if ptz
        else ""
    )
    return (
        f'<trt:Profiles token="{token}" fixed="true"><tt:Name>{name}</tt:Name>'
        f'<tt:VideoEncoderConfiguration token="enc_{token}"><tt:Name>{name}</tt:Name>'
        f"<tt:UseCount>1</tt:UseCount><tt:Encoding>{encoding}</tt:Encoding>"
        f"<tt:Resolution><tt:Width>{w}</tt:Width><tt:Height>{h}</tt:Height></tt:Resolution>"
        "<tt:Quality>70</tt:Quality><tt:RateControl>"
        f"<tt:FrameRateLimit>{fps:g}</tt:FrameRateLimit><tt:EncodingInterval>1"
        f"</tt:EncodingInterval><tt:BitrateLimit>{kbps}</tt:BitrateLimit></tt:RateControl>"
        f"</tt:VideoEncoderConfiguration>{ptz_xml}</trt:Profiles>"
    )


class _Handler(http.server.BaseHTTPRequestHandler):
    camera: VirtualCamera

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read results, not logs."""

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        # The auditor may have given up on a slow answer (its timeout): not an error here.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._write(status, payload, content_type)

    def _write(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        cam = self.camera
        expected = base64.b64encode(f"{cam.username}:{cam.password}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            # As a camera does: the stream needs the device's credentials too.
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="camera"')
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/stream.ts" and cam.clip is not None:
            self._send(200, cam.clip.read_bytes(), "video/mp2t")
        else:
            self._send(404, b"", "text/plain")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if self.camera.delay_s:
            time.sleep(self.camera.delay_s)  # a slow device: what the timeouts are for
        if not self.camera.onvif:  # a web server that is not a camera
            self._send(404, b"<html><body>Not Found</body></html>", "text/html")
            return
        match = re.search(r"<s:Body><\w+:(\w+)", body)
        operation = match.group(1) if match else ""
        soap = "application/soap+xml; charset=utf-8"
        authorization = self.headers.get("Authorization", "")
        if (
            self.camera.http_digest
            and operation != "GetSystemDateAndTime"
            and not _digest_ok(self.camera, "POST", authorization)
        ):
            self.send_response(401)
            self.send_header(
                "WWW-Authenticate",
                f'Digest realm="{DIGEST_REALM}", nonce="{DIGEST_NONCE}", qop="auth", algorithm=MD5',
            )
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if operation != "GetSystemDateAndTime" and not _authorised(self.camera, body):
            self._send(400, (ENV_OPEN + NOT_AUTHORIZED + ENV_CLOSE).encode(), soap)
            return
        try:
            answer = _answer(self.camera, operation)
        except KeyError:
            self._send(400, b"", "text/plain")
            return
        self._send(200, (ENV_OPEN + answer + ENV_CLOSE).encode(), soap)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(cameras: list[VirtualCamera], folder: Path) -> Iterator[list[VirtualCamera]]:
    """Start one loopback server per camera (clips written to ``folder``); stop them after."""
    servers = []
    try:
        for cam in cameras:
            if cam.stream:
                cam.clip = write_ts_clip(
                    folder / f"{cam.name}.ts", cam.width_px, cam.height_px, round(cam.fps)
                )
            handler = type("Handler", (_Handler,), {"camera": cam})
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            server.daemon_threads = True
            cam.port = int(server.server_address[1])
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
        yield cameras
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


PASSWORD = "s3cret-pass"
"""The credential every virtual camera takes, except CAM-E's."""


def inventory_estate() -> Estate:
    """Estate ``borough``: six cameras CAM-A..F, as the inventory lists them."""
    base = make_estate("borough")
    cameras = [
        camera(
            "CAM-A", 0, 10, 10, resolution_h_px=1280, resolution_v_px=720,
            onvif_profiles=("S", "G", "T"), make="Axis", model="P1465-LE",
            defaulted_fields=("hfov_deg",), provenance="imported",
        ),
        camera("CAM-B", 0, 20, 20, onvif_profiles=("S",), provenance="imported"),
        camera(
            "CAM-C", 0, 30, 30, resolution_h_px=704, resolution_v_px=576, onvif_profiles=("S", "G"),
            provenance="imported",
        ),
        camera("CAM-D", 1, 10, 10, provenance="imported"),
        camera("CAM-E", 1, 20, 20, provenance="imported"),
        camera("CAM-F", 2, 10, 10, provenance="imported"),
    ]  # fmt: skip
    return base.replace_tables(
        cameras=with_points(records_to_frame(Camera, cameras)), links=base.links.iloc[0:0]
    )


def virtual_fleet(now: Callable[[], dt.datetime] = lambda: FIXED_NOW) -> list[VirtualCamera]:
    """The cameras on the (loopback) network; CAM-D is listed but has no server (offline)."""
    return [
        VirtualCamera("CAM-A", model="P1465-LE", now=now),
        VirtualCamera("CAM-B", width_px=704, height_px=576, profiles=("Streaming",), now=now),
        VirtualCamera(
            "CAM-C", width_px=352, height_px=288, clock_offset_s=90, clock_mode="Manual",
            profiles=("Streaming", "G"), now=now,
        ),
        VirtualCamera("CAM-E", password="another-password", now=now),
        VirtualCamera(
            "ROGUE-1", manufacturer="Hikvision", model="DS-2CD2043G2-IU", width_px=640,
            height_px=480, encoding="JPEG", profiles=("Streaming",), stream=False, now=now,
        ),
    ]  # fmt: skip


@contextlib.contextmanager
def virtual_estate(
    folder: Path, now: Callable[[], dt.datetime] = lambda: FIXED_NOW
) -> Iterator[tuple[str, Path, Path]]:
    """A store with estate ``borough`` and its cameras serving on loopback.

    Yields the store URL, a targets file (CAM-A..E with their ids; ROGUE-1 without
    one) and a credentials file (``*``: auditor / :data:`PASSWORD`).
    """
    url = f"sqlite:///{folder / 'store.db'}"
    init_store(url)
    save_estate(url, inventory_estate())
    with serving(virtual_fleet(now), folder) as running:
        by_name = {c.name: c for c in running}
        rows = [f"{by_name[n].address},{n}" for n in ("CAM-A", "CAM-B", "CAM-C", "CAM-E")]
        rows += [f"127.0.0.1:{closed_port()},CAM-D", f"{by_name['ROGUE-1'].address},"]
        targets = folder / "targets.csv"
        targets.write_text("address,camera_id\n" + "\n".join(rows) + "\n", encoding="utf-8")
        creds = folder / "credentials.csv"
        creds.write_text(f"host,username,password\n*,auditor,{PASSWORD}\n", encoding="utf-8")
        yield url, targets, creds


def main(argv: list[str]) -> None:
    """``python -m tests.workflows.onvif_cameras DIR``: serve the virtual estate until Ctrl-C.

    The cameras' clocks follow the machine's (CAM-C's runs 90 s ahead), so that
    ``cctvscope audit-live`` can be run against them by hand (docs/live-audit.md).
    """
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    with virtual_estate(folder, now=lambda: dt.datetime.now(dt.UTC)) as (url, targets, creds):
        print(f"store {url}\ntargets {targets}\ncredentials {creds}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])

__all__ = [
    "FIXED_NOW",
    "PASSWORD",
    "VirtualCamera",
    "closed_port",
    "inventory_estate",
    "serving",
    "virtual_estate",
    "virtual_fleet",
    "write_ts_clip",
]
