"""Adapters: the bridge between the suite and one implementation under test.

An in-process adapter is a Python class named by its manifest. It reports its library's real
version and returns, per declared capability, an object implementing that capability's interface
(:mod:`conformance.capabilities`). What it does not return is ``unsupported``; nothing is ever
inferred from a failure (quic-interop-runner's "failed everywhere, so unsupported" hid bugs).
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import traceback
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from . import interrupts, untrusted
from .capabilities import COMPOSITES, interface_of
from .errors import ConfigurationError, Unsupported
from .manifest import Manifest

__all__ = ["Adapter", "AdapterInfo", "LoadedAdapter", "load_adapter"]


class Adapter(ABC):
    """Base class of in-process adapters."""

    #: e.g. "pyca/cryptography (OpenSSL)"; the manifest's value is used when empty.
    implementation: str = ""
    #: The adapter contract it speaks (docs/adapter-protocol.md): 2 returns a party's state with
    #: a refused stateful operation (``ProtocolError.state``), 1 does not.
    protocol: int = 1

    @abstractmethod
    def version(self) -> str:
        """The real version of the wrapped library (and its native core where it has one)."""

    @abstractmethod
    def capabilities(self) -> dict[str, object]:
        """Capability name -> object implementing it, for what is available at run time."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources; called once at the end of a run."""


@dataclass(frozen=True)
class AdapterInfo:
    """What the report records about an adapter."""

    name: str
    implementation: str
    version: str
    capabilities: tuple[str, ...]
    manifest: str
    manifest_sha256: str
    status: str = "ok"
    error: str | None = None
    notes: dict[str, str] = field(default_factory=dict)
    protocol: int = 1


class LoadedAdapter:
    """A manifest plus its live instance, or the reason it could not be started."""

    def __init__(self, manifest: Manifest, instance: Adapter | None, error: str | None) -> None:
        self.manifest = manifest
        self.instance = instance
        # Bounded once here: pair results and the report both read it.
        self.error = None if error is None else untrusted.clean(error, untrusted.START_ERROR)
        self._caps: dict[str, object] = {}
        if instance is not None and error is None:
            # What the adapter's own code does or offers is never the run's end, only its own
            # error: BaseException too (sys.exit in an adapter must not pass a CI gate).
            try:
                caps = instance.capabilities()
                self._caps = self._checked(caps)
            except ConfigurationError as exc:
                self.error = untrusted.clean(str(exc), untrusted.START_ERROR)
            except BaseException as exc:
                if interrupts.is_interruption(exc):
                    raise
                self.error = _start_error("capabilities() raised:\n", traceback.format_exc())
        self.version = "unknown"
        if instance is not None and self.error is None:
            try:
                # An in-process adapter may return anything, of any length: pair results and
                # the report read this attribute.
                self.version = untrusted.clean(instance.version(), untrusted.VERSION)
            except BaseException as exc:
                if interrupts.is_interruption(exc):
                    raise
                self.error = _start_error("version() raised:\n", traceback.format_exc())

    @property
    def name(self) -> str:
        return self.manifest.name

    def _checked(self, caps: dict[str, object]) -> dict[str, object]:
        undeclared = sorted(set(caps) - self.manifest.capabilities)
        if undeclared:
            raise ConfigurationError(
                f"{self.manifest.path}: adapter offers {_names(undeclared)} at run time "
                "but its manifest does not declare it"
            )
        for cap, impl in caps.items():
            iface = interface_of(cap)
            if iface is not None and not isinstance(impl, iface):
                raise ConfigurationError(
                    f"{self.manifest.path}: the object for {cap!r} does not implement "
                    f"{iface.__name__}"
                )
        return dict(caps)

    def supports(self, capability: str) -> bool:
        if capability in COMPOSITES:
            return all(c in self._caps for c in COMPOSITES[capability])
        return capability in self._caps

    def get(self, capability: str) -> object:
        """The object for ``capability``; raises Unsupported when it is not declared."""
        if capability not in self._caps:
            raise Unsupported(f"{self.name} does not declare {capability}")
        return self._caps[capability]

    def unavailable(self) -> dict[str, str]:
        """Declared in the manifest, absent at run time (e.g. AES-GCM without CPU support)."""
        return {
            cap: self.manifest.notes.get(cap, "not available at run time")
            for cap in sorted(self.manifest.capabilities - set(self._caps))
        }

    def info(self) -> AdapterInfo:
        """What the report keeps of this adapter, each adapter-supplied text bounded (an
        in-process adapter's attributes may hold anything)."""
        impl: object = self.manifest.implementation
        own = getattr(self.instance, "implementation", None)
        # Not truthiness: a hostile object's __bool__ may raise; only None and "" mean unset.
        if own is not None and not (isinstance(own, str) and not own):
            impl = own
        notes: dict[object, object] = {}
        notes.update(self.manifest.notes)
        for cap, text in _own_notes(self.instance).items():
            notes.setdefault(cap, text)
        if self.error is None:
            for cap, why in self.unavailable().items():
                notes[cap] = f"declared but unavailable at run time: {why}"
        return AdapterInfo(
            name=self.name,
            implementation=untrusted.clean(impl, untrusted.IMPLEMENTATION),
            version=self.version,  # cleaned when read
            capabilities=tuple(sorted(self._caps)),
            manifest=str(self.manifest.path),
            manifest_sha256=self.manifest.sha256,
            status="ok" if self.error is None else "error",
            error=self.error,
            notes=_bounded_notes(notes),
            protocol=self.protocol,
        )

    @property
    def protocol(self) -> int:
        """The adapter contract the implementation speaks (1 when it could not start)."""
        return self.instance.protocol if self.instance is not None else 1

    def close(self) -> None:
        if self.instance is None:
            return
        try:
            self.instance.close()
        except BaseException as exc:
            if interrupts.is_interruption(exc):
                raise


