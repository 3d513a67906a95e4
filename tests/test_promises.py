"""The promise properties (conformance.properties.promises) catch broken implementations.

Each broken variant (a Mock*) is the suite's reference with one promise broken; each test plays
it against the healthy reference (or itself) with a fixed seed and checks the outcome, what
the detail says and whom the result charges. The healthy reference passes every promise, with
itself and with a second reference object.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

import pytest
from helpers import adapter_from, reference_primitives

from conformance.adapter import LoadedAdapter
from conformance.capabilities.olm import OlmInbound
from conformance.capabilities.signal import SignalDecrypted
from conformance.interop import PairTask, run_pair
from conformance.profiles import STRICT, apply_profile
from conformance.properties import SCENARIOS, promises
from conformance.reference import signal as signal_module
from conformance.reference.megolm import MegolmReference
from conformance.reference.olm import OlmReference
from conformance.reference.primitives import Primitives
from conformance.reference.signal import SignalReference, _dump_party, _load_party
from conformance.reference.signal_pq import SignalPqReference
from conformance.results import CheckResult

SEED = 20240611


def _run(check: str, first: LoadedAdapter, second: LoadedAdapter) -> CheckResult:
    (scenario,) = [s for s in SCENARIOS if s.check == check]
    return run_pair(PairTask(scenario, first, second), SEED)


def _reference(name: str = "reference") -> LoadedAdapter:
    p = reference_primitives()
    return adapter_from(
        name,
        {
            "olm": OlmReference(p),
            "signal": SignalReference(p),
            "signal-pq": SignalPqReference(p),
            "megolm": MegolmReference(p),
        },
    )


def _broken(name: str, family: str, impl: object) -> LoadedAdapter:
    return adapter_from(name, {family: impl})


# --- broken variants -------------------------------------------------------------------------


class MockKeepsOneTimeKeys(OlmReference):
    """Never removes a one-time key: the account it returns is the one it was given."""

    def olm_inbound(self, account: bytes, identity_key: bytes, message: bytes) -> OlmInbound:
        made = super().olm_inbound(account, identity_key, message)
        return {**made, "account": account}


class MockKeepsPreKeys(SignalReference):
    """Never deletes a one-time pre-key once a PreKeySignalMessage used it."""

    def signal_decrypt(
        self, party: bytes, type: int, message: bytes, ratchet_key: bytes
    ) -> SignalDecrypted:
        got = super().signal_decrypt(party, type, message, ratchet_key)
        after = _load_party(got["party"])
        after.prekeys = _load_party(party).prekeys
        return {**got, "party": _dump_party(after)}


class MockTrustsEveryIdentity(SignalReference):
    """Its identity store trusts every key, every time (no trust on first use)."""

    def _trust(self, a: object, identity: bytes) -> None:
        return None


class MockHardCodedVersionMac(SignalReference):
    """Computes and checks the MAC as if the version byte were always 0x33 (so the byte is not
    authenticated), and reads only its high nibble: libsignal-protocol-typescript's way."""

    def mac_input(self, sender_identity: bytes, receiver_identity: bytes, body: bytes) -> bytes:
        return super().mac_input(sender_identity, receiver_identity, b"\x33" + body[1:])


class MockSkipsSignatureCheck(SignalReference):
    """Never verifies the signature on a bundle's signed pre-key."""

    def signal_initiate(self, party: bytes, *args: object) -> bytes:
        with mock.patch.object(signal_module, "xeddsa_verify", return_value=True):
            return super().signal_initiate(party, *args)  # type: ignore[arg-type]


@dataclass
class _Unbound:
    """Which Curve25519 value the identity term of the 3DH is skipped for."""

    private: bytes | None = None
    public: bytes | None = None


class _UnboundPrimitives(Primitives):
    """The reference's primitives, except that an ECDH with the marked identity key (its
    private part on Alice's side, its public part on Bob's) gives 32 zero bytes."""

    unbound: _Unbound

    def ecdh(self, private: bytes, public: bytes) -> bytes:
        if private == self.unbound.private or public == self.unbound.public:
            return bytes(32)
        return super().ecdh(private, public)


