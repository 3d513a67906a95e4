"""The suite's own spec-faithful implementations, written over capability interfaces only.

They import no crypto library: primitives come in through :mod:`conformance.capabilities`, and
every random choice is a parameter, so their outputs can be compared byte for byte.
"""

from __future__ import annotations

__all__: list[str] = []
