from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import bundled

from conformance.resources import vectors_dir
from conformance.vectormanifest import MANIFEST_NAME

FAULT_ADAPTERS = Path(__file__).parent / "fault_adapters"


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Plain `pytest` runs on every core (pytest-xdist's `-n auto --dist load`) unless told
    otherwise: `-n N` or `-n 0` choose, `-p no:xdist` runs serially, as does `--pdb`. (Set here
    rather than in addopts, where `-n` would be an unknown option under `-p no:xdist`.)"""
    if not config.pluginmanager.hasplugin("xdist") or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if config.option.numprocesses is None and not config.getoption("usepdb", False):
        config.option.numprocesses = "auto"
    if config.option.numprocesses and config.option.dist == "no":
        config.option.dist = "load"


def _reads_the_bundled_run(item: pytest.Item) -> bool:
    return "bundled_run" in getattr(item, "fixturenames", ())


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that reads the bundled run is slow (the run takes minutes) and goes last, so that
    the run, started in the background as soon as collection is over, has the other tests' time
    to finish (tests/bundled.py). The order is the same in every xdist worker, as it must be."""
    for item in items:
        if _reads_the_bundled_run(item):
            item.add_marker(pytest.mark.slow)
    items.sort(key=_reads_the_bundled_run)


def pytest_collection_finish(session: pytest.Session) -> None:
    if any(_reads_the_bundled_run(item) for item in session.items):
        bundled.start(_shared_temp(session.config._tmp_path_factory))  # type: ignore[attr-defined]


def _shared_temp(factory: pytest.TempPathFactory) -> Path:
    """The session's temporary folder, which under pytest-xdist is the parent of every
    worker's own."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


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
    """`e2ee-conformance run` over every bundled adapter and vector file at seed 7, made once
    per session in the background (tests/bundled.py); tests read it and must not change its
    files."""
    from helpers import load_report

    shared = _shared_temp(tmp_path_factory)
    saved = bundled.wait(shared)
    out = bundled.folder(shared)
    return BundledRun(saved["code"], saved["stdout"], out, load_report(out))
