"""The bundled open camera-model catalogue: a register's make/model to lens and image attributes.

Two CC0 tables from ``ch-bas/cctv-camera-database`` are bundled in
``cctvscope/data/real/camera_models`` (provenance in ``SOURCES.md``): 62 UK-common models with
datasheet detail and the 3,988-model summary. :func:`read_camera_catalogue` merges them into one
row per model; :func:`resolve_camera_model` and :func:`resolve_many` look a register's camera up
in that frame, so cameras named in a register need no default resolution, field of view, PTZ,
IR range or frame rate.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

import pandas as pd

from cctvscope.ingest.london import data_path

DETAILED_FILE = "camera_models/cctv_camera_models_uk_brands.csv"
SUMMARY_FILE = "camera_models/cctv_camera_database_summary.csv"

#: Columns of :func:`read_camera_catalogue`, in order.
CATALOGUE_COLUMNS = (
    "brand", "model", "key", "model_key", "alt_model_key", "camera_type", "resolution_h_px",
    "resolution_v_px", "hfov_deg", "ptz", "ir_range_m", "max_fps", "source",
)  # fmt: skip

#: Shortest model key a prefix match may rest on; shorter keys match too many families.
MIN_PREFIX_CHARS = 6

# Register spellings of a brand (upper case, letters and digits only) -> the catalogue's name.
_BRAND_SYNONYMS: dict[str, str] = {
    "HIK": "Hikvision", "HIKVISIONDIGITALTECHNOLOGY": "Hikvision",
    "AXISCOMMUNICATIONS": "Axis",
    "PANASONIC": "i-PRO", "PANASONICIPRO": "i-PRO",
    "SAMSUNG": "Hanwha", "SAMSUNGWISENET": "Hanwha", "HANWHAVISION": "Hanwha",
    "HANWHATECHWIN": "Hanwha", "WISENET": "Hanwha",
    "BOSCHSECURITY": "Bosch", "BOSCHSECURITYSYSTEMS": "Bosch",
    "360VISION": "360 Vision Technology", "DAHUATECHNOLOGY": "Dahua", "UNV": "Uniview",
}  # fmt: skip

_TRAILING_BRACKET = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]\s*$")
_MODEL_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_./\\]+")

_WXH = re.compile(r"(?<![\d.])(\d{3,5})\s*[x×]\s*(\d{3,5})(?![\d.])")
_MEGAPIXELS = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*MP", re.IGNORECASE)
_NAMED_FORMATS: tuple[tuple[re.Pattern[str], tuple[int, int]], ...] = (
    (re.compile(r"(?<![\d.])4K\b|\b2160p\b", re.I), (3840, 2160)),
    (re.compile(r"\b1440p\b|\bW?QHD\b|\bQuad HD\b", re.I), (2560, 1440)),
    (re.compile(r"\b1080p\b|\bFull ?HD\b|\bFHD\b", re.I), (1920, 1080)),
    (re.compile(r"\b960p\b", re.I), (1280, 960)),
    (re.compile(r"\b720p\b", re.I), (1280, 720)),
    (re.compile(r"\bVGA\b", re.I), (640, 480)),
    (re.compile(r"\bQVGA\b", re.I), (320, 240)),
)

_NUM = r"\d+(?:\.\d+)?"
_LABELS = r"horizontal|vertical|diagonal|thermal|pan|tilt|panoram|fisheye|\bH\b|\bV\b|\bD\b"
# A bracket that qualifies a figure without saying which angle it is: "(2.8mm)", "(wide)".
_NEUTRAL = rf"\((?![^()]*(?:{_LABELS}))[^()]*\)"
_ITEM = rf"{_NUM}\s*(?:°|deg\b)?(?:\s*{_NEUTRAL})?"
_SEP = r"(?:\s*(?:-|–|—|~|±|\bto\b|/|,|\|)\s*|\s+)"
_HORIZONTAL_AFTER = re.compile(
    rf"(?<![\d.])(?P<run>{_ITEM}(?:{_SEP}{_ITEM})*)\s*(?P<label>horizontal\b|H\b|"
    r"panoramic\b|panorama\b|(?:hemispheric\s+)?fisheye\b|"
    r"\([^()]*\b(?:horizontal|H|panoramic|panorama)\b[^()]*\))",
    re.IGNORECASE,
)
_HORIZONTAL_BEFORE = re.compile(
    rf"\b(?:horizontal|H)\b\s*(?:\([^()]*\))?\s*:?\s*(?P<run>{_NUM}(?:\s*(?:-|–|to|~)\s*{_NUM})?)",
    re.IGNORECASE,
)
_H_BY_V = re.compile(rf"^\s*(?P<h>{_NUM})\s*[x×]\s*{_NUM}\s*(?:\(\s*H\s*x\s*V\s*\))?\s*$", re.I)


def normalise_model(text: str) -> str:
    """Model match key: upper case, no separators, no trailing bracketed variant.

    Spaces, hyphens (and dashes), underscores, dots and slashes are dropped.

    >>> normalise_model("ds-2cd2087g2-lu")
    'DS2CD2087G2LU'
    >>> normalise_model("DS 2CD2087G2 LU")
    'DS2CD2087G2LU'
    >>> normalise_model("DS-2CD1027G2H-LIU(F)")
    'DS2CD1027G2HLIU'
    """
    stripped = _TRAILING_BRACKET.sub("", text.strip()) or text
    return _MODEL_SEPARATORS.sub("", stripped.upper())


def normalise_brand(text: str) -> str:
    """Brand match key, synonyms folded: ``"AXIS Communications"`` -> ``"AXIS"``.

    >>> normalise_brand("Samsung Wisenet"), normalise_brand("hik"), normalise_brand("i-PRO")
    ('HANWHA', 'HIKVISION', 'IPRO')
    """
    key = re.sub(r"[^0-9A-Z]", "", text.upper())
    canonical = _BRAND_SYNONYMS.get(key)
    return re.sub(r"[^0-9A-Z]", "", canonical.upper()) if canonical else key


def _bracket_code(text: str) -> str:
    """Key of an order code in a trailing bracket, as in ``"AUTODOME 7100i (NDP-7802-Z40L)"``.

    Only hyphenated tokens with a digit and no spaces count, so remarks such as
    ``"(box, lens not included)"`` or ``"(MENA)"`` are not taken for codes.
    """
    found = _TRAILING_BRACKET.search(text.strip())
    inner = found.group(1).strip() if found else ""
    if not inner or " " in inner or "-" not in inner or not re.search(r"\d", inner):
        return ""
    return normalise_model(inner)


def parse_resolution(text: str) -> tuple[int, int] | None:
    """Pixels (horizontal, vertical) from a resolution label; ``None`` if it does not say.

    An explicit ``W x H`` wins; otherwise a standard name (4K, 1440p/QHD, 1080p, 960p, 720p,
    VGA) is used unless the label's megapixel figure contradicts it. A bare "4MP" or "2K" is
    not resolved: sensors of that class come in several aspect ratios.

    >>> parse_resolution("2MP (1920x1080)")
    (1920, 1080)
    >>> parse_resolution("4K UHD")
    (3840, 2160)
    >>> parse_resolution("4MP") is None, parse_resolution("2 MP (4K-interpolated recording)")
    (True, None)
    """
    has_visible = re.search(r"visible|optical", text, re.IGNORECASE) is not None
    for found in _WXH.finditer(text):
        nearby = text[max(0, found.start() - 10) : found.end() + 10].lower()
        if not (has_visible and "thermal" in nearby):  # the thermal imager is the second eye
            return int(found.group(1)), int(found.group(2))
    named = [(m.start(), size) for rx, size in _NAMED_FORMATS for m in rx.finditer(text)]
    if not named:
        return None
    width, height = min(named)[1]
    megapixels = _MEGAPIXELS.search(text)
    if megapixels and float(megapixels.group(1)) > 0:
        ratio = width * height / 1e6 / float(megapixels.group(1))
        if not 0.8 <= ratio <= 1.25:  # "4K (12MP)", "3K/5MP QHD": the name is marketing
            return None
    return width, height


def parse_hfov_deg(text: str) -> float | None:
    """The widest horizontal field of view in a free-text angle description, degrees.

    Only figures labelled horizontal (``horizontal``, ``H``, ``(H)``, ``Horizontal:``) or
    panoramic/fisheye count, plus a bare ``H x V`` pair. Unlabelled figures may be diagonal and
    pan ranges are mechanical, so both give ``None``. Thermal figures are used only when nothing
    else is given. The result is capped at 360.

    >>> parse_hfov_deg("35 to 96 horizontal"), parse_hfov_deg("2.11-58.9 horizontal, 2-33 vertical")
    (96.0, 58.9)
    >>> parse_hfov_deg("86 horizontal, 46.8 vertical, 99.8 diagonal")
    86.0
    >>> parse_hfov_deg("2.8mm: 102.4 horizontal, 77.4 vertical; 4mm: 82.3 horizontal")
    102.4
    >>> parse_hfov_deg("360 panoramic"), parse_hfov_deg("120 diagonal"), parse_hfov_deg("350 pan")
    (360.0, None, None)
    """
    whole = _H_BY_V.match(text)
    if whole:
        return min(float(whole.group("h")), 360.0) or None
    visible: list[float] = []
    thermal: list[float] = []
    for segment in re.split(r";(?![^()]*\))", text):  # not the ";" inside "(wide ...; tele ...)"
        lowered = segment.lower()
        segment_thermal = "thermal" in lowered and not re.search(r"visible|optical", lowered)
        for rx in (_HORIZONTAL_AFTER, _HORIZONTAL_BEFORE):
            for found in rx.finditer(segment):
                if re.search(r"\bpans?\s*:?\s*$", segment[: found.start()], re.IGNORECASE):
                    continue  # "pan 355 (horizontal)": a mechanical range, not a view
                after = segment[found.end() :]
                if re.match(r"\s*rotation", after, re.IGNORECASE):
                    continue  # "360 horizontal rotation": how far the head turns, not a view
                label = found.groupdict().get("label") or ""
                is_thermal = segment_thermal or "thermal" in label.lower()
                is_thermal |= re.match(r"\s*\([^()]*thermal", after, re.IGNORECASE) is not None
                run = re.sub(r"\([^()]*\)", " ", found.group("run"))
                figures = [float(f) for f in re.findall(_NUM, run)]
                (thermal if is_thermal else visible).extend(figures)
    widest = max(visible or thermal, default=0.0)
    return min(widest, 360.0) if widest > 0 else None


@dataclass(frozen=True)
class CatalogueMatch:
    """A register camera resolved to a catalogue model, and how the match was made."""

    brand: str
    model: str
    how: Literal["exact", "model_only", "prefix"]
    resolution_h_px: int | None
    resolution_v_px: int | None
    hfov_deg: float | None
    ptz: bool | None
    ir_range_m: float | None
    max_fps: float | None
    source: str

    def attributes(self) -> tuple[object, ...]:
        """What two catalogue rows must share to count as the same camera for a register."""
        return (self.resolution_h_px, self.resolution_v_px, self.hfov_deg, self.ptz,
                self.ir_range_m, self.max_fps)  # fmt: skip


def _number(text: str) -> float:
    """A CSV cell as a float, NaN when blank or not a number."""
    value = pd.to_numeric(text.strip(), errors="coerce") if text.strip() else math.nan
    return float(value)


def _record(
    row: dict[str, str], size: tuple[int, int] | None, hfov: float | None, **rest: object
) -> dict[str, object]:
    """One catalogue row from a source row's brand, model and type plus parsed attributes."""
    brand_key, model_key = normalise_brand(row["brand"]), normalise_model(row["model"])
    camera_type = row["type"].strip().lower()
    record: dict[str, object] = {
        "brand": row["brand"].strip(), "model": row["model"].strip(),
        "key": f"{brand_key}:{model_key}", "model_key": model_key,
        "alt_model_key": _bracket_code(row["model"]), "camera_type": camera_type,
        "resolution_h_px": size[0] if size else pd.NA,
        "resolution_v_px": size[1] if size else pd.NA,
        "hfov_deg": math.nan if hfov is None else min(hfov, 360.0), "ptz": camera_type == "ptz",
    }  # fmt: skip
    return record | rest


