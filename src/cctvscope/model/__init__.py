"""The estate model: entities, their schema table, and the estate container."""

from __future__ import annotations

from cctvscope.model.entities import (
    ENTITY_TYPES,
    Borough,
    Camera,
    Contract,
    ControlRoom,
    CostItem,
    Entity,
    EvidenceStats,
    Link,
    Region,
)
from cctvscope.model.estate import TABLES, Estate, empty_estate

__all__ = [
    "ENTITY_TYPES",
    "TABLES",
    "Borough",
    "Camera",
    "Contract",
    "ControlRoom",
    "CostItem",
    "Entity",
    "Estate",
    "EvidenceStats",
    "Link",
    "Region",
    "empty_estate",
]
