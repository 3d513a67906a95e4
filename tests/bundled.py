"""The bundled run the slow tests read: `e2ee-conformance run` over every bundled adapter and
vector file at seed 7, made once per test session.

It is the most expensive thing the tests do (a couple of minutes on two cores), so it is not
made inside a test: as soon as collection shows that a selected test will read it, it starts in
a background process of its own, beside the tests (under pytest-xdist, the first worker to get
here starts it, the others find it started). The tests that read it are put last in the order,
so by the time a worker reaches them the run has had the other tests' time to finish; the
fixture waits for whatever is left.

Run as a script (``python tests/bundled.py OUT``), it makes the run in OUT and then writes
OUT.json with the exit code and what the run printed, atomically, last: the file's presence
says the run is over, whatever it ended with.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import subprocess
import sys
import time
import traceback
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

#: The arguments after `e2ee-conformance run --out DIR`.
ARGS = ("--no-progress", "--seed", "7")
#: Longest wait for the run: far above the few minutes it takes, only there so that a run that
#: hangs fails the tests that read it instead of hanging the session.
TIMEOUT = 40 * 60
#: The last characters of the run's stderr shown when it ended without a result.
TAIL = 4000


def folder(shared: Path) -> Path:
    return shared / "bundled"


def _done(shared: Path) -> Path:
    return shared / "bundled.json"


def _pid(shared: Path) -> Path:
    return shared / "bundled.pid"


def _stderr(shared: Path) -> Path:
    return shared / "bundled.stderr"


def start(shared: Path) -> None:
    """Start the run in the background unless this session already has (under the lock that
    every worker of the session shares)."""
    with open(shared / "bundled.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _pid(shared).exists() or _done(shared).exists():
            return
        with open(_stderr(shared), "wb") as err:
            # Same process group as the tests: a Ctrl-C to the session reaches it too.
            proc = subprocess.Popen(
                [sys.executable, __file__, str(folder(shared))],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        _STARTED[shared] = proc
        _pid(shared).write_text(str(proc.pid))


#: The runs this process started, so that it can reap its own child.
_STARTED: dict[Path, subprocess.Popen[bytes]] = {}


def _alive(shared: Path) -> bool:
    proc = _STARTED.get(shared)
    if proc is not None:
        return proc.poll() is None
    try:
        pid = int(_pid(shared).read_text())
        # Another worker's child: a zombie (dead, not yet reaped by that worker) is not alive.
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, ValueError, IndexError):
        return False
    return state != "Z"


def wait(shared: Path) -> dict[str, Any]:
    """The run's exit code and printed text, once it is over (starting it if nothing has)."""
    start(shared)
    deadline = time.monotonic() + TIMEOUT
    while not _done(shared).exists():
        if not _alive(shared) and not _done(shared).exists():
            raise RuntimeError(f"the bundled run ended without a result:\n{_tail(shared)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the bundled run took over {TIMEOUT} s:\n{_tail(shared)}")
        time.sleep(0.2)
    saved: dict[str, Any] = json.loads(_done(shared).read_text())
    if saved.get("crash"):
        raise RuntimeError(f"the bundled run crashed:\n{saved['crash']}")
    return saved


def _tail(shared: Path) -> str:
    try:
        return _stderr(shared).read_bytes()[-TAIL:].decode(errors="replace")
    except OSError:
        return "(no stderr)"


def _make(out: Path) -> None:
    from conformance.cli import main

    printed = io.StringIO()
    saved: dict[str, Any] = {"code": None, "stdout": "", "crash": None}
    try:
        with redirect_stdout(printed):
            saved["code"] = main(["run", "--out", str(out), *ARGS])
    except BaseException:
        saved["crash"] = traceback.format_exc()
    saved["stdout"] = printed.getvalue()
    done = out.with_suffix(".json")
    partial = out.with_suffix(".part")
    partial.write_text(json.dumps(saved))
    os.replace(partial, done)


if __name__ == "__main__":
    _make(Path(sys.argv[1]))
