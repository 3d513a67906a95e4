"""Restarting a party's implementation in the middle of a conversation (issue 20).

A stateful family's operations take a party's state and return the new one (the stateful
contract, ARCHITECTURE.md), so an implementation that crashes and comes back must carry on from
the state it last returned. A restart here is the real thing for each transport:

* out of process: the adapter's process group is killed (SIGKILL, no chance to flush anything)
  and the adapter's command started again; the next call goes to the new process;
* in process: the adapter's object is discarded and a new one made from its manifest, as a
  fresh start of the application would.

A pair scenario asks for one through :func:`restart` on a party's implementation object. For a
self-pair over one out-of-process adapter both parties share the process, so both restart: each
goes on from its own state either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..adapter import LoadedAdapter, load_adapter
from ..engine import implementation_for
from ..errors import Unsupported
from ..outofprocess import StdioAdapter

__all__ = ["Restarter", "restart"]


class Restarter:
    """Restarts one party's implementation: ``capability`` of ``adapter``. In-process
    adapters made for a restart are closed by :meth:`close` at the end of the scenario."""

    def __init__(self, adapter: LoadedAdapter, capability: str) -> None:
        self.adapter = adapter
        self.capability = capability
        self._made: list[LoadedAdapter] = []

    def __call__(self) -> object:
        """The party's implementation object after a restart."""
        instance = self.adapter.instance
        if isinstance(instance, StdioAdapter):
            instance.client.kill()
            instance.client.start()
            return implementation_for(self.adapter, self.capability)
        manifest = self.adapter.manifest
        module = manifest.folder / manifest.entry.partition(":")[0]
        if not module.is_file():
            raise Unsupported(f"{self.adapter.name}'s object cannot be made again: no {module}")
        fresh = load_adapter(manifest)
        self._made.append(fresh)
        if fresh.error is not None:
            # The adapter started once in this run; a failure to start again is its own.
            raise RuntimeError(f"{self.adapter.name} did not start again: {fresh.error}")
        return implementation_for(fresh, self.capability)

    def close(self) -> None:
        for made in self._made:
            made.close()
        self._made.clear()


def restart(impl: Any) -> None:
    """Restart the implementation behind a scenario's party object (``Unsupported`` where the
    object cannot be restarted, e.g. a test's bare object)."""
    again: Callable[[], None] | None = getattr(impl, "e2ee_restart", None)
    if again is None:
        raise Unsupported("this party's implementation cannot be restarted")
    again()
