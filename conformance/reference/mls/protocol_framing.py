"""``MlsFramingReference``: the protocol-tier capabilities mls-messages, mls-message-protection
and mls-welcome of :mod:`conformance.capabilities.mls_protocol` over this package's codec
(:mod:`.wire`), framing (:mod:`.framing`, RFC 9420 §6) and Welcome processing
(:mod:`.welcome`, §12.4.3.1)."""

from __future__ import annotations

import os
from collections.abc import Callable

from ...capabilities.mls_protocol import (
    CONTENT_APPLICATION,
    CONTENT_COMMIT,
    CONTENT_PROPOSAL,
    STRUCTURES,
    WIRE_PRIVATE,
    WIRE_PUBLIC,
    BlobError,
    MlsContent,
    MlsWelcomeInfo,
    split_blobs,
)
from ...errors import InvalidInput, InvalidMessage, Unsupported
from . import wire
from .aead import Aead
from .ciphersuites import CipherSuite, suite
from .crypto import Hpke, Signatures
from .framing import REUSE_GUARD_SIZE, Epoch, Receiver, protect_private, protect_public
from .key_schedule import group_context
from .welcome import process_welcome

__all__ = ["MlsFramingReference"]

#: The group of the message-protection category: two leaves, the sender at leaf 1.
N_LEAVES, SENDER = 2, 1
#: A protected message's padding is drawn below this many bytes (§6.3.1 leaves it to the
#: sender).
MAX_PADDING = 32


