"""Transcript hashes (RFC 9420 §8.2) of a commit given as a serialised AuthenticatedContent
(§6.1, §6.2), whose structure is parsed far enough (Commit, UpdatePath, LeafNode: §12.4,
§7.6, §7.2) to split the signed content from its confirmation tag."""

from __future__ import annotations

import hmac

from ...errors import AuthenticationFailed, InvalidInput
from .ciphersuites import CipherSuite
from .crypto import hash_, mac
from .tls import Reader, opaque

__all__ = ["CONTENT_COMMIT", "split_commit", "transcript_hashes"]

#: ContentType commit (§6).
CONTENT_COMMIT = 3
#: WireFormat values a commit may be framed in (§6): mls_public_message, mls_private_message.
_WIRE_FORMATS = (1, 2)
#: SenderType (§6): member and external carry a uint32 index, the new-member kinds nothing.
_SENDER_WITH_INDEX = (1, 2)
_SENDER_WITHOUT_INDEX = (3, 4)
#: CredentialType basic (1) holds opaque identity<V>; x509 (2) Certificate certificates<V>;
#: either is one vector after the type.
_CREDENTIALS = (1, 2)
#: LeafNodeSource (§7.2): key_package carries a Lifetime, update nothing, commit a parent_hash.
_KEY_PACKAGE, _UPDATE, _COMMIT = 1, 2, 3


def _skip_leaf_node(r: Reader) -> None:
    r.opaque()  # encryption_key
    r.opaque()  # signature_key
    if r.uint(2) not in _CREDENTIALS:
        raise InvalidInput("LeafNode with a credential type the reference cannot parse")
    r.opaque()  # identity or certificates
    for _ in range(5):  # Capabilities: versions, cipher_suites, extensions, proposals, credentials
        r.opaque()
    source = r.uint(1)
    if source == _KEY_PACKAGE:
        r.take(16)  # Lifetime: uint64 not_before, uint64 not_after
    elif source == _COMMIT:
        r.opaque()  # parent_hash
    elif source != _UPDATE:
        raise InvalidInput(f"LeafNode with leaf_node_source {source}")
    r.opaque()  # extensions
    r.opaque()  # signature


def split_commit(authenticated_content: bytes) -> tuple[bytes, bytes, bytes]:
    """(wire_format || FramedContent, signature, confirmation_tag) of a serialised
    AuthenticatedContent whose content is a Commit; anything else is InvalidInput."""
    r = Reader(authenticated_content)
    if r.uint(2) not in _WIRE_FORMATS:
        raise InvalidInput("AuthenticatedContent with a wire format other than a message")
    r.opaque()  # group_id
    r.take(8)  # epoch
    sender_type = r.uint(1)
    if sender_type in _SENDER_WITH_INDEX:
        r.take(4)
    elif sender_type not in _SENDER_WITHOUT_INDEX:
        raise InvalidInput(f"sender type {sender_type}")
    r.opaque()  # authenticated_data
    if r.uint(1) != CONTENT_COMMIT:
        raise InvalidInput("the content is not a commit")
    r.opaque()  # proposals<V>
    present = r.uint(1)
    if present == 1:
        _skip_leaf_node(r)
        r.opaque()  # UpdatePathNode nodes<V>
    elif present != 0:
        raise InvalidInput(f"optional<UpdatePath> presence byte {present}")
    content_end = r.pos
    signature = r.opaque()
    tag = r.opaque()
    if not r.done():
        raise InvalidInput("bytes after the AuthenticatedContent")
    return authenticated_content[:content_end], signature, tag


def transcript_hashes(
    cs: CipherSuite,
    confirmation_key: bytes,
    authenticated_content: bytes,
    interim_transcript_hash_before: bytes,
) -> tuple[bytes, bytes]:
    """(confirmed, interim) transcript hashes after the commit (§8.2):
    confirmed = Hash(interim_before || ConfirmedTranscriptHashInput), the input being
    wire_format || FramedContent || opaque signature<V>; interim = Hash(confirmed ||
    opaque confirmation_tag<V>). The tag must equal MAC(confirmation_key, confirmed) (§6.1),
    else AuthenticationFailed."""
    content, signature, tag = split_commit(authenticated_content)
    confirmed = hash_(cs, interim_transcript_hash_before + content + opaque(signature))
    if not hmac.compare_digest(mac(cs, confirmation_key, confirmed), tag):
        raise AuthenticationFailed("the confirmation tag does not verify")
    interim = hash_(cs, confirmed + opaque(tag))
    return confirmed, interim
