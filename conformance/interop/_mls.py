"""What every MLS scenario does with its members (RFC 9420; issue 19): make clients, commit and
have every other member process the commit, send and read application messages, and compare
what members of one epoch must agree on. Scenarios (:mod:`.mls`, :mod:`.mls_groups`) and the
group safety properties tell stories with these steps.

A *party* is one implementation of the pair or group (its index: 0 is the first); a *member*
is one client of a party's implementation in the group, holding its opaque state. A party may
run several members (a pair scenario's third member is a second client of the second party).

Who is at fault when members refuse a commit, decided inside the group: when every receiver
refuses it and they include at least two implementations other than the sender's, the sender
is at fault (what several independent receivers refuse is the sender's doing); when some
receivers read it and another implementation refuses it, that receiver is. Otherwise the
failure names sender and receiver and, in a pair, the grid of pairs settles it
(:mod:`conformance.attribution`). A refusal that the refusing party's manifest declares and
RFC 9420 allows (``[quirks.mls]``, :mod:`conformance.quirks.mls`) is said to be one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from ..capabilities.mls_group import MlsGroup
from ..errors import ProtocolError, Unsupported
from ..quirks import mls as mls_quirks
from . import PairFailure, Rng, quirks_of, step

__all__ = ["APPLICATION", "COMMIT", "PRIVATE", "PUBLIC", "SUITE", "Group", "Member"]

SUITE = 1
#: §6: WireFormat mls_public_message and mls_private_message; ContentType application, commit.
PUBLIC, PRIVATE = 1, 2
APPLICATION, COMMIT = 1, 3
EXPORTER_LABEL = b"conformance"
#: Where an API offers only a fixed exporter (core-crypto's export_secret_key: label
#: "exporter", empty context), both sides are compared on that one (§8.5).
FALLBACK_EXPORTER = (b"exporter", b"")
_WIRE = {PUBLIC: "PublicMessage", PRIVATE: "PrivateMessage"}

#: Told the time of every commit a member makes and of every member's processing of one:
#: (party, "commit" or "process", seconds). Benchmarks listen; a verdict never depends on it.
OnStep = Callable[[int, str, float], None]


class Member:
    """One client in the group: the party whose implementation runs it, a name for messages,
    its identity and its current state."""

    def __init__(self, impl: object, party: int, name: str) -> None:
        self.impl = cast(MlsGroup, impl)
        self.party = party
        self.name = name
        self.quirks = mls_quirks.of(quirks_of(impl))
        #: The adapter: two parties may be the same implementation (a self-pair).
        self.implementation = str(getattr(impl, "e2ee_name", party))
        self.state = b""
        self.identity = b""
        self.signature_key = b""

    def take(self, out: Mapping[str, Any]) -> Mapping[str, Any]:
        self.state = cast(bytes, out["member"])
        return out


class Group:
    """The members of one group as the scenario sees it, and the steps of its story."""

    def __init__(self, rng: Rng, on_step: OnStep | None = None) -> None:
        self.rng = rng
        self.members: list[Member] = []
        #: Who made the group: its implementation's required_capabilities bind every member.
        self.creator: Member | None = None
        self.on_step = on_step

    # --- clients ----------------------------------------------------------------------------

    def client(self, impl: object, party: int, name: str) -> tuple[Member, bytes]:
        """A new client and its first key package. Its identity is a Wire client id drawn
        from the scenario's randomness, which every declared identity format accepts."""
        m = Member(impl, party, name)
        m.identity = mls_quirks.wire_client_id(self.rng.take(24))
        m.signature_key = self.rng.key()
        return m, self.key_package(m)

    def key_package(self, m: Member) -> bytes:
        made = m.take(
            step(
                f"{m.name} makes a key package",
                m.impl.mls_key_package,
                SUITE,
                m.identity,
                m.signature_key,
                self.rng.take(64),
                receiver=m.party,
            )
        )
        return cast(bytes, made["key_package"])

    def create(self, m: Member) -> None:
        m.state = cast(
            bytes,
            step(
                f"{m.name} creates the group",
                m.impl.mls_create,
                m.state,
                self.rng.take(16),
                self.rng.take(64),
                receiver=m.party,
            ),
        )
        self.members = [m]
        self.creator = m

    # --- commits ----------------------------------------------------------------------------

    def wire_format(self, committer: Member, wanted: int | None = None) -> int:
        """The commit framing a group story uses: ``wanted`` when given (a pair scenario tests
        one), else a PublicMessage when the committer sends them and every member accepts them,
        else a PrivateMessage."""
        if wanted is not None:
            return wanted
        receivers = [m for m in self.members if m is not committer]
        for wf in (PUBLIC, PRIVATE):
            if wf in committer.quirks.commit_wire_formats_sent and all(
                wf in m.quirks.commit_wire_formats_accepted for m in receivers
            ):
                return wf
        return PUBLIC

    def _commit(
        self,
        committer: Member,
        what: str,
        fn: Callable[..., Any],
        *args: Any,
        from_party: int | None = None,
    ) -> Mapping[str, Any]:
        """The committer's step; a refusal in it is of its own state, or of what ``from_party``
        gave it (a key package)."""
        began = time.perf_counter()
        out = cast(
            Mapping[str, Any],
            step(
                f"{committer.name} {what}",
                fn,
                committer.state,
                *args,
                receiver=committer.party,
                sender=committer.party if from_party is None else from_party,
            ),
        )
        if self.on_step is not None:
            self.on_step(committer.party, "commit", time.perf_counter() - began)
        committer.take(out)
        return out

    def add(
        self, committer: Member, joiner: Member, key_package: bytes, wire_format: int | None = None
    ) -> None:
        """``committer`` adds ``joiner`` by its key package; the others process the commit and
        the joiner joins by the Welcome (§12.1.1, §12.4.3.1)."""
        wf = self.wire_format(committer, wire_format)
        try:
            out = self._commit(
                committer,
                f"adds {joiner.name}",
                committer.impl.mls_add,
                key_package,
                wf,
                self.rng.take(64),
                from_party=joiner.party,
            )
        except PairFailure as exc:
            raise self._explained(exc, committer, joiner, "key package") from None
        if not out["welcome"]:
            raise PairFailure(
                f"{committer.name} adds {joiner.name}: the commit comes without a Welcome",
                receiver=committer.party,
                sender=committer.party,
            )
        self.broadcast(committer, cast(bytes, out["commit"]), f"add of {joiner.name}", wf)
        try:
            joiner.state = cast(
                bytes,
                step(
                    f"{joiner.name} joins by {committer.name}'s Welcome",
                    joiner.impl.mls_join,
                    joiner.state,
                    out["welcome"],
                    receiver=joiner.party,
                    sender=committer.party,
                ),
            )
        except PairFailure as exc:
            raise self._explained(exc, joiner, committer, "Welcome") from None
        self.members.append(joiner)

    def update(self, committer: Member, wire_format: int | None = None) -> bool:
        """``committer`` commits its own update (an empty commit with a path, §12.4); False when
        its API has no self-update (RFC 9420 does not require one to be exposed)."""
        wf = self.wire_format(committer, wire_format)
        try:
            out = self._commit(
                committer, "commits an update", committer.impl.mls_update, wf, self.rng.take(64)
            )
        except Unsupported:
            return False
        self.broadcast(committer, cast(bytes, out["commit"]), "update", wf)
        return True

    def remove(self, committer: Member, leaving: Member, wire_format: int | None = None) -> None:
        """``committer`` removes ``leaving`` (§12.1.3); everyone processes the commit, the
        removed member included (it learns it is out)."""
        leaf = cast(
            Mapping[str, Any],
            step(
                f"{leaving.name} reads its epoch",
                leaving.impl.mls_epoch,
                leaving.state,
                receiver=leaving.party,
            ),
        )
        wf = self.wire_format(committer, wire_format)
        out = self._commit(
            committer,
            f"removes {leaving.name}",
            committer.impl.mls_remove,
            leaf["leaf_index"],
            wf,
            self.rng.take(64),
        )
        self.broadcast(committer, cast(bytes, out["commit"]), f"removal of {leaving.name}", wf)
        self.members.remove(leaving)

    def broadcast(self, sender: Member, commit: bytes, what: str, wire_format: int) -> None:
        """Every other member processes ``sender``'s commit; refusals are judged together."""
        refused: list[tuple[Member, ProtocolError]] = []
        read: list[Member] = []
        for m in self.members:
            if m is sender:
                continue
            began = time.perf_counter()
            try:
                got = m.take(m.impl.mls_process(m.state, commit))
                if self.on_step is not None:
                    self.on_step(m.party, "process", time.perf_counter() - began)
            except Unsupported:
                raise
            except ProtocolError as exc:
                refused.append((m, exc))
                continue
            if got["content_type"] != COMMIT:
                raise PairFailure(
                    f"{m.name} processes {sender.name}'s {what}: content type "
                    f"{got['content_type']}, expected a commit (3)",
                    receiver=m.party,
                    sender=sender.party,
                )
            read.append(m)
        if not refused:
            return
        reading = {r.implementation for r in read}
        # The member named: one whose implementation read nothing of it, where there is one.
        m, refusal = next(
            ((r, e) for r, e in refused if r.implementation not in reading), refused[0]
        )
        text = f"{m.name} processes {sender.name}'s {what}: refused with {refusal.kind}: {refusal}"
        if len(refused) > 1:
            text += f" (refused by {len(refused)} of {len(refused) + len(read)} members)"
        refusing = {r.implementation for r, _ in refused}
        independent = refusing - {sender.implementation} - reading
        if not read and len(independent) >= 2:
            raise PairFailure(
                text,
                receiver=m.party,
                sender=sender.party,
                sender_fault=True,
                evidence=f"every receiver refused it, {len(independent)} implementations other "
                "than the sender's among them",
            )
        readers_elsewhere = reading - {sender.implementation} - refusing
        if readers_elsewhere and m.implementation not in reading:
            raise PairFailure(
                text,
                receiver=m.party,
                sender=sender.party,
                receiver_fault=True,
                evidence=f"members of {', '.join(sorted(readers_elsewhere))} read the same commit",
            )
        raise self._explained(
            PairFailure(text, receiver=m.party, sender=sender.party),
            m,
            sender,
            "commit",
            wire_format,
        )

    # --- application messages ---------------------------------------------------------------

    def encrypt(self, sender: Member, label: str) -> tuple[bytes, bytes]:
        """``sender``'s application message (a PrivateMessage, §6.3): (plaintext, MLSMessage)."""
        plaintext = self.rng.plaintext(label)
        sent = sender.take(
            step(
                f"{sender.name} encrypts {label!r}",
                sender.impl.mls_encrypt,
                sender.state,
                plaintext,
                self.rng.take(64),
                receiver=sender.party,
            )
        )
        return plaintext, cast(bytes, sent["message"])

    def send(self, sender: Member, label: str, to: Sequence[Member] | None = None) -> None:
        """``sender`` encrypts a message (a PrivateMessage, §6.3) that every other member (or
        those in ``to``) must read."""
        plaintext, message = self.encrypt(sender, label)
        for m in to if to is not None else self.members:
            if m is sender:
                continue
            what = f"{m.name} reads {sender.name}'s {label!r}"
            try:
                got = m.take(
                    step(
                        what,
                        m.impl.mls_process,
                        m.state,
                        message,
                        receiver=m.party,
                        sender=sender.party,
                    )
                )
            except PairFailure as exc:
                raise self._explained(exc, m, sender, "message") from None
            if got["content_type"] != APPLICATION or got["application_data"] != plaintext:
                raise PairFailure(
                    f"{what}: got content type {got['content_type']} and "
                    f"{bytes(got['application_data'])[:64]!r}, expected {plaintext!r}",
                    receiver=m.party,
                    sender=sender.party,
                )

    # --- agreement --------------------------------------------------------------------------

    def agree(self, when: str) -> None:
        """Every member sees the same epoch: epoch, epoch_authenticator, tree hash, member
        count (§8, §8.7), and the same exporter value (§8.5). A value an API does not expose
        (empty) is not compared; an API without a general exporter is compared on the fixed
        one when every member offers that."""
        states = [
            (
                m,
                cast(
                    Mapping[str, Any],
                    step(
                        f"{m.name} reads its epoch {when}",
                        m.impl.mls_epoch,
                        m.state,
                        receiver=m.party,
                    ),
                ),
            )
            for m in self.members
        ]
        for key in ("epoch", "epoch_authenticator", "tree_hash", "member_count"):
            shown = [(m, ms[key]) for m, ms in states if ms[key] not in (b"", None)]
            _same(shown, when, f"disagree on the {key}")
        if len(self.members) > 1:
            self._exporters(when)

    def _exporters(self, when: str) -> None:
        context = self.rng.take(16)
        for label, ctx in ((EXPORTER_LABEL, context), FALLBACK_EXPORTER):
            try:
                values = [
                    (
                        m,
                        step(
                            f"{m.name} exports {when}",
                            m.impl.mls_export,
                            m.state,
                            label,
                            ctx,
                            32,
                            receiver=m.party,
                        ),
                    )
                    for m in self.members
                ]
            except Unsupported:
                # An API without this exporter (rine-mls has none): the epoch_authenticator
                # compared is the value RFC 9420 §8.7 has members compare.
                continue
            _same(values, when, "export different secrets")
            return

    # --- what a refusal means ---------------------------------------------------------------

    def _explained(
        self, exc: PairFailure, refuser: Member, other: Member, what: str, wire_format: int = 0
    ) -> PairFailure:
        """``exc`` with the reason, when ``refuser``'s manifest declares a refusal of what
        ``other`` sent and RFC 9420 lets it refuse (see :mod:`conformance.quirks.mls`)."""
        q, o = refuser.quirks, other.quirks
        reason = None
        creator = self.creator
        if (
            what == "key package"
            and creator is not None
            and not creator.quirks.accepts_credentials(o.credential_types)
        ):
            # The group's required_capabilities are its creator's choice: whoever checks the key
            # package against them refuses it, and the creator's policy is why.
            return PairFailure(
                f"{exc}. Declared in the creator's manifest: the groups {creator.name}'s "
                "implementation makes require credential types "
                f"{list(creator.quirks.required_credential_types)}, and {other.name}'s "
                f"implementation lists {list(o.credential_types or ())}; allowed by RFC 9420 "
                "§11.1 and §12.1.1 (a group's required_capabilities), so the two cannot work "
                "together though neither violates RFC 9420",
                receiver=creator.party,
                sender=other.party,
                allowed="RFC 9420 §11.1 and §12.1.1 (a group's required_capabilities)",
            )
        if wire_format and wire_format not in q.commit_wire_formats_accepted:
            reason = (
                f"it accepts no {_WIRE[wire_format]} commits",
                "RFC 9420 §6 (the application chooses its handshake framing)",
            )
        elif what == "key package" and not q.accepts_lifetime(o.key_package_lifetime):
            reason = (
                f"{other.name}'s implementation writes lifetimes of {o.key_package_lifetime} s "
                f"and it accepts at most {q.max_lifetime_accepted} s",
                "RFC 9420 §7.2 (applications set the longest lifetime they accept)",
            )
        elif q.identity != "any" and o.identity == "signature-key":
            reason = (
                f"it requires {q.identity} identities and {other.name}'s implementation puts "
                "its signature key there",
                "RFC 9420 §5.3.1 and §5.3.3 (the application decides which identities are valid)",
            )
        if reason is None:
            return exc
        return PairFailure(
            f"{exc}. Declared in its manifest: {reason[0]}; allowed by {reason[1]}, so the two "
            "cannot work together though neither violates RFC 9420",
            receiver=exc.receiver,
            sender=exc.sender,
            allowed=reason[1],
        )


