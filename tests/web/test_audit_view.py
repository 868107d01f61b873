"""The audit log people can work with: filters, paging back, readable detail and a full export."""

from __future__ import annotations

import csv
import io
import json
import uuid

from cctvscope.web import audit
from tests.web.test_views import api


def _rows(env, n: int, who: str) -> list[int]:
    """``n`` data-change rows by ``who``, each with a list of 10 ids; their ids, oldest first."""
    for i in range(n):
        ids = [f"{who}-c{i}-{k}" for k in range(10)]
        audit.record(env.engine, audit.DATA_CHANGE, f"{who} import {i}", username=who,
                     ip="127.0.0.9", detail={"camera_ids": ids, "added": 10})  # fmt: skip
    mine = audit.entries(env.engine, chosen=audit.AuditFilter(username=who), limit=100)
    return sorted(e.id for e in mine)


def test_filters_and_paging_back(clients, env):
    who = f"u{uuid.uuid4().hex[:8]}"
    ids = _rows(env, 5, who)
    admin = clients["admin"]
    page1 = api(admin, f"/api/audit?user={who}&action=data_change&limit=2")
    assert [r["id"] for r in page1] == ids[::-1][:2]
    page2 = api(admin, f"/api/audit?user={who}&limit=2&before={page1[-1]['id']}")
    assert [r["id"] for r in page2] == ids[::-1][2:4]
    by_text = api(admin, f"/api/audit?q={who}+import+3")
    assert [r["target"] for r in by_text] == [f"{who} import 3"]
    assert api(admin, f"/api/audit?user={who}&action=login") == []
    newest = page1[0]["at"]
    assert [r["id"] for r in api(admin, f"/api/audit?user={who}&since={newest}")] == [ids[-1]]
    assert clients["analyst"].get("/api/audit").status_code == 403


def test_export_keeps_every_item_and_the_page_reads_as_text(clients, env):
    who = f"u{uuid.uuid4().hex[:8]}"
    _rows(env, 2, who)
    admin = clients["admin"]
    text = admin.get(f"/api/audit.csv?user={who}").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["target"] for r in rows] == [f"{who} import 1", f"{who} import 0"]
    assert json.loads(rows[0]["detail"])["camera_ids"] == [f"{who}-c1-{k}" for k in range(10)]
    page = admin.get(f"/audit?user={who}").text
    assert (
        f"camera ids: 10 ({who}-c1-0, {who}-c1-1, {who}-c1-2, {who}-c1-3, {who}-c1-4 and 5 more)"
        in page
    )
    assert "added: 10" in page
    assert 'id="audit-shown">2<' in page
