"""The low-order checks of classic and current Signal (conformance.attacks.signal_low_order)
catch an implementation that accepts a low-order X25519 peer key, and only that.

The broken variants (Mock*) are the suite's reference over an X25519 with one behaviour
changed: no all-zero check (as libolm, python-axolotl's curve25519-donna), a check that lets the
non-canonical encodings through, or a refusal of everything (a set-up that cannot work must not
pass for a refusal of the low-order keys).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from helpers import adapter_from, reference_primitives

from conformance.adapter import LoadedAdapter
from conformance.attacks.signal_low_order import PLACES, SCENARIOS
from conformance.attacks.xeddsa_low_order import forge_signature
from conformance.errors import InvalidKey
from conformance.interop import PairScenario, PairTask, Rng, run_pair
from conformance.profiles import apply_profile, profile
from conformance.properties import SCENARIOS as REGISTERED
from conformance.reference.low_order import LOW_ORDER_POINTS, ZERO_SECRET
from conformance.reference.primitives import Primitives
from conformance.reference.signal import SignalReference
from conformance.reference.signal_pq import SignalPqReference
from conformance.reference.xeddsa import xeddsa_verify
from conformance.results import CheckResult

SEED = 20260206
CHECKS = [s.check for s in SCENARIOS]
ALL_NAMES = ", ".join(p.name for p in LOW_ORDER_POINTS)
#: u = p - 1 (either encoding): XEdDSA's conversion refuses it, so the forged signature fails.
MINUS_ONE = ("p-1", "p-1 | 2^255")


def _scenario(check: str) -> PairScenario:
    found = [s for s in SCENARIOS if s.check == check]
    assert len(found) == 1, check
    return found[0]


def _adapter(name: str, primitives: Primitives) -> LoadedAdapter:
    return adapter_from(
        name, {"signal": SignalReference(primitives), "signal-pq": SignalPqReference(primitives)}
    )


def _run(check: str, adapter: LoadedAdapter) -> CheckResult:
    return run_pair(PairTask(_scenario(check), adapter, adapter), SEED)


def _strict(result: CheckResult) -> CheckResult:
    return apply_profile([result], profile("strict"))[0]


@dataclasses.dataclass(frozen=True)
class MockNoZeroCheckX25519:
    """X25519 that returns the all-zero secret instead of refusing it (no RFC 7748 §6.1
    check), the way curve25519-donna is used by libolm and python-axolotl."""

    inner: Any

    def x25519(self, private: bytes, public: bytes) -> bytes:
        if len(private) != 32 or len(public) != 32:
            raise InvalidKey("Curve25519 keys are 32 bytes")
        try:
            return bytes(self.inner.x25519(private, public))
        except InvalidKey:
            return ZERO_SECRET


@dataclasses.dataclass(frozen=True)
class MockCanonicalOnlyX25519(MockNoZeroCheckX25519):
    """Refuses the all-zero secret only for a canonical encoding: a peer key with bit 255 set
    or u >= p goes through unchecked (a check on the decoded bytes rather than the result)."""

    def x25519(self, private: bytes, public: bytes) -> bytes:
        if any(public == p.encoding for p in LOW_ORDER_POINTS if p.canonical):
            raise InvalidKey("low-order public key")
        return super().x25519(private, public)


@dataclasses.dataclass(frozen=True)
class MockListCheckX25519(MockNoZeroCheckX25519):
    """No all-zero check, but every one of the 14 encodings refused by name before use."""

    def x25519(self, private: bytes, public: bytes) -> bytes:
        if any(public == p.encoding for p in LOW_ORDER_POINTS):
            raise InvalidKey("low-order public key")
        return super().x25519(private, public)


@dataclasses.dataclass(frozen=True)
class MockRefusesAllX25519(MockNoZeroCheckX25519):
    """Refuses every agreement: nothing can be set up, so nothing is measured."""

    def x25519(self, private: bytes, public: bytes) -> bytes:
        if public == bytes([9]) + bytes(31):
            return bytes(self.inner.x25519(private, public))  # public keys still derive
        raise InvalidKey("refuses every key")


@dataclasses.dataclass(frozen=True)
class MockSubstitutesX25519(MockNoZeroCheckX25519):
    """Goes on with a secret of its own where the agreement is all-zero: it refuses nothing,
    but the attacker no longer knows the session key (accepted, not shown)."""

    def x25519(self, private: bytes, public: bytes) -> bytes:
        out = super().x25519(private, public)
        return bytes(range(32)) if out == ZERO_SECRET else out


def _mock(name: str, x25519: type[MockNoZeroCheckX25519]) -> LoadedAdapter:
    p = reference_primitives()
    return _adapter(name, dataclasses.replace(p, x25519=x25519(p.x25519)))


def test_every_place_of_both_families_is_registered() -> None:
    assert len(SCENARIOS) == 2 * len(PLACES)
    registered = {s.check for s in REGISTERED}
    assert set(CHECKS) <= registered
    assert {s.plan for s in SCENARIOS} == {"each"}
    assert all(s.flags == ("LowOrderPublicKey",) for s in SCENARIOS)


@pytest.mark.parametrize("check", CHECKS)
def test_reference_refuses_every_point(check: str) -> None:
    got = _run(check, _adapter("reference", reference_primitives()))
    assert got.outcome == "pass", got.detail
    assert got.behaviour == "rejected"
    assert got.measured["accepted"] == "none"
    assert got.measured["refused"] == len(LOW_ORDER_POINTS)
    assert _strict(got).outcome == "pass"


@pytest.mark.parametrize("check", CHECKS)
def test_accepting_every_point_fails_under_strict(check: str) -> None:
    got = _run(check, _mock("MockNoZeroCheck", MockNoZeroCheckX25519))
    # The spec profile lets it be (RFC 7748 §6.1 MAY): the check passes and says what it saw.
    assert got.outcome == "pass", got.detail
    assert got.behaviour == "accepted"
    if check.endswith("/low-order-identity-key"):
        expected = [p.name for p in LOW_ORDER_POINTS if p.name not in MINUS_ONE]
        assert got.measured["refused as"] == "InvalidSignature 2"
    else:
        expected = [p.name for p in LOW_ORDER_POINTS]
    assert got.measured["accepted"] == ", ".join(expected)
    # Acceptance matters: the attacker knew every secret, so each exchange went through.
    assert got.measured["shown"] == len(expected)
    strict = _strict(got)
    assert strict.outcome == "fail"
    assert "LowOrderPublicKey" in (strict.detail or "")


@pytest.mark.parametrize(
    "check", ["prop/signal/low-order-base-key", "prop/signal-pq/low-order-ratchet-key"]
)
def test_non_canonical_encodings_that_slip_through_are_named(check: str) -> None:
    got = _run(check, _mock("MockCanonicalOnly", MockCanonicalOnlyX25519))
    assert got.behaviour == "accepted"
    assert got.measured["accepted"] == ", ".join(
        p.name for p in LOW_ORDER_POINTS if not p.canonical
    )
    assert got.measured["refused"] == 5
    assert _strict(got).outcome == "fail"


@pytest.mark.parametrize(
    "check",
    ["prop/signal/low-order-one-time-prekey", "prop/signal-pq/low-order-sender-identity-key"],
)
def test_refusing_every_point_passes_under_strict(check: str) -> None:
    got = _run(check, _mock("MockListCheck", MockListCheckX25519))
    assert got.outcome == "pass", got.detail
    assert got.behaviour == "rejected"
    assert _strict(got).outcome == "pass"


@pytest.mark.parametrize(
    "check",
    [
        "prop/signal/low-order-signed-prekey",
        "prop/signal/low-order-base-key",
        "prop/signal-pq/low-order-ratchet-key",
        "prop/signal-pq/low-order-initial-ratchet-key",
    ],
)
def test_a_set_up_that_cannot_work_is_not_a_refusal(check: str) -> None:
    got = _run(check, _mock("MockRefusesAll", MockRefusesAllX25519))
    assert got.outcome == "fail"
    assert got.behaviour is None
    assert (got.detail or "").startswith(("control:", "set-up:"))


@pytest.mark.parametrize("point", LOW_ORDER_POINTS, ids=lambda p: p.name)
def test_forged_signature_verifies_under_a_low_order_identity(point: Any) -> None:
    message = b"\x05" + bytes(range(32))
    signature = forge_signature(point.encoding, message, Rng("forge"))
    assert xeddsa_verify(point.encoding, message, signature) is (point.name not in MINUS_ONE)


def test_an_acceptance_the_attacker_cannot_read_is_still_an_acceptance() -> None:
    got = _run(
        "prop/signal/low-order-signed-prekey", _mock("MockSubstitutes", MockSubstitutesX25519)
    )
    assert got.behaviour == "accepted"
    assert got.measured["accepted"] == ALL_NAMES
    assert got.measured["shown"] == 0
    assert _strict(got).outcome == "fail"


def test_a_seed_replays_the_same_result() -> None:
    adapter = _mock("MockCanonicalOnly", MockCanonicalOnlyX25519)
    first = _run("prop/signal-pq/low-order-identity-key", adapter)
    again = _run("prop/signal-pq/low-order-identity-key", adapter)
    assert (first.outcome, first.behaviour, first.measured) == (
        again.outcome,
        again.behaviour,
        again.measured,
    )
