"""Small pure-Python edwards25519 arithmetic and Ed25519 (RFC 8032 §5.1), for vector generation.

It exists to build cases that libraries refuse to build: non-canonical point encodings (a
y-coordinate >= p, RFC 8032 §5.1.3 says decoding MUST fail), small-order points, and signatures
whose S is not reduced (§5.1.7 requires 0 <= S < L). :func:`verify` implements §5.1.7 strictly by
default and can be made lenient in the ways real implementations have been, so a generator can
check that each crafted case really separates a strict verifier from a lenient one.

Points use the extended homogeneous coordinates of RFC 8032 §5.1.4. Not constant time; for
generating test vectors only.
"""

from __future__ import annotations

import hashlib

from vectors.generators._curve25519 import P

__all__ = [
    "BASE",
    "IDENTITY",
    "D",
    "L",
    "P",
    "Point",
    "decode_point",
    "encode_point",
    "encode_point_noncanonical",
    "point_add",
    "point_equal",
    "point_neg",
    "public_key",
    "scalar_mult",
    "secret_expand",
    "sign",
    "verify",
]

#: Order of the prime-order subgroup (RFC 8032 §5.1).
L = 2**252 + 27742317777372353535851937790883648493
#: The curve constant d = -121665/121666 (RFC 8032 §5.1).
D = -121665 * pow(121666, P - 2, P) % P
_SQRT_M1 = pow(2, (P - 1) // 4, P)

#: (X, Y, Z, T) with x = X/Z, y = Y/Z, x*y = T/Z.
Point = tuple[int, int, int, int]

IDENTITY: Point = (0, 1, 1, 0)


def point_add(p: Point, q: Point) -> Point:
    """Addition in extended coordinates (RFC 8032 §5.1.4)."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = t1 * 2 * D * t2 % P
    dd = z1 * 2 * z2 % P
    e, f, g, h = b - a, dd - c, dd + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def point_neg(p: Point) -> Point:
    x, y, z, t = p
    return (-x % P, y, z, -t % P)


def scalar_mult(k: int, p: Point) -> Point:
    """[k]P by double-and-add (k >= 0)."""
    if k < 0:
        raise ValueError("negative scalar")
    q = IDENTITY
    while k:
        if k & 1:
            q = point_add(q, p)
        p = point_add(p, p)
        k >>= 1
    return q


def point_equal(p: Point, q: Point) -> bool:
    x1, y1, z1, _ = p
    x2, y2, z2, _ = q
    return (x1 * z2 - x2 * z1) % P == 0 and (y1 * z2 - y2 * z1) % P == 0


def _affine(p: Point) -> tuple[int, int]:
    x, y, z, _ = p
    zi = pow(z, P - 2, P)
    return x * zi % P, y * zi % P


def _recover_x(y: int, sign: int) -> int | None:
    """Step 2-4 of RFC 8032 §5.1.3: x from y and the sign bit, or None."""
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if (v * x * x - u) % P != 0:
        if (v * x * x + u) % P != 0:
            return None
        x = x * _SQRT_M1 % P
    if x == 0 and sign == 1:
        return None
    if x & 1 != sign:
        x = P - x
    return x


def encode_point(p: Point) -> bytes:
    """The canonical encoding (RFC 8032 §5.1.2): y little-endian, bit 255 = x mod 2."""
    x, y = _affine(p)
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def encode_point_noncanonical(p: Point) -> bytes:
    """An encoding of ``p`` whose y field holds y + p (only possible when y + p < 2^255).

    RFC 8032 §5.1.3 step 1 says such an encoding MUST fail to decode; a decoder that reduces y
    modulo p accepts it as ``p``.
    """
    x, y = _affine(p)
    if y + P >= 2**255:
        raise ValueError("this point has no non-canonical encoding (y >= 19)")
    return ((y + P) | ((x & 1) << 255)).to_bytes(32, "little")


def decode_point(data: bytes, *, canonical: bool = True) -> Point | None:
    """Decode per RFC 8032 §5.1.3; with ``canonical=False``, y >= p is reduced instead of refused."""
    if len(data) != 32:
        return None
    n = int.from_bytes(data, "little")
    sign = n >> 255
    y = n & ((1 << 255) - 1)
    if y >= P:
        if canonical:
            return None
        y -= P
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def _base_point() -> Point:
    """B: the point with y = 4/5 and even x (RFC 8032 §5.1)."""
    pt = decode_point((4 * pow(5, P - 2, P) % P).to_bytes(32, "little"))
    if pt is None:
        raise AssertionError("the base point does not decode")
    return pt


BASE: Point = _base_point()


def secret_expand(seed: bytes) -> tuple[int, bytes]:
    """The secret scalar a and the prefix from a 32-byte seed (RFC 8032 §5.1.5)."""
    if len(seed) != 32:
        raise ValueError("Ed25519 seeds are 32 bytes")
    h = hashlib.sha512(seed).digest()
    a = bytearray(h[:32])
    a[0] &= 248
    a[31] &= 127
    a[31] |= 64
    return int.from_bytes(a, "little"), h[32:]


def public_key(seed: bytes) -> bytes:
    a, _ = secret_expand(seed)
    return encode_point(scalar_mult(a, BASE))


def _h_int(*parts: bytes) -> int:
    return int.from_bytes(hashlib.sha512(b"".join(parts)).digest(), "little")


def sign(seed: bytes, msg: bytes) -> bytes:
    """Ed25519 signing (RFC 8032 §5.1.6)."""
    a, prefix = secret_expand(seed)
    pub = encode_point(scalar_mult(a, BASE))
    r = _h_int(prefix, msg) % L
    r_enc = encode_point(scalar_mult(r, BASE))
    k = _h_int(r_enc, pub, msg) % L
    s = (r + k * a) % L
    return r_enc + s.to_bytes(32, "little")


def verify(
    pub: bytes,
    msg: bytes,
    sig: bytes,
    *,
    canonical: bool = True,
    reduce_s: bool = False,
    cofactored: bool = False,
) -> bool:
    """Ed25519 verification (RFC 8032 §5.1.7).

    Strict by default: A and R must decode canonically, S must be below L, and the cofactorless
    equation [S]B = R + [k]A must hold. ``canonical=False`` reduces y >= p in A and R,
    ``reduce_s=True`` takes S modulo L instead of refusing S >= L, and ``cofactored=True`` checks
    [8][S]B = [8]R + [8][k]A; each models a lenient implementation.
    """
    if len(sig) != 64 or len(pub) != 32:
        return False
    a_pt = decode_point(pub, canonical=canonical)
    r_pt = decode_point(sig[:32], canonical=canonical)
    if a_pt is None or r_pt is None:
        return False
    s = int.from_bytes(sig[32:], "little")
    if s >= L:
        if not reduce_s:
            return False
        s %= L
    k = _h_int(sig[:32], pub, msg) % L
    lhs = scalar_mult(s, BASE)
    rhs = point_add(r_pt, scalar_mult(k, a_pt))
    if cofactored:
        lhs, rhs = scalar_mult(8, lhs), scalar_mult(8, rhs)
    return point_equal(lhs, rhs)
