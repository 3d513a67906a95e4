"""Low-order X25519 keys offered to an MLS member (conformance/attacks/mls_low_order.py; issue
20): the honest reference refuses every one of the 14 encodings in every place (RFC 9180 §7.1.4
through its HPKE), a member whose HPKE seals to a low-order key fails every check with the
fault on it, one that skips the check for UpdatePath encryptions alone fails exactly the places
that use them, and a victim that refuses even honest key packages is not counted as refusing.
The forge helpers put the keys where they are meant to go with every signature valid."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import adapter_from

from conformance.adapter import LoadedAdapter
from conformance.attacks.low_order_hpke import LowOrderHpke
from conformance.attacks.mls_low_order import SCENARIOS
from conformance.errors import InvalidKey, InvalidMessage
from conformance.interop import PairTask, run_pair
from conformance.properties import SCENARIOS as PROPERTIES
from conformance.reference.hpke import HpkeSuite
from conformance.reference.low_order import LOW_ORDER_POINTS, marker
from conformance.reference.mls import forge, wire
from conformance.reference.mls.group import Toolkit
from conformance.reference.mls.group_api import MlsGroupReference, _stream
from conformance.reference.mls.hpke_binding import ReferenceHpke
from conformance.registry import known_manifests
from conformance.results import CheckResult

SEED = 7
CHECKS = [s.check for s in SCENARIOS]
PATH_PLACES = {
    "prop/mls/low-order-leaf-key",
    "prop/mls/low-order-path-leaf-key",
    "prop/mls/low-order-path-node-key",
}


class _NoZeroCheck(HpkeSuite):
    """DH without RFC 9180 §7.1.4's all-zero check (pyca refuses the zero output itself)."""

    def _dh(self, sk: bytes, pk: bytes) -> bytes:
        try:
            return super()._dh(sk, pk)
        except InvalidKey:
            return bytes(32)


class _SealsToLowOrderKeys(ReferenceHpke):
    """SealBase to any key whose info contains ``only`` (every key when empty)."""

    only = b""

    def seal_base(
        self, kem_id: int, kdf_id: int, aead_id: int, pk: bytes, info: bytes, aad: bytes, pt: bytes
    ) -> tuple[bytes, bytes]:
        if self.only not in info:
            return super().seal_base(kem_id, kdf_id, aead_id, pk, info, aad, pt)
        suite = _NoZeroCheck(kem_id, kdf_id, aead_id, self._p)
        return suite.seal(pk, info, aad, pt, self._random(suite.kem.n_sk))


class _SealsUpdatePathsToLowOrderKeys(_SealsToLowOrderKeys):
    only = b"UpdatePathNode"


class MockMlsSealsToLowOrderKeys(MlsGroupReference):
    """Encrypts a Welcome or a path secret to a low-order key under the all-zero secret."""

    hpke_class: type[ReferenceHpke] = _SealsToLowOrderKeys

    def _member(self, member: bytes, random: bytes = b"") -> Any:
        out = super()._member(member, random)
        out.kit = Toolkit(self._sig, self.hpke_class(random=_stream(random)), self._aead)
        return out


class MockMlsSealsPathSecretsToLowOrderKeys(MockMlsSealsToLowOrderKeys):
    """Checks the all-zero secret in the Welcome's HPKE, not in the UpdatePath's."""

    hpke_class = _SealsUpdatePathsToLowOrderKeys


class MockMlsRefusesEveryKeyPackage(MlsGroupReference):
    """Refuses to add anyone: its refusals of low-order keys prove nothing."""

    def mls_add(self, member: bytes, key_package: bytes, wire_format: int, random: bytes) -> Any:
        raise InvalidMessage("no key package is good enough")


def _victim(impl: object, name: str = "reference") -> LoadedAdapter:
    return adapter_from(name, {"mls-group": impl}, dict(known_manifests()["reference"].quirks))


def _run(check: str, victim: LoadedAdapter) -> CheckResult:
    sc = next(s for s in SCENARIOS if s.check == check)
    return run_pair(PairTask(sc, victim, victim), SEED)


