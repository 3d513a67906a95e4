"""The safety properties (conformance.properties) catch broken implementations, and only those.

Each broken variant (named Mock*: they exist only to make a fault happen) is the suite's
reference with one behaviour changed, either a hook overridden or a wrapper that delegates to a
reference object. Every test names the property meant to catch it, plays it with the healthy
reference as the other party and a fixed seed, and checks both the outcome and what the detail
says. The healthy reference talking to itself passes every property: no false alarm.
"""

from __future__ import annotations

import pytest
from helpers import adapter_from, reference_primitives

from conformance.adapter import LoadedAdapter
from conformance.capabilities.olm import OlmDecrypted, OlmEncrypted, OlmInbound, OlmKey
from conformance.errors import AuthenticationFailed, ProtocolError
from conformance.interop import PairScenario, PairTask, run_pair
from conformance.properties import SCENARIOS
from conformance.reference.megolm import MegolmReference
from conformance.reference.olm import OlmLimits, OlmReference, _Session
from conformance.reference.primitives import Primitives
from conformance.reference.signal import SignalReference
from conformance.results import CheckResult

SEED = 20240611

#: The properties this file covers (others may be added to conformance.properties later).
PROPERTIES = (
    "forward-secrecy",
    "post-compromise-security",
    "replay",
    "reordering",
    "skip-limit",
    "tampering",
    "identity-binding",
)


def _scenario(family: str, name: str) -> PairScenario:
    check = f"prop/{family}/{name}"
    found = [s for s in SCENARIOS if s.check == check]
    assert len(found) == 1, check
    return found[0]


def _run(family: str, name: str, first: LoadedAdapter, second: LoadedAdapter) -> CheckResult:
    return run_pair(PairTask(_scenario(family, name), first, second), SEED)


def _reference() -> LoadedAdapter:
    p = reference_primitives()
    return adapter_from(
        "reference",
        {"olm": OlmReference(p), "signal": SignalReference(p), "megolm": MegolmReference(p)},
    )


def _olm(name: str, olm: object) -> LoadedAdapter:
    return adapter_from(name, {"olm": olm})


# --- broken variants -------------------------------------------------------------------------


class _OlmWrapper:
    """The Olm interface, delegated to a reference; it also tracks which conversation each
    session it returned belongs to (the state stays opaque: only its bytes are compared)."""

    def __init__(self, inner: OlmReference) -> None:
        self.inner = inner
        self._conversation: dict[bytes, int] = {}

    def conversation(self, session: bytes) -> int:
        return self._conversation.setdefault(session, len(self._conversation))

    def _same(self, before: bytes, after: bytes) -> None:
        self._conversation[after] = self.conversation(before)

    def olm_account(self, ed25519_seed: bytes, curve25519_private: bytes) -> bytes:
        return self.inner.olm_account(ed25519_seed, curve25519_private)

    def olm_identity_keys(self, account: bytes) -> bytes:
        return self.inner.olm_identity_keys(account)

    def olm_add_one_time_key(self, account: bytes, private: bytes) -> OlmKey:
        return self.inner.olm_add_one_time_key(account, private)

    def olm_add_fallback_key(self, account: bytes, private: bytes) -> OlmKey:
        return self.inner.olm_add_fallback_key(account, private)

    def olm_outbound(
        self,
        account: bytes,
        identity_key: bytes,
        one_time_key: bytes,
        base_key: bytes,
        ratchet_key: bytes,
    ) -> bytes:
        session = self.inner.olm_outbound(
            account, identity_key, one_time_key, base_key, ratchet_key
        )
        self.conversation(session)
        return session

    def olm_inbound(self, account: bytes, identity_key: bytes, message: bytes) -> OlmInbound:
        made = self.inner.olm_inbound(account, identity_key, message)
        self.conversation(made["session"])
        return made

    def olm_encrypt(self, session: bytes, plaintext: bytes, ratchet_key: bytes) -> OlmEncrypted:
        out = self.inner.olm_encrypt(session, plaintext, ratchet_key)
        self._same(session, out["session"])
        return out

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> OlmDecrypted:
        got = self.inner.olm_decrypt(session, type, message)
        self._same(session, got["session"])
        return got


class MockRestoresSnapshot(_OlmWrapper):
    """Decrypts every message with the first session state it was ever given for the
    conversation, whatever session it is given now: nothing it decrypted is ever forgotten."""

    def __init__(self, inner: OlmReference) -> None:
        super().__init__(inner)
        self._first: dict[int, bytes] = {}

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> OlmDecrypted:
        first = self._first.setdefault(self.conversation(session), session)
        got = self.inner.olm_decrypt(first, type, message)
        self._same(session, got["session"])
        return got


