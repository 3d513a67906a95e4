"""Mock adapter (fault injection): its X25519 calls ``sys.exit(0)``, as a library that treats an
invalid key as fatal might. A check must never make the suite exit 0."""

from __future__ import annotations

import sys

from conformance.adapter import Adapter


class _ExitingX25519:
    def x25519(self, private: bytes, public: bytes) -> bytes:
        sys.exit(0)


class MockExitInCheck(Adapter):
    def version(self) -> str:
        return "0-mock"

    def capabilities(self) -> dict[str, object]:
        return {"x25519": _ExitingX25519()}
