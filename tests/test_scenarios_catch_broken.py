"""Every pair scenario and every safety property can fail: one table, one row per broken variant.

A row names a check (``pair/<family>/<scenario>`` or ``prop/<family>/<property>``, as
:func:`conformance.interop.scenarios` lists them), a deliberately broken implementation (named
Mock*: the suite's reference with one behaviour changed, a hook overridden or a wrapper with
hidden in-process state) and where it plays: as the first party (A: Alice, the Megolm session's
owner), the second (B: Bob, the receiver) or both. The test plays the check on the same input
twice, with the same seed and the same adapter names (so the same keys and plaintexts): the
healthy reference in both places passes, the broken one in its place fails.

``test_every_scenario_has_a_broken_variant`` keeps the table complete: a new pair scenario or
property without a row that is caught fails it. A check a family does not offer by design
(Megolm post-compromise security) is exempt, labelled in :data:`BY_DESIGN`.

Checks that had no broken-variant test before this table: pair/olm/{out-of-order,
lost-messages, fallback-key, skipped-keys-across-chains}, pair/signal/{no-one-time-prekey,
out-of-order, lost-messages, sender-keys}, every pair/megolm/* scenario, prop/olm/{reordering,
identity-binding, random-conversation}, every prop/signal/* property and every prop/megolm/* one.
Rows marked xfail name what a check cannot catch yet (see their reasons).

All of it runs in-process on the reference (a few seconds in all); the slowest rows are the
skip-limit ones, whose broken receivers derive 200,000 keys on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import pytest
from helpers import adapter_from, reference_primitives
from mls_breaks import (
    MockMlsGroupConfirmationTagUnchecked,
    MockMlsGroupExportsWrongly,
    MockMlsGroupKeepsOldEpochs,
    MockMlsGroupMembershipTagUnchecked,
    MockMlsGroupMisreadsApplication,
    MockMlsGroupNoSkippedKeys,
    MockMlsGroupParserCrashes,
    MockMlsGroupPoisonedByRefusal,
    MockMlsGroupRemovesNobody,
    MockMlsGroupRereadsGenerations,
    MockMlsGroupUpdateWithoutPath,
)
from signal_pq_breaks import (
    MockSignalPqHardCodedVersionMac,
    MockSignalPqKyberLeftOut,
    MockSignalPqKyberSignatureUnchecked,
    MockSignalPqOneTimeKyberKept,
    MockSignalPqRemembersMessages,
    MockSignalPqSpqrKeyIgnored,
)
from signal_pq_breaks import pq_variant as _pq
from test_kat_kinds_catch_broken import (
    MockMegolmExportIgnoresIndex,
    MockMegolmRatchetStuck,
    MockMegolmSignatureNotChecked,
    MockOlmChainKeyStuck,
    MockOlmIdentityFieldNotChecked,
    MockOlmMacNotChecked,
    MockOlmNoGapLimit,
    MockSenderKeyAcceptsReplay,
    MockSignalKeepsSkippedKeys,
    MockSignalMacNotChecked,
    MockSignalNoDh3,
)
from test_promises import (
    MockHardCodedVersionMac,
    MockKeepsOneTimeKeys,
    MockKeepsPreKeys,
    MockOlmUnboundIdentity,
    MockSkipsSignatureCheck,
    MockTrustsEveryIdentity,
)
from test_properties import MockSendingChainNeverTurns

from conformance.adapter import LoadedAdapter
from conformance.capabilities.megolm import MegolmDecrypted
from conformance.capabilities.olm import OlmDecrypted
from conformance.errors import DuplicateMessage, InvalidMessage
from conformance.interop import PairScenario, PairTask, run_pair, scenarios
from conformance.reference.megolm import (
    MegolmRatchet,
    MegolmReference,
    advance_to,
)
from conformance.reference.mls.group_api import MlsGroupReference
from conformance.reference.olm import KeyPair, OlmLimits, OlmReference, _Account
from conformance.reference.olm import SkippedKey as OlmSkippedKey
from conformance.reference.primitives import Primitives
from conformance.reference.sender_keys import SignalGroupReference
from conformance.reference.signal import SignalLimits, SignalReference
from conformance.reference.signal import SkippedKey as SignalSkippedKey
from conformance.reference.signal import _Session as _SignalSession
from conformance.reference.signal_pq import SignalPqReference
from conformance.reference.signal_wire import SignalMessage
from conformance.registry import known_manifests
from conformance.results import CheckResult

#: The run seed of every row (any seed would do: the healthy run must pass with it too).
SEED = 20240611

Placement = Literal["first", "second", "third", "both"]

# --- broken variants: Olm (libolm docs/olm.md) -----------------------------------------------


class MockOlmRemembersEveryKey(OlmReference):
    """Keeps every message key that decrypted a message, in order or skipped, among its
    skipped keys: whatever it decrypted once it decrypts again. Breaks docs/olm.md
    "Decrypting messages" (a used message key is gone; replays are refused) and forward
    secrecy."""

    def consume_message_key(
        self, skipped: list[OlmSkippedKey], used: OlmSkippedKey
    ) -> list[OlmSkippedKey]:
        rest = [k for k in skipped if (k.ratchet_key, k.index) != (used.ratchet_key, used.index)]
        return [used, *rest]


class MockOlmNoSkippedKeys(OlmReference):
    """Keeps no skipped message keys (a limit of 0): a message that arrives after a later one
    of its chain never decrypts. Breaks docs/olm.md "Decrypting messages" (the keys of
    skipped messages are kept; libolm keeps 40)."""

    def __init__(self, primitives: Primitives) -> None:
        super().__init__(primitives, OlmLimits(max_skipped_message_keys=0))


class MockOlmRefusesEveryGap(OlmReference):
    """Refuses any message whose chain index is not the next one (a gap limit of 0): one lost
    message ends the conversation. Breaks docs/olm.md "Decrypting messages" (a receiver
    advances the chain past lost messages; libolm allows a gap of 2000)."""

    def __init__(self, primitives: Primitives) -> None:
        super().__init__(primitives, OlmLimits(max_message_gap=0))


class MockOlmSmallGapLimit(OlmReference):
    """Refuses a chain index more than 16 ahead (libolm: 2000), so thirty lost messages end
    the conversation."""

    def __init__(self, primitives: Primitives) -> None:
        super().__init__(primitives, OlmLimits(max_message_gap=16))


class MockOlmFallbackKeyUnusable(OlmReference):
    """Looks a pre-key message's key up among the one-time keys only, never the fallback
    keys. Breaks libolm's fallback keys (olm_account_generate_fallback_key: a session may
    start on the current or previous fallback key)."""

    def _lookup(self, a: _Account, public: bytes) -> KeyPair:
        for pair in a.one_time_keys:
            if pair.public == public:
                return pair
        raise InvalidMessage("no such one-time key")


# --- broken variants: Signal (X3DH, Double Ratchet) ------------------------------------------


class MockSignalRemembersEveryKey(SignalReference):
    """Keeps every message key that decrypted a message among the skipped keys, in-order ones
    too: whatever it decrypted once it decrypts again. Breaks Double Ratchet §3.5 (a message
    key is deleted once used) and libsignal's DuplicatedMessage."""

    def consume_message_key(
        self, skipped: list[SignalSkippedKey], used: SignalSkippedKey
    ) -> list[SignalSkippedKey]:
        return [*(k for k in skipped if k.index != used.index), used]


