"""ONVIF envelopes and answers: the digest, faults, scopes, clocks and profiles, by hand."""

from __future__ import annotations

import base64
import datetime as dt
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from cctvscope.ingest import onvif_records as rec
from cctvscope.ingest.onvif_reconcile import apply_measurements, measured_values, reconcile
from cctvscope.ingest.onvif_records import DeviceReading, MediaProfile, OnvifFaultError
from cctvscope.model import Camera
from cctvscope.model.enums import Codec, OnvifProfile
from cctvscope.model.frames import frame_to_records, records_to_frame
from cctvscope.model.provenance import attribute_sources, share_real_values
from tests.conftest import make_camera

SOAP = '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ' \
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" ' \
    'xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body>{}</s:Body></s:Envelope>'  # fmt: skip


def test_password_digest_matches_the_onvif_programmers_guide() -> None:
    # ONVIF Application Programmer's Guide §6.1.1.3: nonce, created and password -> digest.
    nonce = base64.b64decode("LKqI6G/AikKCQrN0zqZFlg==")
    digest = rec.password_digest(nonce, "2010-09-16T07:50:45Z", "userpassword")
    assert digest == "tuOSpGlFlIXsozq4HFNeeGeFLEI="


def test_security_header_escapes_and_carries_the_digest() -> None:
    created = dt.datetime(2010, 9, 16, 7, 50, 45, tzinfo=dt.UTC)
    nonce = base64.b64decode("LKqI6G/AikKCQrN0zqZFlg==")
    header = rec.security_header("a<b", "userpassword", nonce, created)
    root = ET.fromstring(header)
    ns = {"wsse": rec.NS["wsse"], "wsu": rec.NS["wsu"]}
    assert root.findtext("wsse:UsernameToken/wsse:Username", namespaces=ns) == "a<b"
    assert root.findtext("wsse:UsernameToken/wsu:Created", namespaces=ns) == (
        "2010-09-16T07:50:45.000Z"
    )
    # The digest is over the Created text as sent (with milliseconds).
    expected = rec.password_digest(nonce, "2010-09-16T07:50:45.000Z", "userpassword")
    assert root.findtext("wsse:UsernameToken/wsse:Password", namespaces=ns) == expected
    assert "userpassword" not in header


