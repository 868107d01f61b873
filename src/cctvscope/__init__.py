"""cctvscope: assess and plan a city's CCTV estate.

The public names are kept few: the estate container, the loaders of the bundled
data and the service-layer workflows. Everything else lives in its subpackage.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
