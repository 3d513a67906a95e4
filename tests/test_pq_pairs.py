"""The pq family's pair scenarios (conformance/interop/pq.py): healthy implementations pass with
each other, each broken variant is caught, and the grid of three implementations charges the
broken one.

The healthy implementations are in process: the bundled PyCryptodome adapter's ML-KEM, ML-DSA
and X-Wing objects, the suite's reference ML-KEM and round-3 Kyber1024, and two test fixtures
(``Fixture*``: kyber-py's round-3 Kyber1024, and an X-Wing assembled from kyber-py's ML-KEM-768
and pyca's X25519 after the draft's §5). ``Mock*`` classes wrap a healthy one and change one
behaviour. ML-DSA has one fast in-process library (the pure-Python dilithium-py runs out of
process and takes a tenth of a second a signature), so its two healthy parties are PyCryptodome
under two names.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import pytest
from Crypto.PublicKey import MLKEM
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from helpers import adapter_from, real
from kyber_py.kyber import Kyber1024
from kyber_py.ml_kem import ML_KEM_768

from conformance.adapter import LoadedAdapter
from conformance.attribution import attribute
from conformance.capabilities.pq import KemEncapsulated, KemKeyPair, MlDsaKeyPair
from conformance.errors import InvalidKey, InvalidMessage
from conformance.interop import PairScenario, PairTask, run_pair, scenarios
from conformance.interop.pq import KEMS
from conformance.reference.mlkem import PARAMETER_SETS, Kyber1024Round3Reference, MlKemReference
from conformance.results import CheckResult

SEED = 20261205

KEM_CAPS = {kem.capability: kem for kem in KEMS}
ML_KEM_SETS = {512: MLKEM.ML_KEM_512, 768: MLKEM.ML_KEM_768, 1024: MLKEM.ML_KEM_1024}
XWING_LABEL = bytes.fromhex("5c2e2f2f5e5c")


# --- healthy fixtures ----------------------------------------------------------------------------


@contextmanager
def _kyber_r3_draws(*values: bytes) -> Iterator[None]:
    """kyber-py's Kyber1024 is a module singleton drawing from ``random_bytes``: feed it the
    given values in order, and put os.urandom back afterwards."""
    it = iter(values)
    Kyber1024.random_bytes = lambda n: next(it)
    try:
        yield
    finally:
        Kyber1024.random_bytes = os.urandom


class FixtureKyberPyRound3:
    """Test fixture: round-3 Kyber1024 over kyber-py (kyber_py.kyber), seeds injected through
    its ``random_bytes`` (keygen draws d then z, encapsulation m)."""

    def kyber_keygen(self, d: bytes, z: bytes) -> KemKeyPair:
        with _kyber_r3_draws(d, z):
            ek, dk = Kyber1024.keygen()
        return {"ek": ek, "dk": dk}

    def kyber_encaps(self, ek: bytes, m: bytes) -> KemEncapsulated:
        with _kyber_r3_draws(m):
            k, c = Kyber1024.encaps(ek)
        return {"c": c, "k": k}

    def kyber_decaps(self, dk: bytes, c: bytes) -> bytes:
        try:
            return bytes(Kyber1024.decaps(dk, c))
        except ValueError as exc:
            raise InvalidMessage(str(exc)) from None


class FixtureAssembledXWing:
    """Test fixture: X-Wing as draft-connolly-cfrg-xwing-kem-10 §5 writes it, over kyber-py's
    ML-KEM-768 and pyca's X25519."""

    @staticmethod
    def _expand(seed: bytes) -> tuple[bytes, bytes, X25519PrivateKey, bytes]:
        expanded = hashlib.shake_256(seed).digest(96)
        ek_m, dk_m = ML_KEM_768.key_derive(expanded[:64])
        sk_x = X25519PrivateKey.from_private_bytes(expanded[64:])
        return ek_m, dk_m, sk_x, sk_x.public_key().public_bytes_raw()

    @staticmethod
    def _combine(ss_m: bytes, ss_x: bytes, ct_x: bytes, pk_x: bytes) -> bytes:
        return hashlib.sha3_256(ss_m + ss_x + ct_x + pk_x + XWING_LABEL).digest()

    def x_wing_keygen(self, seed: bytes) -> KemKeyPair:
        ek_m, _, _, pk_x = self._expand(seed)
        return {"ek": ek_m + pk_x, "dk": seed}

    def x_wing_encaps(self, ek: bytes, eseed: bytes) -> KemEncapsulated:
        pk_m, pk_x = ek[:1184], ek[1184:]
        ek_x = X25519PrivateKey.from_private_bytes(eseed[32:64])
        ct_x = ek_x.public_key().public_bytes_raw()
        try:
            ss_x = ek_x.exchange(X25519PublicKey.from_public_bytes(pk_x))
            ss_m, ct_m = ML_KEM_768._encaps_internal(pk_m, eseed[:32])
        except ValueError as exc:
            raise InvalidKey(str(exc)) from None
        return {"c": ct_m + ct_x, "k": self._combine(ss_m, ss_x, ct_x, pk_x)}

    def x_wing_decaps(self, dk: bytes, c: bytes) -> bytes:
        if len(c) != 1120:
            raise InvalidMessage(f"an X-Wing ciphertext is 1120 bytes, not {len(c)}")
        _, dk_m, sk_x, pk_x = self._expand(dk)
        ss_m = ML_KEM_768.decaps(dk_m, c[:1088])
        ss_x = sk_x.exchange(X25519PublicKey.from_public_bytes(c[1088:]))
        return self._combine(ss_m, ss_x, c[1088:], pk_x)


