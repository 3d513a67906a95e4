"""Build hook: the git commit a wheel or sdist is built from travels inside it.

A report records the suite's commit. From a checkout (or an editable install) the suite asks git
at run time; an install built from a clone (`pip install .`) has no repository beside it, so the
commit is written into the package at build time, as ``build.json`` in its data root
(``conformance/_data/`` in a wheel). An sdist carries the same file at its top, so a wheel built
from it, without git, keeps the commit.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _buildinfo(root: Path) -> ModuleType:
    # conformance/__init__.py is not importable in the build environment; this module is.
    spec = importlib.util.spec_from_file_location("_buildinfo", root / "conformance/buildinfo.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses looks the module up by name.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class CustomBuildHook(BuildHookInterface[Any]):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "editable":
            return  # the checkout is there at run time: git is asked then
        root = Path(self.root)
        info = _buildinfo(root)
        found = info.from_checkout(root) or info.from_file(root / info.BUILD_FILE)
        if found is None:
            return
        path = Path(tempfile.mkdtemp(prefix="e2ee-conformance-build-")) / info.BUILD_FILE
        path.write_text(found.to_json())
        target = "conformance/_data/" if self.target_name == "wheel" else ""
        build_data["force_include"][str(path)] = target + info.BUILD_FILE