def test_faults_and_hostile_answers() -> None:
    fault = SOAP.format(
        "<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized"
        "</s:Value></s:Subcode></s:Code><s:Reason><s:Text>Sender not Authorized</s:Text>"
        "</s:Reason></s:Fault>"
    )
    with pytest.raises(OnvifFaultError) as caught:
        rec.parse_body(fault.encode())
    assert caught.value.not_authorized and caught.value.reason == "Sender not Authorized"
    with pytest.raises(OnvifFaultError, match="DTD"):
        rec.parse_body(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    with pytest.raises(OnvifFaultError, match="not XML"):
        rec.parse_body(b"<html>")
    with pytest.raises(OnvifFaultError, match="larger than"):
        rec.parse_body(b" " * (rec.MAX_RESPONSE_BYTES + 1))


def test_clock_and_offset() -> None:
    body = rec.parse_body(
        SOAP.format(
            "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
            "<tt:DateTimeType>Manual</tt:DateTimeType><tt:UTCDateTime><tt:Time><tt:Hour>9"
            "</tt:Hour><tt:Minute>59</tt:Minute><tt:Second>30</tt:Second></tt:Time><tt:Date>"
            "<tt:Year>2026</tt:Year><tt:Month>12</tt:Month><tt:Day>4</tt:Day></tt:Date>"
            "</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
        ).encode()
    )
    clock = rec.parse_system_date_time(body)
    assert clock.mode == "manual"
    assert clock.utc == dt.datetime(2026, 12, 4, 9, 59, 30, tzinfo=dt.UTC)
    sent = dt.datetime(2026, 12, 4, 10, 0, 0, tzinfo=dt.UTC)
    # Round trip 10:00:00 -> 10:00:02: middle 10:00:01; the device said 9:59:30 in whole
    # seconds, i.e. some time in 9:59:30-9:59:31, taken as 9:59:30.5 -> 30.5 s behind.
    assert rec.clock_offset_s(clock.utc, sent, sent + dt.timedelta(seconds=2)) == -30.5


def test_profiles_from_scopes() -> None:
    scopes = (
        "onvif://www.onvif.org/Profile/Streaming",
        "onvif://www.onvif.org/Profile/T",
        "onvif://www.onvif.org/Profile/Q/Operational",
        "onvif://www.onvif.org/name/CAM-7",
        "onvif://www.onvif.org/hardware/Profile",
    )
    assert rec.profiles_from_scopes(scopes) == (OnvifProfile.S, OnvifProfile.T, OnvifProfile.Q)
    assert rec.scope_value(scopes, "name") == "CAM-7"


def _reading(**kw: object) -> DeviceReading:
    main = MediaProfile("p1", "main", Codec.H264, "H264", 704, 576, 12.5, 2048, ptz=False)
    sub = MediaProfile("p2", "sub", Codec.H264, "H264", 352, 288, 12.5, 512, ptz=False)
    fields: dict[str, object] = {
        "address": "127.0.0.1:8000",
        "status": "ok",
        "camera_id": "c1",
        "media_profiles": (sub, main),
        "scopes": ("onvif://www.onvif.org/Profile/Streaming",),
        "onvif_profiles": (OnvifProfile.S,),
        "ptz": False,
    }
    fields.update(kw)
    return DeviceReading(**fields)  # type: ignore[arg-type]


def test_measured_values_take_the_main_stream() -> None:
    values = measured_values(_reading())
    assert (values["resolution_h_px"], values["resolution_v_px"]) == (704, 576)
    assert values["fps"] == 12.5 and values["codec"] == "h264" and values["onvif_profiles"] == "S"
    assert measured_values(_reading(status="offline")) == {}


def test_apply_writes_measured_provenance_and_fixes_zoom() -> None:
    cams = records_to_frame(
        Camera,
        [
            make_camera("c1", ptz=True, ptz_max_zoom=30.0, provenance="imported",
                        defaulted_fields=("fps", "hfov_deg")),
            make_camera("c2", provenance="imported"),
        ],
    )  # fmt: skip
    result = reconcile([_reading()], cams)
    at = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
    out, written = apply_measurements(cams, result, at, {"c1": {"hfov_deg": 92.0}})
    row = out.iloc[0]
    assert row["ptz"] == False and row["ptz_max_zoom"] == 1.0  # noqa: E712
    assert "fps" not in row["defaulted_fields"] and "hfov_deg" in row["catalogue_fields"]
    assert row["hfov_deg"] == 92.0 and row["measured_at"] == "2026-12-04T10:00:00+00:00"
    sources = attribute_sources(out).set_index("camera_id")
    assert sources.loc["c1", "fps"] == "measured" and sources.loc["c2", "fps"] == "real"
    assert sources.loc["c1", "hfov_deg"] == "catalogue"
    assert set(written["c1"]) >= {"fps", "resolution_h_px", "ptz_max_zoom", "hfov_deg"}
    # The table stays valid: a fixed camera with zoom 1, the measured lists as tuples.
    records = frame_to_records(Camera, out)
    assert records[0].measured_fields == tuple(sorted(written["c1"][:-1]))


def test_measured_counts_as_real_in_shares() -> None:
    cams = pd.DataFrame(
        {
            "camera_id": ["a", "b"],
            "provenance": ["synthetic", "synthetic"],
            "defaulted_fields": ["", ""],
            "measured_fields": ["fps", ""],
        }
    )
    # a: fps measured (real), b: synthetic -> half the values are real.
    assert share_real_values(cams, ("fps",)) == 0.5


def test_two_devices_claiming_one_record_are_not_both_trusted() -> None:
    cams = records_to_frame(Camera, [make_camera("c1"), make_camera("c2")])
    first = _reading(address="127.0.0.1:1")
    second = _reading(address="127.0.0.1:2")  # the same camera id in the targets file
    result = reconcile([first, second], cams)
    assert [d.status for d in result.devices] == ["matched", "unknown"]
    assert result.devices[1].note == "c1 already matched by 127.0.0.1:1"
    assert result.not_audited == ("c2",)
