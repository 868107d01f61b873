"""Every third-party module the package imports is a declared run-time dependency.

`make test` installs the dev extras too, so a run-time import satisfied only by a dev
dependency would pass the tests and fail `make demo` on a fresh machine.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions, requires
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _name(requirement: str) -> str:
    return _normalise(re.split(r"[<>=!~\[; (]", requirement, maxsplit=1)[0])


def _declared() -> set[str]:
    """Declared run-time dependencies plus what they themselves always require (one level:
    e.g. pydantic brings pydantic-core, which the package may import directly)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(dep) for dep in project["dependencies"]}
    brought: set[str] = set()
    for dist in declared:
        for req in requires(dist) or []:
            if "extra ==" not in req:
                brought.add(_name(req))
    return declared | brought


def _imported_top_level() -> set[str]:
    modules: set[str] = set()
    for path in (ROOT / "src" / "cctvscope").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"cctvscope", "__future__"}


def test_runtime_imports_are_declared_dependencies():
    mapping = packages_distributions()
    declared = _declared()
    undeclared = {}
    for module in sorted(_imported_top_level()):
        distributions = {_normalise(d) for d in mapping.get(module, [module])}
        if not distributions & declared:
            undeclared[module] = sorted(distributions)
    assert not undeclared, f"imported by cctvscope but not in [project.dependencies]: {undeclared}"
