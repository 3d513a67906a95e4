"""``adapter.toml``: what an adapter is, what it declares, and how to reach it.

Example (the bundled ``adapters/cryptography/adapter.toml``)::

    name = "cryptography"
    implementation = "pyca/cryptography (OpenSSL)"
    capabilities = ["x25519", "ed25519", ...]

    [transport]
    kind = "python"                      # an in-process Python object
    entry = "adapter.py:CryptographyAdapter"

Out of process (docs/adapter-protocol.md)::

    [transport]
    kind = "command"                     # a child speaking JSON-RPC over stdio
    command = ["{node}", "adapter.mjs"]
    timeout = 10                         # seconds per call

    [environment]
    npm = true                           # or python = ["pymonocypher==4.0.3.4"]

    [notes]
    "x25519" = "free text shown in the report"
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .capabilities import CAPABILITIES
from .errors import ConfigurationError

__all__ = ["Manifest", "load_manifest"]

_TOP = {
    "name",
    "implementation",
    "description",
    "capabilities",
    "transport",
    "environment",
    "notes",
}
_TRANSPORTS = {"python", "command"}
_ENVIRONMENT = {"python", "npm"}


@dataclass(frozen=True)
class Manifest:
    path: Path
    name: str
    implementation: str
    description: str
    capabilities: frozenset[str]
    transport: str
    entry: str
    environment: dict[str, Any] = field(default_factory=dict)
    command: tuple[str, ...] = ()
    timeout: float = 10.0
    #: Seconds the adapter may spend answering over a run (stdio.DEFAULT_BUDGET unless set).
    budget: float | None = None
    notes: dict[str, str] = field(default_factory=dict)
    sha256: str = ""

    @property
    def folder(self) -> Path:
        return self.path.parent


def load_manifest(path: Path) -> Manifest:
    """Parse and check an ``adapter.toml``; a problem raises ConfigurationError naming the file."""
    path = Path(path)
    if path.is_dir():
        path = path / "adapter.toml"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read adapter manifest: {exc.strerror}") from None
    try:
        doc = tomllib.loads(raw.decode())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path}: not a valid TOML manifest: {exc}") from None

    def bad(message: str) -> ConfigurationError:
        return ConfigurationError(f"{path}: {message}")

    unknown = set(doc) - _TOP
    if unknown:
        raise bad(f"unknown field(s): {', '.join(sorted(unknown))}")
    for key in ("name", "implementation", "capabilities", "transport"):
        if key not in doc:
            raise bad(f"missing field {key!r}")
    name = doc["name"]
    if not isinstance(name, str) or not name or any(c.isspace() for c in name):
        raise bad("name must be a non-empty string without spaces")
    caps = doc["capabilities"]
    if not isinstance(caps, list) or not all(isinstance(c, str) for c in caps):
        raise bad("capabilities must be a list of strings")
    unknown_caps = [c for c in caps if c not in CAPABILITIES]
    if unknown_caps:
        raise bad(
            f"unknown capability {unknown_caps[0]!r}; known: {', '.join(sorted(CAPABILITIES))}"
        )
    transport = doc["transport"]
    if not isinstance(transport, dict) or transport.get("kind") not in _TRANSPORTS:
        raise bad(f"transport.kind must be one of {sorted(_TRANSPORTS)}")
    entry, timeout = "", 10.0
    budget: float | None = None
    command: tuple[str, ...] = ()
    if transport["kind"] == "python":
        raw_entry = transport.get("entry")
        if not isinstance(raw_entry, str) or ":" not in raw_entry:
            raise bad("transport.entry must look like 'module.py:ClassName'")
        entry = raw_entry
    else:
        raw_cmd = transport.get("command")
        if (
            not isinstance(raw_cmd, list)
            or not raw_cmd
            or not all(isinstance(c, str) and c for c in raw_cmd)
        ):
            raise bad('transport.command must be a list of strings, e.g. ["{node}", "adapter.mjs"]')
        command = tuple(raw_cmd)
        raw_timeout = transport.get("timeout", 10)
        if not isinstance(raw_timeout, int | float) or not 0 < raw_timeout <= 600:
            raise bad("transport.timeout must be a number of seconds in (0, 600]")
        timeout = float(raw_timeout)
        raw_budget = transport.get("budget")
        if raw_budget is not None:
            if (
                not isinstance(raw_budget, int | float)
                or isinstance(raw_budget, bool)
                or not 0 < raw_budget <= 86400
            ):
                raise bad("transport.budget must be a number of seconds in (0, 86400]")
            budget = float(raw_budget)
    unknown_t = set(transport) - {"kind", "entry", "command", "timeout", "budget"}
    if unknown_t:
        raise bad(f"unknown transport field(s): {', '.join(sorted(unknown_t))}")
    environment = doc.get("environment", {})
    if not isinstance(environment, dict) or set(environment) - _ENVIRONMENT:
        raise bad(f"environment may only hold {sorted(_ENVIRONMENT)}")
    if "python" in environment and (
        not isinstance(environment["python"], list)
        or not all(isinstance(r, str) for r in environment["python"])
    ):
        raise bad("environment.python must be a list of pinned requirements")
    if "npm" in environment and not isinstance(environment["npm"], bool):
        raise bad("environment.npm must be true (package.json and package-lock.json beside)")
    notes = doc.get("notes", {})
    if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
        raise bad("notes must be a table of strings")
    return Manifest(
        path=path,
        name=name,
        implementation=str(doc["implementation"]),
        description=str(doc.get("description", "")),
        capabilities=frozenset(caps),
        transport=str(transport["kind"]),
        entry=entry,
        environment=dict(environment),
        command=command,
        timeout=timeout,
        budget=budget,
        notes=dict(notes),
        sha256=hashlib.sha256(raw).hexdigest(),
    )
