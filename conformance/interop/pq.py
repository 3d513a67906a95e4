"""Post-quantum pair scenarios: every implementation's encapsulation decapsulated by every other,
every signature verified by every other (issue 16).

Known answers say what one library makes of fixed inputs; these say whether two libraries
understand each other. For each KEM (ML-KEM-512/768/1024, X-Wing, round-3 Kyber1024):

- ``<set>-keygen``: A and B expand the same seeds; their keys must be equal byte for byte.
- ``<set>-encaps-decaps``: B's key pair from seeds; A encapsulates to B's ek; B decapsulates to
  A's shared key.
- ``<set>-implicit-rejection``: A's ciphertext with one bit flipped; B must return a key (never
  an error) other than A's. For ML-KEM it must be J(z || c') (FIPS 203 §6.3), for round-3
  Kyber KDF(z || H(c')) (v3.02 Algorithm 9), both computed here from the z that ends B's
  decapsulation key; X-Wing's (whose decapsulation key is a seed) is compared with A's
  decapsulation of the same ciphertext under B's key.

For each ML-DSA set: ``<set>-keygen`` as above; ``<set>-sign-verify`` (B verifies A's signature
over a message with a context); ``<set>-wrong-context`` and ``<set>-tampered-message`` (B must
refuse the signature under a context, or over a message, with one bit flipped).

The randomness a scenario injects (ML-KEM's m, X-Wing's eseed, ML-DSA's rnd) is drawn from the
pair's generator, but nothing compares a ciphertext or signature with a value that depends on
it: an implementation without the family's ``:fixed-randomness`` marker may ignore it and still
play every scenario. Key generation seeds are honoured by every implementation of the family
(conformance/capabilities/pq.py), so keys are compared.

Who is at fault (conformance.attribution): a party's own output of the wrong length, for the
sizes the standards fix, is that party's alone; a refusal of the suite's own inputs (seeds, a
tampered ciphertext) or an accepted tampered signature is the receiver's alone; a genuine
ciphertext decapsulated to another key, a genuine signature refused, or two key pairs from the
same seeds that differ is settled across every pair of the check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from ..capabilities.pq import MlDsa
from ..errors import InvalidSignature, ProtocolError, Unsupported
from ..model import SpecRef
from . import PairFailure, PairScenario, Rng, step

__all__ = ["SCENARIOS"]

FAMILY = "pq"
FIPS_203 = "FIPS 203"
FIPS_204 = "FIPS 204"
XWING = "draft-connolly-cfrg-xwing-kem-10"
KYBER_R3 = "CRYSTALS-Kyber Algorithm Specifications v3.02"

_OTHER = {"alice": "bob", "bob": "alice"}
_PARTY = {"alice": "A", "bob": "B"}


# --- helpers -----------------------------------------------------------------------------------


def _own(what: str, fn: Callable[..., Any], *args: Any, role: str) -> Any:
    """A step on the suite's own inputs (seeds, the party's own keys): a refusal is the party's
    alone."""
    return step(what, fn, *args, receiver=role, receiver_fault=True)


def _sized(what: str, value: object, size: int, role: str) -> bytes:
    """``value``, which ``role`` made, must be bytes of the length its standard fixes; else
    that party alone is at fault (whoever would have received it)."""
    if not isinstance(value, bytes) or len(value) != size:
        got = f"{len(value)} bytes" if isinstance(value, bytes) else type(value).__name__
        raise PairFailure(
            f"{_PARTY[role]}'s {what} is {got}, not the {size} bytes the standard fixes",
            receiver=_OTHER[role],
            sender_fault=True,
        )
    return value


def _field(value: object, key: str) -> object:
    """``value[key]`` of an operation's dict result, None when it is not one or lacks it."""
    return value.get(key) if isinstance(value, dict) else None


def _bit(rng: Rng, nbytes: int) -> int:
    """A bit position among the first ``nbytes`` bytes, drawn from the pair's generator."""
    return int.from_bytes(rng.take(4), "big") % (nbytes * 8)


def _flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def _first_difference(x: bytes, y: bytes) -> str:
    for i, (p, q) in enumerate(zip(x, y, strict=False)):
        if p != q:
            return f"first difference at byte {i}"
    return f"lengths {len(x)} and {len(y)}"


# --- KEMs --------------------------------------------------------------------------------------


