"""Broken variants of the MLS check kinds (rows of the table in
tests/test_kat_kinds_catch_broken.py): wrappers around the suite's reference MLS objects (the
reference adapter's, in process) with one behaviour changed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from unittest import mock

from helpers import MockFlippedOutput, real
from katbreak import Caps, KatBreak

from conformance.capabilities.mls_protocol import join_blobs, split_blobs
from conformance.errors import InvalidMessage, ProtocolError
from conformance.reference.mls import framing, wire
from conformance.reference.mls import group as group_module
from conformance.reference.mls.group import Member
from conformance.reference.mls.group_api import MlsGroupReference, _stream
from conformance.reference.mls.group_send import commit

__all__ = [
    "MLS_BREAKS",
    "MockMlsGroupConfirmationTagUnchecked",
    "MockMlsGroupExportsWrongly",
    "MockMlsGroupKeepsOldEpochs",
    "MockMlsGroupMembershipTagUnchecked",
    "MockMlsGroupMisreadsApplication",
    "MockMlsGroupNoSkippedKeys",
    "MockMlsGroupParserCrashes",
    "MockMlsGroupPoisonedByRefusal",
    "MockMlsGroupRemovesNobody",
    "MockMlsGroupRereadsGenerations",
    "MockMlsGroupUpdateWithoutPath",
]


def _reference(capability: str) -> Any:
    return real(capability, "reference")


class _Wrapped:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class MockMlsFlippedField(_Wrapped):
    """One field of what ``method`` returns (an object) has a bit flipped."""

    def __init__(self, inner: Any, method: str, field: str) -> None:
        super().__init__(inner)
        self._method, self._field = method, field

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name != self._method:
            return attr

        def wrapped(*args: Any) -> Any:
            out = dict(attr(*args))
            value = out[self._field]
            if isinstance(value, int):
                out[self._field] = value + 1
            else:
                out[self._field] = bytes([value[0] ^ 1]) + bytes(value[1:])
            return out

        return wrapped


class MockMlsLenientVerifier(_Wrapped):
    """VerifyWithLabel accepts every signature (RFC 9420 §5.1.2 not checked)."""

    def mls_verify_with_label(self, *args: Any) -> None:
        return None


class MockMlsDecryptNeverRefuses(_Wrapped):
    """DecryptWithLabel returns an empty plaintext where it should refuse (a failed HPKE open
    swallowed, RFC 9420 §5.1.3)."""

    def mls_decrypt_with_label(self, *args: Any) -> bytes:
        try:
            return bytes(self._inner.mls_decrypt_with_label(*args))
        except ProtocolError:
            return b""


class MockMlsEncryptFlipsCiphertext(_Wrapped):
    """EncryptWithLabel's ciphertext has a bit flipped: nobody can decrypt it."""

    def mls_encrypt_with_label(self, *args: Any) -> dict[str, bytes]:
        out = dict(self._inner.mls_encrypt_with_label(*args))
        out["ciphertext"] = bytes([out["ciphertext"][0] ^ 1]) + bytes(out["ciphertext"][1:])
        return out


class MockMlsNeverRefuses(_Wrapped):
    """``method`` answers ``fallback`` where it should refuse: the check it belongs to is
    not made (a tag, signature, length or membership check swallowed)."""

    def __init__(self, inner: Any, method: str, fallback: object) -> None:
        super().__init__(inner)
        self._method, self._fallback = method, fallback

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name != self._method:
            return attr

        def wrapped(*args: Any) -> Any:
            try:
                return attr(*args)
            except ProtocolError:
                return self._fallback

        return wrapped


class MockMlsReplayAccepted(_Wrapped):
    """A receiver that forgets which generations it used (RFC 9420 §9.2): each message of
    the blob is opened by a fresh state."""

    def mls_unprotect(self, *args: Any) -> Any:
        *head, messages = args
        out = None
        for message in split_blobs(messages):
            out = self._inner.mls_unprotect(*head, join_blobs([message]))
        return out


