"""``adapter.toml``: what an adapter is, what it declares, and how to reach it.

Example (the bundled ``adapters/cryptography/adapter.toml``)::

    name = "cryptography"
    implementation = "pyca/cryptography (OpenSSL)"
    capabilities = ["x25519", "ed25519", ...]

    [transport]
    kind = "python"                      # an in-process Python object
    entry = "adapter.py:CryptographyAdapter"

    [environment]
    python = ["cryptography>=42"]        # what the adapter needs installed

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
_TRANSPORTS = {"python"}


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
    entry = transport.get("entry")
    if not isinstance(entry, str) or ":" not in entry:
        raise bad("transport.entry must look like 'module.py:ClassName'")
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
        environment=dict(doc.get("environment", {})),
        notes=dict(notes),
        sha256=hashlib.sha256(raw).hexdigest(),
    )