@cache
def _catalogue() -> pd.DataFrame:
    """Both bundled CSVs merged (read once per process; callers get copies)."""
    read = {"dtype": str, "keep_default_na": False}
    detailed = pd.read_csv(data_path(DETAILED_FILE), **read)  # type: ignore[call-overload]
    summary = pd.read_csv(data_path(SUMMARY_FILE), **read)  # type: ignore[call-overload]
    records: list[dict[str, object]] = []
    for row in detailed.to_dict("records"):
        width, height, hfov = (_number(row[c]) for c in ("max_width", "max_height", "hfov_deg"))
        size = (int(width), int(height)) if width > 0 and height > 0 else None
        source = f"cctv-camera-database uk_brands {row['source_url'].strip()}"
        ir_range_m, max_fps = _number(row["ir_range_m"]), _number(row["max_fps"])
        hfov_or_none = None if math.isnan(hfov) else hfov
        records.append(
            _record(row, size, hfov_or_none, ir_range_m=ir_range_m, max_fps=max_fps, source=source)
        )
    # Datasheet rows win over summary rows of the same key, unless both carry different order
    # codes: "DINION 7100i IR (NBE-7702-ALX)" is another lens than "(NBE-7704-AL)".
    detailed_codes: dict[str, set[str]] = {}
    for done in records:
        detailed_codes.setdefault(str(done["key"]), set()).add(str(done["alt_model_key"]))
    for row in summary.to_dict("records"):
        size = parse_resolution(row["resolution_label"])
        source = f"cctv-camera-database summary {row['id'].strip()}"
        record = _record(
            row, size, parse_hfov_deg(row["field_of_view_deg"]),
            ir_range_m=math.nan, max_fps=math.nan, source=source,
        )  # fmt: skip
        codes, code = detailed_codes.get(str(record["key"])), str(record["alt_model_key"])
        # Without an order code on either side, the two rows are taken for the same camera.
        if codes is None or not (code in codes or "" in codes or not code):
            records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(CATALOGUE_COLUMNS))
    frame = frame.drop_duplicates(subset=["key", "alt_model_key"], keep="first")
    frame = frame.astype({"resolution_h_px": "Int64", "resolution_v_px": "Int64", "ptz": bool})
    frame = frame.astype({"hfov_deg": float, "ir_range_m": float, "max_fps": float})
    return frame.reset_index(drop=True)


