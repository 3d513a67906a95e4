"""MLS group safety properties (RFC 9420; issue 19): ``prop/mls/<name>`` over every ordered pair
of implementations that offer ``mls-group``. A is the first party (the group's creator), B the
second (a joiner) and the party judged: a failure is B's alone unless a property says otherwise.

Every property sets its group up with the plumbing of the pair scenarios
(:mod:`conformance.interop._mls`): clients with Wire client id identities, cipher suite 1,
commits as PublicMessages when the committer sends them and every member accepts them, else
as PrivateMessages. An old state is a member's earlier bytes, handed back: for an adapter that
keeps its state behind a handle (``[quirks.mls] state = "handle"``) an old handle is the
current state, which is what the properties that hold old states say.

The properties and the sections they test:

* ``forward-secrecy`` (§9.2, §14, §16.6): B's state after reading A's message refuses it again;
  after more epoch changes than B's declared ``past_epochs``, B refuses a message of the old
  epoch it never read.
* ``post-compromise-security`` (§8, §12.4, §16.6): a copy of A's state taken before A's own
  update reads nothing B sends after it, whether or not it first processes that commit.
* ``removed-member`` (§12.1.3, §16.6): B's states from before and after its removal read
  nothing A sends in the next epoch.
* ``replay`` (§9.2): B's state after reading a message refuses it again; the next one reads.
* ``tampering`` and ``tampering-every-bit`` (§6.1, §6.2, §6.3): single-bit flips of A's
  application message (a PrivateMessage) and of A's commit are refused, and the genuine
  message still processes from the same state.
* ``forged-commits`` (§6.1, §6.2, §12.4.2): commits an insider the suite runs forges (a wrong
  confirmation tag; a removed member's blank leaf as sender) are refused by A and B, who still
  process a genuine commit afterwards.
* ``out-of-order`` (§9.2, §6.3): within B's declared window, A's messages of one epoch read in
  any order.

A message offered to an old or stolen state is judged by what the state reads: a refusal and
a failure of another kind (an adapter's internal error) alike read nothing. Tampering alone
counts the latter apart, as the receiver's failure: a tampered message must be refused (§6),
not crash its parser. Where a manifest does not say that an implementation's states are
handles, the properties that need old copies find out (an old copy that moved on, or is
refused) and say so instead of judging.

Failure details carry integers and positions only (never secrets, hashes or message bytes):
what the implementations draw for themselves differs from run to run, and a verdict and its
detail must depend on the seed alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from .. import interrupts
from ..errors import ProtocolError, Unsupported
from ..interop import PairFailure, PairScenario, Rng, step
from ..interop._mls import APPLICATION, COMMIT, PRIVATE, PUBLIC, Group, Member
from ..model import SpecRef
from ..quirks import mls as mls_quirks
from ..reference.mls import forge
from ..reference.mls.group_api import MlsGroupReference

__all__ = ["SCENARIOS", "flips"]

FAMILY = "mls"
CAPABILITY = "mls-group"
RFC = "RFC 9420"
#: The most messages the out-of-order property sends (a window declared wider is tested to
#: this many).
MAX_WINDOW = 16
#: Offending positions a tampering failure names.
SHOWN = 5
#: The leading bytes every bit of which ``tampering`` flips: the MLSMessage header (version
#: and wire format, §6), where a flip changes what the message claims to be rather than what
#: it carries. (Every other byte gets one flip in the ci tier: each flip costs a call of about
#: a millisecond in the implementations measured, so every bit of every pair's messages is the
#: full tier's, over n pairs.)
FRAMING = 4


# --- steps --------------------------------------------------------------------------------------


def _pair(a_impl: object, b_impl: object, rng: Rng) -> tuple[Group, Member, Member]:
    """A creates the group and adds B; B joins by the Welcome."""
    g = Group(rng)
    a, _ = g.client(a_impl, 0, "A")
    b, kp_b = g.client(b_impl, 1, "B")
    g.create(a)
    g.add(a, b, kp_b)
    return g, a, b


def _offer(m: Member, state: bytes, message: bytes) -> tuple[str, Mapping[str, Any] | None]:
    """What ``m``'s implementation makes of ``message`` from ``state``: ("read", what it
    returned), ("refused", None) for a refusal (Unsupported included: an input it cannot take
    is not read) or ("crashed", None) when it failed otherwise (an internal error of the
    adapter or the library, a native exception)."""
    try:
        return "read", cast(Mapping[str, Any], m.impl.mls_process(state, message))
    except ProtocolError:
        return "refused", None
    except Exception as exc:  # an AdapterFault, or a native exception of an in-process adapter
        if interrupts.is_interruption(exc):
            raise
        return "crashed", None


def _attempt(m: Member, state: bytes, message: bytes) -> Mapping[str, Any] | None:
    """What ``m`` read of ``message`` from ``state``; None when it did not (a crash reads
    nothing either: the properties but tampering judge only what is read)."""
    return _offer(m, state, message)[1]


def _read(m: Member, message: bytes, plaintext: bytes, what: str, sender: Member) -> None:
    """``m`` reads a genuine application message (its refusal is the pair's failure)."""
    got = m.take(
        step(what, m.impl.mls_process, m.state, message, receiver=m.party, sender=sender.party)
    )
    if got["content_type"] != APPLICATION or got["application_data"] != plaintext:
        raise PairFailure(
            f"{what}: got content type {got['content_type']} and other data than was sent",
            receiver=m.party,
            sender=sender.party,
        )


def _commit(
    g: Group, committer: Member, what: str, fn: Callable[..., Any], *args: Any
) -> tuple[bytes, int]:
    """``committer`` commits (its state moves) and every other member processes the commit:
    (the commit, its wire format)."""
    wf = g.wire_format(committer)
    out = committer.take(
        step(
            f"{committer.name} {what}",
            fn,
            committer.state,
            *args,
            wf,
            g.rng.take(64),
            receiver=committer.party,
        )
    )
    commit = cast(bytes, out["commit"])
    g.broadcast(committer, commit, what, wf)
    return commit, wf


def _update(g: Group, committer: Member) -> bytes | None:
    """``committer``'s own update (an empty commit with a path, §12.4), processed by the
    others; None when its API has none."""
    try:
        commit, _ = _commit(g, committer, "commits an update", committer.impl.mls_update)
    except Unsupported:
        return None
    return commit


def _advance(g: Group, a: Member, b: Member, epochs: int, third: object) -> None:
    """``epochs`` epoch changes: B's own updates (the judged party's commits, which it merges
    itself), else A's where B's API has none, else a third client (of ``third``'s
    implementation) added and removed where neither has one."""
    done = 0
    for committer in (b, a):
        while done < epochs and _update(g, committer) is not None:
            done += 1
    while done < epochs:
        c, kp = g.client(third, 0, f"C{done}")
        g.add(a, c, kp)
        g.remove(a, c)
        done += 2


def _epoch(m: Member, state: bytes | None = None) -> int:
    """The epoch of ``m``'s current state, or of ``state``."""
    held = m.state if state is None else state
    got = step(f"{m.name} reads its epoch", m.impl.mls_epoch, held, receiver=m.party)
    return int(got["epoch"])


# --- 1. forward secrecy -------------------------------------------------------------------------


def _read_once(g: Group, a: Member, b: Member, label: str, failure: str) -> None:
    """B reads A's message, and the state it returns must not read it again (§9.2: the key is
    consumed); reading it is B's fault."""
    plaintext, m = g.encrypt(a, label)
    _read(b, m, plaintext, "B reads A's message", a)
    if _attempt(b, b.state, m) is not None:
        raise PairFailure(failure, receiver="bob", receiver_fault=True)


def forward_secrecy(a_impl: object, b_impl: object, rng: Rng) -> None:
    """§9.2 (a key is deleted once used), §14 and §16.6 (old epochs' secrets are deleted)."""
    g, a, b = _pair(a_impl, b_impl, rng)
    _read_once(
        g,
        a,
        b,
        "read once",
        "B's state after reading A's message read it again: the message key was kept (§9.2)",
    )
    _, unread = g.encrypt(a, "never read")
    kept = b.quirks.past_epochs
    before = _epoch(b)
    _advance(g, a, b, kept + 1, a_impl)
    later = _epoch(b) - before
    if _attempt(b, b.state, unread) is not None:
        raise PairFailure(
            f"B's state {later} epochs later read a message of the old epoch it never read, "
            f"though it declares it keeps {kept} past epochs (§14, §16.6)",
            receiver="bob",
            receiver_fault=True,
        )


# --- 2. post-compromise security ----------------------------------------------------------------


def post_compromise(a_impl: object, b_impl: object, rng: Rng) -> None:
    """§8, §12.4, §16.6: A's own update heals A: a state stolen before it reads nothing new."""
    g, a, b = _pair(a_impl, b_impl, rng)
    if not a.quirks.keeps_old_copies:
        raise Unsupported(
            "A's implementation keeps its state behind a handle: an old copy is its current "
            "state, so no stolen copy can be held"
        )
    plaintext, m = g.encrypt(b, "before the theft")
    _read(a, m, plaintext, "A reads B's message", b)
    stolen = a.state
    before = _epoch(a)
    commit = _update(g, a)
    if commit is None:
        raise Unsupported("A's implementation has no self-update (RFC 9420 requires none)")
    try:
        moved = _epoch(a, stolen) != before
    except PairFailure:
        moved = True  # the old handle is refused: A's implementation cannot go back either
    if moved:
        raise Unsupported(
            "A's implementation keeps its state behind a handle (an old copy moved on with A), "
            "though its manifest does not say so: no stolen copy can be held"
        )
    plaintext, fresh = g.encrypt(b, "after A's update")
    _read(a, fresh, plaintext, "A reads B's message after its update", b)
    followed = _attempt(a, stolen, commit)
    tries = [("as it was", stolen)]
    if followed is not None and followed.get("member"):
        tries.append(("after processing A's commit", cast(bytes, followed["member"])))
    for how, state in tries:
        if _attempt(a, state, fresh) is not None:
            # A's update did not heal (its implementation), or B encrypted under old secrets
            # (B's): decided across every pair of the check.
            raise PairFailure(
                f"a copy of A's state stolen before A's update, {how}, read B's message of the "
                "epoch the update made",
                receiver="alice",
                sender="bob",
            )


# --- 3. a removed member ------------------------------------------------------------------------


def removed_member(a_impl: object, b_impl: object, rng: Rng) -> None:
    """§12.1.3, §16.6: once removed, B reads nothing of the group's next epoch."""
    g, a, b = _pair(a_impl, b_impl, rng)
    c, kp_c = g.client(a_impl, 0, "C")
    g.add(a, c, kp_c)
    before = b.state
    g.remove(a, b)
    after = b.state
    count = step("A reads its epoch", a.impl.mls_epoch, a.state, receiver="alice")["member_count"]
    if count != len(g.members):
        # A removal that removes nobody lets B follow the group: that is the committer's doing.
        raise PairFailure(
            f"A's epoch shows {count} members after A removed B, not {len(g.members)}",
            receiver="bob",
            sender_fault=True,
        )
    plaintext, m = g.encrypt(a, "after B's removal")
    _read(c, m, plaintext, "C reads A's message after B's removal", a)
    for how, state in (("from before its removal", before), ("after its removal", after)):
        if state and _attempt(b, state, m) is not None:
            raise PairFailure(
                f"B's state {how} read A's message of the epoch that removed B",
                receiver="bob",
                receiver_fault=True,
            )


# --- 4. replay ----------------------------------------------------------------------------------


def replay(a_impl: object, b_impl: object, rng: Rng) -> None:
    """§9.2: a generation's key is consumed by the message it opened; the next one reads."""
    g, a, b = _pair(a_impl, b_impl, rng)
    _read_once(
        g,
        a,
        b,
        "delivered twice",
        "B read A's message a second time with the state it returned after reading it (§9.2)",
    )
    plaintext, m = g.encrypt(a, "after the replay")
    _read(b, m, plaintext, "B reads A's next message after the replay", a)


# --- 5. tampering -------------------------------------------------------------------------------


def flips(length: int, every_bit: bool) -> list[tuple[int, int]]:
    """The (byte offset, bit) pairs flipped in a message of ``length`` bytes: every bit, or one
    bit per byte (its index turning with the offset) and every bit of the first
    :data:`FRAMING` bytes. Bit 0 is the least significant."""
    if every_bit:
        return [(i, bit) for i in range(length) for bit in range(8)]
    chosen = {(i, i % 8) for i in range(length)}
    chosen.update((i, bit) for i in range(min(FRAMING, length)) for bit in range(8))
    return sorted(chosen)


def _flipped(message: bytes, offset: int, bit: int) -> bytes:
    return message[:offset] + bytes([message[offset] ^ (1 << bit)]) + message[offset + 1 :]


def _tampered(
    b: Member, state: bytes, message: bytes, every_bit: bool
) -> tuple[int, list[str], list[str]]:
    """Every flip of ``message`` offered to ``state``: (how many, the positions read, the
    positions it failed on without a refusal)."""
    read: list[str] = []
    crashed: list[str] = []
    positions = flips(len(message), every_bit)
    for offset, bit in positions:
        outcome, _ = _offer(b, state, _flipped(message, offset, bit))
        if outcome != "refused":
            (read if outcome == "read" else crashed).append(f"byte {offset} bit {bit}")
    return len(positions), read, crashed


def _a_commit(g: Group, a: Member, b: Member, update: bool = True) -> tuple[bytes, str]:
    """A's commit that B has yet to process, not broadcast: A's update (when ``update`` and
    A's API has one), else an add of a third client (of B's implementation), as a
    PublicMessage where A sends them."""
    wf = PUBLIC if PUBLIC in a.quirks.commit_wire_formats_sent else PRIVATE
    kind = "PublicMessage" if wf == PUBLIC else "PrivateMessage"
    if update:
        try:
            out = step(
                "A commits an update",
                a.impl.mls_update,
                a.state,
                wf,
                g.rng.take(64),
                receiver=a.party,
            )
            return cast(bytes, out["commit"]), f"A's update commit ({kind})"
        except Unsupported:
            pass
    _, kp = g.client(b.impl, 1, "C")
    out = step(
        "A commits an add", a.impl.mls_add, a.state, kp, wf, g.rng.take(64), receiver=a.party
    )
    return cast(bytes, out["commit"]), f"A's add commit ({kind})"


def _genuine_commit(g: Group, a: Member, b: Member, copies: bool) -> tuple[bytes, str]:
    """A's commit for the tampering (A does not take the state it returns). Where B's old
    states are copies, B first processes the genuine commit from a copy: an update B refuses
    anyway (the pair scenarios judge that) gives way to an add, and an add B refuses is the
    pair's failure, not evidence about tampering. Where they are not, a genuine update of A's
    goes first."""
    if not copies:
        # B's state cannot be copied: one genuine update of A's goes to B first (a refusal
        # is judged as in the pair scenarios), then the next one is tampered with.
        _update(g, a)
        return _a_commit(g, a, b)
    commit, what = _a_commit(g, a, b)
    try:
        _precheck(b, commit, what)
    except PairFailure:
        if "update" not in what:
            raise
        commit, what = _a_commit(g, a, b, update=False)
        _precheck(b, commit, what)
    return commit, what


def _precheck(b: Member, commit: bytes, what: str) -> None:
    step(f"B processes {what}", b.impl.mls_process, b.state, commit, receiver="bob", sender="alice")


def _genuine_after(
    b: Member, state: bytes, message: bytes, what: str, kind: int
) -> Mapping[str, Any]:
    got = _attempt(b, state, message)
    if got is None or got["content_type"] != kind:
        raise PairFailure(
            f"B's state, after refusing tampered copies of {what}, refused the genuine one: a "
            "refused message changed its state (§6)",
            receiver="bob",
            receiver_fault=True,
        )
    return got


def _tampering(every_bit: bool) -> Callable[[object, object, Rng], None]:
    def play(a_impl: object, b_impl: object, rng: Rng) -> None:
        g, a, b = _pair(a_impl, b_impl, rng)
        # B reads A's messages at all (a refusal is judged as in the pair scenarios), and
        # whether B's old states are copies: one that reads the message again is (the state
        # it returned, not this one, consumed the key); a handle to the current state is not.
        probe_plain, probe = g.encrypt(a, "before the tampering")
        old = b.state
        _read(b, probe, probe_plain, "B reads A's message before the tampering", a)
        copies = b.quirks.keeps_old_copies and _attempt(b, old, probe) is not None
        plaintext, m = g.encrypt(a, "tampered with")
        unread = None
        if copies:
            # The genuine one first, from a copy: one B refuses anyway (a sender that reuses
            # a generation) is the pair's failure, not evidence about tampering; the commit
            # is still tampered with, and that failure reported after what it finds.
            try:
                step(
                    "B reads A's message",
                    b.impl.mls_process,
                    b.state,
                    m,
                    receiver="bob",
                    sender="alice",
                )
            except PairFailure as exc:
                unread = exc
        if unread is None:
            _tamper_application(b, m, plaintext, every_bit)
        commit, what = _genuine_commit(g, a, b, copies)
        start = b.state
        total, read, crashed = _tampered(b, start, commit, every_bit)
        findings = _offending(what, commit, total, read, crashed)
        if findings:
            raise PairFailure(
                "B " + "; ".join(findings) + " (§6.1, §6.2)", receiver="bob", receiver_fault=True
            )
        _genuine_after(b, start, commit, what, COMMIT)
        if unread is not None:
            raise unread

    return play


def _tamper_application(b: Member, m: bytes, plaintext: bytes, every_bit: bool) -> None:
    """Every flip of A's application message ``m`` refused by B's current state, which then
    reads the genuine one (and takes the state it returns)."""
    start = b.state
    what = "A's application message (PrivateMessage)"
    total, read, crashed = _tampered(b, start, m, every_bit)
    findings = _offending(what, m, total, read, crashed)
    if findings:
        raise PairFailure(
            "B " + "; ".join(findings) + " (§6.3)", receiver="bob", receiver_fault=True
        )
    got = _genuine_after(b, start, m, what, APPLICATION)
    if got["application_data"] != plaintext:
        raise PairFailure("B read A's genuine message as other data than was sent", receiver="bob")
    b.take(got)


def _offending(
    what: str, message: bytes, total: int, read: Sequence[str], crashed: Sequence[str]
) -> list[str]:
    # How many flips an implementation mishandles can depend on bytes a sender draws for itself
    # (a tag, a ciphertext), which no seed fixes: the detail names the first offsets, where
    # a message's structure sits, and not the count.
    out = []
    for did, where in (("accepted", read), ("failed without a refusal on", crashed)):
        if where:
            shown = ", ".join(where[:SHOWN]) + (", ..." if len(where) > SHOWN else "")
            out.append(
                f"{did} single-bit flips of {what} ({len(message)} bytes, {total} flips "
                f"offered), first at {shown}"
            )
    return out


# --- 6. forged commits --------------------------------------------------------------------------


class _Insider(MlsGroupReference):
    """The suite's own reference as a member A adds: it forges with its internals. It
    declares what the reference's manifest declares, so a refusal of its key packages that
    the refusing party's manifest explains says so."""

    e2ee_name = "the suite's reference (insider)"

    def __init__(self) -> None:
        super().__init__()
        from ..registry import known_manifests

        manifest = known_manifests().get("reference")
        self.e2ee_quirks = {} if manifest is None else dict(manifest.quirks)


def forged_commits(a_impl: object, b_impl: object, rng: Rng) -> None:
    """§6.1, §6.2, §12.4.2: an insider's commit with a wrong confirmation tag, and one sent as
    from a removed member's blank leaf, are refused; a genuine commit still processes."""
    g, a, b = _pair(a_impl, b_impl, rng)
    insider = _Insider()
    # Index 2 names no party of the pair: a refusal by the suite's members is the pair's.
    m, kp_m = g.client(insider, 2, "M")
    n, kp_n = g.client(insider, 2, "N")
    g.add(a, m, kp_m)
    g.add(a, n, kp_n)
    blank = int(step("N reads its epoch", insider.mls_epoch, n.state)["leaf_index"])
    g.remove(a, n)
    joiner = insider.mls_key_package(
        1, mls_quirks.wire_client_id(g.rng.take(24)), g.rng.key(), g.rng.take(64)
    )
    forged = [
        (
            "a commit whose confirmation tag is wrong (an empty commit with a valid UpdatePath; "
            "signature and membership tag valid)",
            forge.wrong_confirmation_tag(insider, m.state, g.rng.take(64)),
        ),
        (
            "a commit sent as from the removed member's blank leaf (an Add by value, signed with "
            "its old key; membership and confirmation tags valid)",
            forge.blank_leaf_sender(
                insider, m.state, blank, n.signature_key, joiner["key_package"]
            ),
        ),
    ]
    for what, commit in forged:
        accepted = [p for p in (b, a) if _attempt(p, p.state, commit) is not None]
        if accepted:
            who = " and ".join(p.name for p in accepted)
            raise PairFailure(
                f"{who} processed {what}",
                receiver="bob" if b in accepted else "alice",
                receiver_fault=True,
            )
    # The states that refused them still process a genuine commit (the insider's update;
    # what members must agree on after it is the pair scenarios' to compare).
    if _update(g, m) is None:
        raise AssertionError("the reference has a self-update")


# --- 7. out of order ----------------------------------------------------------------------------


def out_of_order(a_impl: object, b_impl: object, rng: Rng) -> None:
    """§9.2 (keys of skipped generations are kept, within the application's window), §6.3."""
    g, a, b = _pair(a_impl, b_impl, rng)
    declared = b.quirks.out_of_order_window
    if declared is None:
        raise Unsupported("B's implementation declares no out-of-order window")
    w = min(declared, MAX_WINDOW)
    if w < 2:
        raise Unsupported(f"B's implementation declares an out-of-order window of {declared}")
    # B reads A's messages at all (a refusal, explained where a manifest declares it, is
    # judged as in the pair scenarios): a handle's state cannot be read in order from a copy.
    g.send(a, "before the reordering")
    sent = [g.encrypt(a, f"message {i}") for i in range(w)]
    if b.quirks.keeps_old_copies:
        # In order first, from a copy: a refusal there is no evidence about reordering (a
        # sender that reuses a generation is refused at once), and is judged as in the pair
        # scenarios.
        state = b.state
        for i, (_, message) in enumerate(sent):
            state = step(
                f"B reads A's message {i} of {w} in order",
                b.impl.mls_process,
                state,
                message,
                receiver="bob",
                sender="alice",
            )["member"]
    order = list(range(w - 1))
    rng.shuffle(order)
    for i in [w - 1, *order]:
        plaintext, message = sent[i]
        got = _attempt(b, b.state, message)
        if got is None or got["application_data"] != plaintext:
            raise PairFailure(
                f"B did not read A's message {i} of {w} (read in the order {[w - 1, *order]}), "
                f"within the out-of-order window of {declared} it declares (§9.2)",
                receiver="bob",
                receiver_fault=True,
            )
        b.take(got)


# --- the scenarios ------------------------------------------------------------------------------


def _spec(*sections: str) -> tuple[SpecRef, ...]:
    return tuple(SpecRef(RFC, s) for s in sections)


def _scenario(
    name: str,
    description: str,
    sections: tuple[str, ...],
    play: Callable[[object, object, Rng], None],
    bug_type: str,
    **kw: Any,
) -> PairScenario:
    return PairScenario(
        name,
        FAMILY,
        CAPABILITY,
        description,
        _spec(*sections),
        play,
        kind="prop",
        bug_type=bug_type,
        **kw,
    )


SCENARIOS = [
    _scenario(
        "forward-secrecy",
        "B's state after reading A's message refuses it again; after more epoch changes than "
        "B's declared past_epochs, B refuses an unread message of the old epoch.",
        ("9.2", "14", "16.6"),
        forward_secrecy,
        "CONFIDENTIALITY",
    ),
    _scenario(
        "post-compromise-security",
        "A copy of A's state stolen before A's own update reads nothing B sends after it, with "
        "or without first processing A's commit.",
        ("8", "12.4", "16.6"),
        post_compromise,
        "CONFIDENTIALITY",
    ),
    _scenario(
        "removed-member",
        "A adds B and C, then removes B: B's states from before and after its removal read "
        "nothing A sends in the new epoch.",
        ("12.1.3", "16.6"),
        removed_member,
        "CONFIDENTIALITY",
    ),
    _scenario(
        "replay",
        "B's state after reading A's message refuses it again; A's next message reads.",
        ("9.2",),
        replay,
        "REPLAY",
    ),
    _scenario(
        "tampering",
        "One bit flipped per byte (and every bit of the 4-byte MLSMessage header) of A's application "
        "message and A's commit: every copy refused, then the genuine one processed from the "
        "same state.",
        ("6.1", "6.2", "6.3"),
        _tampering(every_bit=False),
        "AUTH_BYPASS",
    ),
    _scenario(
        "tampering-every-bit",
        "Every single-bit flip of A's application message and A's commit refused, then the "
        "genuine one processed from the same state. Over each implementation with the next by "
        "name (n pairs: every implementation a sender and a receiver with another).",
        ("6.1", "6.2", "6.3"),
        _tampering(every_bit=True),
        "AUTH_BYPASS",
        full_only=True,
        plan="cycle",
    ),
    _scenario(
        "forged-commits",
        "An insider run on the suite's reference forges a commit with a wrong confirmation tag "
        "and one from a removed member's blank leaf: A and B refuse both and still process a "
        "genuine commit.",
        ("6.1", "6.2", "12.4.2"),
        forged_commits,
        "AUTH_BYPASS",
    ),
    _scenario(
        "out-of-order",
        f"A sends as many messages as B's declared out-of-order window (at most {MAX_WINDOW}); "
        "B reads the newest first, then the others in a random order.",
        ("9.2", "6.3"),
        out_of_order,
        "OUT_OF_ORDER",
    ),
]
