"""The suite's own spec-faithful implementations, written over capability interfaces only.

They import no crypto library: primitives come in through :mod:`conformance.capabilities`, and
every random choice is a parameter, so their outputs can be compared byte for byte. The one
exception is ``hpke_primitives``: the HPKE reference (``hpke``) is written over its small
``HpkePrimitives`` interface, and that module implements it over pyca/cryptography, because no
adapter offers P-384, P-521, X448 or HKDF-SHA384/512 as capabilities.
"""

from __future__ import annotations

__all__: list[str] = []
