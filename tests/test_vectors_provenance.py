"""Vectors are generated, never hand-edited, and each one is reproduced by at least two
independent implementations that were not written here."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conformance import loader
from conformance.engine import Task, run_task
from conformance.registry import load_adapters
from conformance.results import CheckResult

ROOT = Path(__file__).resolve().parent.parent
GENERATORS = ROOT / "vectors" / "generators"


@pytest.mark.parametrize("script", ["schemas.py", "primitives.py"])
def test_regenerating_reproduces_the_committed_files(script: str) -> None:
    if not (GENERATORS / script).is_file():
        pytest.skip("needs the source tree")
    run = subprocess.run(
        [sys.executable, str(GENERATORS / script), "--check"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_case_is_reproduced_by_two_independent_bundled_implementations() -> None:
    files = loader.load_many(loader.discover())
    results: list[CheckResult] = []
    for adapter in load_adapters(["cryptography", "pynacl", "pycryptodome"]):
        for vf in files:
            run_task(Task(vf, adapter), results.append)
    passes = Counter(r.check for r in results if r.outcome == "pass")
    every = {r.check for r in results}
    short = sorted(c for c in every if passes[c] < 2)
    assert not short, (
        f"{len(short)} case(s) reproduced by fewer than two implementations: {short[:5]}"
    )
    assert len(every) >= 450