def load_adapter(manifest: Manifest) -> LoadedAdapter:
    """Import and instantiate the adapter a manifest names.

    A failure to import or construct it (for example its library is not installed) does not stop
    the run: the adapter is returned with ``error`` set and its checks become ``error`` results.
    """
    if manifest.transport == "command":
        return _load_command(manifest)
    module_file, _, class_name = manifest.entry.partition(":")
    path = (manifest.folder / module_file).resolve()
    if not path.is_file():
        raise ConfigurationError(f"{manifest.path}: entry module {module_file!r} does not exist")
    module_name = f"_e2ee_adapter_{manifest.name.replace('-', '_')}_{manifest.sha256[:8]}"
    try:
        module = sys.modules.get(module_name)
        if module is None:
            spec = importlib.util.spec_from_file_location(module_name, path)
            if spec is None or spec.loader is None:
                raise ConfigurationError(f"{manifest.path}: cannot import {path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[module_name]
                raise
        cls = getattr(module, class_name, None)
        if cls is None:
            raise ConfigurationError(f"{manifest.path}: {module_file} has no {class_name!r}")
        instance = cls()
    except ConfigurationError:
        raise
    except BaseException as exc:
        if interrupts.is_interruption(exc):
            raise
        return LoadedAdapter(
            manifest, None, _start_error("failed to load:\n", traceback.format_exc())
        )
    if not isinstance(instance, Adapter):
        raise ConfigurationError(f"{manifest.path}: {class_name} is not a conformance Adapter")
    return LoadedAdapter(manifest, instance, None)


def _load_command(manifest: Manifest) -> LoadedAdapter:
    from .environments import EnvironmentFailed
    from .outofprocess import StdioAdapter
    from .stdio import AdapterFault

    try:
        instance = StdioAdapter(manifest)
    except (EnvironmentFailed, AdapterFault) as exc:
        return LoadedAdapter(manifest, None, f"could not start: {exc}")
    loaded = LoadedAdapter(manifest, instance, None)
    return loaded


def _names(names: list[str]) -> str:
    """Capability names an adapter offered, quoted and escaped: they reach the terminal in a
    usage error."""
    return ", ".join(repr(untrusted.clean(n, untrusted.IMPLEMENTATION)) for n in names)


def _own_notes(instance: Adapter | None) -> dict[object, object]:
    """The notes an adapter instance carries, or none when it carries no mapping."""
    notes = getattr(instance, "notes", None)
    return dict(notes) if isinstance(notes, dict) else {}


def _bounded_notes(notes: dict[object, object]) -> dict[str, str]:
    """At most NOTES notes, each cut to NOTE characters; how many were dropped is said in one
    more note, so the cut is visible in every report. Only the notes kept are cleaned: an
    adapter may offer millions."""
    out: dict[str, str] = {}
    for cap, text in itertools.islice(notes.items(), untrusted.NOTES):
        out[untrusted.clean(cap, untrusted.IMPLEMENTATION)] = untrusted.clean(text, untrusted.NOTE)
    if len(notes) > untrusted.NOTES:
        out["…"] = f"{len(notes) - untrusted.NOTES} more note(s) not kept"
    return out


def _start_error(what: str, trace: str) -> str:
    return untrusted.clean(what + _tail(trace), untrusted.START_ERROR)


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def bundled_manifest_paths(root: Path) -> list[Path]:
    return sorted(root.glob("*/adapter.toml"))
