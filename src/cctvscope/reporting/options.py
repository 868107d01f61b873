"""Files of the options analyses: control-room options and maps, monitoring, placement."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cctvscope.model.estate import Estate
from cctvscope.optimisation.control_rooms import OptionsResult
from cctvscope.optimisation.placement import PlacementResult
from cctvscope.reporting.charts.control_rooms import option_map
from cctvscope.reporting.charts.placement import placement_map
from cctvscope.reporting.safe_csv import write_csv


def write_control_room_options(result: OptionsResult, estate: Estate, out_dir: Path) -> list[Path]:
    """``control_room_options.csv`` (the status quo as its first row) and SVG maps
    (``control_rooms_<k>.svg``) of the three options with fewest rooms, the best NPV
    and the most rooms."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sq = result.status_quo
    status_quo = pd.DataFrame(
        [
            {
                "rooms": len(sq.rooms),
                "status": "status quo",
                "open_rooms": ";".join(sq.rooms),
                "annual_cost_gbp_per_year": sq.annual_cost_gbp_per_year,
                "one_off_gbp": 0.0,
                "annual_saving_gbp_per_year": 0.0,
                "npv_gbp": 0.0,
            }
        ]
    )
    table = pd.concat([status_quo, result.table()], ignore_index=True)
    csv = out_dir / "control_room_options.csv"
    write_csv(table, csv, float_format="%.6g")
    paths = [csv]
    feasible = [o for o in result.options if o.status == "optimal"]
    # Maps of the options a reader compares: the three fewest rooms, the best NPV and the
    # most rooms (a map is ~0.3 s; drawing all thirty made the demo slow for no reader).
    by_rooms = sorted(feasible, key=lambda o: o.room_count)
    chosen = {o.room_count: o for o in by_rooms[:3] + by_rooms[-1:]}
    if feasible:
        best = max(feasible, key=lambda o: o.npv_gbp)
        chosen[best.room_count] = best
    for k in sorted(chosen):
        paths.append(option_map(estate, chosen[k], out_dir / f"control_rooms_{k}.svg"))
    return paths


def write_monitoring(monitoring: pd.DataFrame, out_dir: Path) -> list[Path]:
    """``monitoring.csv``: per council room, detections and cost per detection, three ways."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "monitoring.csv"
    write_csv(monitoring, path, float_format="%.6g")
    return [path]


def write_placement(results: dict[str, PlacementResult], out_dir: Path) -> list[Path]:
    """Per area: ``placement_<area>.csv`` (new sites) and ``placement_<area>.svg`` (map)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for area, result in results.items():
        csv = out_dir / f"placement_{area}.csv"
        write_csv(result.sites, csv, float_format="%.6g")
        paths += [csv, placement_map(result, out_dir / f"placement_{area}.svg")]
    return paths
