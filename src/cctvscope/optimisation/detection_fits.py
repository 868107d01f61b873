r"""The detection curve in other forms: how far p(s) is known beyond the PSDB data.

The monitoring model's curve (:class:`~cctvscope.optimisation.monitoring.DetectionCurve`,
an exponential decay to a floor) is fitted to four laboratory points at 1, 4, 6 and 9
monitors. Control rooms give an operator up to 16 screens, so p(16) is an
extrapolation, and the form chosen decides it. Two other forms fitted by least squares
to the same points bracket it:

- linear, :math:`p(s) = \alpha + \beta s`: p(16) ≈ 0.21;
- log-linear, :math:`p(s) = \alpha + \beta \ln s`: p(16) ≈ 0.47;

against ≈ 0.36 for the exponential to a floor. :func:`detection_at` reports the
model's value at a screen load with the forms' spread as its range when the load is
beyond the data (within the data the model's fit stands: RMSE 0.028 at the points).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from cctvscope.model.assumptions import Assumptions
from cctvscope.optimisation.monitoring import (
    DetectionCurve,
    FloatArray,
    curve_from_assumptions,
    psdb_points,
)

FitForm = Literal["exponential to a floor", "linear", "log-linear"]
#: The form of the monitoring model's own curve, :math:`c + a e^{-b(s-1)}`.
MODEL_FORM: FitForm = "exponential to a floor"
LineForm = Literal["linear", "log-linear"]
LINE_FORMS: tuple[LineForm, ...] = ("linear", "log-linear")


@dataclass(frozen=True, slots=True)
class LineFit:
    r"""A straight-line fit :math:`p(s) = \alpha + \beta g(s)`, ``g`` = s or ln s by ``form``.

    ``intercept`` :math:`\alpha` [fraction]; ``slope`` :math:`\beta` [fraction per
    screen, or per unit of ln screens]. Values are clipped to [0, 1] (a line leaves the
    probability range far enough out).
    """

    form: LineForm
    intercept: float
    slope: float

    def __call__(self, screens: npt.ArrayLike) -> FloatArray:
        """Detection probability at ``screens`` (≥ 1) monitors per operator."""
        s = np.asarray(screens, dtype=np.float64)
        if np.any(s < 1):
            raise ValueError("screens per operator must be at least 1")
        x = s if self.form == "linear" else np.log(s)
        return np.asarray(np.clip(self.intercept + self.slope * x, 0.0, 1.0), dtype=np.float64)


def fit_line(screens: npt.ArrayLike, accuracy: npt.ArrayLike, form: LineForm) -> LineFit:
    """Least-squares straight line of accuracy on screens (``linear``) or ln screens."""
    s = np.asarray(screens, dtype=np.float64)
    p = np.asarray(accuracy, dtype=np.float64)
    if s.shape != p.shape or s.size < 2:
        raise ValueError("need at least two (screens, accuracy) pairs of equal length")
    x = s if form == "linear" else np.log(s)
    design = np.column_stack([np.ones_like(x), x])
    (intercept, slope), *_ = np.linalg.lstsq(design, p, rcond=None)
    return LineFit(form=form, intercept=float(intercept), slope=float(slope))


@dataclass(frozen=True, slots=True)
class DetectionAt:
    """Detection probability at one screen load: the model's value and each form's.

    ``value`` is the model's curve (:data:`MODEL_FORM`); ``by_form`` holds every
    form's p(screens), the model's first. ``extrapolated``: the load is beyond the
    data's largest (``data_max_screens``); then ``low``/``high`` span the forms,
    otherwise both equal ``value``.
    """

    screens: float
    value: float
    by_form: tuple[tuple[FitForm, float], ...]
    data_max_screens: float

    @property
    def extrapolated(self) -> bool:
        """Whether the load lies beyond the fitted data."""
        return self.screens > self.data_max_screens

    @property
    def low(self) -> float:
        """Lowest p(screens) over the forms when extrapolated, else the model's value."""
        return min(p for _, p in self.by_form) if self.extrapolated else self.value

    @property
    def high(self) -> float:
        """Highest p(screens) over the forms when extrapolated, else the model's value."""
        return max(p for _, p in self.by_form) if self.extrapolated else self.value

    def factors(self) -> tuple[float, float]:
        """(low, high) as multiples of the model's value: what detections scale by."""
        if self.value <= 0:
            return 1.0, 1.0
        return self.low / self.value, self.high / self.value


def detection_at(
    screens: float,
    curve: DetectionCurve,
    points: tuple[tuple[float, ...], tuple[float, ...]],
) -> DetectionAt:
    """p(``screens``) on the model's ``curve`` and on each line fitted to ``points``.

    ``points``: the (screens, accuracy) data the curve was fitted to (:func:`psdb_points`).
    """
    xs, ps = points
    lines = [fit_line(xs, ps, form) for form in LINE_FORMS]
    if curve.form != MODEL_FORM:
        raise ValueError(f"unknown detection curve form {curve.form!r}")
    value = float(curve(screens))
    by_form: list[tuple[FitForm, float]] = [(MODEL_FORM, value)]
    by_form += [(line.form, float(line(screens))) for line in lines]
    return DetectionAt(float(screens), value, tuple(by_form), max(xs))


def detection_at_from_assumptions(screens: float, assumptions: Assumptions) -> DetectionAt:
    """:func:`detection_at` with the assumptions file's curve and PSDB points."""
    return detection_at(screens, curve_from_assumptions(assumptions), psdb_points(assumptions))
