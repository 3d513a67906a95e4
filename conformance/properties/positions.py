"""Tampering and replay at every position a message can take in a conversation.

A receiver takes a different code path for each position of a message: the first message of a
session (a pre-key message, which creates the session: libolm docs/olm.md "Initial setup",
X3DH §3.3), the first message of a new chain (a ratchet step: docs/olm.md "Advancing the root
key", Double Ratchet §3.5), a later message of a known chain ("Advancing the chain key", §3.4),
a message whose key was skipped and kept (out of order: docs/olm.md "Decrypting messages",
Double Ratchet §3.5 ``TrySkippedMessageKeys``), and the message that follows a refused one (the
refusal must leave the state as it was: Double Ratchet §3.5, "if an exception is raised ...
then the message is discarded and changes to the state object are discarded"). Megolm has its
own: index 0 of a session and a later index (docs/megolm.md "The Megolm ratchet algorithm",
"Message format"), out of order, and after a refused one.

At each position the suite tampers with (or replays) a message and delivers the bad copies to
the receiver's *live* state (:meth:`Driver.attempt`: it goes on from the state returned with
the refusal), then delivers the genuine message, which must decrypt to what was sent: a bad
message must neither be accepted nor damage the session. The failure detail names the
position. These plays replace the one-position ``tampering`` and ``replay`` properties under
the same check ids (``prop/<family>/tampering``, ``prop/<family>/replay``).

Which bits are flipped, and why (cost: one decrypt per variant):

* the first message of a new chain keeps the exhaustive sweep (every bit) of the original
  property;
* every other position flips every bit of the message's *structural* bytes (the version byte,
  each field's tag byte, each length prefix and each varint value: a tag changed to an unknown
  one makes a parser skip a field and default its value, which a MAC computed over the parsed
  fields rather than the bytes received misses; that is the vodozemac chain-index finding),
  and 64 more bits drawn from the seeded generator anywhere in the authenticated span (the
  MAC or signature covers those bytes uniformly, so a sample finds an unauthenticated byte
  with high probability while a position costs about a tenth of the full sweep);
* a pre-key message is tampered inside its embedded message and in its base key and identity
  key, never on the top bit of a key (X25519 ignores it: RFC 7748 §5 MUST mask it, so the
  flip means the same key) nor in its other outer fields, which are covered by nothing when
  the session already exists (see :mod:`.machine`, ``tamper``; the PreKeyOuterVersion and
  WrongVersion vectors judge the version byte).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..errors import ProtocolError
from ..interop import PairFailure, Rng
from ..interop.drivers import Driver, MegolmDriver, Sent
from ..reference.varint import decode_varint
from ..stdio import AdapterFault
from . import wire

__all__ = ["SAMPLED_BITS", "replay", "structural_bytes", "tampering"]

#: Bits drawn at random per sampled position, besides every bit of the structural bytes.
SAMPLED_BITS = 64
#: Pre-key message fields tampered with besides the embedded message: base key, identity key
#: (the same tags in Olm's PreKeyMessage and Signal's PreKeySignalMessage). A Signal driver
#: names its own (``prekey_key_tags``) and those whose every bit matters (``prekey_other_tags``:
#: current Signal's Kyber ciphertext).
_PREKEY_KEYS = (0x12, 0x1A)
#: Megolm: the 8-byte MAC and the 64-byte Ed25519 signature follow the fields.
_MEGOLM_TRAILER = 8 + 64
_MAC = 8


def structural_bytes(message: bytes, start: int, end: int, trailer: int) -> list[int]:
    """Offsets of the structural bytes of the message in ``message[start:end]``: its version
    byte, every tag byte, every length prefix and every varint value (docs/olm.md "Message
    format", docs/megolm.md "Message format", libsignal protocol.rs: a version byte and
    protobuf fields, then the MAC and for Megolm the signature)."""
    out = [start]
    pos, stop = start + 1, end - trailer
    while pos < stop:
        tag = message[pos]
        out.append(pos)
        pos += 1
        if tag & 7 == 0:
            _, nxt = decode_varint(message, pos)
            out.extend(range(pos, nxt))
            pos = nxt
        elif tag & 7 == 2:
            length, nxt = decode_varint(message, pos)
            out.extend(range(pos, nxt))
            pos = nxt + length
        else:
            raise ValueError(f"wire type {tag & 7}")
    return out


def _sample(rng: Rng, span: Iterable[int], exclude: set[int], count: int) -> list[int]:
    pool = [b for b in span if b not in exclude]
    rng.shuffle(pool)
    return pool[:count]


def _bits(d: Driver, sent: Sent, rng: Rng, exhaustive: bool) -> tuple[int, ...]:
    message = sent.message
    if exhaustive:
        bits = list(range(8 * len(message)))
        rng.shuffle(bits)
        return tuple(bits)
    span: Iterable[int] = range(8 * len(message))
    exclude: set[int] = set()
    if isinstance(d, MegolmDriver):
        structural = structural_bytes(message, 0, len(message), _MEGOLM_TRAILER)
    elif sent.type in d.first_types and d.embedded_tag is not None:
        outer = wire.fields(message, 0)
        start, end = outer[d.embedded_tag]
        structural = structural_bytes(message, start, end, _MAC)
        keys = getattr(d, "prekey_key_tags", _PREKEY_KEYS)
        others = getattr(d, "prekey_other_tags", ())
        spans = [(start, end)] + [outer[t] for t in (*keys, *others) if t in outer]
        span = [b for s, e in spans for b in range(8 * s, 8 * e)]
        # The top bit of each key (little-endian X25519: bit 7 of its last byte).
        exclude = {8 * outer[t][1] - 1 for t in keys if t in outer}
    else:
        structural = structural_bytes(message, 0, len(message), _MAC)
    chosen = [8 * byte + i for byte in structural for i in range(8)]
    taken = set(chosen)
    chosen += _sample(rng, span, exclude | taken, SAMPLED_BITS)
    return tuple(chosen)


def _variants(d: Driver, sent: Sent, bits: tuple[int, ...], rng: Rng) -> list[tuple[str, bytes]]:
    """The bad copies of a message: bit flips, truncations, extensions. A pre-key message is
    extended inside its embedded message (its length prefix rewritten): bytes appended after
    the outer fields are covered by nothing, like the outer fields themselves."""
    message = sent.message
    out = [(f"bit {b} flipped", wire.flip(message, b)) for b in bits]
    for cut in sorted({1, 2, 8, len(message) // 2, len(message) - 1}):
        if 0 < cut < len(message):
            out.append((f"{cut} bytes cut off", message[:-cut]))
    embedded = None
    if sent.type in d.first_types and d.embedded_tag is not None:
        embedded = wire.fields(message, 0)[d.embedded_tag]

    def extend(tail: bytes) -> bytes:
        if embedded is None:
            return message + tail
        inner = message[embedded[0] : embedded[1]]
        return wire.replace(message, embedded, inner + tail, True)

    out += [("one byte appended", extend(b"\x00")), ("8 bytes appended", extend(rng.take(8)))]
    return out


def _refuse_all(d: Driver, where: str, sent: Sent, variants: list[tuple[str, bytes]]) -> None:
    """Every variant goes to the live state, which goes on from what the receiver returned
    with its refusal: a bad message that damages the session shows when the genuine one
    arrives."""
    to = sent.to
    for what, bad in variants:
        try:
            refused = d.attempt(to, sent.type, bad)
        except AdapterFault as exc:
            raise PairFailure(
                f"{where}: {to} failed on the message with {what}: {exc}",
                receiver=to,
                receiver_fault=True,
            ) from None
        if refused is None:
            raise PairFailure(
                f"{where}: {to} accepted the message with {what}", receiver=to, receiver_fault=True
            )


def _genuine(d: Driver, where: str, sent: Sent, after: str) -> None:
    """The genuine message, delivered after refused ones, decrypts to what was sent; if not,
    the receiver lost it because of what it refused (its fault alone)."""
    to = sent.to
    try:
        got = d.deliver(sent)
    except ProtocolError as exc:
        raise PairFailure(
            f"{where}: {to} no longer decrypts the genuine message after {after}: refused with "
            f"{exc.kind}: {exc}",
            receiver=to,
            receiver_fault=True,
        ) from None
    if got != sent.plaintext:
        raise PairFailure(
            f"{where}: {to} no longer decrypts the genuine message after {after}",
            receiver=to,
            receiver_fault=True,
        )


def _deliver(d: Driver, sent: Sent) -> None:
    """A genuine message with nothing refused before it: a refusal may be either side's."""
    try:
        got = d.deliver(sent)
    except ProtocolError as exc:
        raise PairFailure(
            f"{sent.to} refused genuine message {sent.number}: {exc.kind}: {exc}", receiver=sent.to
        ) from None
    if got != sent.plaintext:
        raise PairFailure(f"{sent.to} decrypted message {sent.number} to {got!r}", receiver=sent.to)