class MockMlsLastEpochWrong(_Wrapped):
    """The passive client's last epoch_authenticator has a bit flipped: it went wrong on the
    last commit (a psk_secret, a proposal order, a transcript hash)."""

    def mls_passive_client(self, *args: Any) -> bytes:
        out = bytes(self._inner.mls_passive_client(*args))
        return out[:-1] + bytes([out[-1] ^ 1])


def _caps(capability: str, wrap: Callable[[Any], Any] | None = None) -> Callable[[], Caps]:
    def caps() -> Caps:
        inner = _reference(capability)
        return {capability: inner if wrap is None else wrap(inner)}

    return caps


def _row(
    type_name: str,
    file: str,
    capability: str,
    wrap: Callable[[Any], Any],
    name: str,
    caught_by: str | None = None,
) -> KatBreak:
    return KatBreak(
        type_name, f"mls/{file}", _caps(capability), _caps(capability, wrap), caught_by, name
    )


_CB = "mls-crypto-basics"
_MP = "mls-message-protection"
_TV = "mls-tree-validation"
_TK = "mls-treekem"

MLS_BREAKS: list[KatBreak] = [
    _row(
        "MlsTreeMath",
        "tree_math_test.json",
        "mls-tree-math",
        lambda i: MockMlsFlippedField(i, "mls_tree_math", "sibling"),
        "MockMlsWrongSibling",
    ),
    _row(
        "MlsRefHash",
        "ref_hash_test.json",
        _CB,
        lambda i: MockFlippedOutput(i, "mls_ref_hash"),
        "MockMlsRefHashFlipped",
    ),
    _row(
        "MlsExpandWithLabel",
        "expand_with_label_test.json",
        _CB,
        lambda i: MockFlippedOutput(i, "mls_expand_with_label"),
        "MockMlsExpandFlipped",
    ),
    _row(
        "MlsDeriveSecret",
        "derive_secret_test.json",
        _CB,
        lambda i: MockFlippedOutput(i, "mls_derive_secret"),
        "MockMlsDeriveSecretFlipped",
    ),
    _row(
        "MlsDeriveTreeSecret",
        "derive_tree_secret_test.json",
        _CB,
        lambda i: MockFlippedOutput(i, "mls_derive_tree_secret"),
        "MockMlsDeriveTreeSecretFlipped",
    ),
    _row(
        "MlsSignWithLabel",
        "sign_with_label_test.json",
        _CB,
        MockMlsLenientVerifier,
        "MockMlsLenientVerifier",
        "ModifiedSignature",
    ),
    _row(
        "MlsSignWithLabel",
        "sign_with_label_test.json",
        _CB,
        lambda i: MockFlippedOutput(i, "mls_sign_with_label"),
        "MockMlsSignsBadly",
    ),
    _row(
        "MlsEncryptWithLabel",
        "encrypt_with_label_test.json",
        _CB,
        MockMlsDecryptNeverRefuses,
        "MockMlsDecryptNeverRefuses",
        "ModifiedCiphertext",
    ),
    _row(
        "MlsEncryptWithLabel",
        "encrypt_with_label_test.json",
        _CB,
        MockMlsEncryptFlipsCiphertext,
        "MockMlsEncryptFlipsCiphertext",
    ),
    _row(
        "MlsSenderData",
        "sender_data_test.json",
        "mls-secret-tree",
        lambda i: MockMlsFlippedField(i, "mls_sender_data_keys", "nonce"),
        "MockMlsSenderDataNonceFlipped",
    ),
    _row(
        "MlsLeafKeys",
        "leaf_keys_test.json",
        "mls-secret-tree",
        lambda i: MockMlsFlippedField(i, "mls_leaf_keys", "application_key"),
        "MockMlsLeafKeyFlipped",
    ),
    _row(
        "MlsKeySchedule",
        "key_schedule_test.json",
        "mls-key-schedule",
        lambda i: MockMlsFlippedField(i, "mls_key_schedule", "external_pub"),
        "MockMlsExternalPubFlipped",
    ),
    _row(
        "MlsPskSecret",
        "psk_secret_test.json",
        "mls-psk-secret",
        lambda i: MockFlippedOutput(i, "mls_psk_secret_step"),
        "MockMlsPskStepFlipped",
    ),
    _row(
        "MlsTranscriptHashes",
        "transcript_hashes_test.json",
        "mls-transcript-hashes",
        lambda i: MockMlsFlippedField(i, "mls_transcript_hashes", "interim_transcript_hash"),
        "MockMlsInterimHashFlipped",
    ),
    _row(
        "MlsDecodeEncode",
        "decode_encode_test.json",
        "mls-messages",
        lambda i: MockMlsNeverRefuses(i, "mls_decode_encode", b""),
        "MockMlsLenientDecoder",
        "TrailingData",
    ),
    _row(
        "MlsDecodeEncode",
        "decode_encode_test.json",
        "mls-messages",
        lambda i: MockFlippedOutput(i, "mls_decode_encode"),
        "MockMlsReencodesWrongly",
    ),
    _row(
        "MlsUnprotect",
        "unprotect_test.json",
        _MP,
        MockMlsReplayAccepted,
        "MockMlsReplayAccepted",
        "ReusedGeneration",
    ),
    _row(
        "MlsUnprotect",
        "unprotect_test.json",
        _MP,
        lambda i: MockMlsNeverRefuses(i, "mls_unprotect", {"content_type": 1, "content": b""}),
        "MockMlsUnprotectsAnything",
        "BadMembershipTag",
    ),
    _row(
        "MlsUnprotect",
        "unprotect_test.json",
        _MP,
        lambda i: MockMlsFlippedField(i, "mls_unprotect", "content"),
        "MockMlsContentFlipped",
    ),
    _row(
        "MlsProtect",
        "protect_test.json",
        _MP,
        lambda i: MockFlippedOutput(i, "mls_protect"),
        "MockMlsProtectsBadly",
    ),
    _row(
        "MlsWelcome",
        "welcome_test.json",
        "mls-welcome",
        lambda i: MockMlsNeverRefuses(
            i, "mls_process_welcome", {"group_context": b"", "epoch_authenticator": b""}
        ),
        "MockMlsWelcomeUnchecked",
        "GroupInfoSignedByOtherMember",
    ),
    _row(
        "MlsWelcome",
        "welcome_test.json",
        "mls-welcome",
        lambda i: MockMlsFlippedField(i, "mls_process_welcome", "epoch_authenticator"),
        "MockMlsEpochAuthenticatorFlipped",
    ),
    _row(
        "MlsTreeHash",
        "tree_hash_test.json",
        _TV,
        lambda i: MockFlippedOutput(i, "mls_tree_hash"),
        "MockMlsTreeHashFlipped",
    ),
    _row(
        "MlsResolution",
        "resolution_test.json",
        _TV,
        lambda i: MockFlippedOutput(i, "mls_resolution"),
        "MockMlsResolutionFlipped",
    ),
    _row(
        "MlsVerifyTree",
        "verify_tree_test.json",
        _TV,
        lambda i: MockMlsNeverRefuses(i, "mls_verify_tree", None),
        "MockMlsTreeUnverified",
        "ParentHashMismatch",
    ),
    _row(
        "MlsApplyProposal",
        "apply_proposal_test.json",
        "mls-tree-operations",
        lambda i: MockMlsFlippedField(i, "mls_apply_proposal", "tree_hash"),
        "MockMlsTreeHashAfterFlipped",
    ),
    _row(
        "MlsApplyProposal",
        "apply_proposal_test.json",
        "mls-tree-operations",
        lambda i: MockMlsNeverRefuses(i, "mls_apply_proposal", {"tree": b"", "tree_hash": b""}),
        "MockMlsRemovesAnything",
        "RemoveBlankLeaf",
    ),
    _row(
        "MlsTreeKemReceive",
        "treekem_receive_test.json",
        _TK,
        lambda i: MockMlsFlippedField(i, "mls_treekem_receive", "commit_secret"),
        "MockMlsCommitSecretFlipped",
    ),
    _row(
        "MlsTreeKemReceive",
        "treekem_receive_test.json",
        _TK,
        lambda i: MockMlsNeverRefuses(
            i,
            "mls_treekem_receive",
            {"path_secret": b"", "commit_secret": b"", "tree_hash_after": b""},
        ),
        "MockMlsPathUnchecked",
        "PathParentHashMismatch",
    ),
    _row(
        "MlsTreeKemSend",
        "treekem_send_test.json",
        _TK,
        lambda i: MockMlsFlippedField(i, "mls_treekem_send", "commit_secret"),
        "MockMlsSentCommitSecretFlipped",
    ),
    _row(
        "MlsPassiveClient",
        "passive_client_test.json",
        "mls-passive-client",
        MockMlsLastEpochWrong,
        "MockMlsLastEpochWrong",
    ),
    _row(
        "MlsPassiveClient",
        "passive_client_test.json",
        "mls-passive-client",
        lambda i: MockMlsNeverRefuses(i, "mls_passive_client", b""),
        "MockMlsPassiveClientNeverRefuses",
        "ReplayedCommit",
    ),
]


