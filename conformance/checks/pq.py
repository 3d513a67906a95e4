"""Known-answer checks of the ``pq`` family: ML-KEM (FIPS 203), round-3 Kyber1024, ML-DSA
(FIPS 204) and X-Wing (draft-connolly-cfrg-xwing-kem-10), one function per vector type.

A KEM vector's group names its parameter set; ``KYBER1024-R3`` groups run the
:class:`~conformance.capabilities.pq.Kyber1024Round3` operations, the others ML-KEM's. Where an
operation returns a key pair or an encapsulation, each part is judged on its own, so a failure
says which one differs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import cast

from ..capabilities.pq import Kyber1024Round3, MlDsa, MlDsaExternalMu, MlKem, XWing
from ..model import Case, Group
from . import PASS, Attempt, CheckFn, Verdict, attempt, first_failure, judge

__all__ = ["CHECKS", "ROUND3_SET", "KemOperations"]

#: The parameterSet of round-3 Kyber1024 groups.
ROUND3_SET = "KYBER1024-R3"

#: FIPS 203 §7.1 ML-KEM.KeyGen takes d and z, 32 bytes each; Wycheproof writes them as one seed.
SEED_HALF = 32


class KemOperations:
    """The three KEM operations of a group's parameter set, by FIPS 203 name."""

    def __init__(self, group: Group, impl: object) -> None:
        if group.str("parameterSet") == ROUND3_SET:
            r3 = cast(Kyber1024Round3, impl)
            self.keygen: Callable[[bytes, bytes], object] = r3.kyber_keygen
            self.encaps: Callable[[bytes, bytes], object] = r3.kyber_encaps
            self.decaps: Callable[[bytes, bytes], object] = r3.kyber_decaps
            self.name = "kyber"
        else:
            kem = cast(MlKem, impl)
            self.keygen, self.encaps, self.decaps = (
                kem.ml_kem_keygen,
                kem.ml_kem_encaps,
                kem.ml_kem_decaps,
            )
            self.name = "ml_kem"


def _parts(case: Case, got: Attempt, expected: Mapping[str, bytes], what: str) -> Verdict:
    """Judge an operation returning named byte strings (a key pair, an encapsulation): a
    refusal as a whole, then each expected part in order."""
    if got.refused or case.invalid:
        return judge(case, got, None, what)
    value = got.value if isinstance(got.value, Mapping) else {}
    return first_failure(
        *(
            judge(case, Attempt(value.get(name)), want, f"{what}: {name}")
            for name, want in expected.items()
        )
    )


def _field(got: Attempt, name: str) -> bytes:
    value = got.value
    part = value.get(name) if isinstance(value, Mapping) else None
    return part if isinstance(part, bytes) else b""


def kem_keygen(group: Group, case: Case, impl: object) -> Verdict:
    """FIPS 203 §6.1 ML-KEM.KeyGen_internal(d, z) (or round 3's key generation from the same
    seeds): ek and the expanded dk, byte for byte."""
    kem = KemOperations(group, impl)
    got = attempt(kem.keygen, case.bytes("d"), case.bytes("z"))
    want = {"ek": case.bytes("ek"), "dk": case.bytes("dk")}
    return _parts(case, got, want, f"{kem.name}_keygen")


def kem_encaps(group: Group, case: Case, impl: object) -> Verdict:
    """FIPS 203 §6.2 ML-KEM.Encaps_internal(ek, m) with the injected m: c and k."""
    kem = KemOperations(group, impl)
    got = attempt(kem.encaps, case.bytes("ek"), case.bytes("m"))
    want = {"c": case.bytes("c"), "k": case.bytes("k")}
    return _parts(case, got, want, f"{kem.name}_encaps")


