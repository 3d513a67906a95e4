"""Safety properties, black-box, over every ordered pair of implementations.

Each property is a pair scenario (:mod:`conformance.interop`) with the check id
``prop/<family>/<property>``: A is Alice, B is Bob, and the property is judged on what B (and,
for post-compromise security, A too) accepts and refuses. Snapshots are old states (see
:mod:`.drivers`). A family that does not offer a property by design (Megolm does not heal after a
compromise, docs/megolm.md "Limitations") reports that, labelled, as ``unsupported`` with the
reason, never as a pass.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable
from typing import Any

from ..attacks import (
    ed25519_rules,
    mls_low_order,
    mls_restart,
    olm_low_order,
    restart,
    signal_low_order,
)
from ..errors import ProtocolError
from ..interop import ByDesign, PairFailure, PairScenario, Played, Rng
from ..interop.drivers import DRIVERS, Driver, MegolmDriver, Sent
from ..model import SpecRef
from . import healing, mls, positions, promises, wire

__all__ = ["SCENARIOS", "property_scenarios"]

#: The bytes after a Megolm message's fields: an 8-byte MAC and a 64-byte Ed25519 signature.
MEGOLM_TRAILER = 8 + 64

SPECS: dict[str, tuple[SpecRef, ...]] = {
    "olm": (SpecRef("libolm docs/olm.md", "Decrypting messages", "MUST"),),
    "megolm": (SpecRef("libolm docs/megolm.md", "Limitations"),),
    "signal": (SpecRef("Signal Double Ratchet specification", "4", "MUST"),),
    "signal-pq": (
        SpecRef("Signal Double Ratchet specification (revision 4)", "5", "MUST"),
        SpecRef("Signal PQXDH specification (revision 3)", "4"),
    ),
}


def _refused(
    driver: Driver, to: str, state: Any, sent: Sent, what: str, *, receiver_fault: bool = True
) -> None:
    """``to`` opening ``sent`` with an old or stolen ``state`` must fail. By default what it
    read is the receiver's fault (its state kept a key it must have erased)."""
    try:
        driver.open(to, state, sent.type, sent.message)
    except ProtocolError:
        return
    raise PairFailure(what, receiver=to, receiver_fault=receiver_fault)


def _exchange(d: Driver, sender: str, count: int = 1) -> list[Sent]:
    out = [d.encrypt(sender) for _ in range(count)]
    for s in out:
        got = d.deliver(s)
        if got != s.plaintext:
            raise PairFailure(f"{s.to} decrypted message {s.number} to {got!r}", receiver=s.to)
    return out


def _turns(d: Driver, turns: int) -> None:
    for i in range(turns):
        for sender in d.senders:
            _exchange(d, sender, 1 + i % 2)


def forward_secrecy(d: Driver, rng: Rng) -> str | None:
    """Once a message is decrypted, the receiver's state (a snapshot taken after) cannot
    decrypt it again: its key is gone. Keys kept for skipped messages are the documented
    exception until used. Megolm: an export at a later index cannot read earlier messages."""
    d.establish()
    if isinstance(d, MegolmDriver):
        sent = [d.encrypt("alice") for _ in range(4)]
        # Each message is encrypted with the next ratchet index and the ratchet moves on
        # (docs/megolm.md "Message format", "Advancing the ratchet"): a sender that reuses an
        # index gives whoever holds the session at that index every message sent under it.
        indices = [wire.counter(s.message, d.counter_tag, MEGOLM_TRAILER) for s in sent]
        start = indices[0]
        if start is None or indices != list(range(start, start + len(sent))):
            raise PairFailure(
                f"alice sent four messages at ratchet indices {indices}, not one after another",
                receiver="bob",
                sender_fault=True,
            )
        for s in sent:
            d.deliver(s)
        exported = d.b.megolm_export(d.states["bob"], 2)
        later = d.b.megolm_import(exported)
        for s in sent[:2]:
            _refused(d, "bob", later, s, f"an export at index 2 decrypted message {s.number}")
        return None
    _turns(d, 1)
    first, second, third = (d.encrypt("alice") for _ in range(3))
    d.deliver(third)
    d.deliver(first)
    snapshot = d.states["bob"]
    _refused(d, "bob", snapshot, first, "a snapshot taken after decrypting a message read it again")
    _refused(d, "bob", snapshot, third, "a snapshot taken after decrypting a message read it again")
    # The skipped key of `second` may live until used; after that it must be gone too.
    d.deliver(second)
    _refused(d, "bob", d.states["bob"], second, "a skipped message key was kept after use")
    return None


