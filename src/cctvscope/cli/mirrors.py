"""Values the command signatures need, copied so that ``cctvscope --help`` stays light.

Typer reads every command's signature (types and defaults) whenever the command line
is built, ``--help`` included, so whatever a signature names is imported at start-up.
The modules these values live in pull in pandas, GeoPandas, NumPy or HiGHS through
their packages; a copy here keeps start-up to Typer and Rich. Each copy names its
source, and tests/cli/test_startup.py checks that it still equals it.
"""

from __future__ import annotations

from typing import Literal

ImportModeName = Literal["replace", "append", "upsert"]
"""The values of :class:`cctvscope.model.enums.ImportMode`, in its order."""

VerificationStatusName = Literal["unverified", "verified", "rejected"]
"""The values of :class:`cctvscope.evidence.registry.VerificationStatus`, in its order."""

ACTING_ROLES = ("police", "analyst")
"""The registry roles that act for the police or analysts (``cctvscope.evidence.registry.Role``)."""

DEFAULT_QUESTIONNAIRE = "cop-questionnaire-v1"
"""``cctvscope.standards.selfassessment.DEFAULT_QUESTIONNAIRE``."""

DEFAULT_PASS_MARK = 0.75
"""``cctvscope.standards.selfassessment.DEFAULT_PASS_MARK``."""

DEFAULT_MIP_REL_GAP = 1e-9
"""``cctvscope.optimisation.solve.DEFAULT_MIP_REL_GAP``."""

BNG_BOUNDS_M = (0.0, 0.0, 700_000.0, 1_300_000.0)
"""``cctvscope.crs.BNG_BOUNDS_M`` (crs imports NumPy and pyproj)."""