class MockOlmUnboundIdentity(OlmReference):
    """Leaves the sender's identity key out of the 3DH on both sides (ECDH(I_A, E_B) is zero),
    and on receipt only compares the identity field with the sender it is told: talking to
    itself, the existing identity-binding property cannot tell."""

    def __init__(self, primitives: Primitives) -> None:
        self._unbound = _Unbound()
        p = _UnboundPrimitives(
            primitives.x25519, primitives.ed25519, primitives.hkdf, primitives.hmac, primitives.cbc
        )
        object.__setattr__(p, "unbound", self._unbound)
        super().__init__(p)

    @contextmanager
    def _skipping(self, private: bytes | None, public: bytes | None) -> Iterator[None]:
        self._unbound.private, self._unbound.public = private, public
        try:
            yield
        finally:
            self._unbound.private = self._unbound.public = None

    def olm_outbound(
        self,
        account: bytes,
        identity_key: bytes,
        one_time_key: bytes,
        base_key: bytes,
        ratchet_key: bytes,
    ) -> bytes:
        from conformance.reference.olm import _load_account

        with self._skipping(_load_account(account).identity.private, None):
            return super().olm_outbound(account, identity_key, one_time_key, base_key, ratchet_key)

    def olm_inbound(self, account: bytes, identity_key: bytes, message: bytes) -> OlmInbound:
        with self._skipping(None, identity_key):
            return super().olm_inbound(account, identity_key, message)


# --- the healthy reference -------------------------------------------------------------------


def _promise_checks() -> list[str]:
    return [s.check for s in SCENARIOS if s.name in promises.PLAYS]


def test_every_promise_is_registered_with_its_spec_and_bug_type() -> None:
    checks = _promise_checks()
    assert len(checks) == 14, checks
    for s in SCENARIOS:
        if s.name in promises.PLAYS:
            assert s.spec == promises.SPECS[(s.name, s.family)], s.check
            assert s.bug_type == promises.BUG_TYPES[s.name]
            assert s.kind == "prop"
    flags = {s.check: s.flags for s in SCENARIOS}
    assert flags["prop/olm/version-bytes"] == ("PreKeyOuterVersion",)
    assert flags["prop/signal/version-bytes"] == ("PreKeyCurrentVersion",)


@pytest.mark.parametrize("check", _promise_checks())
def test_the_reference_keeps_every_promise(check: str) -> None:
    for first, second in ((_reference(), _reference()), (_reference(), _reference("other"))):
        r = _run(check, first, second)
        assert r.outcome == "pass", (check, r.detail)


def test_the_reference_reports_the_unauthenticated_version_bytes_it_ignores() -> None:
    # libolm ignores a pre-key message's outer byte, libsignal the low nibble: so does the
    # reference; the spec profile allows it, the strict one does not.
    for check in (
        "prop/olm/version-bytes",
        "prop/signal/version-bytes",
        "prop/signal-pq/version-bytes",
    ):
        r = _run(check, _reference(), _reference())
        assert (r.outcome, r.behaviour) == ("pass", "accepted"), r.detail
        (strict,) = apply_profile([r], STRICT)
        assert strict.outcome == "fail"
    r = _run("prop/megolm/version-bytes", _reference(), _reference())
    assert (r.outcome, r.behaviour) == ("pass", None)


# --- 1. one-time keys ------------------------------------------------------------------------


def test_an_olm_account_that_keeps_its_one_time_keys_fails() -> None:
    bad = _broken("keeps-keys", "olm", MockKeepsOneTimeKeys(reference_primitives()))
    r = _run("prop/olm/one-time-key-reuse", _reference(), bad)
    assert r.outcome == "fail"
    assert r.detail == "bob accepted a new session on a one-time key an earlier session had used"
    assert r.bug_types == ("REPLAY",)
    assert r.fault is not None
    assert (r.fault.party, r.fault.adapters) == ("receiver", ("keeps-keys",))
    # As the sender it is not to blame.
    assert _run("prop/olm/one-time-key-reuse", bad, _reference()).outcome == "pass"


def test_a_signal_party_that_keeps_its_one_time_prekeys_fails() -> None:
    bad = _broken("keeps-prekeys", "signal", MockKeepsPreKeys(reference_primitives()))
    r = _run("prop/signal/one-time-key-reuse", _reference(), bad)
    assert r.outcome == "fail"
    assert r.detail == "bob's bundle still offers one-time pre-key 10 after a session used it"
    assert r.fault is not None
    assert (r.fault.party, r.fault.adapters) == ("receiver", ("keeps-prekeys",))


