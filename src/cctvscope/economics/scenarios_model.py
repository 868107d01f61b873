"""Technology scenarios as data, and the per-camera models they run on.

A :class:`Scenario` says which cameras it touches (a filter on camera columns),
what it changes on each touched camera (:class:`CameraChange`), when (a roll-out
schedule of shares per year), and what that costs (unit capex with a real price
decline, an opex change per camera-year, the storage hosting, a cut in officer
review time). Scenarios are built from the ``economics_scenarios`` section of the
assumptions file by :func:`scenarios_from_assumptions`.

Per-camera models (vectorised over cameras with numpy):

* **Bitrate** (:func:`bitrate_mbps`): mean recorded stream rate
  ``h_px × v_px × fps × bits_per_pixel(codec) / 10^6`` [Mbit/s], with the bits
  per pixel per frame of ``synthetic_links.bits_per_pixel_by_codec`` (an
  assumption: H.264 0.08, H.265 0.045, i.e. H.265 needs about 56 % of H.264's
  rate; 1080p25 H.264 ≈ 4.15 Mbit/s). The synthetic estate sizes its links
  with the same model times ``bandwidth_headroom``.
* **Storage** (:func:`storage_tb`): ``Mbit/s × 86,400 s × days / 8 / 10^6``
  [TB, decimal], so 4 Mbit/s kept 31 days is 1.3392 TB.
* **Compliance** (:class:`ProvisionalRule`): a provisional evidential rule set
  the camera table can check, read from ``economics_scenarios.compliance_*``
  (IP signal; ≥ 1920 px wide; ≥ 6 fps; H.264/H.265; ≥ 31 days retention; an
  open export format, MP4 or ONVIF export; NTP or GPS time). Any callable
  taking the camera table and returning one bool per row can replace it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cctvscope.errors import DataError
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.frames import LIST_SEPARATOR

SECTION = "economics_scenarios"
BASELINE = "baseline"
SYNCED_TIME = frozenset({"ntp", "gps"})
"""Time-sync values a ``time_sync`` change leaves alone (already external)."""

HOSTINGS = ("on_premises", "cloud")

ComplianceRule = Callable[[pd.DataFrame], npt.NDArray[np.bool_]]
"""A rule judging each row of a camera table (estate column names): True = compliant."""


@dataclass(frozen=True, slots=True)
class CameraChange:
    """What a scenario does to a touched camera; ``None``/empty leaves a field alone.

    Every change only ever improves a camera: resolution and retention are
    raised to at least the target, the codec is moved to the target only when
    the target needs fewer bits per pixel, a time-sync change leaves NTP/GPS
    clocks alone, and export formats and ONVIF profiles are added (profiles
    only on cameras that are IP after the change).
    """

    signal: str | None = None
    min_resolution_px: tuple[int, int] | None = None
    codec: str | None = None
    time_sync: str | None = None
    min_retention_days: int | None = None
    add_export_formats: tuple[str, ...] = ()
    add_onvif_profiles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scenario:
    """One named technology scenario over the appraisal horizon.

    ``touches`` is a filter: ``(column, allowed values)`` pairs that must all
    hold (empty = every in-scope camera). ``rollout_shares[t]`` is the share of
    touched cameras upgraded in year ``start_year + t`` (oldest install year
    first; the shares need not sum to 1). When ``replaces_camera`` the upgrade
    is a new camera, bought at the earlier of the roll-out slot and the
    camera's end of life; otherwise it is a retrofit at the roll-out slot and
    the camera keeps its like-for-like life cycle.
    """

    name: str
    description: str
    touches: tuple[tuple[str, tuple[str, ...]], ...] = ()
    replaces_camera: bool = False
    change: CameraChange = CameraChange()
    rollout_shares: tuple[float, ...] = ()
    capex_item: str | None = None
    capex_multiplier: float = 0.0
    capex_extra_gbp: float = 0.0
    price_decline_rate: float = 0.0
    opex_change_gbp_per_camera_year: float = 0.0
    hosting: str = "on_premises"
    review_time_cut: float = 0.0

    def unit_capex_gbp(self, unit_costs: Mapping[str, float]) -> float:
        """Capex per upgraded camera at the price base year [GBP]."""
        item = 0.0
        if self.capex_item is not None:
            if self.capex_item not in unit_costs:
                raise DataError(f"scenario {self.name!r}: no cost item {self.capex_item!r}")
            item = float(unit_costs[self.capex_item])
        return self.capex_multiplier * item + self.capex_extra_gbp

    def touched(self, cameras: pd.DataFrame) -> npt.NDArray[np.bool_]:
        """Which rows of ``cameras`` the scenario touches (none for the baseline)."""
        if self.name == BASELINE:
            return np.zeros(len(cameras), dtype=bool)
        mask = np.ones(len(cameras), dtype=bool)
        for column, allowed in self.touches:
            mask = mask & cameras[column].astype(str).isin(allowed).to_numpy(dtype=bool)
        return mask


@dataclass(frozen=True, slots=True)
class ScenarioSettings:
    """Estate-wide scenario parameters from ``economics_scenarios``."""

    camera_lifetime_years: int
    backlog_years: int
    scope_owner_types: tuple[str, ...]
    review_hours_per_request: float
    officer_hour_cost_gbp: float
    storage_cost_gbp_per_tb_year: Mapping[str, float]
    bits_per_pixel: Mapping[str, float]
    bandwidth_headroom: float
    min_bandwidth_mbps: float

    @classmethod
    def from_assumptions(cls, assumptions: Assumptions) -> ScenarioSettings:
        """Read the settings (and the bitrate model of ``synthetic_links``)."""
        val = assumptions.value
        storage = {
            str(k): float(v) for k, v in val(f"{SECTION}.storage_cost_gbp_per_tb_year").items()
        }
        missing = [h for h in HOSTINGS if h not in storage]
        if missing:
            raise DataError(f"{SECTION}.storage_cost_gbp_per_tb_year lacks {missing}")
        return cls(
            camera_lifetime_years=int(val(f"{SECTION}.camera_lifetime_years")),
            backlog_years=int(val(f"{SECTION}.replacement_backlog_years")),
            scope_owner_types=tuple(str(v) for v in val(f"{SECTION}.scope_owner_types")),
            review_hours_per_request=float(val(f"{SECTION}.review_hours_per_request")),
            officer_hour_cost_gbp=float(val(f"{SECTION}.officer_hour_cost_gbp")),
            storage_cost_gbp_per_tb_year=storage,
            bits_per_pixel={
                str(k): float(v) for k, v in val("synthetic_links.bits_per_pixel_by_codec").items()
            },
            bandwidth_headroom=float(val("synthetic_links.bandwidth_headroom")),
            min_bandwidth_mbps=float(val("synthetic_links.min_bandwidth_mbps")),
        )


def _resolution(text: str) -> tuple[int, int]:
    h, _, v = str(text).partition("x")
    return int(h), int(v)


def _change(raw: Mapping[str, Any]) -> CameraChange:
    res = raw.get("min_resolution")
    retention = raw.get("min_retention_days")
    return CameraChange(
        signal=raw.get("signal"),
        min_resolution_px=_resolution(res) if res else None,
        codec=raw.get("codec"),
        time_sync=raw.get("time_sync"),
        min_retention_days=int(retention) if retention is not None else None,
        add_export_formats=tuple(str(v) for v in raw.get("add_export_formats") or ()),
        add_onvif_profiles=tuple(str(v) for v in raw.get("add_onvif_profiles") or ()),
    )


def scenario_from_mapping(name: str, raw: Mapping[str, Any]) -> Scenario:
    """Build one scenario from its ``value`` mapping in the assumptions file."""
    shares = tuple(float(s) for s in raw.get("rollout_shares") or ())
    if any(s < 0 for s in shares) or sum(shares) > 1.0 + 1e-9:
        raise DataError(f"scenario {name!r}: roll-out shares must be >= 0 and sum to <= 1")
    hosting = raw.get("hosting") or "on_premises"
    if hosting not in HOSTINGS:
        raise DataError(f"scenario {name!r}: hosting {hosting!r} not in {HOSTINGS}")
    touches = tuple(
        (str(col), tuple(str(v) for v in values))
        for col, values in (raw.get("touches") or {}).items()
    )
    return Scenario(
        name=name,
        description=str(raw.get("description", "")),
        touches=touches,
        replaces_camera=bool(raw.get("replaces_camera", False)),
        change=_change(raw.get("change") or {}),
        rollout_shares=shares,
        capex_item=raw.get("capex_item"),
        capex_multiplier=float(raw.get("capex_multiplier", 0.0)),
        capex_extra_gbp=float(raw.get("capex_extra_gbp", 0.0)),
        price_decline_rate=float(raw.get("price_decline_rate", 0.0)),
        opex_change_gbp_per_camera_year=float(raw.get("opex_change_gbp_per_camera_year", 0.0)),
        hosting=str(hosting),
        review_time_cut=float(raw.get("review_time_cut", 0.0)),
    )


def scenarios_from_assumptions(assumptions: Assumptions) -> tuple[Scenario, ...]:
    """Every ``economics_scenarios.scenario_<name>`` entry, in file order, baseline first."""
    found = tuple(
        scenario_from_mapping(key.removeprefix("scenario_"), entry.value)
        for key, entry in assumptions.section(SECTION).items()
        if key.startswith("scenario_")
    )
    baseline = [s for s in found if s.name == BASELINE]
    if not baseline:
        raise DataError(f"{SECTION} has no scenario_{BASELINE} entry")
    return (baseline[0], *(s for s in found if s.name != BASELINE))


# --- per-camera models -------------------------------------------------------------------


def bitrate_mbps(
    resolution_h_px: npt.ArrayLike,
    resolution_v_px: npt.ArrayLike,
    codec: npt.ArrayLike,
    fps: npt.ArrayLike,
    bits_per_pixel: Mapping[str, float],
) -> npt.NDArray[np.float64]:
    """Mean recorded stream rate [Mbit/s] = h × v × fps × bits per pixel (codec) / 10^6.

    >>> bpp = {"h264": 0.08, "h265": 0.045}
    >>> bitrate_mbps([1920, 1920], [1080, 1080], ["h264", "h265"], [25, 25], bpp).round(4)
    array([4.1472, 2.3328])
    """
    codes = np.asarray(codec, dtype=object)
    unknown = set(np.unique(codes.astype(str))) - set(bits_per_pixel)
    if unknown:
        raise DataError(f"no bits per pixel for codec(s) {sorted(unknown)}")
    bpp = np.array([bits_per_pixel[str(c)] for c in codes.ravel()], dtype=float).reshape(
        codes.shape
    )
    pixels = np.asarray(resolution_h_px, dtype=float) * np.asarray(resolution_v_px, dtype=float)
    return np.asarray(pixels * np.asarray(fps, dtype=float) * bpp / 1e6, dtype=np.float64)


def storage_tb(bitrate: npt.ArrayLike, retention_days: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Recording storage [TB, 10^12 bytes] = Mbit/s × 86,400 s × days / 8 / 10^6.

    >>> storage_tb(4.0, 31).item()
    1.3392
    """
    rate = np.asarray(bitrate, dtype=float)
    days = np.asarray(retention_days, dtype=float)
    return np.asarray(rate * 86_400.0 * days / 8.0 / 1e6, dtype=np.float64)


