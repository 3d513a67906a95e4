"""Signal pair scenarios: A is Alice (the initiator), B is Bob (the owner of the bundle).

Bob's bundle comes from B as B publishes it; Alice builds her session from it with A (which
checks the signed pre-key's signature), and every message one side produces must decrypt on the
other to what was sent: across ratchet turns, out of order, with messages lost. Sender-key
scenarios run between implementations that declare ``signal-group``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from ..capabilities.signal import SignalGroup
from ..errors import ProtocolError
from ..model import SpecRef
from . import PairFailure, PairScenario, Rng, step
from .drivers import SignalDriver

__all__ = ["SCENARIOS", "session_scenarios"]

X3DH = "Signal X3DH specification"
DR = "Signal Double Ratchet specification"


Play = Callable[[type[SignalDriver], object, object, Rng], "str | None"]


def _pair(
    driver: type[SignalDriver], a: object, b: object, rng: Rng, one_time_prekey: bool = True
) -> SignalDriver:
    p = driver(a, b, rng, one_time_prekey=one_time_prekey)
    step("setting the session up", p.establish)
    return p


def _converse(driver: type[SignalDriver], a: object, b: object, rng: Rng) -> str | None:
    """Several ratchet turns both ways, in order (Double Ratchet §3.5)."""
    p = _pair(driver, a, b, rng)
    for sender, count in (("alice", 2), ("bob", 2), ("alice", 1), ("bob", 3), ("alice", 2)):
        p.exchange(sender, count)
    return None


def _no_prekey(driver: type[SignalDriver], a: object, b: object, rng: Rng) -> str | None:
    """A bundle without a one-time pre-key: X3DH without DH4 (X3DH §3.3)."""
    p = _pair(driver, a, b, rng, one_time_prekey=False)
    p.exchange("alice", 2)
    p.exchange("bob", 1)
    p.exchange("alice", 1)
    return None


def _out_of_order(driver: type[SignalDriver], a: object, b: object, rng: Rng) -> str | None:
    """Shuffled delivery inside chains, both ways (Double Ratchet §3.5 skipped keys)."""
    p = _pair(driver, a, b, rng)
    first = p.send("alice", 4)
    p.receive(first[0])
    rest = first[1:]
    rng.shuffle(rest)
    p.receive(*rest)
    replies = p.send("bob", 4)
    rng.shuffle(replies)
    p.receive(*replies)
    again = p.send("alice", 3)
    rng.shuffle(again)
    p.receive(*again)
    return None


def _lost(driver: type[SignalDriver], a: object, b: object, rng: Rng) -> str | None:
    """Lost messages in both directions; later ones and later chains decrypt."""
    p = _pair(driver, a, b, rng)
    sent = p.send("alice", 4)
    p.receive(sent[0], sent[3])
    replies = p.send("bob", 3)
    p.receive(replies[2])
    p.exchange("alice", 2)
    p.exchange("bob", 1)
    return None


def _replay(driver: type[SignalDriver], a: object, b: object, rng: Rng) -> str | None:
    """Messages delivered twice (in order, from a skipped key, and a PreKeySignalMessage) are
    refused, and the session goes on (Double Ratchet §3.5; libsignal DuplicatedMessage)."""
    p = _pair(driver, a, b, rng)
    (first,) = p.send("alice")
    p.receive(first)
    p.replay(first)
    p.exchange("bob", 1)
    x, y = p.send("alice", 2)
    p.receive(y, x)
    p.replay(x)
    p.exchange("bob", 1)
    p.exchange("alice", 1)
    return None


def _sender_keys(a: object, b: object, rng: Rng) -> str | None:
    """A's sender key distributed to B; B decrypts shuffled messages and refuses a replay
    (libsignal group_cipher.rs)."""
    ga, gb = cast(SignalGroup, a), cast(SignalGroup, b)
    created = step(
        "A creates a sender key",
        ga.signal_group_create,
        int.from_bytes(rng.take(3), "big"),
        0,
        rng.key(),
        rng.key(),
    )
    state = created["state"]
    receiver = step(
        "B processes the distribution message",
        gb.signal_group_join,
        created["distribution"],
        receiver="bob",
    )
    sent = []
    for i in range(5):
        plaintext = rng.plaintext(f"group message {i}")
        out = step(
            f"A encrypts group message {i}", ga.signal_group_encrypt, state, plaintext, rng.take(64)
        )
        state = out["state"]
        sent.append((out["message"], plaintext))
    order = list(range(5))
    rng.shuffle(order)
    for i in order:
        got = step(
            f"B decrypts group message {i}",
            gb.signal_group_decrypt,
            receiver,
            sent[i][0],
            receiver="bob",
        )
        receiver = got["state"]
        if got["plaintext"] != sent[i][1]:
            raise PairFailure(
                f"B decrypted group message {i} to {got['plaintext']!r}", receiver="bob"
            )
    try:
        gb.signal_group_decrypt(receiver, sent[order[0]][0])
    except ProtocolError:
        return None
    raise PairFailure(
        f"B decrypted group message {order[0]} a second time", receiver="bob", receiver_fault=True
    )


def _spec(document: str, *sections: str) -> tuple[SpecRef, ...]:
    return tuple(SpecRef(document, s) for s in sections)


def _bind(play: Play, driver: type[SignalDriver]) -> Callable[[object, object, Rng], str | None]:
    def bound(a: object, b: object, rng: Rng) -> str | None:
        return play(driver, a, b, rng)

    return bound


def session_scenarios(
    family: str,
    capability: str,
    driver: type[SignalDriver],
    setup: tuple[SpecRef, ...],
    ratchet: tuple[SpecRef, ...],
) -> list[PairScenario]:
    """The session scenarios of a Signal family, played with ``driver``: ``setup`` cites the
    key agreement, ``ratchet`` the Double Ratchet."""
    return [
        PairScenario(
            "converse",
            family,
            capability,
            "Session from a pre-key bundle, then five ratchet turns in order.",
            setup + ratchet,
            _bind(_converse, driver),
            smoke=True,
        ),
        PairScenario(
            "no-one-time-prekey",
            family,
            capability,
            "Session from a bundle without a one-time pre-key (no DH4).",
            setup,
            _bind(_no_prekey, driver),
        ),
        PairScenario(
            "out-of-order",
            family,
            capability,
            "Messages of a chain delivered shuffled, in both directions.",
            ratchet,
            _bind(_out_of_order, driver),
        ),
        PairScenario(
            "lost-messages",
            family,
            capability,
            "Messages lost in both directions; the conversation goes on.",
            ratchet,
            _bind(_lost, driver),
        ),
        PairScenario(
            "replay-refused",
            family,
            capability,
            "Messages delivered twice (in order and from a skipped key) are refused.",
            ratchet,
            _bind(_replay, driver),
        ),
    ]


SCENARIOS = [
    *session_scenarios("signal", "signal", SignalDriver, _spec(X3DH, "3.3"), _spec(DR, "3.5")),
    PairScenario(
        "sender-keys",
        "signal",
        "signal-group",
        "A's sender key distributed to B; B decrypts shuffled group messages, refuses a replay.",
        (SpecRef("libsignal rust/protocol/src/group_cipher.rs", "group_encrypt, group_decrypt"),),
        _sender_keys,
    ),
]
