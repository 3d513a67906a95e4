"""HPKE for the suite's reference playing an attacker that holds a low-order X25519 "key"
(issue 20): base mode (RFC 9180 §5.1.1, §6.1) over the reference's :class:`HpkeSuite`, where a
:func:`~conformance.reference.low_order.marker` private key publishes its low-order point and
computes the all-zero Diffie-Hellman value its victim computes (RFC 7748 §6.1).

The attacker skips the §7.1.4 check for its own marker keys only, which is the point: the
all-zero value is what a victim that skips the check derives, and anyone can compute it. Every
other key goes through the honest suite and its checks.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ..capabilities.primitives import X25519
from ..reference.hpke import HpkePrimitives, HpkeSuite, default_primitives
from ..reference.low_order import BASEPOINT, LOW_ORDER_POINTS, MarkedX25519, marker
from ..reference.mls.hpke_binding import ReferenceHpke

__all__ = ["LowOrderHpke", "is_marker"]

_MARKERS = frozenset(marker(p) for p in LOW_ORDER_POINTS)
#: RFC 9180 §7.1: the KEM whose DH is X25519; the others keep their honest primitives.
_X25519 = "X25519"


def is_marker(private: bytes) -> bool:
    """Whether ``private`` is the attacker's stand-in for a low-order point's key."""
    return bytes(private) in _MARKERS


class _DhAsX25519:
    """The HPKE primitives' X25519 as the suite's X25519 capability."""

    def __init__(self, inner: HpkePrimitives) -> None:
        self._inner = inner

    def x25519(self, private: bytes, public: bytes) -> bytes:
        return self._inner.dh(_X25519, private, public)


class _MarkedPrimitives:
    """HPKE primitives whose X25519 is :class:`MarkedX25519`: a marker's public key is its
    point, and its shared secret with anything is all zero."""

    def __init__(self, inner: HpkePrimitives) -> None:
        self._inner = inner
        self._x25519: X25519 = MarkedX25519(_DhAsX25519(inner))

    def public_key(self, curve: str, sk: bytes) -> bytes:
        if curve == _X25519 and is_marker(sk):
            return self._x25519.x25519(sk, BASEPOINT)
        return self._inner.public_key(curve, sk)

    def dh(self, curve: str, sk: bytes, pk: bytes) -> bytes:
        if curve == _X25519 and is_marker(sk):
            return self._x25519.x25519(sk, pk)
        return self._inner.dh(curve, sk, pk)

    def hkdf_extract(self, hash_name: str, salt: bytes, ikm: bytes) -> bytes:
        return self._inner.hkdf_extract(hash_name, salt, ikm)

    def hkdf_expand(self, hash_name: str, prk: bytes, info: bytes, length: int) -> bytes:
        return self._inner.hkdf_expand(hash_name, prk, info, length)

    def aead_seal(self, aead: str, key: bytes, nonce: bytes, aad: bytes, pt: bytes) -> bytes:
        return self._inner.aead_seal(aead, key, nonce, aad, pt)

    def aead_open(self, aead: str, key: bytes, nonce: bytes, aad: bytes, ct: bytes) -> bytes:
        return self._inner.aead_open(aead, key, nonce, aad, ct)


class _AttackerSuite(HpkeSuite):
    """The honest suite, except that a marker key's all-zero DH output is used: the value
    the victim derives (RFC 9180 §4.1 Decap with the §7.1.4 check left out for it alone)."""

    def _dh(self, sk: bytes, pk: bytes) -> bytes:
        if is_marker(sk):
            return self._p.dh(self.kem.curve, sk, pk)
        return super()._dh(sk, pk)


class LowOrderHpke(ReferenceHpke):
    """The :class:`conformance.reference.mls.crypto.Hpke` interface for an attacker member of
    the MLS reference: honest for honest keys, the victim's all-zero secret for markers."""

    def __init__(self, random: Callable[[int], bytes] = os.urandom) -> None:
        super().__init__(_MarkedPrimitives(default_primitives()), random)

    def _suite(self, kem_id: int, kdf_id: int, aead_id: int) -> HpkeSuite:
        assert self._p is not None
        return _AttackerSuite(kem_id, kdf_id, aead_id, self._p)