def kem_encaps_key_check(group: Group, case: Case, impl: object) -> Verdict:
    """FIPS 203 §7.2: an ek of the wrong length or failing the modulus check must be refused,
    whatever m. A valid ek must encapsulate, and where the case has its dk, that dk must
    decapsulate the c returned to the k returned (the implementation need not use m: nothing is
    compared to a value that depends on it)."""
    kem = KemOperations(group, impl)
    got = attempt(kem.encaps, case.bytes("ek"), case.bytes("m"))
    what = f"{kem.name}_encaps"
    dk = case.bytes("dk")
    if got.refused or case.invalid or not dk:
        # Without a dk (a valid key at a boundary, its private half unknown) accepting is all.
        return judge(case, got, None, what)
    c, k = _field(got, "c"), _field(got, "k")
    opened = attempt(kem.decaps, dk, c)
    return judge(case, opened, k, f"{kem.name}_decaps of the ciphertext {what} returned")


def kem_decaps(group: Group, case: Case, impl: object) -> Verdict:
    """FIPS 203 §6.3 after the checks of §7.3 (c and dk lengths, the hash check): the key, the
    implicit-rejection key J(z || c) for a c that does not re-encrypt."""
    kem = KemOperations(group, impl)
    got = attempt(kem.decaps, case.bytes("dk"), case.bytes("c"))
    return judge(case, got, case.bytes("k"), f"{kem.name}_decaps")


def kem_seed_decaps(group: Group, case: Case, impl: object) -> Verdict:
    """Key generation from the seed d || z (§6.1), then decapsulation (§6.3 after §7.3's
    length check on c). A seed of the wrong length must be refused by key generation."""
    kem = KemOperations(group, impl)
    seed = case.bytes("seed")
    made = attempt(kem.keygen, seed[:SEED_HALF], seed[SEED_HALF:])
    keygen = f"{kem.name}_keygen"
    if made.refused or len(seed) != 2 * SEED_HALF:
        return judge(case, made, None, f"{keygen} from a {len(seed)}-byte seed")
    got = attempt(kem.decaps, _field(made, "dk"), case.bytes("c"))
    return judge(case, got, case.bytes("k"), f"{kem.name}_decaps with the key from {keygen}")


def ml_dsa_keygen(group: Group, case: Case, impl: object) -> Verdict:
    """FIPS 204 §6.1 ML-DSA.KeyGen_internal(xi): pk and sk, byte for byte."""
    dsa = cast(MlDsa, impl)
    got = attempt(dsa.ml_dsa_keygen, case.bytes("xi"))
    want = {"pk": case.bytes("pk"), "sk": case.bytes("sk")}
    return _parts(case, got, want, "ml_dsa_keygen")


def _signing_key(group: Group, case: Case, dsa: MlDsa) -> tuple[bytes, Verdict]:
    """The group's private key: generated from its seed xi (and the public key compared), or
    its expanded sk as given."""
    xi = group.bytes("xi")
    if not xi:
        return group.bytes("sk"), PASS
    made = attempt(dsa.ml_dsa_keygen, xi)
    if made.refused:
        return b"", judge(case, made, None, f"ml_dsa_keygen from a {len(xi)}-byte seed")
    verdict = judge(case, Attempt(_field(made, "pk")), group.bytes("pk"), "ml_dsa_keygen: pk")
    return _field(made, "sk"), PASS if case.invalid else verdict


def ml_dsa_sign(group: Group, case: Case, impl: object) -> Verdict:
    """FIPS 204 §5.2 ML-DSA.Sign with the injected rnd (all zero: deterministic, §3.4): the
    signature byte for byte, then §5.3 verification of it. A context over 255 bytes or a
    malformed sk must be refused."""
    dsa = cast(MlDsa, impl)
    sk, keyed = _signing_key(group, case, dsa)
    if keyed.outcome != "pass" or (case.invalid and not sk):
        return keyed
    msg, ctx, sig = case.bytes("msg"), case.bytes("ctx"), case.bytes("sig")
    signed = judge(case, attempt(dsa.ml_dsa_sign, sk, msg, ctx, case.bytes("rnd")), sig, "sign")
    if case.invalid or signed.outcome != "pass" or signed.behaviour == "rejected":
        return signed
    verified = judge(
        case,
        attempt(dsa.ml_dsa_verify, group.bytes("pk"), msg, ctx, sig),
        None,
        "ml_dsa_verify of the expected signature",
    )
    return first_failure(signed, verified)