class MockSignalNoSkippedKeys(SignalReference):
    """Keeps no skipped message keys (MAX_MESSAGE_KEYS 0; libsignal: 2000). Breaks Double
    Ratchet §3.5 (skipped message keys are stored until their message arrives)."""

    def __init__(self, primitives: Primitives) -> None:
        super().__init__(primitives, SignalLimits(max_message_keys=0))


class MockSignalNoForwardJumps(SignalReference):
    """Refuses any counter that is not the next one (MAX_FORWARD_JUMPS 0; libsignal:
    25,000): one lost message ends the conversation. Breaks Double Ratchet §3.5."""

    def __init__(self, primitives: Primitives) -> None:
        super().__init__(primitives, SignalLimits(max_forward_jumps=0))


class MockSignalNoJumpLimit(SignalReference):
    """No limit on a counter jump: a forged counter makes it derive (and store) keys without
    bound before the MAC is checked. Breaks libsignal's MAX_FORWARD_JUMPS (Double Ratchet §4:
    "MAX_SKIP ... protects against a denial of service")."""

    def __init__(self, primitives: Primitives) -> None:
        super().__init__(primitives, SignalLimits(max_forward_jumps=10**9))


class MockSignalDh4Required(SignalReference):
    """Uses 32 zero bytes for DH4 when the bundle has no one-time pre-key, instead of leaving
    DH4 out. Breaks Signal X3DH §3.3 (without OPK_B, SK = KDF(DH1 || DH2 || DH3))."""

    def x3dh_secret(self, dh1: bytes, dh2: bytes, dh3: bytes, dh4: bytes | None) -> bytes:
        return super().x3dh_secret(dh1, dh2, dh3, dh4 if dh4 is not None else bytes(32))


