"""London's places: bundled postcodes and place names, its boroughs and police stations."""

from __future__ import annotations

from cctvscope.ingest.gazetteer import PlaceKind
from cctvscope.ingest.london import london_empty_estate, read_boroughs, read_police_stations
from cctvscope.workflows.places import find_place


def test_london_estate_finds_postcodes_boroughs_and_stations() -> None:
    estate = london_empty_estate("places")
    (downing,) = find_place(None, estate, "SW1A 2AA")
    westminster = read_boroughs().set_index("gss_code").loc["E09000033", "geometry"]
    assert downing.kind == PlaceKind.POSTCODE
    assert westminster.distance(_point(downing)) == 0
    hackney_places = find_place(None, estate, "Hackney")
    borough = hackney_places[0]  # the borough before the OSM place of the same name
    assert PlaceKind.PLACE in {p.kind for p in hackney_places[1:]}
    assert (borough.label, borough.kind, borough.area_code) == (
        "Hackney",
        PlaceKind.AREA,
        "E09000012",
    )
    hackney = read_boroughs().set_index("gss_code").loc["E09000012", "geometry"]
    assert hackney.contains(_point(borough))
    stations = read_police_stations()
    name = str(stations["name"].iloc[0])
    hit = [p for p in find_place(None, estate, name.lower()) if p.kind == PlaceKind.POLICE_STATION]
    station = stations.geometry.iloc[0]
    assert hit and (hit[0].x_m, hit[0].y_m) == (station.x, station.y)


def _point(place):
    import shapely

    return shapely.Point(place.x_m, place.y_m)
