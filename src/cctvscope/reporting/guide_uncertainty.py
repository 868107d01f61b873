"""The guide's sentence on the detection curve beyond its data (p at today's screen load).

Today's detections rest on p(S) at each room's screens per operator; the PSDB data stop at
9 monitors, so a larger S is an extrapolation whose value depends on the curve's form.
The sentence names the model's value, the other forms' values and what they make of
today's detections (the monitoring table's low/high columns).
"""

from __future__ import annotations

from cctvscope.optimisation.detection_fits import detection_at_from_assumptions
from cctvscope.workflows.guide import GuideInputs
from cctvscope.workflows.headline_ranges import detection_factors


def detection_extrapolation(inputs: GuideInputs) -> str:
    """The sentence on p beyond the data at the largest screen load of today's rooms, or
    "" when no room's load is beyond the data."""
    mon = inputs.monitoring
    factors = detection_factors(mon)
    if mon is None or factors is None or not mon["detection_extrapolated"].astype(bool).any():
        return ""
    screens = int(mon["screens_per_operator"].max())
    at = detection_at_from_assumptions(screens, inputs.assumptions)
    others = dict(at.by_form[1:])
    today = float(mon["detections_per_year_status_quo"].sum())
    low = float(mon["detections_per_year_status_quo_low"].sum())
    high = float(mon["detections_per_year_status_quo_high"].sum())
    return (
        f" Today's rooms give an operator up to {screens} screens, beyond the PSDB data "
        f"({at.data_max_screens:g} monitors at most): p({screens}) = {at.value:.2f} on the "
        f"model's curve ({at.by_form[0][0]}) is an extrapolation; a linear fit to the same "
        f"points gives {others['linear']:.2f} and a log-linear one {others['log-linear']:.2f}, "
        f"so today's {today:,.0f} detections a year could be ×{factors[0]:.2f} to "
        f"×{factors[1]:.2f} ({low:,.0f} to {high:,.0f})."
    )
