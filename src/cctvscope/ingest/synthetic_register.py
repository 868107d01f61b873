"""Synthetic contracts register, evidence statistics and the ``london-default`` cost profile.

Contract values are sized from each borough's council cameras and the
Wandsworth running cost per camera (FOI 2010); evidence requests from recorded
crime and the share of London crimes where CCTV was available (London Assembly
FOI, 2012/13); cost items carry their own source and price base year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from cctvscope.ingest.synthetic_params import ParamReader, draw_categorical
from cctvscope.model.enums import ContractCategory, RetrievalModel
from cctvscope.model.prices import PriceBase

CONTRACTS = "synthetic_contracts"
EVIDENCE = "synthetic_evidence"
COSTS = "synthetic_costs"
COST_ITEM_KEYS = (
    "camera_installation",
    "camera_running",
    "control_room_refurbishment",
    "control_room_fixed",
    "operator_fte",
)


def supplier_name(number: int) -> str:
    """A clearly synthetic supplier name."""
    return f"Supplier {number:02d} (synthetic)"


def _add_months(first_of_month: dt.date, months: int) -> dt.date:
    total = first_of_month.year * 12 + (first_of_month.month - 1) + months
    return dt.date(total // 12, total % 12 + 1, 1)


def build_contracts(
    rng: np.random.Generator,
    reader: ParamReader,
    council_cameras: Mapping[str, int],
    reference_date: dt.date,
) -> pd.DataFrame:
    """One contract per borough and category (boroughs sorted, categories in enum order).

    annual value = cameras × camera_running × category share × exp(N(0, σ)), with
    camera_running moved from its price year to the price base year (contracts are
    current spend, so they are valued in base-year pounds);
    the reference date falls uniformly inside each term, so end dates spread
    over the following years.
    """
    running_spec = reader.value(f"{COSTS}.camera_running")
    running = float(
        PriceBase.from_assumptions(reader.assumptions).to_base_gbp(
            float(running_spec["value_gbp"]), int(running_spec["price_base_year"])
        )
    )
    shares = reader.shares(f"{CONTRACTS}.category_shares")
    sigma = reader.number(f"{CONTRACTS}.value_noise_sigma")
    pool = reader.integer(f"{CONTRACTS}.supplier_pool_size")
    terms = reader.shares(f"{CONTRACTS}.term_years_shares")
    rank_w = 1.0 / np.arange(1, pool + 1)
    start_month = dt.date(reference_date.year, reference_date.month, 1)
    rows: list[dict[str, object]] = []
    for code in sorted(council_cameras):
        n_cat = len(ContractCategory)
        noise = np.exp(rng.normal(0.0, sigma, n_cat))
        supplier = rng.choice(pool, size=n_cat, p=rank_w / rank_w.sum()) + 1
        term = draw_categorical(rng, terms, n_cat).astype(np.int64)
        elapsed = np.floor(rng.random(n_cat) * term * 12).astype(np.int64)
        for i, cat in enumerate(ContractCategory):
            start = _add_months(start_month, -int(elapsed[i]))
            rows.append(
                {
                    "contract_id": f"con-{code}-{cat.value}",
                    "borough_code": code,
                    "category": cat.value,
                    "supplier": supplier_name(int(supplier[i])),
                    "annual_value_gbp": round(
                        council_cameras[code] * running * shares[cat.value] * float(noise[i]), 0
                    ),
                    "start_date": start,
                    "end_date": _add_months(start, int(term[i]) * 12),
                    "provenance": "synthetic",
                }
            )
    return pd.DataFrame(rows)


def cctv_available_share_of_crimes(reader: ParamReader) -> float:
    """Share of recorded crimes where CCTV was available: (recovered + not obtained) / MPS crimes.

    London Assembly FOI (12 months to May 2013): 23,278 + 118,287 crimes, over
    771,566 MPS recorded crimes in FY2012/13, i.e. about 0.1835.
    """
    recovered = reader.number(f"{EVIDENCE}.foi_cctv_recovered_crimes")
    not_obtained = reader.number(f"{EVIDENCE}.foi_cctv_not_obtained_crimes")
    total = reader.number(f"{EVIDENCE}.mps_recorded_crimes_fy2012")
    return (recovered + not_obtained) / total


def build_evidence_stats(
    rng: np.random.Generator, reader: ParamReader, boroughs: pd.DataFrame, year: int
) -> pd.DataFrame:
    """Per borough: requests = round(crimes × CCTV-available share), usable share, model."""
    share = cctv_available_share_of_crimes(reader)
    frame = boroughs.sort_values("gss_code")
    crimes = frame["recorded_crimes_per_year"].to_numpy(float)
    models = draw_categorical(rng, reader.shares(f"{EVIDENCE}.retrieval_model_shares"), len(frame))
    return pd.DataFrame(
        {
            "borough_code": frame["gss_code"].to_numpy(),
            "year": year,
            "requests_per_year": np.rint(crimes * share).astype(np.int64),
            "footage_available_share": reader.number(f"{EVIDENCE}.footage_usable_share"),
            "retrieval_model": [RetrievalModel(str(m)).value for m in models],
            "provenance": "synthetic",
        }
    )


def build_cost_items(reader: ParamReader, price_base_year_links: int) -> pd.DataFrame:
    """The cost profile: sourced unit costs plus the assumed per-link running costs."""
    profile = str(reader.value(f"{COSTS}.profile_name"))
    rows: list[dict[str, object]] = []
    for key in COST_ITEM_KEYS:
        entry = reader.assumptions.get(f"{COSTS}.{key}")
        spec = reader.value(f"{COSTS}.{key}")
        source = "assumption" if entry.status == "assumption" else f"{entry.source}; {entry.note}"
        rows.append(
            {
                "profile": profile,
                "item": key,
                "value_gbp": float(spec["value_gbp"]),
                "per": str(spec["per"]),
                "price_base_year": int(spec["price_base_year"]),
                "source": source,
            }
        )
    for link_type, value in reader.value("synthetic_links.annual_cost_gbp_by_type").items():
        rows.append(
            {
                "profile": profile,
                "item": f"link_{link_type}",
                "value_gbp": float(value),
                "per": "link-year",
                "price_base_year": price_base_year_links,
                "source": "assumption",
            }
        )
    return pd.DataFrame(rows)