class MockKeepsEveryKey(_OlmWrapper):
    """Remembers the plaintext of every message it decrypted and answers a message it has seen
    from that cache, whatever session it is given (which it returns unchanged)."""

    def __init__(self, inner: OlmReference) -> None:
        super().__init__(inner)
        self._seen: dict[bytes, bytes] = {}

    def olm_inbound(self, account: bytes, identity_key: bytes, message: bytes) -> OlmInbound:
        made = super().olm_inbound(account, identity_key, message)
        self._seen[message] = made["plaintext"]
        return made

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> OlmDecrypted:
        if message in self._seen:
            return {"session": session, "plaintext": self._seen[message]}
        got = super().olm_decrypt(session, type, message)
        self._seen[message] = got["plaintext"]
        return got


#: The ratchet private key MockRatchetNeverAdvances uses instead of the one it is given.
FIXED_RATCHET_KEY = bytes(range(1, 33))


class MockRatchetNeverAdvances(OlmReference):
    """Every new sending chain uses the same ratchet key pair (the one passed in is ignored)."""

    def olm_outbound(
        self,
        account: bytes,
        identity_key: bytes,
        one_time_key: bytes,
        base_key: bytes,
        ratchet_key: bytes,
    ) -> bytes:
        return super().olm_outbound(
            account, identity_key, one_time_key, base_key, FIXED_RATCHET_KEY
        )

    def olm_encrypt(self, session: bytes, plaintext: bytes, ratchet_key: bytes) -> OlmEncrypted:
        return super().olm_encrypt(session, plaintext, FIXED_RATCHET_KEY)


class MockSendingChainNeverTurns(OlmReference):
    """Keeps sending on its first chain after it receives a new ratchet key (the root step is
    taken, but it never starts a new sending chain): the ratchet never turns, yet every
    conforming peer keeps talking to it."""

    def _decrypt(self, s: _Session, data: bytes) -> bytes:
        sender = s.sender
        plaintext = super()._decrypt(s, data)
        if sender is not None:
            s.sender = sender
        return plaintext


class MockWeakMac(OlmReference):
    """Compares only the first byte of the 8-byte MAC."""

    def verify_mac(self, mac_key: bytes, body: bytes, mac: bytes) -> None:
        expected = self.p.hmac.hmac_sha256(mac_key, body)
        if expected[:1] != mac[:1]:
            raise AuthenticationFailed("Olm message MAC mismatch")


class MockCorruptsOnBadMessage(_OlmWrapper):
    """Hidden in-process state: the session bytes of a refused decrypt are "poisoned", and
    every later decrypt with poisoned session bytes is refused."""

    def __init__(self, inner: OlmReference) -> None:
        super().__init__(inner)
        self.poisoned: set[bytes] = set()

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> OlmDecrypted:
        if session in self.poisoned:
            raise AuthenticationFailed("the session was poisoned by an earlier bad message")
        try:
            return super().olm_decrypt(session, type, message)
        except ProtocolError:
            self.poisoned.add(session)
            raise


class MockDerivesEverySkippedKey(OlmReference):
    """No real gap limit: it derives every key up to a forged counter before the MAC check."""

    def __init__(self, primitives: Primitives) -> None:
        super().__init__(primitives, OlmLimits(max_message_gap=10**9))


# --- the healthy reference -------------------------------------------------------------------


@pytest.mark.parametrize("family", ["olm", "signal", "megolm"])
def test_the_reference_passes_every_property_with_itself(family: str) -> None:
    ref = _reference()
    results = {
        s.name: run_pair(PairTask(s, ref, ref), SEED)
        for s in SCENARIOS
        if s.family == family and s.name in PROPERTIES
    }
    assert results, family
    for name, r in results.items():
        if (family, name) == ("megolm", "post-compromise-security"):
            # Megolm does not heal by design: labelled unsupported, never a pass.
            assert r.outcome == "unsupported", (name, r.outcome, r.detail)
            assert r.detail is not None
            assert "by design" in r.detail
            continue
        assert r.outcome == "pass", (name, r.outcome, r.detail)
    if family == "megolm":
        # Megolm leaves replays to the application: the reference accepts them, reported.
        assert results["replay"].behaviour == "accepted"


def test_the_reference_passes_every_olm_property_with_a_second_reference() -> None:
    # Two separate reference objects: no state can leak between the parties in-process.
    for s in SCENARIOS:
        if s.family == "olm" and s.name in PROPERTIES:
            r = _run("olm", s.name, _reference(), _reference())
            assert r.outcome == "pass", (s.name, r.detail)


# --- forward secrecy and replay --------------------------------------------------------------


