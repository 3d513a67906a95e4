"""The last resort against orphaned adapter processes: end every stdio adapter client this
process has started, whoever holds it.

An interruption can land while an adapter is still starting, before anything that would close it
holds it; :mod:`conformance.stdio` keeps a registry of live clients for that.
"""

from __future__ import annotations

import contextlib

from . import stdio

__all__ = ["kill_all_clients"]


def kill_all_clients() -> None:
    """Only for a process that is stopping: it also ends clients that other code in this
    process (a test session, say) still means to use."""
    # getattr: the registry is newer than some conformance.stdio this may run with.
    kill_all = getattr(stdio, "kill_all", None)
    if kill_all is not None:
        with contextlib.suppress(Exception):
            kill_all()
