"""Which commit of the suite is running: asked of git in a checkout, or read from what the
build wrote into the package.

Only the standard library is imported here: hatch_build.py loads this file on its own at build
time (the package itself is not importable then) to write ``build.json``.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BUILD_FILE", "BuildInfo", "from_checkout", "from_file"]

#: The file a build writes: in a wheel under ``conformance/_data/`` (the data root), in an
#: sdist at its top.
BUILD_FILE = "build.json"


@dataclass(frozen=True)
class BuildInfo:
    commit: str | None
    #: Tracked files differed from the commit (a report from modified code says so).
    modified: bool = False

    def to_json(self) -> str:
        return json.dumps({"commit": self.commit, "modified": self.modified}) + "\n"


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def from_checkout(root: Path) -> BuildInfo | None:
    """The commit of the git clone at ``root``, or None when it is not one (or git is
    missing)."""
    if not (root / ".git").exists():
        return None
    commit = _git(root, "rev-parse", "HEAD")
    if not commit:
        return None
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    return BuildInfo(commit, modified=bool(status))


def from_file(path: Path) -> BuildInfo | None:
    """What a build wrote to ``path``, or None when there is no such file or it is not one."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    commit = data.get("commit")
    if not isinstance(commit, str) or not commit:
        return None
    return BuildInfo(commit, modified=data.get("modified") is True)