def _positions(d: Driver) -> Iterator[tuple[str, Sent, bool]]:
    """The conversation every position property follows, Alice to Bob: (where, the message at
    that position, whether its bits are swept exhaustively). Each message yielded must be
    delivered by the consumer before the generator resumes; the ones in between are delivered
    here. Megolm: index 0, a later index; Olm and Signal: the pre-key message, the first of a
    new chain (after Bob's reply), mid-chain. Then for all: a message out of order (its key
    skipped), and the pair "held back after its copies were refused" / "right after it"."""
    d.establish()
    if isinstance(d, MegolmDriver):
        yield "at index 0 (the session's first message)", d.encrypt("alice"), False
        for s in [d.encrypt("alice") for _ in range(2)]:
            _deliver(d, s)
        yield "at index 3 (a later index)", d.encrypt("alice"), False
    else:
        yield "in the pre-key message (the session's first)", d.encrypt("alice"), False
        _deliver(d, d.encrypt("bob"))
        yield "in the first message of a new chain", d.encrypt("alice"), True
        for s in [d.encrypt("alice") for _ in range(2)]:
            _deliver(d, s)
        yield "mid-chain (the chain's fourth message)", d.encrypt("alice"), False
    skipped, later = d.encrypt("alice"), d.encrypt("alice")
    _deliver(d, later)
    yield f"out of order (message {skipped.number} after {later.number})", skipped, False


