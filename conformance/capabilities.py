"""One small typed interface per capability.

An adapter implements a subset and declares it. Every method takes and returns ``bytes`` and
rejects bad input by raising one of :mod:`conformance.errors`' neutral kinds.

Composite capabilities are built by the suite's reference code from capabilities the adapter does
declare (so they are never guessed); ``aes-256-cbc-hmac-sha256`` is the Double Ratchet's
recommended ENCRYPT over ``hkdf-sha256``, ``aes-256-cbc`` and ``hmac-sha256``.

``hpke`` (RFC 9180) is a family of its own: one interface over the ciphersuites named by their
IANA identifiers, with every random choice (the ephemeral key) injected by the caller.
"""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass
from functools import cache
from typing import Protocol, runtime_checkable

__all__ = [
    "CAPABILITIES",
    "COMPOSITES",
    "HPKE_MODES",
    "HPKE_SUITES",
    "X25519",
    "Aead",
    "Aes256Cbc",
    "Ed25519",
    "HkdfSha256",
    "HmacSha256",
    "Hpke",
    "Operation",
    "family_of",
    "interface_of",
    "operations",
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


#: RFC 9180 §5 modes: mode_base, mode_psk, mode_auth, mode_auth_psk.
HPKE_MODES: dict[int, str] = {0: "Base", 1: "PSK", 2: "Auth", 3: "AuthPSK"}

#: The ciphersuites (kem_id, kdf_id, aead_id) that an adapter declaring ``hpke`` supports, with
#: their RFC 9180 names (§7.1-7.3) and the Appendix A section of their test vectors.
HPKE_SUITES: dict[tuple[int, int, int], tuple[str, str]] = {
    (0x0020, 0x0001, 0x0001): ("DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM", "A.1"),
    (0x0020, 0x0001, 0x0003): ("DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305", "A.2"),
}


@runtime_checkable
class Hpke(Protocol):
    """RFC 9180 Hybrid Public Key Encryption through its single-shot APIs (§6).

    A ciphersuite is named by its IANA identifiers: ``kem_id`` (0x0020 DHKEM(X25519,
    HKDF-SHA256)), ``kdf_id`` (0x0001 HKDF-SHA256) and ``aead_id`` (0x0001 AES-128-GCM, 0x0003
    ChaCha20Poly1305); declaring ``hpke`` means supporting every suite in :data:`HPKE_SUITES` in
    all four modes. ``mode`` is 0 (Base), 1 (PSK), 2 (Auth) or 3 (AuthPSK) and must agree with
    the inputs: ``psk`` and ``psk_id`` are non-empty exactly in modes 1 and 3, ``sk_s`` /
    ``pk_s`` exactly in modes 2 and 3; raise InvalidInput when they do not (the suite's vectors
    never ask for that). Keys are in their serialized form (§7.1.1-7.1.2: 32 raw bytes for
    X25519). The only random choice, the ephemeral key pair, is injected as the input keying
    material ``ikm_e`` of DeriveKeyPair (§7.1.3), exactly as RFC 9180 Appendix A does.

    Refusals: a Diffie-Hellman output of all zeros (a low-order ``enc``, ``pk_r`` or ``pk_s``)
    raises InvalidKey (§7.1.4: "recipients MUST check whether the Diffie-Hellman shared secret
    is the all-zero value and abort"), as does a key that cannot be deserialized; an AEAD open
    failure raises AuthenticationFailed; an export length above 255 * Nh (§5.3) raises
    InvalidInput; an unknown suite or mode raises Unsupported.
    """

    def hpke_derive_key_pair(self, kem_id: int, ikm: bytes) -> bytes:
        """DeriveKeyPair(ikm) (§7.1.3): SerializePrivateKey(sk) || SerializePublicKey(pk)."""
        ...

    def hpke_seal(
        self,
        kem_id: int,
        kdf_id: int,
        aead_id: int,
        mode: int,
        pk_r: bytes,
        info: bytes,
        aad: bytes,
        plaintext: bytes,
        ikm_e: bytes,
        psk: bytes,
        psk_id: bytes,
        sk_s: bytes,
    ) -> bytes:
        """Seal<MODE>(pkR, info, aad, pt, ...) (§6.1) with the ephemeral key pair
        DeriveKeyPair(ikm_e): returns enc || ct (enc is Nenc = 32 bytes for X25519)."""
        ...

    def hpke_open(
        self,
        kem_id: int,
        kdf_id: int,
        aead_id: int,
        mode: int,
        sk_r: bytes,
        enc: bytes,
        info: bytes,
        aad: bytes,
        ciphertext: bytes,
        psk: bytes,
        psk_id: bytes,
        pk_s: bytes,
    ) -> bytes:
        """Open<MODE>(enc, skR, info, aad, ct, ...) (§6.1): the plaintext."""
        ...

    def hpke_export(
        self,
        kem_id: int,
        kdf_id: int,
        aead_id: int,
        mode: int,
        sk_r: bytes,
        enc: bytes,
        info: bytes,
        exporter_context: bytes,
        length: int,
        psk: bytes,
        psk_id: bytes,
        pk_s: bytes,
    ) -> bytes:
        """ReceiveExport<MODE>(enc, skR, info, exporter_context, L, ...) (§6.2, §5.3): the
        ``length``-byte exported secret."""
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
    "hpke": ("hpke", Hpke),
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


@dataclass(frozen=True)
class Operation:
    """One method of a capability interface: its parameters in order with their types, and the
    type it returns (what the stdio protocol and its JSON Schemas are built from)."""

    name: str
    params: tuple[tuple[str, object], ...]
    returns: object

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.params)


@cache
def operations(capability: str) -> dict[str, Operation]:
    """The methods of a capability's interface, by name (empty for an unknown capability)."""
    interface = interface_of(capability)
    if interface is None:
        return {}
    out: dict[str, Operation] = {}
    for name, fn in vars(interface).items():
        if not callable(fn) or name.startswith("_"):
            continue
        hints = typing.get_type_hints(fn)
        params = tuple((p, hints.get(p)) for p in inspect.signature(fn).parameters if p != "self")
        out[name] = Operation(name, params, hints.get("return", None))
    return out
