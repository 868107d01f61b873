"""Evidence requests on SQLite and PostgreSQL: retention flags, states, SLA; the CLI end to end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cctvscope.cli.evidence_cmd import evidence_app
from cctvscope.evidence.requests import (
    IllegalTransitionError,
    create_requests,
    get_request,
    list_requests,
    sla_summary,
    transition,
)
from cctvscope.store import init_store
from cctvscope.store.evidence_tables import EVIDENCE_TABLES
from tests.store.conftest import backend, pg_engine, store  # noqa: F401 (fixtures)

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
START = NOW - dt.timedelta(days=20)
END = START + dt.timedelta(hours=2)


def _candidates() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("C1", "E09000033", "council", "Westminster CC", "identify", 31, "native;mp4"),
            ("C2", "E09000033", "council", "Westminster CC", "recognise", 14, "native"),
            ("P1", "E09000033", "private", "Shop Ltd", "observe", 7, "mp4"),
            ("P2", "E09000033", "private", "Shop Ltd", "detect", 10, "mp4"),
            ("T1", "E09000007", "tfl", "TfL", "identify", 30, "native"),
        ],
        columns=[
            "camera_id",
            "borough_code",
            "owner_type",
            "operator",
            "level",
            "retention_days",
            "export_formats",
        ],
    )


@pytest.fixture
def db(store: sa.Engine) -> sa.Engine:  # noqa: F811
    """The store, with the evidence tables emptied (PostgreSQL keeps rows between tests)."""
    with store.begin() as connection:
        for table in reversed(EVIDENCE_TABLES):
            connection.execute(sa.delete(table))
    return store


def test_one_request_per_holder_with_retention_flags(db):
    records = create_requests(
        db, 529000, 180000, START, END, _candidates(), requested_by="pc1", now=NOW
    )
    by_holder = {r.holder: r for r in records}
    assert set(by_holder) == {"Westminster CC", "Shop Ltd", "TfL"}
    council = by_holder["Westminster CC"]
    assert council.state == "requested" and council.outside_retention
    flags = {c.camera_id: c.outside_retention for c in council.cameras}
    assert flags == {"C1": False, "C2": True}  # 20 days ago > 14 days' retention
    assert council.cameras[0].retention_ends_at == START + dt.timedelta(days=31)
    assert council.cameras[0].level == "identify"
    shop = by_holder["Shop Ltd"]  # every camera outside retention: expired at once
    assert shop.state == "expired" and shop.expired_at == NOW
    assert [h["state"] for h in shop.history] == ["requested", "expired"]
    tfl = by_holder["TfL"]
    assert tfl.state == "requested" and not tfl.outside_retention
    # round trip: what is read back equals what was returned
    assert get_request(db, council.id) == council
    assert council.window_start == START and council.requested_at == NOW
    assert [r.id for r in list_requests(db)] == sorted(r.id for r in records)


def test_state_machine(db):
    (record,) = create_requests(
        db, 1, 2, START, END, _candidates().iloc[[0]], requested_by="pc1", now=NOW
    )
    with pytest.raises(IllegalTransitionError, match="cannot become supplied"):
        transition(db, record.id, "supplied", actor="x", at=NOW)
    with pytest.raises(IllegalTransitionError, match="unknown state"):
        transition(db, record.id, "lost", actor="x", at=NOW)
    acked = transition(
        db, record.id, "acknowledged", actor="holder", at=NOW + dt.timedelta(hours=1)
    )
    assert acked.acknowledged_at == NOW + dt.timedelta(hours=1)
    done = transition(db, record.id, "supplied", actor="pc1", at=NOW + dt.timedelta(hours=30))
    assert done.state == "supplied" and done.time_to_evidence_h == pytest.approx(30.0)
    for state in ("refused", "expired", "acknowledged"):
        with pytest.raises(IllegalTransitionError, match="final state"):
            transition(db, record.id, state, actor="x", at=NOW + dt.timedelta(days=2))


def test_sla_median_by_hand(db):
    one = _candidates().iloc[[0]]
    hours = [10.0, 30.0, 20.0, 50.0]
    for h in hours:
        (r,) = create_requests(db, 1, 2, START, END, one, requested_by="pc1", now=NOW)
        transition(db, r.id, "acknowledged", actor="h", at=NOW)
        transition(db, r.id, "supplied", actor="h", at=NOW + dt.timedelta(hours=h))
    (r,) = create_requests(db, 1, 2, START, END, one, requested_by="pc1", now=NOW)
    transition(db, r.id, "acknowledged", actor="h", at=NOW)
    transition(db, r.id, "refused", actor="h", at=NOW)
    create_requests(db, 1, 2, START, END, one, requested_by="pc1", now=NOW)  # still open
    frame = sla_summary(db)
    row = frame.set_index(["borough_code", "owner_type"]).loc[("E09000033", "council")]
    assert row["requests"] == 6 and row["supplied"] == 4
    assert row["supplied_share"] == pytest.approx(4 / 6)
    assert row["median_time_to_evidence_h"] == pytest.approx((20 + 30) / 2)
    # 90th percentile, linear: rank 0.9 * 3 = 2.7 between 30 and 50 -> 30 + 0.7 * 20
    assert row["p90_time_to_evidence_h"] == pytest.approx(44.0)
    assert row["refused"] == 1 and row["expired"] == 0 and row["open"] == 1


def test_cli_request_intake_package_verify(tmp_path: Path):
    db_url = f"sqlite:///{tmp_path / 'cctvscope.db'}"
    cameras = tmp_path / "cameras.csv"
    _candidates().iloc[[0, 1]].to_csv(cameras, index=False)
    export = tmp_path / "export.mkv"
    export.write_bytes(b"native export" * 1000)
    runner = CliRunner()
    # Only init (and the commands that make estates) create a store; requests go into one.
    init_store(db_url)
    base = ["--database-url", db_url, "--actor", "pc1"]
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    end = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=23)).isoformat()

    def ok(*args: str) -> str:
        result = runner.invoke(evidence_app, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    ok(
        "request",
        "--cameras",
        str(cameras),
        "--start",
        start,
        "--end",
        end,
        "--x",
        "1",
        "--y",
        "2",
        *base,
    )
    ok("transition", "1", "acknowledged", *base)
    ok("intake", "1", str(export), "--camera", "C1", "--clock-offset-s", "4.5", *base)
    ok("transition", "1", "supplied", *base)
    assert "supplied" in ok("status", "1", "--database-url", db_url)
    out = tmp_path / "pkg.zip"
    key = tmp_path / "keys" / "signing.key"  # kept apart from the vault and the package
    ok("keygen", "--out", str(key))
    ok("package", "1", "--out", str(out), "--signing-key", str(key), *base)
    assert (tmp_path / "evidence" / "custody" / "1.jsonl").is_file()  # vault beside the DB
    assert "verified" in ok("verify", str(out), "--public-key", f"{key}.pub")
    assert "E09000033" in ok("sla", "--database-url", db_url)

    bad = runner.invoke(evidence_app, ["transition", "1", "refused", *base])
    assert bad.exit_code == 1
    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(out.read_bytes().replace(b"manifest.json", b"manifest.jsoN", 1))
    failed = runner.invoke(evidence_app, ["verify", str(tampered)])
    assert failed.exit_code == 1
    assert "VERIFICATION FAILED" in failed.output
