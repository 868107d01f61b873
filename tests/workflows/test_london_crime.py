"""London's crime points: the MPS burglary points and the City of London Police's all types."""

from __future__ import annotations

import pandas as pd
import shapely

from cctvscope.ingest.london import CITY_OF_LONDON, data_path, read_burglary_points, read_lsoas
from cctvscope.workflows.coverage import london_coverage_inputs

#: The 14 police.uk crime types (data.police.uk's categories), listed by hand.
POLICE_UK_TYPES = {
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson",
    "Drugs", "Other crime", "Other theft", "Possession of weapons", "Public order",
    "Robbery", "Shoplifting", "Theft from the person", "Vehicle crime",
    "Violence and sexual offences",
}  # fmt: skip


def test_london_points_hold_every_type_the_data_gives() -> None:
    inputs = london_coverage_inputs(buildings=False)
    types = inputs.crime_types
    assert types is not None and len(types) == len(inputs.crime_points)
    assert set(types) == POLICE_UK_TYPES
    # Every type but burglary comes from the City of London Police, inside the City.
    lsoas = read_lsoas()
    city = lsoas.loc[lsoas["borough_code"] == CITY_OF_LONDON].geometry.union_all()
    others = inputs.crime_points[(types != "Burglary").to_numpy()]
    assert bool(shapely.within(others.to_numpy(), city).all())
    # Burglary: the Met's points plus the City's own, counted from the bundled CSV here.
    raw = pd.read_csv(data_path("crime/police_uk_city_of_london_street_2024-03_to_2025-02.csv.gz"))
    x, y = _bng(raw["longitude"].to_numpy(), raw["latitude"].to_numpy())
    city_rows = raw.assign(inside=[city.contains(p) for p in shapely.points(x, y)])
    inside = city_rows[city_rows["inside"]]
    assert int((types == "Burglary").sum()) == len(read_burglary_points()) + int(
        (inside["crime_type"] == "Burglary").sum()
    )
    assert len(types) == len(read_burglary_points()) + len(inside)


def _bng(lon, lat):
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    return t.transform(lon, lat)
