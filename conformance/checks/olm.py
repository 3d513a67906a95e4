"""Known-answer checks of the ``olm`` family (libolm docs/olm.md), played as scenarios.

``OlmSession`` plays both parties on the implementation under test and compares every message
byte for byte, so it needs ``olm-send`` (the randomness injected). ``OlmReceive`` plays only Bob,
who holds fixed keys and receives Alice's messages as given: every implementation of ``olm`` can
run it, whatever its source of randomness.
"""

from __future__ import annotations

from typing import cast

from ..capabilities.olm import Olm
from ..errors import ProtocolError
from ..model import Case, Group, Step
from . import CheckFn, Verdict
from .scenario import Outcome, StepFn, play, setup_refusals

__all__ = ["CHECKS", "OlmParties"]


class OlmParties:
    """The two parties' states while a scenario plays: accounts and current sessions."""

    def __init__(self, impl: Olm) -> None:
        self.impl = impl
        self.accounts: dict[str, bytes] = {}
        self.sessions: dict[str, bytes] = {}
        #: Each party's view of the other's Curve25519 identity key.
        self.peer_identity: dict[str, bytes] = {}

    def account(self, party: str, ed25519_seed: bytes, curve25519: bytes) -> bytes:
        self.accounts[party] = self.impl.olm_account(ed25519_seed, curve25519)
        return self.impl.olm_identity_keys(self.accounts[party])

    def add_key(self, party: str, kind: str, private: bytes) -> bytes:
        add = (
            self.impl.olm_add_fallback_key if kind == "fallback" else self.impl.olm_add_one_time_key
        )
        added = add(self.accounts[party], private)
        self.accounts[party] = added["account"]
        return added["key"]

    def ops(self) -> dict[str, StepFn]:
        return {"encrypt": self.encrypt, "inbound": self.inbound, "decrypt": self.decrypt}

    def refused(self, step: Step, error: ProtocolError) -> None:
        """A refused ``inbound`` returns the account, a refused ``decrypt`` the session."""
        assert error.state is not None
        if step.op == "inbound":
            self.accounts[step.party] = error.state
        elif step.op == "decrypt":
            self.sessions[step.party] = error.state

    def encrypt(self, step: Step) -> Outcome:
        sent = self.impl.olm_encrypt(
            self.sessions[step.party], step.bytes("plaintext"), step.bytes("ratchetKey", b"")
        )
        self.sessions[step.party] = sent["session"]
        return Outcome((sent["type"], sent["message"]), (step.int("type"), step.bytes("message")))

    def inbound(self, step: Step) -> Outcome:
        made = self.impl.olm_inbound(
            self.accounts[step.party], self.peer_identity[step.party], step.bytes("message")
        )
        self.accounts[step.party] = made["account"]
        self.sessions[step.party] = made["session"]
        return Outcome(made["plaintext"], step.bytes("plaintext"))

    def decrypt(self, step: Step) -> Outcome:
        got = self.impl.olm_decrypt(
            self.sessions[step.party], step.int("type"), step.bytes("message")
        )
        self.sessions[step.party] = got["session"]
        return Outcome(got["plaintext"], step.bytes("plaintext"))


def _setup_failure(what: str, expected: bytes, got: bytes) -> Verdict:
    return Verdict("fail", f"{what}: expected {expected.hex()}, got {got.hex()}")


@setup_refusals
def olm_session(group: Group, case: Case, impl: object) -> Verdict:
    """Both parties on one implementation, every random value injected (docs/olm.md "Initial
    setup", "Advancing the root key", "Advancing the chain key", "Creating messages")."""
    parties = OlmParties(cast(Olm, impl))
    for party in ("alice", "bob"):
        keys = parties.account(
            party, case.bytes(f"{party}Ed25519Seed"), case.bytes(f"{party}Curve25519")
        )
        if keys != case.bytes(f"{party}IdentityKeys"):
            return _setup_failure(
                f"{party}'s identity keys", case.bytes(f"{party}IdentityKeys"), keys
            )
    alice_ik, bob_ik = case.bytes("aliceIdentityKeys")[:32], case.bytes("bobIdentityKeys")[:32]
    parties.peer_identity = {"alice": bob_ik, "bob": alice_ik}
    otk = parties.add_key("bob", case.str("bobKeyKind"), case.bytes("bobOneTimeKey"))
    if otk != case.bytes("bobOneTimeKeyPublic"):
        return _setup_failure("Bob's one-time key", case.bytes("bobOneTimeKeyPublic"), otk)
    parties.sessions["alice"] = parties.impl.olm_outbound(
        parties.accounts["alice"], bob_ik, otk, case.bytes("baseKey"), case.bytes("ratchetKey")
    )
    return play(case, case.steps(), parties.ops(), parties.refused)


@setup_refusals
def olm_receive(group: Group, case: Case, impl: object) -> Verdict:
    """Bob's side only: his account from fixed keys, Alice's messages as given (docs/olm.md
    "Initial setup", "Decrypting messages")."""
    parties = OlmParties(cast(Olm, impl))
    parties.account("bob", case.bytes("bobEd25519Seed"), case.bytes("bobCurve25519"))
    parties.add_key("bob", case.str("bobKeyKind"), case.bytes("bobOneTimeKey"))
    parties.peer_identity = {"bob": case.bytes("aliceIdentityKey")}
    return play(case, case.steps(), parties.ops(), parties.refused)


CHECKS: dict[str, CheckFn] = {
    "OlmSession": olm_session,
    "OlmReceive": olm_receive,
}
