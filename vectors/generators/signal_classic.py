"""Generate the Signal vector files in ``vectors/signal/``.

Usage: ``PYTHONPATH=. python vectors/generators/signal_classic.py [--out DIR] [--check]``

* ``signal_session_test.json`` (``SignalSession``): classic Signal conversations (X3DH, the
  Double Ratchet, version-3 messages) with every random value fixed: several ratchet turns, a long chain, out-of-order delivery inside and across
  chains; invalid: a bad signed-pre-key signature, a replay after a ratchet turn, Bob's reply
  with a flipped MAC, header or ciphertext bit.
* ``signal_receive_test.json`` (``SignalReceive``): Bob's side only, Alice's messages byte for
  byte: pre-key messages in and out of order; invalid: flipped bits, truncation, version bytes 2
  and 5, a replayed message and pre-key message, a counter more than 25000 ahead; acceptable: a
  counter 2001 ahead (libsignal allows 25000, libsignal-protocol-java and its ports 2000).
* ``sender_key_test.json`` (``SenderKeyTest``): classic sender keys: distribution messages,
  messages at several iterations; invalid: a flipped signature, a replayed iteration.
* ``fingerprint_test.json`` (``FingerprintTest``): libsignal's published safety number (its
  tests' values, protocols.md 1.8) from both sides, and generated identities (reproduced by the
  TypeScript library's FingerprintGenerator; python-axolotl has none).
* ``x3dh_test.json`` (``X3dhTest``): X3DH shared secrets with and without a one-time pre-key.

Every value comes from the suite's reference (conformance.reference); every case is then run
through the suite's checks on the reference and on the implementations not written here that
declare its capability (python-axolotl with its randomness injected; the TypeScript library on
the receiving side; the x3dh library for X3DH), and ships only when the reference and at least
one of them reproduce it (``_reproduce``). A bundle without a one-time pre-key appears only on
the receiving side: python-axolotl, the one sender with injectable randomness, cannot receive
it (it looks up pre-key 0), so no second implementation could reproduce a whole conversation. ``--check`` regenerates and compares with the committed files.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from conformance.capabilities.signal import Signal, SignalFingerprint, SignalGroup
from conformance.errors import ProtocolError
from vectors.generators._common import (
    ByteSource,
    CaseSource,
    FileBuilder,
    GeneratorError,
    NoteSpec,
    SpecRefSpec,
    bit_flip,
    check,
    run_generator,
    write,
)
from vectors.generators._positions import refused_then_genuine
from vectors.generators._reproduce import bundled, reproduce
from vectors.generators._wire import fields, flip_in, replace_field

OBSERVATIONS: list[str] = []
SOURCE = {
    "generator": "vectors/generators/signal_classic.py",
    "reproducedBy": "reference, and python-axolotl or libsignal-protocol-typescript (x3dh for X3DH)",
}
X3DH = "Signal X3DH specification"
DR = "Signal Double Ratchet specification"
LIBSIGNAL = "libsignal rust/protocol/src/protocol.rs"

NOTES = {
    "Ratchet": NoteSpec("BASIC", "Messages across DH ratchet turns (Double Ratchet §3.5)."),
    "ChainIndex": NoteSpec("BASIC", "Chain and message keys at successive counters (§5.2)."),
    "NoOneTimePreKey": NoteSpec("FUNCTIONALITY", "A bundle without a one-time pre-key: no DH4."),
    "OutOfOrder": NoteSpec(
        "OUT_OF_ORDER", "Messages delivered out of order decrypt from kept skipped keys."
    ),
    "BadSignature": NoteSpec(
        "AUTH_BYPASS",
        "The signed pre-key's signature does not verify: X3DH §3.3 says Alice must abort.",
    ),
    "ModifiedMac": NoteSpec("AUTH_BYPASS", "A bit of the 8-byte MAC is flipped."),
    "ModifiedHeader": NoteSpec(
        "AUTH_BYPASS",
        "A bit of a header field (ratchet key, counter) is flipped: the MAC covers the header.",
        links=("https://github.com/guardyn/guardyn/issues/105",),
    ),
    "ModifiedCiphertext": NoteSpec("AUTH_BYPASS", "A bit of the ciphertext is flipped."),
    "Truncated": NoteSpec("MODIFIED_PARAMETER", "The message is cut short."),
    "WrongVersion": NoteSpec(
        "MODIFIED_PARAMETER", "The version byte says 2 (legacy) or 5 (unknown), not 3."
    ),
    "Replay": NoteSpec("REPLAY", "A message already decrypted is delivered again."),
    "RefusedThenGenuine": NoteSpec(
        "DENIAL_OF_SERVICE",
        "A bad message is refused, and the scenario goes on from the state the receiver returned "
        "with the refusal: the genuine message delivered next must still decrypt (Double "
        "Ratchet §3.5: a failed decryption discards its changes to the state).",
    ),
    "PreKeyReplay": NoteSpec(
        "REPLAY", "A PreKeySignalMessage already decrypted is delivered again."
    ),
    "CounterJump": NoteSpec(
        "DENIAL_OF_SERVICE",
        "The counter jumps more than 25000 ahead (libsignal MAX_FORWARD_JUMPS): refuse it "
        "without deriving the keys in between.",
    ),
    "ForwardJumpLimit": NoteSpec(
        "EDGE_CASE",
        "The counter jumps 2001 ahead: libsignal accepts up to 25000, libsignal-protocol-java "
        "and its ports stop at 2000. Either is allowed.",
    ),
    "SenderKey": NoteSpec("BASIC", "Sender-key messages at successive iterations."),
    "PublishedValue": NoteSpec("BASIC", "A value published with libsignal's own tests."),
}

SPEC_X3DH = (SpecRefSpec(X3DH, "3.3", "MUST"),)
SPEC_DR = (SpecRefSpec(DR, "3.5"), SpecRefSpec(DR, "5.2"))
SPEC_WIRE = (SpecRefSpec(LIBSIGNAL, "SignalMessage, PreKeySignalMessage"),)
SPEC_GROUP = (SpecRefSpec("libsignal rust/protocol/src/group_cipher.rs", "group_encrypt"),)
SPEC_FINGERPRINT = (
    SpecRefSpec("libsignal rust/protocol/src/fingerprint.rs", "NumericFingerprint"),
)


def _public(private: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


class Device:
    """The inputs of one device, drawn from the generator's byte source."""

    def __init__(self, party: str, src: ByteSource, n: int, prekey: bool = True) -> None:
        self.party = party
        self.fields: dict[str, Any] = {
            f"{party}IdentityPrivate": src.bytes(32),
            f"{party}RegistrationId": 1 + src.below(16380),
            f"{party}SignedPreKeyId": 1 + src.below(0xFFFFFF),
            f"{party}SignedPreKeyPrivate": src.bytes(32),
            f"{party}SignatureRandom": src.bytes(64),
            f"{party}PreKeyId": (1 + src.below(0xFFFFFF)) if prekey else 0,
            f"{party}PreKeyPrivate": src.bytes(32) if prekey else b"",
        }
        del n

    def create(self, signal: Signal) -> bytes:
        f, p = self.fields, self.party
        return signal.signal_party(
            f[f"{p}IdentityPrivate"],
            f[f"{p}RegistrationId"],
            f[f"{p}SignedPreKeyId"],
            f[f"{p}SignedPreKeyPrivate"],
            f[f"{p}SignatureRandom"],
            f[f"{p}PreKeyId"],
            f[f"{p}PreKeyPrivate"],
        )


