"""Finding adapters: bundled folders, manifest paths, and the ``e2ee_conformance.adapters``
entry-point group (whose entries resolve to the path of an ``adapter.toml``, or to a callable
returning one), loaded lazily."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path

from .adapter import LoadedAdapter, bundled_manifest_paths, load_adapter
from .errors import ConfigurationError
from .manifest import Manifest, load_manifest
from .quoting import file_name
from .resources import adapters_dir

__all__ = ["ENTRY_POINT_GROUP", "known_manifests", "load_adapters", "resolve"]

ENTRY_POINT_GROUP = "e2ee_conformance.adapters"


def known_manifests() -> dict[str, Manifest]:
    """Bundled adapters, then third-party entry points; a name may not be taken twice."""
    found: dict[str, Manifest] = {}
    for path in bundled_manifest_paths(adapters_dir()):
        m = load_manifest(path)
        found[m.name] = m
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            target = ep.load()
            if callable(target):
                target = target()
            m = load_manifest(Path(str(target)))
        except ConfigurationError:
            raise
        except Exception as exc:
            raise ConfigurationError(
                f"entry point {ep.name!r} ({ep.value}) in group {ENTRY_POINT_GROUP} failed: {exc}"
            ) from None
        if m.name in found:
            raise ConfigurationError(
                f"adapter name {m.name!r} from entry point {ep.value} is already taken by "
                f"{found[m.name].path}"
            )
        found[m.name] = m
    return found


def resolve(specs: Sequence[str]) -> list[Manifest]:
    """Manifests for the given names or paths (all known adapters when ``specs`` is empty)."""
    known = known_manifests()
    if not specs:
        return list(known.values())
    chosen: list[Manifest] = []
    for spec in specs:
        path = Path(spec)
        if spec.endswith(".toml") or path.is_dir() or "/" in spec:
            if not (path.is_file() or (path / "adapter.toml").is_file()):
                raise ConfigurationError(f"adapter manifest not found: {file_name(spec)}")
            m = load_manifest(path)
        elif spec in known:
            m = known[spec]
        else:
            names = ", ".join(sorted(known)) or "none"
            raise ConfigurationError(f"unknown adapter {spec!r}; known adapters: {names}")
        if any(c.name == m.name for c in chosen):
            raise ConfigurationError(f"adapter {m.name!r} given twice")
        chosen.append(m)
    return chosen


def load_adapters(specs: Sequence[str]) -> list[LoadedAdapter]:
    return [load_adapter(m) for m in resolve(specs)]