class MockSignalSendingChainNeverTurns(SignalReference):
    """Keeps sending on its old chain after a DH ratchet step (the root key moves, the
    sending chain does not): the ratchet never turns, so a stolen state keeps reading.
    Breaks Double Ratchet §3.5 DHRatchet (a new sending chain from a new key pair)."""

    def _decrypt_state(self, s: _SignalSession, msg: SignalMessage, ratchet_key: bytes) -> bytes:
        sender, previous = s.sender, s.previous_counter
        plaintext = super()._decrypt_state(s, msg, ratchet_key)
        s.sender, s.previous_counter = sender, previous
        return plaintext


class MockSignalIdentityUnbound(SignalReference):
    """Nothing binds Alice's identity key: X3DH without DH1 = DH(IK_A, SPK_B) and a MAC
    without the identity keys. Breaks Signal X3DH §3.3 (DH1 authenticates Alice) and
    protocols.md 1.4 (the MAC covers both identity keys): the unknown key-share of X3DH §4.8."""

    def x3dh_secret(self, dh1: bytes, dh2: bytes, dh3: bytes, dh4: bytes | None) -> bytes:
        return super().x3dh_secret(b"", dh2, dh3, dh4)

    def mac_input(self, sender_identity: bytes, receiver_identity: bytes, body: bytes) -> bytes:
        return body


# --- broken variants: Megolm (libolm docs/megolm.md) -----------------------------------------


class MockMegolmForgetsEarlierIndices(MegolmReference):
    """Keeps only the latest ratchet: a message before the latest index decrypted is refused
    (libolm keeps the initial ratchet too). Breaks docs/megolm.md "Limitations"/"Message
    format" (a receiver can decrypt any message from the first index it knows)."""

    def _ratchet_for(
        self, initial: MegolmRatchet, latest: MegolmRatchet, index: int
    ) -> tuple[MegolmRatchet, bool]:
        if index >= latest.counter:
            return advance_to(self.p, latest, index), True
        raise InvalidMessage(f"message index {index} is before the latest one")


class MockMegolmSharesFirstIndex(MegolmReference):
    """Shares the session from index 0 whatever its current index (it remembers the first
    ratchet of every outbound session, in-process). Breaks docs/megolm.md "Session-sharing
    format" (the ratchet at the current index i) and "Limitations": a member who joins late
    reads every earlier message."""

    def __init__(self, primitives: Primitives) -> None:
        super().__init__(primitives)
        self._first: dict[bytes, bytes] = {}

    def megolm_outbound(self, ratchet: bytes, signing_seed: bytes) -> bytes:
        self._first[signing_seed] = ratchet
        return super().megolm_outbound(ratchet, signing_seed)

    def megolm_session_key(self, session: bytes) -> bytes:
        _, seed = self._outbound(session)
        first = MegolmRatchet.from_bytes(self._first[seed], 0)
        return super().megolm_session_key(self._dump_outbound(first, seed))


class MockMegolmTornDownByReplay(MegolmReference):
    """Refuses a message it has decrypted before, and from then on refuses every message
    (in-process state): a replay destroys the session. Breaks the replay property's rule
    that the session goes on after a replay (docs/megolm.md leaves replays to the
    application, but never lets one break the session)."""

    def __init__(self, primitives: Primitives) -> None:
        super().__init__(primitives)
        self._seen: set[bytes] = set()
        self._torn = False

    def megolm_decrypt(self, session: bytes, message: bytes) -> MegolmDecrypted:
        if self._torn:
            raise InvalidMessage("the session was torn down by a replay")
        if message in self._seen:
            self._torn = True
            raise DuplicateMessage("replay")
        got = super().megolm_decrypt(session, message)
        self._seen.add(message)
        return got


class MockMegolmReplayFromStaleCache(MegolmReference):
    """Answers a message it has decrypted before from a one-entry cache: the plaintext of the
    last message it decrypted, whichever message it is given again. Breaks docs/megolm.md
    "Message format": a message that decrypts decrypts to its own plaintext."""

    def __init__(self, primitives: Primitives) -> None:
        super().__init__(primitives)
        self._seen: set[bytes] = set()
        self._last: MegolmDecrypted | None = None

    def megolm_decrypt(self, session: bytes, message: bytes) -> MegolmDecrypted:
        if message in self._seen and self._last is not None:
            return {**self._last, "session": session}
        got = super().megolm_decrypt(session, message)
        self._seen.add(message)
        self._last = got
        return got


