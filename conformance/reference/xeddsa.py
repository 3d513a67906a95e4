"""XEdDSA over Curve25519 as libsignal computes it (protocols.md 1.9, libsignal
``rust/core/src/curve/curve25519.rs``; the XEdDSA and VXEdDSA spec, Perrin 2016, §2.3 and §3).

Pure integer arithmetic on the twisted Edwards curve birationally equivalent to Curve25519
(RFC 8032 §5.1 parameters) and SHA-512 from :mod:`hashlib`; no crypto library.

Where libsignal differs from the spec's pseudocode it is followed, because signatures must be
byte-identical with libsignal and libsignal-protocol-java:

* Sign (spec §3 ``xeddsa_sign``): the spec negates the private scalar so that the Edwards
  public key has sign bit 0; libsignal keeps ``a`` (the clamped X25519 scalar) and instead stores
  the sign bit of ``A = aB`` in the top bit of the signature's last byte. The nonce is
  ``r = SHA-512(0xFE || 0xFF*31 || a || M || Z) mod q`` (spec ``hash_1``), ``h = SHA-512(R || A
  || M) mod q`` and ``s = r + h a mod q``.
* Verify (spec §3 ``xeddsa_verify``): the Edwards key is the birational image of ``u`` with the
  sign bit taken from the signature; ``s`` (top bit cleared) is refused when ``s >= 2^253``
  (the spec's ``s >= 2^|q|``), not when ``s >= q``; ``R`` must equal the compressed ``sB - hA``
  byte for byte.
"""

from __future__ import annotations

import hashlib

from .edwards25519 import BASE, SQRT_M1, D, L, P, Point, add, encode, mul, neg

__all__ = ["SIGNATURE_LENGTH", "clamp", "edwards_public", "xeddsa_sign", "xeddsa_verify"]

SIGNATURE_LENGTH = 64


def _recover_x(y: int, sign: int) -> int | None:
    """RFC 8032 §5.1.3 steps 2-4: x from y and its sign (None when y is not on the curve)."""
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return 0  # libsignal (curve25519-dalek) and ref10 accept -0 as 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if x & 1 != sign:
        x = P - x
    return x


def clamp(private: bytes) -> bytes:
    """RFC 7748 §5 ``decodeScalar25519`` as bytes (libsignal clamps private keys on load)."""
    k = bytearray(private)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    return bytes(k)


def edwards_public(private: bytes) -> bytes:
    """The compressed Edwards point ``A = aB`` of a Curve25519 private key (sign bit kept)."""
    return encode(mul(int.from_bytes(clamp(private), "little"), BASE))


def _hash_int(*parts: bytes) -> int:
    return int.from_bytes(hashlib.sha512(b"".join(parts)).digest(), "little") % L


def xeddsa_sign(private: bytes, message: bytes, random: bytes) -> bytes:
    """XEdDSA spec §3 ``xeddsa_sign(k, M, Z)`` as libsignal's ``calculate_signature``:
    ``R || s`` with the sign bit of ``A`` in the top bit of byte 63. ``random`` is Z (64 bytes)."""
    if len(private) != 32:
        raise ValueError("an XEdDSA private key is 32 bytes")
    if len(random) != 64:
        raise ValueError("the XEdDSA random Z is 64 bytes")
    a_bytes = clamp(private)
    a = int.from_bytes(a_bytes, "little")
    cap_a = encode(mul(a, BASE))
    r = _hash_int(b"\xfe" + b"\xff" * 31, a_bytes, message, random)
    cap_r = encode(mul(r, BASE))
    h = _hash_int(cap_r, cap_a, message)
    s = (r + h * a) % L
    sig = bytearray(cap_r + s.to_bytes(32, "little"))
    sig[63] = (sig[63] & 0x7F) | (cap_a[31] & 0x80)
    return bytes(sig)


def xeddsa_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """XEdDSA spec §3 ``xeddsa_verify(u, M, (R || s))`` as libsignal's ``verify_signature``:
    ``public`` is the 32-byte X25519 u-coordinate."""
    if len(public) != 32 or len(signature) != SIGNATURE_LENGTH:
        return False
    # curve25519-dalek's MontgomeryPoint::to_edwards: u is read modulo 2^255, u = -1 refused.
    u = int.from_bytes(public, "little") & ((1 << 255) - 1)
    u %= P
    if u == P - 1:
        return False
    y = (u - 1) * pow(u + 1, P - 2, P) % P
    sign = signature[63] >> 7
    x = _recover_x(y, sign)
    if x is None:
        return False
    cap_a_point: Point = (x, y, 1, x * y % P)
    cap_a = encode(cap_a_point)  # libsignal hashes the re-compressed point
    cap_r = signature[:32]
    s_bytes = bytearray(signature[32:])
    s_bytes[31] &= 0x7F
    if s_bytes[31] & 0xE0:
        return False
    s = int.from_bytes(s_bytes, "little")
    h = _hash_int(cap_r, cap_a, message)
    check = add(mul(s, BASE), neg(mul(h, cap_a_point)))
    return encode(check) == cap_r
