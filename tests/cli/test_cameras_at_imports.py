"""A warm ``cctvscope evidence cameras-at`` stays light: with the police lookup cached and the
store at the head revision, it answers without Alembic, GeoAlchemy2, GeoPandas, pandas,
pyproj, Numba or the YAML parser (issue 18: "fast where people wait").

The command runs in a fresh interpreter (this test process has long since imported them
all) and reports ``sys.modules`` at its end. It asserts on what was imported and on the
answer, never on time: the time is measured by ``benchmarks/police_search.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from cctvscope.evidence.registry import save_registrations, seed_registrations
from cctvscope.model import Estate
from cctvscope.store import init_store, save_estate
from cctvscope.workflows.police_search import police_lookup, police_search

#: Imported by building a lookup, migrating a store or reading a file the cached path
#: does not read; none belongs in a warm search.
NOT_WARM = (
    "alembic",
    "geoalchemy2",
    "geopandas",
    "pyproj",
    "numba",
    "yaml",
    "matplotlib",
    "scipy",
    "pandas",  # the answer is printed from arrays; a table only for --out (issue 18)
    "pyarrow",
)

# Runs the console script's entry with the arguments after the first, then writes the
# top-level packages loaded (of those named in the first) as JSON to stderr's last line.
PROBE = """
import json, sys
names = set(sys.argv[1].split(","))
sys.argv = ["cctvscope", *sys.argv[2:]]
from cctvscope.cli.main import run
try:
    run()
    code = 0
except SystemExit as exc:
    code = exc.code or 0
loaded = sorted({name.split(".")[0] for name in sys.modules} & names)
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def test_a_warm_search_imports_none_of_the_build_libraries(tmp_path: Path, tiny_estate: Estate):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = init_store(url)
    save_estate(engine, tiny_estate)
    rows = seed_registrations(tiny_estate, registered_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    rows["consent_share"] = True  # a3, the private camera, is searchable
    save_registrations(engine, "tiny", rows)
    cache = tmp_path / "cache"
    assert police_search(engine, "tiny", cache_dir=cache).built  # the cache is now warm
    written = sorted(p.relative_to(cache) for p in cache.rglob("*"))
    # Five metres in front of a1: the cameras a fresh (uncached) lookup finds there.
    a1 = tiny_estate.cameras.set_index("camera_id").loc["a1"]
    bearing = np.radians(float(a1["heading_deg"]))
    x = float(a1["x_m"]) + 5.0 * np.sin(bearing)
    y = float(a1["y_m"]) + 5.0 * np.cos(bearing)
    fresh = police_lookup(engine, tiny_estate).cameras_at(x, y)
    expected = set(fresh["camera_id"])
    assert "a1" in expected

    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env["COLUMNS"] = "200"  # one table row per camera, ids unwrapped
    args = ["evidence", "cameras-at", "--estate", "tiny", "--x", f"{x:.3f}", "--y", f"{y:.3f}"]
    args += ["--database-url", url, "--cache-dir", str(cache)]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(NOT_WARM), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    assert report["loaded"] == []
    # The answer is the fresh lookup's, read from the cache as it was written.
    listed = {c for c in tiny_estate.cameras["camera_id"] if f" {c} " in done.stdout}
    assert listed == expected
    assert sorted(p.relative_to(cache) for p in cache.rglob("*")) == written