def _ml_kem_rejection(dk: bytes, c: bytes) -> bytes:
    """FIPS 203 Algorithm 18 line 7: K-bar = J(z || c) = SHAKE256(z || c, 32), z the last 32
    bytes of the decapsulation key (Algorithm 18 line 4)."""
    return hashlib.shake_256(dk[-32:] + c).digest(32)


def _kyber_r3_rejection(dk: bytes, c: bytes) -> bytes:
    """Kyber v3.02 Algorithm 9: K = KDF(z || H(c)) when c does not re-encrypt, KDF = SHAKE-256,
    H = SHA3-256; z the last 32 bytes of sk = (sk' || pk || H(pk) || z) (Algorithm 7)."""
    return hashlib.shake_256(dk[-32:] + hashlib.sha3_256(c).digest()).digest(32)


@dataclass(frozen=True)
class _Kem:
    capability: str
    title: str
    keygen: str
    encaps: str
    decaps: str
    #: Lengths of the key generation seeds, in the order the method takes them.
    seeds: tuple[int, ...]
    #: Length of the encapsulation randomness (m, or X-Wing's eseed).
    coins: int
    ek: int
    dk: int
    c: int
    #: The implicit-rejection key the suite computes from (dk, c'), when it can.
    rejection: Callable[[bytes, bytes], bytes] | None
    #: The bit flipped lies in the first ``flip_within`` bytes of the ciphertext.
    flip_within: int
    keygen_spec: tuple[SpecRef, ...]
    kem_spec: tuple[SpecRef, ...]
    rejection_spec: tuple[SpecRef, ...]
    smoke: bool = False


def _ml_kem(n: int, ek: int, dk: int, c: int, smoke: bool = False) -> _Kem:
    return _Kem(
        capability=f"ml-kem-{n}",
        title=f"ML-KEM-{n}",
        keygen="ml_kem_keygen",
        encaps="ml_kem_encaps",
        decaps="ml_kem_decaps",
        seeds=(32, 32),
        coins=32,
        ek=ek,
        dk=dk,
        c=c,
        rejection=_ml_kem_rejection,
        flip_within=c,
        keygen_spec=(
            SpecRef(FIPS_203, "6.1 (ML-KEM.KeyGen_internal, Algorithm 16)"),
            SpecRef(FIPS_203, "8 (Table 3: key and ciphertext sizes)"),
        ),
        kem_spec=(
            SpecRef(FIPS_203, "6.2 (ML-KEM.Encaps_internal, Algorithm 17)"),
            SpecRef(FIPS_203, "6.3 (ML-KEM.Decaps_internal, Algorithm 18)"),
            SpecRef(FIPS_203, "7.2, 7.3 (input checking)"),
        ),
        rejection_spec=(
            SpecRef(
                FIPS_203,
                "6.3 (Algorithm 18, lines 7-11: implicit rejection, K-bar = J(z || c))",
                "MUST",
            ),
        ),
        smoke=smoke,
    )


KEMS: tuple[_Kem, ...] = (
    _ml_kem(512, 800, 1632, 768),
    _ml_kem(768, 1184, 2400, 1088, smoke=True),
    _ml_kem(1024, 1568, 3168, 1568),
    _Kem(
        capability="x-wing",
        title="X-Wing",
        keygen="x_wing_keygen",
        encaps="x_wing_encaps",
        decaps="x_wing_decaps",
        seeds=(32,),
        coins=64,
        ek=1216,
        dk=32,
        c=1120,
        rejection=None,
        # The ML-KEM-768 part (ct_M = ct[0:1088], §5.5): its implicit rejection carries through.
        flip_within=1088,
        keygen_spec=(
            SpecRef(XWING, "5.1 (encoding and sizes)"),
            SpecRef(XWING, "5.2, 5.2.1 (key generation, GenerateKeyPairDerand)"),
        ),
        kem_spec=(
            SpecRef(XWING, "5.4, 5.4.1 (encapsulation, EncapsulateDerand)"),
            SpecRef(XWING, "5.5 (decapsulation)"),
        ),
        rejection_spec=(
            SpecRef(XWING, "5.5 (decapsulation: ML-KEM-768.Decapsulate of ct_M)"),
            SpecRef(FIPS_203, "6.3 (Algorithm 18, lines 7-11: implicit rejection)"),
        ),
        smoke=True,
    ),
    _Kem(
        capability="kyber1024-r3",
        title="Kyber1024 (round 3)",
        keygen="kyber_keygen",
        encaps="kyber_encaps",
        decaps="kyber_decaps",
        seeds=(32, 32),
        coins=32,
        ek=1568,
        dk=3168,
        c=1568,
        rejection=_kyber_r3_rejection,
        flip_within=1568,
        keygen_spec=(SpecRef(KYBER_R3, "1.3 (Algorithm 7, Kyber.CCAKEM.KeyGen)"),),
        kem_spec=(
            SpecRef(KYBER_R3, "1.3 (Algorithm 8, Kyber.CCAKEM.Enc)"),
            SpecRef(KYBER_R3, "1.3 (Algorithm 9, Kyber.CCAKEM.Dec)"),
        ),
        rejection_spec=(
            SpecRef(KYBER_R3, "1.3 (Algorithm 9: K = KDF(z || H(c)) when c does not re-encrypt)"),
        ),
    ),
)


