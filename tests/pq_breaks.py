"""Broken variants of the post-quantum check kinds (rows of the table in
tests/test_kat_kinds_catch_broken.py).

The KEM variants are the suite's reference ML-KEM with one behaviour changed; the ML-DSA and
X-Wing variants wrap the bundled PyCryptodome adapter's real objects."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from helpers import MockFlippedOutput, real
from katbreak import Caps, KatBreak

from conformance.capabilities.pq import KemEncapsulated, KemKeyPair, MlDsaKeyPair
from conformance.errors import InvalidMessage
from conformance.reference import mlkem
from conformance.reference.mlkem import Kyber1024Round3Reference, MlKemReference

__all__ = ["PQ_BREAKS"]


class MockMlKemNoModulusCheck(MlKemReference):
    """Encapsulates to any ek of the right length: the FIPS 203 §7.2 modulus check is skipped
    (the coefficients are reduced mod q instead of refused)."""

    def ml_kem_encaps(self, ek: bytes, m: bytes) -> KemEncapsulated:
        try:
            return super().ml_kem_encaps(ek, m)
        except mlkem.ModulusCheckFailed:
            return {"c": bytes(self.params.ciphertext_length), "k": bytes(32)}


class MockMlKemNoHashCheck(MlKemReference):
    """Decapsulates with a dk whose stored H(ek) is wrong: the §7.3 hash check is skipped."""

    def ml_kem_decaps(self, dk: bytes, c: bytes) -> bytes:
        try:
            return super().ml_kem_decaps(dk, c)
        except mlkem.HashCheckFailed:
            return hashlib.shake_256(dk[-32:] + c).digest(32)


class MockMlKemRejectionRaises(MlKemReference):
    """Reports a ciphertext that does not re-encrypt as an error instead of returning the
    implicit-rejection key J(z || c) (FIPS 203 §6.3: the error must not be observable)."""

    def ml_kem_decaps(self, dk: bytes, c: bytes) -> bytes:
        k = super().ml_kem_decaps(dk, c)
        if k == hashlib.shake_256(dk[-32:] + c).digest(32):
            raise InvalidMessage("decryption failure")
        return k


class MockMlKemIsRound3(MlKemReference):
    """Runs round-3 Kyber under the ML-KEM name (the two are not interchangeable)."""

    def ml_kem_keygen(self, d: bytes, z: bytes) -> KemKeyPair:
        pair = mlkem.kyber_r3_keygen(self.params, d, z)
        return {"ek": pair.ek, "dk": pair.dk}

    def ml_kem_encaps(self, ek: bytes, m: bytes) -> KemEncapsulated:
        out = mlkem.kyber_r3_encaps(self.params, ek, m)
        return {"c": out.c, "k": out.k}


class MockMlKemLongSeed(MlKemReference):
    """Takes the first 32 bytes of a z that is longer, so a 65-byte seed d || z is accepted."""

    def ml_kem_keygen(self, d: bytes, z: bytes) -> KemKeyPair:
        return super().ml_kem_keygen(d, z[:32])


class MockKyberIsMlKem(Kyber1024Round3Reference):
    """Runs ML-KEM-1024 under the round-3 Kyber1024 name: the mix-up libsignal's key type byte
    (0x08 round 3, 0x0A ML-KEM-1024) exists to prevent."""

    def kyber_decaps(self, dk: bytes, c: bytes) -> bytes:
        return mlkem.decaps(mlkem.ML_KEM_1024, dk, c)


class MockMlDsaKeygenWrongSk:
    """ML-DSA whose key generation returns a private key with its last byte changed."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def ml_dsa_keygen(self, xi: bytes) -> MlDsaKeyPair:
        pair = self._inner.ml_dsa_keygen(xi)
        return {"pk": pair["pk"], "sk": pair["sk"][:-1] + bytes([pair["sk"][-1] ^ 1])}


class MockMlDsaIgnoresContext:
    """ML-DSA that signs and verifies as if the context string were empty (FIPS 204 §5.2
    Algorithm 2 line 10 prefixes it to the message)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def ml_dsa_sign(self, sk: bytes, message: bytes, context: bytes, rnd: bytes) -> bytes:
        return bytes(self._inner.ml_dsa_sign(sk, message, b"", rnd))

    def ml_dsa_verify(self, pk: bytes, message: bytes, context: bytes, signature: bytes) -> None:
        self._inner.ml_dsa_verify(pk, message, b"", signature)


class MockMlDsaMuIgnoresRnd:
    """External-mu signing that always signs deterministically (rnd dropped, §3.4)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def ml_dsa_sign_mu(self, sk: bytes, mu: bytes, rnd: bytes) -> bytes:
        return bytes(self._inner.ml_dsa_sign_mu(sk, mu, bytes(32)))