class MockMlsGroupExportsWrongly(MlsGroupReference):
    """MLS-Exporter over the label without its hash of the context (rfc9420's own mistake,
    §8.5): every exported value differs from the other member's."""

    def mls_export(self, member: bytes, label: bytes, context: bytes, length: int) -> bytes:
        return super().mls_export(member, label, b"", length)


class MockMlsGroupMisreadsApplication(MlsGroupReference):
    """Application data comes out with its last byte changed (a PrivateMessage content
    misread after decryption)."""

    def mls_process(self, member: bytes, message: bytes) -> Any:
        out = dict(super().mls_process(member, message))
        data = out["application_data"]
        assert isinstance(data, bytes)
        if data:
            out["application_data"] = data[:-1] + bytes([data[-1] ^ 1])
        return out


# --- broken variants of the MLS group safety properties (conformance/properties/mls.py) -------


def _private_epoch(message: bytes) -> int | None:
    """The epoch of an application PrivateMessage, None for any other message."""
    msg = wire.decode(wire.MlsMessage.read, message, "MLSMessage")
    body = msg.body
    if isinstance(body, wire.PrivateMessage) and body.content_type == wire.APPLICATION:
        return body.epoch
    return None


class MockMlsGroupKeepsOldEpochs(MlsGroupReference):
    """Keeps every past epoch's secrets forever (RFC 9420 §14, §16.6 want them deleted): an
    application message of an earlier epoch that its current state refuses is opened with the
    state it held in that epoch."""

    def mls_process(self, member: bytes, message: bytes) -> Any:
        try:
            return super().mls_process(member, message)
        except ProtocolError:
            epoch = _private_epoch(message)
            current = self._member(member)
            if epoch is None or epoch >= current.context.epoch:
                raise
            for handle, state in list(self._states.items()):
                if (
                    isinstance(state, Member)
                    and state.context.group_id == current.context.group_id
                    and state.context.epoch == epoch
                    and state.leaf_index == current.leaf_index
                ):
                    with contextlib.suppress(ProtocolError):
                        out = dict(super().mls_process(handle, message))
                        out["member"] = member
                        return out
            raise


