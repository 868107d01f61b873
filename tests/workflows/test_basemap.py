"""A region's street map: London's bundled layers for London only; any region's own OSM
streets and areas; attribution that follows what is drawn."""

from __future__ import annotations

import geopandas as gpd
import shapely

from cctvscope.crs import BNG
from cctvscope.ingest.london import read_basemap, read_boroughs
from cctvscope.workflows.basemap import basemap_attribution, region_basemap
from tests.workflows import test_any_region

cli = test_any_region.cli  # the fixture: a CLI on a temporary store


def _stockport() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    # Stockport town centre, about 389,000 E 390,000 N: one area, two named streets.
    area = gpd.GeoDataFrame(
        {"gss_code": ["E08000007"], "name": ["Stockport"]},
        geometry=[shapely.box(386_000, 388_000, 392_000, 392_000)],
        crs=BNG,
    )
    streets = gpd.GeoDataFrame(
        {"kind": "street", "osm_id": ["way/1", "way/2"], "name": ["Merseyway", None]},
        geometry=[
            shapely.LineString([(389_000, 390_000), (389_400, 390_100)]),
            shapely.LineString([(389_100, 389_800), (389_100, 390_300)]),
        ],
        crs=BNG,
    )
    return area, streets


def test_another_region_draws_its_areas_and_own_streets_and_never_london():
    area, streets = _stockport()
    frame = region_basemap(area, streets, is_london=False)
    assert frame["layer"].tolist() == ["land", "street", "street"]
    assert frame["name"].tolist() == ["Stockport", "Merseyway", ""]
    assert frame.crs.to_epsg() == 27700
    assert frame.geometry.iloc[1].equals(streets.geometry.iloc[0])
    assert basemap_attribution(True, is_london=False) == ("© OpenStreetMap contributors, ODbL 1.0",)
    # without an OSM extract: the areas alone, so the map is never an empty square
    bare = region_basemap(area, None, is_london=False)
    assert bare["layer"].tolist() == ["land"]
    assert basemap_attribution(False, is_london=False) == ()


def test_london_draws_its_bundled_layers_and_its_streets():
    boroughs = read_boroughs()
    _, streets = _stockport()  # any OSM streets the region holds are added
    frame = region_basemap(boroughs, streets, is_london=True)
    bundled = read_basemap()
    counts = frame["layer"].value_counts()
    assert counts["land"] == 33
    assert counts["street"] == (bundled["layer"] == "street").sum() + 2
    # the counts SOURCES.md gives for the bundled file (and the gazetteer's 765 places)
    assert (counts["street"] - 2, counts["rail"], counts["park"], counts["place"]) == (
        31_302, 12_316, 1_293, 765,
    )  # fmt: skip
    for layer in ("main_road", "rail", "station", "water", "waterway", "park", "place"):
        assert counts[layer] == (bundled["layer"] == layer).sum() > 0, layer
    assert len(basemap_attribution(True, is_london=True)) == 3


def test_a_stored_region_draws_its_own_osm_street_on_its_tiles(cli, tmp_path):
    """Region "heatons" made with --osm: its Test Street is on the map, London is not."""
    from cctvscope.store import load_estate
    from cctvscope.web.tiles import BASEMAP_RULES, TileIndex, tile_of
    from cctvscope.workflows.basemap import estate_basemap

    test_any_region.bare_estate(cli, tmp_path)
    drawn = estate_basemap(f"sqlite:///{tmp_path / 'store.db'}", load_estate(
        f"sqlite:///{tmp_path / 'store.db'}", "bare"
    ))  # fmt: skip
    assert drawn.region == "heatons"
    assert set(drawn.frame["layer"]) == {"land", "street"}
    assert drawn.attribution == ("© OpenStreetMap contributors, ODbL 1.0",)
    index = TileIndex(drawn.frame, BASEMAP_RULES)
    # Test Street runs from (-2.19, 53.39) to (-2.11, 53.42): the z14 tile at its middle
    x, y = tile_of(-2.15, 53.405, 14)
    features = index.tile(14, x, y)["features"]
    names = {f["properties"].get("name") for f in features if f["properties"]["layer"] == "street"}
    assert names == {"Test Street"}