class MockXWingSwappedEseed:
    """X-Wing encapsulation that takes the X25519 scalar first and ML-KEM's m second (draft
    -10 §5.3 has eseed = m || ek_X)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def x_wing_encaps(self, ek: bytes, eseed: bytes) -> KemEncapsulated:
        out: KemEncapsulated = self._inner.x_wing_encaps(ek, eseed[32:] + eseed[:32])
        return out


class MockFlippedPart:
    """Wraps a real object; ``method`` returns its named ``part`` with its first bit flipped."""

    def __init__(self, inner: Any, method: str, part: str) -> None:
        self._inner, self._method, self._part = inner, method, part

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name != self._method:
            return attr

        def wrapped(*args: Any) -> Any:
            out = dict(attr(*args))
            value = bytes(out[self._part])
            out[self._part] = bytes([value[0] ^ 1]) + value[1:]
            return out

        return wrapped


def _kem(cls: type[MlKemReference], n: int = 768) -> Callable[[], Caps]:
    params = mlkem.PARAMETER_SETS[f"ML-KEM-{n}"]
    return lambda: {f"ml-kem-{n}": cls(params), f"ml-kem-{n}:fixed-randomness": object()}


def _r3(cls: type[Kyber1024Round3Reference]) -> Callable[[], Caps]:
    return lambda: {"kyber1024-r3": cls(), "kyber1024-r3:fixed-randomness": object()}


def _pycryptodome(
    *capabilities: str, wrap: Callable[[Any], Any] | None = None
) -> Callable[[], Caps]:
    def caps() -> Caps:
        out: Caps = {c: real(c, "pycryptodome") for c in capabilities}
        if wrap is not None:
            out[capabilities[0]] = wrap(out[capabilities[0]])
        return out

    return caps


DSA = ("ml-dsa-44", "ml-dsa-44:fixed-randomness", "ml-dsa-44:external-mu")
XW = ("x-wing", "x-wing:fixed-randomness")

PQ_BREAKS: list[KatBreak] = [
    KatBreak(
        "KemKeyGen",
        "pq/ml_kem_768_keygen_test.json",
        _kem(MlKemReference),
        _kem(MockMlKemIsRound3),
        "seeds 0",
        "MockMlKemIsRound3",
    ),
    KatBreak(
        "KemEncaps",
        "pq/ml_kem_768_encaps_test.json",
        _kem(MlKemReference),
        _kem(MockMlKemIsRound3),
        "Valid",
        "MockMlKemIsRound3",
    ),
    KatBreak(
        "KemEncapsKeyCheck",
        "pq/ml_kem_768_encaps_key_check_test.json",
        _kem(MlKemReference),
        _kem(MockMlKemNoModulusCheck),
        "ModulusCheck",
        "MockMlKemNoModulusCheck",
    ),
    KatBreak(
        "KemDecaps",
        "pq/ml_kem_512_decaps_test.json",
        _kem(MlKemReference, 512),
        _kem(MockMlKemNoHashCheck, 512),
        "DecapsKeyHash",
        "MockMlKemNoHashCheck",
    ),
    KatBreak(
        "KemDecaps",
        "pq/ml_kem_512_decaps_test.json",
        _kem(MlKemReference, 512),
        _kem(MockMlKemRejectionRaises, 512),
        "ImplicitRejection",
        "MockMlKemRejectionRaises",
    ),
    KatBreak(
        "KemDecaps",
        "pq/kyber1024_r3_decaps_test.json",
        _r3(Kyber1024Round3Reference),
        _r3(MockKyberIsMlKem),
        "NotInterchangeable",
        "MockKyberIsMlKem",
    ),
    KatBreak(
        "KemSeedDecaps",
        "pq/ml_kem_768_seed_decaps_test.json",
        _kem(MlKemReference),
        _kem(MockMlKemLongSeed),
        "seed one byte long",
        "MockMlKemLongSeed",
    ),
    KatBreak(
        "MlDsaKeyGen",
        "pq/ml_dsa_44_keygen_test.json",
        _pycryptodome(*DSA),
        _pycryptodome(*DSA, wrap=MockMlDsaKeygenWrongSk),
        "Valid",
        "MockMlDsaKeygenWrongSk",
    ),
    KatBreak(
        "MlDsaSign",
        "pq/ml_dsa_44_sign_test.json",
        _pycryptodome(*DSA),
        _pycryptodome(*DSA, wrap=MockMlDsaIgnoresContext),
        "Context",
        "MockMlDsaIgnoresContext",
    ),
    KatBreak(
        "MlDsaSignMu",
        "pq/ml_dsa_44_sign_mu_test.json",
        _pycryptodome(*DSA),
        _pycryptodome(*DSA, wrap=MockMlDsaMuIgnoresRnd),
        "Hedged",
        "MockMlDsaMuIgnoresRnd",
    ),
    KatBreak(
        "MlDsaVerify",
        "pq/ml_dsa_44_verify_test.json",
        _pycryptodome(*DSA),
        _pycryptodome(*DSA, wrap=MockMlDsaIgnoresContext),
        "WrongContext",
        "MockMlDsaIgnoresContext",
    ),
    KatBreak(
        "XWingKeyGen",
        "pq/x_wing_keygen_test.json",
        _pycryptodome(*XW),
        _pycryptodome(*XW, wrap=lambda r: MockFlippedPart(r, "x_wing_keygen", "ek")),
        "PublishedVector",
        "MockFlippedPart(x_wing_keygen, ek)",
    ),
    KatBreak(
        "XWingEncaps",
        "pq/x_wing_encaps_test.json",
        _pycryptodome(*XW),
        _pycryptodome(*XW, wrap=MockXWingSwappedEseed),
        "PublishedVector",
        "MockXWingSwappedEseed",
    ),
    KatBreak(
        "XWingDecaps",
        "pq/x_wing_decaps_test.json",
        _pycryptodome(*XW),
        _pycryptodome(*XW, wrap=lambda r: MockFlippedOutput(r, "x_wing_decaps")),
        "ImplicitRejection",
        "MockFlippedOutput(x_wing_decaps)",
    ),
]
