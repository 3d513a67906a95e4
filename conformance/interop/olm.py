"""Olm pair scenarios (libolm docs/olm.md): A is Alice, B is Bob.

Bob's account, identity key and one-time key come from B; Alice builds her session with A from
what B published, and from then on every message one side produces must decrypt on the other
to exactly what was sent, across ratchet turns, out of order and with messages lost.
"""

from __future__ import annotations

from ..errors import ProtocolError
from ..model import SpecRef
from . import PairFailure, PairScenario, Rng, step
from .drivers import OlmDriver

__all__ = ["SCENARIOS"]

OLM_SPEC = "libolm docs/olm.md"


def _pair(a: object, b: object, rng: Rng, fallback: bool = False) -> OlmDriver:
    p = OlmDriver(a, b, rng, fallback=fallback)
    step("setting the session up", p.establish)
    return p


def _converse(a: object, b: object, rng: Rng) -> str | None:
    """Several ratchet turns both ways, in order (olm.md "Advancing the root key")."""
    p = _pair(a, b, rng)
    for sender, count in (
        ("alice", 2),
        ("bob", 2),
        ("alice", 1),
        ("bob", 3),
        ("alice", 2),
        ("bob", 1),
    ):
        p.exchange(sender, count)
    return None


def _out_of_order(a: object, b: object, rng: Rng) -> str | None:
    """Messages of one chain delivered shuffled, on both sides and after a ratchet turn
    (olm.md "Decrypting messages": skipped message keys are kept)."""
    p = _pair(a, b, rng)
    first = p.send("alice", 5)
    rest = first[1:]
    rng.shuffle(rest)
    p.receive(first[0], *rest)
    replies = p.send("bob", 4)
    rng.shuffle(replies)
    p.receive(*replies)
    again = p.send("alice", 4)
    rng.shuffle(again)
    p.receive(*again)
    return None


def _lost(a: object, b: object, rng: Rng) -> str | None:
    """Lost messages never stop the conversation: later ones, and later chains, decrypt."""
    p = _pair(a, b, rng)
    sent = p.send("alice", 4)
    p.receive(sent[0], sent[3])
    replies = p.send("bob", 3)
    p.receive(replies[2])
    p.exchange("alice", 2)
    p.exchange("bob", 1)
    return None


def _replay_refused(a: object, b: object, rng: Rng) -> str | None:
    """A normal message delivered twice: the second copy must be refused by B, and the session
    still works afterwards (its key is deleted once used: olm.md "Decrypting messages")."""
    p = _pair(a, b, rng)
    p.exchange("alice", 1)
    p.exchange("bob", 1)
    (n,) = p.send("alice", 1)
    p.receive(n)
    p.replay(n)
    # A message decrypted from a kept skipped key: that key must go once used.
    first, second = p.send("alice", 2)
    p.receive(second, first)
    p.replay(first)
    p.exchange("alice", 1)
    p.exchange("bob", 1)
    return None


def _fallback(a: object, b: object, rng: Rng) -> str | None:
    """A session started on Bob's fallback key instead of a one-time key."""
    p = _pair(a, b, rng, fallback=True)
    p.exchange("alice", 2)
    p.exchange("bob", 2)
    p.exchange("alice", 1)
    return None


def _skipped_across_chains(a: object, b: object, rng: Rng) -> str | None:
    """30 messages skipped in each of two of Alice's chains, then the oldest one delivered:
    libolm keeps 40 skipped keys per session (it is gone), vodozemac 40 per receiving chain
    (it decrypts). docs/olm.md sets no limit, so either is reported, not judged."""
    p = _pair(a, b, rng)
    first = p.send("alice", 31)
    p.receive(first[-1])
    p.exchange("bob", 1)
    second = p.send("alice", 31)
    p.receive(second[-1])
    m = p.sent[first[0]]
    try:
        _, got = p.open("bob", p.states["bob"], m.type, m.message)
    except ProtocolError:
        return "rejected"
    if got != m.plaintext:
        raise PairFailure(f"bob decrypted message {first[0]} to {got!r}")
    return "accepted"


def _spec(*sections: str) -> tuple[SpecRef, ...]:
    return tuple(SpecRef(OLM_SPEC, s) for s in sections)


SCENARIOS = [
    PairScenario(
        "converse",
        "olm",
        "olm",
        "Session from a one-time key, then six ratchet turns in order.",
        _spec("Initial setup", "Advancing the root key"),
        _converse,
        smoke=True,
    ),
    PairScenario(
        "out-of-order",
        "olm",
        "olm",
        "Messages of a chain delivered shuffled, in both directions.",
        _spec("Decrypting messages"),
        _out_of_order,
    ),
    PairScenario(
        "lost-messages",
        "olm",
        "olm",
        "Messages lost in both directions; the conversation goes on.",
        _spec("Decrypting messages"),
        _lost,
    ),
    PairScenario(
        "replay-refused",
        "olm",
        "olm",
        "Messages delivered twice (in order, and from a skipped key) are refused.",
        _spec("Decrypting messages"),
        _replay_refused,
    ),
    PairScenario(
        "fallback-key",
        "olm",
        "olm",
        "Session started on Bob's fallback key.",
        _spec("Initial setup"),
        _fallback,
    ),
    PairScenario(
        "skipped-keys-across-chains",
        "olm",
        "olm",
        "30 keys skipped in each of two chains; is the oldest still there?",
        _spec("Decrypting messages"),
        _skipped_across_chains,
        flags=("SkippedKeyEviction",),
    ),
]
