"""Generate the post-quantum vector files in ``vectors/pq/``.

Usage: ``PYTHONPATH=. python vectors/generators/pq.py [--out DIR] [--check]``

* ``ml_kem_{512,768,1024}_*``: FIPS 203 key generation (§6.1), encapsulation with m (§6.2), the
  encapsulation key check (§7.2: lengths, the modulus check on coefficients 3329 and 4095 at the
  first and last coefficient, the boundary 3328 accepted), decapsulation (§6.3 and §7.3: lengths,
  the hash check, implicit rejection J(z || c) for modified ciphertexts).
* ``kyber1024_r3_*``: round-3 Kyber1024 (CRYSTALS-Kyber v3.02) as libsignal's PQXDH uses it, with
  the same seeds as the ML-KEM-1024 files; every expected value differs from ML-KEM-1024's (the
  generator asserts it), and the decapsulation files of both carry the other scheme's
  ciphertext (flag NotInterchangeable).
* ``ml_dsa_{44,65,87}_*``: FIPS 204 key generation (§6.1), signing deterministic and hedged with
  contexts (§5.2, §3.4), signing over an external mu (§6.2), verification (§5.3) of valid and
  malformed signatures: lengths, c-tilde and message bit flips, wrong contexts, hint encodings
  out of range or not canonical (§7.1 HintBitUnpack), z at the infinity-norm bound (§6.3
  Algorithm 8 line 13), malformed public keys.
* ``x_wing_*``: X-Wing (draft-connolly-cfrg-xwing-kem-10 §5), including the three vectors of its
  Appendix C.

Every value is computed by two independent implementations that are not written here and must
agree byte for byte: kyber-py and PyCryptodome for ML-KEM, dilithium-py and PyCryptodome for
ML-DSA, PyCryptodome's MLKEM768_X25519 and a composition of kyber-py's ML-KEM-768 with
pyca/cryptography's X25519 (draft -10 §5) for X-Wing; round-3 Kyber1024 by kyber-py and the
suite's reference (:mod:`conformance.reference.mlkem`). An invalid case ships only when both
implementations refuse it. Inputs come from :class:`_common.ByteSource`.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

# Run as a script from a checkout: make the repository root importable, whatever PYTHONPATH says.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from Crypto.PublicKey import MLDSA, MLKEM, Hybrid
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from dilithium_py import ml_dsa as dpy
from kyber_py import ml_kem as kpy
from kyber_py.kyber import Kyber1024 as KyberPy1024

from conformance.reference import mlkem as ref
from vectors.generators import _curve25519 as curve25519
from vectors.generators._common import (
    ByteSource,
    FileBuilder,
    GeneratorError,
    NoteSpec,
    ResultName,
    SpecRefSpec,
    bit_flip,
    check,
    h,
    require_equal,
    run_generator,
    write,
)

GENERATOR = "vectors/generators/pq.py"
SOURCE = {"generator": GENERATOR, "version": "1"}
SEED_LABEL = "e2ee-conformance/vectors/pq/v1/"
FIPS203 = "FIPS 203"
FIPS204 = "FIPS 204"
XWING = "draft-connolly-cfrg-xwing-kem-10"
KYBER_R3 = "CRYSTALS-Kyber v3.02 (round 3)"
Q = 3329

OBSERVATIONS: list[str] = []


def fips203(section: str, level: str | None = None) -> SpecRefSpec:
    return SpecRefSpec(FIPS203, section, level)


def fips204(section: str, level: str | None = None) -> SpecRefSpec:
    return SpecRefSpec(FIPS204, section, level)


NOTES = {
    "Valid": NoteSpec("BASIC", "A valid input and its expected output."),
    "ModulusCheck": NoteSpec(
        "MODIFIED_PARAMETER",
        "The encapsulation key has a coefficient that does not decode below q = 3329 "
        "(FIPS 203 §7.2, the modulus check); it must be refused.",
    ),
    "BoundaryCoefficient": NoteSpec(
        "EDGE_CASE",
        "A coefficient at the boundary: q - 1 = 3328 in an encapsulation key (valid), or a "
        "signature's z at the infinity-norm bound.",
    ),
    "WrongLength": NoteSpec("BASIC", "A key, ciphertext or signature of the wrong length."),
    "DecapsKeyHash": NoteSpec(
        "MODIFIED_PARAMETER",
        "The decapsulation key's stored H(ek) does not match its ek (FIPS 203 §7.3, the hash "
        "check); it must be refused.",
    ),
    "ImplicitRejection": NoteSpec(
        "CAN_OF_WORMS",
        "A ciphertext that does not re-encrypt: decapsulation must return the rejection key "
        "(J(z || c) in ML-KEM, FIPS 203 §6.3 line 7), never an error, and no other key.",
    ),
    "RejectionValue": NoteSpec(
        "EDGE_CASE",
        "The decapsulation key's z changed: a genuine ciphertext still gives the genuine key.",
    ),
    "NotInterchangeable": NoteSpec(
        "WRONG_PRIMITIVE",
        "A ciphertext of the other scheme (round-3 Kyber1024 vs ML-KEM-1024) under a key of the "
        "same layout. Their K-PKE is the same, so it re-encrypts, but the key is derived "
        "differently: ML-KEM returns round 3's pre-key K-bar, round 3 returns "
        "SHAKE256(K || H(c)) of ML-KEM's K. An implementation that returns the other scheme's "
        "shared key is not the scheme it claims.",
    ),
    "Deterministic": NoteSpec("BASIC", "Deterministic signing: rnd is 32 zero bytes (§3.4)."),
    "Hedged": NoteSpec("BASIC", "Hedged signing with the injected 32-byte rnd (§3.4)."),
    "Context": NoteSpec("BASIC", "A non-empty context string (FIPS 204 §5.2, at most 255 bytes)."),
    "ContextTooLong": NoteSpec(
        "BASIC", "A context string of 256 bytes: FIPS 204 §5.2 and §5.3 return an error."
    ),
    "WrongContext": NoteSpec(
        "BASIC", "The signature was made under another context string; it must not verify."
    ),
    "ModifiedSignature": NoteSpec("BASIC", "A bit of a valid signature or message flipped."),
    "HintOutOfRange": NoteSpec(
        "SIGNATURE_MALLEABILITY",
        "A hint count above omega (FIPS 204 §7.1 Algorithm 21 HintBitUnpack line 4 returns ⊥).",
    ),
    "NonCanonicalHint": NoteSpec(
        "SIGNATURE_MALLEABILITY",
        "A hint encoding that is not canonical: decreasing counts, indices not increasing, or "
        "non-zero unused slots (FIPS 204 §7.1 Algorithm 21 lines 4, 7 and 13 return ⊥).",
    ),
    "InfinityNormViolation": NoteSpec(
        "SIGNATURE_MALLEABILITY",
        "A z coefficient at gamma1 - beta (FIPS 204 §6.3 Algorithm 8 line 13 requires "
        "||z||_inf < gamma1 - beta).",
    ),
    "ModifiedPublicKey": NoteSpec("BASIC", "The public key changed or of the wrong length."),
    "MalformedPrivateKey": NoteSpec("BASIC", "The private key has the wrong length."),
    "LowOrderX25519": NoteSpec(
        "EDGE_CASE",
        "The X25519 half is a low-order point, so X25519 gives 32 zero bytes. Draft -10 does not "
        "ask X-Wing to refuse it (RFC 7748 §6.1 leaves the all-zero check to the protocol), so "
        "a refusal and the combined key over the zero share are both acceptable.",
    ),
    "PublishedVector": NoteSpec(
        "BASIC", "A vector published in draft-connolly-cfrg-xwing-kem-10 Appendix C."
    ),
}

# --- ML-KEM -------------------------------------------------------------------------------------

KPY = {512: kpy.ML_KEM_512, 768: kpy.ML_KEM_768, 1024: kpy.ML_KEM_1024}
PYCRYPTODOME = {512: MLKEM.ML_KEM_512, 768: MLKEM.ML_KEM_768, 1024: MLKEM.ML_KEM_1024}
K_OF = {512: 2, 768: 3, 1024: 4}


def refused(fn: Callable[[], object]) -> bool:
    try:
        fn()
    except (ValueError, TypeError, AssertionError, IndexError):
        return True
    return False


def kem_keygen(n: int, d: bytes, z: bytes) -> tuple[bytes, bytes]:
    ek, dk = KPY[n]._keygen_internal(d, z)
    key = MLKEM.construct(param_set=PYCRYPTODOME[n], seed=d + z)
    require_equal(f"ML-KEM-{n} ek (kyber-py vs PyCryptodome)", ek, key.ek)
    require_equal(f"ML-KEM-{n} dk (kyber-py vs PyCryptodome)", dk, key.expanded_dk)
    return ek, dk


def kem_encaps(n: int, ek: bytes, m: bytes) -> tuple[bytes, bytes]:
    k, c = KPY[n]._encaps_internal(ek, m)
    ss, ct = MLKEM.construct(param_set=PYCRYPTODOME[n], ek=ek)._encaps(coins=m)
    require_equal(f"ML-KEM-{n} c (kyber-py vs PyCryptodome)", c, ct)
    require_equal(f"ML-KEM-{n} k (kyber-py vs PyCryptodome)", k, ss)
    return c, k


def kem_decaps(n: int, dk: bytes, c: bytes) -> bytes:
    k = KPY[n].decaps(dk, c)
    ss = MLKEM.construct(param_set=PYCRYPTODOME[n], expanded_dk=dk)._decaps(c)
    require_equal(f"ML-KEM-{n} decaps (kyber-py vs PyCryptodome)", k, ss)
    return bytes(k)


def kem_both_refuse_ek(n: int, ek: bytes, m: bytes) -> bool:
    a = refused(lambda: KPY[n]._encaps_internal(ek, m))
    b = refused(lambda: MLKEM.construct(param_set=PYCRYPTODOME[n], ek=ek)._encaps(coins=m))
    if a != b:
        raise GeneratorError(f"ML-KEM-{n}: kyber-py and PyCryptodome disagree on an ek")
    return a


def kem_both_refuse_decaps(n: int, dk: bytes, c: bytes) -> bool:
    a = refused(lambda: KPY[n].decaps(dk, c))
    b = refused(lambda: MLKEM.construct(param_set=PYCRYPTODOME[n], expanded_dk=dk)._decaps(c))
    if a != b:
        raise GeneratorError(f"ML-KEM-{n}: kyber-py and PyCryptodome disagree on decaps")
    return a


def j_reject(z: bytes, c: bytes) -> bytes:
    """FIPS 203 §6.3 line 7 (J = SHAKE256 to 32 bytes), to confirm the libraries' value."""
    return hashlib.shake_256(z + c).digest(32)