# --- 2. identity key change ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("placement", "detail"),
    [
        ("first", "alice, with a session with bob, accepted a bundle for bob under another "),
        ("second", "bob, with a session with alice, accepted a PreKeySignalMessage from "),
    ],
)
def test_trusting_every_identity_key_fails(placement: str, detail: str) -> None:
    bad = _broken("trusts-all", "signal", MockTrustsEveryIdentity(reference_primitives()))
    first, second = (bad, _reference()) if placement == "first" else (_reference(), bad)
    r = _run("prop/signal/identity-key-change", first, second)
    assert r.outcome == "fail"
    assert r.detail is not None
    assert r.detail.startswith(detail), r.detail
    assert r.bug_types == ("AUTH_BYPASS",)
    assert r.fault is not None
    assert (r.fault.party, r.fault.adapters) == ("receiver", ("trusts-all",))


# --- 3. version bytes ------------------------------------------------------------------------


def test_an_unauthenticated_version_byte_fails() -> None:
    bad = _broken("version-mac", "signal", MockHardCodedVersionMac(reference_primitives()))
    r = _run("prop/signal/version-bytes", _reference(), bad)
    assert r.outcome == "fail"
    assert r.detail == (
        "bob accepted a first message's embedded message with version byte 0x30 (it speaks 0x33)"
    )
    assert r.bug_types == ("MODIFIED_PARAMETER",)
    assert r.fault is not None
    assert (r.fault.party, r.fault.adapters) == ("receiver", ("version-mac",))


# --- 4. identity binding, judged -------------------------------------------------------------


def test_a_shared_identity_binding_bug_passes_the_pair_but_not_the_judge() -> None:
    bad = _broken("unbound", "olm", MockOlmUnboundIdentity(reference_primitives()))
    # Talking to itself, the existing property cannot see it ...
    assert _run("prop/olm/identity-binding", bad, bad).outcome == "pass"
    # ... the judged one can, whichever side it is on. (It cannot accept a swapped message
    # from a sound sender: it cannot even read the genuine one, which is what it is charged
    # with as a receiver.)
    r = _run("prop/olm/identity-binding-judged", bad, bad)
    assert r.outcome == "fail"
    assert r.detail is not None
    assert r.detail.startswith("the reference refused alice's genuine first message"), r.detail
    assert r.fault is not None
    assert (r.fault.party, r.fault.adapters) == ("sender", ("unbound",))
    r = _run("prop/olm/identity-binding-judged", _reference(), bad)
    assert r.outcome == "fail"
    assert r.detail is not None
    assert r.detail.startswith("bob refused the reference's genuine first message"), r.detail
    assert r.fault is not None
    assert (r.fault.party, r.fault.adapters) == ("receiver", ("unbound",))
    assert r.bug_types == ("AUTH_BYPASS",)


def test_a_judge_that_accepts_the_swapped_message_blames_the_sender() -> None:
    # If the judge reads A's swapped message, A's message was not bound to its identity.
    lax = MockOlmUnboundIdentity(reference_primitives())
    with mock.patch.object(promises, "judge", return_value=lax):
        r = _run("prop/olm/identity-binding-judged", _reference("a"), _reference("b"))
    assert r.outcome == "fail"
    assert r.detail is not None
    assert r.detail.startswith("the reference refused alice's genuine first message"), r.detail
    assert r.fault is not None
    assert (r.fault.party, r.fault.adapters) == ("sender", ("a",))


# --- 5. signed pre-key signature -------------------------------------------------------------


def test_skipping_the_signed_prekey_signature_check_fails() -> None:
    bad = _broken("no-signature", "signal", MockSkipsSignatureCheck(reference_primitives()))
    r = _run("prop/signal/signed-prekey-signature", bad, _reference())
    assert r.outcome == "fail"
    assert r.detail is not None
    assert r.detail.startswith("alice accepted a bundle whose signed pre-key signature was bit ")
    assert r.bug_types == ("AUTH_BYPASS",)
    assert r.fault is not None
    assert (r.fault.party, r.fault.adapters) == ("receiver", ("no-signature",))
    # As Bob, it publishes sound bundles: no fault.
    assert _run("prop/signal/signed-prekey-signature", _reference(), bad).outcome == "pass"
