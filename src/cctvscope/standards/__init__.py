"""The evidential standard: rules as versioned data, registered checks, compliance.

``read_standard("london-v1")`` reads a bundled standard; ``assess_compliance``
runs one registered check per rule over an estate and summarises the findings
per camera, control room, borough and region.
"""

from __future__ import annotations

from cctvscope.standards.compliance import (
    REGION_ROW,
    ComplianceError,
    ComplianceResult,
    assess_compliance,
)
from cctvscope.standards.registry import (
    CheckContext,
    ComplianceFinding,
    check,
    registered_checks,
)
from cctvscope.standards.spec import (
    Rule,
    Standard,
    StandardError,
    list_standards,
    read_standard,
)

__all__ = [
    "REGION_ROW",
    "CheckContext",
    "ComplianceError",
    "ComplianceFinding",
    "ComplianceResult",
    "Rule",
    "Standard",
    "StandardError",
    "assess_compliance",
    "check",
    "list_standards",
    "read_standard",
    "registered_checks",
]
