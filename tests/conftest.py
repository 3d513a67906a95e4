from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from conformance.resources import vectors_dir

FAULT_ADAPTERS = Path(__file__).parent / "fault_adapters"


@pytest.fixture
def vector_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled vector tree (families and schemas) that a test may break."""
    root = tmp_path / "vectors"
    src = vectors_dir()
    for sub in src.iterdir():
        if sub.is_dir() and sub.name != "generators" and sub.name != "__pycache__":
            shutil.copytree(sub, root / sub.name)
    return root


@pytest.fixture
def fault_adapter() -> object:
    def path(name: str) -> str:
        return str(FAULT_ADAPTERS / name / "adapter.toml")

    return path
