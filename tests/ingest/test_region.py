"""Readers of a region's layers: boundaries, small areas, police.uk crime, OSM features."""

from __future__ import annotations

import json

import numpy as np
import osmium
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from cctvscope.ingest.region import (
    metric_crs,
    read_boundaries,
    read_layer,
    read_police_uk_crime,
    read_population,
    read_small_areas,
)
from cctvscope.ingest.region_osm import read_osm_features, read_police_stations
from tests.ingest.region_files import (
    EAST,
    WEST,
    feature,
    square,
    write_boundaries,
    write_crime,
    write_geojson,
    write_osm,
    write_small_areas,
)


def bng_km2(box: tuple[float, float, float, float]) -> float:
    """Area of a lon/lat box in BNG km², computed independently of the reader."""
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    polygon = shapely.transform(
        shape(square(*box)), lambda xy: np.column_stack(to_bng.transform(xy[:, 0], xy[:, 1]))
    )
    return float(polygon.area / 1e6)


def test_boundaries_in_british_national_grid(tmp_path):
    areas, findings = read_boundaries(write_boundaries(tmp_path / "areas.geojson"))
    assert findings == ()
    assert areas.crs.to_epsg() == 27700
    assert list(areas["code"]) == ["E05000780", "E05000781"]
    assert list(areas["name"]) == ["Heatons West", "Heatons East"]
    km2 = areas.geometry.area / 1e6
    assert km2.iloc[0] == pytest.approx(bng_km2(WEST), rel=1e-6)
    assert km2.iloc[1] == pytest.approx(bng_km2(EAST), rel=1e-6)


def test_any_crs_in_and_utm_outside_great_britain(tmp_path):
    paris = write_geojson(
        tmp_path / "paris.geojson",
        [feature({"id": "75-1", "name": "Centre"}, square(2.3, 48.85, 2.4, 48.9))],
    )
    areas, findings = read_boundaries(paris)
    assert findings == ()
    assert metric_crs(areas) == "EPSG:32631" == f"EPSG:{areas.crs.to_epsg()}"
    sydney = write_geojson(
        tmp_path / "sydney.geojson", [feature({"code": "syd"}, square(151.1, -33.9, 151.2, -33.8))]
    )
    areas, findings = read_boundaries(sydney)
    assert areas.crs.to_epsg() == 32756
    assert [f.field for f in findings] == ["name"]  # no name column: named by the code
    assert list(areas["name"]) == ["syd"]
    # A GeoPackage in BNG comes back in BNG, same areas.
    bng, _ = read_boundaries(write_boundaries(tmp_path / "a.geojson"))
    bng.rename(columns={"code": "lad23cd", "name": "lad23nm"}).to_file(tmp_path / "a.gpkg")
    again, findings = read_boundaries(tmp_path / "a.gpkg")
    assert findings == ()
    assert list(again["code"]) == list(bng["code"])
    assert again.geometry.area.sum() == pytest.approx(bng.geometry.area.sum())


def test_every_boundary_problem_at_once(tmp_path):
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[-2.2, 53.38], [-2.1, 53.43], [-2.1, 53.38], [-2.2, 53.43], [-2.2, 53.38]]
        ],
    }
    path = write_geojson(
        tmp_path / "bad.geojson",
        [
            feature({"code": "A1", "name": "One"}, square(*WEST)),
            feature({"code": "A1", "name": "Two"}, square(*EAST)),
            feature({"code": "A 3", "name": "Three"}, square(*EAST)),
            feature({"code": "A4", "name": "Four"}, {"type": "Point", "coordinates": [-2.1, 53.4]}),
            feature({"code": "A5", "name": "Five"}, None),
            feature({"code": "A6", "name": "Six"}, bowtie),
        ],
    )
    areas, findings = read_boundaries(path)
    assert len(areas) == 0
    got = {(f.severity, f.row, f.field, f.value) for f in findings}
    assert got == {
        ("error", 2, "code", "A1"),
        ("error", 3, "code", "A 3"),
        ("error", 4, "geometry", "Point"),
        ("error", 5, "geometry", None),
        ("warning", 6, "geometry", "Self-intersection[-2.15 53.405]"),
    }
    assert "duplicate code (also row 1)" in {f.reason for f in findings}


def test_missing_columns_and_size_limit(tmp_path):
    path = write_geojson(tmp_path / "x.geojson", [feature({"ref": "1"}, square(*WEST))])
    _, findings = read_boundaries(path)
    assert [(f.severity, f.field) for f in findings] == [("error", "code")]
    assert "give --code-field (columns: ref)" in findings[0].reason
    _, findings = read_boundaries(path, code_field="ref", name_field="label")
    assert [(f.severity, f.field, f.value) for f in findings] == [("error", "name", "label")]
    frame, findings = read_layer(write_boundaries(tmp_path / "a.geojson"), limit=1)
    assert frame is None
    assert findings[0].reason == "2 features; at most 1 are read (split the file)"
    _, findings = read_boundaries(tmp_path / "missing.geojson")
    assert findings[0].reason.startswith("cannot read missing.geojson")


