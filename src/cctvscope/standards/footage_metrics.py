"""Image measures for the footage audit: sharpness, noise, blockiness, exposure, people.

Each measure works on one 8-bit greyscale (luma, full range 0-255) frame as a NumPy
array; :mod:`cctvscope.standards.footage` averages them over sampled frames. Methods
and their sources are in ``docs/footage-audit.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt

GrayFrame = npt.NDArray[np.uint8]

#: Home Office (HOSDB 28/09) person screen-height categories, best first: the share of
#: the picture height a 1.6 m person fills. Observe (25 %) is [unverified] (domain
#: research §1.2: the manual's excerpt was cut off before it).
HO_CATEGORIES: tuple[tuple[str, float], ...] = (
    ("identify", 1.00),
    ("recognise", 0.50),
    ("observe", 0.25),
    ("detect", 0.10),
    ("monitor", 0.05),
)

#: The default OpenCV people detector (Dalal and Triggs 2005) scores 64 x 128 windows in
#: which the person is about 96 px tall; the person's height is that share of the box.
HOG_PERSON_SHARE_OF_BOX = 96 / 128

# Immerkær's (1996) mask: the difference of two Laplacians, which cancels image
# structure to second order; its coefficients' squares sum to 36, so the residual of
# white noise of standard deviation sigma has standard deviation 6 sigma.
_IMMERKAER_MASK = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float64)
_MAD_TO_SIGMA = 1 / 0.6745  # MAD of a normal variable is 0.6745 sigma

#: Luma at or below / at or above these (full range) counts as clipped.
SHADOW_CLIP_LUMA = 5
HIGHLIGHT_CLIP_LUMA = 250


def ho_category(person_height_px: float, frame_height_px: int) -> str | None:
    """The best Home Office category a person of this height reaches, or None below Monitor."""
    if frame_height_px <= 0:
        raise ValueError("frame height must be positive")
    share = person_height_px / frame_height_px
    for name, minimum in HO_CATEGORIES:
        if share >= minimum:
            return name
    return None


def category_rank(name: str | None) -> int:
    """0 for Identify ... 4 for Monitor; 5 for None (below Monitor)."""
    names = [n for n, _ in HO_CATEGORIES]
    return names.index(name) if name in names else len(names)


def sharpness_laplacian_var(gray: GrayFrame) -> float:
    """Variance of the Laplacian (Pech-Pacheco et al. 2000): higher is sharper."""
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


def noise_sigma(gray: GrayFrame) -> float:
    """Noise standard deviation in grey levels, robust to edges.

    The high-pass residual of Immerkær's mask (Immerkær 1996) is scaled by the median
    absolute deviation (Donoho and Johnstone 1994: sigma = MAD / 0.6745), so that
    the few pixels on edges do not inflate the estimate as a mean would.
    """
    residual = cv2.filter2D(gray.astype(np.float64), -1, _IMMERKAER_MASK)[1:-1, 1:-1]
    mad = float(np.median(np.abs(residual - np.median(residual))))
    return mad * _MAD_TO_SIGMA / 6.0


def blockiness(gray: GrayFrame, block_px: int = 8) -> float:
    """Mean absolute luma step across block boundaries over the mean step inside blocks.

    The B/A ratio of Wang, Sheikh and Bovik (2002), taken in both directions on an
    8-pixel grid (which includes H.264's 16-pixel macroblock edges). About 1 or below
    without blocking; it rises as compression flattens blocks and leaves steps at their
    edges.
    """
    img = gray.astype(np.float64)
    ratios: list[float] = []
    for diffs in (np.abs(np.diff(img, axis=1)), np.abs(np.diff(img, axis=0)).T):
        columns = np.arange(diffs.shape[1])
        boundary = (columns % block_px) == block_px - 1
        inside = float(diffs[:, ~boundary].mean()) if (~boundary).any() else 0.0
        across = float(diffs[:, boundary].mean()) if boundary.any() else 0.0
        ratios.append(across / inside if inside > 0 else (1.0 if across == 0 else math.inf))
    return float(np.mean(ratios))


@dataclass(frozen=True, slots=True)
class Exposure:
    """Mean luma (0-255) and the shares of clipped shadow and highlight pixels."""

    mean_luma: float
    clipped_shadow_share: float
    clipped_highlight_share: float


def exposure(gray: GrayFrame) -> Exposure:
    """The exposure of one frame."""
    size = gray.size
    return Exposure(
        mean_luma=float(gray.mean()),
        clipped_shadow_share=float(np.count_nonzero(gray <= SHADOW_CLIP_LUMA)) / size,
        clipped_highlight_share=float(np.count_nonzero(gray >= HIGHLIGHT_CLIP_LUMA)) / size,
    )


@dataclass(frozen=True, slots=True)
class PersonDetection:
    """One HOG detection: frame time, box, and the Home Office category the person reaches."""

    time_s: float
    x_px: int
    y_px: int
    box_width_px: int
    box_height_px: int
    person_height_px: float
    screen_height_share: float
    category: str | None
    score: float


@lru_cache(maxsize=1)
def _hog() -> cv2.HOGDescriptor:
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), np.float32))
    return hog


def detect_people(
    gray: GrayFrame, time_s: float, *, min_score: float = 0.5
) -> list[PersonDetection]:
    """People found by OpenCV's default HOG + linear SVM detector in one frame.

    The detector needs a person at least about 96 px tall; smaller people are missed.
    """
    boxes, scores = _hog().detectMultiScale(gray, winStride=(4, 4), padding=(16, 16), scale=1.05)
    frame_h = int(gray.shape[0])
    found: list[PersonDetection] = []
    for box, score in zip(list(boxes), np.ravel(np.asarray(scores)).tolist(), strict=True):
        if float(score) < min_score:
            continue
        x, y, w, h = (int(v) for v in box)
        person_h = h * HOG_PERSON_SHARE_OF_BOX
        found.append(
            PersonDetection(
                time_s=time_s,
                x_px=x,
                y_px=y,
                box_width_px=w,
                box_height_px=h,
                person_height_px=round(person_h, 1),
                screen_height_share=round(person_h / frame_h, 4),
                category=ho_category(person_h, frame_h),
                score=round(float(score), 3),
            )
        )
    return found
