"""Known-answer checks of the ``megolm`` family (libolm docs/megolm.md), played as scenarios.

Megolm needs no randomness once the initial ratchet and the signing key are chosen, so every
implementation of ``megolm`` runs both the sending and the receiving checks.
"""

from __future__ import annotations

from typing import cast

from ..capabilities.megolm import Megolm
from ..errors import ProtocolError
from ..model import Case, Group, Step
from . import CheckFn, Verdict
from .scenario import Outcome, StepFn, play, setup_refusals

__all__ = ["CHECKS", "MegolmParties"]


class MegolmParties:
    """The sessions of a Megolm scenario by party: ``sender`` holds the outbound session, any
    other party an inbound one."""

    def __init__(self, impl: Megolm) -> None:
        self.impl = impl
        self.sessions: dict[str, bytes] = {}

    def ops(self) -> dict[str, StepFn]:
        return {
            "encrypt": self.encrypt,
            "inbound": self.inbound,
            "import": self.import_,
            "decrypt": self.decrypt,
            "export": self.export,
        }

    def refused(self, step: Step, error: ProtocolError) -> None:
        """A refused ``decrypt`` returns the inbound session as it stands after it."""
        assert error.state is not None
        if step.op == "decrypt":
            self.sessions[step.party] = error.state

    def encrypt(self, step: Step) -> Outcome:
        sent = self.impl.megolm_encrypt(self.sessions[step.party], step.bytes("plaintext"))
        self.sessions[step.party] = sent["session"]
        return Outcome(sent["message"], step.bytes("message"))

    def inbound(self, step: Step) -> Outcome:
        self.sessions[step.party] = self.impl.megolm_inbound(step.bytes("key"))
        return Outcome()

    def import_(self, step: Step) -> Outcome:
        self.sessions[step.party] = self.impl.megolm_import(step.bytes("key"))
        return Outcome()

    def decrypt(self, step: Step) -> Outcome:
        got = self.impl.megolm_decrypt(self.sessions[step.party], step.bytes("message"))
        self.sessions[step.party] = got["session"]
        return Outcome(
            (got["index"], got["plaintext"]), (step.int("index"), step.bytes("plaintext"))
        )

    def export(self, step: Step) -> Outcome:
        exported = self.impl.megolm_export(self.sessions[step.party], step.int("index"))
        return Outcome(exported, step.bytes("exported"))


@setup_refusals
def megolm_session(group: Group, case: Case, impl: object) -> Verdict:
    """The outbound session from fixed values: its session key (docs/megolm.md "Session
    sharing format"), its messages ("Message format"), and their decryption by an inbound
    session made from that key."""
    parties = MegolmParties(cast(Megolm, impl))
    sender = parties.impl.megolm_outbound(case.bytes("ratchet"), case.bytes("signingSeed"))
    parties.sessions["sender"] = sender
    key = parties.impl.megolm_session_key(sender)
    if key != case.bytes("sessionKey"):
        return Verdict(
            "fail", f"session key: expected {case.bytes('sessionKey').hex()}, got {key.hex()}"
        )
    return play(case, case.steps(), parties.ops(), parties.refused)


@setup_refusals
def megolm_receive(group: Group, case: Case, impl: object) -> Verdict:
    """The receiving side: session keys and exports given byte for byte, then decryption and
    export at chosen indices (docs/megolm.md "The Megolm ratchet algorithm", "Message
    format", "Session export format")."""
    parties = MegolmParties(cast(Megolm, impl))
    return play(case, case.steps(), parties.ops(), parties.refused)


CHECKS: dict[str, CheckFn] = {
    "MegolmSession": megolm_session,
    "MegolmReceive": megolm_receive,
}
