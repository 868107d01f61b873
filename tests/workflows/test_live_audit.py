"""Live ONVIF audit against virtual cameras on loopback (tests/workflows/onvif_cameras.py).

The estate ``borough`` lists six cameras; the network (loopback servers) holds:

============  ===========  ============  ======  =====  ============  ========  ============
camera        inventory    camera says   clock   sync   profiles      creds     expected
============  ===========  ============  ======  =====  ============  ========  ============
CAM-A         1280x720     1280x720 H264  0 s    NTP    S, G, T       right     matched, all pass
CAM-B         1920x1080    704x576 H264   0 s    NTP    S             right     matched, 2 diffs
CAM-C         704x576      352x288 H264  +90 s   Manual S, G          right     TS-01, IQ-03 fail
CAM-D         listed       (port closed)  -      -      -             -         offline
CAM-E         listed       answers        -      -      -             wrong     auth_failed
ROGUE-1       not listed   640x480 MJPEG  0 s    NTP    S             right     unknown
CAM-F         listed       not a target   -      -      -             -         not audited
============  ===========  ============  ======  =====  ============  ========  ============

Every address is 127.0.0.1; the auditing clock is fixed, so offsets are exact.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import cv2
import pytest
import sqlalchemy as sa

from cctvscope.errors import InputError
from cctvscope.ingest.catalogue import read_camera_catalogue, resolve_camera_model
from cctvscope.model.provenance import attribute_sources
from cctvscope.store.repository import load_estate
from cctvscope.workflows.live_audit import (
    Credentials,
    LiveAuditOutcome,
    LiveAuditRequest,
    read_all,
    read_credentials,
    read_targets,
    run_live_audit,
    stream_table,
    verdict_table,
)
from cctvscope.workflows.onvif_client import (
    Credential,
    ReadOptions,
    StreamError,
    Target,
    measure_stream,
    read_device,
    with_credential,
    without_credential,
    xaddr_targets,
)
from tests.workflows.onvif_cameras import (
    FIXED_NOW,
    PASSWORD,
    VirtualCamera,
    closed_port,
    serving,
    virtual_estate,
)


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[LiveAuditOutcome, str, Path]:
    """One audit run (with --apply) against the virtual cameras; shared by the tests below."""
    folder = tmp_path_factory.mktemp("live")
    with virtual_estate(folder) as (url, targets_file, creds_file):
        request = LiveAuditRequest(
            targets=read_targets(str(targets_file)),
            credentials=read_credentials(creds_file, {}),
            timeout_s=5.0,
            concurrency=3,
            stream_seconds=1.0,
            snapshot_dir=folder,
            apply=True,
            username="tester",
        )
        outcome = run_live_audit(url, "borough", request, clock=lambda: FIXED_NOW)
    return outcome, url, folder


def _device(outcome: LiveAuditOutcome, camera_id: str):  # type: ignore[no-untyped-def]
    return next(d for d in outcome.reconciliation.devices if d.camera_id == camera_id)


def test_each_device_is_sorted_against_the_inventory(audit) -> None:  # type: ignore[no-untyped-def]
    outcome, _, _ = audit
    status = {d.camera_id or d.reading.address: d.status for d in outcome.reconciliation.devices}
    assert status["CAM-A"] == status["CAM-B"] == status["CAM-C"] == "matched"
    assert status["CAM-D"] == "offline"
    assert status["CAM-E"] == "auth_failed"
    rogue = next(d for d in outcome.reconciliation.devices if d.reading.camera_id == "")
    assert rogue.status == "unknown" and rogue.reading.name_scope == "ROGUE-1"
    assert outcome.reconciliation.not_audited == ("CAM-F",)


def test_device_facts_and_clock_offset(audit) -> None:  # type: ignore[no-untyped-def]
    outcome, _, _ = audit
    a, c = _device(outcome, "CAM-A").reading, _device(outcome, "CAM-C").reading
    assert a.info is not None and (a.info.manufacturer, a.info.model) == ("Axis", "P1465-LE")
    assert a.info.serial == "SN-CAM-A" and a.info.firmware == "10.12.114"
    # The fixture's clock is the auditor's plus the set offset, to the second.
    # Its answer is in whole seconds, whose middle is taken: +0.5 s.
    assert a.clock_offset_s == 0.5 and c.clock_offset_s == 90.5
    assert [p.value for p in a.onvif_profiles] == ["S", "G", "T"]
    main = a.main_profile
    assert main is not None and (main.width_px, main.height_px, main.fps) == (1280, 720, 25.0)
    assert main.bitrate_kbps == 4096 and len(a.media_profiles) == 2


def test_stream_measured_with_footage_metrics(audit) -> None:  # type: ignore[no-untyped-def]
    outcome, _, _ = audit
    expected = {"CAM-A": (1280, 720), "CAM-B": (704, 576), "CAM-C": (352, 288)}
    for camera_id, (w, h) in expected.items():
        stream = _device(outcome, camera_id).reading.stream
        assert stream is not None, camera_id
        assert (stream.width_px, stream.height_px, stream.codec) == (w, h, "h264")
        # 1 s of a 25 fps clip: frames 0..24, (25 - 1) frames over 24/25 s = 25 fps, no gap.
        assert stream.frame_count == 25 and stream.measured_fps == pytest.approx(25.0)
        assert stream.gaps == ()
        snapshot = cv2.imread(stream.snapshot)
        assert snapshot.shape[:2] == (h, w)
    rogue = next(d for d in outcome.reconciliation.devices if d.status == "unknown")
    assert rogue.reading.stream is None and rogue.measured["codec"] == "mjpeg"


def test_differences_name_inventory_and_measured_values(audit) -> None:  # type: ignore[no-untyped-def]
    outcome, _, _ = audit
    assert _device(outcome, "CAM-A").differences == ()
    b = {d.attribute: (d.inventory, d.measured) for d in _device(outcome, "CAM-B").differences}
    assert b == {
        "make": ("", "Axis"),
        "model": ("", "P3245-LV"),
        "resolution_h_px": ("1920", "704"),
        "resolution_v_px": ("1080", "576"),
    }
    c = {d.attribute: (d.inventory, d.measured) for d in _device(outcome, "CAM-C").differences}
    assert c["resolution_h_px"] == ("704", "352") and c["time_sync"] == ("ntp", "manual")
    row = outcome.table.set_index("camera_id").loc["CAM-B"]
    assert row["resolution"] == "704x576" and "resolution_h_px: 1920 → 704" in row["differences"]


def test_rules_judged_on_measured_values(audit) -> None:  # type: ignore[no-untyped-def]
    outcome, _, _ = audit
    table = verdict_table(outcome).set_index("camera_id")
    assert set(table.loc["CAM-A", ["TS-01", "IQ-02", "IQ-03", "IO-01", "IO-02", "IO-03"]]) == {
        "pass"
    }
    assert table.loc["CAM-B", "IO-02"] == "fail" and table.loc["CAM-B", "IQ-03"] == "pass"
    assert table.loc["CAM-C", "TS-01"] == "fail" and table.loc["CAM-C", "IQ-03"] == "fail"
    ts01 = next(v for v in outcome.verdicts[_device(outcome, "CAM-C").reading.address]
                if v.rule_id == "TS-01")  # fmt: skip
    assert "+90.5 s exceeds ±1 s" in ts01.message and "manual" in ts01.message
    assert "CAM-D" not in table.index and "CAM-E" not in table.index


def test_apply_saves_measured_provenance(audit) -> None:  # type: ignore[no-untyped-def]
    outcome, url, _ = audit
    assert outcome.saved_version == 2
    cams = load_estate(url, "borough").cameras.set_index("camera_id", drop=False)
    assert (cams.loc["CAM-B", "resolution_h_px"], cams.loc["CAM-B", "resolution_v_px"]) == (
        704,
        576,
    )
    assert cams.loc["CAM-C", "time_sync"] == "manual"
    assert cams.loc["CAM-B", "measured_at"] == "2026-12-04T10:00:00+00:00"
    sources = attribute_sources(cams.reset_index(drop=True)).set_index("camera_id")
    assert sources.loc["CAM-B", "resolution_h_px"] == "measured"
    assert sources.loc["CAM-D", "resolution_h_px"] == "real"  # offline: left as it was
    assert cams.loc["CAM-D", "measured_fields"] == ""
    # The catalogue gives CAM-A's defaulted field of view for the measured make and model.
    match = resolve_camera_model(read_camera_catalogue(), "Axis", "P1465-LE")
    assert match is not None and cams.loc["CAM-A", "hfov_deg"] == match.hfov_deg
    assert sources.loc["CAM-A", "hfov_deg"] == "catalogue"


def test_audit_row_and_no_credential_stored(audit) -> None:  # type: ignore[no-untyped-def]
    _, url, folder = audit
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select action, target, username, detail from audit_log")).all()
    live = [r for r in rows if r[1] == "live ONVIF audit of borough"]
    assert len(live) == 1 and live[0][0] == "data_change" and live[0][2] == "tester"
    detail = live[0][3] if isinstance(live[0][3], dict) else json.loads(live[0][3])
    assert (detail["matched"], detail["offline"], detail["auth_failed"], detail["unknown"]) == (
        3, 1, 1, 1,
    )  # fmt: skip
    assert detail["estate_version"] == 2
    engine.dispose()
    assert PASSWORD.encode() not in (folder / "store.db").read_bytes()


def test_targets_and_credentials_files(tmp_path: Path) -> None:
    assert [t.address for t in read_targets("127.0.0.0/30")] == ["127.0.0.1:80", "127.0.0.2:80"]
    with pytest.raises(InputError, match="more than 1024"):
        read_targets("127.0.0.0/16")
    bad = tmp_path / "t.csv"
    bad.write_text("address\n127.0.0.1:99999\nhttp://x/y\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_targets(str(bad))
    assert "line 2" in str(caught.value) and "line 3" in str(caught.value)
    creds = read_credentials(
        None, environ={"CCTVSCOPE_ONVIF_USER": "u", "CCTVSCOPE_ONVIF_PASSWORD": "pw"}
    )
    assert "pw" not in repr(creds) and "pw" not in repr(creds.by_host["*"])


def test_compliance_confirmed_per_camera(audit) -> None:  # type: ignore[no-untyped-def]
    outcome, _, _ = audit
    table = verdict_table(outcome).set_index("camera_id")
    assert table.loc["CAM-A", "confirmed"] == "yes"
    assert table.loc["CAM-B", "confirmed"] == table.loc["CAM-C", "confirmed"] == "no"


def test_slow_and_foreign_devices_never_stop_the_audit(tmp_path: Path) -> None:
    """A device slower than the timeout is silent; a web server that is not ONVIF is an error."""
    cams = [
        VirtualCamera("SLOW", delay_s=2.0, stream=False),
        VirtualCamera("WEB", onvif=False, stream=False),
        VirtualCamera("FAST", stream=False),
    ]
    creds = Credentials({"*": Credential("auditor", PASSWORD)})
    with serving(cams, tmp_path):
        targets = tuple(Target(c.address, c.name) for c in cams)
        request = LiveAuditRequest(targets=targets, credentials=creds, timeout_s=0.5)
        slow, web, fast = read_all(request, clock=lambda: FIXED_NOW)
        # The budget ends before the slow device can answer its first call (2 s > 0.3 s).
        late = read_all(
            LiveAuditRequest(targets=targets[:1], credentials=creds, timeout_s=5, budget_s=0.3),
            clock=lambda: FIXED_NOW,
        )
    assert slow.status == "offline" and "timed out" in slow.message
    assert web.status == "error" and "not a SOAP" in web.message
    assert fast.status == "ok" and fast.clock_offset_s == 0.5
    assert late[0].status == "offline" and "time budget" in late[0].message


def test_stream_needs_the_credential_and_never_shows_it(tmp_path: Path) -> None:
    cam = VirtualCamera("S1", width_px=352, height_px=288)
    options = ReadOptions(timeout_s=5, stream_seconds=0.5)
    with serving([cam], tmp_path):
        uri = f"http://{cam.address}/stream.ts"
        with pytest.raises(StreamError, match="cannot open"):
            measure_stream(uri, options, "x.jpg")  # the camera answers 401 without it
        reading = read_device(
            Target(cam.address, "S1"), Credential("auditor", PASSWORD), options, lambda: FIXED_NOW
        )
    assert reading.stream is not None and reading.stream.width_px == 352
    assert reading.stream_uri == uri == reading.stream.uri
    assert PASSWORD not in repr(reading)
    signed = with_credential(uri, Credential("a b", "p@ss:w/rd"))
    assert signed == f"http://a%20b:p%40ss%3Aw%2Frd@{cam.address}/stream.ts"
    assert without_credential(signed) == uri


def test_no_credential_in_what_the_audit_returns(audit) -> None:  # type: ignore[no-untyped-def]
    outcome, _, _ = audit
    assert PASSWORD not in repr(outcome.readings) and PASSWORD not in outcome.table.to_csv()


def test_discovery_keeps_only_the_named_network() -> None:
    """A WS-Discovery ProbeMatch: XAddrs outside the network the user named are dropped."""
    match = (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        b'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Body><d:ProbeMatches>'
        b"<d:ProbeMatch><d:XAddrs>http://127.0.0.9:8080/onvif/device_service "
        b"http://[fe80::1]/onvif/device_service</d:XAddrs></d:ProbeMatch>"
        b"<d:ProbeMatch><d:XAddrs>http://127.1.0.1/onvif/device_service</d:XAddrs></d:ProbeMatch>"
        b"</d:ProbeMatches></s:Body></s:Envelope>"
    )
    net = ipaddress.ip_network("127.0.0.0/24")
    assert [t.address for t in xaddr_targets(match, net)] == ["127.0.0.9:8080"]
    assert xaddr_targets(b"<!DOCTYPE x><x/>", net) == []


def test_stream_table_lists_what_each_camera_sent(audit) -> None:  # type: ignore[no-untyped-def]
    outcome, _, _ = audit
    table = stream_table(outcome).set_index("camera_id")
    assert list(table.index) == ["CAM-A", "CAM-B", "CAM-C"]
    assert table.loc["CAM-B", "resolution"] == "704x576" and table.loc["CAM-B", "gaps"] == 0
    assert table.loc["CAM-C", "snapshot"] == "CAM-C.jpg"


def test_http_digest_cameras_are_read_and_refuse_a_wrong_password(tmp_path: Path) -> None:
    """Firmware that asks for HTTP Digest on top of the WS-Security token."""
    cams = [VirtualCamera("DIG", http_digest=True, stream=False),
            VirtualCamera("DIG-BAD", http_digest=True, stream=False, password="other")]  # fmt: skip
    with serving(cams, tmp_path):
        request = LiveAuditRequest(
            targets=tuple(Target(c.address, c.name) for c in cams),
            credentials=Credentials({"*": Credential("auditor", PASSWORD)}),
        )
        good, bad = read_all(request, clock=lambda: FIXED_NOW)
    assert good.status == "ok" and good.info is not None and good.info.serial == "SN-DIG"
    assert bad.status == "auth_failed" and "401" in bad.message


def test_credentials_most_specific_first(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "host,username,password\n*,any,p1\n127.0.0.5,host,p2\n127.0.0.5:8080,port,p3\n",
        encoding="utf-8",
    )
    creds = read_credentials(
        path, {"CCTVSCOPE_ONVIF_USER": "env", "CCTVSCOPE_ONVIF_PASSWORD": "p0"}
    )
    user = {
        a: c.username if (c := creds.for_target(Target(a))) else None
        for a in ("127.0.0.5:8080", "127.0.0.5:80", "127.0.0.6:80")
    }
    # The file's '*' overrides the environment's, which is the file's default otherwise.
    assert user == {"127.0.0.5:8080": "port", "127.0.0.5:80": "host", "127.0.0.6:80": "any"}
    assert read_credentials(None, {}).for_target(Target("127.0.0.1:80")) is None


def test_silent_searched_addresses_are_counted_not_listed(tmp_path: Path) -> None:
    with virtual_estate(tmp_path) as (url, targets_file, creds_file):
        listed = read_targets(str(targets_file))
        searched = (Target(f"127.0.0.1:{closed_port()}", searched=True),)
        request = LiveAuditRequest(
            targets=listed + searched,
            credentials=read_credentials(creds_file, {}),
            stream_seconds=0,
        )
        outcome = run_live_audit(url, "borough", request, clock=lambda: FIXED_NOW)
    assert outcome.silent_searched == 1
    assert len(outcome.table) == len(listed) and outcome.reconciliation.count("offline") == 1


def test_apply_changes_the_full_standard_as_measured(audit) -> None:  # type: ignore[no-untyped-def]
    """The full standard on the version the audit saved, against the version before it.

    Worked by hand from the virtual cameras: CAM-B is listed 1920x1080 but streams
    704x576, so its pixel density at the standard's distance (IQ-01) drops below the
    threshold; CAM-C streams 352x288 (below 2CIF: IQ-03) on a manual clock 90 s ahead
    (TS-01); CAM-A's field of view was a default (IQ-01 unknown) until the catalogue gave
    the measured model's 100°. Rules that ONVIF cannot read (export, operations) stay
    unknown; the cameras not read change nothing.
    """
    from cctvscope.workflows.compliance import run_compliance

    _, url, _ = audit

    def outcomes(version: int) -> dict[tuple[str, str], str]:
        found = run_compliance(load_estate(url, "borough", version)).result.findings
        cams = found[found["entity_type"] == "camera"]
        return {
            (str(c), str(r)): str(o)
            for c, r, o in zip(cams["camera_id"], cams["rule_id"], cams["outcome"], strict=True)
        }

    before, after = outcomes(1), outcomes(2)
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert changed == {
        ("CAM-A", "IQ-01"): ("unknown", "fail"),
        ("CAM-B", "IQ-01"): ("pass", "fail"),
        ("CAM-C", "IQ-03"): ("pass", "fail"),
        ("CAM-C", "TS-01"): ("pass", "fail"),
    }
    for cid in ("CAM-A", "CAM-B", "CAM-C"):
        left = sorted(r for (c, r), o in after.items() if c == cid and o == "unknown")
        assert left == ["EX-01", "EX-02", "EX-03", "OP-01"]