def ml_dsa_sign_mu(group: Group, case: Case, impl: object) -> Verdict:
    """FIPS 204 §6.2 ML-DSA.Sign_internal over the external mu, with the injected rnd; then
    Verify_internal (§6.3) over the same mu."""
    dsa = cast(MlDsa, impl)
    ext = cast(MlDsaExternalMu, impl)
    sk, keyed = _signing_key(group, case, dsa)
    if keyed.outcome != "pass" or (case.invalid and not sk):
        return keyed
    mu, sig = case.bytes("mu"), case.bytes("sig")
    signed = judge(case, attempt(ext.ml_dsa_sign_mu, sk, mu, case.bytes("rnd")), sig, "sign_mu")
    if case.invalid or signed.outcome != "pass" or signed.behaviour == "rejected":
        return signed
    verified = judge(
        case,
        attempt(ext.ml_dsa_verify_mu, group.bytes("pk"), mu, sig),
        None,
        "ml_dsa_verify_mu of the expected signature",
    )
    return first_failure(signed, verified)


def ml_dsa_verify(group: Group, case: Case, impl: object) -> Verdict:
    """FIPS 204 §5.3 ML-DSA.Verify (Algorithm 3, with §7.1 HintBitUnpack and the infinity-norm
    bound of Algorithm 8 line 13): exactly the valid signatures accepted."""
    dsa = cast(MlDsa, impl)
    got = attempt(
        dsa.ml_dsa_verify,
        group.bytes("pk"),
        case.bytes("msg"),
        case.bytes("ctx"),
        case.bytes("sig"),
    )
    return judge(case, got, None, "ml_dsa_verify")


def x_wing_keygen(group: Group, case: Case, impl: object) -> Verdict:
    """X-Wing key generation (draft -10 §5.2): the 1216-byte ek expanded from the seed, and the
    seed itself as the decapsulation key."""
    xw = cast(XWing, impl)
    seed = case.bytes("seed")
    want = {"ek": case.bytes("ek"), "dk": seed}
    return _parts(case, attempt(xw.x_wing_keygen, seed), want, "x_wing_keygen")


def x_wing_encaps(group: Group, case: Case, impl: object) -> Verdict:
    """X-Wing EncapsulateDerand (draft -10 §5.3) with the injected 64-byte eseed: c and k."""
    xw = cast(XWing, impl)
    got = attempt(xw.x_wing_encaps, case.bytes("ek"), case.bytes("eseed"))
    want = {"c": case.bytes("c"), "k": case.bytes("k")}
    return _parts(case, got, want, "x_wing_encaps")


def x_wing_decaps(group: Group, case: Case, impl: object) -> Verdict:
    """X-Wing Decapsulate (draft -10 §5.4): the shared secret, ML-KEM-768's implicit rejection
    carried through the combiner."""
    xw = cast(XWing, impl)
    got = attempt(xw.x_wing_decaps, case.bytes("seed"), case.bytes("c"))
    return judge(case, got, case.bytes("k"), "x_wing_decaps")


CHECKS: dict[str, CheckFn] = {
    "KemKeyGen": kem_keygen,
    "KemEncaps": kem_encaps,
    "KemEncapsKeyCheck": kem_encaps_key_check,
    "KemDecaps": kem_decaps,
    "KemSeedDecaps": kem_seed_decaps,
    "MlDsaKeyGen": ml_dsa_keygen,
    "MlDsaSign": ml_dsa_sign,
    "MlDsaSignMu": ml_dsa_sign_mu,
    "MlDsaVerify": ml_dsa_verify,
    "XWingKeyGen": x_wing_keygen,
    "XWingEncaps": x_wing_encaps,
    "XWingDecaps": x_wing_decaps,
}