class MlsFramingReference:
    """Messages, message protection and Welcome (RFC 9420 §6, §12.4.3.1) for cipher suites 1-7.
    Every random choice (reuse guard, padding length, a commit's confirmation tag) is drawn
    from ``random``; HPKE ephemerals come from the ``hpke`` given (ReferenceHpke takes its own
    ``random``); ECDSA nonces are the Signatures implementation's."""

    def __init__(
        self,
        signatures: Signatures,
        hpke: Hpke,
        aead: Aead,
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self._sig = signatures
        self._hpke = hpke
        self._aead = aead
        self._random = random

    # --- mls-messages ------------------------------------------------------------------------

    def mls_decode_encode(self, structure: bytes, data: bytes) -> bytes:
        """Decode ``data`` strictly as the named structure (§2.1) and encode it again."""
        try:
            name = bytes(structure).decode("ascii")
        except UnicodeDecodeError:
            raise InvalidInput("the structure name is not ASCII") from None
        if name not in STRUCTURES or name not in wire.STRUCTURES:
            raise Unsupported(f"structure {name!r} is not modelled")
        value = wire.decode(wire.STRUCTURES[name], bytes(data), name)
        return value.encode()  # type: ignore[attr-defined, no-any-return]

    # --- mls-message-protection --------------------------------------------------------------

    def _epoch(
        self,
        cs: CipherSuite,
        group_id: bytes,
        epoch: int,
        tree_hash: bytes,
        confirmed_transcript_hash: bytes,
        encryption_secret: bytes,
        sender_data_secret: bytes,
        membership_key: bytes,
        signature_keys: dict[int, bytes],
    ) -> Epoch:
        context = group_context(cs, group_id, epoch, tree_hash, confirmed_transcript_hash, b"")
        return Epoch(
            cs,
            bytes(group_id),
            epoch,
            context,
            bytes(encryption_secret),
            bytes(sender_data_secret),
            bytes(membership_key),
            N_LEAVES,
            signature_keys,
        )

    def mls_protect(
        self,
        cipher_suite: int,
        group_id: bytes,
        epoch: int,
        tree_hash: bytes,
        confirmed_transcript_hash: bytes,
        signature_priv: bytes,
        encryption_secret: bytes,
        sender_data_secret: bytes,
        membership_key: bytes,
        wire_format: int,
        content_type: int,
        content: bytes,
    ) -> bytes:
        """Leaf 1's PublicMessage or PrivateMessage (§6.2, §6.3) carrying ``content``; a
        PrivateMessage is the first of its ratchet (generation 0, §9.1). A commit's confirmation
        tag is random: this model has no confirmation_key (§6.1)."""
        cs = suite(cipher_suite)
        group = self._epoch(
            cs,
            group_id,
            epoch,
            tree_hash,
            confirmed_transcript_hash,
            encryption_secret,
            sender_data_secret,
            membership_key,
            {},
        )
        if wire_format not in (WIRE_PUBLIC, WIRE_PRIVATE):
            raise InvalidInput(f"wire format {wire_format} is not a framed message")
        body = _content(content_type, bytes(content))
        framed = wire.FramedContent(
            bytes(group_id), epoch, wire.Sender(wire.MEMBER, SENDER), b"", content_type, body
        )
        tag = self._random(cs.nh) if content_type == CONTENT_COMMIT else None
        if wire_format == WIRE_PUBLIC:
            if content_type == CONTENT_APPLICATION:
                raise InvalidMessage("application data may not be a PublicMessage (§6.2)")
            public = protect_public(group, self._sig, bytes(signature_priv), framed, tag)
            return wire.MlsMessage(public).encode()
        reuse_guard = self._random(REUSE_GUARD_SIZE)
        padding = self._random(1)[0] % MAX_PADDING
        private = protect_private(
            group,
            self._sig,
            self._aead,
            bytes(signature_priv),
            framed,
            tag,
            0,
            reuse_guard,
            padding,
        )
        return wire.MlsMessage(private).encode()

    def mls_unprotect(
        self,
        cipher_suite: int,
        group_id: bytes,
        epoch: int,
        tree_hash: bytes,
        confirmed_transcript_hash: bytes,
        signature_pub: bytes,
        encryption_secret: bytes,
        sender_data_secret: bytes,
        membership_key: bytes,
        messages: bytes,
    ) -> MlsContent:
        """Receive the blob's messages in order as leaf 0 with one state (§6.2, §6.3, §9.2);
        the content of the last one. Leaf 1 is the only sender whose key is known."""
        cs = suite(cipher_suite)
        group = self._epoch(
            cs,
            group_id,
            epoch,
            tree_hash,
            confirmed_transcript_hash,
            encryption_secret,
            sender_data_secret,
            membership_key,
            {SENDER: bytes(signature_pub)},
        )
        try:
            items = split_blobs(bytes(messages))
        except BlobError as exc:
            raise InvalidInput(str(exc)) from None
        if not items:
            raise InvalidInput("no message to unprotect")
        receiver = Receiver(group, self._sig, self._aead)
        result: MlsContent | None = None
        for item in items:
            message = wire.decode(wire.MlsMessage.read, item, "MLSMessage")
            framed, _ = receiver.unprotect(message)
            body = framed.content
            result = MlsContent(
                content_type=framed.content_type,
                content=body if isinstance(body, bytes) else body.encode(),
            )
        assert result is not None
        return result

    # --- mls-welcome -------------------------------------------------------------------------

    def mls_process_welcome(
        self,
        cipher_suite: int,
        init_priv: bytes,
        key_package: bytes,
        signer_pub: bytes,
        welcome: bytes,
    ) -> MlsWelcomeInfo:
        """Join by ``welcome`` (§12.4.3.1); the GroupContext and epoch_authenticator."""
        cs = suite(cipher_suite)
        kp_message = wire.decode(wire.MlsMessage.read, bytes(key_package), "key_package")
        welcome_message = wire.decode(wire.MlsMessage.read, bytes(welcome), "welcome")
        if not isinstance(kp_message.body, wire.KeyPackage):
            raise InvalidMessage("key_package is not an MLSMessage carrying a KeyPackage")
        if not isinstance(welcome_message.body, wire.Welcome):
            raise InvalidMessage("welcome is not an MLSMessage carrying a Welcome")
        joined = process_welcome(
            cs,
            self._sig,
            self._hpke,
            self._aead,
            bytes(init_priv),
            kp_message.body,
            bytes(signer_pub),
            welcome_message.body,
        )
        return MlsWelcomeInfo(
            group_context=joined.group_info.group_context.encode(),
            epoch_authenticator=joined.secrets.epoch_authenticator,
        )


def _content(content_type: int, content: bytes) -> wire.Content:
    """The content a caller gives as bytes, as the FramedContent's select holds it (§6): the
    application data itself, or a Proposal or Commit decoded strictly."""
    if content_type == CONTENT_APPLICATION:
        return content
    if content_type == CONTENT_PROPOSAL:
        return wire.decode(wire.Proposal.read, content, "Proposal")
    if content_type == CONTENT_COMMIT:
        return wire.decode(wire.Commit.read, content, "Commit")
    raise InvalidInput(f"content type {content_type}")
