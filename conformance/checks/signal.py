"""Known-answer checks of the ``signal`` family: the classic Signal protocol (X3DH, the Double
Ratchet, the version-3 wire format), sender keys, safety numbers and X3DH alone.

``SignalSession`` plays both devices on the implementation under test and compares every message
byte for byte, so it needs ``signal-send`` (the randomness injected). ``SignalReceive`` plays only
Bob, who decrypts Alice's messages as given: every implementation of ``signal`` runs it.
"""

from __future__ import annotations

from typing import cast

from ..capabilities.signal import Signal, SignalFingerprint, SignalGroup, X3dh
from ..errors import ProtocolError
from ..model import Case, Group, Step
from . import CheckFn, Verdict, attempt, first_failure, judge
from .scenario import Outcome, StepFn, play, setup_refusals

__all__ = ["CHECKS", "SignalParties"]

_BUNDLE_FIELDS = (
    ("identity_key", "bobIdentityKey"),
    ("signed_prekey", "bobSignedPreKey"),
    ("signed_prekey_signature", "bobSignedPreKeySignature"),
    ("prekey", "bobPreKey"),
)


class SignalParties:
    """The devices of a scenario and Bob's bundle as Alice received it."""

    def __init__(self, impl: Signal, case: Case) -> None:
        self.impl = impl
        self.case = case
        self.parties: dict[str, bytes] = {}

    def device(self, party: str) -> None:
        c = self.case
        self.parties[party] = self.impl.signal_party(
            c.bytes(f"{party}IdentityPrivate"),
            c.int(f"{party}RegistrationId"),
            c.int(f"{party}SignedPreKeyId"),
            c.bytes(f"{party}SignedPreKeyPrivate"),
            c.bytes(f"{party}SignatureRandom"),
            c.int(f"{party}PreKeyId"),
            c.bytes(f"{party}PreKeyPrivate"),
        )

    def ops(self) -> dict[str, StepFn]:
        return {"initiate": self.initiate, "encrypt": self.encrypt, "decrypt": self.decrypt}

    def refused(self, step: Step, error: ProtocolError) -> None:
        """A refused ``decrypt`` returns the device's state as it stands after it."""
        assert error.state is not None
        if step.op == "decrypt":
            self.parties[step.party] = error.state

    def initiate(self, step: Step) -> Outcome:
        """Alice's session from Bob's bundle as published, with the signature the step gives
        (a tampered one in the invalid cases)."""
        bundle = self.impl.signal_bundle(self.parties["bob"])
        self.parties[step.party] = self.impl.signal_initiate(
            self.parties[step.party],
            bundle["registration_id"],
            bundle["identity_key"],
            bundle["signed_prekey_id"],
            bundle["signed_prekey"],
            step.bytes("key"),
            bundle["prekey_id"],
            bundle["prekey"],
            self.case.bytes("baseKey"),
            step.bytes("ratchetKey"),
        )
        return Outcome()

    def encrypt(self, step: Step) -> Outcome:
        sent = self.impl.signal_encrypt(self.parties[step.party], step.bytes("plaintext"))
        self.parties[step.party] = sent["party"]
        return Outcome((sent["type"], sent["message"]), (step.int("type"), step.bytes("message")))

    def decrypt(self, step: Step) -> Outcome:
        got = self.impl.signal_decrypt(
            self.parties[step.party],
            step.int("type"),
            step.bytes("message"),
            step.bytes("ratchetKey", b""),
        )
        self.parties[step.party] = got["party"]
        return Outcome(got["plaintext"], step.bytes("plaintext"))


@setup_refusals
def signal_session(group: Group, case: Case, impl: object) -> Verdict:
    """Both devices on one implementation (X3DH §3; Double Ratchet §3, §5.2; libsignal
    protocol.rs for the version-3 messages)."""
    parties = SignalParties(cast(Signal, impl), case)
    parties.device("alice")
    parties.device("bob")
    bundle = parties.impl.signal_bundle(parties.parties["bob"])
    for name, field in _BUNDLE_FIELDS:
        got = bundle[name]  # type: ignore[literal-required]
        if got != case.bytes(field):
            return Verdict(
                "fail", f"Bob's bundle {name}: expected {case.bytes(field).hex()}, got {got.hex()}"
            )
    return play(case, case.steps(), parties.ops(), parties.refused)


