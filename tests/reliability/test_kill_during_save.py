"""`kill -9` while a version is saved: the store keeps the last whole version, never a part."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cctvscope.store import connect, list_estates, load_estate

#: Cameras in the version being saved when the process is killed (a save of about a second).
BIG = 30_000
#: When to kill, after the child says it starts saving [s]: early, middle, late.
DELAYS_S = (0.05, 0.3, 0.8)

CHILD = textwrap.dedent(
    f"""
    import sys
    from cctvscope.store import init_store, save_estate
    from tests.store.builders import make_cameras, make_estate

    engine = init_store(sys.argv[1])
    small = make_estate("k")
    save_estate(engine, small)
    big = small.replace_tables(cameras=make_cameras({BIG}), links=small.links.iloc[0:0])
    print("saving", flush=True)
    save_estate(engine, big)
    print("saved", flush=True)
    """
)


@pytest.mark.parametrize("delay_s", DELAYS_S)
def test_a_killed_save_leaves_a_whole_version(tmp_path: Path, delay_s: float) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*sys.path])}
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, url], stdout=subprocess.PIPE, text=True, env=env
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "saving"
        time.sleep(delay_s)
        child.send_signal(signal.SIGKILL)
        child.wait()
    engine = connect(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    versions = [i.version for i in list_estates(engine) if i.name == "k"]
    latest = load_estate(engine, "k")
    # Killed before the commit: version 1 only; after it: version 2 with every camera.
    assert versions in ([1], [2, 1])
    assert len(latest.cameras) == (BIG if latest.version == 2 else 5)
    print(f"killed {delay_s} s into the save: versions {versions}")
    engine.dispose()
