"""The guide's text for registry figures and for building occlusion, each from one source.

Chapters print a registry figure (:mod:`cctvscope.workflows.headline_figures`) through
:func:`figure_text`, so the same figure reads the same everywhere; the occlusion
sentences come from :class:`~cctvscope.workflows.guide.Occlusion`, the footprints the
coverage run used.
"""

from __future__ import annotations

from cctvscope.coverage.detail import assumed_ptz_tasked_hfov_deg
from cctvscope.reporting.guide_text import gbp, plural
from cctvscope.workflows.guide import GuideInputs
from cctvscope.workflows.headline_figures import HeadlineFigure, headline_figures

#: What the borough maps and value for money draw (and joint coverage, when computed without
#: the coverage grid): wedges, never occluded.
MAP_COVERAGE = "camera view wedges not occluded by buildings"


def _amount(figure: HeadlineFigure, value: float) -> str:
    """``value`` in ``figure``'s unit, without the "a year" of yearly units."""
    if figure.unit == "rooms":
        return plural(round(value), "room")
    if figure.unit == "fraction":
        return f"{100 * value:.1f}%"
    if figure.unit in ("GBP per year", "GBP"):
        return gbp(value)
    if figure.unit == "hours per year":
        return f"{value:,.0f}"
    raise ValueError(f"no guide format for unit {figure.unit!r} of {figure.name}")


def _per(figure: HeadlineFigure) -> str:
    """What follows the amount: its count noun and "a year" for yearly units."""
    noun = " hours" if figure.unit == "hours per year" else ""
    return noun + (" a year" if figure.unit.endswith("per year") else "")


def figure_text(figure: HeadlineFigure) -> str:
    """A registry figure as the guide prints it (by its unit)."""
    return _amount(figure, figure.value) + _per(figure)


#: The range cell of a figure without a range (its ``drivers`` say why).
NO_RANGE = "–"


def range_text(figure: HeadlineFigure) -> str:
    """A registry figure's range as the guide prints it: "low to high", or a dash when
    the figure has none (``low == high``)."""
    low, high = _amount(figure, figure.low), _amount(figure, figure.high)
    if low == high:
        return NO_RANGE
    return f"{low} to {high}{_per(figure)}"


def registry_text(inputs: GuideInputs, name: str) -> str | None:
    """The printed text of registry figure ``name``, or None when it was not computed."""
    figure = headline_figures(inputs).get(name)
    return None if figure is None else figure_text(figure)


def rooms_sentence(inputs: GuideInputs) -> str:
    """Which rooms "today" counts, against the rooms on the map."""
    figures = headline_figures(inputs)
    every = figures["control_rooms_in_estate"]
    today = figures.get("council_control_rooms_today")
    if today is None:
        return f"The estate holds {figure_text(every)} (council, shared, police and TfL)."
    others = round(every.value - today.value)
    return (
        f"Council cameras are monitored today in {figure_text(today)} of the estate's "
        f"{figure_text(every)} (all shown on the maps); the other {plural(others, 'room')} "
        "(police and TfL) keep their own cameras and may host council monitoring in an option."
    )


def cost_reconciliation(inputs: GuideInputs) -> list[list[str]]:
    """Rows (measure, value, what it counts, source) of the two annual costs, when both exist."""
    figures = headline_figures(inputs)
    names = ("council_cctv_annual_cost_gbp", "control_room_annual_cost_gbp")
    if not all(n in figures for n in names):
        return []
    return [
        [figures[n].label, figure_text(figures[n]), figures[n].definition, figures[n].source]
        for n in names
    ]


def occlusion_method(inputs: GuideInputs) -> str:
    """The methodology's sentence on building occlusion, as the coverage run applied it."""
    occ = inputs.occlusion
    if occ is None:
        return "Whether buildings occlude is not known for this run."
    if not occ.applied:
        return (
            "No building footprints were available, so no camera view is occluded by "
            "buildings, which overstates what cameras see."
        )
    return (
        f"Sight lines are occluded by {occ.footprints:,} OpenStreetMap building footprints "
        f"in {plural(occ.areas, 'area')} ({occ.area_km2:.1f} km²); elsewhere cameras are "
        "not occluded, which overstates what they see there."
    )


def ptz_method(inputs: GuideInputs) -> str:
    """The methodology's sentence on the zoom PTZ cameras are credited at (assumption
    ``coverage.ptz_tasked_hfov_deg`` as the coverage run applied it)."""
    cov = inputs.coverage
    # Without a coverage run, the assumption a run would apply is stated.
    tasked = (
        assumed_ptz_tasked_hfov_deg(inputs.assumptions)
        if cov is None
        else cov.options.ptz_tasked_hfov_deg
    )
    if tasked is None:
        return "PTZ cameras are credited the full circle at their widest angle."
    return (
        f"PTZ cameras are credited the full circle they can turn to, at the detail distances "
        f"of the field of view they are assumed tasked to, {tasked:g}° (assumption "
        "coverage.ptz_tasked_hfov_deg; never narrower than fully zoomed nor wider than their "
        "widest angle); the maps, value for money and joint coverage draw them at their "
        "widest angle."
    )


def map_coverage_note(inputs: GuideInputs) -> str:
    """The borough map caption's coverage note (maps draw the unoccluded council wedges)."""
    occ = inputs.occlusion
    gap = (
        f"; gap analysis occluded in {plural(occ.areas, 'area')}"
        if occ is not None and occ.applied
        else ""
    )
    return f"Coverage unoccluded{gap}."
