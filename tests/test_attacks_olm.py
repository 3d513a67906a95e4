"""The Olm low-order checks (conformance.attacks.olm_low_order) tell a victim that accepts a
low-order peer key from one that refuses it, in every place, and cannot be fooled by a victim
that refuses everything or by a broken attacker.

The broken variants (named Mock*) are the suite's reference with one behaviour changed: one
that uses the all-zero shared secret as libolm does, one that does so in the ratchet only, one
that screens keys as it parses them, one that refuses every session. Broken attackers: one that
garbles its messages and one without the marked X25519 (it publishes ordinary keys).
"""

from __future__ import annotations

import pytest
from helpers import adapter_from

from conformance.adapter import LoadedAdapter
from conformance.attacks import attacker_primitives, reference_primitives
from conformance.attacks.olm_low_order import (
    SCENARIOS,
    UncheckedX25519,
    low_order_scenarios,
    unchecked_reference,
)
from conformance.capabilities.olm import OlmDecrypted, OlmEncrypted, OlmInbound
from conformance.errors import InvalidKey
from conformance.interop import PairScenario, PairTask, run_pair
from conformance.profiles import apply_profile, profile
from conformance.properties import SCENARIOS as PROPERTIES
from conformance.reference import olm_wire as wire
from conformance.reference.low_order import LOW_ORDER_POINTS, ZERO_SECRET, marker
from conformance.reference.olm import OLM_RATCHET_INFO, ChainKey, OlmReference
from conformance.results import CheckResult

SEED = 20261206
CHECKS = {
    "prop/olm/low-order-identity-key": ("as alice", "as bob"),
    "prop/olm/low-order-one-time-key": ("as alice",),
    "prop/olm/low-order-base-key": ("as bob",),
    "prop/olm/low-order-every-key": ("as alice", "as bob"),
    "prop/olm/low-order-ratchet-key": ("as bob", "as alice", "as bob, first ratchet key"),
}
LOW_ORDER = frozenset(p.encoding for p in LOW_ORDER_POINTS)
MARKERS = frozenset(marker(p) for p in LOW_ORDER_POINTS)
EVERY_POINT = ", ".join(p.name for p in LOW_ORDER_POINTS)


def _olm(name: str, olm: object) -> LoadedAdapter:
    return adapter_from(name, {"olm": olm})


def _run(scenario: PairScenario, victim: LoadedAdapter) -> CheckResult:
    return run_pair(PairTask(scenario, victim, victim), SEED)


def _all(victim: LoadedAdapter, scenarios: list[PairScenario] = SCENARIOS) -> list[CheckResult]:
    return [_run(s, victim) for s in scenarios]


def _strict(result: CheckResult) -> CheckResult:
    (judged,) = apply_profile([result], profile("strict"))
    return judged


def _spec(result: CheckResult) -> CheckResult:
    (judged,) = apply_profile([result], profile("spec"))
    return judged


# --- broken variants -------------------------------------------------------------------------


class MockUncheckedOlm(OlmReference):
    """Uses the all-zero shared secret of a low-order peer key, as libolm does."""

    def __init__(self) -> None:
        super().__init__(unchecked_reference().p)


class MockUncheckedRatchet(OlmReference):
    """Refuses low-order keys in the handshake but uses the all-zero secret in the ratchet."""

    def __init__(self) -> None:
        super().__init__(reference_primitives())

    def _ratchet_step(self, root: bytes, ours: bytes, theirs: bytes) -> tuple[bytes, ChainKey]:
        secret = ZERO_SECRET if theirs in LOW_ORDER else self.p.ecdh(ours, theirs)
        okm = self.p.hkdf.hkdf_sha256(secret, root, OLM_RATCHET_INFO, 64)
        return okm[:32], ChainKey(okm[32:], 0)


class MockScreeningOlm(MockUncheckedOlm):
    """Would use the all-zero secret, but refuses every low-order key where it reads one (the
    arguments, the pre-key message's keys, a message's ratchet key) before any Diffie-Hellman."""

    @staticmethod
    def _screen(*keys: bytes | None) -> None:
        if any(k in LOW_ORDER for k in keys):
            raise InvalidKey("a low-order key")

    def olm_outbound(
        self,
        account: bytes,
        identity_key: bytes,
        one_time_key: bytes,
        base_key: bytes,
        ratchet_key: bytes,
    ) -> bytes:
        self._screen(identity_key, one_time_key)
        return super().olm_outbound(account, identity_key, one_time_key, base_key, ratchet_key)

    def olm_inbound(self, account: bytes, identity_key: bytes, message: bytes) -> OlmInbound:
        pre = wire.parse_pre_key_message(message)
        inner = wire.parse_olm_message(pre.message)
        self._screen(identity_key, pre.identity_key, pre.base_key, inner.ratchet_key)
        return super().olm_inbound(account, identity_key, message)

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> OlmDecrypted:
        inner = wire.parse_pre_key_message(message).message if type == 0 else message
        self._screen(wire.parse_olm_message(inner).ratchet_key)
        return super().olm_decrypt(session, type, message)


