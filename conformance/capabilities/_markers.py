"""What several families' interfaces share."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["FixedRandomness"]


@runtime_checkable
class FixedRandomness(Protocol):
    """Marker: the adapter's operations of the family (``olm``, ``signal``) use the injected
    random values byte for byte."""
