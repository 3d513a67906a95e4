"""One small typed interface per capability.

An adapter implements a subset and declares it. Every method takes and returns ``bytes`` and
rejects bad input by raising one of :mod:`conformance.errors`' neutral kinds.

Composite capabilities are built by the suite's reference code from capabilities the adapter does
declare (so they are never guessed); ``aes-256-cbc-hmac-sha256`` is the Double Ratchet's
recommended ENCRYPT over ``hkdf-sha256``, ``aes-256-cbc`` and ``hmac-sha256``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = [
    "CAPABILITIES",
    "COMPOSITES",
    "X25519",
    "Aead",
    "Aes256Cbc",
    "Ed25519",
    "HkdfSha256",
    "HmacSha256",
    "family_of",
    "interface_of",
]


@runtime_checkable
class X25519(Protocol):
    """RFC 7748 §5: the X25519 function."""

    def x25519(self, private: bytes, public: bytes) -> bytes:
        """X25519(private, public). Raise InvalidKey to refuse an input (e.g. an all-zero result)."""
        ...


@runtime_checkable
class Ed25519(Protocol):
    """RFC 8032 §5.1: Ed25519 key generation, signing and verification."""

    def ed25519_public_key(self, private: bytes) -> bytes:
        """The encoded public key of a 32-byte private seed (§5.1.5)."""
        ...

    def ed25519_sign(self, private: bytes, message: bytes) -> bytes:
        """The 64-byte signature (§5.1.6)."""
        ...

    def ed25519_verify(self, public: bytes, message: bytes, signature: bytes) -> None:
        """Return on success; raise InvalidSignature (or InvalidKey) otherwise (§5.1.7)."""
        ...


@runtime_checkable
class HkdfSha256(Protocol):
    """RFC 5869 §2: HKDF with SHA-256."""

    def hkdf_sha256(self, ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
        """Extract then expand; raise InvalidInput when ``length`` > 255 * HashLen."""
        ...


@runtime_checkable
class HmacSha256(Protocol):
    """RFC 2104 HMAC with SHA-256."""

    def hmac_sha256(self, key: bytes, message: bytes) -> bytes:
        """The full 32-byte MAC."""
        ...

    def hmac_sha256_verify(self, key: bytes, message: bytes, tag: bytes) -> None:
        """Check a full 32-byte tag in constant time; raise AuthenticationFailed otherwise."""
        ...


@runtime_checkable
class Aead(Protocol):
    """RFC 5116 §2 interface: the ciphertext carries the tag at its end."""

    def encrypt(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes: ...

    def decrypt(self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        """Raise AuthenticationFailed on a bad tag, InvalidInput on a bad key or nonce size."""
        ...


@runtime_checkable
class Aes256Cbc(Protocol):
    """NIST SP 800-38A §6.2 CBC mode with AES-256; PKCS#7 padding (RFC 5652 §6.3) when asked."""

    def aes_256_cbc_encrypt(
        self, key: bytes, iv: bytes, plaintext: bytes, padding: bool
    ) -> bytes: ...

    def aes_256_cbc_decrypt(self, key: bytes, iv: bytes, ciphertext: bytes, padding: bool) -> bytes:
        """Raise InvalidMessage on bad padding or a length that is not a multiple of 16."""
        ...


#: Capability name -> (family, interface).
CAPABILITIES: dict[str, tuple[str, type]] = {
    "x25519": ("primitives", X25519),
    "ed25519": ("primitives", Ed25519),
    "hkdf-sha256": ("primitives", HkdfSha256),
    "hmac-sha256": ("primitives", HmacSha256),
    "aead:chacha20-poly1305": ("primitives", Aead),
    "aead:xchacha20-poly1305": ("primitives", Aead),
    "aead:aes-256-gcm": ("primitives", Aead),
    "aes-256-cbc": ("primitives", Aes256Cbc),
}

#: Composite capability -> the declared capabilities it is built from.
COMPOSITES: dict[str, tuple[str, ...]] = {
    "aes-256-cbc-hmac-sha256": ("hkdf-sha256", "aes-256-cbc", "hmac-sha256"),
}


def interface_of(capability: str) -> type | None:
    entry = CAPABILITIES.get(capability)
    return entry[1] if entry else None


def family_of(capability: str) -> str:
    if capability in COMPOSITES:
        return family_of(COMPOSITES[capability][0])
    entry = CAPABILITIES.get(capability)
    return entry[0] if entry else "unknown"
