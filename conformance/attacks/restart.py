"""Crash and restart in the middle of a conversation, for the ratcheting session families (Olm,
Megolm, classic and current Signal): ``pair/<family>/restart`` and ``prop/<family>/crash-restart``.

The stateful contract (ARCHITECTURE.md) says every operation returns the party's new state; an
implementation that crashes and comes back is started from the state it last returned
(:mod:`conformance.interop.restart`: its process killed, or its object discarded). The
conversation must then go on as if nothing happened:

* no message lost: every message sent is read, once, to what was sent (a one-time pre-key
  published before a restart is still there after it; a chain position survives);
* none read twice: a message read before the restart is refused after it (the Double Ratchet
  specification §3.2 and libolm's olm.md "Decrypting messages" delete a message key once used;
  Megolm leaves replays to the application, docs/megolm.md "Limitations", so it is not asked);
* no key reused: a restarted sender never sends a second message under a (ratchet key, counter)
  position it used before (Double Ratchet §3.2: each message key is used once; Megolm: each
  ratchet index once, docs/megolm.md "Advancing the ratchet").

Each story runs twice from one seed: first without the restarts (a control), then with them.
A pair that fails the control fails for a reason of its own (an incompatibility the pair
scenarios show), judged like any pair's failure. When only the run with restarts fails, a
party whose first operation after its restart fails, or who reuses a position, is charged
alone (its persisted state did not survive), and a replay read is the receiver's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import ProtocolError
from ..interop import PairFailure, PairScenario, Played, Rng
from ..interop.drivers import DRIVERS, Driver, MegolmDriver, Sent, other
from ..interop.restart import restart
from ..model import SpecRef
from ..properties import wire
from ..reference.varint import decode_varint

__all__ = ["SCENARIOS", "position"]

#: Steps of the random program of ``crash-restart`` (sends, deliveries, restarts).
STEPS = 40
#: One step in this many restarts a party.
RESTART_ODDS = 6
#: The most messages in flight at once (well inside every family's skipped-key window).
IN_FLIGHT = 8

#: Olm and Signal messages: the ratchet key (field 1) and counter (field 2) tags.
RATCHET_KEY_TAG = 0x0A
#: Bytes after the fields: an 8-byte MAC; Megolm adds a 64-byte signature.
_TRAILERS = {"megolm": 8 + 64}


def position(family: str, message: bytes, embedded_tag: int | None) -> tuple[bytes, int] | None:
    """The (ratchet key, counter) a message claims, from its fields (libolm docs/olm.md and
    docs/megolm.md "Message format"; libsignal wire.proto SignalMessage), looking inside a
    first (pre-key) message; None when it does not parse."""
    trailer = _TRAILERS.get(family, 8)
    counter_tag = 0x08 if family == "megolm" else 0x10
    try:
        found = wire.fields(message, trailer)
    except (ValueError, IndexError, ProtocolError):
        found = {}
    if counter_tag in found:
        counter = decode_varint(message, found[counter_tag][0])[0]
        key = b""
        if RATCHET_KEY_TAG in found:
            start, end = found[RATCHET_KEY_TAG]
            key = message[start:end]
        return key, counter
    if embedded_tag is None:
        return None
    try:
        outer = wire.fields(message, 0)
    except (ValueError, IndexError, ProtocolError):
        return None
    if embedded_tag not in outer:
        return None
    start, end = outer[embedded_tag]
    return position(family, message[start:end], None)


@dataclass
class _Ledger:
    """What a restart story keeps: which party restarted and has not yet completed an
    operation since, and the positions each sender used."""

    driver: Driver
    #: False for the control run, the same story without the restarts.
    restarting: bool = True
    pending: set[str] = field(default_factory=set)
    positions: dict[tuple[str, bytes, int], int] = field(default_factory=dict)
    restarts: int = 0
    #: The parties restarted, in order.
    restarted: list[str] = field(default_factory=list)

    def restart(self, party: str) -> None:
        if not self.restarting:
            return
        restart(self.driver.impl(party))
        self.pending.add(party)
        self.restarted.append(party)
        self.restarts += 1

    @staticmethod
    def _after_restart(party: str, what: str, exc: ProtocolError, sending: bool) -> PairFailure:
        message = (
            f"{what} after {party}'s restart: refused with {exc.kind}: {exc} (its persisted "
            "state did not survive)"
        )
        if sending:
            return PairFailure(message, receiver=other(party), sender_fault=True)
        return PairFailure(message, receiver=party, receiver_fault=True)

    def send(self, sender: str) -> Sent:
        what = f"{sender} encrypts message {len(self.driver.sent)}"
        try:
            s = self.driver.encrypt(sender)
        except ProtocolError as exc:
            if sender in self.pending:
                raise self._after_restart(sender, what, exc, True) from None
            raise PairFailure(f"{what}: refused with {exc.kind}: {exc}") from None
        self.pending.discard(sender)
        d = self.driver
        pos = position(d.family, s.message, d.embedded_tag)
        if pos is not None:
            used = self.positions.setdefault((sender, *pos), s.number)
            if used != s.number:
                raise PairFailure(
                    f"{sender} sent message {s.number} at the chain position of its message "
                    f"{used} (same ratchet key, counter {pos[1]}): a message key used twice"
                    + (" after a restart" if self.restarts else ""),
                    receiver=s.to,
                    sender_fault=True,
                )
        return s

    def deliver(self, s: Sent) -> None:
        what = f"{s.to} reads message {s.number} from {s.sender}"
        try:
            got = self.driver.deliver(s)
        except ProtocolError as exc:
            if s.to in self.pending:
                raise self._after_restart(s.to, what, exc, False) from None
            raise PairFailure(f"{what}: refused with {exc.kind}: {exc}", receiver=s.to) from None
        self.pending.discard(s.to)
        if got != s.plaintext:
            raise PairFailure(f"{what}: got other bytes than were sent", receiver=s.to)

    def replay(self, s: Sent) -> None:
        """A message ``s.to`` has read, offered to it again: it must be refused."""
        if isinstance(self.driver, MegolmDriver):
            return
        if self.driver.attempt(s.to, s.type, s.message) is None:
            raise PairFailure(
                f"{s.to} read message {s.number} a second time"
                + (" after its restart" if self.restarts else ""),
                receiver=s.to,
                receiver_fault=True,
            )


def _restart_story(d: Driver, ledger: _Ledger) -> None:
    """The scripted story: each party restarted at the moments where a careless persister
    loses something: the receiver after publishing its keys and before its first message; the
    sender after sending and before the reply; both after a reply, mid-chain."""
    d.establish()
    ledger.restart("bob")
    first = [ledger.send("alice") for _ in range(2)]
    ledger.restart("alice")
    for s in first:
        ledger.deliver(s)
    ledger.restart("bob")
    ledger.replay(first[0])
    if "bob" in d.senders:
        reply = [ledger.send("bob") for _ in range(2)]
        ledger.restart("bob")
        ledger.deliver(reply[1])
        ledger.restart("alice")
        ledger.deliver(reply[0])
        ledger.replay(reply[1])
    later = [ledger.send("alice") for _ in range(2)]
    ledger.restart("alice")
    again = ledger.send("alice")
    for s in (*later, again):
        ledger.deliver(s)


def _random_program(d: Driver, ledger: _Ledger, rng: Rng) -> None:
    """:data:`STEPS` random steps: a send by a party that can, a delivery of a message in
    flight (any of them: out of order too), a replay of one read, and one step in
    :data:`RESTART_ODDS` a restart of either party; then every message left is delivered."""
    d.establish()
    flight: list[Sent] = []
    read: list[Sent] = []
    for _ in range(STEPS):
        roll = rng.take(2)
        if roll[0] % RESTART_ODDS == 0:
            ledger.restart(d.senders[0] if roll[1] % 2 == 0 else "bob")
            continue
        senders = [p for p in d.senders if d.can_send(p)]
        if flight and (len(flight) >= IN_FLIGHT or roll[0] % 3 == 0):
            s = flight.pop(roll[1] % len(flight))
            ledger.deliver(s)
            read.append(s)
        elif read and roll[0] % 7 == 1:
            ledger.replay(read[roll[1] % len(read)])
        else:
            flight.append(ledger.send(senders[roll[1] % len(senders)]))
    for s in flight:
        ledger.deliver(s)


Story = Callable[[Driver, _Ledger, Rng], None]


def _play(family: str, story: Story) -> Callable[[object, object, Rng], Played]:
    """The story twice from one seed: first without restarts (a control: a pair that fails
    there fails for a reason of its own, judged as any pair's failure), then with them, so a
    failure only the second run shows is the restart's, and charged to the restarted party."""
    driver_class = DRIVERS[family][1]

    def play(a: object, b: object, rng: Rng) -> Played:
        seed = rng.take(16).hex()
        control = driver_class(a, b, Rng(seed))
        try:
            story(control, _Ledger(control, restarting=False), control.rng)
        except PairFailure as exc:
            raise PairFailure(
                f"without any restart: {exc}",
                receiver=exc.receiver,
                receiver_fault=exc.receiver_fault,
                sender_fault=exc.sender_fault,
            ) from None
        d = driver_class(a, b, Rng(seed))
        ledger = _Ledger(d)
        try:
            story(d, ledger, d.rng)
        except PairFailure as exc:
            if exc.receiver_fault or exc.sender_fault or not ledger.restarted:
                exc.measured = {"restarts": ledger.restarts}
                raise
            raise _restarts_fault(exc, ledger) from None
        return Played(None, {"restarts": ledger.restarts, "messages": len(d.sent)})

    return play


def _restarts_fault(exc: PairFailure, ledger: _Ledger) -> PairFailure:
    """A failure of the run with restarts whose control passed: only the restarts differ, so
    the restarted party the failing message involves is at fault (its receiver first, then
    its sender), else the party restarted last."""
    receiver = exc.receiver if isinstance(exc.receiver, str) else None
    involved = [p for p in (receiver, receiver and other(receiver)) if p in ledger.restarted]
    blamed = involved[0] if involved else ledger.restarted[-1]
    text = (
        f"{exc} (the same story without restarts passed: {blamed}'s persisted state did not "
        "survive its restart)"
    )
    measured = {"restarts": ledger.restarts}
    if blamed == receiver or receiver is None:
        return PairFailure(text, receiver=blamed, receiver_fault=True, measured=measured)
    return PairFailure(text, receiver=receiver, sender_fault=True, measured=measured)


SPECS: dict[str, tuple[SpecRef, ...]] = {
    "olm": (SpecRef("libolm docs/olm.md", "Decrypting messages", "MUST"),),
    "megolm": (SpecRef("libolm docs/megolm.md", "Advancing the ratchet"),),
    "signal": (SpecRef("Signal Double Ratchet specification", "3.2", "MUST"),),
    "signal-pq": (SpecRef("Signal Double Ratchet specification (revision 4)", "3.2", "MUST"),),
}


def _scenarios() -> list[PairScenario]:
    out = []
    for family, (capability, _) in DRIVERS.items():
        out.append(
            PairScenario(
                "restart",
                family,
                capability,
                "Each party restarted from the state it last returned (its process killed, or "
                "its object discarded) at the moments a careless persister loses something: "
                "after publishing keys, after sending, mid-chain. Nothing lost, read twice or "
                "sent twice under one key.",
                SPECS[family],
                _play(family, lambda d, ledger, rng: _restart_story(d, ledger)),
                bug_type="KEY_REUSE",
                # What a restart loses is the restarted party's own: each implementation in
                # both roles with another (n pairs) shows it, at a process start per restart.
                plan="cycle",
            )
        )
        out.append(
            PairScenario(
                "crash-restart",
                family,
                capability,
                f"{STEPS} random steps (sends, out-of-order deliveries, replays) with a restart of "
                f"either party at one step in {RESTART_ODDS}: every message read once, none "
                "twice, no chain position used twice.",
                SPECS[family],
                _play(family, _random_program),
                kind="prop",
                bug_type="KEY_REUSE",
                plan="cycle",
            )
        )
    return out


SCENARIOS = _scenarios()
