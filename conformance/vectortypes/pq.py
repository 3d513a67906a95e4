"""Vector types of the post-quantum family: ML-KEM (FIPS 203), ML-DSA (FIPS 204), X-Wing and
round-3 Kyber1024. A group's ``parameterSet`` names the set (ML-KEM-768, ML-DSA-65, ...); the
file's ``algorithm`` maps to the capability of that set.

Known answers that depend on injected randomness (an encapsulation's ``m``, a signature's
``rnd``) map to the ``-encaps`` / ``-sign`` composites (the capability and its
``:fixed-randomness`` marker); input checks that do not (a malformed key refused) map to the
plain capability, so every implementation of the set runs them.
"""

from __future__ import annotations

from ._base import Field, VectorType

__all__ = ["VECTOR_TYPES"]

_SET = (Field("parameterSet", "str", "the parameter set: ML-KEM-768, ML-DSA-65, ..."),)

_ML_KEM = (512, 768, 1024)
_ML_DSA = (44, 65, 87)


def _kem(suffix: str = "") -> dict[str, str]:
    out = {f"ML-KEM-{n}": f"ml-kem-{n}{suffix}" for n in _ML_KEM}
    out["KYBER1024-R3"] = f"kyber1024-r3{suffix}"
    return out


VECTOR_TYPES: tuple[VectorType, ...] = (
    VectorType(
        name="KemKeyGen",
        schema="kem_keygen_schema.json",
        description=(
            "Key generation from seeds: ML-KEM.KeyGen_internal(d, z) (FIPS 203 §6.1), or round-3 "
            "Kyber1024's with the same seeds; ek and dk compared byte for byte."
        ),
        group_fields=_SET,
        case_fields=(
            Field("d", "hex", "32-byte seed d"),
            Field("z", "hex", "32-byte implicit-rejection value z"),
            Field("ek", "hex", "expected encapsulation key"),
            Field("dk", "hex", "expected (expanded) decapsulation key"),
        ),
        algorithms=_kem(),
    ),
    VectorType(
        name="KemEncaps",
        schema="kem_encaps_schema.json",
        description=(
            "Encapsulation with the injected message m (ML-KEM.Encaps_internal, FIPS 203 §6.2): "
            "c and k compared byte for byte."
        ),
        group_fields=_SET,
        case_fields=(
            Field("ek", "hex", "encapsulation key"),
            Field("m", "hex", "32-byte message m"),
            Field("c", "hex", "expected ciphertext"),
            Field("k", "hex", "expected 32-byte shared key"),
        ),
        algorithms=_kem("-encaps"),
    ),
    VectorType(
        name="KemEncapsKeyCheck",
        schema="kem_encaps_key_check_schema.json",
        description=(
            "The encapsulation key check of FIPS 203 §7.2 (length, and every coefficient below q "
            "after ByteDecode: the modulus check): an invalid ek must be refused whatever m; a "
            "valid one must encapsulate to a c that decapsulates, with dk, to the k returned."
        ),
        group_fields=_SET,
        case_fields=(
            Field("ek", "hex", "encapsulation key, possibly malformed"),
            Field(
                "dk",
                "hex",
                "the decapsulation key of a valid ek, or empty (then accepting the ek is all)",
            ),
            Field("m", "hex", "32-byte message m"),
        ),
        algorithms=_kem(),
    ),
    VectorType(
        name="KemDecaps",
        schema="kem_decaps_schema.json",
        description=(
            "Decapsulation (ML-KEM.Decaps_internal, FIPS 203 §6.3) after the checks of §7.3: a "
            "wrong-length c or dk, or a dk whose stored H(ek) is wrong, is refused; a c that does "
            "not re-encrypt yields the implicit-rejection key (a valid case with that k)."
        ),
        group_fields=_SET,
        case_fields=(
            Field("dk", "hex", "decapsulation key, possibly malformed"),
            Field("c", "hex", "ciphertext, possibly modified"),
            Field("k", "hex", "expected shared key (the rejection key for a modified c)"),
        ),
        algorithms=_kem(),
    ),
    VectorType(
        name="KemSeedDecaps",
        schema="kem_seed_decaps_schema.json",
        description=(
            "Decapsulation with the key generated from a 64-byte seed d || z (FIPS 203 §6.1 then "
            "§6.3), as Wycheproof's ML-KEM test files carry it: a seed or c of the wrong length "
            "is refused; a c that does not re-encrypt yields the implicit-rejection key."
        ),
        group_fields=_SET,
        case_fields=(
            Field("seed", "hex", "d || z (64 bytes when well formed)"),
            Field("c", "hex", "ciphertext, possibly modified"),
            Field("k", "hex", "expected shared key"),
        ),
        algorithms=_kem(),
    ),
    VectorType(
        name="MlDsaKeyGen",
        schema="mldsa_keygen_schema.json",
        description="ML-DSA.KeyGen_internal(xi) (FIPS 204 §6.1): pk and sk compared byte for byte.",
        group_fields=_SET,
        case_fields=(
            Field("xi", "hex", "32-byte seed"),
            Field("pk", "hex", "expected public key"),
            Field("sk", "hex", "expected private key"),
        ),
        algorithms={f"ML-DSA-{n}": f"ml-dsa-{n}" for n in _ML_DSA},
    ),
    VectorType(
        name="MlDsaSign",
        schema="mldsa_sign_schema.json",
        description=(
            "ML-DSA.Sign (FIPS 204 §5.2, Algorithm 2) with the injected rnd (all zero: the "
            "deterministic variant) and a context string; the signature compared byte for byte "
            "and verified. The key is the group's seed xi (key generation first, pk compared) or, "
            "when xi is empty, its expanded sk. A context over 255 bytes or a malformed sk must "
            "be refused."
        ),
        group_fields=(
            *_SET,
            Field("xi", "hex", "32-byte seed the key pair is generated from, or empty"),
            Field("sk", "hex", "expanded private key, or empty when xi is given"),
            Field("pk", "hex", "public key"),
        ),
        case_fields=(
            Field("msg", "hex", "message M"),
            Field("ctx", "hex", "context string (at most 255 bytes)"),
            Field("rnd", "hex", "32-byte rnd"),
            Field("sig", "hex", "expected signature"),
        ),
        algorithms={f"ML-DSA-{n}": f"ml-dsa-{n}-sign" for n in _ML_DSA},
    ),
    VectorType(
        name="MlDsaSignMu",
        schema="mldsa_sign_mu_schema.json",
        description=(
            "ML-DSA.Sign_internal over an external message representative mu (FIPS 204 §6.2, "
            "Algorithm 7 with mu given): the signature compared byte for byte and verified with "
            "Verify_internal over the same mu."
        ),
        group_fields=(
            *_SET,
            Field("xi", "hex", "32-byte seed the key pair is generated from, or empty"),
            Field("sk", "hex", "expanded private key, or empty when xi is given"),
            Field("pk", "hex", "public key"),
        ),
        case_fields=(
            Field("mu", "hex", "64-byte message representative mu"),
            Field("rnd", "hex", "32-byte rnd"),
            Field("sig", "hex", "expected signature"),
        ),
        algorithms={f"ML-DSA-{n}": f"ml-dsa-{n}-sign-mu" for n in _ML_DSA},
    ),
    VectorType(
        name="MlDsaVerify",
        schema="mldsa_verify_schema.json",
        description=(
            "ML-DSA.Verify (FIPS 204 §5.3, Algorithm 3): valid signatures accepted; wrong "
            "lengths, malformed hints (§7.1 HintBitUnpack), out-of-range z, a wrong context or "
            "message refused."
        ),
        group_fields=(*_SET, Field("pk", "hex", "public key, possibly malformed")),
        case_fields=(
            Field("msg", "hex", "message M"),
            Field("ctx", "hex", "context string"),
            Field("sig", "hex", "signature as presented to the verifier"),
        ),
        algorithms={f"ML-DSA-{n}": f"ml-dsa-{n}" for n in _ML_DSA},
    ),
    VectorType(
        name="XWingKeyGen",
        schema="xwing_keygen_schema.json",
        description="X-Wing key generation from the 32-byte seed: ek compared byte for byte.",
        group_fields=(),
        case_fields=(
            Field("seed", "hex", "32-byte seed (the decapsulation key)"),
            Field("ek", "hex", "expected 1216-byte encapsulation key"),
        ),
        algorithms={"X-WING": "x-wing"},
    ),
    VectorType(
        name="XWingEncaps",
        schema="xwing_encaps_schema.json",
        description="X-Wing encapsulation with the injected 64-byte eseed: c and k compared.",
        group_fields=(),
        case_fields=(
            Field("ek", "hex", "1216-byte encapsulation key"),
            Field("eseed", "hex", "64-byte eseed: ML-KEM-768's m, then the X25519 ephemeral key"),
            Field("c", "hex", "expected 1120-byte ciphertext"),
            Field("k", "hex", "expected 32-byte shared secret"),
        ),
        algorithms={"X-WING": "x-wing-encaps"},
    ),
    VectorType(
        name="XWingDecaps",
        schema="xwing_decaps_schema.json",
        description=(
            "X-Wing decapsulation: the shared secret, ML-KEM's implicit rejection carried "
            "through for a modified ciphertext; wrong lengths refused."
        ),
        group_fields=(),
        case_fields=(
            Field("seed", "hex", "32-byte decapsulation key"),
            Field("c", "hex", "ciphertext, possibly modified"),
            Field("k", "hex", "expected shared secret"),
        ),
        algorithms={"X-WING": "x-wing"},
    ),
)
