"""Run a benchmark script again in a fresh process and read the JSON line it prints last.

A size measured in its own process has its own peak RSS (``ru_maxrss`` never goes down).
"""

from __future__ import annotations

import json
import subprocess
import sys


def child_json(script: str, *args: str) -> dict[str, float]:
    """``python script *args`` in a new process; its last stdout line, parsed as JSON."""
    out = subprocess.run(
        [sys.executable, script, *args], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result