def read_camera_catalogue() -> pd.DataFrame:
    """The bundled camera-model catalogue, one row per model.

    Columns: ``brand``, ``model``, ``key`` (``BRAND:MODELKEY``), ``model_key``
    (:func:`normalise_model`), ``alt_model_key`` (order code from a trailing bracket such as
    ``"(NDP-7802-Z40L)"``, else ``""``), ``camera_type``, ``resolution_h_px`` and
    ``resolution_v_px`` (Int64), ``hfov_deg`` (widest horizontal angle), ``ptz``,
    ``ir_range_m``, ``max_fps`` (NaN where unknown) and ``source``.
    """
    return _catalogue().copy()


def _optional(value: object) -> float | None:
    """A catalogue cell as a float, ``None`` for NaN/NA."""
    if isinstance(value, numbers.Real) and not math.isnan(float(value)):
        return float(value)
    return None


class _Index:
    """Look-up tables over one catalogue frame, built once per resolve batch."""

    def __init__(self, catalogue: pd.DataFrame) -> None:
        self.rows: list[CatalogueMatch] = []
        self.brand_keys: list[str] = []
        self.by_model: dict[str, list[int]] = {}
        for pos, row in enumerate(catalogue.itertuples(index=False)):
            h_px, v_px = _optional(row.resolution_h_px), _optional(row.resolution_v_px)
            match = CatalogueMatch(
                brand=str(row.brand), model=str(row.model), how="exact",
                resolution_h_px=None if h_px is None else int(h_px),
                resolution_v_px=None if v_px is None else int(v_px),
                hfov_deg=_optional(row.hfov_deg), ptz=bool(row.ptz),
                ir_range_m=_optional(row.ir_range_m), max_fps=_optional(row.max_fps),
                source=str(row.source),
            )  # fmt: skip
            self.rows.append(match)
            self.brand_keys.append(str(row.key).split(":", 1)[0])
            for model_key in {str(row.model_key), str(row.alt_model_key)} - {""}:
                self.by_model.setdefault(model_key, []).append(pos)
        self.brands = set(self.brand_keys)

    def pick(
        self, positions: Sequence[int], how: Literal["exact", "model_only", "prefix"]
    ) -> CatalogueMatch | None:
        """The match if the rows are one camera (or all agree), else ``None`` (ambiguous)."""
        ordered = sorted(set(positions))
        if len({self.rows[p].attributes() for p in ordered}) != 1:
            return None
        return replace(self.rows[ordered[0]], how=how)


