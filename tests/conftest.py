from __future__ import annotations

import fcntl
import io
import json
import os
import shutil
import sys
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from conformance.resources import vectors_dir
from conformance.vectormanifest import MANIFEST_NAME

FAULT_ADAPTERS = Path(__file__).parent / "fault_adapters"


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Plain `pytest` runs on every core (pytest-xdist's `-n auto --dist loadgroup`) unless told
    otherwise: `-n N` or `-n 0` choose, `-p no:xdist` runs serially, as does `--pdb`. (Set here
    rather than in addopts, where `-n` would be an unknown option under `-p no:xdist`.)"""
    if not config.pluginmanager.hasplugin("xdist") or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if config.option.numprocesses is None and not config.getoption("usepdb", False):
        config.option.numprocesses = "auto"
    if config.option.numprocesses and config.option.dist == "no":
        config.option.dist = "loadgroup"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that reads the bundled run is slow (the run takes minutes). It is also put in one
    xdist_group, meant to keep those tests on the worker that makes the run; with the
    pytest-xdist installed here the group was not honoured (its tests ran on both workers,
    one waiting on the lock in `bundled_run`), which is still to be looked into."""
    for item in items:
        if "bundled_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.xdist_group("bundled"))


@pytest.fixture
def vector_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled vector tree (families, schemas and the digest manifest)
    that a test may break."""
    root = tmp_path / "vectors"
    src = vectors_dir()
    for sub in src.iterdir():
        if sub.is_dir() and sub.name != "generators" and sub.name != "__pycache__":
            shutil.copytree(sub, root / sub.name)
    shutil.copy2(src / MANIFEST_NAME, root / MANIFEST_NAME)
    return root


@pytest.fixture
def fault_adapter() -> object:
    def path(name: str) -> str:
        return str(FAULT_ADAPTERS / name / "adapter.toml")

    return path


@dataclass(frozen=True)
class BundledRun:
    code: int
    stdout: str
    out: Path
    report: dict[str, Any]


@pytest.fixture(scope="session")
def bundled_run(tmp_path_factory: pytest.TempPathFactory) -> BundledRun:
    """`e2ee-conformance run` over every bundled adapter and vector file, once per session (it
    is the most expensive thing the tests do); tests read it and must not change its files.

    Under pytest-xdist every worker would compute a session fixture for itself: the run is made
    once, in the session's shared temporary folder, by whichever worker asks first, under a
    lock the others wait on, and read back by all."""
    from helpers import load_report

    from conformance.cli import main

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = shared / "bundled"
    done = shared / "bundled.json"
    with open(shared / "bundled.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(out, ignore_errors=True)  # left half-written by a worker that died
            printed = io.StringIO()
            with redirect_stdout(printed):
                code = main(["run", "--out", str(out), "--no-progress", "--seed", "7"])
            partial = done.with_suffix(".part")
            partial.write_text(json.dumps({"code": code, "stdout": printed.getvalue()}))
            partial.replace(done)
        saved = json.loads(done.read_text())
    return BundledRun(saved["code"], saved["stdout"], out, load_report(out))
