"""Message framing (RFC 9420 §6): the signed FramedContentTBS (§6.1), PublicMessage with its
membership tag (§6.2), PrivateMessage with encrypted sender data, padded content and the reuse
guard (§6.3), and a receiver that keeps the secret tree's consumed keys (§9.2).

The group is seen as :class:`Epoch`: the serialised GroupContext of the epoch, its
encryption_secret, sender_data_secret and membership_key (§8), and the signature key of each
member leaf this receiver knows.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from ...errors import AuthenticationFailed, DuplicateMessage, InvalidInput, InvalidMessage
from .aead import Aead
from .ciphersuites import CipherSuite
from .crypto import Signatures, expand_with_label, mac, sign_with_label, verify_with_label
from .secret_tree import ratchet, sender_data_keys, tree_node_secret
from .tls import Reader, opaque, uint8, uint16, uint64
from .wire import (
    APPLICATION,
    COMMIT,
    MEMBER,
    MLS10,
    NEW_MEMBER_COMMIT,
    WF_PRIVATE,
    WF_PUBLIC,
    Content,
    FramedContent,
    FramedContentAuthData,
    MlsMessage,
    PrivateMessage,
    PublicMessage,
    Sender,
    SenderData,
    _encode_content,
    _read_content,
)

__all__ = [
    "Epoch",
    "Receiver",
    "authenticated_content",
    "framed_content_tbs",
    "membership_tag",
    "protect_private",
    "protect_public",
    "sign_content",
]

#: The reuse guard is 4 bytes XORed into the start of the content nonce (§6.3.1).
REUSE_GUARD_SIZE = 4


@dataclass(frozen=True)
class Epoch:
    """One epoch of a group as framing needs it (§6, §8, §9)."""

    cs: CipherSuite
    group_id: bytes
    epoch: int
    #: The serialised GroupContext (§8.1) whose group_id and epoch are the two above.
    group_context: bytes
    encryption_secret: bytes
    sender_data_secret: bytes
    membership_key: bytes
    n_leaves: int
    #: Leaf index -> that member's signature public key, for the members this party knows.
    signature_keys: dict[int, bytes] = field(default_factory=dict)


def framed_content_tbs(wire_format: int, content: FramedContent, group_context: bytes) -> bytes:
    """FramedContentTBS (§6.1): version, wire_format, the FramedContent, then the GroupContext
    for member and new_member_commit senders."""
    out = uint16(MLS10) + uint16(wire_format) + content.encode()
    if content.sender.sender_type in (MEMBER, NEW_MEMBER_COMMIT):
        out += group_context
    return out


def authenticated_content(
    wire_format: int, content: FramedContent, auth: FramedContentAuthData
) -> bytes:
    """AuthenticatedContent (§6.1): wire_format || FramedContent || FramedContentAuthData, what
    ProposalRef and the transcript hashes cover."""
    return uint16(wire_format) + content.encode() + auth.encode()


def sign_content(
    cs: CipherSuite,
    sig: Signatures,
    signature_priv: bytes,
    wire_format: int,
    content: FramedContent,
    group_context: bytes,
) -> bytes:
    """FramedContentAuthData.signature = SignWithLabel(., "FramedContentTBS", TBS) (§6.1)."""
    tbs = framed_content_tbs(wire_format, content, group_context)
    return sign_with_label(cs, sig, signature_priv, b"FramedContentTBS", tbs)


def membership_tag(
    cs: CipherSuite,
    membership_key: bytes,
    content: FramedContent,
    auth: FramedContentAuthData,
    group_context: bytes,
) -> bytes:
    """MAC(membership_key, AuthenticatedContentTBM) with AuthenticatedContentTBM =
    FramedContentTBS || FramedContentAuthData (§6.2)."""
    tbm = framed_content_tbs(WF_PUBLIC, content, group_context) + auth.encode()
    return mac(cs, membership_key, tbm)


def protect_public(
    group: Epoch,
    sig: Signatures,
    signature_priv: bytes,
    content: FramedContent,
    confirmation_tag: bytes | None,
) -> PublicMessage:
    """A member's PublicMessage (§6.2): signed, with its membership tag. The caller decides what
    may be sent this way (application data may not, §6.2); the vector generator frames every
    content type to exercise the codec."""
    signature = sign_content(group.cs, sig, signature_priv, WF_PUBLIC, content, group.group_context)
    auth = FramedContentAuthData(signature, confirmation_tag)
    tag = membership_tag(group.cs, group.membership_key, content, auth, group.group_context)
    return PublicMessage(content, auth, tag)


def _sender_data_aad(group_id: bytes, epoch: int, content_type: int) -> bytes:
    """SenderDataAAD (§6.3.2)."""
    return opaque(group_id) + uint64(epoch) + uint8(content_type)


def _content_aad(
    group_id: bytes, epoch: int, content_type: int, authenticated_data: bytes
) -> bytes:
    """PrivateContentAAD (§6.3.1)."""
    return opaque(group_id) + uint64(epoch) + uint8(content_type) + opaque(authenticated_data)


def _message_key(
    group: Epoch, leaf: int, content_type: int, generation: int
) -> tuple[bytes, bytes]:
    """The key and nonce of ``leaf`` at ``generation`` in the handshake ratchet (proposals and
    commits) or the application ratchet (§9.1)."""
    cs = group.cs
    leaf_secret = tree_node_secret(cs, group.encryption_secret, group.n_leaves, 2 * leaf)
    label = b"application" if content_type == APPLICATION else b"handshake"
    return ratchet(cs, expand_with_label(cs, leaf_secret, label, b"", cs.nh), generation)


def _guarded(nonce: bytes, reuse_guard: bytes) -> bytes:
    """The first four bytes of the nonce XORed with the reuse guard (§6.3.1)."""
    head = bytes(a ^ b for a, b in zip(nonce[:REUSE_GUARD_SIZE], reuse_guard, strict=True))
    return head + nonce[REUSE_GUARD_SIZE:]


def protect_private(
    group: Epoch,
    sig: Signatures,
    aead: Aead,
    signature_priv: bytes,
    content: FramedContent,
    confirmation_tag: bytes | None,
    generation: int,
    reuse_guard: bytes,
    padding: int,
    signature: bytes | None = None,
) -> PrivateMessage:
    """A member's PrivateMessage (§6.3): PrivateMessageContent (content, auth, ``padding`` zero
    bytes) sealed under the sender's ratchet key at ``generation`` with the reuse guard XORed
    into the nonce, then SenderData sealed under keys drawn from the ciphertext's first
    KDF.Nh bytes (§6.3.2). ``signature`` is the content's when the caller signed it already
    (a commit's confirmed transcript hash covers it)."""
    cs = group.cs
    if content.sender.sender_type != MEMBER:
        raise InvalidMessage("only a member sends a PrivateMessage (§6.3)")
    if len(reuse_guard) != REUSE_GUARD_SIZE:
        raise InvalidMessage("the reuse guard is 4 bytes")
    if signature is None:
        signature = sign_content(cs, sig, signature_priv, WF_PRIVATE, content, group.group_context)
    auth = FramedContentAuthData(signature, confirmation_tag)
    plaintext = (
        _encode_content(content.content_type, content.content) + auth.encode() + bytes(padding)
    )
    leaf = content.sender.index
    key, nonce = _message_key(group, leaf, content.content_type, generation)
    aad = _content_aad(
        content.group_id, content.epoch, content.content_type, content.authenticated_data
    )
    ciphertext = aead.seal(cs.aead_id, key, _guarded(nonce, reuse_guard), aad, plaintext)
    sd_key, sd_nonce = sender_data_keys(cs, group.sender_data_secret, ciphertext)
    sender_data = SenderData(leaf, generation, reuse_guard).encode()
    encrypted_sender_data = aead.seal(
        cs.aead_id,
        sd_key,
        sd_nonce,
        _sender_data_aad(content.group_id, content.epoch, content.content_type),
        sender_data,
    )
    return PrivateMessage(
        content.group_id,
        content.epoch,
        content.content_type,
        content.authenticated_data,
        encrypted_sender_data,
        ciphertext,
    )


def _read_private_content(
    plaintext: bytes, content_type: int
) -> tuple[Content, FramedContentAuthData]:
    """PrivateMessageContent (§6.3.1): the content, its auth data, then padding that must be all
    zero bytes (else the message is malformed)."""
    r = Reader(plaintext)
    try:
        content = _read_content(r, content_type)
        auth = FramedContentAuthData.read(r, content_type)
    except InvalidInput as exc:  # the Reader ran out of plaintext
        raise InvalidMessage(f"PrivateMessageContent: {exc}") from None
    if any(plaintext[r.pos :]):
        raise InvalidMessage("PrivateMessageContent padding holds a non-zero byte (§6.3.1)")
    return content, auth


class Receiver:
    """A member receiving in one epoch (§6.2, §6.3). A PrivateMessage's key is deleted once it
    has opened a message (§9.2), so a second message at the same generation of the same leaf's
    ratchet is refused; earlier generations not yet used stay available."""

    def __init__(self, group: Epoch, sig: Signatures, aead: Aead) -> None:
        self.group = group
        self._sig = sig
        self._aead = aead
        self._consumed: set[tuple[int, bool, int]] = set()

    def _check_group(self, group_id: bytes, epoch: int) -> None:
        if group_id != self.group.group_id:
            raise InvalidMessage("the message is not of this group")
        if epoch != self.group.epoch:
            raise InvalidMessage(f"the message is of epoch {epoch}, not {self.group.epoch}")

    def _signature_key(self, leaf: int) -> bytes:
        if leaf >= self.group.n_leaves:
            raise InvalidMessage(f"sender leaf {leaf} is outside the tree")
        key = self.group.signature_keys.get(leaf)
        if key is None:
            raise InvalidMessage(f"sender leaf {leaf} is not a member this receiver knows")
        return key

    def _verify(
        self, wire_format: int, content: FramedContent, auth: FramedContentAuthData
    ) -> None:
        key = self._signature_key(content.sender.index)
        tbs = framed_content_tbs(wire_format, content, self.group.group_context)
        verify_with_label(self.group.cs, self._sig, key, b"FramedContentTBS", tbs, auth.signature)

    def unprotect(self, message: MlsMessage) -> tuple[FramedContent, FramedContentAuthData]:
        """The content and auth data of a PublicMessage or PrivateMessage, verified."""
        body = message.body
        if isinstance(body, PublicMessage):
            return self._public(body)
        if isinstance(body, PrivateMessage):
            return self._private(body)
        raise InvalidMessage("the MLSMessage is neither a PublicMessage nor a PrivateMessage")

    def _public(self, msg: PublicMessage) -> tuple[FramedContent, FramedContentAuthData]:
        content = msg.content
        self._check_group(content.group_id, content.epoch)
        if content.sender.sender_type != MEMBER:
            raise InvalidMessage("only member senders are modelled (§6.2)")
        self._signature_key(content.sender.index)
        if content.content_type == APPLICATION:
            raise InvalidMessage("application data in a PublicMessage (§6.2)")
        assert msg.membership_tag is not None  # a member's PublicMessage carries one
        expected = membership_tag(
            self.group.cs, self.group.membership_key, content, msg.auth, self.group.group_context
        )
        if not hmac.compare_digest(expected, msg.membership_tag):
            raise AuthenticationFailed("the membership tag does not verify (§6.2)")
        self._verify(WF_PUBLIC, content, msg.auth)
        return content, msg.auth

    def _private(self, msg: PrivateMessage) -> tuple[FramedContent, FramedContentAuthData]:
        cs = self.group.cs
        self._check_group(msg.group_id, msg.epoch)
        sd_key, sd_nonce = sender_data_keys(cs, self.group.sender_data_secret, msg.ciphertext)
        sender_data_bytes = self._aead.open(
            cs.aead_id,
            sd_key,
            sd_nonce,
            _sender_data_aad(msg.group_id, msg.epoch, msg.content_type),
            msg.encrypted_sender_data,
        )
        r = Reader(sender_data_bytes)
        try:
            sender_data = SenderData.read(r)
        except InvalidInput as exc:
            raise InvalidMessage(f"SenderData: {exc}") from None
        if not r.done():
            raise InvalidMessage("SenderData: bytes left over")
        leaf, generation = sender_data.leaf_index, sender_data.generation
        self._signature_key(leaf)
        slot = (leaf, msg.content_type != APPLICATION, generation)
        if slot in self._consumed:
            raise DuplicateMessage(
                f"generation {generation} of leaf {leaf}: its key was consumed (§9.2)"
            )
        key, nonce = _message_key(self.group, leaf, msg.content_type, generation)
        aad = _content_aad(msg.group_id, msg.epoch, msg.content_type, msg.authenticated_data)
        plaintext = self._aead.open(
            cs.aead_id, key, _guarded(nonce, sender_data.reuse_guard), aad, msg.ciphertext
        )
        self._consumed.add(slot)
        body, auth = _read_private_content(plaintext, msg.content_type)
        content = FramedContent(
            msg.group_id,
            msg.epoch,
            Sender(MEMBER, leaf),
            msg.authenticated_data,
            msg.content_type,
            body,
        )
        if msg.content_type == COMMIT and auth.confirmation_tag is None:
            raise InvalidMessage("a commit without its confirmation tag")
        self._verify(WF_PRIVATE, content, auth)
        return content, auth