class MockMlsGroupRereadsGenerations(MlsGroupReference):
    """Forgets which generations it consumed (§9.2): every state reads a message again."""

    def _member(self, member: bytes, random: bytes = b"") -> Member:
        out = super()._member(member, random)
        assert out.receiver is not None
        out.receiver._consumed = set()
        return out


class MockMlsGroupRemovesNobody(MlsGroupReference):
    """Its Remove commits leave the member in (an update instead, §12.1.3): the removed member
    follows the group into the next epoch."""

    def mls_remove(self, member: bytes, leaf_index: int, wire_format: int, random: bytes) -> Any:
        return self.mls_update(member, wire_format, random)


class MockMlsGroupMembershipTagUnchecked(MlsGroupReference):
    """Ignores a PublicMessage's membership tag (§6.2): it puts the right one in before it
    processes the message."""

    def mls_process(self, member: bytes, message: bytes) -> Any:
        with contextlib.suppress(ProtocolError):
            msg = wire.decode(wire.MlsMessage.read, message, "MLSMessage")
            body = msg.body
            if isinstance(body, wire.PublicMessage) and body.membership_tag is not None:
                m = self._member(member)
                tag = framing.membership_tag(
                    m.cs, m.secrets.membership_key, body.content, body.auth, m.context.encode()
                )
                message = wire.MlsMessage(replace(body, membership_tag=tag)).encode()
        return super().mls_process(member, message)


