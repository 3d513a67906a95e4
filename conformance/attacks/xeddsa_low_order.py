"""XEdDSA signatures that verify under a low-order X25519 public key, so that a pre-key bundle
whose identity key is a low-order point can still carry a valid signed pre-key (issue 20).

XEdDSA spec (Perrin 2016) §2.6 / §3 ``xeddsa_verify``: the Edwards key A is the birational image
of u, ``h = SHA-512(R || A || M) mod q`` and the signature verifies when ``R == sB - hA``. For a
low-order u, A has order 2, 4 or 8 (the image of the identity would need y = 1, which no u
gives), so ``hA`` depends only on h modulo that order. Taking ``R = sB`` for a random s, the
signature verifies exactly when ``hA`` is the identity, which a uniformly distributed h makes
true with probability at least 1/8: a few draws of s find one. No private key is involved.

The image of u is computed as libsignal-protocol-c's ``fe_montx_to_edy`` does,
``y = (u - 1) * (u + 1)^(p-2)``, u read modulo 2^255 and reduced; for u = p - 1 that gives
y = 0 (an order-4 point), whereas libsignal's Rust ``MontgomeryPoint::to_edwards`` and the
suite's reference refuse u = -1 outright: for those encodings the forged signature verifies only
where the implementation does not refuse the key first. The sign bit of A is 0 and is stored in
the top bit of the signature's last byte, as libsignal does.
"""

from __future__ import annotations

from ..interop import Rng
from ..reference import edwards25519, xeddsa
from ..reference.low_order import P

__all__ = ["edwards_image", "forge_signature"]

#: Draws of s tried before giving up; each succeeds with probability >= 1/8.
MAX_DRAWS = 512


def edwards_image(public: bytes) -> tuple[int, int, int, int]:
    """XEdDSA §2.6 ``convert_mont``: the Edwards point of u with sign bit 0, as
    ``fe_montx_to_edy`` computes it (u = p - 1 maps to y = 0)."""
    u = (int.from_bytes(public, "little") & ((1 << 255) - 1)) % P
    y = (u - 1) * pow(u + 1, P - 2, P) % P
    x = xeddsa._recover_x(y, 0)
    if x is None:
        raise ValueError("not the image of a curve point")
    return (x, y, 1, x * y % P)


def forge_signature(public: bytes, message: bytes, rng: Rng) -> bytes:
    """A 64-byte XEdDSA signature ``R || s`` over ``message`` that verifies under the
    low-order X25519 key ``public`` (see the module's docstring); s is drawn from ``rng``."""
    point = edwards_image(public)
    encoded = edwards25519.encode(point)
    identity = edwards25519.encode(edwards25519.IDENTITY)
    for _ in range(MAX_DRAWS):
        s = int.from_bytes(rng.take(32), "little") % edwards25519.L
        cap_r = edwards25519.encode(edwards25519.mul(s, edwards25519.BASE))
        h = xeddsa._hash_int(cap_r, encoded, message)
        if edwards25519.encode(edwards25519.mul(h, point)) == identity:
            # The top bit of the last byte carries A's sign bit, 0 here; s < q < 2^253.
            return cap_r + s.to_bytes(32, "little")
    raise RuntimeError("no XEdDSA signature found for a low-order key (is it of low order?)")
