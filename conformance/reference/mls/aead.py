"""The AEAD of an MLS cipher suite (RFC 9420 §5.1; the HPKE AEAD identifiers of RFC 9180 §7.3):
1 AES-128-GCM, 2 AES-256-GCM, 3 ChaCha20Poly1305. PrivateMessage content and sender data
(§6.3) and the Welcome's GroupInfo (§12.4.3.1) are sealed with it.

:class:`Aead` is the interface the protocol modules use; :class:`PycaAead` implements it over
pyca/cryptography.
"""

from __future__ import annotations

from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

from ...errors import AuthenticationFailed, InvalidInput

__all__ = ["AEAD_AES128GCM", "AEAD_AES256GCM", "AEAD_CHACHA20POLY1305", "Aead", "PycaAead"]

AEAD_AES128GCM, AEAD_AES256GCM, AEAD_CHACHA20POLY1305 = 1, 2, 3

#: aead_id -> (Nk, Nn); every one of them has a 16-byte tag.
_SIZES: dict[int, tuple[int, int]] = {
    AEAD_AES128GCM: (16, 12),
    AEAD_AES256GCM: (32, 12),
    AEAD_CHACHA20POLY1305: (32, 12),
}


class Aead(Protocol):
    """AEAD.Seal / AEAD.Open (§5.1). ``open`` raises AuthenticationFailed when the ciphertext
    does not authenticate; a key or nonce of the wrong size, or an unknown ``aead_id``, is
    InvalidInput."""

    def seal(self, aead_id: int, key: bytes, nonce: bytes, aad: bytes, pt: bytes) -> bytes: ...

    def open(self, aead_id: int, key: bytes, nonce: bytes, aad: bytes, ct: bytes) -> bytes: ...


def _cipher(aead_id: int, key: bytes, nonce: bytes) -> AESGCM | ChaCha20Poly1305:
    sizes = _SIZES.get(aead_id)
    if sizes is None:
        raise InvalidInput(f"AEAD id {aead_id} is not one of RFC 9420's")
    nk, nn = sizes
    if len(key) != nk or len(nonce) != nn:
        raise InvalidInput(f"AEAD {aead_id}: key of {len(key)} bytes, nonce of {len(nonce)}")
    if aead_id == AEAD_CHACHA20POLY1305:
        return ChaCha20Poly1305(key)
    return AESGCM(key)


class PycaAead:
    """AES-GCM and ChaCha20Poly1305 from pyca/cryptography."""

    def seal(self, aead_id: int, key: bytes, nonce: bytes, aad: bytes, pt: bytes) -> bytes:
        return _cipher(aead_id, key, nonce).encrypt(nonce, pt, aad)

    def open(self, aead_id: int, key: bytes, nonce: bytes, aad: bytes, ct: bytes) -> bytes:
        cipher = _cipher(aead_id, key, nonce)
        try:
            return cipher.decrypt(nonce, ct, aad)
        except InvalidTag:
            raise AuthenticationFailed(f"AEAD {aead_id}: the ciphertext does not open") from None
