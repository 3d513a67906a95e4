"""Broken variants of current Signal (family ``signal-pq``): the suite's reference
(``SignalPqReference``) with one behaviour changed, shared by the tables of
tests/test_kat_kinds_catch_broken.py (``SIGNAL_PQ_BREAKS``, the known-answer kinds) and
tests/test_scenarios_catch_broken.py (pair scenarios and properties)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpers import reference_primitives
from katbreak import Caps, KatBreak

from conformance.capabilities.signal import SignalDecrypted
from conformance.reference.cbc_hmac import MessageKeys
from conformance.reference.primitives import Primitives
from conformance.reference.signal import SignalReference
from conformance.reference.signal_pq import SignalPqReference

__all__ = [
    "SIGNAL_PQ_BREAKS",
    "MockSignalPqHardCodedVersionMac",
    "MockSignalPqKyberLeftOut",
    "MockSignalPqKyberSignatureUnchecked",
    "MockSignalPqOneTimeKyberKept",
    "MockSignalPqRemembersMessages",
    "MockSignalPqSpqrKeyIgnored",
    "pq_variant",
]


def pq_variant(mock: type[SignalReference]) -> type[SignalPqReference]:
    """A classic Signal variant's one change, made to the current Signal reference (which
    keeps the classic reference's hooks: ``SignalPqReference`` subclasses it)."""
    return type(f"{mock.__name__}Pq", (mock, SignalPqReference), {"__doc__": mock.__doc__})


class MockSignalPqKyberLeftOut(SignalPqReference):
    """PQXDH without the Kyber shared secret: SK from the X3DH part alone. Breaks PQXDH §3.3
    (SK = KDF(DH1 || DH2 || DH3 || DH4 || SS))."""

    def pqxdh_secret(self, x3dh_secret: bytes, kyber_secret: bytes) -> bytes:
        return x3dh_secret


class MockSignalPqSpqrKeyIgnored(SignalPqReference):
    """Derives message keys without the SPQR key (as version 3 did). Breaks the triple
    ratchet (Double Ratchet revision 4 §5: every message key mixes in the SPQR key)."""

    def message_keys(self, seed: bytes, pq_key: bytes | None) -> MessageKeys:
        return super().message_keys(seed, None)


class MockSignalPqKyberSignatureUnchecked(SignalPqReference):
    """Verifies the signed pre-key's signature but accepts any on the Kyber pre-key. Breaks
    PQXDH §3.3 (Alice verifies both signatures and aborts if either fails)."""

    def prekey_signature_ok(self, identity: bytes, key: bytes, signature: bytes) -> bool:
        return key[:1] == b"\x08" or super().prekey_signature_ok(identity, key, signature)


class MockSignalPqOneTimeKyberKept(SignalPqReference):
    """Keeps a one-time Kyber pre-key after use, as if it were last-resort: a second session
    on it is accepted. Breaks PQXDH §3.4 (Bob deletes a one-time pre-key once used)."""

    def signal_pq_party(self, *args: Any, **kwargs: Any) -> bytes:
        fields = list(args)
        if len(fields) > 8:
            fields[8] = True
        if "kyber_last_resort" in kwargs:
            kwargs["kyber_last_resort"] = True
        return super().signal_pq_party(*fields, **kwargs)


class MockSignalPqRemembersMessages(SignalPqReference):
    """Remembers every message it decrypted, with its plaintext, in the object (hidden state
    across every party it holds), and answers a copy from memory. A classic variant that only
    keeps message keys is not enough here: SPQR hands out each of its keys once (spqr
    ``chain.rs`` KeyAlreadyRequested), so a replay is refused there too. Breaks Double Ratchet
    §3.5 and libsignal's DuplicatedMessage."""

    def __init__(self, primitives: Primitives) -> None:
        super().__init__(primitives)
        self._seen: dict[bytes, bytes] = {}

    def signal_pq_decrypt(
        self, party: bytes, type: int, message: bytes, ratchet_key: bytes, pq_random: bytes
    ) -> SignalDecrypted:
        if message in self._seen:
            return {"party": party, "plaintext": self._seen[message]}
        got = super().signal_pq_decrypt(party, type, message, ratchet_key, pq_random)
        self._seen[message] = got["plaintext"]
        return got


class MockSignalPqHardCodedVersionMac(SignalPqReference):
    """Computes and checks the MAC as if the version byte were always 0x44, so the byte is
    not authenticated (the TypeScript port's way with 0x33)."""

    def mac_input(self, sender_identity: bytes, receiver_identity: bytes, body: bytes) -> bytes:
        return super().mac_input(sender_identity, receiver_identity, b"\x44" + body[1:])


def _caps(cls: type[SignalPqReference]) -> Callable[[], Caps]:
    return lambda: {"signal-pq": cls(reference_primitives())}


RECEIVE = "signal-pq/signal_pq_receive_test.json"
BUNDLE = "signal-pq/signal_pq_bundle_test.json"

SIGNAL_PQ_BREAKS: list[KatBreak] = [
    KatBreak(
        "SignalPqReceive",
        RECEIVE,
        _caps(SignalPqReference),
        _caps(MockSignalPqKyberLeftOut),
        "three pre-key messages in order",
        "MockSignalPqKyberLeftOut",
    ),
    KatBreak(
        "SignalPqReceive",
        RECEIVE,
        _caps(SignalPqReference),
        _caps(MockSignalPqSpqrKeyIgnored),
        "RecordedFromLibsignal",
        "MockSignalPqSpqrKeyIgnored",
    ),
    KatBreak(
        "SignalPqReceive",
        RECEIVE,
        _caps(SignalPqReference),
        _caps(MockSignalPqRemembersMessages),
        "the first pre-key message delivered twice",
        "MockSignalPqRemembersMessages",
    ),
    KatBreak(
        "SignalPqBundle",
        BUNDLE,
        _caps(SignalPqReference),
        _caps(MockSignalPqKyberSignatureUnchecked),
        "the Kyber pre-key's signature with a bit flipped",
        "MockSignalPqKyberSignatureUnchecked",
    ),
]
