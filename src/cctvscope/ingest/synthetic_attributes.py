"""Camera attributes drawn by install year, and the real TfL cameras filled from defaults.

Every table lives in ``synthetic_attributes`` of ``assumptions.yaml``, keyed by
install-year band, so analogue share, resolution, codec, lens, ONVIF profiles,
export formats and clock synchronisation move with the age of the equipment.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from cctvscope.errors import DataError
from cctvscope.ingest.synthetic_params import (
    FloatArray,
    IntArray,
    ParamReader,
    band_index,
    clipped_normal,
    draw_by_band,
    draw_categorical,
    parse_band,
)
from cctvscope.model.enums import CameraStatus, ExportFormat, OwnerType, Signal, TimeSync

SECTION = "synthetic_attributes"


def hfov_deg(sensor_width_mm: npt.ArrayLike, focal_length_mm: npt.ArrayLike) -> FloatArray:
    """Horizontal field of view, HFOV = 2·atan(w / 2f), in degrees.

    The camera-calculator formula of domain-research §1.3 (babastienne/PanoptiCity
    README): a 1/3" sensor (w = 4.8 mm) behind a 2.8 mm lens gives 81.2°.
    """
    w = np.asarray(sensor_width_mm, dtype=float)
    f = np.asarray(focal_length_mm, dtype=float)
    return np.asarray(np.degrees(2.0 * np.arctan(w / (2.0 * f))), dtype=float)


def band_labels(reader: ParamReader) -> list[str]:
    """The install-year band labels (keys of the council install-year table)."""
    return list(reader.by_band(f"{SECTION}.install_year_shares_council"))


def draw_install_years(
    rng: np.random.Generator, reader: ParamReader, owner: str, n: int
) -> IntArray:
    """Install years: a band by its share, then a year uniform within the band."""
    shares = reader.shares(f"{SECTION}.install_year_shares_{owner}")
    bounds = np.array([parse_band(label) for label in shares], dtype=np.int64).reshape(-1, 2)
    probs = np.array(list(shares.values()), dtype=float)
    idx = rng.choice(len(probs), size=n, p=probs / probs.sum())
    first, last = bounds[idx, 0], bounds[idx, 1]
    return np.asarray(rng.integers(first, last + 1), dtype=np.int64)


def _band_values(reader: ParamReader, key: str, labels: list[str]) -> FloatArray:
    """A per-band scalar table as an array aligned with ``labels``."""
    table = reader.by_band(key)
    missing = [lab for lab in labels if lab not in table]
    if missing:
        raise DataError(f"assumption {key!r} has no entry for year bands {missing}")
    return np.array([float(table[lab]) for lab in labels], dtype=float)


def draw_camera_attributes(
    rng: np.random.Generator, reader: ParamReader, owner: OwnerType, install_year: IntArray
) -> pd.DataFrame:
    """Draw every equipment attribute of ``len(install_year)`` cameras of one owner type.

    Returns
    -------
    pandas.DataFrame
        Camera columns from ``mount_height_m`` to ``status`` (tuple fields as
        ``;``-separated strings), plus ``install_year``.
    """
    n = len(install_year)
    labels = band_labels(reader)
    band = band_index(install_year, labels)
    owner_key = owner.value

    analogue_p = _band_values(reader, f"{SECTION}.analogue_share_by_band", labels)
    analogue = rng.random(n) < analogue_p[band]
    signal = np.where(analogue, Signal.ANALOGUE.value, Signal.IP.value)

    res = draw_by_band(
        rng,
        band,
        labels,
        reader.by_band(f"{SECTION}.ip_resolution_shares_by_band"),
        f"{SECTION}.ip_resolution_shares_by_band",
    )
    res[analogue] = str(reader.value(f"{SECTION}.analogue_resolution"))
    wh = np.array([str(r).split("x") for r in res], dtype=np.int64).reshape(n, 2)

    codec = draw_by_band(
        rng,
        band,
        labels,
        reader.by_band(f"{SECTION}.codec_shares_by_band"),
        f"{SECTION}.codec_shares_by_band",
    )
    sensor = draw_by_band(
        rng,
        band,
        labels,
        reader.by_band(f"{SECTION}.sensor_width_mm_shares_by_band"),
        f"{SECTION}.sensor_width_mm_shares_by_band",
    ).astype(float)

    ptz_share = float(reader.value(f"{SECTION}.ptz_share_by_owner")[owner_key])
    ptz = rng.random(n) < ptz_share
    fixed_f = draw_categorical(rng, reader.shares(f"{SECTION}.fixed_focal_length_mm_shares"), n)
    ptz_f = draw_categorical(rng, reader.shares(f"{SECTION}.ptz_wide_focal_length_mm_shares"), n)
    zoom = draw_categorical(rng, reader.shares(f"{SECTION}.ptz_max_zoom_shares"), n)
    focal = np.where(ptz, ptz_f.astype(float), fixed_f.astype(float))
    ptz_max_zoom = np.where(ptz, zoom.astype(float), 1.0)

    height_spec = reader.value(f"{SECTION}.mount_height_m_by_owner")[owner_key]
    mount_height_m = np.round(clipped_normal(rng, height_spec, n), 2)
    tilt_deg = np.round(clipped_normal(rng, reader.value(f"{SECTION}.tilt_deg_distribution"), n), 1)
    heading_deg = np.round(rng.uniform(0.0, 360.0, n), 1) % 360.0

    fps = draw_by_band(
        rng,
        band,
        labels,
        reader.by_band(f"{SECTION}.fps_shares_by_band"),
        f"{SECTION}.fps_shares_by_band",
    ).astype(float)

    if owner is OwnerType.PRIVATE:
        retention = draw_categorical(
            rng, reader.shares(f"{SECTION}.retention_days_private_shares"), n
        ).astype(np.int64)
    else:
        retention = np.full(n, reader.integer(f"{SECTION}.retention_days_public"), dtype=np.int64)

    onvif_tab = reader.by_band(f"{SECTION}.onvif_probability_by_band")
    probs = {p: np.array([float(onvif_tab[lab][p]) for lab in labels]) for p in ("S", "G", "T")}
    has_s = ~analogue & (rng.random(n) < probs["S"][band])
    has_g = has_s & (rng.random(n) < probs["G"][band])
    has_t = has_s & (rng.random(n) < probs["T"][band])
    onvif = [
        ";".join(p for p, flag in (("S", s), ("G", g), ("T", t)) if flag)
        for s, g, t in zip(has_s, has_g, has_t, strict=True)
    ]

    mp4_p = _band_values(reader, f"{SECTION}.mp4_export_share_by_band", labels)
    has_mp4 = rng.random(n) < mp4_p[band]
    has_oxf = has_g & (rng.random(n) < reader.number(f"{SECTION}.onvif_export_share_given_g"))
    exports = [
        ";".join(
            [ExportFormat.NATIVE.value]
            + ([ExportFormat.MP4.value] if m else [])
            + ([ExportFormat.ONVIF_EXPORT.value] if o else [])
        )
        for m, o in zip(has_mp4, has_oxf, strict=True)
    ]
    time_sync = draw_by_band(
        rng,
        band,
        labels,
        reader.by_band(f"{SECTION}.time_sync_shares_by_band"),
        f"{SECTION}.time_sync_shares_by_band",
    )
    faulty = rng.random(n) < reader.number(f"{SECTION}.faulty_share")
    status = np.where(faulty, CameraStatus.FAULTY.value, CameraStatus.OPERATIONAL.value)

    return pd.DataFrame(
        {
            "mount_height_m": mount_height_m,
            "heading_deg": heading_deg,
            "hfov_deg": hfov_deg(sensor, focal),
            "tilt_deg": tilt_deg,
            "ptz": ptz,
            "ptz_max_zoom": ptz_max_zoom,
            "sensor_width_mm": sensor,
            "focal_length_mm": focal,
            "resolution_h_px": wh[:, 0],
            "resolution_v_px": wh[:, 1],
            "codec": codec.astype(str),
            "fps": fps,
            "signal": signal,
            "install_year": np.asarray(install_year, dtype=np.int64),
            "retention_days": retention,
            "onvif_profiles": onvif,
            "export_formats": exports,
            "time_sync": time_sync.astype(str),
            "status": status,
        }
    )


#: Camera fields a TfL JamCam record gets from ``camera_defaults`` (the source has none of them).
TFL_DEFAULTED = (
    "mount_height_m",
    "hfov_deg",
    "tilt_deg",
    "ptz",
    "ptz_max_zoom",
    "resolution_h_px",
    "resolution_v_px",
    "codec",
    "fps",
    "signal",
    "install_year",
    "retention_days",
    "onvif_profiles",
    "export_formats",
    "time_sync",
)


def tfl_cameras(reader: ParamReader, jamcams: pd.DataFrame, room_id: str) -> pd.DataFrame:
    """The real TfL JamCams as camera rows: real id, position, label and availability.

    Heading is TfL's view label parsed to a compass point where one is present (a
    heuristic, not an official bearing); otherwise it and every other attribute
    the source lacks comes from ``camera_defaults`` and is listed in
    ``defaulted_fields``. ``available == false`` becomes status ``faulty`` (feed
    down at the snapshot).
    """
    d = {k: reader.value(f"camera_defaults.{k}") for k in (*TFL_DEFAULTED, "heading_deg")}
    hint = pd.to_numeric(jamcams["view_direction_hint_deg"], errors="coerce")
    has_hint = hint.notna().to_numpy()
    defaulted = [";".join(TFL_DEFAULTED + (() if h else ("heading_deg",))) for h in has_hint]
    available = jamcams["available"].astype(str).str.lower().eq("true").to_numpy()
    n = len(jamcams)
    frame = pd.DataFrame(
        {
            "camera_id": jamcams["camera_id"].astype(str).to_numpy(),
            "owner_type": OwnerType.TFL.value,
            "operator": str(reader.value("synthetic_tfl.operator")),
            "borough_code": jamcams["borough_gss_code"].astype(str).to_numpy(),
            "x_m": jamcams.geometry.x.to_numpy(float),
            "y_m": jamcams.geometry.y.to_numpy(float),
            "location_text": jamcams["view"].fillna("").astype(str).to_numpy(),
            "heading_deg": np.where(has_hint, hint.fillna(0.0), float(d["heading_deg"])) % 360.0,
            "sensor_width_mm": np.full(n, np.nan),
            "focal_length_mm": np.full(n, np.nan),
            "status": np.where(
                available, CameraStatus.OPERATIONAL.value, CameraStatus.FAULTY.value
            ),
            "control_room_id": room_id,
            "provenance": "real",
            "source": str(reader.value("synthetic_tfl.source")),
            "defaulted_fields": defaulted,
        }
    )
    for key in TFL_DEFAULTED:
        value = d[key]
        frame[key] = value if key != "onvif_profiles" else str(value or "")
    frame["signal"] = Signal(str(d["signal"])).value
    frame["time_sync"] = TimeSync(str(d["time_sync"])).value
    return frame
