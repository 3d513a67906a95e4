"""MLS pair scenarios (RFC 9420; issue 19): two implementations in one group, A the creator and
B the joiner, over the ``mls-group`` capability (conformance/capabilities/mls_group.py).

``welcome`` is the first step alone (a group, a join, a message each way), the smoke tier's
MLS check. ``lifecycle-public`` and ``lifecycle-private`` play the same story with the commits framed as
PublicMessages or as PrivateMessages (application messages are always private, §6.2):

1. A makes a group and adds B by its key package; B joins by the Welcome;
2. each sends an application message the other reads;
3. B commits an update, then A does (§12.4, an empty commit with a path);
4. B adds a third member C, a second client of B's implementation; all three exchange messages;
5. A removes C; B re-adds C by a new key package of the same client (§12.1.1: its old leaf is
   blank, so its signature key may come back); C sends;
6. A removes B.

After every epoch change every member must agree on the epoch, its epoch_authenticator
(§8.7), the tree hash and the member count, and on an exporter value
(MLS-Exporter("conformance", context, 32), §8.5). An API that offers no exporter or no
self-update (it refuses the step with Unsupported) skips that step, since RFC 9420 requires
neither to be exposed; the epoch_authenticator stays compared. Cipher suite 1 (every
implementation here offers it). Identities are Wire client ids, which every implementation's
declared identity format accepts. An implementation that cannot send a commit of the wire
format refuses with Unsupported, and the pair is ``unsupported``.

Who is at fault: a refusal of the other party's key package, Welcome, commit or message, or a
disagreement after it, is settled across every pair of the check (conformance.attribution).
A refusal the refusing party's manifest declares and RFC 9420 allows (a lifetime cap, an
identity format, a handshake framing) says so, and charges that party: the pair cannot work.
"""

from __future__ import annotations

from typing import Any

from ..model import SpecRef
from . import PairScenario, Rng
from ._mls import PRIVATE, PUBLIC, Group

__all__ = ["SCENARIOS"]

FAMILY = "mls"
RFC = "RFC 9420"


def _lifecycle(wire_format: int) -> Any:
    def play(a_impl: object, b_impl: object, rng: Rng) -> None:
        g = Group(rng)
        a, _ = g.client(a_impl, 0, "A")
        b, kp_b = g.client(b_impl, 1, "B")
        g.create(a)
        g.add(a, b, kp_b, wire_format)
        g.agree(f"after {b.name} joins")
        g.send(a, "hello from A")
        g.send(b, "hello from B")
        for committer in (b, a):
            if g.update(committer, wire_format):
                g.agree(f"after {committer.name}'s update")
        g.send(a, "after the updates")
        g.send(b, "B after the updates")
        c, kp_c = g.client(b_impl, 1, "C")
        g.add(b, c, kp_c, wire_format)
        g.agree("after C joins")
        for sender in (c, a, b):
            g.send(sender, f"{sender.name} to the three")
        g.remove(a, c, wire_format)
        g.agree("after A removes C")
        g.add(b, c, g.key_package(c), wire_format)
        g.agree("after C is added again")
        g.send(c, "C is back")
        g.remove(a, b, wire_format)
        g.agree("after A removes B")
        g.send(a, "A to C")

    return play


def _welcome(a_impl: object, b_impl: object, rng: Rng) -> None:
    g = Group(rng)
    a, _ = g.client(a_impl, 0, "A")
    b, kp_b = g.client(b_impl, 1, "B")
    g.create(a)
    g.add(a, b, kp_b)
    g.agree(f"after {b.name} joins")
    g.send(a, "hello from A")
    g.send(b, "hello from B")


def _spec(*sections: str) -> tuple[SpecRef, ...]:
    return tuple(SpecRef(RFC, s) for s in sections)


_SECTIONS = ("6.2", "6.3", "8.5", "8.7", "10", "11", "12.1.1", "12.1.3", "12.4", "12.4.3.1")

SCENARIOS = [
    PairScenario(
        "welcome",
        FAMILY,
        "mls-group",
        "A creates a group and adds B; B joins by the Welcome; epoch, epoch_authenticator, tree "
        "hash and an exporter compared; a message each way. The smoke tier's MLS check, and "
        "where a failing lifecycle shows whether joining works at all.",
        _spec("8.5", "8.7", "11", "12.1.1", "12.4.3.1", "6.3"),
        _welcome,
        smoke=True,
    ),
    PairScenario(
        "lifecycle-public",
        FAMILY,
        "mls-group",
        "A creates a group and adds B; messages both ways; B's then A's update; B adds C (a "
        "second client of B's implementation); A removes C and B adds C again; A removes B. "
        "Commits as PublicMessages; epoch, epoch_authenticator, tree hash and an exporter "
        "compared after every epoch change.",
        _spec(*_SECTIONS),
        _lifecycle(PUBLIC),
    ),
    PairScenario(
        "lifecycle-private",
        FAMILY,
        "mls-group",
        "The same story with the commits as PrivateMessages.",
        _spec(*_SECTIONS),
        _lifecycle(PRIVATE),
    ),
]
