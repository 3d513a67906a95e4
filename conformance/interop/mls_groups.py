"""MLS group scenarios (RFC 9420; issue 19): more than two implementations in one group.

``group/mls/three-members`` plays, for three parties P1, P2, P3 (one client each):

1. P1 creates the group and adds P2; P2 joins by P1's Welcome;
2. P2 adds P3; P1 processes the commit and P3 joins by P2's Welcome (every member's commits
   processed by members of the other two implementations);
3. each sends a message the other two read;
4. each commits an update (P3, P2, then P1), the other two process it;
5. P3 removes P2; P1 and P3 exchange messages.

Its groups are a Latin square over the implementations (conformance.interop.latin_triples):
with n implementations, n^2 groups in which every ordered pair of implementations meets in
every pair of roles (creator, joiner who adds, last joiner who removes) exactly once. It grows
as n^2: 25 groups for five implementations, 36 for six, instead of n^3.

``group/mls/large`` builds one group of :data:`LARGE` members spread over every implementation
(member k is a client of implementation k mod n), once with each implementation as the creator
(n groups): the creator adds the others one commit at a time, every member commits an update in
turn, and the last member's message is read by all. Every commit is processed by every other
member, so a commit some members refuse is judged by the group itself: refused by members of
several other implementations, it is the sender's fault; read by some and refused by another
implementation's member, it is that member's (conformance.interop._mls). The time each commit
takes its maker, and each member to process it, is measured by benchmarks/bench_mls_groups.py
(time is never part of a verdict).

Commits are PublicMessages where the committer sends them and every member accepts them, else
PrivateMessages; epoch, epoch_authenticator, tree hash, member count and an exporter are
compared among all members after every epoch change (§8.5, §8.7).
"""

from __future__ import annotations

from typing import Any

from ..model import SpecRef
from . import PairScenario, Rng
from ._mls import Group, OnStep

__all__ = ["LARGE", "SCENARIOS", "large_group"]

FAMILY = "mls"
RFC = "RFC 9420"
#: Members of the large group (issue 19: at least ten, spread across implementations).
LARGE = 10


def _three(p1: object, p2: object, p3: object, rng: Rng) -> None:
    g = Group(rng)
    m1, _ = g.client(p1, 0, "P1")
    m2, kp2 = g.client(p2, 1, "P2")
    m3, kp3 = g.client(p3, 2, "P3")
    g.create(m1)
    g.add(m1, m2, kp2)
    g.agree("after P2 joins")
    g.add(m2, m3, kp3)
    g.agree("after P3 joins")
    for sender in (m1, m2, m3):
        g.send(sender, f"{sender.name} to the group")
    for committer in (m3, m2, m1):
        if g.update(committer):
            g.agree(f"after {committer.name}'s update")
    g.remove(m3, m2)
    g.agree("after P3 removes P2")
    g.send(m1, "P1 to P3")
    g.send(m3, "P3 to P1")


def large_group(impls: tuple[object, ...], rng: Rng, on_step: OnStep | None = None) -> None:
    """The large group's story over ``impls`` (the first is the creator's); ``on_step`` is told
    the time of every commit and of every member's processing of it."""
    g = Group(rng, on_step)
    n = len(impls)
    members = [g.client(impls[k % n], k % n, f"M{k}") for k in range(LARGE)]
    creator = members[0][0]
    g.create(creator)
    for member, key_package in members[1:]:
        g.add(creator, member, key_package)
    g.agree(f"after all {LARGE} joined")
    for member, _ in members[1:] + members[:1]:
        if g.update(member):
            g.agree(f"after {member.name}'s update")
    g.send(members[-1][0], "to the whole group")


def _large(*args: Any) -> None:
    *impls, rng = args
    large_group(tuple(impls), rng)


def _spec(*sections: str) -> tuple[SpecRef, ...]:
    return tuple(SpecRef(RFC, s) for s in sections)


_SECTIONS = ("6.2", "6.3", "8.5", "8.7", "12.1.1", "12.1.3", "12.4", "12.4.2", "12.4.3.1")

SCENARIOS = [
    PairScenario(
        "three-members",
        FAMILY,
        "mls-group",
        "Three implementations in one group: P1 creates and adds P2, P2 adds P3, all send, each "
        "commits an update, P3 removes P2; every member compares epoch, epoch_authenticator, "
        "tree hash and an exporter after every epoch change.",
        _spec(*_SECTIONS),
        _three,
        kind="group",
        plan="triples",
    ),
    PairScenario(
        "large",
        FAMILY,
        "mls-group",
        f"One group of {LARGE} members spread over every implementation, with each "
        "implementation once as the creator: it adds the others one commit at a time, every "
        "member commits an update, the last member's message is read by all.",
        _spec(*_SECTIONS),
        _large,
        kind="group",
        plan="rotations",
    ),
]
