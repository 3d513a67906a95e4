"""The cipher suite's operations (RFC 9420 §5.1-§5.2, §8): hash, MAC, KDF, ExpandWithLabel,
DeriveSecret, DeriveTreeSecret, RefHash, SignWithLabel / VerifyWithLabel and
EncryptWithLabel / DecryptWithLabel.

SHA-2, HMAC and HKDF (RFC 5869) are written here over the standard library's hashlib and
hmac; signatures and HPKE come through the :class:`Signatures` and :class:`Hpke` interfaces.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol

from ...errors import InvalidInput
from .ciphersuites import CipherSuite
from .tls import opaque, uint16, uint32

__all__ = [
    "LABEL_PREFIX",
    "Hpke",
    "Signatures",
    "decrypt_with_label",
    "derive_secret",
    "derive_tree_secret",
    "encrypt_with_label",
    "expand",
    "expand_with_label",
    "extract",
    "hash_",
    "mac",
    "ref_hash",
    "sign_with_label",
    "verify_with_label",
]

#: Every label of §5.1.2, §5.1.3 and §8 is prefixed with this string.
LABEL_PREFIX = b"MLS 1.0 "


class Signatures(Protocol):
    """Signature.Sign / Signature.Verify of §5.1.2 for the suite's scheme ("ed25519", "ed448",
    "p256", "p384", "p521"); keys as RFC 9420 §5.1.1 serialises them. ``verify`` raises
    InvalidSignature when the signature does not verify, InvalidKey for a malformed key."""

    def sign(self, scheme: str, private_key: bytes, message: bytes) -> bytes: ...

    def verify(self, scheme: str, public_key: bytes, message: bytes, signature: bytes) -> None: ...


class Hpke(Protocol):
    """HPKE base mode (RFC 9180 §5.1.1, §6.1) and DeriveKeyPair (§7.1.3) for the suite's KEM,
    KDF and AEAD identifiers. ``open_base`` raises AuthenticationFailed when the ciphertext does
    not open, InvalidKey for a malformed key or KEM output."""

    def seal_base(
        self, kem_id: int, kdf_id: int, aead_id: int, pk: bytes, info: bytes, aad: bytes, pt: bytes
    ) -> tuple[bytes, bytes]: ...

    def open_base(
        self,
        kem_id: int,
        kdf_id: int,
        aead_id: int,
        enc: bytes,
        sk: bytes,
        info: bytes,
        aad: bytes,
        ct: bytes,
    ) -> bytes: ...

    def derive_key_pair(self, kem_id: int, ikm: bytes) -> tuple[bytes, bytes]: ...

    def receive_export_base(
        self,
        kem_id: int,
        kdf_id: int,
        aead_id: int,
        enc: bytes,
        sk: bytes,
        info: bytes,
        exporter_context: bytes,
        length: int,
    ) -> bytes:
        """SetupBaseR, then Context.Export (RFC 9180 §5.3): external init (§8.3)."""
        ...

    def send_export_base(
        self,
        kem_id: int,
        kdf_id: int,
        aead_id: int,
        pk: bytes,
        info: bytes,
        exporter_context: bytes,
        length: int,
    ) -> tuple[bytes, bytes]:
        """SetupBaseS, then Context.Export: (enc, the exported secret)."""
        ...


def hash_(cs: CipherSuite, data: bytes) -> bytes:
    """The suite's Hash (§5.1)."""
    return hashlib.new(cs.hash_name, data).digest()


def mac(cs: CipherSuite, key: bytes, data: bytes) -> bytes:
    """MAC = HMAC with the suite's hash (§5.1)."""
    return hmac.new(key, data, cs.hash_name).digest()


def extract(cs: CipherSuite, salt: bytes, ikm: bytes) -> bytes:
    """KDF.Extract = HKDF-Extract (RFC 5869 §2.2)."""
    return hmac.new(salt, ikm, cs.hash_name).digest()