def _kem_pair(kem: _Kem, impl: object, role: str, seeds: tuple[bytes, ...]) -> tuple[bytes, bytes]:
    who = _PARTY[role]
    pair = _own(
        f"{who} generates a key pair from seeds", getattr(impl, kem.keygen), *seeds, role=role
    )
    ek = _sized(f"{kem.title} encapsulation key", _field(pair, "ek"), kem.ek, role)
    dk = _sized(f"{kem.title} decapsulation key", _field(pair, "dk"), kem.dk, role)
    return ek, dk


def _kem_seeds(kem: _Kem, rng: Rng) -> tuple[bytes, ...]:
    return tuple(rng.take(n) for n in kem.seeds)


def _kem_keygen(kem: _Kem) -> Callable[[object, object, Rng], str | None]:
    def play(a: object, b: object, rng: Rng) -> str | None:
        seeds = _kem_seeds(kem, rng)
        ek_a, dk_a = _kem_pair(kem, a, "alice", seeds)
        ek_b, dk_b = _kem_pair(kem, b, "bob", seeds)
        for what, x, y in (("encapsulation", ek_a, ek_b), ("decapsulation", dk_a, dk_b)):
            if x != y:
                raise PairFailure(
                    f"A and B expand the same seeds to different {kem.title} {what} keys "
                    f"({_first_difference(x, y)})",
                    receiver="bob",
                )
        return None

    return play


def _encapsulated(kem: _Kem, a: object, ek: bytes, rng: Rng) -> tuple[bytes, bytes]:
    out = step(
        f"A encapsulates to B's {kem.title} key",
        getattr(a, kem.encaps),
        ek,
        rng.take(kem.coins),
        receiver="alice",
    )
    c = _sized(f"{kem.title} ciphertext", _field(out, "c"), kem.c, "alice")
    k = _sized(f"{kem.title} shared key", _field(out, "k"), 32, "alice")
    return c, k


def _kem_encaps_decaps(kem: _Kem) -> Callable[[object, object, Rng], str | None]:
    def play(a: object, b: object, rng: Rng) -> str | None:
        ek, dk = _kem_pair(kem, b, "bob", _kem_seeds(kem, rng))
        c, k = _encapsulated(kem, a, ek, rng)
        got = step(
            f"B decapsulates A's {kem.title} ciphertext",
            getattr(b, kem.decaps),
            dk,
            c,
            receiver="bob",
        )
        if not isinstance(got, bytes) or len(got) != 32:
            raise PairFailure(
                f"B decapsulated A's {kem.title} ciphertext to {_hex(got)}, not a 32-byte key",
                receiver="bob",
                receiver_fault=True,
            )
        if got != k:
            raise PairFailure(
                f"B decapsulated A's {kem.title} ciphertext to {_hex(got)}, A's shared key is "
                f"{k.hex()}",
                receiver="bob",
            )
        return None

    return play