def set_coefficient(ek: bytes, index: int, value: int) -> bytes:
    """``ek`` with its 12-bit coefficient ``index`` (FIPS 203 ByteEncode_12 order) replaced."""
    out = bytearray(ek)
    byte = (index // 2) * 3
    if index % 2 == 0:
        out[byte] = value & 0xFF
        out[byte + 1] = (out[byte + 1] & 0xF0) | (value >> 8)
    else:
        out[byte + 1] = (out[byte + 1] & 0x0F) | ((value & 0x0F) << 4)
        out[byte + 2] = value >> 4
    return bytes(out)


def gen_ml_kem(out: Path, n: int, src: ByteSource) -> list[Path]:
    alg = f"ML-KEM-{n}"
    base = f"ml_kem_{n}"
    header = [
        f"{alg} (FIPS 203) known answers; every value reproduced by kyber-py and PyCryptodome."
    ]
    params = {"parameterSet": alg}
    seeds = [(bytes(32), bytes(32)), (b"\xff" * 32, b"\xff" * 32)] + [
        (src.bytes(32), src.bytes(32)) for _ in range(6)
    ]
    keys = [(d, z, *kem_keygen(n, d, z)) for d, z in seeds]

    kg = FileBuilder(
        algorithm=alg, type_name="KemKeyGen", header=header, notes=NOTES, source=SOURCE
    )
    g = kg.group([fips203("6.1", "MUST"), fips203("7.1")], **params)
    for i, (d, z, ek, dk) in enumerate(keys):
        g.add(f"seeds {i}", ["Valid"], "valid", d=d, z=z, ek=ek, dk=dk)

    enc = FileBuilder(
        algorithm=alg, type_name="KemEncaps", header=header, notes=NOTES, source=SOURCE
    )
    g = enc.group([fips203("6.2", "MUST"), fips203("7.2")], **params)
    encapsulations = []
    for i, (_d, _z, ek, dk) in enumerate(keys[:5]):
        for m in (bytes(32), b"\xff" * 32, src.bytes(32)) if i == 0 else (src.bytes(32),):
            c, k = kem_encaps(n, ek, m)
            encapsulations.append((ek, dk, m, c, k))
            g.add(f"key {i}, m {m[:4].hex()}...", ["Valid"], "valid", ek=ek, m=m, c=c, k=k)

    chk = FileBuilder(
        algorithm=alg, type_name="KemEncapsKeyCheck", header=header, notes=NOTES, source=SOURCE
    )
    g = chk.group([fips203("7.2", "MUST")], **params)
    ek, dk = keys[2][2], keys[2][3]
    m = src.bytes(32)
    g.add("valid key, encapsulation decapsulated with dk", ["Valid"], "valid", ek=ek, dk=dk, m=m)
    last = 256 * K_OF[n] - 1
    crafted: list[tuple[str, bytes, str, ResultName]] = [
        ("first coefficient q", set_coefficient(ek, 0, Q), "ModulusCheck", "invalid"),
        ("first coefficient 4095", set_coefficient(ek, 0, 4095), "ModulusCheck", "invalid"),
        ("last coefficient q", set_coefficient(ek, last, Q), "ModulusCheck", "invalid"),
        ("middle coefficient q + 1", set_coefficient(ek, 257, Q + 1), "ModulusCheck", "invalid"),
        ("first coefficient q - 1", set_coefficient(ek, 0, Q - 1), "BoundaryCoefficient", "valid"),
        (
            "last coefficient q - 1",
            set_coefficient(ek, last, Q - 1),
            "BoundaryCoefficient",
            "valid",
        ),
        ("one byte short", ek[:-1], "WrongLength", "invalid"),
        ("one byte long", ek + b"\x00", "WrongLength", "invalid"),
        ("empty", b"", "WrongLength", "invalid"),
    ]
    for comment, bad, flag, result in crafted:
        if kem_both_refuse_ek(n, bad, m) != (result == "invalid"):
            raise GeneratorError(f"{alg} {comment}: the libraries do not agree with {result}")
        if result == "valid":
            kem_encaps(n, bad, m)
        g.add(comment, [flag], result, ek=bad, dk=b"", m=m)

    dec = FileBuilder(
        algorithm=alg, type_name="KemDecaps", header=header, notes=NOTES, source=SOURCE
    )
    g = dec.group([fips203("6.3", "MUST"), fips203("7.3", "MUST")], **params)
    ek, dk, _m, c, k = encapsulations[0]
    z = dk[-32:]
    require_equal(f"{alg} genuine decaps", k, kem_decaps(n, dk, c))
    g.add("genuine ciphertext", ["Valid"], "valid", dk=dk, c=c, k=k)
    modified = [
        ("first bit of c flipped", bit_flip(c, 0)),
        ("last bit of c flipped", bit_flip(c, 8 * len(c) - 1)),
        ("a middle byte of c changed", bit_flip(c, 4 * len(c) + 3)),
        ("all-zero c", bytes(len(c))),
        ("all-0xff c", b"\xff" * len(c)),
    ]
    for comment, bad in modified:
        got = kem_decaps(n, dk, bad)
        require_equal(f"{alg} {comment}: rejection key", j_reject(z, bad), got)
        g.add(comment, ["ImplicitRejection"], "valid", dk=dk, c=bad, k=got)
    other_z = bit_flip(dk, 8 * len(dk) - 1)
    require_equal(f"{alg} changed z", k, kem_decaps(n, other_z, c))
    g.add("z changed, genuine ciphertext", ["RejectionValue"], "valid", dk=other_z, c=c, k=k)
    k_len = 384 * K_OF[n]
    invalid = [
        ("c one byte short", dk, c[:-1], "WrongLength"),
        ("c one byte long", dk, c + b"\x00", "WrongLength"),
        ("c empty", dk, b"", "WrongLength"),
        ("dk one byte short", dk[:-1], c, "WrongLength"),
        ("dk one byte long", dk + b"\x00", c, "WrongLength"),
        ("H(ek) in dk changed", bit_flip(dk, 8 * (2 * k_len + 32)), c, "DecapsKeyHash"),
        ("ek in dk changed", bit_flip(dk, 8 * (k_len + 5)), c, "DecapsKeyHash"),
    ]
    for comment, bad_dk, bad_c, flag in invalid:
        if not kem_both_refuse_decaps(n, bad_dk, bad_c):
            raise GeneratorError(f"{alg} {comment}: not refused")
        g.add(comment, [flag], "invalid", dk=bad_dk, c=bad_c, k=b"")
    sd = FileBuilder(
        algorithm=alg, type_name="KemSeedDecaps", header=header, notes=NOTES, source=SOURCE
    )
    gs = sd.group([fips203("6.1"), fips203("6.3", "MUST"), fips203("7.3", "MUST")], **params)
    d0, z0 = keys[0][0], keys[0][1]
    seed = d0 + z0
    gs.add("genuine ciphertext", ["Valid"], "valid", seed=seed, c=c, k=k)
    gs.add(
        "last bit of c flipped",
        ["ImplicitRejection"],
        "valid",
        seed=seed,
        c=bit_flip(c, 8 * len(c) - 1),
        k=kem_decaps(n, dk, bit_flip(c, 8 * len(c) - 1)),
    )
    for comment, bad_seed, bad_c in (
        ("seed one byte short", seed[:-1], c),
        ("seed one byte long", seed + b"\x00", c),
        ("c one byte short", seed, c[:-1]),
    ):
        if len(bad_seed) != 64 and not (
            refused(partial(KPY[n].key_derive, bad_seed))
            and refused(partial(MLKEM.construct, param_set=PYCRYPTODOME[n], seed=bad_seed))
        ):
            raise GeneratorError(f"{alg} {comment}: not refused")
        gs.add(comment, ["WrongLength"], "invalid", seed=bad_seed, c=bad_c, k=b"")
    if n == 1024:
        # A round-3 ciphertext under a round-3 key (the layouts agree, so the hash check passes):
        # the shared K-PKE re-encrypts it, and ML-KEM returns round 3's pre-key, not its key.
        d, z_seed = keys[0][0], keys[0][1]
        r3_ek, r3_dk = kyber_r3_keygen(d, z_seed)
        r3_c, r3_k = kyber_r3_encaps(r3_ek, encapsulations[0][2])
        got = kem_decaps(n, r3_dk, r3_c)
        if got == r3_k:
            raise GeneratorError("ML-KEM-1024 gave round-3 Kyber's key")
        g.add(
            f"round-3 Kyber1024 key and ciphertext (round 3 derives {r3_k.hex()})",
            ["NotInterchangeable"],
            "valid",
            dk=r3_dk,
            c=r3_c,
            k=got,
        )
    return [
        write(kg, out / f"{base}_keygen_test.json"),
        write(enc, out / f"{base}_encaps_test.json"),
        write(chk, out / f"{base}_encaps_key_check_test.json"),
        write(dec, out / f"{base}_decaps_test.json"),
        write(sd, out / f"{base}_seed_decaps_test.json"),
    ]


# --- round-3 Kyber1024 -----------------------------------------------------------------------------


def _kyberpy_draws(*values: bytes) -> Callable[[int], bytes]:
    it = iter(values)

    def draw(n: int) -> bytes:
        value = next(it)
        if len(value) != n:
            raise GeneratorError(f"kyber-py asked for {n} bytes, the generator had {len(value)}")
        return value

    return draw


def _with_kyberpy(fn: Callable[[], Any], *values: bytes) -> Any:
    KyberPy1024.random_bytes = _kyberpy_draws(*values)
    try:
        return fn()
    finally:
        KyberPy1024.random_bytes = os.urandom


def kyber_r3_keygen(d: bytes, z: bytes) -> tuple[bytes, bytes]:
    ek, dk = _with_kyberpy(KyberPy1024.keygen, d, z)
    ref_ek, ref_dk = ref.kyber_r3_keygen(ref.ML_KEM_1024, d, z)
    require_equal("Kyber1024-r3 ek (kyber-py vs reference)", ek, ref_ek)
    require_equal("Kyber1024-r3 dk (kyber-py vs reference)", dk, ref_dk)
    return ek, dk


def kyber_r3_encaps(ek: bytes, m: bytes) -> tuple[bytes, bytes]:
    k, c = _with_kyberpy(lambda: KyberPy1024.encaps(ek), m)
    ref_k, ref_c = ref.kyber_r3_encaps(ref.ML_KEM_1024, ek, m)
    require_equal("Kyber1024-r3 c (kyber-py vs reference)", c, ref_c)
    require_equal("Kyber1024-r3 k (kyber-py vs reference)", k, ref_k)
    return c, k


def kyber_r3_decaps(dk: bytes, c: bytes) -> bytes:
    k = KyberPy1024.decaps(dk, c)
    require_equal(
        "Kyber1024-r3 decaps (kyber-py vs reference)",
        k,
        ref.kyber_r3_decaps(ref.ML_KEM_1024, dk, c),
    )
    return bytes(k)


def gen_kyber_r3(out: Path, src: ByteSource) -> list[Path]:
    alg = "KYBER1024-R3"
    header = [
        "Round-3 Kyber1024 (CRYSTALS-Kyber v3.02), libsignal's PQXDH KEM (key type 0x08); every "
        "value reproduced by kyber-py and the suite's reference, and every one differs from "
        "ML-KEM-1024's for the same seeds.",
    ]
    params = {"parameterSet": alg}
    refs = [SpecRefSpec(KYBER_R3, "1.3 Kyber.CCAKEM", "MUST")]
    seeds = [(bytes(32), bytes(32)), (b"\xff" * 32, b"\xff" * 32)] + [
        (src.bytes(32), src.bytes(32)) for _ in range(3)
    ]
    kg = FileBuilder(
        algorithm=alg, type_name="KemKeyGen", header=header, notes=NOTES, source=SOURCE
    )
    enc = FileBuilder(
        algorithm=alg, type_name="KemEncaps", header=header, notes=NOTES, source=SOURCE
    )
    dec = FileBuilder(
        algorithm=alg, type_name="KemDecaps", header=header, notes=NOTES, source=SOURCE
    )
    gk, ge, gd = (f.group(refs, **params) for f in (kg, enc, dec))
    for i, (d, z) in enumerate(seeds):
        ek, dk = kyber_r3_keygen(d, z)
        if ek == kem_keygen(1024, d, z)[0]:
            raise GeneratorError("round-3 Kyber1024 and ML-KEM-1024 gave the same ek")
        gk.add(f"seeds {i}", ["Valid"], "valid", d=d, z=z, ek=ek, dk=dk)
        m = src.bytes(32)
        c, k = kyber_r3_encaps(ek, m)
        if k == kem_encaps(1024, ek, m)[1]:
            raise GeneratorError("round-3 Kyber1024 and ML-KEM-1024 gave the same k")
        ge.add(f"key {i}", ["Valid"], "valid", ek=ek, m=m, c=c, k=k)
        if i == 2:
            require_equal("Kyber1024-r3 genuine decaps", k, kyber_r3_decaps(dk, c))
            gd.add("genuine ciphertext", ["Valid"], "valid", dk=dk, c=c, k=k)
            for comment, bad in (
                ("first bit of c flipped", bit_flip(c, 0)),
                ("last bit of c flipped", bit_flip(c, 8 * len(c) - 1)),
            ):
                got = kyber_r3_decaps(dk, bad)
                expected = hashlib.shake_256(dk[-32:] + hashlib.sha3_256(bad).digest()).digest(32)
                require_equal(f"Kyber1024-r3 {comment}: rejection key", expected, got)
                gd.add(comment, ["ImplicitRejection"], "valid", dk=dk, c=bad, k=got)
            ml_c, ml_k = kem_encaps(1024, ek, m)
            got = kyber_r3_decaps(dk, ml_c)
            if got == ml_k:
                raise GeneratorError("round-3 Kyber1024 gave ML-KEM-1024's key")
            gd.add(
                f"ML-KEM-1024 ciphertext to the same key (ML-KEM derives {ml_k.hex()})",
                ["NotInterchangeable"],
                "valid",
                dk=dk,
                c=ml_c,
                k=got,
            )
    return [
        write(kg, out / "kyber1024_r3_keygen_test.json"),
        write(enc, out / "kyber1024_r3_encaps_test.json"),
        write(dec, out / "kyber1024_r3_decaps_test.json"),
    ]


# --- ML-DSA --------------------------------------------------------------------------------------

DPY = {44: dpy.ML_DSA_44, 65: dpy.ML_DSA_65, 87: dpy.ML_DSA_87}
PYCRYPTODOME_DSA = {44: MLDSA.ML_DSA_44, 65: MLDSA.ML_DSA_65, 87: MLDSA.ML_DSA_87}
#: FIPS 204 Table 1: (k, l, gamma1, beta, omega, lambda).
DSA_PARAMS = {
    44: (4, 4, 1 << 17, 78, 80, 128),
    65: (6, 5, 1 << 19, 196, 55, 192),
    87: (8, 7, 1 << 19, 120, 75, 256),
}


def m_prime(ctx: bytes, msg: bytes) -> bytes:
    """FIPS 204 §5.2 Algorithm 2 line 10: M' = 0 || |ctx| || ctx || M (pure ML-DSA)."""
    return b"\x00" + bytes([len(ctx)]) + ctx + msg


def dsa_keygen(n: int, xi: bytes) -> tuple[bytes, bytes]:
    pk, sk = DPY[n].key_derive(xi)
    key = MLDSA.construct(param_set=PYCRYPTODOME_DSA[n], seed=xi)
    require_equal(f"ML-DSA-{n} pk (dilithium-py vs PyCryptodome)", pk, key.pk)
    require_equal(f"ML-DSA-{n} sk (dilithium-py vs PyCryptodome)", sk, key.sk)
    return pk, sk


def dsa_sign(n: int, sk: bytes, msg: bytes, ctx: bytes, rnd: bytes) -> bytes:
    sig = DPY[n]._sign_internal(sk, m_prime(ctx, msg), rnd)
    key = MLDSA.construct(param_set=PYCRYPTODOME_DSA[n], sk=sk)
    other = key._sign(msg, rnd, prefix=b"\x00" + bytes([len(ctx)]) + ctx)
    require_equal(f"ML-DSA-{n} signature (dilithium-py vs PyCryptodome)", sig, other)
    return bytes(sig)


def dsa_sign_mu(n: int, sk: bytes, mu: bytes, rnd: bytes) -> bytes:
    sig = DPY[n]._sign_internal(sk, mu, rnd, external_mu=True)
    key = MLDSA.construct(param_set=PYCRYPTODOME_DSA[n], sk=sk)
    require_equal(f"ML-DSA-{n} external-mu signature", sig, key._sign(mu, rnd, external_mu=True))
    return bytes(sig)


def dsa_accepts(n: int, pk: bytes, msg: bytes, ctx: bytes, sig: bytes) -> bool:
    def dilithium() -> bool:
        try:
            return bool(DPY[n].verify(pk, msg, sig, ctx=ctx))
        except (ValueError, IndexError, AssertionError):
            return False

    def pycryptodome() -> bool:
        try:
            from Crypto.Signature import mldsa

            key = MLDSA.construct(param_set=PYCRYPTODOME_DSA[n], pk=pk)
            mldsa.new(key, ctx).verify(msg, sig)
        except (ValueError, TypeError):
            return False
        return True

    a, b = dilithium(), pycryptodome()
    if a != b:
        raise GeneratorError(f"ML-DSA-{n}: dilithium-py says {a}, PyCryptodome {b}")
    return a


def hint_offsets(n: int) -> tuple[int, int]:
    _k, l_, gamma1, _beta, omega, lam = DSA_PARAMS[n]
    z_bytes = 32 * (1 + (gamma1 - 1).bit_length())
    start = lam // 4 + l_ * z_bytes
    return start, start + omega


def gen_ml_dsa(out: Path, n: int, src: ByteSource) -> list[Path]:
    alg = f"ML-DSA-{n}"
    base = f"ml_dsa_{n}"
    k, _l, gamma1, beta, omega, lam = DSA_PARAMS[n]
    header = [
        f"{alg} (FIPS 204) known answers; every value reproduced by dilithium-py and PyCryptodome."
    ]
    zero = bytes(32)
    seeds = [zero, b"\xff" * 32, src.bytes(32), src.bytes(32)]
    keys = [(xi, *dsa_keygen(n, xi)) for xi in seeds]

    kg = FileBuilder(
        algorithm=alg, type_name="MlDsaKeyGen", header=header, notes=NOTES, source=SOURCE
    )
    g = kg.group([fips204("6.1", "MUST")], parameterSet=alg)
    for i, (xi, pk, sk) in enumerate(keys):
        g.add(f"seed {i}", ["Valid"], "valid", xi=xi, pk=pk, sk=sk)

    sign = FileBuilder(
        algorithm=alg, type_name="MlDsaSign", header=header, notes=NOTES, source=SOURCE
    )
    xi, pk, sk = keys[2]
    refs = [fips204("5.2", "MUST"), fips204("3.4")]
    by_seed = sign.group(refs, parameterSet=alg, xi=xi, sk=b"", pk=pk)
    by_key = sign.group(refs, parameterSet=alg, xi=b"", sk=sk, pk=pk)
    long_msg = src.bytes(1000)
    rnd = src.bytes(32)
    signatures: list[tuple[bytes, bytes, bytes]] = []
    for grp, rows in (
        (
            by_seed,
            [
                ("empty message, no context", b"", b"", zero, ["Deterministic"]),
                ("short message", b"message", b"", zero, ["Deterministic"]),
                (
                    "1000-byte message, 1-byte context",
                    long_msg,
                    b"\x01",
                    zero,
                    ["Deterministic", "Context"],
                ),
                (
                    "255-byte context",
                    b"message",
                    src.bytes(255),
                    zero,
                    ["Deterministic", "Context"],
                ),
                ("hedged", b"message", b"", rnd, ["Hedged"]),
                ("hedged with a context", b"message", b"ctx", src.bytes(32), ["Hedged", "Context"]),
            ],
        ),
        (
            by_key,
            [
                ("expanded key, deterministic", b"expanded", b"", zero, ["Deterministic"]),
                ("expanded key, hedged", b"expanded", b"c", src.bytes(32), ["Hedged", "Context"]),
            ],
        ),
    ):
        for comment, msg, ctx, r, flags in rows:
            sig = dsa_sign(n, sk, msg, ctx, r)
            if not dsa_accepts(n, pk, msg, ctx, sig):
                raise GeneratorError(f"{alg} {comment}: the signature does not verify")
            signatures.append((msg, ctx, sig))
            grp.add(comment, flags, "valid", msg=msg, ctx=ctx, rnd=r, sig=sig)
    too_long = src.bytes(256)
    if not refused(lambda: DPY[n].sign(sk, b"m", ctx=too_long, deterministic=True)):
        raise GeneratorError(f"{alg}: dilithium-py signs under a 256-byte context")
    by_seed.add(
        "256-byte context", ["ContextTooLong"], "invalid", msg=b"m", ctx=too_long, rnd=zero, sig=b""
    )
    bad_sk = sign.group(refs, parameterSet=alg, xi=b"", sk=sk[:-1], pk=pk)
    if not refused(lambda: DPY[n]._sign_internal(sk[:-1], b"x", zero)) or not refused(
        lambda: MLDSA.construct(param_set=PYCRYPTODOME_DSA[n], sk=sk[:-1])
    ):
        raise GeneratorError(f"{alg}: a short sk is not refused")
    bad_sk.add(
        "sk one byte short",
        ["MalformedPrivateKey"],
        "invalid",
        msg=b"m",
        ctx=b"",
        rnd=zero,
        sig=b"",
    )

    smu = FileBuilder(
        algorithm=alg, type_name="MlDsaSignMu", header=header, notes=NOTES, source=SOURCE
    )
    g = smu.group([fips204("6.2", "MUST"), fips204("5.2")], parameterSet=alg, xi=xi, sk=b"", pk=pk)
    tr = hashlib.shake_256(pk).digest(64)
    for comment, mu, r, flags in (
        (
            "mu of a message, deterministic",
            hashlib.shake_256(tr + m_prime(b"", b"message")).digest(64),
            zero,
            ["Deterministic"],
        ),
        ("arbitrary mu, deterministic", src.bytes(64), zero, ["Deterministic"]),
        ("arbitrary mu, hedged", src.bytes(64), src.bytes(32), ["Hedged"]),
    ):
        g.add(comment, flags, "valid", mu=mu, rnd=r, sig=dsa_sign_mu(n, sk, mu, r))
    require_equal(
        f"{alg} external mu of a message equals the pure signature",
        dsa_sign(n, sk, b"message", b"", zero),
        dsa_sign_mu(n, sk, hashlib.shake_256(tr + m_prime(b"", b"message")).digest(64), zero),
    )

    ver = FileBuilder(
        algorithm=alg, type_name="MlDsaVerify", header=header, notes=NOTES, source=SOURCE
    )
    vrefs = [fips204("5.3", "MUST"), fips204("7.1"), fips204("6.3")]
    g = ver.group(vrefs, parameterSet=alg, pk=pk)
    msg, ctx, sig = signatures[1]
    hmsg, hctx, hsig = signatures[5]
    for comment, m_, c_, s_ in (
        ("deterministic signature", msg, ctx, sig),
        ("hedged signature with a context", hmsg, hctx, hsig),
    ):
        g.add(comment, ["Valid"], "valid", msg=m_, ctx=c_, sig=s_)
    hint_start, counts = hint_offsets(n)
    tilde = lam // 4
    z_bits = (gamma1 - 1).bit_length() + 1

    def with_z0(value: int) -> bytes:
        """The signature with z's first coefficient set (BitPack stores gamma1 - z)."""
        out = bytearray(sig)
        stored = int.from_bytes(out[tilde : tilde + 3], "little")
        stored = (stored & ~((1 << z_bits) - 1)) | (gamma1 - value)
        out[tilde : tilde + 3] = stored.to_bytes(3, "little")
        return bytes(out)

    def hints(mutate: Callable[[bytearray], None]) -> bytes:
        out = bytearray(sig)
        block = bytearray(out[hint_start : counts + k])
        mutate(block)
        out[hint_start : counts + k] = block
        return bytes(out)

    def count_over(block: bytearray) -> None:
        block[omega] = omega + 1

    def decreasing(block: bytearray) -> None:
        block[omega] = min(omega, block[omega + 1] + 1)

    def pad_nonzero(block: bytearray) -> None:
        block[omega - 1] ^= 1

    invalid = [
        ("other context", msg, b"other", sig, "WrongContext"),
        ("context added", msg, b"\x00", sig, "WrongContext"),
        ("256-byte context", msg, bytes(256), sig, "ContextTooLong"),
        ("message bit flipped", bit_flip(msg, 0), ctx, sig, "ModifiedSignature"),
        ("c-tilde bit flipped", msg, ctx, bit_flip(sig, 0), "ModifiedSignature"),
        ("signature one byte short", msg, ctx, sig[:-1], "WrongLength"),
        ("signature one byte long", msg, ctx, sig + b"\x00", "WrongLength"),
        ("empty signature", msg, ctx, b"", "WrongLength"),
        ("hint count above omega", msg, ctx, hints(count_over), "HintOutOfRange"),
        ("hint counts decreasing", msg, ctx, hints(decreasing), "NonCanonicalHint"),
        ("unused hint slot non-zero", msg, ctx, hints(pad_nonzero), "NonCanonicalHint"),
        ("z coefficient gamma1 - beta", msg, ctx, with_z0(gamma1 - beta), "InfinityNormViolation"),
        (
            "z coefficient -(gamma1 - beta)",
            msg,
            ctx,
            with_z0(-(gamma1 - beta)),
            "InfinityNormViolation",
        ),
    ]
    if sig[hint_start + omega - 1 + 0] != 0:
        raise GeneratorError(f"{alg}: the last hint slot is in use; pick another signature")
    for comment, m_, c_, s_, flag in invalid:
        if s_ == sig and m_ == msg and c_ == ctx:
            raise GeneratorError(f"{alg} {comment}: not modified")
        if len(c_) <= 255 and dsa_accepts(n, pk, m_, c_, s_):
            raise GeneratorError(f"{alg} {comment}: accepted")
        g.add(comment, [flag], "invalid", msg=m_, ctx=c_, sig=s_)
    for comment, bad_pk in (
        ("public key bit flipped", bit_flip(pk, 8 * 40)),
        ("public key one byte short", pk[:-1]),
    ):
        if dsa_accepts(n, bad_pk, msg, ctx, sig):
            raise GeneratorError(f"{alg} {comment}: accepted")
        ver.group(vrefs, parameterSet=alg, pk=bad_pk).add(
            comment, ["ModifiedPublicKey"], "invalid", msg=msg, ctx=ctx, sig=sig
        )
    return [
        write(kg, out / f"{base}_keygen_test.json"),
        write(sign, out / f"{base}_sign_test.json"),
        write(smu, out / f"{base}_sign_mu_test.json"),
        write(ver, out / f"{base}_verify_test.json"),
    ]


# --- X-Wing --------------------------------------------------------------------------------------

XWING_LABEL = b"\\.//^\\"

#: draft-connolly-cfrg-xwing-kem-10 Appendix C: (seed, eseed, ss, first 16 bytes of pk, of ct).
XWING_APPENDIX_C = [
    (
        h("7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26"),
        h(
            "3cb1eea988004b93103cfb0aeefd2a686e01fa4a58e8a3639ca8a1e3f9ae57e2"
            "35b8cc873c23dc62b8d260169afa2f75ab916a58d974918835d25e6a435085b2"
        ),
        h("d2df0522128f09dd8e2c92b1e905c793d8f57a54c3da25861f10bf4ca613e384"),
        h("e2236b35a8c24b39b10aa1323a96a919"),
        h("b83aa828d4d62b9a83ceffe1d3d3bb1e"),
    ),
    (
        h("badfd6dfaac359a5efbb7bcc4b59d538df9a04302e10c8bc1cbf1a0b3a5120ea"),
        h(
            "17cda7cfad765f5623474d368ccca8af0007cd9f5e4c849f167a580b14aabdef"
            "aee7eef47cb0fca9767be1fda69419dfb927e9df07348b196691abaeb580b32d"
        ),
        h("f2e86241c64d60f6649fbc6c5b7d17180b780a3f34355e64a85749949c45f150"),
        h("0333285fa253661508c9fb444852caa4"),
        h("c93beb22326705699bbc3d1d0aa6339b"),
    ),
    (
        h("ef58538b8d23f87732ea63b02b4fa0f4873360e2841928cd60dd4cee8cc0d4c9"),
        h(
            "22a96188d032675c8ac850933c7aff1533b94c834adbb69c6115bad4692d8619"
            "f90b0cdf8a7b9c264029ac185b70b83f2801f2f4b3f70c593ea3aeeb613a7f1b"
        ),
        h("953f7f4e8c5b5049bdc771d1dffada0dd961477d1a2ae0988baa7ea6898d893f"),
        h("36244278824f77c621c660892c1c3886"),
        h("0d2e38cbf17a2e2e4e0c87a94ca1e770"),
    ),
]


def _x25519(private: bytes, public: bytes) -> bytes:
    key = X25519PrivateKey.from_private_bytes(private)
    return key.exchange(X25519PublicKey.from_public_bytes(public))


def _x25519_base(private: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def _xwing_expand(seed: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """Draft -10 §5.2 expandDecapsulationKey: SHAKE256(seed, 96) -> ML-KEM-768 (d, z), X25519."""
    expanded = hashlib.shake_256(seed).digest(96)
    ek_m, dk_m = kpy.ML_KEM_768._keygen_internal(expanded[:32], expanded[32:64])
    sk_x = expanded[64:]
    return ek_m, dk_m, sk_x, _x25519_base(sk_x)


def _combiner(ss_m: bytes, ss_x: bytes, ct_x: bytes, pk_x: bytes) -> bytes:
    return hashlib.sha3_256(ss_m + ss_x + ct_x + pk_x + XWING_LABEL).digest()


def xwing_keygen(seed: bytes) -> bytes:
    ek_m, _dk, _sk_x, pk_x = _xwing_expand(seed)
    key = Hybrid.HybridKey(param_set=Hybrid.MLKEM768_X25519, seed=seed)
    require_equal("X-Wing ek (composition vs PyCryptodome)", ek_m + pk_x, bytes(key._pk))
    return ek_m + pk_x


def xwing_encaps(ek: bytes, eseed: bytes) -> tuple[bytes, bytes]:
    ek_m, pk_x = ek[:1184], ek[1184:]
    if len(ek) != 1216:
        raise ValueError("X-Wing ek is 1216 bytes")
    ss_m, ct_m = kpy.ML_KEM_768._encaps_internal(ek_m, eseed[:32])
    ct_x = _x25519_base(eseed[32:])
    ss = _combiner(ss_m, _x25519(eseed[32:], pk_x), ct_x, pk_x)
    ss2, ct2 = xwing_pycryptodome_encaps(ek, eseed)
    require_equal("X-Wing c (composition vs PyCryptodome)", ct_m + ct_x, ct2)
    require_equal("X-Wing k (composition vs PyCryptodome)", ss, ss2)
    return ct_m + ct_x, ss


def xwing_pycryptodome_encaps(ek: bytes, eseed: bytes) -> tuple[bytes, bytes]:
    ss, ct = Hybrid.HybridKey(param_set=Hybrid.MLKEM768_X25519, pk=ek)._encaps(eseed)
    return bytes(ss), bytes(ct)


def xwing_decaps(seed: bytes, c: bytes) -> bytes:
    if len(c) != 1120:
        raise ValueError("X-Wing ciphertext is 1120 bytes")
    _ek_m, dk_m, sk_x, pk_x = _xwing_expand(seed)
    ss_m = kpy.ML_KEM_768.decaps(dk_m, c[:1088])
    ss = _combiner(ss_m, _x25519(sk_x, c[1088:]), c[1088:], pk_x)
    other = Hybrid.HybridKey(param_set=Hybrid.MLKEM768_X25519, seed=seed)._decaps(c)
    require_equal("X-Wing decaps (composition vs PyCryptodome)", ss, bytes(other))
    return ss


def gen_x_wing(out: Path, src: ByteSource) -> list[Path]:
    alg = "X-WING"
    header = [
        "X-Wing (draft-connolly-cfrg-xwing-kem-10): ML-KEM-768 and X25519 combined with SHA3-256. "
        "Every value reproduced by PyCryptodome and by a composition of kyber-py's ML-KEM-768 "
        "with pyca/cryptography's X25519; the draft's Appendix C vectors included.",
    ]
    refs = [SpecRefSpec(XWING, "5.2"), SpecRefSpec(XWING, "5.3"), SpecRefSpec(XWING, "5.4")]
    kg = FileBuilder(
        algorithm=alg, type_name="XWingKeyGen", header=header, notes=NOTES, source=SOURCE
    )
    enc = FileBuilder(
        algorithm=alg, type_name="XWingEncaps", header=header, notes=NOTES, source=SOURCE
    )
    dec = FileBuilder(
        algorithm=alg, type_name="XWingDecaps", header=header, notes=NOTES, source=SOURCE
    )
    gk, ge, gd = (f.group(refs) for f in (kg, enc, dec))
    rows = [(s, e, ss, pk16, ct16, True) for s, e, ss, pk16, ct16 in XWING_APPENDIX_C]
    rows += [(src.bytes(32), src.bytes(64), b"", b"", b"", False) for _ in range(3)]
    for i, (seed, eseed, ss, pk16, ct16, published) in enumerate(rows):
        ek = xwing_keygen(seed)
        c, k = xwing_encaps(ek, eseed)
        flags = ["PublishedVector"] if published else ["Valid"]
        if published:
            require_equal(f"Appendix C vector {i + 1} pk head", pk16, ek[:16])
            require_equal(f"Appendix C vector {i + 1} ct head", ct16, c[:16])
            require_equal(f"Appendix C vector {i + 1} ss", ss, k)
        gk.add(f"vector {i + 1}", flags, "valid", seed=seed, ek=ek)
        ge.add(f"vector {i + 1}", flags, "valid", ek=ek, eseed=eseed, c=c, k=k)
        require_equal("X-Wing decaps", k, xwing_decaps(seed, c))
        gd.add(f"vector {i + 1}", flags, "valid", seed=seed, c=c, k=k)
        if i == 3:
            for comment, bad in (
                ("ML-KEM ciphertext bit flipped", bit_flip(c, 0)),
                ("X25519 ciphertext bit flipped", bit_flip(c, 8 * 1090)),
            ):
                got = xwing_decaps(seed, bad)
                if got == k:
                    raise GeneratorError(f"X-Wing {comment}: same key")
                gd.add(comment, ["ImplicitRejection"], "valid", seed=seed, c=bad, k=got)
            for comment, bad in (
                ("ciphertext one byte short", c[:-1]),
                ("ciphertext one byte long", c + b"\x00"),
            ):
                theirs = Hybrid.HybridKey(param_set=Hybrid.MLKEM768_X25519, seed=seed)
                if not refused(partial(xwing_decaps, seed, bad)) or not refused(
                    partial(theirs._decaps, bad)
                ):
                    raise GeneratorError(f"X-Wing {comment}: not refused")
                gd.add(comment, ["WrongLength"], "invalid", seed=seed, c=bad, k=b"")
    # Acceptable: a low-order X25519 share. The ML-KEM half is computed by kyber-py and
    # PyCryptodome (kem_encaps / kem_decaps), X25519 of a low-order point is 32 zero bytes
    # (RFC 7748 §6.1; the pure-Python ladder here, as pyca refuses it).
    seed, eseed = rows[3][0], rows[3][1]
    ek = xwing_keygen(seed)
    low_ek = ek[:1184] + bytes(32)
    c_m, k_m = kem_encaps(768, ek[:1184], eseed[:32])
    ct_x = _x25519_base(eseed[32:])
    zero = curve25519.x25519(eseed[32:], bytes(32))
    require_equal("X25519 of the zero point", bytes(32), zero)
    if not refused(partial(xwing_pycryptodome_encaps, low_ek, eseed)):
        OBSERVATIONS.append("PyCryptodome's X-Wing accepts a low-order X25519 key")
    ge.add(
        "X25519 key is the zero point",
        ["LowOrderX25519"],
        "acceptable",
        ek=low_ek,
        eseed=eseed,
        c=c_m + ct_x,
        k=_combiner(k_m, zero, ct_x, bytes(32)),
    )
    _ek_m, dk_m, sk_x, pk_x = _xwing_expand(seed)
    c, _k = xwing_encaps(ek, eseed)
    low_c = c[:1088] + bytes(32)
    ss_m = kem_decaps(768, dk_m, c[:1088])
    zero = curve25519.x25519(sk_x, bytes(32))
    require_equal("X25519 of the zero point", bytes(32), zero)
    gd.add(
        "X25519 ciphertext is the zero point",
        ["LowOrderX25519"],
        "acceptable",
        seed=seed,
        c=low_c,
        k=_combiner(ss_m, zero, bytes(32), pk_x),
    )
    return [
        write(kg, out / "x_wing_keygen_test.json"),
        write(enc, out / "x_wing_encaps_test.json"),
        write(dec, out / "x_wing_decaps_test.json"),
    ]


def generate(out: Path) -> list[Path]:
    src = ByteSource(SEED_LABEL)
    paths: list[Path] = []
    for n in (512, 768, 1024):
        paths += gen_ml_kem(out, n, src)
    paths += gen_kyber_r3(out, src)
    for n in (44, 65, 87):
        paths += gen_ml_dsa(out, n, src)
    paths += gen_x_wing(out, src)
    check(paths)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    description = __doc__.splitlines()[0] if __doc__ else None
    return run_generator("pq.py", description, "pq", generate, OBSERVATIONS, argv)


if __name__ == "__main__":
    sys.exit(main())
