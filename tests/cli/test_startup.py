"""Start-up stays light: ``cctvscope --help`` and every command's ``--help`` import none of
the analyses' heavy libraries (issue 18).

The check runs in a fresh interpreter (this test process has long since imported pandas
and the rest), builds the command tree, asks every command for its help through Typer's
``CliRunner`` and then reads ``sys.modules``. It asserts on what was imported, never on
time: the time is measured by ``benchmarks/startup.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest

from cctvscope.cli import mirrors

#: Libraries that cost tenths of a second (or seconds) to import; none belongs in start-up.
HEAVY = (
    "pandas",
    "numpy",
    "numba",
    "sqlalchemy",
    "shapely",
    "geopandas",
    "matplotlib",
    "pyogrio",
    "scipy",
    "highspy",
    "cryptography",
    "jinja2",
    "fastapi",
    "uvicorn",
    "starlette",
    "pyproj",
    "alembic",
    "geoalchemy2",
    "av",
    "cv2",
    "dask",
    "distributed",
    # Not pydantic: this Typer converts option values through it, so it is Typer's own cost.
    "pydantic_settings",
    "openpyxl",
    "yaml",
    "reportlab",
    "weasyprint",
)

# Run in a fresh interpreter: prints, as JSON, each command path with its exit code, whether
# its help was printed, and the heavy modules first loaded while building or helping it.
PROBE = """
import json, sys
HEAVY = set(sys.argv[1].split(","))

def heavy():
    return sorted({name.split(".")[0] for name in sys.modules} & HEAVY)

report = {"import": heavy()}
from typer.main import get_command
from typer.testing import CliRunner
from cctvscope.cli.main import app
report["import"] = heavy()
root = get_command(app)
report["build"] = heavy()

def paths(command, prefix):
    yield prefix
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from paths(sub, [*prefix, name])

runner = CliRunner()
report["helps"] = []
for path in paths(root, []):
    result = runner.invoke(app, [*path, "--help"])
    report["helps"].append(
        [" ".join(path), result.exit_code, "Usage:" in result.output, heavy()]
    )
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def probe() -> dict[str, object]:
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_importing_and_building_the_cli_imports_no_heavy_library(probe):
    assert probe["import"] == []
    assert probe["build"] == []


def test_every_command_help_imports_no_heavy_library(probe):
    helps = probe["helps"]
    names = {name for name, *_ in helps}
    # The walk reached the root, the groups and their commands (not an empty tree).
    assert {"", "import", "import cameras", "solve-sscflp", "evidence cameras-at"} <= names
    assert "registry verify" in names and "cop submit" in names and "serve" in names
    for name, exit_code, printed, heavy in helps:
        assert exit_code == 0, name
        assert printed, name
        assert heavy == [], f"`cctvscope {name} --help` imported {heavy}"


def test_signature_copies_equal_their_sources():
    """The values copied into cli/mirrors.py (to keep --help light) still match the originals."""
    from cctvscope.crs import BNG_BOUNDS_M
    from cctvscope.evidence.registry import Role, VerificationStatus
    from cctvscope.model.enums import ImportMode
    from cctvscope.optimisation.solve import DEFAULT_MIP_REL_GAP
    from cctvscope.standards.selfassessment import DEFAULT_PASS_MARK, DEFAULT_QUESTIONNAIRE

    assert get_args(mirrors.ImportModeName) == tuple(m.value for m in ImportMode)
    assert get_args(mirrors.VerificationStatusName) == tuple(s.value for s in VerificationStatus)
    assert set(mirrors.ACTING_ROLES) == {Role.POLICE.value, Role.ANALYST.value}
    assert mirrors.DEFAULT_QUESTIONNAIRE == DEFAULT_QUESTIONNAIRE
    assert mirrors.DEFAULT_PASS_MARK == DEFAULT_PASS_MARK
    assert mirrors.DEFAULT_MIP_REL_GAP == DEFAULT_MIP_REL_GAP
    assert mirrors.BNG_BOUNDS_M == BNG_BOUNDS_M
