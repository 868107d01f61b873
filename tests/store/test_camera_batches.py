"""A stored estate read without its cameras, and its cameras a batch at a time by tile."""

from __future__ import annotations

from cctvscope.store import init_store, save_estate
from cctvscope.store.camera_batches import camera_batches, estate_outline


def test_outline_and_batches_by_tile(tmp_path, tiny_estate):
    engine = init_store(f"sqlite:///{tmp_path / 'store.db'}")
    # Stored in reverse (b1, a3, a2, a1): the order by tile is not the stored order.
    reverse = tiny_estate.cameras.iloc[::-1].reset_index(drop=True)
    save_estate(engine, tiny_estate.replace_tables(cameras=reverse))
    outline = estate_outline(engine, "tiny")
    assert outline.version == 1 and outline.cameras.empty
    assert sorted(outline.boroughs["gss_code"]) == ["E09000001", "E09000002"]
    assert list(outline.cameras.columns) == list(tiny_estate.cameras.columns)
    # By 200 m tiles: a1 (2500, 900); a2 and a3 both (2501, 901), a3 stored first; b1 (2507, 902).
    batches = list(
        camera_batches(engine, "tiny", None, ["camera_id", "x_m"], tile_m=200.0, batch_rows=3)
    )
    assert [len(b) for b in batches] == [3, 1]
    assert [c for b in batches for c in b["camera_id"]] == ["a1", "a3", "a2", "b1"]
    # By 1 km tiles: a1-a3 share tile (500, 180), in stored order; b1 in (501, 180).
    by_km = list(camera_batches(engine, "tiny", 1, ["camera_id"], tile_m=1000.0, batch_rows=10))
    assert by_km[0]["camera_id"].tolist() == ["a3", "a2", "a1", "b1"]
