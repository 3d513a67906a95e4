"""MLS pair scenarios (RFC 9420; issue 19): two implementations in one group, A the creator and
B the joiner, over the ``mls-group`` capability (conformance/capabilities/mls_group.py).

``lifecycle-public`` and ``lifecycle-private`` play the same story with the commits framed as
PublicMessages or as PrivateMessages (application messages are always private, §6.2): A makes a
group and adds B by its key package; B joins by the Welcome; each sends an application message
the other reads; B commits an update, then A does (§12.4, an empty commit with a path); A sends
again; A removes B. After every epoch change both must agree on the epoch, its
epoch_authenticator (§8.7), the tree hash and the member count, and on an exporter value
(MLS-Exporter("conformance", context, 32), §8.5). An API that offers no exporter or no
self-update (it refuses the step with Unsupported) skips that step, since RFC 9420 does not
require either to be exposed; the epoch_authenticator stays compared. Cipher suite 1 (every implementation here
offers it). An implementation that cannot send a commit of a wire format refuses with
Unsupported, and the pair is ``unsupported``.

Who is at fault (conformance.attribution): a refusal of the other party's key package, Welcome,
commit or message, or a disagreement after it, is settled across every pair of the check (the
receiver is named; whether the sender made something others refuse too decides).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from ..capabilities.mls_group import MlsGroup
from ..errors import Unsupported
from ..model import SpecRef
from . import PairFailure, PairScenario, Rng, step

__all__ = ["SCENARIOS"]

FAMILY = "mls"
RFC = "RFC 9420"
SUITE = 1
#: §6: WireFormat mls_public_message and mls_private_message; ContentType application, commit.
PUBLIC, PRIVATE = 1, 2
APPLICATION, COMMIT = 1, 3
EXPORTER_LABEL = b"conformance"

_NAMES = {"alice": "A", "bob": "B"}


class _Party:
    """One side of the pair: its implementation, its name and its current member state."""

    def __init__(self, impl: object, role: str) -> None:
        self.impl = cast(MlsGroup, impl)
        self.role = role
        self.name = _NAMES[role]
        self.member = b""

    def take(self, out: Mapping[str, Any]) -> Mapping[str, Any]:
        self.member = cast(bytes, out["member"])
        return out


def _agree(a: _Party, b: _Party, when: str, rng: Rng, receiver: str) -> None:
    """Both members see the same epoch: epoch, epoch_authenticator, tree hash, members, and
    an exporter value (§8.5, §8.7)."""
    ea = cast(Mapping[str, Any], step(f"A reads its epoch {when}", a.impl.mls_epoch, a.member))
    eb = cast(Mapping[str, Any], step(f"B reads its epoch {when}", b.impl.mls_epoch, b.member))
    for key in ("epoch", "epoch_authenticator", "tree_hash", "member_count"):
        if ea[key] != eb[key]:
            # Secrets and hashes depend on what the implementations drew: the same seed would
            # not give the same text, so only integers are shown.
            shown = "" if isinstance(ea[key], bytes) else f" (A {ea[key]!r}, B {eb[key]!r})"
            raise PairFailure(f"{when}: A and B disagree on the {key}{shown}", receiver=receiver)
    context = rng.take(16)
    try:
        xa = step(f"A exports {when}", a.impl.mls_export, a.member, EXPORTER_LABEL, context, 32)
        xb = step(f"B exports {when}", b.impl.mls_export, b.member, EXPORTER_LABEL, context, 32)
    except Unsupported:
        # An API without the exporter (rine-mls): the epoch_authenticator compared above is
        # the value RFC 9420 §8.7 has members compare.
        return
    if xa != xb:
        raise PairFailure(f"{when}: A and B export different secrets", receiver=receiver)


def _send(sender: _Party, receiver: _Party, rng: Rng, label: str) -> None:
    plaintext = rng.plaintext(label)
    sent = sender.take(
        step(
            f"{sender.name} encrypts {label!r}",
            sender.impl.mls_encrypt,
            sender.member,
            plaintext,
            rng.take(64),
        )
    )
    what = f"{receiver.name} reads {sender.name}'s {label!r}"
    got = receiver.take(
        step(
            what,
            receiver.impl.mls_process,
            receiver.member,
            sent["message"],
            receiver=receiver.role,
        )
    )
    if got["content_type"] != APPLICATION or got["application_data"] != plaintext:
        raise PairFailure(
            f"{what}: got content type {got['content_type']} and "
            f"{bytes(got['application_data'])[:64]!r}, expected {plaintext!r}",
            receiver=receiver.role,
        )


def _commit_seen(committer: _Party, other: _Party, out: Mapping[str, Any], what: str) -> None:
    committer.take(out)
    got = other.take(
        step(
            f"{other.name} processes {committer.name}'s {what}",
            other.impl.mls_process,
            other.member,
            out["commit"],
            receiver=other.role,
        )
    )
    if got["content_type"] != COMMIT:
        raise PairFailure(
            f"{other.name} processes {committer.name}'s {what}: content type "
            f"{got['content_type']}, expected a commit (3)",
            receiver=other.role,
        )


def _lifecycle(wire_format: int) -> Any:
    def play(a_impl: object, b_impl: object, rng: Rng) -> None:
        a, b = _Party(a_impl, "alice"), _Party(b_impl, "bob")
        made_b = b.take(
            step(
                "B makes a key package",
                b.impl.mls_key_package,
                SUITE,
                b"bob",
                rng.key(),
                rng.take(64),
            )
        )
        a.take(
            step(
                "A makes a key package",
                a.impl.mls_key_package,
                SUITE,
                b"alice",
                rng.key(),
                rng.take(64),
            )
        )
        a.member = cast(
            bytes,
            step("A creates the group", a.impl.mls_create, a.member, rng.take(16), rng.take(64)),
        )
        added = a.take(
            step(
                "A adds B by its key package",
                a.impl.mls_add,
                a.member,
                made_b["key_package"],
                wire_format,
                rng.take(64),
                receiver="alice",
            )
        )
        if not added["welcome"]:
            raise PairFailure("A adds B: the commit comes without a Welcome")
        b.member = cast(
            bytes,
            step(
                "B joins by A's Welcome",
                b.impl.mls_join,
                b.member,
                added["welcome"],
                receiver="bob",
            ),
        )
        _agree(a, b, "after B joins", rng, "bob")
        _send(a, b, rng, "hello from A")
        _send(b, a, rng, "hello from B")
        for committer, other in ((b, a), (a, b)):
            try:
                out = step(
                    f"{committer.name} commits an update",
                    committer.impl.mls_update,
                    committer.member,
                    wire_format,
                    rng.take(64),
                )
            except Unsupported:
                # An API without a self-update (rine-mls): the other side's update still
                # reaches it.
                continue
            _commit_seen(committer, other, cast(Mapping[str, Any], out), "update")
            _agree(a, b, f"after {committer.name}'s update", rng, other.role)
        _send(a, b, rng, "after the updates")
        _send(b, a, rng, "B after the updates")
        leaf = cast(Mapping[str, Any], step("B reads its epoch", b.impl.mls_epoch, b.member))
        removed = a.take(
            step(
                "A removes B",
                a.impl.mls_remove,
                a.member,
                leaf["leaf_index"],
                wire_format,
                rng.take(64),
            )
        )
        step(
            "B processes its removal",
            b.impl.mls_process,
            b.member,
            removed["commit"],
            receiver="bob",
        )
        left = cast(Mapping[str, Any], step("A reads its epoch", a.impl.mls_epoch, a.member))
        if left["member_count"] != 1:
            raise PairFailure(f"after removing B, A counts {left['member_count']} members, not 1")

    return play


def _spec(*sections: str) -> tuple[SpecRef, ...]:
    return tuple(SpecRef(RFC, s) for s in sections)


_SECTIONS = ("6.2", "6.3", "8.5", "8.7", "10", "11", "12.1.1", "12.1.3", "12.4", "12.4.3.1")

SCENARIOS = [
    PairScenario(
        "lifecycle-public",
        FAMILY,
        "mls-group",
        "A creates a group and adds B; messages both ways; B's then A's update; A removes B. "
        "Commits as PublicMessages; epoch, epoch_authenticator, tree hash and an exporter "
        "compared after every epoch change.",
        _spec(*_SECTIONS),
        _lifecycle(PUBLIC),
        smoke=True,
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
