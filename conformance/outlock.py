"""One run per output folder at a time.

Two runs writing into the same ``--out`` would interleave ``results.jsonl`` and leave a report
whose results come from one run and whose provenance comes from the other. Each report file is
replaced atomically, but only a lock makes the folder as a whole belong to one run.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ConfigurationError

__all__ = ["LOCK_NAME", "out_lock"]

LOCK_NAME = ".lock"


@contextmanager
def out_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (created if missing) for the duration, or refuse at
    once if another process holds it.

    ``flock`` is released by the kernel when the holder dies, however it dies, so a killed run
    never leaves a stale lock behind; the lock file itself stays (deleting it would let a third
    run lock a new file while the second still holds the old one).
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    # Not inherited by child processes (Python's default), so an adapter that outlives the run
    # cannot keep the folder locked.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigurationError(
                f"another run is writing into {folder} (it holds {path}); wait for it to finish "
                "or choose another --out"
            ) from None
        yield
    finally:
        os.close(fd)