def _has_any(cells: pd.Series, wanted: frozenset[str]) -> npt.NDArray[np.bool_]:
    """True where a ``;``-joined cell holds any of ``wanted`` (evaluated per unique cell)."""
    values = cells.fillna("").astype(str)
    lookup = {u: bool(wanted & set(u.split(LIST_SEPARATOR))) for u in values.unique()}
    return values.map(lookup).to_numpy(dtype=bool)


@dataclass(frozen=True, slots=True)
class ProvisionalRule:
    """Provisional evidential rule set (``economics_scenarios.compliance_*``).

    A camera complies when its signal, codec and time sync are in the allowed
    sets, its width, frame rate and retention reach the minima, and it can
    export in at least one open format. Callable on a camera table.
    """

    signals: frozenset[str]
    min_resolution_h_px: int
    min_fps: float
    codecs: frozenset[str]
    min_retention_days: int
    open_export_formats: frozenset[str]
    time_sync: frozenset[str]

    @classmethod
    def from_assumptions(cls, assumptions: Assumptions) -> ProvisionalRule:
        """The rule set of an assumptions file."""

        def values(name: str) -> frozenset[str]:
            return frozenset(str(v) for v in assumptions.value(f"{SECTION}.compliance_{name}"))

        return cls(
            signals=values("signal"),
            min_resolution_h_px=int(assumptions.value(f"{SECTION}.compliance_min_resolution_h_px")),
            min_fps=float(assumptions.value(f"{SECTION}.compliance_min_fps")),
            codecs=values("codecs"),
            min_retention_days=int(assumptions.value(f"{SECTION}.compliance_min_retention_days")),
            open_export_formats=values("open_export_formats"),
            time_sync=values("time_sync"),
        )

    def __call__(self, cameras: pd.DataFrame) -> npt.NDArray[np.bool_]:
        """One bool per camera row: True where every rule holds."""
        ok = np.array(cameras["signal"].astype(str).isin(self.signals), dtype=bool)
        ok &= cameras["resolution_h_px"].to_numpy(dtype=float) >= self.min_resolution_h_px
        ok &= cameras["fps"].to_numpy(dtype=float) >= self.min_fps
        ok &= cameras["codec"].astype(str).isin(self.codecs).to_numpy()
        ok &= cameras["retention_days"].to_numpy(dtype=float) >= self.min_retention_days
        ok &= _has_any(cameras["export_formats"], self.open_export_formats)
        ok &= cameras["time_sync"].astype(str).isin(self.time_sync).to_numpy()
        return np.asarray(ok, dtype=bool)


