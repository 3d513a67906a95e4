"""Message surgery for the protocol generators: the protobuf-style fields of a version-byte
message (libolm docs/olm.md "Message format"; libsignal protocol.rs), so an invalid case can
flip a bit inside one named field or rewrite one field's value."""

from __future__ import annotations

from vectors.generators._common import ByteSource, bit_flip

__all__ = ["fields", "flip_in", "replace_field"]


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        b = data[pos]
        value |= (b & 0x7F) << shift
        pos += 1
        shift += 7
        if not b & 0x80:
            return value, pos


def fields(message: bytes, mac_len: int) -> dict[int, tuple[int, int]]:
    """Tag -> (start, end) of each protobuf field's value after the version byte."""
    out: dict[int, tuple[int, int]] = {}
    pos, end = 1, len(message) - mac_len
    while pos < end:
        tag = message[pos]
        pos += 1
        if tag & 7 == 0:
            _, nxt = _varint(message, pos)
            out[tag] = (pos, nxt)
            pos = nxt
        else:
            length, pos = _varint(message, pos)
            out[tag] = (pos, pos + length)
            pos += length
    return out


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def replace_field(message: bytes, tag: int, value: bytes) -> bytes:
    """The message with one length-delimited field's value replaced (its length prefix
    rewritten); everything else byte for byte as it was."""
    start, end = fields(message, 0)[tag]
    _, prefix_start = start, message.rindex(bytes([tag]), 0, start)
    return message[: prefix_start + 1] + _encode_varint(len(value)) + value + message[end:]


def flip_in(message: bytes, span: tuple[int, int], src: ByteSource) -> bytes:
    start, end = span
    return bit_flip(message, 8 * start + src.below(8 * (end - start)))
