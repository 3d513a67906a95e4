"""X25519 public keys an attacker offers in place of a real one: the low-order points and their
non-canonical encodings, and an X25519 that lets the suite's reference play the attacker.

RFC 7748 §5: a u-coordinate is decoded by masking bit 255 and reducing modulo p = 2^255 - 19, so
every value below is accepted as input by a conformant X25519. The canonical low-order
u-coordinates are those of points of order 1, 2, 4 and 8 on the curve and its twist (the list
libsodium's ``has_small_order`` and Wycheproof's ZeroSharedSecret cases use): 0, 1, p - 1 and the
two order-8 points. Because X25519 clamps every scalar to a multiple of 8 (§5), a shared secret
with any of them is 32 zero bytes, whatever the victim's private key: the attacker knows it
without any private key (RFC 7748 §6.1 "MAY check"; RFC 9180 §7.1.4 "MUST check" the all-zero
output). The non-canonical encodings (u >= p, bit 255 set) decode to the same points.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..capabilities.primitives import X25519

__all__ = ["LOW_ORDER_POINTS", "ZERO_SECRET", "LowOrderPoint", "MarkedX25519", "marker"]

#: RFC 7748 §4.1.
P = 2**255 - 19
#: RFC 7748 §4.1: the base point's u-coordinate.
BASEPOINT = bytes([9]) + bytes(31)
#: What X25519 with any clamped scalar gives on a low-order point (RFC 7748 §6.1).
ZERO_SECRET = bytes(32)

_ORDER_8_A = int.from_bytes(
    bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"), "little"
)
_ORDER_8_B = int.from_bytes(
    bytes.fromhex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"), "little"
)


@dataclass(frozen=True)
class LowOrderPoint:
    """One 32-byte encoding. ``name`` is stable (a result's detail names points by it)."""

    name: str
    encoding: bytes
    #: False for u >= p or bit 255 set (RFC 7748 §5 decodes them, a strict parser refuses).
    canonical: bool


def _points() -> tuple[LowOrderPoint, ...]:
    values = [
        ("0", 0),
        ("1", 1),
        ("order-8 e0eb", _ORDER_8_A),
        ("order-8 5f9c", _ORDER_8_B),
        ("p-1", P - 1),
        ("p", P),
        ("p+1", P + 1),
    ]
    out = [LowOrderPoint(n, v.to_bytes(32, "little"), v < P) for n, v in values]
    # The same values with bit 255 set, which RFC 7748 §5 masks off.
    out += [
        LowOrderPoint(f"{n} | 2^255", (v | 1 << 255).to_bytes(32, "little"), False)
        for n, v in values
    ]
    return tuple(out)


#: The 14 encodings, canonical first.
LOW_ORDER_POINTS: tuple[LowOrderPoint, ...] = _points()

_MARK = b"e2ee-conformance low-order key "


def marker(point: LowOrderPoint) -> bytes:
    """A 32-byte "private key" that :class:`MarkedX25519` treats as the attacker's key whose
    public key is ``point``. Its bytes are never used as a scalar."""
    index = LOW_ORDER_POINTS.index(point)
    return _MARK + bytes([index])


@dataclass(frozen=True)
class MarkedX25519:
    """An X25519 capability for the suite's reference playing an attacker: for a
    :func:`marker` private key, the public key (X25519 with the base point) is the marked
    point, and every shared secret is :data:`ZERO_SECRET`, which is what the victim computes
    with its own private key. Every other private key goes to the real X25519 underneath."""

    inner: X25519

    def x25519(self, private: bytes, public: bytes) -> bytes:
        if private.startswith(_MARK) and len(private) == 32:
            point = LOW_ORDER_POINTS[private[-1]]
            return point.encoding if public == BASEPOINT else ZERO_SECRET
        return self.inner.x25519(private, public)
