"""Assessment of existing networks: the estate profile of each borough."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cctvscope.model.enums import OwnerType, Provenance, Signal
from cctvscope.model.estate import Estate

#: Columns of the per-borough summary with their meaning and unit.
BOROUGH_SUMMARY_COLUMNS: dict[str, str] = {
    "gss_code": "ONS GSS code of the borough",
    "name": "Borough name",
    "cameras": "Cameras of every owner type [cameras]",
    "council_cameras": "Council-owned cameras [cameras]",
    "tfl_cameras": "TfL-owned cameras [cameras]",
    "police_cameras": "Police-owned cameras [cameras]",
    "private_cameras": "Registered private cameras [cameras]",
    "cameras_per_km2": "Cameras of every owner type per km² of borough area [cameras/km²]",
    "cameras_per_1000_residents": "Cameras per 1,000 residents (ONS mid-2020) [cameras/1,000]",
    "crimes_per_camera": "MPS recorded crimes per camera in the reference year [crimes/camera]"
    " (empty where no crime is published or there is no camera)",
    "share_analogue": "Share of cameras with an analogue signal chain [fraction]",
    "median_install_year": "Median install year of the cameras [year]",
    "share_real": "Share of camera records from published sources [fraction]",
    "share_synthetic": "Share of camera records from the synthetic estate [fraction]",
    "share_imported": "Share of camera records from user imports [fraction]",
}


def summarise_boroughs(estate: Estate) -> pd.DataFrame:
    """One row per borough: cameras by owner type, densities, age, analogue share, provenance.

    Ratios with a zero denominator are NaN rather than infinite, so that a borough
    with no published crime (City of London) does not look infinitely well covered.
    """
    boroughs = pd.DataFrame(estate.boroughs.drop(columns="geometry"))
    cams = pd.DataFrame(estate.cameras.drop(columns="geometry"))
    codes = boroughs["gss_code"]

    def per_borough(mask: pd.Series | None = None) -> pd.Series:
        sel = cams if mask is None else cams[mask]
        return sel.groupby("borough_code").size().reindex(codes, fill_value=0).astype("int64")

    total = per_borough()
    out = pd.DataFrame({"gss_code": codes.to_numpy(), "name": boroughs["name"].to_numpy()})
    out["cameras"] = total.to_numpy()
    for owner in OwnerType:
        out[f"{owner.value}_cameras"] = per_borough(cams["owner_type"] == owner.value).to_numpy()
    area = boroughs["area_km2"].to_numpy(float)
    population = boroughs["population"].to_numpy(float)
    crimes = boroughs["recorded_crimes_per_year"].to_numpy(float)
    n = total.to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cameras_per_km2"] = n / area
        out["cameras_per_1000_residents"] = np.where(population > 0, n / population * 1000, np.nan)
        out["crimes_per_camera"] = np.where((crimes > 0) & (n > 0), crimes / n, np.nan)
    analogue = per_borough(cams["signal"] == Signal.ANALOGUE.value).to_numpy(float)
    out["share_analogue"] = _share(analogue, n)
    out["median_install_year"] = (
        cams.groupby("borough_code")["install_year"].median().reindex(codes).to_numpy()
    )
    for prov in Provenance:
        count = per_borough(cams["provenance"] == prov.value).to_numpy(float)
        out[f"share_{prov.value}"] = _share(count, n)
    return out[list(BOROUGH_SUMMARY_COLUMNS)]


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, part / whole, np.nan)
