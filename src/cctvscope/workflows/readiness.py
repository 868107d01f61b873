"""What an analysis needs from an estate and its region, and the sentence for what is missing.

Each analysis runs what it can: a sub-analysis whose inputs are missing is skipped
with a message naming the input and how to supply it (the borough return
template, an import, or a region layer). Nothing is substituted: in particular
London's cost profile is used only when the estate's own ``cost_items`` table
holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from cctvscope.model.enums import OwnerType
from cctvscope.model.estate import Estate
from cctvscope.workflows.region_inputs import missing_message

#: The bundled London cost profile, used elsewhere only when the estate holds its items.
LONDON_PROFILE = "london-default"
TEMPLATE = "cctvscope template return --out return.xlsx"


class Need(StrEnum):
    """Estate tables an analysis may need."""

    COST_ITEMS = "cost_items"
    CONTROL_ROOMS = "control_rooms"
    CONTRACTS = "contracts"
    EVIDENCE_STATS = "evidence_stats"
    MONITORED_CAMERAS = "monitored council cameras"


#: What each table is called in messages.
NEED_WHAT: dict[Need, str] = {
    Need.COST_ITEMS: "cost profile (cost items)",
    Need.CONTROL_ROOMS: "control rooms",
    Need.CONTRACTS: "contracts",
    Need.EVIDENCE_STATS: "evidence statistics",
    Need.MONITORED_CAMERAS: "monitored council cameras",
}


def how_to_supply(need: Need, estate: str) -> str:
    """The commands that supply a table (the return template and its import)."""
    if need is Need.MONITORED_CAMERAS:
        return (
            f"cctvscope import cameras FILE --estate {estate} with council cameras and a "
            "control_room_id column (after cctvscope import control_rooms)"
        )
    return f"{TEMPLATE}, then cctvscope import {need.value} return.xlsx --estate {estate}"


def need_message(title: str, need: Need, estate: str) -> str:
    """The standard missing-input sentence for an estate table."""
    return missing_message(title, NEED_WHAT[need], how_to_supply(need, estate))


@dataclass(frozen=True)
class CostProfileChoice:
    """The cost profile an analysis uses, or None, and a sentence saying which and why."""

    profile: str | None
    note: str


def cost_profile_choice(estate: Estate) -> CostProfileChoice:
    """The cost profile an estate's analyses use, or None.

    In order: the boroughs' own profile when its items exist; for boroughs naming
    none (a new region's), the estate's only profile; else ``london-default`` when
    held. London's ``london-default`` is taken only when the estate's own ``cost_items``
    table holds it (imported or built with the London estate): it is never read
    from the bundled data for another region.
    """
    held = set(estate.cost_items["profile"].astype(str))
    named = [p for p in pd.unique(estate.boroughs["cost_profile"].astype(str)) if p]
    for profile in named:
        if profile in held:
            return CostProfileChoice(profile, f"cost profile {profile!r} (the areas' own)")
    if len(held) == 1 and not named:
        (only,) = held
        return CostProfileChoice(only, f"cost profile {only!r} (the estate's only one)")
    if LONDON_PROFILE in held:
        note = f"cost profile {LONDON_PROFILE!r} (held in the estate's cost items)"
        return CostProfileChoice(LONDON_PROFILE, note)
    return CostProfileChoice(None, "no cost profile")


#: Cost items value for money and the technology scenarios read from the profile.
COSTED_ITEMS = ("camera_installation", "camera_running")
#: Cost items camera placement reads.
PLACEMENT_ITEMS = ("camera_installation",)


def lacking_items(estate: Estate, profile: str, items: tuple[str, ...]) -> tuple[str, ...]:
    """The ``items`` the estate's cost profile ``profile`` does not hold."""
    costs = estate.cost_items
    held = set(costs.loc[costs["profile"].astype(str) == profile, "item"].astype(str))
    return tuple(item for item in items if item not in held)


def items_message(title: str, profile: str, lacking: tuple[str, ...], estate: str) -> str:
    """The missing-input sentence for cost items a profile lacks."""
    what = f"cost items {', '.join(lacking)} in the cost profile {profile!r}"
    return missing_message(title, what, how_to_supply(Need.COST_ITEMS, estate))


def with_cost_profile(estate: Estate, profile: str) -> Estate:
    """``estate`` with ``profile`` on every borough whose own profile has no items.

    The analyses read the profile from the boroughs table; an estate whose boroughs
    name no held profile (a new region's) is given the chosen one for the computation.
    """
    held = set(estate.cost_items["profile"].astype(str))
    unheld = ~estate.boroughs["cost_profile"].astype(str).isin(held)
    if not unheld.any():
        return estate
    boroughs = estate.boroughs.copy()
    boroughs.loc[unheld, "cost_profile"] = profile
    return estate.replace_tables(boroughs=boroughs)


def monitored_council_cameras(estate: Estate) -> pd.DataFrame:
    """Council cameras assigned to a control room."""
    cams = estate.cameras
    monitored: pd.DataFrame = cams[
        (cams["owner_type"].astype(str) == OwnerType.COUNCIL.value)
        & cams["control_room_id"].notna()
        & (cams["control_room_id"].astype(str) != "")
    ]
    return monitored


def missing_tables(estate: Estate, needs: tuple[Need, ...]) -> tuple[Need, ...]:
    """The needs the estate cannot meet (empty tables; no held cost profile)."""
    out: list[Need] = []
    for need in needs:
        if need is Need.COST_ITEMS:
            lacking = cost_profile_choice(estate).profile is None
        elif need is Need.MONITORED_CAMERAS:
            lacking = monitored_council_cameras(estate).empty
        else:
            lacking = estate.table(need.value).empty
        if lacking:
            out.append(need)
    return tuple(out)


__all__ = [
    "COSTED_ITEMS",
    "LONDON_PROFILE",
    "PLACEMENT_ITEMS",
    "CostProfileChoice",
    "Need",
    "cost_profile_choice",
    "how_to_supply",
    "items_message",
    "lacking_items",
    "missing_tables",
    "monitored_council_cameras",
    "need_message",
    "with_cost_profile",
]
