"""How to start this installation of the suite again from here, for the commands a report prints
(``reproduce:`` lines).

``e2ee-conformance`` alone is right only when the shell finds this installation's script under
that name. After the README's Quick start the venv is not on PATH, so the command is printed the
way it can run: the script's path as it was typed, or this interpreter with ``-m conformance``.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["SCRIPT", "join", "launcher"]

SCRIPT = "e2ee-conformance"


def _here(path: str) -> str:
    """``path`` relative to the working directory when it lies below it, as a user would type
    it; absolute otherwise."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive (Windows)
        return absolute
    if relative.startswith(os.pardir):
        return absolute
    return relative if os.sep in relative else os.path.join(os.curdir, relative)


def launcher(argv0: str | None = None, executable: str | None = None) -> list[str]:
    """The command-line prefix that starts this suite (``SCRIPT`` when PATH finds this
    installation's own script)."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = sys.executable if executable is None else executable
    bin_dir = os.path.dirname(os.path.abspath(executable))
    found = shutil.which(SCRIPT)
    if found is not None and (
        os.path.dirname(os.path.abspath(found)) == bin_dir
        or os.path.realpath(found) == os.path.realpath(argv0)
    ):
        return [SCRIPT]
    if Path(argv0).name == SCRIPT and os.sep in argv0:
        return [_here(argv0)]
    python = Path(executable).name
    on_path = shutil.which(python)
    if on_path is not None and os.path.abspath(on_path) == os.path.abspath(executable):
        return [python, "-m", "conformance"]
    return [_here(executable), "-m", "conformance"]


def join(prefix: Sequence[str] | None, args: Sequence[str]) -> list[str]:
    """``args`` after the launcher ``prefix`` (an older report has none: ``SCRIPT``)."""
    return [*(prefix or [SCRIPT]), *args]
