"""A small pure-Python X25519 (RFC 7748 §5), for constructing cases libraries refuse to compute.

Libraries such as pyca/cryptography raise an error when X25519 yields the all-zero value (a
low-order peer point); a suite that must *produce* that output to test peers needs its own
function. This one follows RFC 7748 §5 literally: the scalar is clamped (decodeScalar25519), the
u-coordinate has its top bit masked and is then used modulo p (decodeUCoordinate: "implementations
of X25519 MUST accept non-canonical values and process them as if they had been reduced modulo the
field prime"), and the Montgomery ladder's result ``x_2 * z_2^(p-2)`` is returned even when
``z_2 = 0``, which gives the all-zero output for low-order inputs (RFC 7748 §6.1).

Not constant time; for generating test vectors only.
"""

from __future__ import annotations

from functools import cache

__all__ = [
    "A24",
    "BASE_U",
    "LOW_ORDER_U",
    "P",
    "decode_scalar",
    "decode_u",
    "encode_u",
    "low_order_points",
    "public_key",
    "x25519",
]

#: The field prime p = 2^255 - 19 (RFC 7748 §4.1).
P = 2**255 - 19
#: (A - 2) / 4 for A = 486662 (RFC 7748 §5: a24 = 121665).
A24 = 121665
#: The base point's u-coordinate, 9 (RFC 7748 §4.1).
BASE_U = b"\x09" + bytes(31)

#: u-coordinates of small order, as listed in the reference notes (0, 1, the two points of
#: order 8, p - 1, and the non-canonical p and p + 1): X25519 of any scalar with them is all zero
#: (RFC 7748 §6.1).
LOW_ORDER_U: tuple[tuple[str, bytes], ...] = (
    ("u = 0", bytes(32)),
    ("u = 1", b"\x01" + bytes(31)),
    (
        "u of a point of order 8",
        bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
    ),
    (
        "u of the other point of order 8",
        bytes.fromhex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
    ),
    ("u = p - 1", (P - 1).to_bytes(32, "little")),
    ("u = p (non-canonical 0)", P.to_bytes(32, "little")),
    ("u = p + 1 (non-canonical 1)", (P + 1).to_bytes(32, "little")),
)


def low_order_points(every: bool) -> list[tuple[str, bytes, bool]]:
    """(label, encoding, non-canonical): all 14 encodings (each u with and without bit 255), or
    the first four canonical ones."""
    out: list[tuple[str, bytes, bool]] = []
    for label, u in LOW_ORDER_U if every else LOW_ORDER_U[:4]:
        out.append((label, u, int.from_bytes(u, "little") >= P))
        if every:
            out.append((f"{label} with bit 255 set", u[:31] + bytes([u[31] | 0x80]), True))
    return out


@cache
def public_key(k: bytes) -> bytes:
    """X25519(k, 9): generators derive the same public keys over and over, so it is cached."""
    return x25519(k, BASE_U)


def decode_scalar(k: bytes) -> int:
    """decodeScalar25519 (RFC 7748 §5): clear bits 0-2 and 255, set bit 254."""
    if len(k) != 32:
        raise ValueError("X25519 scalars are 32 bytes")
    b = bytearray(k)
    b[0] &= 248
    b[31] &= 127
    b[31] |= 64
    return int.from_bytes(b, "little")


def decode_u(u: bytes) -> int:
    """decodeUCoordinate (RFC 7748 §5): mask bit 255, then reduce modulo p."""
    if len(u) != 32:
        raise ValueError("X25519 u-coordinates are 32 bytes")
    return (int.from_bytes(u, "little") & ((1 << 255) - 1)) % P


def encode_u(u: int) -> bytes:
    """encodeUCoordinate (RFC 7748 §5): the canonical 32-byte little-endian form."""
    return (u % P).to_bytes(32, "little")


def _cswap(swap: int, a: int, b: int) -> tuple[int, int]:
    return (b, a) if swap else (a, b)


def x25519(k: bytes, u: bytes) -> bytes:
    """X25519(k, u) by the Montgomery ladder of RFC 7748 §5; all-zero for low-order u."""
    scalar = decode_scalar(k)
    x_1 = decode_u(u)
    x_2, z_2, x_3, z_3 = 1, 0, x_1, 1
    swap = 0
    for t in range(254, -1, -1):
        k_t = (scalar >> t) & 1
        swap ^= k_t
        x_2, x_3 = _cswap(swap, x_2, x_3)
        z_2, z_3 = _cswap(swap, z_2, z_3)
        swap = k_t
        a = (x_2 + z_2) % P
        aa = a * a % P
        b = (x_2 - z_2) % P
        bb = b * b % P
        e = (aa - bb) % P
        c = (x_3 + z_3) % P
        d = (x_3 - z_3) % P
        da = d * a % P
        cb = c * b % P
        x_3 = (da + cb) ** 2 % P
        z_3 = x_1 * (da - cb) ** 2 % P
        x_2 = aa * bb % P
        z_2 = e * (aa + A24 * e) % P
    x_2, x_3 = _cswap(swap, x_2, x_3)
    z_2, z_3 = _cswap(swap, z_2, z_3)
    return encode_u(x_2 * pow(z_2, P - 2, P))
