"""An out-of-process adapter: its environment prepared, its command started, its ``describe``
answer checked, and its capabilities served as RPC proxies (docs/adapter-protocol.md)."""

from __future__ import annotations

import shutil
from typing import Any

from .adapter import Adapter
from .capabilities import is_marker
from .environments import Environment, prepare
from .errors import ConfigurationError
from .manifest import Manifest
from .stdio import RpcCapability, StdioClient, child_env

__all__ = ["StdioAdapter"]


def _command(manifest: Manifest, env: Environment) -> list[str]:
    node = shutil.which("node")
    out = []
    for part in manifest.command:
        if "{node}" in part and node is None:
            raise ConfigurationError(f"{manifest.path}: the command needs node, not on PATH")
        out.append(
            part.replace("{python}", env.python)
            .replace("{node}", node or "node")
            .replace("{dir}", str(env.folder))
        )
    return out


class _Marker:
    """What a declared marker capability resolves to."""


_MARKER = _Marker()


class StdioAdapter(Adapter):
    """Raises on start-up failure; :func:`conformance.adapter.load_adapter` turns that into an
    adapter whose checks are all ``error`` results."""

    def __init__(self, manifest: Manifest) -> None:
        env = prepare(manifest)
        self.client = StdioClient(
            manifest.name,
            _command(manifest, env),
            cwd=env.folder,
            env=child_env(),
            timeout=manifest.timeout,
        )
        described = self.client.start()
        self._described = described
        self.protocol = int(described["protocol"])
        self.implementation = str(described.get("implementation") or manifest.implementation)
        notes = described.get("notes") or {}
        self.notes: dict[str, str] = (
            {str(k): str(v) for k, v in notes.items()} if isinstance(notes, dict) else {}
        )

    def version(self) -> str:
        return str(self._described.get("version", "unknown"))

    def capabilities(self) -> dict[str, object]:
        caps: Any = self._described.get("capabilities", [])
        if not isinstance(caps, list):
            return {}
        # A marker capability has no methods to call: it only says something about the others.
        return {
            str(c): _MARKER if is_marker(str(c)) else RpcCapability(self.client, str(c))
            for c in caps
        }

    def close(self) -> None:
        self.client.close()