def test_the_checks_are_registered() -> None:
    assert CHECKS == [
        "prop/mls/low-order-init-key",
        "prop/mls/low-order-leaf-key",
        "prop/mls/low-order-path-leaf-key",
        "prop/mls/low-order-path-node-key",
    ]
    assert set(SCENARIOS) <= set(PROPERTIES)
    assert all(s.plan == "each" and s.bug_type == "CONFIDENTIALITY" for s in SCENARIOS)
    assert all(
        ("RFC 9180", "7.1.4") in {(r.document, r.section) for r in s.spec} for s in SCENARIOS
    )


@pytest.mark.parametrize("check", CHECKS)
def test_the_reference_refuses_every_encoding(check: str) -> None:
    r = _run(check, _victim(MlsGroupReference()))
    assert r.outcome == "pass", r.detail
    assert r.measured["accepted"] == "none"
    assert sum(int(v) for k, v in r.measured.items() if k.startswith("refused")) == 14


@pytest.mark.parametrize("check", CHECKS)
def test_sealing_to_a_low_order_key_fails(check: str) -> None:
    r = _run(check, _victim(MockMlsSealsToLowOrderKeys(), "MockMlsSealsToLowOrderKeys"))
    assert r.outcome == "fail", r.detail
    assert r.fault is not None
    assert r.fault.adapters == ("MockMlsSealsToLowOrderKeys",)
    assert r.detail is not None
    assert "RFC 9180 §7.1.4" in r.detail
    assert all(p.name in str(r.measured["accepted"]) for p in LOW_ORDER_POINTS)
    if check != "prop/mls/low-order-path-node-key":
        # The attacker, with no private key, read what the victim encrypted.
        assert "holding no private key" in r.detail
        assert r.measured["read by the all-zero secret"] == r.measured["accepted"]


@pytest.mark.parametrize("check", CHECKS)
def test_skipping_the_check_for_path_secrets_alone_fails_the_path_places(check: str) -> None:
    mock = MockMlsSealsPathSecretsToLowOrderKeys()
    r = _run(check, _victim(mock, "MockMlsSealsPathSecretsToLowOrderKeys"))
    assert r.outcome == ("fail" if check in PATH_PLACES else "pass"), r.detail


def test_a_victim_that_refuses_honest_key_packages_is_not_counted_as_refusing() -> None:
    r = _run(CHECKS[0], _victim(MockMlsRefusesEveryKeyPackage(), "MockMlsRefusesEveryKeyPackage"))
    assert r.outcome == "fail"
    assert "control with honest keys" in (r.detail or "")


def test_forged_key_packages_carry_the_keys_given_and_valid_signatures() -> None:
    ref = MlsGroupReference()
    point = LOW_ORDER_POINTS[5]
    made = forge.key_package_with_keys(
        ref,
        1,
        b"attacker",
        bytes(range(32)),
        b"r",
        init=(marker(point), point.encoding),
        credential_types=(1, 2),
    )
    kp = wire.decode(wire.MlsMessage.read, made["key_package"], "key package").body
    assert isinstance(kp, wire.KeyPackage)
    assert kp.init_key == point.encoding
    assert kp.leaf_node.capabilities.credentials == (1, 2)
    # An honest member adds it: both signatures verify (its Welcome's HPKE then refuses).
    creator = ref.mls_key_package(1, b"creator", bytes(32), b"c")
    group = ref.mls_create(creator["member"], b"group", b"g")
    with pytest.raises(InvalidKey):
        ref.mls_add(group, made["key_package"], 1, b"a")


def test_the_attackers_hpke_opens_what_was_sealed_to_its_point() -> None:
    point = LOW_ORDER_POINTS[9]
    sealed = _SealsToLowOrderKeys().seal_base(0x20, 1, 1, point.encoding, b"info", b"", b"pt")
    opened = LowOrderHpke().open_base(
        0x20, 1, 1, *sealed[:1], marker(point), b"info", b"", sealed[1]
    )
    assert opened == b"pt"
    with pytest.raises(InvalidKey):
        ReferenceHpke().seal_base(0x20, 1, 1, point.encoding, b"info", b"", b"pt")