# --- the table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioBreak:
    """One broken variant of one pair scenario or property."""

    #: The check id: ``pair/<family>/<scenario>`` or ``prop/<family>/<property>``.
    check: str
    #: Builds the broken implementation of the scenario's capability.
    variant: Callable[[Primitives], object]
    #: Where it plays: A (first), B (second), or both.
    placement: Placement
    #: Text the failure's detail must contain (None: any failure).
    detail: str | None = None
    #: Why the check cannot catch it: the row is xfail(strict=True) with this reason.
    xfail: str | None = None
    #: Whether the machine shrinks a failing random conversation (the engine's setting). Every
    #: row shrinks since shrinking replays programs of at most 30 steps (it took tens of
    #: seconds under Hypothesis); off is for a row whose shrinking would be slow.
    shrink: bool = True

    @property
    def name(self) -> str:
        return getattr(self.variant, "__name__", repr(self.variant))


class MockOlmIgnoresVersion(OlmReference):
    """Reads every normal message as version 3, whatever its first byte says (the byte is then
    neither checked nor, in effect, authenticated: docs/olm.md "Normal messages")."""

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> OlmDecrypted:
        if type == 1 and message:
            message = b"\x03" + message[1:]
        return super().olm_decrypt(session, type, message)


class MockMegolmIgnoresVersion(MegolmReference):
    """Reads every Megolm message as version 3 (docs/megolm.md "Message format")."""

    def megolm_decrypt(self, session: bytes, message: bytes) -> MegolmDecrypted:
        if message:
            message = b"\x03" + message[1:]
        return super().megolm_decrypt(session, message)


#: Families whose pair scenarios keep their broken variants in a table of their own, with
#: implementations built for it (the suite has no reference of theirs to break), and there
#: check that table complete: the pq family in tests/test_pq_pairs.py (PQ_BREAKS).
OWN_TABLES: dict[str, str] = {"pq": "tests/test_pq_pairs.py"}

#: Checks whose broken variants need a real library, tested in a module of their own: sealed
#: sender, which only libsignal implements here.
OWN_TESTS: dict[str, str] = {
    "pair/signal-pq/sealed-sender": "tests/test_signal_pq_family.py",
    # Classifies a verifier by rule set: its broken variants are verifiers of no rule set.
    "prop/primitives/ed25519-rules": "tests/test_attacks_ed25519.py",
}
#: Checks a family does not offer by design: reported unsupported with the reason, never a
#: pass, so no broken variant can make them fail.
BY_DESIGN: dict[str, str] = {
    "prop/megolm/post-compromise-security": (
        "Megolm sessions do not heal (docs/megolm.md, Limitations)"
    ),
}

STOLEN_READS = "ratchet turns earlier, kept up to date with every message since, read a new message"
SKIP_SLOW = "it derives the skipped keys before it checks the message"

