from __future__ import annotations

import io
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
    is the most expensive thing the tests do); tests read it and must not change its files."""
    from helpers import load_report

    from conformance.cli import main

    out = tmp_path_factory.mktemp("bundled")
    printed = io.StringIO()
    with redirect_stdout(printed):
        code = main(["run", "--out", str(out), "--no-progress", "--seed", "7"])
    return BundledRun(code, printed.getvalue(), out, load_report(out))
