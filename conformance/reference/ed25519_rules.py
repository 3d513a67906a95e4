"""Models of the Ed25519 verification rule sets libraries follow (RFC 8032 §5.1.7 and its
variants), each a pure function of (public key, message, signature) -> accepted.

The rule sets differ only on inputs no honest signer produces: small-order and mixed-order
points, non-canonical point encodings and signatures whose low-order components do not cancel.
Sources:

* RFC 8032 §5.1.3 (decoding: y >= p fails, and x = 0 with the sign bit set fails) and §5.1.7
  (S in [0, L); the cofactored check [8][S]B = [8]R + [8][k]A "is sufficient, but not required",
  so the cofactorless [S]B = R + [k]A is allowed too).
* ZIP-215 (Zcash, "Explicitly Defining and Modifying Ed25519 Validation Rules"): S < L; A and R
  may be non-canonical encodings (y is reduced, a set sign bit on x = 0 is ignored) and are
  decoded with no small-order check; the cofactored equation.
* "strict": libsodium's crypto_sign_verify_detached (canonical S, A and R not of small order,
  A canonical, R compared byte for byte with the recomputed [S]B - [k]A) and ed25519-dalek's
  ``verify_strict`` (small-order A and R refused, cofactorless).
* "ref10": the SUPERCOP ref10 behaviour that Go and OpenSSL share (C2SP CCTV ed25519/README.md,
  "Ecosystem behaviors"): A's y is reduced, R is compared byte for byte, cofactorless. It is not
  an RFC 8032 rule set (a non-canonical A must fail to decode, §5.1.3), so an implementation that
  follows it alone does not conform.

Pure integer arithmetic in extended coordinates (RFC 8032 §5.1.4); not constant time, for
judging test inputs only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .edwards25519 import BASE, IDENTITY, SQRT_M1, D, L, P, Point, add, equal, mul, neg

__all__ = [
    "RULE_SETS",
    "Judged",
    "L",
    "P",
    "RuleSet",
    "accepts",
    "decode",
    "is_small_order",
    "judge",
    "verdict",
]


def _recover_x(y: int, sign: int, *, canonical: bool) -> int | None:
    """RFC 8032 §5.1.3 steps 2-4; ``canonical=False`` ignores a sign bit set on x = 0."""
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if (v * x * x - u) % P != 0:
        if (v * x * x + u) % P != 0:
            return None
        x = x * SQRT_M1 % P
    if x == 0 and sign == 1 and canonical:
        return None
    if x & 1 != sign:
        x = -x % P
    return x


def decode(data: bytes, *, canonical: bool = True) -> Point | None:
    """A point from its 32-byte encoding (RFC 8032 §5.1.3), or None. ``canonical=False`` is
    ZIP-215's decoding: y >= p is reduced and "x = -0" is accepted."""
    if len(data) != 32:
        return None
    n = int.from_bytes(data, "little")
    sign, y = n >> 255, n & ((1 << 255) - 1)
    if y >= P:
        if canonical:
            return None
        y -= P
    x = _recover_x(y, sign, canonical=canonical)
    return None if x is None else (x, y, 1, x * y % P)


def is_small_order(point: Point) -> bool:
    """[8]P is the identity: P is one of the eight torsion points."""
    return equal(mul(8, point), IDENTITY)


@dataclass(frozen=True)
class RuleSet:
    """One verification rule set: how A and R are decoded, what is refused before the
    equation, and which equation (RFC 8032 §5.1.7 step 3)."""

    name: str
    canonical_a: bool
    canonical_r: bool
    cofactored: bool
    refuse_small_order: bool
    #: Allowed by RFC 8032 or ZIP-215; a match with a rule set that is not is a failure.
    conforming: bool = True


RULE_SETS: tuple[RuleSet, ...] = (
    RuleSet("RFC 8032 cofactorless", True, True, False, False),
    RuleSet("RFC 8032 cofactored", True, True, True, False),
    RuleSet("ZIP-215", False, False, True, False),
    RuleSet("strict", True, True, False, True),
    RuleSet("ref10", False, True, False, False, conforming=False),
)


@dataclass(frozen=True)
class Judged:
    """What every rule set's verdict on one (A, M, signature) depends on, computed once."""

    s_canonical: bool
    #: Decodes per RFC 8032 §5.1.3 / only with ZIP-215's lenient decoding / not at all.
    a_canonical: bool
    r_canonical: bool
    a_decodes: bool
    r_decodes: bool
    small_order: bool
    cofactorless: bool
    cofactored: bool


def judge(public: bytes, message: bytes, signature: bytes) -> Judged:
    """The facts of one input (k hashes the encodings as given, never re-encoded: §5.1.7)."""
    if len(public) != 32 or len(signature) != 64:
        return Judged(False, False, False, False, False, False, False, False)
    s = int.from_bytes(signature[32:], "little")
    a = decode(public, canonical=False)
    r = decode(signature[:32], canonical=False)
    cofactorless = cofactored = small = False
    if a is not None and r is not None:
        small = is_small_order(a) or is_small_order(r)
        k = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little")
        # [S]B - R - [k]A: the identity for cofactorless, of order dividing 8 for cofactored.
        diff = add(mul(s % L, BASE), neg(add(r, mul(k % L, a))))
        cofactorless = equal(diff, IDENTITY)
        cofactored = is_small_order(diff)
    return Judged(
        s_canonical=s < L,
        a_canonical=decode(public) is not None,
        r_canonical=decode(signature[:32]) is not None,
        a_decodes=a is not None,
        r_decodes=r is not None,
        small_order=small,
        cofactorless=cofactorless,
        cofactored=cofactored,
    )


def verdict(rules: RuleSet, judged: Judged) -> bool:
    """Whether a verifier following ``rules`` accepts the input ``judged`` describes."""
    if not (judged.s_canonical and judged.a_decodes and judged.r_decodes):
        return False
    if rules.canonical_a and not judged.a_canonical:
        return False
    if rules.canonical_r and not judged.r_canonical:
        return False
    if rules.refuse_small_order and judged.small_order:
        return False
    return judged.cofactored if rules.cofactored else judged.cofactorless


def accepts(rules: RuleSet, public: bytes, message: bytes, signature: bytes) -> bool:
    """Whether a verifier following ``rules`` accepts ``signature`` on ``message`` by
    ``public`` (RFC 8032 §5.1.7)."""
    return verdict(rules, judge(public, message, signature))