def post_compromise(d: Driver, rng: Rng) -> Played:
    """A copy of each party's state is stolen, and the thief follows the conversation: every
    message to that party is opened with the stolen copy too (a passive attacker who sees all
    traffic). Once the conversation has healed (the family's ratchet turns, with fresh keys
    from both sides), the copy cannot read what is sent next, in either direction. How many
    messages the thief reads first, per traffic pattern, is measured (:mod:`.healing`) and
    must stay within the Double Ratchet's bound."""
    if d.healing_turns == 0:
        raise ByDesign(
            "Megolm sessions do not heal: whoever holds the ratchet at an index can derive every "
            "later one (docs/megolm.md, Limitations); rotate the session instead"
        )
    measured = healing.measure(lambda: type(d)(d.a, d.b, d.rng))
    try:
        _healed(d)
    except PairFailure as exc:
        exc.measured = {**measured, **exc.measured}
        raise
    return Played(None, measured)


def _healed(d: Driver) -> None:
    d.establish()
    _turns(d, 1)
    stolen = dict(d.states)
    for i in range(d.healing_turns):
        for sender in d.senders:
            for s in [d.encrypt(sender) for _ in range(1 + i % 2)]:
                with contextlib.suppress(ProtocolError):
                    stolen[s.to], _ = d.open(s.to, stolen[s.to], s.type, s.message)
                if d.deliver(s) != s.plaintext:
                    raise PairFailure(f"{s.to} decrypted message {s.number} wrongly", receiver=s.to)
    for sender in ("alice", "bob"):
        new = d.encrypt(sender)
        _refused(
            d,
            new.to,
            stolen[new.to],
            new,
            f"{new.to}'s state stolen {d.healing_turns} ratchet turns earlier, kept up to date "
            "with every message since, read a new message",
            # The sender's ratchet may not have turned, or the receiver's: decided across pairs.
            receiver_fault=False,
        )
        d.deliver(new)


def reordering(d: Driver, rng: Rng) -> str | None:
    """Thirty messages of one chain delivered in a random order all decrypt (within every
    family's window: libolm keeps 40 skipped keys per session)."""
    d.establish()
    _turns(d, 1)
    for sender in d.senders:
        batch = [d.encrypt(sender) for _ in range(30)]
        order = list(range(30))
        rng.shuffle(order)
        for i in order:
            if d.deliver(batch[i]) != batch[i].plaintext:
                raise PairFailure(
                    f"message {batch[i].number} decrypted wrongly out of order",
                    receiver=batch[i].to,
                )
    return None


#: A forged counter this far ahead must be refused before any key is derived.
FORGED_JUMP = 200_000


def skip_limit(d: Driver, rng: Rng) -> str | None:
    """A message whose counter jumps far beyond the family's limit (forged: its MAC cannot
    verify) is refused as fast as any bad message: a receiver that derives the keys in between
    first is a denial of service. The bound is 100 times the median time of a normal decrypt,
    and at least a tenth of a second; a refusal slower than that is timed once more (the
    faster try counts), so a scheduling hiccup on a small machine is not a finding."""
    d.establish()
    _turns(d, 1)
    times = []
    for _ in range(5):
        s = d.encrypt("alice")
        start = time.perf_counter()
        d.deliver(s)
        times.append(time.perf_counter() - start)
    probe = d.encrypt("alice")
    forged = wire.set_counter(probe.message, d.counter_tag, d.embedded_tag, FORGED_JUMP)
    bound = max(0.1, 100 * statistics.median(times))
    took = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        try:
            d.open("bob", d.states["bob"], probe.type, forged)
        except ProtocolError:
            pass
        else:
            raise PairFailure(
                f"bob accepted a message whose counter was forged to {FORGED_JUMP}",
                receiver="bob",
                receiver_fault=True,
            )
        took = min(took, time.perf_counter() - start)
        if took <= bound:
            break
    if took > bound:
        raise PairFailure(
            f"bob took {took:.3f} s to refuse a counter {FORGED_JUMP} ahead (a normal decrypt "
            f"takes {statistics.median(times) * 1000:.2f} ms; the bound is {bound:.3f} s): it "
            "derives the skipped keys before it checks the message",
            receiver="bob",
            receiver_fault=True,
        )
    d.deliver(probe)
    return None