def expand(cs: CipherSuite, prk: bytes, info: bytes, length: int) -> bytes:
    """KDF.Expand = HKDF-Expand (RFC 5869 §2.3); at most 255 * Nh bytes."""
    if length < 0 or length > 255 * cs.nh:
        raise InvalidInput(f"HKDF-Expand of {length} bytes")
    out = b""
    block = b""
    counter = 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), cs.hash_name).digest()
        out += block
        counter += 1
    return out[:length]


def expand_with_label(
    cs: CipherSuite, secret: bytes, label: bytes, context: bytes, length: int
) -> bytes:
    """ExpandWithLabel (§8): KDF.Expand(secret, KDFLabel, length), KDFLabel = uint16 length ||
    opaque label<V> ("MLS 1.0 " + label) || opaque context<V>."""
    if length < 0 or length > 0xFFFF:
        raise InvalidInput(f"ExpandWithLabel length {length} is not a uint16")
    info = uint16(length) + opaque(LABEL_PREFIX + label) + opaque(context)
    return expand(cs, secret, info, length)


def derive_secret(cs: CipherSuite, secret: bytes, label: bytes) -> bytes:
    """DeriveSecret (§8) = ExpandWithLabel(secret, label, "", KDF.Nh)."""
    return expand_with_label(cs, secret, label, b"", cs.nh)


def derive_tree_secret(
    cs: CipherSuite, secret: bytes, label: bytes, generation: int, length: int
) -> bytes:
    """DeriveTreeSecret (§9) = ExpandWithLabel(secret, label, uint32(generation), length)."""
    if generation < 0 or generation > 0xFFFF_FFFF:
        raise InvalidInput(f"generation {generation} is not a uint32")
    return expand_with_label(cs, secret, label, uint32(generation), length)


def ref_hash(cs: CipherSuite, label: bytes, value: bytes) -> bytes:
    """RefHash (§5.2) = Hash(opaque label<V> || opaque value<V>); the label is used as given
    (the spec's own labels carry the "MLS 1.0 " prefix in their text)."""
    return hash_(cs, opaque(label) + opaque(value))


def _sign_content(label: bytes, content: bytes) -> bytes:
    return opaque(LABEL_PREFIX + label) + opaque(content)


def sign_with_label(
    cs: CipherSuite, sig: Signatures, private_key: bytes, label: bytes, content: bytes
) -> bytes:
    """SignWithLabel (§5.1.2): Signature.Sign over SignContent = opaque label<V> ("MLS 1.0 " +
    label) || opaque content<V>."""
    return sig.sign(cs.signature, private_key, _sign_content(label, content))


def verify_with_label(
    cs: CipherSuite,
    sig: Signatures,
    public_key: bytes,
    label: bytes,
    content: bytes,
    signature: bytes,
) -> None:
    """VerifyWithLabel (§5.1.2); a signature that does not verify raises InvalidSignature."""
    sig.verify(cs.signature, public_key, _sign_content(label, content), signature)


def _encrypt_context(label: bytes, context: bytes) -> bytes:
    return opaque(LABEL_PREFIX + label) + opaque(context)


def encrypt_with_label(
    cs: CipherSuite, hpke: Hpke, public_key: bytes, label: bytes, context: bytes, plaintext: bytes
) -> tuple[bytes, bytes]:
    """EncryptWithLabel (§5.1.3): SealBase(public_key, EncryptContext, "", plaintext), with
    EncryptContext = opaque label<V> ("MLS 1.0 " + label) || opaque context<V>; returns
    (kem_output, ciphertext)."""
    info = _encrypt_context(label, context)
    return hpke.seal_base(cs.kem_id, cs.kdf_id, cs.aead_id, public_key, info, b"", plaintext)


def decrypt_with_label(
    cs: CipherSuite,
    hpke: Hpke,
    private_key: bytes,
    label: bytes,
    context: bytes,
    kem_output: bytes,
    ciphertext: bytes,
) -> bytes:
    """DecryptWithLabel (§5.1.3): OpenBase(kem_output, private_key, EncryptContext, "",
    ciphertext)."""
    info = _encrypt_context(label, context)
    return hpke.open_base(
        cs.kem_id, cs.kdf_id, cs.aead_id, kem_output, private_key, info, b"", ciphertext
    )
