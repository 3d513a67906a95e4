"""Known-answer checks of the ``signal-pq`` family: current Signal as libsignal 0.103 runs it.

No implementation of current Signal that is not written here takes injected randomness
(libsignal draws its own), so nothing an implementation sends is compared byte for byte: the
checks are on the receive side (``SignalPqReceive``: Bob decrypts a first flight given byte for
byte) and on what Alice accepts (``SignalPqBundle``: a published bundle checked as PQXDH §3.3
requires). Both run on every implementation of ``signal-pq``.
"""

from __future__ import annotations

from typing import cast

from ..capabilities.signal_pq import SignalPq
from ..errors import ProtocolError
from ..model import Case, Group, Step
from . import CheckFn, Verdict
from .scenario import Outcome, StepFn, play, setup_refusals

__all__ = ["CHECKS"]


def device(impl: SignalPq, case: Case, party: str) -> bytes:
    """The party's device from the case's keys (``<party>IdentityPrivate`` and the rest)."""
    return impl.signal_pq_party(
        case.bytes(f"{party}IdentityPrivate"),
        case.int(f"{party}RegistrationId"),
        case.int(f"{party}SignedPreKeyId"),
        case.bytes(f"{party}SignedPreKeyPrivate"),
        case.int(f"{party}PreKeyId"),
        case.bytes(f"{party}PreKeyPrivate"),
        case.int(f"{party}KyberPreKeyId"),
        case.bytes(f"{party}KyberPreKeySecret"),
        bool(case.int(f"{party}KyberLastResort")),
        case.bytes(f"{party}SignatureRandom"),
    )


class _Receiver:
    def __init__(self, impl: SignalPq, party: bytes) -> None:
        self.impl = impl
        self.party = party

    def ops(self) -> dict[str, StepFn]:
        return {"decrypt": self.decrypt}

    def refused(self, step: Step, error: ProtocolError) -> None:
        """A refused ``decrypt`` returns the device's state as it stands after it."""
        if error.state is not None:
            self.party = error.state

    def decrypt(self, step: Step) -> Outcome:
        got = self.impl.signal_pq_decrypt(
            self.party,
            step.int("type"),
            step.bytes("message"),
            step.bytes("ratchetKey", b""),
            step.bytes("random", b""),
        )
        self.party = got["party"]
        return Outcome(got["plaintext"], step.bytes("plaintext"))


@setup_refusals
def signal_pq_receive(group: Group, case: Case, impl: object) -> Verdict:
    """Bob's side only (PQXDH §3.4; Double Ratchet §3.5 and §5; libsignal session_cipher.rs
    for version 4): his device from fixed keys, Alice's messages as given."""
    signal = cast(SignalPq, impl)
    receiver = _Receiver(signal, device(signal, case, "bob"))
    return play(case, case.steps(), receiver.ops(), receiver.refused)


@setup_refusals
def signal_pq_bundle(group: Group, case: Case, impl: object) -> Verdict:
    """Alice initiates from a published bundle (PQXDH §3.3: she verifies both pre-key
    signatures and aborts if either fails). Setting her device up must succeed; the
    initiation is judged by the case's result."""
    signal = cast(SignalPq, impl)
    alice = device(signal, case, "alice")

    def initiate(step: Step) -> Outcome:
        signal.signal_pq_initiate(
            alice,
            case.int("bobRegistrationId"),
            case.bytes("bobIdentityKey"),
            case.int("bobSignedPreKeyId"),
            case.bytes("bobSignedPreKey"),
            case.bytes("bobSignedPreKeySignature"),
            case.int("bobPreKeyId"),
            case.bytes("bobPreKey"),
            case.int("bobKyberPreKeyId"),
            case.bytes("bobKyberPreKey"),
            case.bytes("bobKyberPreKeySignature"),
            case.bytes("baseKey"),
            case.bytes("ratchetKey"),
            case.bytes("kyberRandom"),
            case.bytes("pqRandom"),
        )
        return Outcome()

    only = Step("initiate", "alice", {})
    return play(case, (only,), {"initiate": initiate})


CHECKS: dict[str, CheckFn] = {
    "SignalPqReceive": signal_pq_receive,
    "SignalPqBundle": signal_pq_bundle,
}
