"""The architecture holds: one-way layers, and no file reads below ``workflows``.

docs/architecture.md ("Dependencies") states the rules; pyproject.toml's
``[tool.importlinter]`` contracts and the source scan below check them.
"""

from __future__ import annotations

import ast
import inspect
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import cctvscope
from cctvscope.ingest import london

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(cctvscope.__file__).resolve().parent

#: The analysis packages: below ``workflows``, they take their data as arguments.
ANALYSIS_PACKAGES = ("coverage", "economics", "standards", "optimisation", "evidence")

#: Calls that read a file (by the called name, bare or as an attribute).
READ_CALLS = frozenset(
    {
        "open",
        "read_csv",
        "read_file",
        "read_parquet",
        "read_excel",
        "read_text",
        "read_bytes",
        # The bundled assumptions file: workflows read it and pass it in.
        "read_assumptions",
        "default_assumptions_path",
    }
)

#: Public functions of the bundled-London loaders; calling one is reading a file.
LONDON_LOADERS = frozenset(
    name
    for name, obj in vars(london).items()
    if inspect.isfunction(obj) and obj.__module__ == london.__name__ and not name.startswith("_")
)

#: Modules whose imports read files.
READ_MODULES = ("importlib.resources", "cctvscope.ingest.london")

#: Module (relative to the package) -> names it may read with, and why. Each entry is a
#: module whose purpose is a file: a file format's reader, or the user's own evidence.
ALLOWED: dict[str, tuple[frozenset[str], str]] = {
    "evidence/vault.py": (
        frozenset({"open", "read_text", "read_bytes"}),
        "the evidence vault stores and reads the evidence files the user gives it: its purpose",
    ),
    "evidence/package.py": (
        frozenset({"open"}),
        "writes and verifies the members of an evidence package's zip archive: its purpose",
    ),
    "evidence/signing.py": (
        frozenset({"open", "read_bytes"}),
        "writes (os.open, mode 0600) and loads the package-signing and public key files the "
        "user names: its purpose",
    ),
    "evidence/verify.py": (
        frozenset({"open"}),
        "re-hashes the members of the evidence package's zip archive it verifies: its purpose",
    ),
    "standards/spec.py": (
        frozenset({"read_text", "importlib.resources"}),
        "the standards' loader: read_standard parses a standard the caller names (bundled) or "
        "gives by path; the rules are versioned reference text with provenance, not area data",
    ),
    "standards/selfassessment.py": (
        frozenset({"read_text"}),
        "the Code of Practice questionnaire's loader (read_questionnaire, by name), "
        "like standards/spec.py for the standards",
    ),
    "standards/footage.py": (
        frozenset({"open", "read_text", "importlib.resources"}),
        "the footage audit opens the video clip the user names (av.open): its purpose; "
        "load_london_standard reads the bundled standard's thresholds, as standards/spec.py does",
    ),
    "optimisation/sscflp_io.py": (
        frozenset({"read_text"}),
        "reader and writer of the OR-Library SSCFLP file format, for files the user names",
    ),
    "optimisation/solve.py": (
        frozenset({"open"}),
        "opens os.devnull to silence the HiGHS banner; it reads no data",
    ),
}


def _modules() -> Iterator[Path]:
    for package in ANALYSIS_PACKAGES:
        yield from sorted((PACKAGE / package).rglob("*.py"))


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def file_reads(source: str) -> set[str]:
    """Names of the file-reading calls and imports in one module's source (code, not text)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = _called_name(node.func)
            if name in READ_CALLS or name in LONDON_LOADERS:
                found.add(name)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith(READ_MODULES))
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names = {f"{node.module}.{a.name}" for a in node.names} | {node.module}
            found.update(m for m in READ_MODULES if any(n.startswith(m) for n in names))
    return found


def test_import_contracts_are_kept() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None, "import-linter is a dev dependency: pip install -e '.[dev]'"
    done = subprocess.run(
        [lint, "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_file_reads_below_workflows() -> None:
    offences: list[str] = []
    for path in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        allowed = ALLOWED.get(rel, (frozenset(), ""))[0]
        extra = file_reads(path.read_text(encoding="utf-8")) - allowed
        if extra:
            offences.append(f"{rel}: {sorted(extra)}")
    assert not offences, "file reads below workflows (pass the data in):\n" + "\n".join(offences)


def test_allow_list_is_current() -> None:
    # An entry no longer needed is removed, so the list stays a list of real exceptions.
    for rel, (names, reason) in ALLOWED.items():
        assert reason
        used = file_reads((PACKAGE / rel).read_text(encoding="utf-8"))
        assert names <= used, f"{rel}: {sorted(names - used)} no longer read; trim ALLOWED"


def test_scanner_finds_reads() -> None:
    src = (
        "import importlib.resources\n"
        "from cctvscope.ingest.london import read_police_stations\n"
        "def f(p):\n"
        '    """open(p) in a docstring is not a call."""\n'
        "    read_police_stations()\n"
        "    return p.read_text(), pd.read_csv(p), read_assumptions()\n"
    )
    assert file_reads(src) == {
        "importlib.resources",
        "cctvscope.ingest.london",
        "read_police_stations",
        "read_text",
        "read_csv",
        "read_assumptions",
    }
    assert file_reads("from importlib import resources\n") == {"importlib.resources"}
    assert file_reads("from cctvscope.ingest import london\n") == {"cctvscope.ingest.london"}
