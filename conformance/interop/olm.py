"""Olm pair scenarios (libolm docs/olm.md): A is Alice, B is Bob.

Bob's account, identity key and one-time key come from B; Alice builds her session with A from
what B published, and from then on every message one side produces must decrypt on the other
to exactly what was sent, across ratchet turns, out of order and with messages lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from ..capabilities import Olm
from ..errors import ProtocolError
from ..model import SpecRef
from . import PairFailure, PairScenario, Rng

__all__ = ["SCENARIOS", "OlmPair"]

OLM_SPEC = "libolm docs/olm.md"


@dataclass
class _Sent:
    sender: str
    number: int
    type: int
    message: bytes
    plaintext: bytes


@dataclass
class OlmPair:
    """Alice on ``a``, Bob on ``b``; every message sent is kept until delivered or dropped."""

    a: Olm
    b: Olm
    rng: Rng
    fallback: bool = False
    accounts: dict[str, bytes] = field(default_factory=dict)
    sessions: dict[str, bytes] = field(default_factory=dict)
    identity: dict[str, bytes] = field(default_factory=dict)
    sent: list[_Sent] = field(default_factory=list)

    def impl(self, party: str) -> Olm:
        return self.a if party == "alice" else self.b

    def _do(self, what: str, fn: object, *args: object) -> dict[str, object] | bytes:
        try:
            return cast("dict[str, object] | bytes", fn(*args))  # type: ignore[operator]
        except ProtocolError as exc:
            raise PairFailure(f"{what}: refused with {exc.kind}: {exc}") from None

    def establish(self) -> None:
        """Both accounts; Bob publishes a one-time (or fallback) key; Alice's outbound session."""
        for party in ("alice", "bob"):
            impl = self.impl(party)
            self.accounts[party] = cast(
                bytes,
                self._do(
                    f"{party} creates an account", impl.olm_account, self.rng.key(), self.rng.key()
                ),
            )
            keys = cast(
                bytes,
                self._do(
                    f"{party} reads identity keys", impl.olm_identity_keys, self.accounts[party]
                ),
            )
            self.identity[party] = keys[:32]
        add = self.b.olm_add_fallback_key if self.fallback else self.b.olm_add_one_time_key
        added = cast(
            dict[str, bytes],
            self._do("bob adds a one-time key", add, self.accounts["bob"], self.rng.key()),
        )
        self.accounts["bob"] = added["account"]
        self.sessions["alice"] = cast(
            bytes,
            self._do(
                "alice creates the outbound session",
                self.a.olm_outbound,
                self.accounts["alice"],
                self.identity["bob"],
                added["key"],
                self.rng.key(),
                self.rng.key(),
            ),
        )

    def send(self, sender: str, count: int = 1) -> list[int]:
        numbers = []
        for _ in range(count):
            number = len(self.sent)
            plaintext = self.rng.plaintext(f"{sender} message {number}")
            out = cast(
                dict[str, object],
                self._do(
                    f"{sender} encrypts message {number}",
                    self.impl(sender).olm_encrypt,
                    self.sessions[sender],
                    plaintext,
                    self.rng.key(),
                ),
            )
            self.sessions[sender] = cast(bytes, out["session"])
            self.sent.append(
                _Sent(
                    sender, number, cast(int, out["type"]), cast(bytes, out["message"]), plaintext
                )
            )
            numbers.append(number)
        return numbers

    def deliver(self, *numbers: int) -> None:
        for number in numbers:
            m = self.sent[number]
            to = "bob" if m.sender == "alice" else "alice"
            what = f"{to} decrypts message {number} (type {m.type}) from {m.sender}"
            impl = self.impl(to)
            if to not in self.sessions:
                if m.type != 0:
                    raise PairFailure(f"{what}: Bob's first message is not a pre-key message")
                got = cast(
                    dict[str, bytes],
                    self._do(
                        what,
                        impl.olm_inbound,
                        self.accounts[to],
                        self.identity[m.sender],
                        m.message,
                    ),
                )
                self.accounts[to] = got["account"]
            else:
                got = cast(
                    dict[str, bytes],
                    self._do(what, impl.olm_decrypt, self.sessions[to], m.type, m.message),
                )
            self.sessions[to] = got["session"]
            if got["plaintext"] != m.plaintext:
                raise PairFailure(f"{what}: got {got['plaintext']!r}, expected {m.plaintext!r}")

    def replay(self, number: int) -> None:
        """Deliver an already decrypted message again: it must be refused."""
        m = self.sent[number]
        to = "bob" if m.sender == "alice" else "alice"
        try:
            self.impl(to).olm_decrypt(self.sessions[to], m.type, m.message)
        except ProtocolError:
            return
        raise PairFailure(f"{to} decrypted message {number} from {m.sender} a second time")

    def exchange(self, sender: str, count: int) -> None:
        self.deliver(*self.send(sender, count))


