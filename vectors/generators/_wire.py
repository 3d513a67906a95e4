"""Message surgery for the protocol generators: the protobuf-style fields of a version-byte
message (libolm docs/olm.md "Message format"; libsignal protocol.rs), so an invalid case can
flip a bit inside one named field or rewrite one field's value."""

from __future__ import annotations

from conformance.properties.wire import fields
from conformance.reference.varint import encode_varint
from vectors.generators._common import ByteSource, bit_flip

__all__ = ["fields", "flip_in", "replace_field"]


def replace_field(message: bytes, tag: int, value: bytes) -> bytes:
    """The message with one length-delimited field's value replaced (its length prefix
    rewritten); everything else byte for byte as it was."""
    start, end = fields(message, 0)[tag]
    _, prefix_start = start, message.rindex(bytes([tag]), 0, start)
    return message[: prefix_start + 1] + encode_varint(len(value)) + value + message[end:]


def flip_in(message: bytes, span: tuple[int, int], src: ByteSource) -> bytes:
    start, end = span
    return bit_flip(message, 8 * start + src.below(8 * (end - start)))
