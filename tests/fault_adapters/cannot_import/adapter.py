"""Mock adapter (fault injection): its library is missing."""

from __future__ import annotations

import e2ee_conformance_no_such_library  # type: ignore[import-not-found]  # noqa: F401
