"""Generate the current Signal vector files in ``vectors/signal-pq/``.

Usage: ``PYTHONPATH=. python vectors/generators/signal_pq.py [--out DIR] [--check] [--record]``

* ``signal_pq_receive_test.json`` (``SignalPqReceive``): Bob's side of a version-4 first flight
  (PQXDH with a Kyber1024 pre-key, the triple ratchet), his keys fixed, Alice's messages byte
  for byte. Two sources of messages: the suite's reference as Alice (every random value
  drawn here), and libsignal as Alice (its randomness its own: the flights are recorded once
  with ``--record`` into ``recorded/libsignal_first_flights.json`` beside this script and read
  from there, since they cannot be made again). Valid: in order, out of order, without a
  one-time EC pre-key, with a last-resort Kyber pre-key. Invalid: a flipped or re-typed Kyber
  ciphertext, the Kyber fields removed, an unknown Kyber pre-key id, a base key with the wrong
  type byte, version 3 (the version byte, and a genuine classic X3DH message to the same keys),
  a replayed first message, the SPQR field flipped or removed, a flipped MAC.
* ``signal_pq_bundle_test.json`` (``SignalPqBundle``): Alice checks Bob's bundle (PQXDH §3.3).
  Valid: genuine bundles with and without a one-time EC pre-key. Invalid: either signature
  flipped, zeroed, or made by another identity; the two signatures swapped; the Kyber pre-key
  with another type byte or cut short; the signed pre-key with another type byte; no Kyber
  pre-key at all.

Every case is run on the reference and on libsignal (``_reproduce``) and ships only when both
reproduce it. ``--check`` regenerates and compares with the committed files.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from conformance.capabilities.signal import Signal
from conformance.capabilities.signal_pq import SignalPq
from conformance.errors import ProtocolError
from conformance.reference.mlkem import ML_KEM_1024, kyber_r3_keygen
from conformance.reference.varint import decode_varint, encode_varint
from vectors.generators._common import (
    ByteSource,
    FileBuilder,
    GeneratorError,
    NoteSpec,
    ResultName,
    SpecRefSpec,
    check,
    dump_json,
    run_generator,
    write,
)
from vectors.generators._reproduce import bundled, reproduce
from vectors.generators._wire import fields, flip_in, replace_field

OBSERVATIONS: list[str] = []
SOURCE = {
    "generator": "vectors/generators/signal_pq.py",
    "reproducedBy": "reference and libsignal-client (@signalapp/libsignal-client 0.103.0)",
}
RECORDED = Path(__file__).resolve().parent / "recorded" / "libsignal_first_flights.json"
PQXDH = "Signal PQXDH specification (revision 3)"
DR = "Signal Double Ratchet specification (revision 4)"
LIBSIGNAL = "libsignal rust/protocol/src/protocol.rs"

#: PreKeySignalMessage fields (libsignal wire.proto) as protobuf tags.
PRE_KEY_ID, BASE_KEY, IDENTITY_KEY, MESSAGE = 0x08, 0x12, 0x1A, 0x22
KYBER_PRE_KEY_ID, KYBER_CIPHERTEXT = 0x38, 0x42
#: SignalMessage fields.
CIPHERTEXT, PQ_RATCHET = 0x22, 0x2A
MAC = 8

NOTES = {
    "ChainIndex": NoteSpec("BASIC", "Alice's first flight at successive counters (§3.5)."),
    "OutOfOrder": NoteSpec(
        "OUT_OF_ORDER", "Messages delivered out of order decrypt from kept skipped keys."
    ),
    "NoOneTimePreKey": NoteSpec(
        "FUNCTIONALITY", "A bundle without a one-time EC pre-key: PQXDH without DH4."
    ),
    "LastResortKyberPreKey": NoteSpec(
        "FUNCTIONALITY",
        "The Kyber pre-key is a last-resort one (PQXDH §3.2): kept after use.",
    ),
    "RecordedFromLibsignal": NoteSpec(
        "BASIC",
        "Messages made by libsignal 0.103.0 as Alice (its own randomness), recorded once.",
    ),
    "ModifiedKyberCiphertext": NoteSpec(
        "AUTH_BYPASS",
        "A bit of the Kyber ciphertext is flipped: decapsulation gives another secret "
        "(implicit rejection), so the message keys differ and the MAC cannot verify.",
    ),
    "WrongKeyType": NoteSpec(
        "MODIFIED_PARAMETER",
        "A key's type byte is changed (0x05 for X25519, 0x08 for Kyber1024).",
    ),
    "MissingKyber": NoteSpec(
        "MODIFIED_PARAMETER",
        "The Kyber pre-key (or its ciphertext) is missing: PQXDH requires it, and libsignal "
        "no longer speaks X3DH.",
    ),
    "UnknownKyberPreKey": NoteSpec(
        "MODIFIED_PARAMETER", "The Kyber pre-key id names no pre-key Bob has."
    ),
    "Version3": NoteSpec(
        "MODIFIED_PARAMETER",
        "A version-3 (classic X3DH) message to a session that requires version 4.",
    ),
    "PreKeyReplay": NoteSpec(
        "REPLAY", "A PreKeySignalMessage already decrypted is delivered again."
    ),
    "ModifiedSpqr": NoteSpec(
        "AUTH_BYPASS",
        "The SPQR message (SignalMessage field 5, pq_ratchet) is changed or removed: the MAC "
        "covers it.",
    ),
    "ModifiedMac": NoteSpec("AUTH_BYPASS", "A bit of the 8-byte MAC is flipped."),
    "BadSignature": NoteSpec(
        "AUTH_BYPASS",
        "A pre-key signature does not verify under the identity key: PQXDH §3.3 says Alice "
        "must abort.",
    ),
    "KeyLength": NoteSpec("MODIFIED_PARAMETER", "A published key is cut short."),
}

SPEC_RECEIVE = (
    SpecRefSpec(PQXDH, "3.4", "MUST"),
    SpecRefSpec(DR, "3.5"),
    SpecRefSpec(DR, "5"),
    SpecRefSpec(LIBSIGNAL, "PreKeySignalMessage, SignalMessage"),
)
SPEC_BUNDLE = (SpecRefSpec(PQXDH, "3.3", "MUST"),)


class Device:
    """The inputs of one device, drawn from a byte source."""

    def __init__(
        self, party: str, src: ByteSource, prekey: bool = True, last_resort: bool = False
    ) -> None:
        self.party = party
        seed = src.bytes(64)
        self.fields: dict[str, Any] = {
            f"{party}IdentityPrivate": src.bytes(32),
            f"{party}RegistrationId": 1 + src.below(16380),
            f"{party}SignedPreKeyId": 1 + src.below(0xFFFFFF),
            f"{party}SignedPreKeyPrivate": src.bytes(32),
            f"{party}PreKeyId": (1 + src.below(0xFFFFFF)) if prekey else 0,
            f"{party}PreKeyPrivate": src.bytes(32) if prekey else b"",
            f"{party}KyberPreKeyId": 1 + src.below(0xFFFFFF),
            f"{party}KyberPreKeySecret": kyber_r3_keygen(ML_KEM_1024, seed[:32], seed[32:]).dk,
            f"{party}KyberLastResort": int(last_resort),
            f"{party}SignatureRandom": src.bytes(128),
        }

    def create(self, signal: SignalPq) -> bytes:
        f, p = self.fields, self.party
        return signal.signal_pq_party(
            f[f"{p}IdentityPrivate"],
            f[f"{p}RegistrationId"],
            f[f"{p}SignedPreKeyId"],
            f[f"{p}SignedPreKeyPrivate"],
            f[f"{p}PreKeyId"],
            f[f"{p}PreKeyPrivate"],
            f[f"{p}KyberPreKeyId"],
            f[f"{p}KyberPreKeySecret"],
            bool(f[f"{p}KyberLastResort"]),
            f[f"{p}SignatureRandom"],
        )


def initiate(alice: SignalPq, party: bytes, bundle: dict[str, Any], src: ByteSource) -> bytes:
    b = bundle
    return alice.signal_pq_initiate(
        party,
        b["registration_id"],
        b["identity_key"],
        b["signed_prekey_id"],
        b["signed_prekey"],
        b["signed_prekey_signature"],
        b["prekey_id"],
        b["prekey"],
        b["kyber_prekey_id"],
        b["kyber_prekey"],
        b["kyber_prekey_signature"],
        src.bytes(32),
        src.bytes(32),
        src.bytes(32),
        src.bytes(64),
    )


class Flight:
    """Alice's first flight to Bob: Bob's device on the reference (which checks every
    message), Alice on ``alice`` (the reference, or libsignal when recording)."""

    def __init__(
        self,
        reference: SignalPq,
        alice: SignalPq,
        src: ByteSource,
        *,
        prekey: bool = True,
        last_resort: bool = False,
    ) -> None:
        self.reference, self.src = reference, src
        self.bob = Device("bob", src, prekey, last_resort)
        self.bob_party = self.bob.create(reference)
        self.bundle = dict(reference.signal_pq_bundle(self.bob_party))
        self.alice = alice
        self.alice_party = initiate(alice, Device("alice", src).create(alice), self.bundle, src)
        self.sent: list[tuple[str, int, bytes, bytes]] = []
        self.steps: list[dict[str, Any]] = []

    def send(self, party: str = "alice", count: int = 1) -> list[int]:
        assert party == "alice"
        out = []
        for _ in range(count):
            n = len(self.sent)
            plaintext = f"alice says {n}: {self.src.bytes(4).hex()}".encode()
            r = self.alice.signal_pq_encrypt(self.alice_party, plaintext, self.src.bytes(64))
            self.alice_party = r["party"]
            self.sent.append(("alice", r["type"], r["message"], plaintext))
            out.append(n)
        return out

    def record(self, sent: list[tuple[int, bytes, bytes]]) -> None:
        """Messages made elsewhere (recorded), in the order sent."""
        self.sent = [("alice", t, m, p) for t, m, p in sent]

    def _step(self, mtype: int, message: bytes) -> dict[str, Any]:
        return {
            "op": "decrypt",
            "party": "bob",
            "type": mtype,
            "message": message,
            "ratchetKey": self.src.bytes(32),
            "random": self.src.bytes(64),
        }

    def _decrypt(self, step: dict[str, Any]) -> bytes:
        got = self.reference.signal_pq_decrypt(
            self.bob_party, step["type"], step["message"], step["ratchetKey"], step["random"]
        )
        self.bob_party = got["party"]
        return got["plaintext"]

    def deliver(self, *numbers: int) -> None:
        for n in numbers:
            _, mtype, message, plaintext = self.sent[n]
            step = self._step(mtype, message)
            got = self._decrypt(step)
            if got != plaintext:
                raise GeneratorError(f"the reference decrypted {got!r}, not {plaintext!r}")
            self.steps.append({**step, "plaintext": plaintext})

    def refused(self, mtype: int, message: bytes) -> list[dict[str, Any]]:
        """The steps so far and a last one delivering ``message``, which the reference must
        refuse (the case is invalid)."""
        step = self._step(mtype, message)
        try:
            self._decrypt(step)
        except ProtocolError:
            return [*self.steps, {**step, "plaintext": b""}]
        raise GeneratorError(f"the reference accepted an invalid message {message.hex()[:80]}")

    def fields(self, steps: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return {**self.bob.fields, "steps": list(self.steps) if steps is None else steps}


# --- the libsignal recordings ---------------------------------------------------------------

#: (label of the byte source, one-time EC pre-key, last-resort Kyber pre-key, messages, order)
RECORDINGS: tuple[tuple[str, bool, bool, int, tuple[int, ...]], ...] = (
    ("libsignal flight 1", True, False, 3, (0, 1, 2)),
    ("libsignal flight 2", False, False, 2, (0, 1)),
    ("libsignal flight 3", True, True, 4, (2, 0, 3, 1)),
)


def record(reference: SignalPq, libsignal: SignalPq, version: str) -> None:
    """Let libsignal, as Alice, send the recorded flights to Bobs made on the reference, and
    keep what it sent (with the version that made it)."""
    flights = []
    for label, prekey, last_resort, count, _ in RECORDINGS:
        f = Flight(reference, libsignal, ByteSource(label), prekey=prekey, last_resort=last_resort)
        f.send("alice", count)
        flights.append(
            {
                "label": label,
                "messages": [
                    {"type": t, "message": m.hex(), "plaintext": p.hex()} for _, t, m, p in f.sent
                ],
            }
        )
    doc = {
        "comment": "Recorded by vectors/generators/signal_pq.py --record: libsignal as Alice "
        "cannot be made to send the same bytes again (its randomness is its own).",
        "implementation": f"@signalapp/libsignal-client {version}",
        "flights": flights,
    }
    RECORDED.parent.mkdir(exist_ok=True)
    RECORDED.write_text(dump_json(doc))


def _recorded() -> dict[str, list[tuple[int, bytes, bytes]]]:
    try:
        doc = json.loads(RECORDED.read_text())
        return {
            f["label"]: [
                (int(m["type"]), bytes.fromhex(m["message"]), bytes.fromhex(m["plaintext"]))
                for m in f["messages"]
            ]
            for f in doc["flights"]
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GeneratorError(f"{RECORDED}: unreadable ({exc}); run with --record") from None


# --- the files -----------------------------------------------------------------------------


def _inner(message: bytes) -> tuple[int, int, dict[int, tuple[int, int]]]:
    """Where a PreKeySignalMessage's embedded SignalMessage lies and its fields' spans
    (absolute offsets)."""
    start, end = fields(message, 0)[MESSAGE]
    inner = {t: (start + a, start + b) for t, (a, b) in fields(message[start:end], MAC).items()}
    return start, end, inner


def _without(message: bytes, *tags: int) -> bytes:
    """The message with these top-level fields removed."""
    spans = fields(message, 0)
    out, pos = bytearray(message[:1]), 1
    for tag, (start, end) in sorted(spans.items(), key=lambda item: item[1][0]):
        # A field starts at its tag byte, before its length prefix (if any).
        field_start = message.rindex(bytes([tag]), pos, start)
        if tag not in tags:
            out += message[field_start:end]
        pos = end
    return bytes(out) + message[pos:]


def gen_receive(reference: SignalPq, classic: Signal, out: Path) -> Path:
    fb = FileBuilder(
        algorithm="SIGNAL-PQ",
        type_name="SignalPqReceive",
        header=[
            "Bob's side of current Signal (PQXDH + triple ratchet, version 4): his keys fixed, "
            "Alice's messages byte for byte."
        ],
        notes=NOTES,
        source=SOURCE,
    )
    src = ByteSource("signal-pq receive")
    g = fb.group(SPEC_RECEIVE)

    f = Flight(reference, reference, src)
    f.deliver(*f.send("alice", 3))
    g.add("three pre-key messages in order", ["ChainIndex"], "valid", **f.fields())

    f = Flight(reference, reference, src)
    sent = f.send("alice", 5)
    f.deliver(sent[3], sent[0], sent[4], sent[2], sent[1])
    g.add(
        "five pre-key messages out of order, the first one not first",
        ["OutOfOrder"],
        "valid",
        **f.fields(),
    )

    f = Flight(reference, reference, src, prekey=False)
    f.deliver(*f.send("alice", 2))
    g.add(
        "pre-key messages without a one-time EC pre-key",
        ["NoOneTimePreKey"],
        "valid",
        **f.fields(),
    )

    f = Flight(reference, reference, src, last_resort=True)
    f.deliver(*f.send("alice", 2))
    g.add(
        "pre-key messages on a last-resort Kyber pre-key",
        ["LastResortKyberPreKey"],
        "valid",
        **f.fields(),
    )

    recorded = _recorded()
    for label, prekey, last_resort, count, order in RECORDINGS:
        f = Flight(reference, reference, ByteSource(label), prekey=prekey, last_resort=last_resort)
        f.record(recorded[label])
        if len(f.sent) != count:
            raise GeneratorError(f"{RECORDED}: {label} has {len(f.sent)} messages, not {count}")
        f.deliver(*order)
        flags = ["RecordedFromLibsignal"]
        flags += [] if prekey else ["NoOneTimePreKey"]
        flags += ["LastResortKyberPreKey"] if last_resort else []
        flags += ["OutOfOrder"] if list(order) != sorted(order) else []
        g.add(f"libsignal's first flight ({label}), {count} messages", flags, "valid", **f.fields())

    t = fb.group(SPEC_RECEIVE)

    def tampered(what: str, flags: list[str], make: Any, first: bool = True) -> None:
        """A fresh flight of two; Bob gets the first (unless ``first``: the second after the
        first) altered by ``make``, and must refuse it."""
        f = Flight(reference, reference, src)
        sent = f.send("alice", 2)
        if not first:
            f.deliver(sent[0])
        _, mtype, message, _ = f.sent[sent[0] if first else sent[1]]
        t.add(what, flags, "invalid", **f.fields(f.refused(mtype, make(message))))

    def kyber_ct(message: bytes) -> tuple[int, int]:
        return fields(message, 0)[KYBER_CIPHERTEXT]

    tampered(
        "the first pre-key message with a bit of its Kyber ciphertext flipped",
        ["ModifiedKyberCiphertext"],
        lambda m: flip_in(m, (kyber_ct(m)[0] + 1, kyber_ct(m)[1]), src),
    )
    for byte in (0x05, 0x0A):
        tampered(
            f"the first pre-key message with its Kyber ciphertext's type byte {byte:#04x}",
            ["WrongKeyType"],
            lambda m, b=byte: m[: kyber_ct(m)[0]] + bytes([b]) + m[kyber_ct(m)[0] + 1 :],
        )
    tampered(
        "the first pre-key message without its Kyber ciphertext",
        ["MissingKyber"],
        lambda m: _without(m, KYBER_CIPHERTEXT),
    )
    tampered(
        "the first pre-key message without its Kyber pre-key id and ciphertext",
        ["MissingKyber"],
        lambda m: _without(m, KYBER_PRE_KEY_ID, KYBER_CIPHERTEXT),
    )

    def kyber_id(m: bytes) -> bytes:
        start, end = fields(m, 0)[KYBER_PRE_KEY_ID]
        value, _ = decode_varint(m, start)
        return m[:start] + encode_varint(value ^ 1) + m[end:]

    tampered(
        "the first pre-key message naming another Kyber pre-key id",
        ["UnknownKyberPreKey"],
        kyber_id,
    )
    tampered(
        "the first pre-key message with its base key's type byte 0x06",
        ["WrongKeyType"],
        lambda m: m[: fields(m, 0)[BASE_KEY][0]] + b"\x06" + m[fields(m, 0)[BASE_KEY][0] + 1 :],
    )

    def version(m: bytes, value: int) -> bytes:
        start, _, _ = _inner(m)
        return bytes([value]) + m[1:start] + bytes([value]) + m[start + 1 :]

    tampered(
        "the first pre-key message with version byte 0x33, outside and inside",
        ["Version3"],
        lambda m: version(m, 0x33),
    )
    tampered(
        "the first pre-key message with a bit of its SPQR field flipped",
        ["ModifiedSpqr"],
        lambda m: flip_in(m, _inner(m)[2][PQ_RATCHET], src),
    )

    def no_spqr(m: bytes) -> bytes:
        start, end, _ = _inner(m)
        inner = m[start:end]
        body, mac = inner[:-MAC], inner[-MAC:]
        return replace_field(m, MESSAGE, _without(body, PQ_RATCHET) + mac)

    tampered(
        "the first pre-key message without its SPQR field", ["ModifiedSpqr", "Version3"], no_spqr
    )
    tampered(
        "the second pre-key message with a bit of its MAC flipped",
        ["ModifiedMac"],
        lambda m: flip_in(m, (_inner(m)[1] - MAC, _inner(m)[1]), src),
        first=False,
    )
    tampered(
        "the second pre-key message with a bit of its SPQR field flipped",
        ["ModifiedSpqr"],
        lambda m: flip_in(m, _inner(m)[2][PQ_RATCHET], src),
        first=False,
    )

    # A genuine classic (X3DH, version 3) first message to Bob's EC keys.
    f = Flight(reference, reference, src)
    bob = f.bob.fields
    party = classic.signal_party(
        bob["bobIdentityPrivate"],
        bob["bobRegistrationId"],
        bob["bobSignedPreKeyId"],
        bob["bobSignedPreKeyPrivate"],
        bob["bobSignatureRandom"][:64],
        bob["bobPreKeyId"],
        bob["bobPreKeyPrivate"],
    )
    b = classic.signal_bundle(party)
    alice = classic.signal_party(src.bytes(32), 7, 8, src.bytes(32), src.bytes(64), 0, b"")
    alice = classic.signal_initiate(
        alice,
        b["registration_id"],
        b["identity_key"],
        b["signed_prekey_id"],
        b["signed_prekey"],
        b["signed_prekey_signature"],
        b["prekey_id"],
        b["prekey"],
        src.bytes(32),
        src.bytes(32),
    )
    v3 = classic.signal_encrypt(alice, b"a classic first message")
    t.add(
        "a classic X3DH first message (version 3) to Bob's keys",
        ["Version3", "MissingKyber"],
        "invalid",
        **f.fields(f.refused(v3["type"], v3["message"])),
    )

    r = fb.group(SPEC_RECEIVE)
    f = Flight(reference, reference, src)
    (n,) = f.send("alice")
    f.deliver(n)
    _, mtype, message, _ = f.sent[n]
    r.add(
        "the first pre-key message delivered twice",
        ["PreKeyReplay"],
        "invalid",
        **f.fields(f.refused(mtype, message)),
    )
    f = Flight(reference, reference, src)
    sent = f.send("alice", 3)
    f.deliver(sent[2], sent[0])
    _, mtype, message, _ = f.sent[sent[0]]
    r.add(
        "a pre-key message decrypted out of order, delivered twice",
        ["PreKeyReplay", "OutOfOrder"],
        "invalid",
        **f.fields(f.refused(mtype, message)),
    )
    return write(fb, out / "signal_pq_receive_test.json")


def gen_bundle(reference: SignalPq, out: Path) -> Path:
    fb = FileBuilder(
        algorithm="SIGNAL-PQ",
        type_name="SignalPqBundle",
        header=["Alice checks Bob's PQXDH bundle before she initiates (PQXDH §3.3)."],
        notes=NOTES,
        source=SOURCE,
    )
    src = ByteSource("signal-pq bundle")
    g = fb.group(SPEC_BUNDLE)

    def case(
        comment: str,
        flags: list[str],
        result: ResultName,
        prekey: bool = True,
        **changed: Any,
    ) -> None:
        bob = Device("bob", src, prekey)
        bundle = dict(reference.signal_pq_bundle(bob.create(reference)))
        other = dict(reference.signal_pq_bundle(Device("bob", src).create(reference)))
        alice = Device("alice", src)
        fields_: dict[str, Any] = {
            "bobRegistrationId": bundle["registration_id"],
            "bobIdentityKey": bundle["identity_key"],
            "bobSignedPreKeyId": bundle["signed_prekey_id"],
            "bobSignedPreKey": bundle["signed_prekey"],
            "bobSignedPreKeySignature": bundle["signed_prekey_signature"],
            "bobPreKeyId": bundle["prekey_id"],
            "bobPreKey": bundle["prekey"],
            "bobKyberPreKeyId": bundle["kyber_prekey_id"],
            "bobKyberPreKey": bundle["kyber_prekey"],
            "bobKyberPreKeySignature": bundle["kyber_prekey_signature"],
        }
        for name, change in changed.items():
            fields_[name] = change(fields_, other)
        g.add(
            comment,
            flags,
            result,
            **alice.fields,
            **fields_,
            baseKey=src.bytes(32),
            ratchetKey=src.bytes(32),
            kyberRandom=src.bytes(32),
            pqRandom=src.bytes(64),
        )

    def flip(name: str) -> Any:
        return lambda f, o: flip_in(f[name], (0, len(f[name])), src)

    case("a genuine bundle", [], "valid")
    case("a genuine bundle without a one-time EC pre-key", ["NoOneTimePreKey"], "valid", False)
    case(
        "the signed pre-key's signature with a bit flipped",
        ["BadSignature"],
        "invalid",
        bobSignedPreKeySignature=flip("bobSignedPreKeySignature"),
    )
    case(
        "the Kyber pre-key's signature with a bit flipped",
        ["BadSignature"],
        "invalid",
        bobKyberPreKeySignature=flip("bobKyberPreKeySignature"),
    )
    case(
        "the Kyber pre-key's signature all zero",
        ["BadSignature"],
        "invalid",
        bobKyberPreKeySignature=lambda f, o: bytes(64),
    )
    case(
        "the Kyber pre-key and its signature from another identity",
        ["BadSignature"],
        "invalid",
        bobKyberPreKey=lambda f, o: o["kyber_prekey"],
        bobKyberPreKeySignature=lambda f, o: o["kyber_prekey_signature"],
    )
    case(
        "the two pre-key signatures swapped",
        ["BadSignature"],
        "invalid",
        bobSignedPreKeySignature=lambda f, o: f["bobKyberPreKeySignature"],
        bobKyberPreKeySignature=lambda f, o: f["bobSignedPreKeySignature"],
    )
    for byte in (0x05, 0x0A):
        case(
            f"the Kyber pre-key with type byte {byte:#04x}",
            ["WrongKeyType"],
            "invalid",
            bobKyberPreKey=lambda f, o, b=byte: bytes([b]) + f["bobKyberPreKey"][1:],
        )
    case(
        "the Kyber pre-key cut short by one byte",
        ["KeyLength"],
        "invalid",
        bobKyberPreKey=lambda f, o: f["bobKyberPreKey"][:-1],
    )
    case(
        "the signed pre-key with type byte 0x06",
        ["WrongKeyType"],
        "invalid",
        bobSignedPreKey=lambda f, o: b"\x06" + f["bobSignedPreKey"][1:],
    )
    case(
        "no Kyber pre-key",
        ["MissingKyber"],
        "invalid",
        bobKyberPreKeyId=lambda f, o: 0,
        bobKyberPreKey=lambda f, o: b"",
        bobKyberPreKeySignature=lambda f, o: b"",
    )
    return write(fb, out / "signal_pq_bundle_test.json")


def generate(out: Path) -> list[Path]:
    """Write the current Signal vector files into ``out``, reproduce them, check them."""
    OBSERVATIONS.clear()
    reference = bundled("reference")
    libsignal = bundled("libsignal-client")
    signal = cast(SignalPq, reference.get("signal-pq"))
    paths = [
        gen_receive(signal, cast(Signal, reference.get("signal")), out),
        gen_bundle(signal, out),
    ]
    check(paths)
    OBSERVATIONS.extend(reproduce(paths, [reference, libsignal]))
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--record" in args:
        reference = bundled("reference")
        libsignal = bundled("libsignal-client")
        record(
            cast(SignalPq, reference.get("signal-pq")),
            cast(SignalPq, libsignal.get("signal-pq")),
            libsignal.version,
        )
        print(f"recorded libsignal {libsignal.version}'s first flights in {RECORDED}")
        args.remove("--record")
    description = __doc__.splitlines()[0] if __doc__ else None
    return run_generator("signal_pq.py", description, "signal-pq", generate, OBSERVATIONS, args)


if __name__ == "__main__":
    sys.exit(main())