class MockRefusesEverything(OlmReference):
    """Refuses every session, honest or not."""

    def __init__(self) -> None:
        super().__init__(reference_primitives())

    def olm_outbound(
        self,
        account: bytes,
        identity_key: bytes,
        one_time_key: bytes,
        base_key: bytes,
        ratchet_key: bytes,
    ) -> bytes:
        raise InvalidKey("no sessions here")

    def olm_inbound(self, account: bytes, identity_key: bytes, message: bytes) -> OlmInbound:
        raise InvalidKey("no sessions here")


class MockGarblingAttacker(OlmReference):
    """The attacker, whose every message has its last byte (in the MAC) flipped."""

    def __init__(self) -> None:
        super().__init__(attacker_primitives())

    def olm_encrypt(self, session: bytes, plaintext: bytes, ratchet_key: bytes) -> OlmEncrypted:
        out = super().olm_encrypt(session, plaintext, ratchet_key)
        garbled = out["message"][:-1] + bytes([out["message"][-1] ^ 1])
        return {"session": out["session"], "type": out["type"], "message": garbled}


class MockGarblesLowOrderRatchet(OlmReference):
    """The attacker, garbling only the messages whose new ratchet key is low-order (so the
    control goes through and only the attempts with a point would look refused)."""

    def __init__(self) -> None:
        super().__init__(attacker_primitives())

    def olm_encrypt(self, session: bytes, plaintext: bytes, ratchet_key: bytes) -> OlmEncrypted:
        out = super().olm_encrypt(session, plaintext, ratchet_key)
        if ratchet_key not in MARKERS:
            return out
        garbled = out["message"][:-1] + bytes([out["message"][-1] ^ 1])
        return {"session": out["session"], "type": out["type"], "message": garbled}


class MockPlainAttacker(OlmReference):
    """The attacker without the marked X25519: its "low-order" keys are ordinary ones."""

    def __init__(self) -> None:
        super().__init__(reference_primitives())


# --- the honest reference and the registry --------------------------------------------------


def test_registered_once_each_with_the_flag() -> None:
    ids = [s.check for s in PROPERTIES if s.check.startswith("prop/olm/low-order-")]
    assert sorted(ids) == sorted(CHECKS)
    for s in SCENARIOS:
        assert s.plan == "each"
        assert s.flags == ("LowOrderPublicKey",)
        assert s.bug_type == "CONFIDENTIALITY"


def test_reference_refuses_every_point_everywhere() -> None:
    """The reference refuses the all-zero Diffie-Hellman result (its documented deviation from
    libolm), so it rejects in every place and passes under both profiles."""
    for r in _all(_olm("reference", OlmReference(reference_primitives()))):
        assert (r.outcome, r.behaviour) == ("pass", "rejected"), (r.check, r.detail)
        assert _strict(r).outcome == "pass"
        for label in CHECKS[r.check]:
            assert r.measured[f"{label}: accepted"] == "none"
            assert r.measured[f"{label}: refused"] == len(LOW_ORDER_POINTS)
        # Bob takes a pre-key message whose T_0 is low-order (no Diffie-Hellman with it yet)
        # and refuses when his reply ratchets on it.
        if r.check.endswith("ratchet-key"):
            assert r.measured["as bob, first ratchet key: refused later"] == 14


def test_results_depend_on_the_seed_only() -> None:
    victim = _olm("mock-unchecked", MockUncheckedOlm())
    first = [(r.outcome, r.behaviour, dict(r.measured)) for r in _all(victim)]
    assert first == [(r.outcome, r.behaviour, dict(r.measured)) for r in _all(victim)]


# --- victims that accept ---------------------------------------------------------------------


def test_unchecked_victim_accepts_everything_and_fails_strict() -> None:
    for r in _all(_olm("mock-unchecked", MockUncheckedOlm())):
        assert (r.outcome, r.behaviour) == ("pass", "accepted"), (r.check, r.detail)
        for label in CHECKS[r.check]:
            assert r.measured[f"{label}: accepted"] == EVERY_POINT
            assert r.measured[f"{label}: refused"] == 0
            # Acceptance matters: every plaintext went through the all-zero key.
            assert r.measured[f"{label}: read"] == len(LOW_ORDER_POINTS)
        assert _spec(r).outcome == "pass"
        judged = _strict(r)
        assert judged.outcome == "fail"
        assert "profile strict does not allow accepted" in (judged.detail or "")


