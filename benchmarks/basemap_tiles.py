"""The London street map: index build, then tiles by zoom, against one city-wide GeoJSON.

    .venv/bin/python benchmarks/basemap_tiles.py

Reads the bundled basemap (as the app does at first use), builds the tile index, then
renders a column of tiles at each zoom over Westminster (cold: nothing cached) and reports
per zoom the mean CPU time and the largest tile, raw and gzipped (the app gzips answers over
1 KiB). The in-run baseline is what a map without tiles would send: the whole layer frame as
one GeoJSON (serialised and gzipped once, timed the same way). A second table does the same
for coverage tiles of 100,000 random view discs (5–40 m) unioned into four 10 km squares, about
14 times London's mean camera density. Prints tables; tests never assert on it.
"""

from __future__ import annotations

import gzip
import json
import time

#: Westminster (Whitehall) [° WGS84]; tiles are taken here and at its neighbours.
LON_DEG, LAT_DEG = -0.1262, 51.5040
ZOOMS = (8, 10, 11, 12, 13, 14, 15, 16, 18)


def _cpu() -> float:
    return time.process_time()


def main() -> None:
    from cctvscope.ingest import london
    from cctvscope.web.tiles import BASEMAP_RULES, PLACE_MIN_ZOOM, TileIndex

    t0, w0 = _cpu(), time.perf_counter()
    frame = london.read_basemap()
    t1, w1 = _cpu(), time.perf_counter()
    index = TileIndex(frame, BASEMAP_RULES, PLACE_MIN_ZOOM)
    t2, w2 = _cpu(), time.perf_counter()
    whole = frame.to_crs("EPSG:4326").to_json(drop_id=True).encode()
    whole_gz = gzip.compress(whole, 6)
    t3 = _cpu()
    baseline_cpu_s = t3 - t2
    print(
        f"read bundled basemap: {t1 - t0:.2f} CPU s ({w1 - w0:.2f} s wall), {len(frame):,} features"
    )
    print(
        f"build tile index:     {t2 - t1:.2f} CPU s ({w2 - w1:.2f} s wall), {len(index):,} pieces"
    )
    print(f"baseline (one GeoJSON of everything): {baseline_cpu_s:.2f} CPU s, "
          f"{len(whole) / 1e6:.1f} MB raw, {len(whole_gz) / 1e6:.2f} MB gzipped")  # fmt: skip
    print()
    _table(index, baseline_cpu_s)


def _table(index: object, baseline_cpu_s: float) -> None:
    from cctvscope.web.tiles import tile_of

    print("zoom  tiles  CPU ms/tile  x baseline  max KiB raw  max KiB gzip  features (max)")
    for z in ZOOMS:
        x0, y0 = tile_of(LON_DEG, LAT_DEG, z)
        tiles = [(x0 + dx, y0 + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
        start = _cpu()
        bodies = [index.tile_bytes(z, x, y) for x, y in tiles]  # type: ignore[attr-defined]
        per_tile = (_cpu() - start) / len(tiles)
        biggest = max(bodies, key=len)
        features = max(len(json.loads(b)["features"]) for b in bodies)
        print(
            f"{z:>4}  {len(tiles):>5}  {per_tile * 1000:>11.1f}  {per_tile / baseline_cpu_s:>10.3f}"
            f"  {len(biggest) / 1024:>11.0f}  {len(gzip.compress(biggest, 6)) / 1024:>12.0f}"
            f"  {features:>14,}"
        )


def coverage() -> None:
    import geopandas as gpd
    import numpy as np
    import shapely

    from cctvscope.web.tiles import COVERAGE_RULES, TileIndex

    rng = np.random.default_rng(20170628)
    n = 100_000
    x, y = rng.uniform(520_000, 540_000, n), rng.uniform(170_000, 190_000, n)
    discs = shapely.buffer(shapely.points(x, y), rng.uniform(5, 40, n), quad_segs=3)
    square = (x // 10_000 - 52) * 2 + (y // 10_000 - 17)
    unions = [shapely.union_all(discs[square == s]) for s in range(4)]
    frame = gpd.GeoDataFrame(
        {"layer": ["coverage"] * 4, "kind": "recognise", "name": ""}, geometry=unions, crs=27700
    )
    start = _cpu()
    index = TileIndex(frame, COVERAGE_RULES, explode=False)
    built = _cpu() - start
    start = _cpu()
    whole = gzip.compress(frame.to_crs("EPSG:4326").to_json(drop_id=True).encode(), 6)
    baseline_cpu_s = _cpu() - start
    print()
    print(f"coverage: {int(shapely.get_num_coordinates(unions).sum()):,} vertices; index "
          f"{built:.2f} CPU s, {len(index):,} pieces; baseline one GeoJSON {baseline_cpu_s:.2f} "
          f"CPU s, {len(whole) / 1e6:.1f} MB gzipped")  # fmt: skip
    _table(index, baseline_cpu_s)


if __name__ == "__main__":
    main()
    coverage()