def _same(values: Sequence[tuple[Member, Any]], when: str, differ: str) -> None:
    """Every member holds the same value. When they do not, and the members of one
    implementation alone hold a value that members of at least two other implementations agree
    against, that implementation is at fault; otherwise the first two that differ are named."""
    if len({_key(v) for _, v in values}) <= 1:
        return
    first, fv = values[0]
    m, mv = next((m, v) for m, v in values if _key(v) != _key(fv))
    by_value: dict[Any, set[str]] = {}
    for member, v in values:
        by_value.setdefault(_key(v), set()).add(member.implementation)
    if len(by_value) == 2:
        (va, ia), (vb, ib) = by_value.items()
        for odd, odd_impls, rest in ((va, ia, ib), (vb, ib, ia)):
            if len(odd_impls) == 1 and len(rest - odd_impls) >= 2:
                culprit = next(x for x, v in values if _key(v) == odd)
                other = next(x for x, v in values if _key(v) != odd)
                raise PairFailure(
                    f"{when}: {other.name} and {culprit.name} {differ}",
                    receiver=culprit.party,
                    sender=other.party,
                    receiver_fault=True,
                    evidence=f"members of {', '.join(sorted(rest))} agree against it",
                )
    # Secrets and hashes depend on what the implementations drew: the same seed would not give
    # the same text, so only integers are shown.
    shown = f" ({fv!r} and {mv!r})" if isinstance(fv, int) else ""
    raise PairFailure(
        f"{when}: {first.name} and {m.name} {differ}{shown}", receiver=m.party, sender=first.party
    )


def _key(value: Any) -> Any:
    return bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) else value