def test_small_areas_and_population(tmp_path):
    small, findings = read_small_areas(write_small_areas(tmp_path / "lsoa.geojson"))
    assert findings == ()
    assert list(small["code"]) == ["E01005001", "E01005002", "E01005003"]
    assert list(small["population"]) == [1500, 1600, 2000]
    table = tmp_path / "pop.csv"
    table.write_text("LSOA21CD,Total\nE01005001,12\nE01005002,x\nE01005001,3\n")
    got, findings = read_population(table)
    assert len(got) == 0
    assert {(f.row, f.field, f.value) for f in findings} == {
        (2, "population", "x"),
        (3, "code", "E01005001"),
    }


def test_police_uk_crime(tmp_path):
    crime, findings = read_police_uk_crime([write_crime(tmp_path / "street.csv")])
    assert len(crime) == 4  # one of five has no coordinates
    assert [(f.severity, f.value) for f in findings] == [("warning", "1")]
    assert "1 crime(s) without coordinates left out" in findings[0].reason
    assert set(crime["crime_type"]) == {"Burglary", "Vehicle crime", "Anti-social behaviour"}
    assert list(crime.columns) == ["month", "crime_type", "x_m", "y_m", "lsoa_code"]
    assert 380_000 < crime["x_m"].iloc[0] < 400_000  # BNG metres
    two, _ = read_police_uk_crime([tmp_path / "street.csv", tmp_path / "street.csv"])
    assert len(two) == 8
    other = tmp_path / "other.csv"
    other.write_text("Month,Longitude\n2024-01,-2.1\n")
    _, findings = read_police_uk_crime([other, tmp_path / "street.csv"])
    assert [f.severity for f in findings] == ["error", "warning"]
    assert "not a police.uk street-level crime file" in findings[0].reason


def test_osm_xml_and_pbf(tmp_path):
    path = write_osm(tmp_path / "heatons.osm")
    features, findings = read_osm_features(path)
    assert findings == ()
    assert features.crs.to_epsg() == 27700
    assert sorted(features["kind"]) == ["building", "building", "police_station", "street"]
    by_id = dict(zip(features["osm_id"], features["kind"], strict=True))
    assert by_id == {
        "way/100": "building",
        "way/101": "building",
        "way/102": "street",
        "node/11": "police_station",
    }
    town_hall = features.loc[features["osm_id"] == "way/100"].geometry.iloc[0]
    assert town_hall.geom_type == "MultiPolygon"
    assert 500 < town_hall.area < 2_500  # ~33 m × 44 m
    pbf = tmp_path / "heatons.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(path)):
            writer.add(obj)
    again, findings = read_osm_features(pbf)
    assert findings == ()
    assert sorted(again["osm_id"]) == sorted(features["osm_id"])
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node id='1'")
    _, findings = read_osm_features(broken)
    assert findings[0].severity == "error"
    assert findings[0].reason.startswith("cannot read broken.osm as OSM")


def test_osm_geojson_extract_and_police_stations(tmp_path):
    extract = write_geojson(
        tmp_path / "extract.geojson",
        [
            feature({"@id": "way/1", "building": "yes"}, square(-2.16, 53.40, -2.159, 53.401)),
            feature(
                {"@id": "way/2", "highway": "primary", "name": "A6"},
                {"type": "LineString", "coordinates": [[-2.16, 53.40], [-2.15, 53.41]]},
            ),
            feature(
                {"@id": "node/3", "amenity": "police", "name": "Station"},
                {"type": "Point", "coordinates": [-2.155, 53.405]},
            ),
            feature(
                {"@id": "node/4", "amenity": "bench"},
                {"type": "Point", "coordinates": [-2.155, 53.405]},
            ),
        ],
    )
    features, findings = read_osm_features(extract)
    assert findings == ()
    assert list(features["kind"]) == ["building", "street", "police_station"]
    assert list(features["osm_id"]) == ["way/1", "way/2", "node/3"]
    stations = tmp_path / "stations.csv"
    stations.write_text("name,latitude,longitude\nHeatons,53.405,-2.155\nNowhere,,\n")
    got, findings = read_police_stations(stations)
    assert [(f.row, f.field) for f in findings] == [(2, "longitude")]
    stations.write_text("name,latitude,longitude\nHeatons,53.405,-2.155\n")
    got, findings = read_police_stations(stations)
    assert findings == () and list(got["name"]) == ["Heatons"]
    assert shapely.get_type_id(got.geometry.iloc[0]) == 0  # a point
    from_osm, _ = read_police_stations(write_osm(tmp_path / "h.osm"))
    assert list(from_osm["name"]) == ["Heatons Police Station"]
    json.loads(extract.read_text())  # the extract is plain GeoJSON


def test_files_over_the_limits_are_refused(tmp_path, monkeypatch):
    import cctvscope.ingest.region as region
    import cctvscope.ingest.region_osm as region_osm

    monkeypatch.setattr(region, "MAX_CRIME_ROWS", 3)
    crime, findings = read_police_uk_crime([write_crime(tmp_path / "street.csv")])
    assert len(crime) == 0
    assert [f.severity for f in findings] == ["error"]
    assert "more than 3 crimes in all" in findings[0].reason
    monkeypatch.setattr(region_osm, "MAX_OSM_FEATURES", 2)
    features, findings = read_osm_features(write_osm(tmp_path / "h.osm"))
    assert len(features) == 0
    assert findings[0].reason == "more than 2 features; cut the extract to the region"