def test_unchecked_ratchet_fails_the_ratchet_check_only() -> None:
    results = {r.check: r for r in _all(_olm("mock-ratchet", MockUncheckedRatchet()))}
    for check, r in results.items():
        assert r.outcome == "pass", (check, r.detail)
        expected = "accepted" if check.endswith("ratchet-key") else "rejected"
        assert r.behaviour == expected, check
        assert _strict(r).outcome == ("fail" if expected == "accepted" else "pass")
    ratchet = results["prop/olm/low-order-ratchet-key"]
    for label in CHECKS["prop/olm/low-order-ratchet-key"]:
        assert ratchet.measured[f"{label}: accepted"] == EVERY_POINT
        assert ratchet.measured[f"{label}: read"] == len(LOW_ORDER_POINTS)


# --- victims that refuse ---------------------------------------------------------------------


def test_screening_victim_passes_strict() -> None:
    for r in _all(_olm("mock-screening", MockScreeningOlm())):
        assert (r.outcome, r.behaviour) == ("pass", "rejected"), (r.check, r.detail)
        assert _strict(r).outcome == "pass"
        for label in CHECKS[r.check]:
            assert r.measured[f"{label}: refused"] == len(LOW_ORDER_POINTS)
            # It refuses as it parses: the first ratchet key too, before Bob replies.
            assert r.measured[f"{label}: refused later"] == 0


def test_a_victim_that_refuses_everything_fails_the_control() -> None:
    for r in _all(_olm("mock-refuses", MockRefusesEverything())):
        assert r.outcome == "fail", r.check
        assert r.behaviour is None
        # The control, or the honest exchange a ratchet attempt starts with, names the step.
        assert "refused with InvalidKey" in (r.detail or "")
        if not r.check.endswith("ratchet-key"):
            assert "control with an honest key" in (r.detail or "")


# --- broken attackers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "victim",
    [OlmReference(reference_primitives()), MockUncheckedOlm()],
    ids=["refusing victim", "accepting victim"],
)
def test_a_garbling_attacker_is_an_error_not_a_rejection(victim: OlmReference) -> None:
    broken = low_order_scenarios(attacker=MockGarblingAttacker)
    for r in _all(_olm("victim", victim), broken):
        if r.check.endswith("one-time-key"):
            # Alice alone sends there: the attacker's garbling never shows, nor matters.
            assert r.outcome == "pass", r.detail
            continue
        assert r.outcome == "error", (r.check, r.outcome, r.behaviour)
        assert "AttackerBroken" in (r.detail or "")
        # Caught on the control already, before any point is offered.
        assert "point none (the control)" in (r.detail or "")


def test_an_attacker_broken_for_the_points_only_is_an_error() -> None:
    """The control goes through; the attacker's construction for the first point is judged
    before the victim sees it, so the refusing reference cannot look like it refused it."""
    broken = low_order_scenarios(attacker=MockGarblesLowOrderRatchet)
    results = {
        r.check: r for r in _all(_olm("victim", OlmReference(reference_primitives())), broken)
    }
    for check, r in results.items():
        if not check.endswith("ratchet-key"):
            assert (r.outcome, r.behaviour) == ("pass", "rejected"), check
            continue
        assert r.outcome == "error", (r.outcome, r.behaviour)
        assert "set-up for point 0 with bob as the victim did not go through" in (r.detail or "")


def test_an_attacker_without_low_order_keys_is_an_error() -> None:
    """An attacker whose marker keys are ordinary keys would make every victim look like it
    accepts: the check finds that its published key is not the point."""
    broken = low_order_scenarios(attacker=MockPlainAttacker)
    for r in _all(_olm("victim", MockUncheckedOlm()), broken):
        assert r.outcome == "error", (r.check, r.outcome, r.behaviour)
        assert "is not the point 0" in (r.detail or "")


def test_the_judge_refuses_what_the_unchecked_x25519_is_given_honestly() -> None:
    """The judge's X25519 changes nothing for an ordinary key."""
    inner = reference_primitives().x25519
    private, public = bytes(range(32)), bytes([9]) + bytes(31)
    assert UncheckedX25519(inner).x25519(private, public) == inner.x25519(private, public)
    for point in LOW_ORDER_POINTS:
        assert UncheckedX25519(inner).x25519(private, point.encoding) == ZERO_SECRET
