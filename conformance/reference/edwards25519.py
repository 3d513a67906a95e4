"""Edwards25519 point arithmetic (RFC 8032 §5.1): the constants, extended coordinates, addition
(§5.1.4, complete for a = -1), scalar multiplication and encoding (§5.1.2). Shared by XEdDSA
(:mod:`.xeddsa`) and the Ed25519 verification rule models (:mod:`.ed25519_rules`); decoding
stays with each of them, since what a decoder accepts is what they differ in."""

from __future__ import annotations

__all__ = [
    "BASE",
    "IDENTITY",
    "SQRT_M1",
    "D",
    "L",
    "P",
    "Point",
    "add",
    "encode",
    "equal",
    "mul",
    "neg",
]

#: RFC 8032 §5.1: p, d, the order L of the prime-order subgroup.
P = 2**255 - 19
D = -121665 * pow(121666, P - 2, P) % P
L = 2**252 + 27742317777372353535851937790883648493
SQRT_M1 = pow(2, (P - 1) // 4, P)

#: Extended coordinates (X, Y, Z, T): x = X/Z, y = Y/Z, x*y = T/Z.
Point = tuple[int, int, int, int]
IDENTITY: Point = (0, 1, 1, 0)


def add(p: Point, q: Point) -> Point:
    """RFC 8032 §5.1.4 addition (complete for a = -1)."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def mul(k: int, p: Point) -> Point:
    q = IDENTITY
    while k:
        if k & 1:
            q = add(q, p)
        p = add(p, p)
        k >>= 1
    return q


def neg(p: Point) -> Point:
    x, y, z, t = p
    return (-x % P, y, z, -t % P)


def equal(p: Point, q: Point) -> bool:
    return (p[0] * q[2] - q[0] * p[2]) % P == 0 and (p[1] * q[2] - q[1] * p[2]) % P == 0


def encode(p: Point) -> bytes:
    """RFC 8032 §5.1.2: y little-endian with the low bit of x in the top bit."""
    x, y, z, _ = p
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _base() -> Point:
    """RFC 8032 §5.1: B, y = 4/5 with x positive (even)."""
    y = 4 * pow(5, P - 2, P) % P
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if x & 1:
        x = P - x
    return (x, y, 1, x * y % P)


BASE: Point = _base()
