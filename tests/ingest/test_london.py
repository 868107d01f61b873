"""The bundled real data, checked against the figures SOURCES.md publishes."""

from __future__ import annotations

import pytest

from cctvscope.errors import DataError
from cctvscope.ingest import london as L


def test_boroughs():
    b = L.read_boroughs()
    assert b.crs.to_epsg() == 27700
    assert list(b["gss_code"]) == [f"E09000{i:03d}" for i in range(1, 34)]
    # SOURCES.md: total area 1,573.3 km²; recomputed from the geometry as a second method.
    assert b["area_km2"].sum() == pytest.approx(1573.3, abs=0.1)
    assert b.geometry.area.sum() / 1e6 == pytest.approx(1573.3, abs=0.5)


def test_lsoas_and_crime():
    crime = L.read_lsoa_crime(2021)
    assert len(crime) == 4835
    assert crime.crs.to_epsg() == 27700
    city = crime[crime["borough_code"] == "E09000001"]
    assert len(city) == 6 and city["total"].sum() == 0
    # Two methods agree: LSOA counts summed by borough equal the borough file.
    by_borough = crime.groupby("borough_code")["total"].sum()
    totals = L.read_borough_crime_totals(2021)
    assert (by_borough.reindex(totals.index, fill_value=0) == totals).all()
    with pytest.raises(DataError, match="2011-2021"):
        L.read_lsoa_crime(1999)


def test_crime_total_counts_minor_categories_once():
    # Bicycle theft and taking a motor vehicle are parts of major-theft-all and
    # major-vehicle-offences: the 2021 total is the ten majors, by hand from the file's
    # twelve category sums: 797,234 - 20,641 (bicycles) - 27,005 (vehicles) = 749,588.
    crime = L.read_lsoa_crime(2021)
    assert int(crime["total"].sum()) == 749_588
    assert int(crime["minor-theft-bicycle"].sum()) == 20_641
    assert int(crime["minor-theft-vehicle"].sum()) == 27_005
    assert int(L.read_borough_crime_totals(2021).sum()) == 749_588


def test_population_total_matches_ons():
    assert L.read_borough_population()["population"].sum() == 9_002_488
    assert L.read_lsoa_population()["population"].sum() == 9_002_488


def test_tfl_cameras():
    cams = L.read_tfl_cameras()
    assert len(cams) == 900
    counts = cams["borough_gss_code"].value_counts()
    assert counts["E09000033"] == 76  # Westminster, per SOURCES.md
    assert counts["E09000001"] == 3  # City of London
    boroughs = L.read_boroughs()
    joined = cams.sjoin(boroughs, predicate="within")
    assert (joined["borough_gss_code"] == joined["gss_code"]).mean() > 0.99


def test_other_tables():
    assert len(L.read_burglary_points()) == 51_266
    assert len(L.read_police_stations()) == 137
    assert len(L.read_provision_facts()) == 42
    assert len(L.read_osm_buildings("covent_garden")) == 1767
    assert len(L.read_osm_buildings("clerkenwell")) == 292
    assert len(L.read_osm_streets("covent_garden")) == 1220
    with pytest.raises(DataError, match="unknown OSM area"):
        L.read_osm_buildings("mayfair")


def test_borough_table():
    table = L.read_borough_table()
    assert len(table) == 33
    assert table["population"].sum() == 9_002_488
    assert table.loc[table["gss_code"] == "E09000001", "recorded_crimes_per_year"].item() == 0
    assert (table["provenance"] == "real").all()