SCENARIO_BREAKS: list[ScenarioBreak] = [
    # --- MLS pairs
    ScenarioBreak(
        "pair/mls/welcome",
        lambda p: MockMlsGroupExportsWrongly(),
        "second",
        "export different secrets",
    ),
    ScenarioBreak(
        "pair/mls/lifecycle-public",
        lambda p: MockMlsGroupExportsWrongly(),
        "second",
        "export different secrets",
    ),
    ScenarioBreak(
        "pair/mls/lifecycle-private",
        lambda p: MockMlsGroupMisreadsApplication(),
        "first",
        "expected",
    ),
    # --- MLS groups: the odd implementation out is named by the others' agreement
    ScenarioBreak(
        "group/mls/three-members",
        lambda p: MockMlsGroupExportsWrongly(),
        "third",
        "export different secrets",
    ),
    ScenarioBreak(
        "group/mls/large",
        lambda p: MockMlsGroupMisreadsApplication(),
        "second",
        "expected",
    ),
    # --- MLS properties (conformance/properties/mls.py)
    ScenarioBreak(
        "prop/mls/forward-secrecy",
        lambda p: MockMlsGroupKeepsOldEpochs(),
        "second",
        "read a message of the old epoch it never read",
    ),
    ScenarioBreak(
        "prop/mls/forward-secrecy",
        lambda p: MockMlsGroupRereadsGenerations(),
        "second",
        "read it again",
    ),
    ScenarioBreak(
        "prop/mls/post-compromise-security",
        lambda p: MockMlsGroupUpdateWithoutPath(),
        "both",
        "stolen before A's update",
    ),
    ScenarioBreak(
        "prop/mls/removed-member",
        lambda p: MockMlsGroupRemovesNobody(),
        "first",
        "members after A removed B",
    ),
    ScenarioBreak(
        "prop/mls/replay",
        lambda p: MockMlsGroupRereadsGenerations(),
        "second",
        "a second time",
    ),
    ScenarioBreak(
        "prop/mls/tampering",
        lambda p: MockMlsGroupMembershipTagUnchecked(),
        "second",
        "single-bit flips of A's update commit (PublicMessage)",
    ),
    ScenarioBreak(
        "prop/mls/tampering",
        lambda p: MockMlsGroupPoisonedByRefusal(),
        "second",
        "a refused message changed its state",
    ),
    ScenarioBreak(
        "prop/mls/tampering",
        lambda p: MockMlsGroupParserCrashes(),
        "second",
        "failed without a refusal on",
    ),
    ScenarioBreak(
        "prop/mls/tampering-every-bit",
        lambda p: MockMlsGroupMembershipTagUnchecked(),
        "second",
        "single-bit flips of A's update commit (PublicMessage)",
    ),
    ScenarioBreak(
        "prop/mls/forged-commits",
        lambda p: MockMlsGroupConfirmationTagUnchecked(),
        "second",
        "B processed a commit whose confirmation tag is wrong",
    ),
    ScenarioBreak(
        "prop/mls/forged-commits",
        lambda p: MockMlsGroupConfirmationTagUnchecked(),
        "first",
        "A processed a commit whose confirmation tag is wrong",
    ),
    ScenarioBreak(
        "prop/mls/out-of-order",
        lambda p: MockMlsGroupNoSkippedKeys(),
        "second",
        "within the out-of-order window",
    ),
    # --- Olm pairs
    ScenarioBreak("pair/olm/converse", MockOlmChainKeyStuck, "first", "refused with"),
    ScenarioBreak("pair/olm/converse", MockOlmChainKeyStuck, "second", "refused with"),
    ScenarioBreak("pair/olm/out-of-order", MockOlmNoSkippedKeys, "second", "DuplicateMessage"),
    ScenarioBreak("pair/olm/lost-messages", MockOlmRefusesEveryGap, "second", "more than 0 ahead"),
    ScenarioBreak("pair/olm/replay-refused", MockOlmRemembersEveryKey, "second", "a second time"),
    ScenarioBreak(
        "pair/olm/fallback-key", MockOlmFallbackKeyUnusable, "second", "no such one-time key"
    ),
    ScenarioBreak(
        "pair/olm/skipped-keys-across-chains",
        MockOlmSmallGapLimit,
        "second",
        "more than 16 ahead",
    ),
    # --- Olm properties
    ScenarioBreak(
        "prop/olm/forward-secrecy",
        MockOlmRemembersEveryKey,
        "second",
        "a snapshot taken after decrypting a message read it again",
    ),
    ScenarioBreak(
        "prop/olm/post-compromise-security", MockSendingChainNeverTurns, "second", STOLEN_READS
    ),
    ScenarioBreak(
        "prop/olm/post-compromise-security", MockSendingChainNeverTurns, "first", STOLEN_READS
    ),
    ScenarioBreak("prop/olm/replay", MockOlmRemembersEveryKey, "second", "a second time"),
    ScenarioBreak(
        "prop/olm/reordering", MockOlmNoSkippedKeys, "second", "no message key left for chain"
    ),
    ScenarioBreak("prop/olm/skip-limit", MockOlmNoGapLimit, "second", SKIP_SLOW),
    ScenarioBreak("prop/olm/tampering", MockOlmMacNotChecked, "second", "bob accepted"),
    ScenarioBreak(
        "prop/olm/identity-binding",
        MockOlmIdentityFieldNotChecked,
        "second",
        "bob accepted a first message whose sender identity key was swapped",
    ),
    ScenarioBreak(
        "prop/olm/random-conversation", MockOlmRemembersEveryKey, "second", "a second time"
    ),
    ScenarioBreak("prop/olm/random-conversation", MockOlmMacNotChecked, "second", "flipped"),
    ScenarioBreak(
        "prop/olm/random-conversation",
        MockSendingChainNeverTurns,
        "both",
        "taken before the conversation healed read",
    ),
    # --- Signal pairs
    ScenarioBreak("pair/signal/converse", MockSignalNoDh3, "first", "refused with"),
    ScenarioBreak("pair/signal/converse", MockSignalNoDh3, "second", "refused with"),
    ScenarioBreak(
        "pair/signal/no-one-time-prekey", MockSignalDh4Required, "second", "refused with"
    ),
    ScenarioBreak(
        "pair/signal/out-of-order", MockSignalNoSkippedKeys, "second", "DuplicateMessage"
    ),
    ScenarioBreak(
        "pair/signal/lost-messages", MockSignalNoForwardJumps, "second", "more than 0 ahead"
    ),
    ScenarioBreak(
        "pair/signal/replay-refused", MockSignalKeepsSkippedKeys, "second", "a second time"
    ),
    ScenarioBreak(
        "pair/signal/replay-refused", MockSignalRemembersEveryKey, "second", "a second time"
    ),
    ScenarioBreak("pair/signal/sender-keys", MockSenderKeyAcceptsReplay, "second", "a second time"),
    # --- Signal properties
    ScenarioBreak(
        "prop/signal/forward-secrecy",
        MockSignalKeepsSkippedKeys,
        "second",
        "a snapshot taken after decrypting a message read it again",
    ),
    ScenarioBreak(
        "prop/signal/forward-secrecy",
        MockSignalRemembersEveryKey,
        "second",
        "a snapshot taken after decrypting a message read it again",
    ),
    ScenarioBreak(
        "prop/signal/post-compromise-security",
        MockSignalSendingChainNeverTurns,
        "second",
        STOLEN_READS,
    ),
    ScenarioBreak(
        "prop/signal/post-compromise-security",
        MockSignalSendingChainNeverTurns,
        "first",
        STOLEN_READS,
    ),
    ScenarioBreak("prop/signal/replay", MockSignalRemembersEveryKey, "second", "a second time"),
    ScenarioBreak(
        "prop/signal/reordering", MockSignalNoSkippedKeys, "second", "no message key left"
    ),
    ScenarioBreak("prop/signal/skip-limit", MockSignalNoJumpLimit, "second", SKIP_SLOW),
    ScenarioBreak("prop/signal/tampering", MockSignalMacNotChecked, "second", "bob accepted"),
    ScenarioBreak(
        "prop/signal/identity-binding",
        MockSignalIdentityUnbound,
        "both",
        "bob accepted a first message whose sender identity key was swapped",
    ),
    ScenarioBreak(
        "prop/signal/random-conversation", MockSignalRemembersEveryKey, "second", "a second time"
    ),
    ScenarioBreak(
        "prop/signal/random-conversation",
        MockSignalMacNotChecked,
        "second",
        "flipped",
    ),
    ScenarioBreak(
        "prop/signal/random-conversation",
        MockSignalSendingChainNeverTurns,
        "both",
        "taken before the conversation healed read",
    ),
    # --- current Signal pairs
    ScenarioBreak("pair/signal-pq/converse", MockSignalPqKyberLeftOut, "first", "refused with"),
    ScenarioBreak("pair/signal-pq/converse", MockSignalPqKyberLeftOut, "second", "refused with"),
    ScenarioBreak("pair/signal-pq/converse", MockSignalPqSpqrKeyIgnored, "second", "refused with"),
    ScenarioBreak(
        "pair/signal-pq/no-one-time-prekey", _pq(MockSignalDh4Required), "second", "refused with"
    ),
    ScenarioBreak(
        "pair/signal-pq/out-of-order", _pq(MockSignalNoSkippedKeys), "second", "DuplicateMessage"
    ),
    ScenarioBreak(
        "pair/signal-pq/lost-messages", _pq(MockSignalNoForwardJumps), "second", "more than 0"
    ),
    ScenarioBreak(
        "pair/signal-pq/replay-refused", MockSignalPqRemembersMessages, "second", "a second time"
    ),
    ScenarioBreak(
        "pair/signal-pq/last-resort-kyber-prekey",
        MockSignalPqKyberLeftOut,
        "second",
        "refused with",
    ),
    # --- current Signal properties
    ScenarioBreak(
        "prop/signal-pq/forward-secrecy",
        MockSignalPqRemembersMessages,
        "second",
        "a snapshot taken after decrypting a message read it again",
    ),
    ScenarioBreak(
        "prop/signal-pq/post-compromise-security",
        _pq(MockSignalSendingChainNeverTurns),
        "second",
        STOLEN_READS,
    ),
    ScenarioBreak(
        "prop/signal-pq/replay", MockSignalPqRemembersMessages, "second", "a second time"
    ),
    ScenarioBreak(
        "prop/signal-pq/reordering", _pq(MockSignalNoSkippedKeys), "second", "no message key left"
    ),
    ScenarioBreak("prop/signal-pq/skip-limit", _pq(MockSignalNoJumpLimit), "second", SKIP_SLOW),
    ScenarioBreak(
        "prop/signal-pq/tampering", _pq(MockSignalMacNotChecked), "second", "bob accepted"
    ),
    ScenarioBreak(
        "prop/signal-pq/identity-binding",
        _pq(MockSignalIdentityUnbound),
        "both",
        "bob accepted a first message whose sender identity key was swapped",
    ),
    ScenarioBreak(
        "prop/signal-pq/random-conversation",
        MockSignalPqRemembersMessages,
        "second",
        "a second time",
    ),
    ScenarioBreak(
        "prop/signal-pq/one-time-key-reuse",
        MockSignalPqOneTimeKyberKept,
        "second",
        "Kyber pre-key",
    ),
    ScenarioBreak(
        "prop/signal-pq/identity-key-change", _pq(MockTrustsEveryIdentity), "first", "another"
    ),
    ScenarioBreak(
        "prop/signal-pq/version-bytes", MockSignalPqHardCodedVersionMac, "second", "version byte"
    ),
    ScenarioBreak(
        "prop/signal-pq/identity-binding-judged",
        _pq(MockSignalIdentityUnbound),
        "both",
        "the reference",
    ),
    ScenarioBreak(
        "prop/signal-pq/signed-prekey-signature",
        MockSignalPqKyberSignatureUnchecked,
        "first",
        "Kyber pre-key signature",
    ),
    # --- Megolm pairs
    ScenarioBreak("pair/megolm/share-and-decrypt", MockMegolmRatchetStuck, "first", "got index 0"),
    ScenarioBreak(
        "pair/megolm/share-and-decrypt",
        MockMegolmForgetsEarlierIndices,
        "second",
        "is before the latest one",
    ),
    ScenarioBreak(
        "pair/megolm/export-import",
        MockMegolmExportIgnoresIndex,
        "second",
        "A (from the export) decrypted index 1",
    ),
    ScenarioBreak(
        "pair/megolm/late-joiner", MockMegolmSharesFirstIndex, "first", "B decrypted index 0"
    ),
    # --- Megolm properties
    ScenarioBreak(
        "prop/megolm/forward-secrecy",
        MockMegolmExportIgnoresIndex,
        "second",
        "an export at index 2 decrypted message 0",
    ),
    ScenarioBreak(
        "prop/megolm/forward-secrecy",
        MockMegolmRatchetStuck,
        "first",
        "not one after another",
    ),
    ScenarioBreak(
        "prop/megolm/replay", MockMegolmTornDownByReplay, "second", "torn down by a replay"
    ),
    ScenarioBreak(
        "prop/megolm/replay",
        MockMegolmReplayFromStaleCache,
        "second",
        "decrypted a replay of message",
    ),
    ScenarioBreak(
        "prop/megolm/reordering",
        MockMegolmForgetsEarlierIndices,
        "second",
        "is before the latest one",
    ),
    ScenarioBreak("prop/megolm/tampering", MockMegolmSignatureNotChecked, "second", "bob accepted"),
    ScenarioBreak(
        "prop/megolm/random-conversation", MockMegolmSignatureNotChecked, "second", "flipped"
    ),
    # The promise properties (conformance.properties.promises; more in tests/test_promises.py).
    ScenarioBreak("prop/olm/one-time-key-reuse", MockKeepsOneTimeKeys, "second", "one-time key"),
    ScenarioBreak("prop/signal/one-time-key-reuse", MockKeepsPreKeys, "second", "one-time pre-key"),
    ScenarioBreak("prop/signal/identity-key-change", MockTrustsEveryIdentity, "first", "another"),
    ScenarioBreak("prop/olm/version-bytes", MockOlmIgnoresVersion, "second", "version byte"),
    ScenarioBreak("prop/megolm/version-bytes", MockMegolmIgnoresVersion, "second", "version byte"),
    ScenarioBreak("prop/signal/version-bytes", MockHardCodedVersionMac, "second", "version byte"),
    ScenarioBreak(
        "prop/olm/identity-binding-judged", MockOlmUnboundIdentity, "both", "the reference"
    ),
    ScenarioBreak(
        "prop/signal/identity-binding-judged", MockSignalIdentityUnbound, "both", "the reference"
    ),
    ScenarioBreak(
        "prop/signal/signed-prekey-signature", MockSkipsSignatureCheck, "first", "signature"
    ),
]