def _kem_implicit_rejection(kem: _Kem) -> Callable[[object, object, Rng], str | None]:
    def play(a: object, b: object, rng: Rng) -> str | None:
        ek, dk = _kem_pair(kem, b, "bob", _kem_seeds(kem, rng))
        c, k = _encapsulated(kem, a, ek, rng)
        bit = _bit(rng, kem.flip_within)
        tampered = _flip(c, bit)
        what = f"B decapsulates A's {kem.title} ciphertext with bit {bit} flipped"
        try:
            got = getattr(b, kem.decaps)(dk, tampered)
        except Unsupported:
            raise
        except ProtocolError as exc:
            raise PairFailure(
                f"{what}: refused with {exc.kind}: {exc}; implicit rejection returns a key, "
                "never an error",
                receiver="bob",
                receiver_fault=True,
            ) from None
        if not isinstance(got, bytes) or len(got) != 32:
            raise PairFailure(
                f"{what}: got {_hex(got)}, not a 32-byte key", receiver="bob", receiver_fault=True
            )
        if got == k:
            raise PairFailure(
                f"{what}: got A's shared key back; the tampered ciphertext must give the "
                "implicit-rejection key",
                receiver="bob",
                receiver_fault=True,
            )
        if kem.rejection is not None:
            expected = kem.rejection(dk, tampered)
            if got != expected:
                raise PairFailure(
                    f"{what}: got {got.hex()}, the implicit-rejection key from the z of B's "
                    f"decapsulation key is {expected.hex()}",
                    receiver="bob",
                    receiver_fault=True,
                )
            return None
        # X-Wing: the key is a seed (§5.1), so A can decapsulate under it; both must agree.
        theirs = _own(
            f"A decapsulates the tampered {kem.title} ciphertext under B's decapsulation key",
            getattr(a, kem.decaps),
            dk,
            tampered,
            role="alice",
        )
        if theirs != got:
            raise PairFailure(
                f"{what}: got {got.hex()}, while A, under B's decapsulation key, got "
                f"{_hex(theirs)}",
                receiver="alice",
            )
        return None

    return play


def _hex(value: object) -> str:
    return value.hex() if isinstance(value, bytes) else repr(value)


# --- ML-DSA ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dsa:
    n: int
    pk: int
    sk: int
    sig: int
    smoke: bool = False

    @property
    def capability(self) -> str:
        return f"ml-dsa-{self.n}"

    @property
    def title(self) -> str:
        return f"ML-DSA-{self.n}"


DSAS = (
    _Dsa(44, 1312, 2560, 2420),
    _Dsa(65, 1952, 4032, 3309, smoke=True),
    _Dsa(87, 2592, 4896, 4627),
)


def _dsa_pair(dsa: _Dsa, impl: MlDsa, role: str, xi: bytes) -> tuple[bytes, bytes]:
    who = _PARTY[role]
    pair = _own(f"{who} generates a key pair from xi", impl.ml_dsa_keygen, xi, role=role)
    pk = _sized(f"{dsa.title} public key", _field(pair, "pk"), dsa.pk, role)
    sk = _sized(f"{dsa.title} private key", _field(pair, "sk"), dsa.sk, role)
    return pk, sk


def _dsa_keygen(dsa: _Dsa) -> Callable[[object, object, Rng], str | None]:
    def play(a: object, b: object, rng: Rng) -> str | None:
        xi = rng.key()
        pk_a, sk_a = _dsa_pair(dsa, cast(MlDsa, a), "alice", xi)
        pk_b, sk_b = _dsa_pair(dsa, cast(MlDsa, b), "bob", xi)
        for what, x, y in (("public", pk_a, pk_b), ("private", sk_a, sk_b)):
            if x != y:
                raise PairFailure(
                    f"A and B expand the same xi to different {dsa.title} {what} keys "
                    f"({_first_difference(x, y)})",
                    receiver="bob",
                )
        return None

    return play


def _signed(dsa: _Dsa, a: MlDsa, rng: Rng) -> tuple[bytes, bytes, bytes, bytes]:
    """A's public key, a message, its context and A's signature over them."""
    pk, sk = _dsa_pair(dsa, a, "alice", rng.key())
    message = rng.plaintext("ml-dsa message")
    context = rng.plaintext("context")
    signature = _own(
        f"A signs with {dsa.title}",
        a.ml_dsa_sign,
        sk,
        message,
        context,
        rng.key(),
        role="alice",
    )
    return pk, message, context, _sized(f"{dsa.title} signature", signature, dsa.sig, "alice")


def _dsa_sign_verify(dsa: _Dsa) -> Callable[[object, object, Rng], str | None]:
    def play(a: object, b: object, rng: Rng) -> str | None:
        pk, message, context, signature = _signed(dsa, cast(MlDsa, a), rng)
        step(
            f"B verifies A's {dsa.title} signature",
            cast(MlDsa, b).ml_dsa_verify,
            pk,
            message,
            context,
            signature,
            receiver="bob",
        )
        return None

    return play