def tampering(d: Driver, rng: Rng) -> str | None:
    """At every position (see the module docstring), bit flips, truncations and extensions
    of a genuine message are refused with a neutral error (never a crash or a hang), and the
    receiver then still decrypts the genuine message: nothing was corrupted or lost. The first
    message of a new chain also gets random byte strings in its place. Last, bad copies of a
    message are refused and it is held back; the message right after it is attacked and must
    decrypt, then the held one arrives late and must decrypt too (a refusal must not advance
    the chain: Double Ratchet §3.5 discards the state changes of a failed decryption)."""

    def attack(where: str, sent: Sent, exhaustive: bool) -> None:
        variants = _variants(d, sent, _bits(d, sent, rng, exhaustive), rng)
        if exhaustive:
            n = len(sent.message)
            variants += [(f"random {k} bytes", rng.take(k)) for k in (0, 1, 16, n, 300)]
        _refuse_all(d, where, sent, variants)

    for where, sent, exhaustive in _positions(d):
        attack(where, sent, exhaustive)
        _genuine(d, where, sent, "the tampered ones")
    held, following = d.encrypt("alice"), d.encrypt("alice")
    attack(f"message {held.number}, held back", held, False)
    where = f"right after a refused message (message {following.number})"
    attack(where, following, False)
    _genuine(d, where, following, f"tampered copies of message {held.number} and of it")
    _genuine(d, f"message {held.number}, late", held, "tampered copies of it")
    return None


def replay(d: Driver, rng: Rng) -> str | None:
    """At every position, a message already decrypted is delivered again: the copy is refused
    (docs/olm.md "Decrypting messages": a message key is used once; Double Ratchet §3.5 deletes
    a skipped key once used), and the next genuine message still decrypts after that refusal.
    Megolm leaves replays to the application (docs/megolm.md, "Limitations"): what B did is
    reported, and the next genuine message must decrypt either way."""
    del rng
    megolm = isinstance(d, MegolmDriver)
    accepted = 0
    last: Sent | None = None

    def again(where: str, sent: Sent) -> None:
        nonlocal accepted
        if d.attempt(sent.to, sent.type, sent.message) is not None:
            return
        if not megolm:
            raise PairFailure(
                f"{where}: {sent.to} decrypted message {sent.number} a second time",
                receiver=sent.to,
                receiver_fault=True,
            )
        # Accepting a replay is Megolm's documented choice; reading something other than what
        # was sent is not.
        if d.accepted_plaintext != sent.plaintext:
            raise PairFailure(
                f"{where}: {sent.to} decrypted a replay of message {sent.number} to "
                f"{d.accepted_plaintext!r}, not {sent.plaintext!r}",
                receiver=sent.to,
                receiver_fault=True,
            )
        accepted += 1

    replayed: list[Sent] = []
    for where, sent, _ in _positions(d):
        if last is None:
            _deliver(d, sent)
        else:
            _genuine(d, where, sent, f"a replay of message {last.number}")
        again(where, sent)
        last = sent
        replayed.append(sent)
    following = d.encrypt("alice")
    where = f"right after a refused replay (message {following.number})"
    assert last is not None
    _genuine(d, where, following, f"a replay of message {last.number}")
    again(where, following)
    # And once more long after, when other messages were decrypted in between.
    for sent in replayed[:-1]:
        again(f"long after (message {sent.number} again)", sent)
    if megolm:
        return "accepted" if accepted else "rejected"
    return None
