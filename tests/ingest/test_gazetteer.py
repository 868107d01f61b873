"""Finding places: postcodes, districts, names and coordinates, on a small gazetteer worked by
hand and on the bundled London one checked against its file read a second way."""

from __future__ import annotations

import csv
import gzip
import io

import pandas as pd
import pytest

from cctvscope.ingest.gazetteer import (
    POSTCODES_FILE,
    Gazetteer,
    PlaceKind,
    find_places,
    parse_postcodes,
    read_london_gazetteer,
)
from cctvscope.ingest.london import data_path

SMALL = Gazetteer(
    parse_postcodes(
        pd.DataFrame(
            {
                "postcode": ["E1 1AA", "E1 1AB", "E1 2AA", "E14 5AB", "SW1A 2AA"],
                "easting": [100_000, 100_200, 100_400, 200_000, 300_000],
                "northing": [50_000, 50_000, 50_600, 60_000, 70_000],
                "borough_gss_code": ["A", "A", "B", "C", "D"],
            }
        )
    ),
    pd.DataFrame(
        {
            "name": ["High Street", "Highbury", "North High Road", "Camden Town"],
            "kind": ["street", "place", "street", "place"],
            "x_m": [1.0, 2.0, 3.0, 4.0],
            "y_m": [1.0, 2.0, 3.0, 4.0],
            "area_code": ["A", "A", "B", "C"],
        }
    ),
)


@pytest.mark.parametrize("query", ["SW1A 2AA", "sw1a2aa", "  Sw1A   2aA "])
def test_a_postcode_unit_in_any_case_or_spacing(query: str) -> None:
    (place,) = find_places(SMALL, query)
    assert (place.label, place.kind, place.x_m, place.y_m) == (
        "SW1A 2AA",
        PlaceKind.POSTCODE,
        300_000,
        70_000,
    )
    assert place.area_code == "D"


def test_a_district_is_the_mean_of_its_units_and_not_a_longer_district() -> None:
    (district,) = find_places(SMALL, "E1")
    # E1 1AA, E1 1AB, E1 2AA (not E14 5AB): mean (100,200, 50,200); most units in A
    assert district.kind == PlaceKind.POSTCODE_AREA
    assert (district.x_m, district.y_m) == (100_200, 50_200)
    assert district.area_code == "A" and district.label == "E1 (3 postcodes)"
    (sector,) = find_places(SMALL, "E1 1")
    assert (sector.x_m, sector.y_m, sector.label) == (100_100, 50_000, "E1 1 (2 postcodes)")
    assert find_places(SMALL, "E2") == []


def test_names_exact_then_starting_then_containing() -> None:
    found = find_places(SMALL, "high street")
    assert [p.label for p in found] == ["High Street"]
    found = find_places(SMALL, "High")
    # two names start with it (a place before a street), one contains it
    assert [p.label for p in found] == ["Highbury", "High Street", "North High Road"]
    assert [p.kind for p in found] == [PlaceKind.PLACE, PlaceKind.STREET, PlaceKind.STREET]
    assert find_places(SMALL, "High", limit=2)[-1].label == "High Street"
    assert find_places(SMALL, "nowhere at all") == []
    assert find_places(SMALL, "   ") == []


def test_coordinates_in_either_system_and_order() -> None:
    (bng,) = find_places(SMALL, "530268, 179644")
    assert (bng.kind, bng.x_m, bng.y_m) == (PlaceKind.COORDINATES, 530268, 179644)
    # Big Ben: OS's published transformation gives 530268.08, 179643.90 (to 0.5 m).
    lat_lon = find_places(SMALL, "51.500729, -0.124625")
    lon_lat = find_places(SMALL, "-0.124625 51.500729")
    assert lat_lon == lon_lat
    assert lat_lon[0].x_m == pytest.approx(530268.08, abs=0.5)
    assert lat_lon[0].y_m == pytest.approx(179643.90, abs=0.5)
    # Neither a grid reference nor a point in Great Britain: read as a name, found nowhere.
    assert find_places(SMALL, "10, 20") == []


def test_bundled_postcode_matches_its_file_read_a_second_way() -> None:
    text = gzip.decompress(data_path(POSTCODES_FILE).read_bytes()).decode()
    rows = {r["postcode"]: r for r in csv.DictReader(io.StringIO(text))}
    assert len(rows) == 218_223  # the Code-Point Open units of SOURCES.md
    gazetteer = read_london_gazetteer()
    for code in ("SW1A 2AA", "EC2R 8AH", "E14 5AB"):
        (place,) = find_places(gazetteer, code)
        row = rows[code]
        assert (place.x_m, place.y_m) == (float(row["easting"]), float(row["northing"]))
        assert place.area_code == row["borough_gss_code"]
    # 10 Downing Street is in Westminster; the Bank of England in the City.
    assert find_places(gazetteer, "SW1A 2AA")[0].area_code == "E09000033"
    assert find_places(gazetteer, "EC2R 8AH")[0].area_code == "E09000001"


def test_bundled_place_names() -> None:
    found = find_places(read_london_gazetteer(), "Camden Town")
    assert found[0].label == "Camden Town" and found[0].area_code == "E09000007"
