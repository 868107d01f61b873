"""The guide's text for registry figures and for building occlusion, each from one source.

Chapters print a registry figure (:mod:`cctvscope.workflows.headline_figures`) through
:func:`figure_text`, so the same figure reads the same everywhere; the occlusion
sentences come from :class:`~cctvscope.workflows.guide.Occlusion`, the footprints the
coverage run used.
"""

from __future__ import annotations

from cctvscope.reporting.guide_text import gbp, plural
from cctvscope.workflows.guide import GuideInputs
from cctvscope.workflows.headline_figures import HeadlineFigure, headline_figures

#: What the borough maps and value for money draw (and joint coverage, when computed without
#: the coverage grid): wedges, never occluded.
MAP_COVERAGE = "camera view wedges not occluded by buildings"


def figure_text(figure: HeadlineFigure) -> str:
    """A registry figure as the guide prints it (by its unit)."""
    if figure.unit == "rooms":
        return plural(round(figure.value), "room")
    if figure.unit == "fraction":
        return f"{100 * figure.value:.1f}%"
    if figure.unit == "GBP per year":
        return f"{gbp(figure.value)} a year"
    if figure.unit == "GBP":
        return gbp(figure.value)
    raise ValueError(f"no guide format for unit {figure.unit!r} of {figure.name}")


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


def map_coverage_note(inputs: GuideInputs) -> str:
    """The borough map caption's coverage note (maps draw the unoccluded council wedges)."""
    occ = inputs.occlusion
    gap = (
        f"; gap analysis occluded in {plural(occ.areas, 'area')}"
        if occ is not None and occ.applied
        else ""
    )
    return f"Coverage unoccluded{gap}."
