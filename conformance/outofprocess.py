"""An out-of-process adapter: its environment prepared, its command started, its ``describe``
answer checked, and its capabilities served as RPC proxies (docs/adapter-protocol.md)."""

from __future__ import annotations

import shutil

from .adapter import Adapter
from .capabilities import is_marker
from .environments import Environment, prepare
from .errors import ConfigurationError
from .manifest import Manifest
from .stdio import DEFAULT_BUDGET, AdapterFault, RpcCapability, StdioClient, child_env

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
            env=child_env(isolated_python=bool(manifest.environment.get("python"))),
            timeout=manifest.timeout,
            budget=manifest.budget if manifest.budget is not None else DEFAULT_BUDGET,
        )
        described = self.client.start()
        offered = described.get("capabilities", [])
        if not isinstance(offered, list) or not all(isinstance(c, str) for c in offered):
            self.client.close()
            raise AdapterFault(
                f"adapter {manifest.name}: describe's capabilities is not a list of names"
            )
        # What describe says is kept as said: LoadedAdapter refuses capabilities the manifest
        # does not declare, and bounds and cleans every text for the report (adapter.info).
        self._described = described
        self.protocol = int(described["protocol"])
        self.implementation = described.get("implementation") or manifest.implementation
        notes = described.get("notes")
        self.notes = notes if isinstance(notes, dict) else {}

    def version(self) -> str:
        return str(self._described.get("version", "unknown"))

    def capabilities(self) -> dict[str, object]:
        caps: list[str] = self._described.get("capabilities", [])
        # A marker capability has no methods to call: it only says something about the others.
        return {c: _MARKER if is_marker(c) else RpcCapability(self.client, c) for c in caps}

    def close(self) -> None:
        self.client.close()