class MockIgnoresRandomness:
    """Wraps a healthy implementation: encapsulation and signing use values of their own
    (derived from the injected ones, so a run repeats) instead of the injected m, eseed or rnd,
    as a library that draws its own randomness does."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @staticmethod
    def _other(value: bytes) -> bytes:
        return hashlib.shake_256(b"not the injected value" + value).digest(len(value))

    def ml_kem_encaps(self, ek: bytes, m: bytes) -> Any:
        return self._inner.ml_kem_encaps(ek, self._other(m))

    def x_wing_encaps(self, ek: bytes, eseed: bytes) -> Any:
        return self._inner.x_wing_encaps(ek, self._other(eseed))

    def ml_dsa_sign(self, sk: bytes, message: bytes, context: bytes, rnd: bytes) -> Any:
        return self._inner.ml_dsa_sign(sk, message, context, self._other(rnd))


def _healthy(capability: str, which: int) -> object:
    """The first (0) or second (1) healthy implementation of a capability; 2: the first one
    ignoring injected randomness (round-3 Kyber: kyber-py, which takes it)."""
    family, _, size = capability.rpartition("-")
    if capability == "kyber1024-r3":
        return Kyber1024Round3Reference() if which == 0 else FixtureKyberPyRound3()
    bundled = real(capability, "pycryptodome")
    if which == 2:
        return MockIgnoresRandomness(bundled)
    if which == 1 and capability == "x-wing":
        return FixtureAssembledXWing()
    if which == 1 and family == "ml-kem":
        return MlKemReference(PARAMETER_SETS[f"ML-KEM-{size}"])
    return bundled  # ML-DSA: one fast library here, under two names


# --- broken variants -----------------------------------------------------------------------------


def _flip_first(data: bytes) -> bytes:
    return bytes([data[0] ^ 1]) + data[1:]


class _Wrapper:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class MockKemKeygenMisreadsSeed(_Wrapper):
    """Key generation with a bit of its first seed flipped (d, or X-Wing's seed): its keys are
    not the ones the seeds give (FIPS 203 §6.1, X-Wing §5.2.1), though they work."""

    def __init__(self, inner: Any, capability: str) -> None:
        super().__init__(inner)
        self._keygen = KEM_CAPS[capability].keygen
        setattr(self, self._keygen, self._misread)

    def _misread(self, first: bytes, *rest: bytes) -> KemKeyPair:
        keys: KemKeyPair = getattr(self._inner, self._keygen)(_flip_first(first), *rest)
        return keys


class MockKemDecapsWrongKey(_Wrapper):
    """Decapsulation returns the key with its first bit flipped, genuine or not."""

    def __init__(self, inner: Any, capability: str) -> None:
        super().__init__(inner)
        self._decaps = KEM_CAPS[capability].decaps
        setattr(self, self._decaps, self._wrong)

    def _wrong(self, dk: bytes, c: bytes) -> bytes:
        return _flip_first(getattr(self._inner, self._decaps)(dk, c))


def _rejected(capability: str, dk: bytes, c: bytes) -> bool:
    """Whether ``c`` does not re-encrypt under ``dk`` (the fixture's own ML-KEM decapsulation,
    compared with the implicit-rejection key)."""
    if capability == "x-wing":
        expanded = hashlib.shake_256(dk).digest(96)
        key = MLKEM.construct(param_set=MLKEM.ML_KEM_768, seed=expanded[:64])
        return bool(
            key._decaps(c[:1088]) == hashlib.shake_256(expanded[32:64] + c[:1088]).digest(32)
        )
    if capability == "kyber1024-r3":
        k = Kyber1024.decaps(dk, c)
        return bool(k == hashlib.shake_256(dk[-32:] + hashlib.sha3_256(c).digest()).digest(32))
    n = int(capability.rpartition("-")[2])
    key = MLKEM.construct(param_set=ML_KEM_SETS[n], expanded_dk=dk)
    return bool(key._decaps(c) == hashlib.shake_256(dk[-32:] + c).digest(32))


class MockKemRejectionRaises(_Wrapper):
    """Refuses a ciphertext that does not re-encrypt with InvalidMessage (explicit rejection)
    instead of returning the implicit-rejection key (FIPS 203 §6.3)."""

    def __init__(self, inner: Any, capability: str) -> None:
        super().__init__(inner)
        self._capability = capability
        self._decaps = KEM_CAPS[capability].decaps
        setattr(self, self._decaps, self._explicit)

    def _explicit(self, dk: bytes, c: bytes) -> bytes:
        if _rejected(self._capability, dk, c):
            raise InvalidMessage("decryption failure")
        key: bytes = getattr(self._inner, self._decaps)(dk, c)
        return key


class MockKemCiphertextTooLong(_Wrapper):
    """Encapsulation appends a zero byte to its ciphertext."""

    def __init__(self, inner: Any, capability: str) -> None:
        super().__init__(inner)
        self._encaps = KEM_CAPS[capability].encaps
        setattr(self, self._encaps, self._long)

    def _long(self, ek: bytes, m: bytes) -> KemEncapsulated:
        out: KemEncapsulated = getattr(self._inner, self._encaps)(ek, m)
        return {"c": out["c"] + b"\x00", "k": out["k"]}


class MockMlDsaKeygenMisreadsXi(_Wrapper):
    """Key generation from xi with its first bit flipped (FIPS 204 §6.1)."""

    def __init__(self, inner: Any, capability: str) -> None:
        super().__init__(inner)

    def ml_dsa_keygen(self, xi: bytes) -> MlDsaKeyPair:
        keys: MlDsaKeyPair = self._inner.ml_dsa_keygen(_flip_first(xi))
        return keys


class MockMlDsaVerifyAcceptsAll(_Wrapper):
    """Verification accepts every signature."""

    def __init__(self, inner: Any, capability: str) -> None:
        super().__init__(inner)

    def ml_dsa_verify(self, pk: bytes, message: bytes, context: bytes, signature: bytes) -> None:
        return None


class MockMlDsaDropsContext(_Wrapper):
    """Signs and verifies with the empty context whatever context it is given: consistent with
    itself, with nobody else (FIPS 204 §5.2: M' = 0 || |ctx| || ctx || M)."""

    def __init__(self, inner: Any, capability: str) -> None:
        super().__init__(inner)

    def ml_dsa_sign(self, sk: bytes, message: bytes, context: bytes, rnd: bytes) -> bytes:
        signature: bytes = self._inner.ml_dsa_sign(sk, message, b"", rnd)
        return signature

    def ml_dsa_verify(self, pk: bytes, message: bytes, context: bytes, signature: bytes) -> None:
        self._inner.ml_dsa_verify(pk, message, b"", signature)


class MockMlDsaSignatureTooLong(_Wrapper):
    """Signing appends a zero byte to the signature."""

    def __init__(self, inner: Any, capability: str) -> None:
        super().__init__(inner)

    def ml_dsa_sign(self, sk: bytes, message: bytes, context: bytes, rnd: bytes) -> bytes:
        signature: bytes = self._inner.ml_dsa_sign(sk, message, context, rnd)
        return signature + b"\x00"


# --- the table -----------------------------------------------------------------------------------

Placement = Literal["first", "second", "both"]
Party = Literal["sender", "receiver", "both"]


@dataclass(frozen=True)
class PqBreak:
    """One broken variant of one pq pair scenario."""

    check: str
    variant: Callable[[Any, str], object]
    #: Where it plays in the two-party run: A (first), B (second), or both.
    placement: Placement
    #: Text the failure's detail must contain.
    detail: str
    #: The fault as the pair alone records it ("undetermined": the grid decides).
    pair_party: str

    @property
    def capability(self) -> str:
        return _scenario(self.check).capability

    @property
    def name(self) -> str:
        return getattr(self.variant, "__name__", repr(self.variant))


ML_KEMS = ("ml-kem-512", "ml-kem-768", "ml-kem-1024")
KEM_NAMES = (*ML_KEMS, "x-wing", "kyber1024-r3")
ML_DSAS = ("ml-dsa-44", "ml-dsa-65", "ml-dsa-87")


def _kem_rows(cap: str) -> list[PqBreak]:
    rows = [
        PqBreak(
            f"pair/pq/{cap}-keygen",
            MockKemKeygenMisreadsSeed,
            "second",
            "expand the same seeds to different",
            "undetermined",
        ),
        PqBreak(
            f"pair/pq/{cap}-encaps-decaps",
            MockKemDecapsWrongKey,
            "second",
            "B decapsulated A's",
            "undetermined",
        ),
        PqBreak(
            f"pair/pq/{cap}-encaps-decaps",
            MockKemCiphertextTooLong,
            "first",
            "ciphertext is",
            "sender",
        ),
        PqBreak(
            f"pair/pq/{cap}-implicit-rejection",
            MockKemRejectionRaises,
            "second",
            "never an error",
            "receiver",
        ),
    ]
    if cap != "x-wing":
        rows.append(
            PqBreak(
                f"pair/pq/{cap}-implicit-rejection",
                MockKemDecapsWrongKey,
                "second",
                "the implicit-rejection key from the z of B's decapsulation key is",
                "receiver",
            )
        )
    else:
        rows.append(
            PqBreak(
                f"pair/pq/{cap}-implicit-rejection",
                MockKemDecapsWrongKey,
                "second",
                "while A, under B's decapsulation key, got",
                "undetermined",
            )
        )
    return rows


def _dsa_rows(cap: str) -> list[PqBreak]:
    return [
        PqBreak(
            f"pair/pq/{cap}-keygen",
            MockMlDsaKeygenMisreadsXi,
            "first",
            "expand the same xi to different",
            "undetermined",
        ),
        PqBreak(
            f"pair/pq/{cap}-sign-verify",
            MockMlDsaDropsContext,
            "first",
            "B verifies A's",
            "undetermined",
        ),
        PqBreak(
            f"pair/pq/{cap}-sign-verify",
            MockMlDsaSignatureTooLong,
            "first",
            "signature is",
            "sender",
        ),
        PqBreak(
            f"pair/pq/{cap}-wrong-context",
            MockMlDsaVerifyAcceptsAll,
            "second",
            "accepted it",
            "receiver",
        ),
        PqBreak(
            f"pair/pq/{cap}-wrong-context",
            MockMlDsaDropsContext,
            "both",
            "accepted it",
            "receiver",
        ),
        PqBreak(
            f"pair/pq/{cap}-tampered-message",
            MockMlDsaVerifyAcceptsAll,
            "second",
            "accepted it",
            "receiver",
        ),
    ]


PQ_BREAKS: list[PqBreak] = [
    *(row for cap in KEM_NAMES for row in _kem_rows(cap)),
    *(row for cap in ML_DSAS for row in _dsa_rows(cap)),
]


def _scenario(check: str) -> PairScenario:
    (found,) = [s for s in scenarios() if s.check == check]
    return found


def _adapter(name: str, capability: str, impl: object) -> LoadedAdapter:
    return adapter_from(name, {capability: impl})


def _param(b: PqBreak) -> object:
    return pytest.param(b, id=f"{b.check}-{b.name}-{b.placement}")


def _play(check: str, first: LoadedAdapter, second: LoadedAdapter) -> CheckResult:
    return run_pair(PairTask(_scenario(check), first, second), SEED)


# --- tests ---------------------------------------------------------------------------------------

PQ_CHECKS = sorted(s.check for s in scenarios() if s.family == "pq")


def test_every_capability_has_its_scenarios_and_the_smoke_tier_one_per_kind() -> None:
    caps = {_scenario(c).capability for c in PQ_CHECKS}
    assert caps == {*KEM_NAMES, *ML_DSAS}
    assert all(_scenario(c).kind == "pair" for c in PQ_CHECKS)
    smoke = sorted(c for c in PQ_CHECKS if _scenario(c).smoke)
    assert smoke == [
        "pair/pq/ml-dsa-65-sign-verify",
        "pair/pq/ml-kem-768-encaps-decaps",
        "pair/pq/x-wing-encaps-decaps",
    ]
    for c in PQ_CHECKS:
        assert any(
            ref.document.startswith(
                ("FIPS 20", "draft-connolly-cfrg-xwing-kem-10", "CRYSTALS-Kyber")
            )
            for ref in _scenario(c).spec
        ), c


def test_every_pq_scenario_has_a_broken_variant() -> None:
    assert {b.check for b in PQ_BREAKS} == set(PQ_CHECKS)


@pytest.mark.parametrize("check", PQ_CHECKS)
def test_healthy_implementations_pass_with_each_other(check: str) -> None:
    """Two libraries (or, for ML-DSA and round-3 Kyber, one under two names) and one that
    ignores injected randomness: every ordered pair passes, self-pairs included."""
    cap = _scenario(check).capability
    parties = [_adapter(f"healthy-{i}", cap, _healthy(cap, i)) for i in range(3)]
    for a in parties:
        for b in parties:
            r = _play(check, a, b)
            assert r.outcome == "pass", (check, a.name, b.name, r.detail)


@pytest.mark.parametrize("b", [_param(b) for b in PQ_BREAKS])
def test_the_broken_variant_is_caught_and_charged(b: PqBreak) -> None:
    cap = b.capability
    healthy = _adapter("healthy", cap, _healthy(cap, 0))
    broken = _adapter("broken", cap, b.variant(_healthy(cap, 0), cap))
    first = broken if b.placement != "second" else healthy
    second = broken if b.placement != "first" else healthy
    r = _play(b.check, first, second)
    assert r.outcome == "fail", (b.check, r.outcome, r.detail)
    assert b.detail in (r.detail or ""), r.detail
    assert r.fault is not None
    assert r.fault.party == b.pair_party, r.fault
    if b.pair_party != "undetermined":
        assert r.fault.adapters == ("broken",), r.fault

    # The grid of two healthy implementations and the broken one charges the broken one alone.
    parties = [
        _adapter("healthy-1", cap, _healthy(cap, 0)),
        _adapter("healthy-2", cap, _healthy(cap, 1)),
        broken,
    ]
    results = [_play(b.check, x, y).to_json() for x in parties for y in parties]
    attribute(results)
    failed = [r for r in results if r["outcome"] != "pass"]
    assert failed, "the grid shows no failure"
    for res in failed:
        assert res["outcome"] == "fail", res
        assert "broken" in res["adapters"], res
        assert res["fault"]["adapters"] == ["broken"], (res["adapters"], res["fault"])
    for res in results:
        if "broken" not in res["adapters"]:
            assert res["outcome"] == "pass", res


def test_kyber_round3_is_not_ml_kem_1024() -> None:
    """The same seeds give other keys in round-3 Kyber1024 than in ML-KEM-1024 (research: the
    domain separator of K-PKE.KeyGen): the two capabilities are not interchangeable."""
    d, z = bytes(range(32)), bytes(range(32, 64))
    r3 = FixtureKyberPyRound3().kyber_keygen(d, z)
    fips = MlKemReference(PARAMETER_SETS["ML-KEM-1024"]).ml_kem_keygen(d, z)
    assert len(r3["ek"]) == len(fips["ek"])
    assert r3["ek"] != fips["ek"]


def test_a_key_generation_disagreement_between_two_stays_undetermined() -> None:
    """Two implementations whose keys from the same seeds differ: either may be wrong, and
    with no third the grid cannot tell (conformance.attribution)."""
    cap = "ml-kem-512"
    healthy = _adapter("healthy", cap, _healthy(cap, 0))
    broken = _adapter("broken", cap, MockKemKeygenMisreadsSeed(_healthy(cap, 0), cap))
    results = [
        _play(f"pair/pq/{cap}-keygen", x, y).to_json()
        for x in (healthy, broken)
        for y in (healthy, broken)
    ]
    attribute(results)
    failed = [r for r in results if r["outcome"] == "fail"]
    assert len(failed) == 2
    for r in failed:
        assert r["fault"]["party"] == "undetermined", r["fault"]
        assert sorted(r["fault"]["adapters"]) == ["broken", "healthy"]


def test_a_result_that_is_not_a_key_pair_is_charged_to_its_maker() -> None:
    cap = "ml-dsa-44"

    class MockKeygenReturnsBytes(_Wrapper):
        def ml_dsa_keygen(self, xi: bytes) -> bytes:
            return xi

    healthy = _adapter("healthy", cap, _healthy(cap, 0))
    broken = _adapter("broken", cap, MockKeygenReturnsBytes(_healthy(cap, 0)))
    r = _play(f"pair/pq/{cap}-sign-verify", broken, healthy)
    assert r.outcome == "fail", r.detail
    assert "A's ML-DSA-44 public key is NoneType" in (r.detail or ""), r.detail
    assert r.fault is not None
    assert (r.fault.party, r.fault.adapters) == ("sender", ("broken",))