def _readings(index: _Index, make: str, model: str) -> list[tuple[str, list[str]]]:
    """(brand key, model keys to try) for each way of reading the register's two cells."""
    make_key = normalise_brand(make)
    readings: list[tuple[str, str]] = []
    words = model.split()
    # "Hikvision DS-2CD2087G2-LU" in the model cell: split the brand off (up to 4 words).
    for n_words in range(min(4, len(words) - 1), 0, -1):
        lead = normalise_brand(" ".join(words[:n_words]))
        if lead in index.brands and (not make_key or lead == make_key):
            readings.append((lead, " ".join(words[n_words:])))
            break
    readings.append((make_key, model))
    # An order code in brackets is more specific than the name in front of it.
    return [(brand, [k for k in (_bracket_code(text), normalise_model(text)) if k])
            for brand, text in readings]  # fmt: skip


def _prefix_positions(index: _Index, brand: str, key: str) -> list[int]:
    """Rows whose key is the longest prefix of ``key``, else rows that ``key`` prefixes."""
    same_brand = brand in index.brands
    pool = [
        (model_key, pos)
        for model_key, positions in index.by_model.items()
        for pos in positions
        if not same_brand or index.brand_keys[pos] == brand
    ]
    longer = [(k, p) for k, p in pool if len(k) >= MIN_PREFIX_CHARS and key.startswith(k)]
    if longer:
        longest = max(len(k) for k, _ in longer)
        return [p for k, p in longer if len(k) == longest]
    if len(key) < MIN_PREFIX_CHARS:
        return []
    return [p for k, p in pool if k.startswith(key)]


