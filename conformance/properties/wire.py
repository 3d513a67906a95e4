"""Just enough of the Olm and Signal wire formats to forge what a hostile peer would send: a
version byte, then protobuf-style fields (libolm docs/olm.md "Message format"; libsignal
protocol.rs), then a MAC. Used to forge counters and swap identity keys; everything else in a
forged message stays byte for byte what the real sender produced."""

from __future__ import annotations

from ..errors import ProtocolError
from ..interop.drivers import Driver, OlmDriver, SignalDriver
from ..reference.varint import decode_varint, encode_varint

__all__ = [
    "field_span",
    "fields",
    "flip",
    "identity_of",
    "replace",
    "set_counter",
    "swap_identity",
]

IDENTITY_TAG = 0x1A


def flip(message: bytes, bit: int) -> bytes:
    out = bytearray(message)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def fields(message: bytes, trailer: int) -> dict[int, tuple[int, int]]:
    """Tag -> (start, end) of each field's value; raises ValueError on anything else."""
    out: dict[int, tuple[int, int]] = {}
    pos, end = 1, len(message) - trailer
    while pos < end:
        tag = message[pos]
        pos += 1
        if tag & 7 == 0:
            _, nxt = decode_varint(message, pos)
            out[tag] = (pos, nxt)
            pos = nxt
        elif tag & 7 == 2:
            length, pos = decode_varint(message, pos)
            out[tag] = (pos, pos + length)
            pos += length
        else:
            raise ValueError(f"wire type {tag & 7}")
    if pos != end:
        raise ValueError("fields run past the MAC")
    return out


def replace(message: bytes, span: tuple[int, int], value: bytes, length_prefixed: bool) -> bytes:
    """The message with the field value at ``span`` replaced by ``value`` (and its length
    prefix rewritten when the field is length-delimited)."""
    start, end = span
    if not length_prefixed:
        return message[:start] + value + message[end:]
    # Rewrite the length prefix that precedes the value as well.
    head = message[: start - len(encode_varint(end - start))]
    return head + encode_varint(len(value)) + value + message[end:]


def set_counter(message: bytes, counter_tag: int, embedded_tag: int | None, value: int) -> bytes:
    """The message with its counter (in the message, or in the one a first message embeds)
    set to ``value``; its MAC is left as it was, so it can no longer verify."""
    try:
        found = fields(message, 8)
        if counter_tag in found:
            return replace(message, found[counter_tag], encode_varint(value), False)
    except (ValueError, IndexError, ProtocolError):
        pass
    if embedded_tag is not None:
        outer = fields(message, 0)
        if embedded_tag in outer:
            start, end = outer[embedded_tag]
            inner = set_counter(message[start:end], counter_tag, None, value)
            return replace(message, (start, end), inner, True)
    raise ValueError("no counter field found")


def counter(message: bytes, counter_tag: int, trailer: int) -> int | None:
    """The counter a message claims (a varint field before a ``trailer`` of MAC and
    signature bytes), or None when the message has none or does not parse."""
    try:
        span = fields(message, trailer).get(counter_tag)
        return None if span is None else decode_varint(message, span[0])[0]
    except (ValueError, IndexError, ProtocolError):
        return None


def field_span(message: bytes, tag: int) -> tuple[int, int]:
    """Where the value of a length-delimited field of a first message (no MAC) lies."""
    return fields(message, 0)[tag]


def identity_of(driver: Driver, party: str) -> bytes:
    """The party's identity key as its first messages carry it."""
    if isinstance(driver, OlmDriver):
        return bytes(driver.identity[party])
    assert isinstance(driver, SignalDriver)
    return bytes(driver.bundle_of(driver.impl(party), driver.states[party])["identity_key"])


def swap_identity(driver: Driver, message: bytes, identity: bytes) -> bytes:
    """A first message with its sender identity key replaced (same length)."""
    start, end = fields(message, 0)[IDENTITY_TAG]
    if end - start != len(identity):
        raise ValueError("identity keys of different lengths")
    return message[:start] + identity + message[end:]