class MockMlsGroupPoisonedByRefusal(MlsGroupReference):
    """A refused message leaves its mark on the state it was offered to (§6: a message that
    fails its checks must change nothing): that state refuses everything after it."""

    def __init__(self) -> None:
        super().__init__()
        self._poisoned: set[bytes] = set()

    def mls_process(self, member: bytes, message: bytes) -> Any:
        if bytes(member) in self._poisoned:
            raise InvalidMessage("this state refused a message before")
        try:
            return super().mls_process(member, message)
        except ProtocolError:
            self._poisoned.add(bytes(member))
            raise


class MockMlsGroupConfirmationTagUnchecked(MlsGroupReference):
    """Takes a commit's confirmation tag as it comes (§12.4.2 wants it verified): the tag it
    computes is replaced by the one received while it processes a commit."""

    def mls_process(self, member: bytes, message: bytes) -> Any:
        tag = None
        with contextlib.suppress(ProtocolError):
            body = wire.decode(wire.MlsMessage.read, message, "MLSMessage").body
            if isinstance(body, wire.PublicMessage):
                tag = body.auth.confirmation_tag
        if tag is None:
            return super().mls_process(member, message)
        received = tag
        with mock.patch.object(group_module, "mac", return_value=received):
            return super().mls_process(member, message)


class MockMlsGroupNoSkippedKeys(MlsGroupReference):
    """Keeps no keys of skipped generations (an out-of-order window of 0, §9.2): once it read
    a generation of a sender, every earlier one is gone."""

    def mls_process(self, member: bytes, message: bytes) -> Any:
        out = super().mls_process(member, message)
        handle = out["member"]
        state = self._states.get(bytes(handle)) if handle else None
        if isinstance(state, Member) and state.receiver is not None:
            consumed = state.receiver._consumed
            for leaf, handshake, generation in list(consumed):
                consumed.update((leaf, handshake, g) for g in range(generation))
        return out


class MockMlsGroupUpdateWithoutPath(MlsGroupReference):
    """Its self-update is an empty commit without an UpdatePath (§12.4 wants a path in an
    empty commit): the next epoch's secrets come from the old epoch alone, so a copy of its
    state stolen before the update follows it (no post-compromise security, §16.6)."""

    def mls_update(self, member: bytes, wire_format: int, random: bytes) -> Any:
        m = self._member(member, random)
        done = commit(m, [], [], path=False, wire_format=wire_format, random=_stream(random))
        return self._committed(m, done)

    def _member(self, member: bytes, random: bytes = b"") -> Any:
        # It follows its own path-less updates (and a peer's), as its sending side breaks §12.4.
        m = super()._member(member, random)
        m.empty_commits_need_a_path = False
        return m


class MockMlsGroupParserCrashes(MlsGroupReference):
    """Its parser fails with a native exception, not a refusal, on a malformed MLSMessage (as
    ts-mls's decoder fails with a TypeError on an unknown enum value)."""

    def mls_process(self, member: bytes, message: bytes) -> Any:
        try:
            return super().mls_process(member, message)
        except InvalidMessage as exc:
            if str(exc).startswith("MLSMessage:"):
                raise TypeError("decoder is not a function") from None
            raise
