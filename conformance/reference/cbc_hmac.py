"""The Double Ratchet's recommended ENCRYPT/DECRYPT (Signal Double Ratchet spec §5.2).

Used by Signal (info ``WhisperMessageKeys``, libsignal ``ratchet/keys.rs``) and Olm (info
``OLM_KEYS``, olm.md "Encryption"): HKDF-SHA-256 with a zero salt turns a message key into an
AES-256 key, an HMAC-SHA-256 key and a CBC IV (80 bytes); the plaintext is AES-256-CBC encrypted
with PKCS#7 padding, and the tag is HMAC-SHA-256 over ``associated_data || ciphertext``, truncated
(Signal and Olm keep 8 bytes; §6.6: never fewer than 64 bits). Decryption checks the tag before it
touches the padding, so a padding error can never be an oracle.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from ..capabilities.primitives import Aes256Cbc, HkdfSha256, HmacSha256
from ..errors import AuthenticationFailed

__all__ = ["CbcHmacPrimitives", "MessageKeys", "decrypt", "derive_keys", "encrypt"]

_OKM_LEN = 80


@dataclass(frozen=True)
class CbcHmacPrimitives:
    """The three capabilities the construction is built from."""

    hkdf: HkdfSha256
    cbc: Aes256Cbc
    mac: HmacSha256


@dataclass(frozen=True)
class MessageKeys:
    encryption_key: bytes
    mac_key: bytes
    iv: bytes


def derive_keys(p: CbcHmacPrimitives, message_key: bytes, info: bytes) -> MessageKeys:
    """§5.2 ENCRYPT: HKDF(salt = HashLen zero bytes, ikm = message key, info) -> 32 || 32 || 16."""
    okm = p.hkdf.hkdf_sha256(message_key, b"", info, _OKM_LEN)
    if len(okm) != _OKM_LEN:
        raise ValueError(f"hkdf-sha256 returned {len(okm)} bytes instead of {_OKM_LEN}")
    return MessageKeys(okm[:32], okm[32:64], okm[64:80])


def encrypt(
    p: CbcHmacPrimitives,
    message_key: bytes,
    info: bytes,
    associated_data: bytes,
    plaintext: bytes,
    tag_size: int,
) -> tuple[bytes, bytes]:
    """Return ``(ciphertext, tag)``; ``tag_size`` in bytes."""
    keys = derive_keys(p, message_key, info)
    ciphertext = p.cbc.aes_256_cbc_encrypt(keys.encryption_key, keys.iv, plaintext, True)
    tag = p.mac.hmac_sha256(keys.mac_key, associated_data + ciphertext)[:tag_size]
    return ciphertext, tag


def decrypt(
    p: CbcHmacPrimitives,
    message_key: bytes,
    info: bytes,
    associated_data: bytes,
    ciphertext: bytes,
    tag: bytes,
    tag_size: int,
) -> bytes:
    """Verify the truncated tag (constant time), then decrypt; raises the neutral kinds."""
    keys = derive_keys(p, message_key, info)
    expected = p.mac.hmac_sha256(keys.mac_key, associated_data + ciphertext)[:tag_size]
    if len(tag) != tag_size or not hmac.compare_digest(expected, tag):
        raise AuthenticationFailed("truncated HMAC-SHA-256 tag mismatch")
    return p.cbc.aes_256_cbc_decrypt(keys.encryption_key, keys.iv, ciphertext, True)
