"""Megolm pair scenarios (libolm docs/megolm.md): A owns the outbound session, B receives.

The session key goes from A to B byte for byte (the 229-byte sharing format); B's exports go
back to A (the 165-byte export format), so both formats are exercised in both directions.
"""

from __future__ import annotations

from typing import cast

from ..capabilities.megolm import Megolm
from ..errors import ProtocolError
from ..model import SpecRef
from . import PairFailure, PairScenario, Rng, step

__all__ = ["SCENARIOS"]

MEGOLM_SPEC = "libolm docs/megolm.md"


def _send(
    a: Megolm, session: bytes, rng: Rng, count: int
) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    sent = []
    for i in range(count):
        plaintext = rng.plaintext(f"group message {i}")
        out = cast(
            dict[str, bytes],
            step(f"A encrypts group message {i}", a.megolm_encrypt, session, plaintext),
        )
        session = out["session"]
        sent.append((out["message"], plaintext))
    return session, sent


def _receive(
    impl: Megolm,
    who: str,
    session: bytes,
    sent: list[tuple[bytes, bytes]],
    order: list[int],
    base: int = 0,
) -> bytes:
    for i in order:
        message, plaintext = sent[i - base]
        what = f"{who} decrypts group message at index {i}"
        got = cast(dict[str, object], step(what, impl.megolm_decrypt, session, message))
        session = cast(bytes, got["session"])
        if got["index"] != i or got["plaintext"] != plaintext:
            raise PairFailure(
                f"{what}: got index {got['index']} and {got['plaintext']!r}, expected {plaintext!r}"
            )
    return session


def _refused(impl: Megolm, who: str, session: bytes, message: bytes, index: int) -> None:
    try:
        impl.megolm_decrypt(session, message)
    except ProtocolError:
        return
    raise PairFailure(f"{who} decrypted index {index}, which is before the first index it knows")


def _outbound(a: Megolm, rng: Rng) -> bytes:
    return cast(
        bytes,
        step("A creates the outbound session", a.megolm_outbound, rng.take(128), rng.key()),
    )


def _shared(a: Megolm, b: Megolm, rng: Rng) -> tuple[bytes, bytes]:
    """A's new outbound session and B's inbound session from its session key at index 0."""
    out = _outbound(a, rng)
    key = cast(bytes, step("A reads the session key", a.megolm_session_key, out))
    return out, cast(bytes, step("B imports the session key", b.megolm_inbound, key))


def _share(a: object, b: object, rng: Rng) -> str | None:
    """The session key shared at index 0; B decrypts every message, shuffled, at its index."""
    ma, mb = cast(Megolm, a), cast(Megolm, b)
    out, inbound = _shared(ma, mb, rng)
    out, sent = _send(ma, out, rng, 6)
    order = list(range(6))
    rng.shuffle(order)
    _receive(mb, "B", inbound, sent, order)
    return None


def _export_import(a: object, b: object, rng: Rng) -> str | None:
    """B exports its session at index 2; A imports that export and decrypts from index 2 on,
    and refuses the messages before it (docs/megolm.md "Session export format")."""
    ma, mb = cast(Megolm, a), cast(Megolm, b)
    out, inbound = _shared(ma, mb, rng)
    out, sent = _send(ma, out, rng, 5)
    inbound = _receive(mb, "B", inbound, sent, [0, 1])
    exported = cast(bytes, step("B exports at index 2", mb.megolm_export, inbound, 2))
    imported = cast(bytes, step("A imports B's export", ma.megolm_import, exported))
    _receive(ma, "A (from the export)", imported, sent, [4, 2, 3])
    _refused(ma, "A (from the export)", imported, sent[1][0], 1)
    return None


def _late_joiner(a: object, b: object, rng: Rng) -> str | None:
    """The session key shared after three messages: B reads from index 3 on and refuses the
    earlier ones (docs/megolm.md "Limitations": no access to earlier messages)."""
    ma, mb = cast(Megolm, a), cast(Megolm, b)
    out = _outbound(ma, rng)
    out, early = _send(ma, out, rng, 3)
    key = cast(bytes, step("A reads the session key at index 3", ma.megolm_session_key, out))
    inbound = cast(bytes, step("B imports the session key", mb.megolm_inbound, key))
    out, late = _send(ma, out, rng, 3)
    _receive(mb, "B", inbound, late, [4, 3, 5], base=3)
    _refused(mb, "B", inbound, early[0][0], 0)
    return None


def _spec(*sections: str) -> tuple[SpecRef, ...]:
    return tuple(SpecRef(MEGOLM_SPEC, s) for s in sections)


SCENARIOS = [
    PairScenario(
        "share-and-decrypt",
        "megolm",
        "megolm",
        "A's session key shared to B; B decrypts six messages shuffled.",
        _spec("Session sharing format", "Message format"),
        _share,
        smoke=True,
    ),
    PairScenario(
        "export-import",
        "megolm",
        "megolm",
        "B's export at index 2 imported by A, which decrypts from index 2 on.",
        _spec("Session export format"),
        _export_import,
    ),
    PairScenario(
        "late-joiner",
        "megolm",
        "megolm",
        "Session key shared at index 3: earlier messages are refused.",
        _spec("Session sharing format", "Limitations"),
        _late_joiner,
    ),
]