@setup_refusals
def signal_receive(group: Group, case: Case, impl: object) -> Verdict:
    """Bob's side only: his device from fixed keys, Alice's messages as given."""
    parties = SignalParties(cast(Signal, impl), case)
    parties.device("bob")
    return play(case, case.steps(), parties.ops(), parties.refused)


class SenderKeyParties:
    def __init__(self, impl: SignalGroup) -> None:
        self.impl = impl
        self.states: dict[str, bytes] = {}

    def ops(self) -> dict[str, StepFn]:
        return {"encrypt": self.encrypt, "join": self.join, "decrypt": self.decrypt}

    def encrypt(self, step: Step) -> Outcome:
        sent = self.impl.signal_group_encrypt(
            self.states[step.party], step.bytes("plaintext"), step.bytes("random")
        )
        self.states[step.party] = sent["state"]
        return Outcome(sent["message"], step.bytes("message"))

    def join(self, step: Step) -> Outcome:
        self.states[step.party] = self.impl.signal_group_join(step.bytes("key"))
        return Outcome()

    def decrypt(self, step: Step) -> Outcome:
        got = self.impl.signal_group_decrypt(self.states[step.party], step.bytes("message"))
        self.states[step.party] = got["state"]
        return Outcome(got["plaintext"], step.bytes("plaintext"))


@setup_refusals
def sender_key(group: Group, case: Case, impl: object) -> Verdict:
    """Sender keys (libsignal sender_keys.rs / group_cipher.rs, classic version 3)."""
    parties = SenderKeyParties(cast(SignalGroup, impl))
    created = parties.impl.signal_group_create(
        case.int("keyId"),
        case.int("iteration"),
        case.bytes("chainKey"),
        case.bytes("signingPrivate"),
    )
    if created["distribution"] != case.bytes("distribution"):
        return Verdict(
            "fail",
            f"distribution message: expected {case.bytes('distribution').hex()}, "
            f"got {created['distribution'].hex()}",
        )
    parties.states["sender"] = created["state"]
    return play(case, case.steps(), parties.ops())


def fingerprint(group: Group, case: Case, impl: object) -> Verdict:
    """The displayable safety number (libsignal fingerprint.rs)."""
    f = cast(SignalFingerprint, impl)
    got = attempt(
        f.signal_fingerprint,
        group.int("iterations"),
        case.bytes("localId"),
        case.bytes("localKey"),
        case.bytes("remoteId"),
        case.bytes("remoteKey"),
    )
    return judge(case, got, case.str("display").encode("ascii"), "signal_fingerprint")


def x3dh(group: Group, case: Case, impl: object) -> Verdict:
    """X3DH §3.3: Alice's and Bob's SK must both equal sk."""
    x = cast(X3dh, impl)
    alice = attempt(
        x.x3dh_initiate,
        case.bytes("aliceIdentityPrivate"),
        case.bytes("ephemeralPrivate"),
        case.bytes("bobIdentityKey"),
        case.bytes("signedPreKey"),
        case.bytes("preKey"),
    )
    bob = attempt(
        x.x3dh_respond,
        case.bytes("bobIdentityPrivate"),
        case.bytes("signedPreKeyPrivate"),
        case.bytes("preKeyPrivate"),
        case.bytes("aliceIdentityKey"),
        case.bytes("ephemeralKey"),
    )
    sk = case.bytes("sk")
    return first_failure(
        judge(case, alice, sk, "x3dh_initiate"), judge(case, bob, sk, "x3dh_respond")
    )


CHECKS: dict[str, CheckFn] = {
    "SignalSession": signal_session,
    "SignalReceive": signal_receive,
    "SenderKeyTest": sender_key,
    "FingerprintTest": fingerprint,
    "X3dhTest": x3dh,
}
