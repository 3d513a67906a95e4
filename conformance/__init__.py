"""e2ee-conformance: interoperability and conformance checks for end-to-end-encrypted messaging.

The engine (this package) never imports pytest; the pytest plugin is one thin module on top.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