class Conversation:
    """A conversation played on the reference, written down as scenario steps."""

    def __init__(self, signal: Signal, src: ByteSource, prekey: bool = True) -> None:
        self.signal, self.src = signal, src
        self.alice, self.bob = Device("alice", src, 0), Device("bob", src, 1, prekey)
        self.parties = {"alice": self.alice.create(signal), "bob": self.bob.create(signal)}
        self.bundle = signal.signal_bundle(self.parties["bob"])
        self.base_key = src.bytes(32)
        self.steps: list[dict[str, Any]] = []
        self.sent: list[tuple[str, int, bytes, bytes]] = []
        ratchet = src.bytes(32)
        self.parties["alice"] = self._initiate(self.bundle["signed_prekey_signature"], ratchet)
        self.steps.append(
            {
                "op": "initiate",
                "party": "alice",
                "key": self.bundle["signed_prekey_signature"],
                "ratchetKey": ratchet,
            }
        )

    def _initiate(self, signature: bytes, ratchet: bytes) -> bytes:
        b = self.bundle
        return self.signal.signal_initiate(
            self.parties["alice"],
            b["registration_id"],
            b["identity_key"],
            b["signed_prekey_id"],
            b["signed_prekey"],
            signature,
            b["prekey_id"],
            b["prekey"],
            self.base_key,
            ratchet,
        )

    def send(self, party: str, count: int = 1) -> list[int]:
        out = []
        for _ in range(count):
            n = len(self.sent)
            plaintext = f"{party} says {n}: {self.src.bytes(4).hex()}".encode()
            r = self.signal.signal_encrypt(self.parties[party], plaintext)
            self.parties[party] = r["party"]
            self.sent.append((party, r["type"], r["message"], plaintext))
            self.steps.append(
                {
                    "op": "encrypt",
                    "party": party,
                    "plaintext": plaintext,
                    "type": r["type"],
                    "message": r["message"],
                }
            )
            out.append(n)
        return out

    def deliver(self, *numbers: int) -> None:
        for n in numbers:
            sender, mtype, message, plaintext = self.sent[n]
            to = "bob" if sender == "alice" else "alice"
            ratchet = self.src.bytes(32)
            got = self.signal.signal_decrypt(self.parties[to], mtype, message, ratchet)
            self.parties[to] = got["party"]
            if got["plaintext"] != plaintext:
                raise GeneratorError(f"reference decrypted {got['plaintext']!r}")
            self.steps.append(
                {
                    "op": "decrypt",
                    "party": to,
                    "type": mtype,
                    "message": message,
                    "ratchetKey": ratchet,
                    "plaintext": plaintext,
                }
            )

    def refused(self, party: str, mtype: int, message: bytes) -> dict[str, Any]:
        ratchet = self.src.bytes(32)
        try:
            self.signal.signal_decrypt(self.parties[party], mtype, message, ratchet)
        except ProtocolError:
            return {
                "op": "decrypt",
                "party": party,
                "type": mtype,
                "message": message,
                "ratchetKey": ratchet,
                "plaintext": b"",
            }
        raise GeneratorError(f"the reference accepted an invalid message {message.hex()[:80]}")

    def attack(self, party: str, number: int, bad: bytes) -> None:
        """A step delivering ``bad`` in place of message ``number`` that must be refused
        mid-scenario (``result: invalid``); the scenario goes on from the state returned."""
        self.steps.append(self.refused(party, self.sent[number][1], bad) | {"result": "invalid"})

    def session_fields(self, steps: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return {
            **self.alice.fields,
            **self.bob.fields,
            "bobIdentityKey": self.bundle["identity_key"],
            "bobSignedPreKey": self.bundle["signed_prekey"],
            "bobSignedPreKeySignature": self.bundle["signed_prekey_signature"],
            "bobPreKey": self.bundle["prekey"],
            "baseKey": self.base_key,
            "steps": steps if steps is not None else list(self.steps),
        }

    def bob_steps(self) -> list[dict[str, Any]]:
        if any(s["party"] == "bob" and s["op"] == "encrypt" for s in self.steps):
            raise GeneratorError("a receive-side case cannot include Bob's own messages")
        return [s for s in self.steps if s["party"] == "bob"]

    def receive_fields(self, steps: list[dict[str, Any]]) -> dict[str, Any]:
        return {**self.bob.fields, "steps": steps}


def gen_session(signal: Signal, out: Path) -> Path:
    fb = FileBuilder(
        algorithm="SIGNAL",
        type_name="SignalSession",
        header=[
            "Classic Signal conversations with every random value fixed, both devices "
            "played by the implementation under test, every message compared byte for byte."
        ],
        notes=NOTES,
        source=SOURCE,
    )
    g = fb.group(SPEC_X3DH + SPEC_DR + SPEC_WIRE)
    src = ByteSource("signal session")

    c = Conversation(signal, src)
    c.deliver(*c.send("alice"))
    c.deliver(*c.send("bob"))
    g.add("pre-key message, then Bob's first reply", ["Ratchet"], "valid", **c.session_fields())

    c = Conversation(signal, src)
    for party, n in (("alice", 2), ("bob", 2), ("alice", 1), ("bob", 3), ("alice", 2), ("bob", 1)):
        c.deliver(*c.send(party, n))
    g.add("six ratchet turns, in order", ["Ratchet"], "valid", **c.session_fields())

    c = Conversation(signal, src)
    c.deliver(*c.send("alice", 20))
    c.deliver(*c.send("bob", 12))
    g.add(
        "counters 0 to 19 of Alice's chain and 0 to 11 of Bob's",
        ["ChainIndex"],
        "valid",
        **c.session_fields(),
    )

    c = Conversation(signal, src)
    sent = c.send("alice", 5)
    c.deliver(sent[0], sent[3], sent[1], sent[4], sent[2])
    reply = c.send("bob", 3)
    c.deliver(reply[2], reply[0], reply[1])
    again = c.send("alice", 3)
    c.deliver(again[1], again[2], again[0])
    g.add("out of order inside chains, both ways", ["OutOfOrder"], "valid", **c.session_fields())

    c = Conversation(signal, src)
    c.deliver(*c.send("alice"))
    c.deliver(*c.send("bob"))
    old = c.send("alice", 2)
    c.deliver(old[0])
    c.deliver(*c.send("bob"))
    new = c.send("alice", 2)
    c.deliver(new[1], old[1], new[0])
    g.add(
        "a message of an older chain after the new chain started",
        ["OutOfOrder", "Ratchet"],
        "valid",
        **c.session_fields(),
    )

    bad = fb.group(SPEC_X3DH)
    c = Conversation(signal, src)
    signature = c.bundle["signed_prekey_signature"]
    flipped = bit_flip(signature, src.below(512))
    try:
        c._initiate(flipped, src.bytes(32))
    except ProtocolError:
        pass
    else:
        raise GeneratorError("the reference accepted a bad signed-pre-key signature")
    steps = [{"op": "initiate", "party": "alice", "key": flipped, "ratchetKey": src.bytes(32)}]
    bad.add(
        "the signed pre-key's signature with a bit flipped",
        ["BadSignature"],
        "invalid",
        **c.session_fields(steps),
    )

    t = fb.group(SPEC_DR + SPEC_WIRE)
    c = Conversation(signal, src)
    c.deliver(*c.send("alice"))
    c.deliver(*c.send("bob"))
    (n,) = c.send("alice")
    c.deliver(n)
    _, mtype, message, _ = c.sent[n]
    t.add(
        "a message after a ratchet turn, delivered twice",
        ["Replay"],
        "invalid",
        **c.session_fields([*c.steps, c.refused("bob", mtype, message)]),
    )

    c = Conversation(signal, src)
    c.deliver(*c.send("alice"))
    (n,) = c.send("bob")
    _, mtype, message, _ = c.sent[n]
    spans = fields(message, 8)
    for flag, what, span in (
        ("ModifiedMac", "MAC", (len(message) - 8, len(message))),
        ("ModifiedHeader", "ratchet key", spans[0x0A]),
        ("ModifiedHeader", "counter", spans[0x10]),
        ("ModifiedCiphertext", "ciphertext", spans[0x22]),
    ):
        tampered = flip_in(message, span, src)
        t.add(
            f"Bob's first reply with a bit of its {what} flipped",
            [flag],
            "invalid",
            **c.session_fields([*c.steps, c.refused("alice", mtype, tampered)]),
        )
    _session_positions(signal, fb)
    return write(fb, out / "signal_session_test.json")


SPEC_POSITIONS = (SpecRefSpec(DR, "3.5", "MUST"), *SPEC_WIRE)


def _mac_flipped(message: bytes, src: ByteSource) -> bytes:
    """A bit of the MAC flipped (the embedded SignalMessage's, in a PreKeySignalMessage)."""
    try:
        end = fields(message, 0)[0x22][1]
    except (KeyError, ValueError, IndexError):
        end = len(message)
    return flip_in(message, (end - 8, end), src)


def _session_positions(signal: Signal, fb: FileBuilder) -> None:
    """The first message of a new chain (a DH ratchet step, Double Ratchet §3.5), tampered or
    replayed and refused; the genuine message after it must still decrypt."""
    src = ByteSource("signal session positions")
    p = fb.group(SPEC_POSITIONS)
    c = Conversation(signal, src)
    c.deliver(*c.send("alice"))
    (n,) = c.send("bob")
    c.attack("alice", n, _mac_flipped(c.sent[n][2], src))
    c.deliver(n)
    (m,) = c.send("alice")
    c.attack("bob", m, _mac_flipped(c.sent[m][2], src))
    c.deliver(m)
    p.add(
        "the first message of each new chain with a bit of its MAC flipped, refused, then the "
        "genuine one",
        ["ModifiedMac", "Ratchet", "RefusedThenGenuine"],
        "valid",
        **c.session_fields(),
    )
    c = Conversation(signal, src)
    c.deliver(*c.send("alice"))
    c.deliver(*c.send("bob"))
    first, second = c.send("alice", 2)
    c.deliver(first)
    c.attack("bob", first, c.sent[first][2])
    c.deliver(second)
    p.add(
        "the first message of Alice's new chain delivered twice, then the next one",
        ["Replay", "Ratchet", "RefusedThenGenuine"],
        "valid",
        **c.session_fields(),
    )


def gen_receive(signal: Signal, out: Path) -> Path:
    fb = FileBuilder(
        algorithm="SIGNAL",
        type_name="SignalReceive",
        header=["Bob's side of classic Signal: his keys fixed, Alice's messages byte for byte."],
        notes=NOTES,
        source=SOURCE,
    )
    src = ByteSource("signal receive")
    g = fb.group(SPEC_X3DH + SPEC_DR + SPEC_WIRE)

    c = Conversation(signal, src)
    c.deliver(*c.send("alice", 3))
    g.add(
        "three pre-key messages in order",
        ["ChainIndex"],
        "valid",
        **c.receive_fields(c.bob_steps()),
    )

    c = Conversation(signal, src)
    sent = c.send("alice", 5)
    c.deliver(sent[3], sent[0], sent[4], sent[2], sent[1])
    g.add(
        "five pre-key messages out of order, the first one not first",
        ["OutOfOrder"],
        "valid",
        **c.receive_fields(c.bob_steps()),
    )

    c = Conversation(signal, src, prekey=False)
    c.deliver(*c.send("alice", 2))
    g.add(
        "pre-key messages without a one-time pre-key",
        ["NoOneTimePreKey"],
        "valid",
        **c.receive_fields(c.bob_steps()),
    )

    t = fb.group(SPEC_DR + SPEC_WIRE)
    c = Conversation(signal, src)
    sent = c.send("alice", 2)
    c.deliver(sent[0])
    base = c.bob_steps()
    _, mtype, second, _ = c.sent[sent[1]]
    start, end = fields(second, 0)[0x22]
    inner = {tag: (start + a, start + b) for tag, (a, b) in fields(second[start:end], 8).items()}

    def tampered(what: str, flag: str, bad: bytes) -> None:
        t.add(what, [flag], "invalid", **c.receive_fields([*base, c.refused("bob", mtype, bad)]))

    for flag, what, span in (
        ("ModifiedMac", "MAC", (end - 8, end)),
        ("ModifiedHeader", "ratchet key", inner[0x0A]),
        ("ModifiedHeader", "counter", inner[0x10]),
        ("ModifiedCiphertext", "ciphertext", inner[0x22]),
    ):
        tampered(
            f"the second pre-key message with a bit of its {what} flipped",
            flag,
            flip_in(second, span, src),
        )
    # The embedded SignalMessage is cut, and the outer length prefix rewritten, so that what
    # is truncated is the message itself and not the outer fields after it.
    for cut, what in ((1, "one byte of its MAC"), (8, "its whole MAC")):
        tampered(
            f"the second pre-key message with {what} cut off",
            "Truncated",
            replace_field(second, 0x22, second[start : end - cut]),
        )
    for version in (0x23, 0x53):
        tampered(
            f"the second pre-key message with version byte {version:#04x}",
            "WrongVersion",
            bytes([version]) + second[1:],
        )
        tampered(
            f"the message inside the second pre-key message with version byte {version:#04x}",
            "WrongVersion",
            second[:start] + bytes([version]) + second[start + 1 :],
        )

    r = fb.group(SPEC_DR)
    c = Conversation(signal, src)
    sent = c.send("alice", 3)
    c.deliver(sent[2], sent[0])
    _, mtype, message, _ = c.sent[sent[0]]
    r.add(
        "a message decrypted from a skipped key, delivered twice",
        ["Replay", "OutOfOrder"],
        "invalid",
        **c.receive_fields([*c.bob_steps(), c.refused("bob", mtype, message)]),
    )

    c = Conversation(signal, src)
    (n,) = c.send("alice")
    c.deliver(n)
    _, mtype, message, _ = c.sent[n]
    r.add(
        "the first pre-key message delivered twice",
        ["PreKeyReplay"],
        "invalid",
        **c.receive_fields([*c.bob_steps(), c.refused("bob", mtype, message)]),
    )

    c = Conversation(signal, src)
    sent = c.send("alice", 2003)
    c.deliver(sent[0], sent[2002])
    r.add(
        "counter 2002 right after counter 0",
        ["ForwardJumpLimit"],
        "acceptable",
        **c.receive_fields(c.bob_steps()),
    )

    c = Conversation(signal, src)
    sent = c.send("alice", 25003)
    c.deliver(sent[0])
    _, mtype, far, _ = c.sent[sent[25002]]
    r.add(
        "counter 25002 right after counter 0",
        ["CounterJump"],
        "invalid",
        **c.receive_fields([*c.bob_steps(), c.refused("bob", mtype, far)]),
    )
    _receive_positions(signal, fb)
    return write(fb, out / "signal_receive_test.json")


def _receive_positions(signal: Signal, fb: FileBuilder) -> None:
    """At each position Bob can receive in (the PreKeySignalMessage that creates his session,
    a later one, one out of order, the one after a refused one), a bad copy is refused and the
    scenario goes on from the state he returned: the genuine message must still decrypt
    (Double Ratchet §3.5; X3DH §3.3 for the first message)."""
    src = ByteSource("signal receive positions")
    p = fb.group(SPEC_POSITIONS)

    def bob(c: Conversation) -> dict[str, Any]:
        return c.receive_fields(c.bob_steps())

    c = Conversation(signal, src)
    first, second = c.send("alice", 2)
    c.attack("bob", first, _mac_flipped(c.sent[first][2], src))
    c.deliver(first, second)
    p.add(
        "the first pre-key message with a bit of its MAC flipped, refused, then the genuine one",
        ["ModifiedMac", "RefusedThenGenuine"],
        "valid",
        **bob(c),
    )
    c = Conversation(signal, src)
    first, second = c.send("alice", 2)
    message = c.sent[first][2]
    start, end = fields(message, 0)[0x12]
    # Not the key type byte's and not the last byte (whose top bit X25519 ignores).
    c.attack("bob", first, flip_in(message, (start + 1, end - 1), src))
    c.deliver(first, second)
    p.add(
        "the first pre-key message with a bit of its base key flipped, refused, then the "
        "genuine one",
        ["ModifiedHeader", "RefusedThenGenuine"],
        "valid",
        **bob(c),
    )
    c = Conversation(signal, src)
    sent = c.send("alice", 4)
    c.deliver(sent[0], sent[1])
    message = c.sent[sent[2]][2]
    start, end = fields(message, 0)[0x22]
    ciphertext = fields(message[start:end], 8)[0x22]
    c.attack("bob", sent[2], flip_in(message, (start + ciphertext[0], start + ciphertext[1]), src))
    c.deliver(sent[2], sent[3])
    p.add(
        "the third message with a bit of its ciphertext flipped, refused, then the genuine one",
        ["ModifiedCiphertext", "RefusedThenGenuine"],
        "valid",
        **bob(c),
    )
    refused_then_genuine(
        lambda: Conversation(signal, src),
        lambda m: _mac_flipped(m, src),
        lambda comment, flags, c: p.add(comment, flags, "valid", **bob(c)),
    )


def gen_sender_keys(group: SignalGroup, out: Path) -> Path:
    fb = FileBuilder(
        algorithm="SENDER-KEY",
        type_name="SenderKeyTest",
        header=["Classic Signal sender keys, every random value fixed."],
        notes=NOTES,
        source=SOURCE,
    )
    g = fb.group(SPEC_GROUP)
    src = ByteSource("signal sender keys")
    for label, iteration in (("from iteration 0", 0), ("from iteration 7", 7)):
        key_id, chain, signing = src.below(0x7FFFFFFF), src.bytes(32), src.bytes(32)
        created = group.signal_group_create(key_id, iteration, chain, signing)
        state = created["state"]
        receiver = group.signal_group_join(created["distribution"])
        steps: list[dict[str, Any]] = []
        messages = []
        for i in range(4):
            plaintext = f"group message {i}: {src.bytes(4).hex()}".encode()
            nonce = src.bytes(64)
            sent = group.signal_group_encrypt(state, plaintext, nonce)
            state = sent["state"]
            messages.append((sent["message"], plaintext))
            steps.append(
                {
                    "op": "encrypt",
                    "party": "sender",
                    "plaintext": plaintext,
                    "random": nonce,
                    "message": sent["message"],
                }
            )
        steps.append({"op": "join", "party": "bob", "key": created["distribution"]})
        for i in (2, 0, 3, 1):
            got = group.signal_group_decrypt(receiver, messages[i][0])
            receiver = got["state"]
            steps.append(
                {
                    "op": "decrypt",
                    "party": "bob",
                    "message": messages[i][0],
                    "plaintext": messages[i][1],
                }
            )
        base: dict[str, Any] = {
            "keyId": key_id,
            "iteration": iteration,
            "chainKey": chain,
            "signingPrivate": signing,
            "distribution": created["distribution"],
        }
        g.add(
            f"four messages {label}, decrypted out of order",
            ["SenderKey", "OutOfOrder"],
            "valid",
            **base,
            steps=steps,
        )
        join = steps[4]
        bad = bit_flip(messages[1][0], 8 * (len(messages[1][0]) - 64) + src.below(512))
        for what, flag, extra in (
            (
                "a message whose signature has a bit flipped",
                "BadSignature",
                [{"op": "decrypt", "party": "bob", "message": bad, "plaintext": b""}],
            ),
            ("a message delivered twice", "Replay", [steps[5], {**steps[5]}]),
        ):
            g.add(f"{label}: {what}", [flag], "invalid", **base, steps=[*steps[:4], join, *extra])
    return write(fb, out / "sender_key_test.json")


#: libsignal's own fingerprint test values (protocols.md 1.8; rust/protocol/src/fingerprint.rs).
PUBLISHED_FINGERPRINT: dict[str, Any] = {
    "iterations": 5200,
    "localId": b"+14152222222",
    "localKey": bytes.fromhex("0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868"),
    "remoteId": b"+14153333333",
    "remoteKey": bytes.fromhex(
        "05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b"
    ),
    "display": "300354477692869396892869876765458257569162576843440918079131",
}


def gen_fingerprints(fp: SignalFingerprint, out: Path) -> Path:
    fb = FileBuilder(
        algorithm="SIGNAL-FINGERPRINT",
        type_name="FingerprintTest",
        header=["Signal safety numbers."],
        notes=NOTES,
        source=SOURCE,
    )
    p = PUBLISHED_FINGERPRINT
    got = fp.signal_fingerprint(
        5200, p["localId"], p["localKey"], p["remoteId"], p["remoteKey"]
    ).decode()
    if got != p["display"]:
        raise GeneratorError(
            f"the reference's safety number {got} is not libsignal's {p['display']}"
        )
    g = fb.group(SPEC_FINGERPRINT, iterations=5200)
    fields_: dict[str, Any] = {k: v for k, v in p.items() if k != "iterations"}
    g.add(
        "libsignal's test identities",
        ["PublishedValue"],
        "valid",
        source=CaseSource(
            "libsignal rust/protocol/src/fingerprint.rs", "tests (fingerprint_test_v1)"
        ),
        **fields_,
    )
    swapped: dict[str, Any] = {
        "localId": p["remoteId"],
        "localKey": p["remoteKey"],
        "remoteId": p["localId"],
        "remoteKey": p["localKey"],
        "display": p["display"],
    }
    g.add(
        "libsignal's test identities seen from the other side: the same number",
        ["PublishedValue"],
        "valid",
        source=CaseSource("libsignal rust/protocol/src/fingerprint.rs", "tests (both sides)"),
        **swapped,
    )
    src = ByteSource("signal fingerprints")
    for i in range(4):
        local, remote = b"\x05" + _public(src.bytes(32)), b"\x05" + _public(src.bytes(32))
        lid, rid = f"+1415555{i:04d}".encode(), f"+4930555{i:04d}".encode()
        display = fp.signal_fingerprint(5200, lid, local, rid, remote).decode()
        g.add(
            f"generated identities {i}",
            [],
            "valid",
            localId=lid,
            localKey=local,
            remoteId=rid,
            remoteKey=remote,
            display=display,
        )
    return write(fb, out / "fingerprint_test.json")


def gen_x3dh(x3dh: Any, out: Path) -> Path:
    fb = FileBuilder(
        algorithm="X3DH",
        type_name="X3dhTest",
        header=["X3DH shared secrets with Signal's parameters."],
        notes=NOTES,
        source=SOURCE,
    )
    g = fb.group(SPEC_X3DH)
    src = ByteSource("x3dh")
    for i in range(6):
        with_prekey = i % 2 == 0
        keys: dict[str, Any] = {
            n: src.bytes(32)
            for n in (
                "aliceIdentityPrivate",
                "ephemeralPrivate",
                "bobIdentityPrivate",
                "signedPreKeyPrivate",
                "preKeyPrivate",
            )
        }
        if not with_prekey:
            keys["preKeyPrivate"] = b""
        pub: dict[str, Any] = {
            "aliceIdentityKey": _public(keys["aliceIdentityPrivate"]),
            "ephemeralKey": _public(keys["ephemeralPrivate"]),
            "bobIdentityKey": _public(keys["bobIdentityPrivate"]),
            "signedPreKey": _public(keys["signedPreKeyPrivate"]),
            "preKey": _public(keys["preKeyPrivate"]) if with_prekey else b"",
        }
        sk = x3dh.x3dh_initiate(
            keys["aliceIdentityPrivate"],
            keys["ephemeralPrivate"],
            pub["bobIdentityKey"],
            pub["signedPreKey"],
            pub["preKey"],
        )
        g.add(
            f"keys {i}, {'with' if with_prekey else 'without'} a one-time pre-key",
            [] if with_prekey else ["NoOneTimePreKey"],
            "valid",
            **keys,
            **pub,
            sk=sk,
        )
    return write(fb, out / "x3dh_test.json")


def generate(out: Path) -> list[Path]:
    """Write the Signal vector files into ``out``, reproduce them, check them."""
    OBSERVATIONS.clear()
    reference = bundled("reference")
    others = [bundled(n) for n in ("python-axolotl", "libsignal-protocol-typescript", "x3dh")]
    signal = cast(Signal, reference.get("signal"))
    paths = [
        gen_session(signal, out),
        gen_receive(signal, out),
        gen_sender_keys(cast(SignalGroup, reference.get("signal-group")), out),
        gen_fingerprints(cast(SignalFingerprint, reference.get("signal-fingerprint")), out),
        gen_x3dh(reference.get("x3dh"), out),
    ]
    check(paths)
    OBSERVATIONS.extend(reproduce(paths, [reference, *others]))
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    description = __doc__.splitlines()[0] if __doc__ else None
    return run_generator("signal_classic.py", description, "signal", generate, OBSERVATIONS, argv)


if __name__ == "__main__":
    sys.exit(main())