def identity_binding(d: Driver, rng: Rng) -> str | None:
    """A first message re-addressed to a third party is refused by it, and one whose sender
    identity key is swapped for the third party's is refused by its real recipient."""
    d.establish()
    first = d.encrypt("alice")
    third = type(d)(d.b, d.b, rng)
    third.establish()
    try:
        third.open("bob", third.states["bob"], first.type, first.message)
    except ProtocolError:
        pass
    else:
        raise PairFailure(
            "a third party decrypted a first message addressed to bob",
            receiver="bob",
            receiver_fault=True,
        )
    stranger = wire.identity_of(third, "alice")
    swapped = wire.swap_identity(d, first.message, stranger)
    try:
        d.open("bob", d.states["bob"], first.type, swapped)
    except ProtocolError:
        pass
    else:
        raise PairFailure(
            "bob accepted a first message whose sender identity key was swapped",
            receiver="bob",
            receiver_fault=True,
        )
    d.deliver(first)
    return None


def random_conversations(d: Driver, rng: Rng) -> str | None:
    """A stateful machine (:mod:`.machine`) running random programs: sends, out-of-order
    deliveries, drops, replays, tampering and compromised snapshots."""
    from .machine import random_conversation

    random_conversation(type(d), d.a, d.b, rng)
    return None


Play = Callable[[Driver, Rng], "str | Played | None"]

ALL = ("olm", "signal", "signal-pq", "megolm")
SESSIONS = ("olm", "signal", "signal-pq")

#: name -> (play, families, bugType)
PROPERTIES: dict[str, tuple[Play, tuple[str, ...], str]] = {
    "forward-secrecy": (forward_secrecy, ALL, "CONFIDENTIALITY"),
    "post-compromise-security": (post_compromise, ALL, "CONFIDENTIALITY"),
    "replay": (positions.replay, ALL, "REPLAY"),
    "reordering": (reordering, ALL, "OUT_OF_ORDER"),
    "skip-limit": (skip_limit, SESSIONS, "DENIAL_OF_SERVICE"),
    "tampering": (positions.tampering, ALL, "AUTH_BYPASS"),
    "identity-binding": (identity_binding, SESSIONS, "AUTH_BYPASS"),
    "random-conversation": (random_conversations, ALL, "BASIC"),
    # Promises no other check held an implementation to (issue 12 part 5): .promises.
    **{
        n: (play, promises.FAMILIES[n], promises.BUG_TYPES[n]) for n, play in promises.PLAYS.items()
    },
}

#: The flag a behaviour is reported under, where a family leaves the behaviour open.
FLAGS: dict[tuple[str, str], tuple[str, ...]] = {
    ("replay", "megolm"): ("MegolmIndexReplay",),
    **promises.FLAGS,
}

#: Kept by the smoke tier.
SMOKE = ("forward-secrecy", "replay")

DESCRIPTIONS = {
    "forward-secrecy": "A state taken after a message was decrypted cannot decrypt it again.",
    "post-compromise-security": "A state stolen before the ratchet turned cannot read new messages.",
    "replay": "At every position, a message delivered twice is refused; the next one decrypts.",
    "reordering": "Thirty messages of a chain decrypt in any order.",
    "skip-limit": f"A counter forged {FORGED_JUMP} ahead is refused at once.",
    "tampering": "At every position, flipped, cut, extended: refused; the genuine one decrypts.",
    "identity-binding": "A re-addressed or identity-swapped first message is refused.",
    "random-conversation": "Random sends, deliveries, drops, replays, tampering and compromises.",
    **promises.DESCRIPTIONS,
}


def _play(family: str, prop: Play) -> Callable[[object, object, Rng], str | Played | None]:
    driver_class = DRIVERS[family][1]

    def play(a: object, b: object, rng: Rng) -> str | Played | None:
        return prop(driver_class(a, b, rng), rng)

    return play


def property_scenarios() -> list[PairScenario]:
    out = []
    for name, (prop, families, bug_type) in PROPERTIES.items():
        for family in families:
            out.append(
                PairScenario(
                    name,
                    family,
                    DRIVERS[family][0],
                    DESCRIPTIONS[name],
                    promises.SPECS.get((name, family), SPECS[family]),
                    _play(family, prop),
                    smoke=name in SMOKE,
                    flags=FLAGS.get((name, family), ()),
                    kind="prop",
                    bug_type=bug_type,
                )
            )
    return out


SCENARIOS = [
    *property_scenarios(),
    *mls.SCENARIOS,
    *restart.SCENARIOS,
    *mls_restart.SCENARIOS,
    *olm_low_order.SCENARIOS,
    *signal_low_order.SCENARIOS,
    *mls_low_order.SCENARIOS,
    *ed25519_rules.SCENARIOS,
]