def _dsa_refuses(dsa: _Dsa, tamper: str) -> Callable[[object, object, Rng], str | None]:
    """B verifies A's signature with the context or the message (``tamper``) changed in one
    bit: it must refuse with InvalidSignature."""

    def play(a: object, b: object, rng: Rng) -> str | None:
        pk, message, context, signature = _signed(dsa, cast(MlDsa, a), rng)
        if tamper == "context":
            bit = _bit(rng, len(context))
            context = _flip(context, bit)
        else:
            bit = _bit(rng, len(message))
            message = _flip(message, bit)
        where = "under the context" if tamper == "context" else "over the message"
        what = f"B verifies A's {dsa.title} signature {where} with bit {bit} flipped"
        try:
            cast(MlDsa, b).ml_dsa_verify(pk, message, context, signature)
        except InvalidSignature:
            return None
        except Unsupported:
            raise
        except ProtocolError as exc:
            raise PairFailure(
                f"{what}: refused with {exc.kind}: {exc}, not InvalidSignature",
                receiver="bob",
                receiver_fault=True,
            ) from None
        raise PairFailure(f"{what}: accepted it", receiver="bob", receiver_fault=True)

    return play


# --- the scenarios -----------------------------------------------------------------------------

DSA_KEYGEN_SPEC = (
    SpecRef(FIPS_204, "6.1 (ML-DSA.KeyGen_internal, Algorithm 6)"),
    SpecRef(FIPS_204, "4 (Table 2: key and signature sizes)"),
)
DSA_SIGN_SPEC = (
    SpecRef(FIPS_204, "5.2 (ML-DSA.Sign, Algorithm 2: M' = 0 || |ctx| || ctx || M)"),
    SpecRef(FIPS_204, "5.3 (ML-DSA.Verify, Algorithm 3)"),
)


def _kem_scenarios(kem: _Kem) -> list[PairScenario]:
    cap, t = kem.capability, kem.title
    return [
        PairScenario(
            f"{cap}-keygen",
            FAMILY,
            cap,
            f"A and B generate {t} key pairs from the same seeds: equal byte for byte.",
            kem.keygen_spec,
            _kem_keygen(kem),
            bug_type="FUNCTIONALITY",
        ),
        PairScenario(
            f"{cap}-encaps-decaps",
            FAMILY,
            cap,
            f"A encapsulates to B's {t} key (from seeds); B decapsulates to A's shared key.",
            kem.kem_spec,
            _kem_encaps_decaps(kem),
            smoke=kem.smoke,
            bug_type="FUNCTIONALITY",
        ),
        PairScenario(
            f"{cap}-implicit-rejection",
            FAMILY,
            cap,
            f"A's {t} ciphertext with one bit flipped: B returns the implicit-rejection key, "
            "not A's and never an error.",
            kem.rejection_spec,
            _kem_implicit_rejection(kem),
            bug_type="MALLEABILITY",
        ),
    ]


def _dsa_scenarios(dsa: _Dsa) -> list[PairScenario]:
    cap, t = dsa.capability, dsa.title
    return [
        PairScenario(
            f"{cap}-keygen",
            FAMILY,
            cap,
            f"A and B generate {t} key pairs from the same xi: equal byte for byte.",
            DSA_KEYGEN_SPEC,
            _dsa_keygen(dsa),
            bug_type="FUNCTIONALITY",
        ),
        PairScenario(
            f"{cap}-sign-verify",
            FAMILY,
            cap,
            f"B verifies A's {t} signature over a message with a context.",
            DSA_SIGN_SPEC,
            _dsa_sign_verify(dsa),
            smoke=dsa.smoke,
            bug_type="FUNCTIONALITY",
        ),
        PairScenario(
            f"{cap}-wrong-context",
            FAMILY,
            cap,
            f"B refuses A's {t} signature under a context with one bit flipped.",
            (*DSA_SIGN_SPEC, SpecRef(FIPS_204, "5.3 (the context is part of M')", "MUST")),
            _dsa_refuses(dsa, "context"),
            bug_type="AUTH_BYPASS",
        ),
        PairScenario(
            f"{cap}-tampered-message",
            FAMILY,
            cap,
            f"B refuses A's {t} signature over the message with one bit flipped.",
            DSA_SIGN_SPEC,
            _dsa_refuses(dsa, "message"),
            bug_type="AUTH_BYPASS",
        ),
    ]


SCENARIOS: list[PairScenario] = [
    *(s for kem in KEMS for s in _kem_scenarios(kem)),
    *(s for dsa in DSAS for s in _dsa_scenarios(dsa)),
]