def _scenario(check: str) -> PairScenario:
    found = [s for s in scenarios() if s.check == check]
    assert len(found) == 1, check
    return found[0]


def _reference_caps(p: Primitives) -> dict[str, object]:
    return {
        "olm": OlmReference(p),
        "signal": SignalReference(p),
        "megolm": MegolmReference(p),
        "signal-group": SignalGroupReference(p),
        "signal-pq": SignalPqReference(p),
        "mls-group": MlsGroupReference(),
    }


def _party(
    name: str, capability: str, broken: Callable[[Primitives], object] | None
) -> LoadedAdapter:
    p = reference_primitives()
    caps = _reference_caps(p)
    if broken is not None:
        caps[capability] = broken(p)
    adapter = adapter_from(name, caps)
    # What the MLS properties test is what the reference declares (its [quirks.mls]: the
    # out-of-order window, the past epochs it keeps), broken variant or not.
    quirks = known_manifests()["reference"].quirks
    adapter.manifest = replace(adapter.manifest, quirks=quirks)
    return adapter


def _play(b: ScenarioBreak, broken: bool) -> CheckResult:
    """The row's check with the reference in both places, or with the broken variant in its
    place; the adapters are named "first" and "second" either way, so the seed and with it
    every key and plaintext are the same."""
    sc = _scenario(b.check)
    variant = b.variant if broken else None
    # A group plays with three parties, so that two can agree against the third.
    names = ("first", "second", "third") if sc.kind == "group" else ("first", "second")
    first, second, *others = (
        _party(n, sc.capability, variant if b.placement in (n, "both") else None) for n in names
    )
    return run_pair(PairTask(sc, first, second, tuple(others)), SEED)


