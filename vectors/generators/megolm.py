"""Generate the Megolm vector files in ``vectors/megolm/``.

Usage: ``PYTHONPATH=. python vectors/generators/megolm.py [--out DIR] [--check]``

* ``megolm_session_test.json`` (``MegolmSession``): outbound sessions from a fixed initial
  ratchet and signing key, among them libolm's published test ratchet ("0123456789ABCDEF" x 8):
  the 229-byte session key, messages at indices 0-4 and their decryption.
* ``megolm_receive_test.json`` (``MegolmReceive``): the ratchet at indices 1, 2^8, 2^16,
  2^24 - 1, 2^24 and 0x1041506 read through exports (the values libolm's tests publish for
  1, 0x1000000 and 0x1041506, protocols.md 2.4, are asserted here); messages decrypted out of
  order and from an export; and the invalid cases: a message below the first known index, a
  flipped bit in the MAC (re-signed, so only the MAC is wrong), the ciphertext, the signature,
  a truncated message, a wrong version byte, a session key with a bad signature or version.
  Acceptable: the same index decrypted twice (docs/megolm.md "Limitations" leaves replay
  detection to the application) and the 32-bit counter wrapping from 0xFFFFFFFF to 0.

Every value comes from the suite's reference (conformance.reference.megolm); every case is
then run through the suite's checks on the reference and on libolm (python-olm), and ships
only when both reproduce it. ``--check`` regenerates and compares with the committed files.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance.capabilities.megolm import Megolm
from conformance.errors import ProtocolError
from vectors.generators._common import (
    ByteSource,
    FileBuilder,
    GeneratorError,
    NoteSpec,
    SpecRefSpec,
    bit_flip,
    check,
    require_equal,
    run_generator,
    write,
)
from vectors.generators._reproduce import bundled, reproduce

OBSERVATIONS: list[str] = []
MEGOLM = "libolm docs/megolm.md"
SOURCE = {"generator": "vectors/generators/megolm.py", "reproducedBy": "reference, libolm"}

#: libolm tests/test_megolm.cpp (upstream 5efd38c): the ratchet parts after advancing the
#: initial ratchet "0123456789ABCDEF" x 8 (protocols.md 2.4).
LIBOLM_RATCHET = b"0123456789ABCDEF" * 8
LIBOLM_PUBLISHED = {
    1: (None, None, None, "ba9cd955741d1c162323ec825e7c5ce889bbb423a18f23828fb2090d6e2af86a"),
    0x1000000: (
        "54022d7dc0298e1637e21c97153092f933c056ff74fe1b922d971f2482c2859c",
        "7004c01ee49bd6efe0073525af9b1632c5be726d12349cc5bd472bdc2df6540f",
        "3112591194fda617e568c683101eaecd7eddd6de1fbc0767ae34da1a09a54eab",
        "ba9cd955741d1c162323ec825e7c5ce889bbb423a18f23828fb2090d6e2af86a",
    ),
    0x1041506: (
        "54022d7dc0298e1637e21c97153092f933c056ff74fe1b922d971f2482c2859c",
        "55588df5b7a48878428927868164589f3663447b51edc3595b036ca604c46dcd",
        "5c54850bfa98a1fd79a9df1cbe8fc5681937d30c85c8c31f7bb828816cf9ff3b",
        "956cbf807e65126a49558d45c84a2e4cd56f03e24416b98e1cfd97c206aa907a",
    ),
}

NOTES = {
    "KnownRatchet": NoteSpec(
        "BASIC", "libolm's test ratchet; its values are published in libolm's tests."
    ),
    "RatchetIndex": NoteSpec(
        "EDGE_CASE",
        "The ratchet at an index where R_0, R_1 or R_2 reseeds the parts below it "
        "(docs/megolm.md: The Megolm ratchet algorithm).",
    ),
    "OutOfOrder": NoteSpec("OUT_OF_ORDER", "Messages decrypted out of order."),
    "Export": NoteSpec("FUNCTIONALITY", "A session imported from the 165-byte export format."),
    "UnknownIndex": NoteSpec(
        "MISSING_STEP", "A message from before the first index the session knows."
    ),
    "ModifiedMac": NoteSpec(
        "AUTH_BYPASS", "A bit of the 8-byte MAC is flipped and the message re-signed."
    ),
    "ModifiedCiphertext": NoteSpec("AUTH_BYPASS", "A bit of the ciphertext is flipped."),
    "ModifiedSignature": NoteSpec("AUTH_BYPASS", "A bit of the Ed25519 signature is flipped."),
    "Truncated": NoteSpec("MODIFIED_PARAMETER", "The message is cut short."),
    "WrongVersion": NoteSpec("MODIFIED_PARAMETER", "The version byte is not 3 (or 2 for a key)."),
    "BadSessionKey": NoteSpec(
        "AUTH_BYPASS", "The session key's signature does not verify, or its version is wrong."
    ),
    "MegolmIndexReplay": NoteSpec(
        "REPLAY",
        "The same message index decrypted twice. docs/megolm.md (Limitations) leaves replay "
        "detection to the application, which must track indices; a library may decrypt again.",
    ),
    "RefusedThenGenuine": NoteSpec(
        "DENIAL_OF_SERVICE",
        "A bad message is refused, and the scenario goes on from the session the receiver "
        "returned with the refusal: the genuine message delivered next must still decrypt.",
    ),
    "IndexTag": NoteSpec(
        "AUTH_BYPASS",
        "The tag byte of the message-index field (0x08) is changed (to 0x18) at index 0: a "
        "parser that skips the field as unknown reads the index as 0, so only a MAC and a "
        "signature over the bytes as received refuse it.",
    ),
    "CounterWraparound": NoteSpec(
        "EDGE_CASE",
        "The 32-bit message index wraps from 0xFFFFFFFF to 0. libolm's advance_to wraps; an "
        "implementation may refuse instead.",
    ),
}

SPEC_RATCHET = (SpecRefSpec(MEGOLM, "The Megolm ratchet algorithm"),)
SPEC_SHARING = (SpecRefSpec(MEGOLM, "Session sharing format"),)
SPEC_MESSAGE = (SpecRefSpec(MEGOLM, "Message format", "MUST"),)
SPEC_EXPORT = (SpecRefSpec(MEGOLM, "Session export format"),)


class Outbound:
    """An outbound session on the reference with its messages written down."""

    def __init__(self, megolm: Megolm, ratchet: bytes, seed: bytes) -> None:
        self.megolm, self.ratchet, self.seed = megolm, ratchet, seed
        self.session = megolm.megolm_outbound(ratchet, seed)
        self.key = megolm.megolm_session_key(self.session)
        self.messages: list[tuple[bytes, bytes]] = []

    def send(self, count: int, src: ByteSource) -> None:
        for _ in range(count):
            plaintext = f"group message {len(self.messages)}: {src.bytes(4).hex()}".encode()
            out = self.megolm.megolm_encrypt(self.session, plaintext)
            self.session = out["session"]
            self.messages.append((out["message"], plaintext))

    def decrypt_step(self, index: int, party: str = "bob") -> dict[str, Any]:
        message, plaintext = self.messages[index]
        return {
            "op": "decrypt",
            "party": party,
            "message": message,
            "plaintext": plaintext,
            "index": index,
        }


def _refused(megolm: Megolm, what: str, fn: Any, *args: Any) -> None:
    try:
        fn(*args)
    except ProtocolError:
        return
    raise GeneratorError(f"the reference accepted {what}")


def gen_session(megolm: Megolm, out: Path) -> Path:
    fb = FileBuilder(
        algorithm="MEGOLM",
        type_name="MegolmSession",
        header=["Megolm outbound sessions from fixed values, compared byte for byte."],
        notes=NOTES,
        source=SOURCE,
    )
    g = fb.group(SPEC_RATCHET + SPEC_SHARING + SPEC_MESSAGE)
    src = ByteSource("megolm session")
    for label, ratchet, flags in (
        ("libolm's test ratchet", LIBOLM_RATCHET, ["KnownRatchet"]),
        ("a pseudo-random ratchet", src.bytes(128), []),
        ("another pseudo-random ratchet", src.bytes(128), []),
    ):
        o = Outbound(megolm, ratchet, src.bytes(32))
        o.send(5, src)
        steps: list[dict[str, Any]] = [
            {"op": "encrypt", "party": "sender", "plaintext": p, "message": m, "index": i}
            for i, (m, p) in enumerate(o.messages)
        ]
        steps.append({"op": "inbound", "party": "bob", "key": o.key})
        steps += [o.decrypt_step(i) for i in (0, 1, 2, 3, 4)]
        g.add(
            f"{label}: session key, five messages, their decryption",
            flags,
            "valid",
            ratchet=ratchet,
            signingSeed=o.seed,
            sessionKey=o.key,
            steps=steps,
        )
    return write(fb, out / "megolm_session_test.json")


def _published(exported: bytes, index: int) -> None:
    parts = LIBOLM_PUBLISHED.get(index)
    if parts is None:
        return
    ratchet = exported[5:133]
    for i, value in enumerate(parts):
        if value is not None:
            require_equal(
                f"R_{index:#x},{i} against libolm's test",
                bytes.fromhex(value),
                ratchet[32 * i : 32 * i + 32],
            )


def gen_receive(megolm: Megolm, out: Path) -> Path:
    fb = FileBuilder(
        algorithm="MEGOLM",
        type_name="MegolmReceive",
        header=["The receiving side of Megolm: session keys, exports and messages as given."],
        notes=NOTES,
        source=SOURCE,
    )
    src = ByteSource("megolm receive")

    r = fb.group(SPEC_RATCHET + SPEC_EXPORT)
    known = Outbound(megolm, LIBOLM_RATCHET, src.bytes(32))
    inbound = megolm.megolm_inbound(known.key)
    for index in (1, 0xFF, 0x100, 0xFFFF, 0x10000, 0xFFFFFF, 0x1000000, 0x1041506):
        exported = megolm.megolm_export(inbound, index)
        _published(exported, index)
        r.add(
            f"libolm's test ratchet exported at index {index:#x}",
            ["KnownRatchet", "RatchetIndex"],
            "valid",
            steps=[
                {"op": "inbound", "party": "bob", "key": known.key},
                {"op": "export", "party": "bob", "index": index, "exported": exported},
            ],
        )
    # From 0x1000000 to 0x1041506 through an import, as libolm's test advances in two jumps.
    mid = megolm.megolm_export(inbound, 0x1000000)
    far = megolm.megolm_export(megolm.megolm_import(mid), 0x1041506)
    _published(far, 0x1041506)
    r.add(
        "an export at 0x1000000, imported and exported again at 0x1041506",
        ["KnownRatchet", "RatchetIndex", "Export"],
        "valid",
        steps=[
            {"op": "import", "party": "bob", "key": mid},
            {"op": "export", "party": "bob", "index": 0x1041506, "exported": far},
        ],
    )
    # libolm reads indices modulo 2^32 within a 2^31 window: reach 0xFFFFFFFF in hops.
    top = megolm.megolm_export(inbound, 0x40000000)
    for index in (0x80000000, 0xC0000000, 0xFFFFFFFF):
        top = megolm.megolm_export(megolm.megolm_import(top), index)
    wrapped = megolm.megolm_export(megolm.megolm_import(top), 0)
    r.add(
        "an export at 0xFFFFFFFF, imported and exported at index 0 (the counter wraps)",
        ["CounterWraparound"],
        "acceptable",
        steps=[
            {"op": "import", "party": "bob", "key": top},
            {"op": "export", "party": "bob", "index": 0, "exported": wrapped},
        ],
    )

    m = fb.group(SPEC_SHARING + SPEC_MESSAGE)
    o = Outbound(megolm, src.bytes(128), src.bytes(32))
    o.send(6, src)
    inbound_step = {"op": "inbound", "party": "bob", "key": o.key}
    m.add(
        "six messages decrypted out of order",
        ["OutOfOrder"],
        "valid",
        steps=[inbound_step, *(o.decrypt_step(i) for i in (3, 0, 5, 1, 4, 2))],
    )
    exported = megolm.megolm_export(megolm.megolm_inbound(o.key), 2)
    m.add(
        "an export at index 2 decrypts messages 2 to 5",
        ["Export"],
        "valid",
        steps=[
            {"op": "import", "party": "bob", "key": exported},
            *(o.decrypt_step(i) for i in (5, 2, 4, 3)),
        ],
    )
    imported = megolm.megolm_import(exported)
    _refused(
        megolm, "a message below the first index", megolm.megolm_decrypt, imported, o.messages[1][0]
    )
    m.add(
        "an export at index 2 asked to decrypt message 1",
        ["UnknownIndex"],
        "invalid",
        steps=[{"op": "import", "party": "bob", "key": exported}, o.decrypt_step(1)],
    )
    m.add(
        "message 3 decrypted twice",
        ["MegolmIndexReplay"],
        "acceptable",
        steps=[inbound_step, o.decrypt_step(3), o.decrypt_step(3)],
    )

    signer = Ed25519PrivateKey.from_private_bytes(o.seed)
    message = o.messages[4][0]
    body = message[: -64 - 8]
    mac = message[-64 - 8 : -64]

    def signed(data: bytes) -> bytes:
        return data + signer.sign(data)

    ct_start = 1 + 1 + 1  # version, tag 0x08, one-byte index 4
    bad_cases = [
        (
            "ModifiedMac",
            "a bit of the MAC flipped, re-signed",
            signed(body + bit_flip(mac, src.below(64))),
        ),
        (
            "ModifiedCiphertext",
            "a bit of the ciphertext flipped",
            bit_flip(message, 8 * (ct_start + 2) + src.below(8 * (len(body) - ct_start - 2))),
        ),
        (
            "ModifiedSignature",
            "a bit of the signature flipped",
            bit_flip(message, 8 * (len(message) - 64) + src.below(512)),
        ),
        ("Truncated", "the last byte cut off", message[:-1]),
        ("Truncated", "the signature cut off", message[:-64]),
        ("WrongVersion", "version byte 0x02, re-signed", signed(bytes([2]) + message[1:-64])),
    ]
    for flag, what, bad in bad_cases:
        _refused(megolm, what, megolm.megolm_decrypt, megolm.megolm_inbound(o.key), bad)
        m.add(
            f"message 4 with {what}",
            [flag],
            "invalid",
            steps=[
                inbound_step,
                {"op": "decrypt", "party": "bob", "message": bad, "plaintext": b"", "index": 4},
            ],
        )

    k = fb.group(SPEC_SHARING)
    key = o.key
    for what, bad in (
        ("a bit of its signature flipped", bit_flip(key, 8 * (len(key) - 64) + src.below(512))),
        ("a bit of its ratchet flipped", bit_flip(key, 8 * 5 + src.below(8 * 128))),
        ("version byte 0x01", bytes([1]) + key[1:]),
        ("its signature cut off", key[:-64]),
    ):
        _refused(megolm, what, megolm.megolm_inbound, bad)
        k.add(
            f"a session key with {what}",
            ["BadSessionKey"],
            "invalid",
            steps=[{"op": "inbound", "party": "bob", "key": bad}],
        )
    _receive_positions(megolm, fb)
    return write(fb, out / "megolm_receive_test.json")


def _receive_positions(megolm: Megolm, fb: FileBuilder) -> None:
    """At index 0, at a later index, out of order and right after a refused message, a bad
    copy is refused and the scenario goes on from the session returned with the refusal: the
    genuine message must still decrypt (docs/megolm.md "Message format": the MAC and the
    signature cover the message as sent)."""
    src = ByteSource("megolm receive positions")
    p = fb.group((SpecRefSpec(MEGOLM, "Message format", "MUST"), *SPEC_RATCHET))
    o = Outbound(megolm, src.bytes(128), src.bytes(32))
    o.send(4, src)
    signer = Ed25519PrivateKey.from_private_bytes(o.seed)

    def signed(data: bytes) -> bytes:
        return data + signer.sign(data)

    def bad(index: int, message: bytes) -> dict[str, Any]:
        _refused(
            megolm, "a bad message", megolm.megolm_decrypt, megolm.megolm_inbound(o.key), message
        )
        return {
            "op": "decrypt",
            "party": "bob",
            "message": message,
            "plaintext": b"",
            "index": index,
            "result": "invalid",
        }

    def mac_flipped(index: int) -> bytes:
        message = o.messages[index][0]
        body, mac = message[: -64 - 8], message[-64 - 8 : -64]
        return signed(body + bit_flip(mac, src.below(64)))

    first = o.messages[0][0]
    if first[1:3] != b"\x08\x00":
        raise GeneratorError("message 0 does not start with index field 0")
    tag = bit_flip(first, 8 + 4)
    inbound = {"op": "inbound", "party": "bob", "key": o.key}
    for what, message in (
        ("its message-index tag changed (0x08 to 0x18)", tag),
        ("its message-index tag changed and re-signed", signed(tag[:-64])),
    ):
        p.add(
            f"message 0 with {what}, refused, then the genuine message 0 and message 1",
            ["IndexTag", "RefusedThenGenuine"],
            "valid",
            steps=[inbound, bad(0, message), o.decrypt_step(0), o.decrypt_step(1)],
        )
    p.add(
        "message 0 with a bit of its MAC flipped (re-signed), refused, then the genuine one",
        ["ModifiedMac", "RefusedThenGenuine"],
        "valid",
        steps=[inbound, bad(0, mac_flipped(0)), o.decrypt_step(0)],
    )
    third = o.messages[3][0]
    p.add(
        "message 3 with a bit of its ciphertext flipped, refused, then the genuine one",
        ["ModifiedCiphertext", "RefusedThenGenuine"],
        "valid",
        steps=[
            inbound,
            *(o.decrypt_step(i) for i in range(3)),
            bad(3, bit_flip(third, 8 * 5 + src.below(8 * (len(third) - 5 - 72)))),
            o.decrypt_step(3),
        ],
    )
    p.add(
        "message 1 after message 2 with a bit of its MAC flipped, refused, then the genuine one",
        ["ModifiedMac", "OutOfOrder", "RefusedThenGenuine"],
        "valid",
        steps=[inbound, o.decrypt_step(2), bad(1, mac_flipped(1)), o.decrypt_step(1)],
    )
    second = o.messages[1][0]
    p.add(
        "message 1 with a bit of its signature flipped, refused, then message 2 and message 1",
        ["ModifiedSignature", "OutOfOrder", "RefusedThenGenuine"],
        "valid",
        steps=[
            inbound,
            bad(1, bit_flip(second, 8 * (len(second) - 64) + src.below(512))),
            o.decrypt_step(2),
            o.decrypt_step(1),
        ],
    )


def generate(out: Path) -> list[Path]:
    """Write the Megolm vector files into ``out``, reproduce them on libolm, check them."""
    OBSERVATIONS.clear()
    reference, libolm = bundled("reference"), bundled("python-olm")
    megolm = cast(Megolm, reference.get("megolm"))
    paths = [gen_session(megolm, out), gen_receive(megolm, out)]
    check(paths)
    OBSERVATIONS.extend(reproduce(paths, [reference, libolm]))
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    description = __doc__.splitlines()[0] if __doc__ else None
    return run_generator("megolm.py", description, "megolm", generate, OBSERVATIONS, argv)


if __name__ == "__main__":
    sys.exit(main())
