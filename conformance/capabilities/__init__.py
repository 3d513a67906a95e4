"""One small typed interface per capability, in a module per family.

An adapter implements a subset and declares it. Every method takes and returns ``bytes`` (or
the JSON-shaped values its family documents) and rejects bad input by raising one of
:mod:`conformance.errors`' neutral kinds.

Each family's module (``primitives``, ``hpke``, ``olm``, ``megolm``, ``signal``, ...) names its
``FAMILY`` and maps its capability names to interfaces (``CAPABILITIES``) and its composite
capabilities to the declared ones they are built from (``COMPOSITES``: built by the suite's
reference code, never guessed). This registry finds the family modules itself, so a new family
is a new module here and nothing else changes.

A marker capability has no methods: it declares a property of the adapter's other
capabilities (``olm:fixed-randomness``: the injected random values are used byte for byte).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType, ModuleType
from typing import is_typeddict

__all__ = [
    "CAPABILITIES",
    "COMPOSITES",
    "FAMILY_MODULES",
    "Operation",
    "family_of",
    "interface_of",
    "is_marker",
    "operations",
]


def _family_modules() -> tuple[ModuleType, ...]:
    """Every family's module, by name (a module whose name starts with ``_`` is shared)."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in names)


FAMILY_MODULES = _family_modules()

#: Capability name -> (family, interface).
CAPABILITIES: dict[str, tuple[str, type]] = {
    name: (module.FAMILY, interface)
    for module in FAMILY_MODULES
    for name, interface in module.CAPABILITIES.items()
}

#: Composite capability -> the declared capabilities it is built from.
COMPOSITES: dict[str, tuple[str, ...]] = {
    name: parts for module in FAMILY_MODULES for name, parts in module.COMPOSITES.items()
}


def is_marker(capability: str) -> bool:
    """A capability with no methods: a declared property of the adapter's other capabilities."""
    return capability in CAPABILITIES and not operations(capability)


def interface_of(capability: str) -> type | None:
    entry = CAPABILITIES.get(capability)
    return entry[1] if entry else None


def family_of(capability: str) -> str:
    if capability in COMPOSITES:
        return family_of(COMPOSITES[capability][0])
    entry = CAPABILITIES.get(capability)
    return entry[0] if entry else "unknown"


@dataclass(frozen=True)
class Operation:
    """One method of a capability interface: its parameters in order with their types, and the
    type it returns (what the stdio protocol and its JSON Schemas are built from)."""

    name: str
    params: tuple[tuple[str, object], ...]
    returns: object
    #: The fields of a returned object (a ``TypedDict``) with their types; empty otherwise.
    #: Worked out once here: every answer of a stdio adapter is decoded against them.
    fields: Mapping[str, object] = field(default_factory=dict)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.params)


@cache
def operations(capability: str) -> dict[str, Operation]:
    """The methods of a capability's interface, by name (empty for an unknown capability)."""
    interface = interface_of(capability)
    if interface is None:
        return {}
    out: dict[str, Operation] = {}
    for name, fn in vars(interface).items():
        if not callable(fn) or name.startswith("_"):
            continue
        hints = typing.get_type_hints(fn)
        params = tuple((p, hints.get(p)) for p in inspect.signature(fn).parameters if p != "self")
        returns = hints.get("return", None)
        fields = typing.get_type_hints(returns) if is_typeddict(returns) else {}
        out[name] = Operation(name, params, returns, MappingProxyType(fields))
    return out