def _param(b: ScenarioBreak) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=b.xfail)] if b.xfail else []
    return pytest.param(b, id=f"{b.check}-{b.name}-{b.placement}", marks=marks)


def _without_shrinking(monkeypatch: pytest.MonkeyPatch) -> None:
    """The random-conversation machine with shrinking off (test-side only: the engine's
    settings are otherwise kept as they are)."""
    from conformance.properties import machine

    monkeypatch.setattr(machine, "SHRINK", False)


@pytest.mark.parametrize("b", [_param(b) for b in SCENARIO_BREAKS])
def test_the_check_catches_the_broken_variant(
    b: ScenarioBreak, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not b.shrink:
        _without_shrinking(monkeypatch)
    healthy = _play(b, broken=False)
    assert healthy.outcome == "pass", (b.check, healthy.detail)

    r = _play(b, broken=True)
    assert r.outcome == "fail", (b.check, b.name, r.outcome, r.detail)
    if b.placement == "third":
        # The other two agree against it: the group itself names the broken one.
        assert r.fault is not None
        assert r.fault.adapters == ("third",), r.fault
    if b.detail is not None:
        assert b.detail in (r.detail or ""), r.detail
    if b.check.endswith("/random-conversation") and b.shrink:
        assert "shrunk scenario" in (r.detail or ""), r.detail


def test_every_scenario_has_a_broken_variant() -> None:
    checks = {s.check for s in scenarios() if s.family not in OWN_TABLES}
    caught = {b.check for b in SCENARIO_BREAKS if b.xfail is None}
    missing = sorted(checks - caught - set(BY_DESIGN) - set(OWN_TESTS))
    assert not missing, f"pair scenarios and properties without a broken variant: {missing}"
    assert {b.check for b in SCENARIO_BREAKS} <= checks, "a row names a check that is gone"
    assert set(BY_DESIGN) <= checks
    assert not set(BY_DESIGN) & caught, "a by-design exemption that a variant makes fail"


@pytest.mark.parametrize("check", sorted(BY_DESIGN))
def test_by_design_exemptions_are_reported_unsupported(check: str) -> None:
    sc = _scenario(check)
    p = reference_primitives()
    ref = adapter_from("reference", _reference_caps(p))
    r = run_pair(PairTask(sc, ref, ref), SEED)
    assert r.outcome == "unsupported", r.detail
    assert (r.detail or "").startswith("by design:"), r.detail
