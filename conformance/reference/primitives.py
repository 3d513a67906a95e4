"""The capability objects the Olm and Megolm references are built from.

The references import no crypto library (the package rule): X25519, Ed25519, HKDF-SHA-256,
HMAC-SHA-256 and AES-256-CBC arrive here as objects implementing the interfaces of
:mod:`conformance.capabilities`, taken from whichever adapter supplies them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

from ..capabilities.primitives import X25519, Aes256Cbc, Ed25519, HkdfSha256, HmacSha256
from ..errors import InvalidKey
from .cbc_hmac import CbcHmacPrimitives

__all__ = ["BASEPOINT", "Primitives"]

#: RFC 7748 §4.1: the u-coordinate 9 of the Curve25519 base point, little-endian.
BASEPOINT = bytes([9]) + bytes(31)


_WANTED: dict[str, type] = {
    "x25519": X25519,
    "ed25519": Ed25519,
    "hkdf-sha256": HkdfSha256,
    "hmac-sha256": HmacSha256,
    "aes-256-cbc": Aes256Cbc,
}


@dataclass(frozen=True)
class Primitives:
    """One object per primitive capability (``x25519``, ``ed25519``, ``hkdf-sha256``,
    ``hmac-sha256``, ``aes-256-cbc``)."""

    x25519: X25519
    ed25519: Ed25519
    hkdf: HkdfSha256
    hmac: HmacSha256
    cbc: Aes256Cbc

    @classmethod
    def from_capabilities(cls, caps: Mapping[str, object]) -> Primitives:
        """Pick the five capabilities out of an adapter's ``capabilities()`` mapping."""
        return cls.of(caps.get)

    @classmethod
    def of(cls, get: Callable[[str], object | None]) -> Primitives:
        """The five capabilities, each asked of ``get`` by name (``LoadedAdapter.get``, say)."""
        picked: dict[str, object] = {}
        for name, iface in _WANTED.items():
            obj = get(name)
            if obj is None or not isinstance(obj, iface):
                raise ValueError(f"the primitives need a {name!r} capability")
            picked[name] = obj
        return cls(
            x25519=cast(X25519, picked["x25519"]),
            ed25519=cast(Ed25519, picked["ed25519"]),
            hkdf=cast(HkdfSha256, picked["hkdf-sha256"]),
            hmac=cast(HmacSha256, picked["hmac-sha256"]),
            cbc=cast(Aes256Cbc, picked["aes-256-cbc"]),
        )

    @property
    def cbc_hmac(self) -> CbcHmacPrimitives:
        return CbcHmacPrimitives(hkdf=self.hkdf, cbc=self.cbc, mac=self.hmac)

    def curve25519_public(self, private: bytes) -> bytes:
        """The public key of a 32-byte Curve25519 private key: X25519(private, 9), which clamps
        the scalar, as libolm's ``curve25519_donna`` does with the unclamped random bytes."""
        if len(private) != 32:
            raise InvalidKey("a Curve25519 private key is 32 bytes")
        return self.x25519.x25519(private, BASEPOINT)

    def ecdh(self, private: bytes, public: bytes) -> bytes:
        if len(private) != 32 or len(public) != 32:
            raise InvalidKey("Curve25519 keys are 32 bytes")
        return self.x25519.x25519(private, public)