def _add_to_lists(cells: pd.Series, added: tuple[str, ...], where: npt.NDArray[np.bool_]) -> Any:
    """``;``-joined cells with ``added`` appended (no duplicates) on rows ``where``."""
    values = cells.fillna("").astype(str)

    def extend(cell: str) -> str:
        items = [v for v in cell.split(LIST_SEPARATOR) if v]
        items += [a for a in added if a not in items]
        return LIST_SEPARATOR.join(items)

    lookup = {u: extend(u) for u in values.unique()}
    return np.where(where, values.map(lookup).to_numpy(dtype=object), values.to_numpy(dtype=object))


def apply_change(
    cameras: pd.DataFrame, change: CameraChange, bits_per_pixel: Mapping[str, float]
) -> pd.DataFrame:
    """The camera table after ``change`` on every row (callers mask to touched rows).

    The codec moves to the target only where the target needs fewer bits per
    pixel (so "h264" upgrades MJPEG/MPEG-4 and leaves H.265 alone).
    """
    out = cameras.copy()
    if change.signal is not None:
        out["signal"] = change.signal
    if change.min_resolution_px is not None:
        h, v = change.min_resolution_px
        h_now = out["resolution_h_px"].to_numpy(dtype=np.int64)
        v_now = out["resolution_v_px"].to_numpy(dtype=np.int64)
        raise_res = h_now * v_now < h * v
        out["resolution_h_px"] = np.where(raise_res, h, h_now)
        out["resolution_v_px"] = np.where(raise_res, v, v_now)
    if change.codec is not None:
        target_bpp = bits_per_pixel[change.codec]
        now_bpp = out["codec"].astype(str).map(bits_per_pixel).to_numpy(dtype=float)
        out["codec"] = np.where(now_bpp > target_bpp, change.codec, out["codec"].to_numpy())
    if change.time_sync is not None:
        synced = out["time_sync"].astype(str).isin(SYNCED_TIME).to_numpy()
        out["time_sync"] = np.where(synced, out["time_sync"].to_numpy(), change.time_sync)
    if change.min_retention_days is not None:
        out["retention_days"] = np.maximum(
            out["retention_days"].to_numpy(dtype=np.int64), change.min_retention_days
        )
    if change.add_export_formats:
        everywhere = np.ones(len(out), dtype=bool)
        out["export_formats"] = _add_to_lists(
            out["export_formats"], change.add_export_formats, everywhere
        )
    if change.add_onvif_profiles:
        is_ip = (out["signal"].astype(str) == "ip").to_numpy()
        out["onvif_profiles"] = _add_to_lists(
            out["onvif_profiles"], change.add_onvif_profiles, is_ip
        )
    return out
