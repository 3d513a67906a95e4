"""Verdicts a CI gate can trust (issue 12): the same seed gives the same result records whatever
ran before and whatever Hypothesis profile is loaded; a failure is charged to the party at fault
and nobody else; and a refused message's returned state is where the conversation goes on.

The broken variants here (named Mock*) exist only to make a fault happen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import adapter_from, reference_primitives
from hypothesis import settings

from conformance.adapter import LoadedAdapter
from conformance.attribution import attribute, charged
from conformance.capabilities.olm import OlmDecrypted, OlmEncrypted
from conformance.errors import AuthenticationFailed, ProtocolError
from conformance.expectations import load_expectations
from conformance.gate import FailOn
from conformance.interop import PairTask, run_pair, scenarios
from conformance.reference.olm import OlmReference
from conformance.report import GateOptions, finalize
from conformance.results import CheckResult

SEED = 7


class MockAcceptsAnyMac(OlmReference):
    """A receiver that never checks the MAC (docs/olm.md "Olm Authenticated Encryption")."""

    def verify_mac(self, mac_key: bytes, body: bytes, mac: bytes) -> None:
        return None


class MockWritesBadMac(OlmReference):
    """A sender whose MACs are wrong (the last byte flipped): every correct receiver refuses
    what it sends, while it reads what others send."""

    def olm_encrypt(self, session: bytes, plaintext: bytes, ratchet_key: bytes) -> OlmEncrypted:
        out = super().olm_encrypt(session, plaintext, ratchet_key)
        message = out["message"]
        return {**out, "message": message[:-1] + bytes([message[-1] ^ 1])}


class MockDamagedByBadMessage(OlmReference):
    """A receiver whose live session a refused message damages: the state it returns with the
    refusal (the stateful contract, protocol 2) can no longer decrypt anything."""

    protocol_returns_state = True
    DAMAGED = b"\xffdamaged"

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> OlmDecrypted:
        if session.endswith(self.DAMAGED):
            raise AuthenticationFailed("the session was damaged by an earlier bad message")
        try:
            return super().olm_decrypt(session, type, message)
        except ProtocolError as exc:
            state = session + self.DAMAGED if self.protocol_returns_state else None
            raise exc.__class__(str(exc), state=state) from None


class MockDamagedSilently(MockDamagedByBadMessage):
    """The same damage, behind an adapter on protocol 1 (no state returned with a refusal)."""

    protocol_returns_state = False


def _olm(name: str, olm: object) -> LoadedAdapter:
    return adapter_from(name, {"olm": olm})


def _scenario(check: str) -> Any:
    (found,) = [s for s in scenarios() if s.check == check]
    return found


def _play(check: str, first: LoadedAdapter, second: LoadedAdapter) -> CheckResult:
    return run_pair(PairTask(_scenario(check), first, second), SEED)


# --- determinism -----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_random_conversation_gives_the_same_record_alone_and_after_others() -> None:
    """The machine once numbered its runs from a process-wide counter, so a pair's keys and
    verdict depended on what ran before it."""
    p = reference_primitives()
    healthy, broken = _olm("reference", OlmReference(p)), _olm("broken", MockAcceptsAnyMac(p))
    check = "prop/olm/random-conversation"
    # Results compare without their durations.
    alone = _play(check, healthy, broken)
    assert alone.outcome == "fail"
    assert "shrunk scenario" in (alone.detail or "")
    for _ in range(2):
        _play(check, broken, healthy)
        _play(check, healthy, healthy)
    again = _play(check, healthy, broken)
    assert again == alone


@pytest.mark.slow
def test_a_loaded_hypothesis_profile_does_not_change_the_verdict() -> None:
    """A caller's profile (a conftest that loads a 'ci' profile, say) must not change how many
    examples the machine runs or what they are."""
    p = reference_primitives()
    healthy, broken = _olm("reference", OlmReference(p)), _olm("broken", MockAcceptsAnyMac(p))
    check = "prop/olm/random-conversation"
    before = _play(check, healthy, broken)
    settings.register_profile("e2ee-test-few", max_examples=1, stateful_step_count=2)
    settings.load_profile("e2ee-test-few")
    try:
        during = _play(check, healthy, broken)
    finally:
        settings.load_profile("default")
    assert during == before


# --- attribution -----------------------------------------------------------------------------


def _grid(check: str, adapters: list[LoadedAdapter]) -> list[dict[str, Any]]:
    results = [_play(check, a, b).to_json() for a in adapters for b in adapters]
    attribute(results)
    return results


def test_a_receiver_that_accepts_tampering_is_charged_alone() -> None:
    p = reference_primitives()
    healthy, broken = _olm("reference", OlmReference(p)), _olm("broken", MockAcceptsAnyMac(p))
    results = _grid("prop/olm/tampering", [healthy, broken])
    failed = [r for r in results if r["outcome"] == "fail"]
    assert failed
    for r in failed:
        assert r["adapters"][1] == "broken"
        assert r["fault"]["party"] == "receiver"
        assert charged(r) == ("broken",)
    passed_as_sender = [r for r in results if r["adapters"] == ["broken", "reference"]]
    assert [r["outcome"] for r in passed_as_sender] == ["pass"]


def test_a_sender_every_receiver_refuses_is_charged_as_the_sender() -> None:
    """Three implementations: the grid shows that the broken one fails with every receiver,
    while the healthy receivers read each other, so the sender is at fault, not them."""
    p = reference_primitives()
    adapters = [
        _olm("reference", OlmReference(p)),
        _olm("second", OlmReference(p)),
        _olm("broken", MockWritesBadMac(p)),
    ]
    results = _grid("pair/olm/converse", adapters)
    for r in results:
        if "broken" not in r["adapters"]:
            assert r["outcome"] == "pass", r
            continue
        assert r["outcome"] == "fail", r
        assert charged(r) == ("broken",), r["fault"]
    to_healthy = [r for r in results if r["adapters"] == ["broken", "reference"]]
    assert to_healthy[0]["fault"]["party"] == "sender"
    assert "every other receiver" in to_healthy[0]["fault"]["evidence"]


def test_with_two_implementations_a_refusal_stays_undetermined() -> None:
    """Two implementations cannot say which side of a refused genuine message is wrong."""
    p = reference_primitives()
    adapters = [_olm("reference", OlmReference(p)), _olm("broken", MockWritesBadMac(p))]
    results = _grid("pair/olm/converse", adapters)
    mixed = [r for r in results if r["adapters"] == ["broken", "reference"]]
    assert mixed[0]["fault"]["party"] == "undetermined"
    assert set(charged(mixed[0])) == {"broken", "reference"}


def _report(results: list[dict[str, Any]], adapters: list[str]) -> dict[str, Any]:
    return {
        "run": {},
        "adapters": [{"name": a, "version": "1", "manifest": f"<test>/{a}"} for a in adapters],
        "results": results,
        "suite": {"vectors": {"files": []}},
    }


def test_counts_and_expectations_charge_the_party_at_fault_only(tmp_path: Path) -> None:
    p = reference_primitives()
    names = ["reference", "second", "broken"]
    adapters = [
        _olm("reference", OlmReference(p)),
        _olm("second", OlmReference(p)),
        _olm("broken", MockWritesBadMac(p)),
    ]
    results = [_play("pair/olm/converse", a, b).to_json() for a in adapters for b in adapters]
    report = _report(results, names)
    finalize(report, GateOptions())
    by_adapter = report["summary"]["byAdapter"]
    assert by_adapter["reference"]["olm"]["fail"] == 0
    assert by_adapter["second"]["olm"]["fail"] == 0
    assert by_adapter["broken"]["olm"]["fail"] == 5
    assert "at fault: broken 5" in report["gate"]["reasons"]
    # An entry scoped to an innocent adapter covers nothing; one scoped to the party at fault
    # covers its failures.
    innocent = tmp_path / "innocent.toml"
    innocent.write_text(
        '[[expect]]\ncheck = "pair/olm/*"\nadapter = "reference"\nreason = "not ours"\n'
    )
    finalize(report, GateOptions(expectations=load_expectations(innocent), policy=FailOn()))
    assert report["summary"]["outcomes"]["expected-fail"] == 0
    guilty = tmp_path / "guilty.toml"
    guilty.write_text('[[expect]]\ncheck = "pair/olm/*"\nadapter = "broken"\nreason = "known"\n')
    finalize(report, GateOptions(expectations=load_expectations(guilty), policy=FailOn()))
    assert report["summary"]["outcomes"]["expected-fail"] == 5
    assert report["verdict"] == "pass"


def test_settling_needs_the_whole_grid() -> None:
    """A shard holding part of the grid cannot settle a refusal; the merged report can."""
    p = reference_primitives()
    adapters = [
        _olm("reference", OlmReference(p)),
        _olm("second", OlmReference(p)),
        _olm("broken", MockWritesBadMac(p)),
    ]
    results = [_play("pair/olm/converse", a, b).to_json() for a in adapters for b in adapters]
    part = [r for r in results if r["adapters"] != ["broken", "second"]]
    attribute(part)
    one = next(r for r in part if r["adapters"] == ["broken", "reference"])
    assert one["fault"]["party"] == "undetermined"
    attribute(results)
    one = next(r for r in results if r["adapters"] == ["broken", "reference"])
    assert one["fault"]["party"] == "sender"


# --- the state after a refusal ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("mock", "outcome"), [(MockDamagedByBadMessage, "fail"), (MockDamagedSilently, "pass")]
)
def test_damage_a_bad_message_does_is_seen_through_the_returned_state(
    mock: type[OlmReference], outcome: str
) -> None:
    """With the state returned by the refusal the suite goes on from the damaged session, and
    the genuine message no longer decrypts: a finding against the receiver. Behind a protocol 1
    adapter (no state returned) the same damage cannot be seen."""
    p = reference_primitives()
    healthy, damaged = _olm("reference", OlmReference(p)), _olm("damaged", mock(p))
    r = _play("prop/olm/tampering", healthy, damaged)
    assert r.outcome == outcome, r.detail
    if outcome == "fail":
        assert r.detail is not None
        assert "no longer decrypts the genuine message" in r.detail
        assert r.fault is not None
        assert r.fault.adapters == ("damaged",)


def test_a_stateful_adapter_on_protocol_1_is_labelled() -> None:
    from conformance.report import no_refusal_state

    adapters = [
        {"name": "old-olm", "protocol": 1, "capabilities": ["olm"]},
        {"name": "new-olm", "protocol": 2, "capabilities": ["olm"]},
        {"name": "primitives", "protocol": 1, "capabilities": ["x25519"]},
    ]
    assert no_refusal_state(adapters) == ["old-olm"]
