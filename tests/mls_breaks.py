"""Broken variants of the MLS check kinds (rows of the table in
tests/test_kat_kinds_catch_broken.py): wrappers around the suite's reference MLS objects (the
reference adapter's, in process) with one behaviour changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpers import MockFlippedOutput, real
from katbreak import Caps, KatBreak

from conformance.capabilities.mls_protocol import join_blobs, split_blobs
from conformance.errors import ProtocolError
from conformance.reference.mls.group_api import MlsGroupReference

__all__ = ["MLS_BREAKS", "MockMlsGroupExportsWrongly", "MockMlsGroupMisreadsApplication"]


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
        if data:
            out["application_data"] = data[:-1] + bytes([data[-1] ^ 1])
        return out
