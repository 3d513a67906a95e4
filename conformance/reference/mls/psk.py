"""psk_secret from pre-shared keys (RFC 9420 §8.4)."""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import InvalidInput
from .ciphersuites import CipherSuite
from .crypto import expand_with_label, extract
from .tls import opaque, uint8, uint16

__all__ = ["EXTERNAL", "pre_shared_key_id", "psk_secret", "psk_secret_step"]

#: PSKType external (§8.4).
EXTERNAL = 1


def pre_shared_key_id(psk_id: bytes, psk_nonce: bytes) -> bytes:
    """PreSharedKeyID of an external PSK: uint8 psktype (1) || opaque psk_id<V> ||
    opaque psk_nonce<V>."""
    return uint8(EXTERNAL) + opaque(psk_id) + opaque(psk_nonce)


def psk_secret_step(
    cs: CipherSuite,
    previous: bytes,
    psk_id: bytes,
    psk: bytes,
    psk_nonce: bytes,
    index: int,
    count: int,
) -> bytes:
    """psk_secret_[index + 1] = KDF.Extract(psk_input_[index], psk_secret_[index]) with
    psk_extracted = KDF.Extract(0 (Nh zero bytes), psk) and psk_input = ExpandWithLabel(
    psk_extracted, "derived psk", PSKLabel, KDF.Nh), PSKLabel = PreSharedKeyID || uint16 index
    || uint16 count (§8.4)."""
    return _step(cs, previous, pre_shared_key_id(psk_id, psk_nonce), psk, index, count)


def _step(
    cs: CipherSuite, previous: bytes, psk_id: bytes, psk: bytes, index: int, count: int
) -> bytes:
    if not 0 <= index < count <= 0xFFFF:
        raise InvalidInput(f"PSK index {index} of {count}")
    extracted = extract(cs, bytes(cs.nh), psk)
    label = psk_id + uint16(index) + uint16(count)
    psk_input = expand_with_label(cs, extracted, b"derived psk", label, cs.nh)
    return extract(cs, psk_input, previous)


def psk_secret(cs: CipherSuite, psks: Sequence[tuple[bytes, bytes]]) -> bytes:
    """psk_secret (§8.4) of the PSKs in order, each (its serialised PreSharedKeyID, its
    secret): KDF.Nh zero bytes when there are none."""
    secret = bytes(cs.nh)
    for index, (psk_id, psk) in enumerate(psks):
        secret = _step(cs, secret, psk_id, psk, index, len(psks))
    return secret
