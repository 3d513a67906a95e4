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
    shared = ["../libsignal-client/classic.mjs"]   # files of a sibling adapter folder, copied in

    [notes]
    "x25519" = "free text shown in the report"
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .capabilities import CAPABILITIES
from .errors import ConfigurationError
from .inputfiles import Unreadable, load_toml
from .quirks import parse_quirks
from .quoting import file_name, names, shown

__all__ = ["Manifest", "load_manifest"]

_TOP = {
    "name",
    "implementation",
    "description",
    "capabilities",
    "transport",
    "environment",
    "notes",
    "quirks",
}
# A tuple: ``kind`` is compared with ``in``, and a set would raise on an unhashable one (a list).
_TRANSPORTS = ("python", "command")
#: The keys of ``[transport]``; a duration among them is read with :func:`_seconds`.
_TRANSPORT_KEYS = {"kind", "entry", "command", "timeout", "budget"}
_DEFAULT_TIMEOUT = 10.0
_ENVIRONMENT = {"python", "npm", "shared"}
#: Names an ``environment.shared`` file may not take: the host libraries copied beside it.
_HOST_NAMES = {"e2ee_host.py", "e2ee-host.mjs"}


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
    timeout: float = _DEFAULT_TIMEOUT
    #: Seconds the adapter may spend answering over a run (stdio.DEFAULT_BUDGET unless set).
    budget: float | None = None
    notes: dict[str, str] = field(default_factory=dict)
    #: family -> its parsed ``[quirks.<family>]`` table (conformance.quirks).
    quirks: dict[str, object] = field(default_factory=dict)
    sha256: str = ""

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def shared(self) -> tuple[Path, ...]:
        """The ``environment.shared`` files: paths relative to the adapter's folder, checked
        by :func:`load_manifest` to stay inside the folder that holds it (``adapters/``)."""
        return tuple(self.folder / p for p in self.environment.get("shared", ()))


def load_manifest(path: Path) -> Manifest:
    """Parse and check an ``adapter.toml``; a problem raises ConfigurationError naming the file."""
    path = Path(path)
    if path.is_dir():
        path = path / "adapter.toml"
    shown_path = file_name(path)

    def bad(message: str) -> ConfigurationError:
        return ConfigurationError(f"{shown_path}: {message}")

    try:
        doc, raw = load_toml(path, "adapter manifest")
    except Unreadable as exc:
        raise bad(exc.problem) from None

    unknown = set(doc) - _TOP
    if unknown:
        raise bad(f"unknown field(s): {names(unknown)}")
    for key in ("name", "implementation", "capabilities", "transport"):
        if key not in doc:
            raise bad(f"missing field {key!r}")
    name = doc["name"]
    if not isinstance(name, str) or not name.isprintable() or not name or " " in name:
        raise bad("name must be a non-empty string without spaces or control characters")
    for key in ("implementation", "description"):
        if not isinstance(doc.get(key, ""), str):
            raise bad(f"{key} must be a string")
    caps = doc["capabilities"]
    if not isinstance(caps, list) or not all(isinstance(c, str) for c in caps):
        raise bad("capabilities must be a list of strings")
    unknown_caps = [c for c in caps if c not in CAPABILITIES]
    if unknown_caps:
        raise bad(
            f"unknown capability {shown(unknown_caps[0])}; known: {', '.join(sorted(CAPABILITIES))}"
        )
    transport = doc["transport"]
    if not isinstance(transport, dict) or transport.get("kind") not in _TRANSPORTS:
        raise bad(f"transport.kind must be one of {sorted(_TRANSPORTS)}")
    unknown_t = set(transport) - _TRANSPORT_KEYS
    if unknown_t:
        raise bad(f"unknown transport field(s): {names(unknown_t)}")
    timeout = _seconds(transport, "timeout", bad)
    budget = _seconds(transport, "budget", bad, most=86400)
    entry = ""
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
    if "shared" in environment:
        _check_shared(environment, path.parent, bad)
    notes = doc.get("notes", {})
    if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
        raise bad("notes must be a table of strings")
    try:
        quirks = parse_quirks(doc.get("quirks", {}))
    except ValueError as exc:
        raise bad(str(exc)) from None
    return Manifest(
        path=path,
        name=name,
        implementation=doc["implementation"],
        description=doc.get("description", ""),
        capabilities=frozenset(caps),
        transport=str(transport["kind"]),
        entry=entry,
        environment=dict(environment),
        command=command,
        timeout=_DEFAULT_TIMEOUT if timeout is None else timeout,
        budget=budget,
        notes=dict(notes),
        quirks=quirks,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def _check_shared(
    environment: dict[str, Any], folder: Path, bad: Callable[[str], ConfigurationError]
) -> None:
    """``environment.shared``: a list of relative paths to files in sibling adapter folders
    (``"../libsignal-client/classic.mjs"``), each copied next to the adapter in its environment.
    Only the form is checked here; a missing file is the adapter's error when its environment
    is keyed or built (conformance.environments)."""
    shared = environment["shared"]
    if not isinstance(shared, list) or not all(isinstance(p, str) and p for p in shared):
        raise bad('environment.shared must be a list of paths, e.g. ["../other/common.mjs"]')
    if not (environment.get("npm") or environment.get("python")):
        raise bad("environment.shared needs an environment (npm = true or python = [...])")
    root = folder.resolve().parent
    seen: set[str] = set()
    for rel in shared:
        pure = PurePosixPath(rel)
        if "\\" in rel or pure.is_absolute() or not pure.name or pure.name in (".", ".."):
            raise bad(f"environment.shared: {shown(rel)} must be a relative path to a file")
        target = (folder / pure).resolve()
        if not target.is_relative_to(root) or target.is_relative_to(folder.resolve()):
            raise bad(
                f"environment.shared: {shown(rel)} must name a file in another adapter folder "
                f"beside this one (inside {file_name(root)})"
            )
        if pure.name in _HOST_NAMES:
            raise bad(f"environment.shared: {shown(rel)} would replace the host library")
        if pure.name in seen:
            raise bad(f"environment.shared: a second file named {shown(pure.name)}")
        seen.add(pure.name)


def _seconds(
    transport: dict[str, Any],
    key: str,
    bad: Callable[[str], ConfigurationError],
    most: float = 600.0,
) -> float | None:
    """The optional ``[transport]`` duration ``key`` in seconds, in (0, ``most``]; None when
    absent. A bool is refused although Python counts it as a number (``timeout = true``)."""
    if key not in transport:
        return None
    value = transport[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= most:
        raise bad(f"transport.{key} must be a number of seconds in (0, {most:g}]")
    return float(value)
