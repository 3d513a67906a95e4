"""Attacks the suite plays against one implementation with its own reference as the attacker
(issue 20): the reference's primitives with :class:`conformance.reference.low_order.MarkedX25519`
in place of X25519, so a reference party can hold a low-order "key" and still compute every
secret its victim derives."""

from __future__ import annotations

import dataclasses
import functools

from ..reference.low_order import MarkedX25519
from ..reference.primitives import Primitives

__all__ = ["attacker_primitives", "reference_primitives"]


@functools.cache
def reference_primitives() -> Primitives:
    """The primitives the suite's reference runs on: the bundled cryptography adapter's,
    loaded in this process (as the reference adapter does)."""
    from ..adapter import load_adapter
    from ..registry import known_manifests

    loaded = load_adapter(known_manifests()["cryptography"])
    if loaded.error is not None:
        raise RuntimeError(f"the cryptography adapter did not load: {loaded.error}")
    return Primitives.of(loaded.get)


@functools.cache
def attacker_primitives() -> Primitives:
    """:func:`reference_primitives` whose X25519 honours :func:`low_order.marker` keys."""
    base = reference_primitives()
    return dataclasses.replace(base, x25519=MarkedX25519(base.x25519))
