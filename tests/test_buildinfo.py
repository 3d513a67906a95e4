"""The suite's commit in a report: from git in a checkout, from the file a build wrote otherwise
(hatch_build.py; the wheel case is in test_wheel.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conformance import buildinfo
from conformance.buildinfo import BuildInfo

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_a_checkout_gives_its_commit_and_whether_tracked_files_changed(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_text("one\n")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    head = _git(tmp_path, "rev-parse", "HEAD")
    assert buildinfo.from_checkout(tmp_path) == BuildInfo(head, modified=False)
    # An untracked file (reports/latest, say) is not a change to the suite.
    (tmp_path / "new.txt").write_text("x\n")
    assert buildinfo.from_checkout(tmp_path) == BuildInfo(head, modified=False)
    (tmp_path / "a.txt").write_text("two\n")
    assert buildinfo.from_checkout(tmp_path) == BuildInfo(head, modified=True)


def test_a_folder_that_is_not_a_clone_gives_nothing(tmp_path: Path) -> None:
    assert buildinfo.from_checkout(tmp_path) is None


@pytest.mark.parametrize(
    "text",
    ["", "{", "[]", "null", '{"commit": 5}', '{"commit": ""}', '{"modified": true}'],
)
def test_a_build_file_that_is_not_one_gives_nothing(tmp_path: Path, text: str) -> None:
    path = tmp_path / buildinfo.BUILD_FILE
    path.write_text(text)
    assert buildinfo.from_file(path) is None
    assert buildinfo.from_file(tmp_path / "missing.json") is None


def test_a_build_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / buildinfo.BUILD_FILE
    info = BuildInfo("0123456789abcdef0123456789abcdef01234567", modified=True)
    path.write_text(info.to_json())
    assert buildinfo.from_file(path) == info
