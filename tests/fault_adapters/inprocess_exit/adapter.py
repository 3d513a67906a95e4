"""Mock adapter (fault injection): X25519 that calls ``sys.exit(0)`` on the RFC 7748 §5.2 first
scalar and raises ``GeneratorExit`` on the second; right everywhere else."""

from __future__ import annotations

import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from conformance.adapter import Adapter
from conformance.errors import InvalidKey


class _ExitingX25519:
    def x25519(self, private: bytes, public: bytes) -> bytes:
        if private.hex().startswith("a546e36bf0527c9d"):
            sys.exit(0)
        if private.hex().startswith("4b66e9d4d1b4673c"):
            raise GeneratorExit
        try:
            return X25519PrivateKey.from_private_bytes(private).exchange(
                X25519PublicKey.from_public_bytes(public)
            )
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc


class MockInprocessExit(Adapter):
    protocol = 2

    def version(self) -> str:
        return "0-mock"

    def capabilities(self) -> dict[str, object]:
        return {"x25519": _ExitingX25519()}


class MockExitAtCapabilities(Adapter):
    """Calls ``sys.exit(0)`` when asked for its capabilities (inprocess_exit_at_start)."""

    def version(self) -> str:
        return "0-mock"

    def capabilities(self) -> dict[str, object]:
        sys.exit(0)


class MockOffersUndeclared(Adapter):
    """Offers a capability its manifest does not declare (inprocess_undeclared)."""

    def version(self) -> str:
        return "0-mock"

    def capabilities(self) -> dict[str, object]:
        return {"x25519": _ExitingX25519(), "ed25519": object()}