@pytest.mark.parametrize("mock", [MockRestoresSnapshot, MockKeepsEveryKey])
def test_a_receiver_that_keeps_old_keys_fails_forward_secrecy(mock: type[_OlmWrapper]) -> None:
    bad = _olm(mock.__name__, mock(OlmReference(reference_primitives())))
    r = _run("olm", "forward-secrecy", _reference(), bad)
    assert r.outcome == "fail", r.detail
    assert r.detail == "a snapshot taken after decrypting a message read it again"
    assert r.bug_types == ("CONFIDENTIALITY",)


@pytest.mark.parametrize("mock", [MockRestoresSnapshot, MockKeepsEveryKey])
def test_a_receiver_that_keeps_old_keys_fails_replay(mock: type[_OlmWrapper]) -> None:
    bad = _olm(mock.__name__, mock(OlmReference(reference_primitives())))
    r = _run("olm", "replay", _reference(), bad)
    assert r.outcome == "fail", r.detail
    assert r.detail is not None
    # The detail names the position first (conformance.properties.positions). A receiver that
    # decrypts with an old state may instead fail the genuine message after a refused replay;
    # either way the receiver alone is charged.
    assert (
        ": bob decrypted message " in r.detail and r.detail.endswith(" a second time")
    ) or ": bob no longer decrypts the genuine message after a replay of message " in r.detail, (
        r.detail
    )
    assert r.fault is not None
    assert r.fault.adapters == (mock.__name__,), r.fault
    assert r.bug_types == ("REPLAY",)


# --- post-compromise security ----------------------------------------------------------------


@pytest.mark.parametrize("placement", ["first", "second", "both"])
def test_a_fixed_ratchet_key_fails_post_compromise_security(placement: str) -> None:
    # A fixed ratchet key breaks the conversation before any stolen state is tried: the
    # second sending chain reuses the first one's ratchet key, and the receiver (the reference,
    # as libolm) takes it for the old chain, whose index 0 is gone. So the check fails in every
    # placement, the broken party as Alice, as Bob or both, but as "refused with
    # DuplicateMessage" during the healing turns, not as a stolen state reading a message.
    # MockSendingChainNeverTurns below is the variant that keeps talking and leaks.
    ref = _reference()
    bad = _olm("fixed-ratchet", MockRatchetNeverAdvances(reference_primitives()))
    first, second = {"first": (bad, ref), "second": (ref, bad), "both": (bad, bad)}[placement]
    r = _run("olm", "post-compromise-security", first, second)
    assert r.outcome == "fail", r.detail
    assert r.detail is not None
    assert r.detail.startswith("refused with DuplicateMessage"), r.detail


@pytest.mark.parametrize(
    ("placement", "reader"),
    [("second", "bob"), ("first", "bob"), ("both", "bob")],
)
def test_a_sending_chain_that_never_turns_fails_post_compromise_security(
    placement: str, reader: str
) -> None:
    # Either placement is caught, by the stolen Bob state reading Alice's new message:
    # - broken Bob (second): he never sends a new ratchet key, so healthy Alice never needs a
    #   new chain after her first reply either; the root key Bob's state held when it was
    #   stolen is still the one Alice's chain comes from, and the stolen state (opened by the
    #   broken implementation) derives it.
    # - broken Alice (first): she keeps sending on her very first chain, which the stolen
    #   Bob state (opened by the healthy reference) already holds; it walks the chain forward.
    # So a never-turning ratchet is caught whichever side has it: the property judges both
    # directions, and one party that does not turn freezes both.
    ref = _reference()
    bad = _olm("never-turns", MockSendingChainNeverTurns(reference_primitives()))
    first, second = {"first": (bad, ref), "second": (ref, bad), "both": (bad, bad)}[placement]
    r = _run("olm", "post-compromise-security", first, second)
    assert r.outcome == "fail", r.detail
    # Healing measured as a number (conformance.properties.healing) catches it first: the
    # thief reads past the Double Ratchet's bound in the alternating pattern already.
    assert (r.detail or "").startswith("traffic pattern 'alternating': a thief"), r.detail
    assert "the Double Ratchet heals within the first 2 (§3.5)" in (r.detail or "")
    assert int(r.measured["alternating"]) > int(r.measured["alternating bound"]) == 2
    assert r.bug_types == ("CONFIDENTIALITY",)
    del reader


def test_a_sending_chain_that_never_turns_still_converses() -> None:
    # So the post-compromise failure above is the property's, not a broken conversation.
    bad = _olm("never-turns", MockSendingChainNeverTurns(reference_primitives()))
    for first, second in ((_reference(), bad), (bad, _reference())):
        for name in ("forward-secrecy", "replay", "reordering"):
            r = _run("olm", name, first, second)
            assert r.outcome == "pass", (name, r.detail)