def _converse(a: object, b: object, rng: Rng) -> str | None:
    """Several ratchet turns both ways, in order (olm.md "Advancing the root key")."""
    p = OlmPair(cast(Olm, a), cast(Olm, b), rng)
    p.establish()
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
    p = OlmPair(cast(Olm, a), cast(Olm, b), rng)
    p.establish()
    first = p.send("alice", 5)
    rest = first[1:]
    rng.shuffle(rest)
    p.deliver(first[0], *rest)
    replies = p.send("bob", 4)
    rng.shuffle(replies)
    p.deliver(*replies)
    again = p.send("alice", 4)
    rng.shuffle(again)
    p.deliver(*again)
    return None


def _lost(a: object, b: object, rng: Rng) -> str | None:
    """Lost messages never stop the conversation: later ones, and later chains, decrypt."""
    p = OlmPair(cast(Olm, a), cast(Olm, b), rng)
    p.establish()
    sent = p.send("alice", 4)
    p.deliver(sent[0], sent[3])
    replies = p.send("bob", 3)
    p.deliver(replies[2])
    p.exchange("alice", 2)
    p.exchange("bob", 1)
    return None


def _replay_refused(a: object, b: object, rng: Rng) -> str | None:
    """A normal message delivered twice: the second copy must be refused by B, and the session
    still works afterwards (its key is deleted once used: olm.md "Decrypting messages")."""
    p = OlmPair(cast(Olm, a), cast(Olm, b), rng)
    p.establish()
    p.exchange("alice", 1)
    p.exchange("bob", 1)
    (n,) = p.send("alice", 1)
    p.deliver(n)
    p.replay(n)
    # A message decrypted from a kept skipped key: that key must go once used.
    first, second = p.send("alice", 2)
    p.deliver(second, first)
    p.replay(first)
    p.exchange("alice", 1)
    p.exchange("bob", 1)
    return None


def _fallback(a: object, b: object, rng: Rng) -> str | None:
    """A session started on Bob's fallback key instead of a one-time key."""
    p = OlmPair(cast(Olm, a), cast(Olm, b), rng, fallback=True)
    p.establish()
    p.exchange("alice", 2)
    p.exchange("bob", 2)
    p.exchange("alice", 1)
    return None


def _skipped_across_chains(a: object, b: object, rng: Rng) -> str | None:
    """30 messages skipped in each of two of Alice's chains, then the oldest one delivered:
    libolm keeps 40 skipped keys per session (it is gone), vodozemac 40 per receiving chain
    (it decrypts). docs/olm.md sets no limit, so either is reported, not judged."""
    p = OlmPair(cast(Olm, a), cast(Olm, b), rng)
    p.establish()
    first = p.send("alice", 31)
    p.deliver(first[-1])
    p.exchange("bob", 1)
    second = p.send("alice", 31)
    p.deliver(second[-1])
    m = p.sent[first[0]]
    try:
        got = p.b.olm_decrypt(p.sessions["bob"], m.type, m.message)
    except ProtocolError:
        return "rejected"
    if got["plaintext"] != m.plaintext:
        raise PairFailure(f"bob decrypted message {first[0]} to {got['plaintext']!r}")
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
