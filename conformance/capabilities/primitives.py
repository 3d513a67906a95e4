"""Primitive capabilities: X25519 (RFC 7748), Ed25519 (RFC 8032), HKDF-SHA-256 (RFC 5869),
HMAC-SHA-256 (RFC 2104), the AEADs (RFC 5116) and AES-256-CBC (NIST SP 800-38A).

``aes-256-cbc-hmac-sha256`` is a composite: the Double Ratchet's recommended ENCRYPT, built by
the suite's reference code over ``hkdf-sha256``, ``aes-256-cbc`` and ``hmac-sha256``, so it is
never guessed from an adapter that does not declare those.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["X25519", "Aead", "Aes256Cbc", "Ed25519", "HkdfSha256", "HmacSha256"]

FAMILY = "primitives"


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


CAPABILITIES: dict[str, type] = {
    "x25519": X25519,
    "ed25519": Ed25519,
    "hkdf-sha256": HkdfSha256,
    "hmac-sha256": HmacSha256,
    "aead:chacha20-poly1305": Aead,
    "aead:xchacha20-poly1305": Aead,
    "aead:aes-256-gcm": Aead,
    "aes-256-cbc": Aes256Cbc,
}

COMPOSITES: dict[str, tuple[str, ...]] = {
    "aes-256-cbc-hmac-sha256": ("hkdf-sha256", "aes-256-cbc", "hmac-sha256"),
}