def _resolve(index: _Index, make: str, model: str) -> CatalogueMatch | None:
    """Exact, then model-only, then prefix; the first stage with candidates decides."""
    if not model:
        return None
    readings = _readings(index, make, model)
    for brand, keys in readings:
        for key in keys:
            exact = [p for p in index.by_model.get(key, []) if index.brand_keys[p] == brand]
            if exact:
                return index.pick(exact, "exact")
    for _, keys in readings:
        for key in keys:
            if key in index.by_model:
                return index.pick(index.by_model[key], "model_only")
    for brand, keys in readings:
        for key in keys:
            positions = _prefix_positions(index, brand, key)
            if positions:
                return index.pick(positions, "prefix")
    return None


def _clean(value: object) -> str:
    """A register cell as text: blank for missing values (None, NaN)."""
    return value.strip() if isinstance(value, str) else ""


def resolve_camera_model(catalogue: pd.DataFrame, make: str, model: str) -> CatalogueMatch | None:
    """Resolve one register camera's make and model against ``catalogue``.

    Tried in order: brand + model key (brand synonyms folded, case ignored); the model key
    alone if the catalogue rows holding it agree; the longest catalogue key that prefixes the
    model, or the catalogue keys the model prefixes (at least :data:`MIN_PREFIX_CHARS`
    characters, within the brand when the catalogue knows it). An empty ``make`` with
    ``"Brand Model"`` in ``model`` is read as both. Ambiguity gives ``None``. Each call indexes
    the catalogue afresh; use :func:`resolve_many` for a register's columns.
    """
    return _resolve(_Index(catalogue), _clean(make), _clean(model))


def resolve_many(
    catalogue: pd.DataFrame, makes: Sequence[str], models: Sequence[str]
) -> list[CatalogueMatch | None]:
    """:func:`resolve_camera_model` for a register column pair, one look-up per distinct pair."""
    if len(makes) != len(models):
        raise ValueError(f"{len(makes)} makes but {len(models)} models")
    index = _Index(catalogue)
    memo: dict[tuple[str, str], CatalogueMatch | None] = {}
    out: list[CatalogueMatch | None] = []
    for make, model in zip(makes, models, strict=True):
        pair = (_clean(make), _clean(model))
        if pair not in memo:
            memo[pair] = _resolve(index, *pair)
        out.append(memo[pair])
    return out