# --- tampering -------------------------------------------------------------------------------
#
# The tampered and genuine messages go from Alice to Bob: the receiver judged is the second
# adapter (the pair grid runs both orders, so every implementation is judged as a receiver).


def test_a_one_byte_mac_check_fails_tampering() -> None:
    bad = _olm("weak-mac", MockWeakMac(reference_primitives()))
    r = _run("olm", "tampering", _reference(), bad)
    assert r.outcome == "fail", r.detail
    assert r.detail is not None
    assert ": bob accepted the message with bit " in r.detail, r.detail
    assert r.detail.endswith(" flipped"), r.detail
    assert r.bug_types == ("AUTH_BYPASS",)


def test_poisoning_a_session_on_a_bad_message_fails_tampering() -> None:
    bad = _olm("corrupts", MockCorruptsOnBadMessage(OlmReference(reference_primitives())))
    r = _run("olm", "tampering", _reference(), bad)
    assert r.outcome == "fail", r.detail
    assert r.detail is not None
    assert (
        ": bob no longer decrypts the genuine message after the tampered ones: refused with "
        "AuthenticationFailed"
    ) in r.detail, r.detail
    assert "poisoned" in r.detail


# --- skip limit ------------------------------------------------------------------------------


def test_deriving_every_skipped_key_fails_skip_limit() -> None:
    # The forged counter goes to Bob: the broken receiver is the second party. Deriving the
    # 200,000 keys takes about a second; the bound is a quarter of a second.
    bad = _olm("no-gap-limit", MockDerivesEverySkippedKey(reference_primitives()))
    r = _run("olm", "skip-limit", _reference(), bad)
    assert r.outcome == "fail", r.detail
    assert r.detail is not None
    assert r.detail.startswith("bob took "), r.detail
    assert "it derives the skipped keys before it checks the message" in r.detail
    assert r.bug_types == ("DENIAL_OF_SERVICE",)


# --- identity binding ------------------------------------------------------------------------


@pytest.mark.parametrize("family", ["olm", "signal"])
def test_identity_binding_passes_for_the_reference_in_both_orders(family: str) -> None:
    p = reference_primitives()
    other = adapter_from("reference-2", {"olm": OlmReference(p), "signal": SignalReference(p)})
    for first, second in ((_reference(), other), (other, _reference())):
        r = _run(family, "identity-binding", first, second)
        assert r.outcome == "pass", r.detail


def test_mocks_do_not_trip_unrelated_properties() -> None:
    # Each wrapper fails only where it is broken: the checks that cannot see its fault pass.
    ref = _reference()
    restores = _olm("restores", MockRestoresSnapshot(OlmReference(reference_primitives())))
    assert _run("olm", "tampering", restores, ref).outcome == "pass"
    keeps = _olm("keeps", MockKeepsEveryKey(OlmReference(reference_primitives())))
    assert _run("olm", "reordering", ref, keeps).outcome == "pass"
    gap = _olm("no-gap-limit", MockDerivesEverySkippedKey(reference_primitives()))
    assert _run("olm", "tampering", ref, gap).outcome == "pass"


def test_the_report_shows_each_property_per_receiver_and_labels_by_design() -> None:
    from conformance.report import summarize
    from conformance.writers.html import render_html

    p = reference_primitives()
    megolm = adapter_from("megolm-ref", {"megolm": MegolmReference(p)})
    results = [
        run_pair(PairTask(sc, megolm, megolm), 3).to_json()
        for sc in SCENARIOS
        if sc.family == "megolm" and sc.name in ("post-compromise-security", "replay")
    ]
    summary = summarize(results)
    assert summary["properties"]["megolm"]["replay"]["megolm-ref"]["pass"] == 1
    assert summary["byDesign"]["megolm"]["post-compromise-security"].startswith("by design:")
    html = render_html({"summary": summary, "results": results})
    assert 'id="properties-megolm"' in html
    assert "Megolm sessions do not heal" in html


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        # The reference's Olm draws a sender's new ratchet key when it sends (libolm's way):
        # the thief reads the first run only.
        ("olm", {"alternating": 1, "bursts": 4, "long silence": 10}),
        # Its Signal draws the new key as it receives (Double Ratchet §3.5): two runs.
        ("signal", {"alternating": 2, "bursts": 8, "long silence": 11}),
    ],
)
def test_healing_is_measured_per_traffic_pattern(family: str, expected: dict[str, int]) -> None:
    ref = _reference()
    r = _run(family, "post-compromise-security", ref, ref)
    assert r.outcome == "pass", r.detail
    read = {k: v for k, v in r.measured.items() if not k.endswith(" bound")}
    assert read == expected
    bounds = {k[: -len(" bound")]: v for k, v in r.measured.items() if k.endswith(" bound")}
    assert bounds == {"alternating": 2, "bursts": 8, "long silence": 11}
