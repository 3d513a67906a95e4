"""MLS (RFC 9420), family ``mls``: the functions the MLS working group's test vectors exercise
(mlswg/mls-implementations, test-vectors.md), one capability per vector category.

Every operation that depends on a cipher suite takes its IANA code point ``cipher_suite``
(RFC 9420 §17.1: 1 MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, 2 ..._DHKEMP256_..._P256,
3 ..._DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519, 4 MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448,
5 ..._DHKEMP521_..._P521, 6 ..._DHKEMX448_CHACHA20POLY1305_SHA512_Ed448,
7 MLS_256_DHKEMP384_AES256GCM_SHA384_P384); a suite an implementation does not offer is
refused with ``Unsupported``. Labels are given without the "MLS 1.0 " prefix, which the
implementation adds where RFC 9420 does (ExpandWithLabel §8, SignWithLabel §5.1.2,
EncryptWithLabel §5.1.3); RefHash (§5.2) uses its label as given. Keys are in the serialisation RFC 9180 and
RFC 9420 §5.1.1 use (raw X25519/X448/Ed25519/Ed448 keys, SEC1 uncompressed points and
big-endian scalars for the NIST curves).
"""

from __future__ import annotations

from typing import Protocol, TypedDict, runtime_checkable

__all__ = [
    "MlsCryptoBasics",
    "MlsEncrypted",
    "MlsEpoch",
    "MlsKeySchedule",
    "MlsLeafKeys",
    "MlsPskSecret",
    "MlsSecretTree",
    "MlsSenderDataKeys",
    "MlsTranscriptHashes",
    "MlsTranscripts",
    "MlsTreeMath",
    "MlsTreeNode",
]

FAMILY = "mls"


class MlsTreeNode(TypedDict):
    """RFC 9420 Appendix C for a tree of ``n_leaves`` leaves, at one node index; -1 where the
    relation does not exist (the root has no parent or sibling, a leaf no children)."""

    n_nodes: int
    root: int
    left: int
    right: int
    parent: int
    sibling: int


@runtime_checkable
class MlsTreeMath(Protocol):
    """Array-based tree math (RFC 9420 §4.2, Appendix C; test-vectors.md "Tree Math")."""

    def mls_tree_math(self, n_leaves: int, node: int) -> MlsTreeNode:
        """The tree's size and root, and the node's left and right children, parent and
        sibling."""
        ...


class MlsEncrypted(TypedDict):
    kem_output: bytes
    ciphertext: bytes


@runtime_checkable
class MlsCryptoBasics(Protocol):
    """The cipher suite's building blocks (RFC 9420 §5; test-vectors.md "Crypto Basics").
    Refusals: a signature that does not verify is InvalidSignature; a ciphertext that does not
    open is AuthenticationFailed; a malformed key is InvalidKey."""

    def mls_ref_hash(self, cipher_suite: int, label: bytes, value: bytes) -> bytes:
        """RefHash(label, value) = Hash(RefHashInput) (§5.2)."""
        ...

    def mls_expand_with_label(
        self, cipher_suite: int, secret: bytes, label: bytes, context: bytes, length: int
    ) -> bytes:
        """ExpandWithLabel (§8)."""
        ...

    def mls_derive_secret(self, cipher_suite: int, secret: bytes, label: bytes) -> bytes:
        """DeriveSecret(secret, label) = ExpandWithLabel(secret, label, "", Nh) (§8)."""
        ...

    def mls_derive_tree_secret(
        self, cipher_suite: int, secret: bytes, label: bytes, generation: int, length: int
    ) -> bytes:
        """DeriveTreeSecret (§9): ExpandWithLabel(secret, label, uint32(generation), length)."""
        ...

    def mls_sign_with_label(
        self, cipher_suite: int, private_key: bytes, label: bytes, content: bytes
    ) -> bytes:
        """SignWithLabel (§5.1.2); ECDSA suites may draw their nonce (the check verifies the
        signature instead of comparing it)."""
        ...

    def mls_verify_with_label(
        self,
        cipher_suite: int,
        public_key: bytes,
        label: bytes,
        content: bytes,
        signature: bytes,
    ) -> None:
        """VerifyWithLabel (§5.1.2): return when the signature verifies, else refuse."""
        ...

    def mls_encrypt_with_label(
        self,
        cipher_suite: int,
        public_key: bytes,
        label: bytes,
        context: bytes,
        plaintext: bytes,
    ) -> MlsEncrypted:
        """EncryptWithLabel (§5.1.3): HPKE SealBase with info EncryptContext; its ephemeral
        key is the implementation's own draw."""
        ...

    def mls_decrypt_with_label(
        self,
        cipher_suite: int,
        private_key: bytes,
        label: bytes,
        context: bytes,
        kem_output: bytes,
        ciphertext: bytes,
    ) -> bytes:
        """DecryptWithLabel (§5.1.3)."""
        ...


class MlsSenderDataKeys(TypedDict):
    key: bytes
    nonce: bytes


class MlsLeafKeys(TypedDict):
    handshake_key: bytes
    handshake_nonce: bytes
    application_key: bytes
    application_nonce: bytes


@runtime_checkable
class MlsSecretTree(Protocol):
    """The secret tree (RFC 9420 §9, §6.3.2; test-vectors.md "Secret Tree")."""

    def mls_sender_data_keys(
        self, cipher_suite: int, sender_data_secret: bytes, ciphertext: bytes
    ) -> MlsSenderDataKeys:
        """sender_data_key and sender_data_nonce for a PrivateMessage ``ciphertext``
        (§6.3.2: the sample is its first KDF.Nh bytes)."""
        ...

    def mls_leaf_keys(
        self,
        cipher_suite: int,
        encryption_secret: bytes,
        n_leaves: int,
        leaf: int,
        generation: int,
    ) -> MlsLeafKeys:
        """The handshake and application ratchets' key and nonce of ``leaf`` at
        ``generation`` (§9.1)."""
        ...


class MlsEpoch(TypedDict):
    """The secrets of one epoch (RFC 9420 §8, Table 4) and its external public key (§8.3)."""

    joiner_secret: bytes
    welcome_secret: bytes
    init_secret: bytes
    sender_data_secret: bytes
    encryption_secret: bytes
    exporter_secret: bytes
    epoch_authenticator: bytes
    external_secret: bytes
    confirmation_key: bytes
    membership_key: bytes
    resumption_psk: bytes
    external_pub: bytes


@runtime_checkable
class MlsKeySchedule(Protocol):
    """The key schedule (RFC 9420 §8; test-vectors.md "Key Schedule")."""

    def mls_group_context(
        self,
        cipher_suite: int,
        group_id: bytes,
        epoch: int,
        tree_hash: bytes,
        confirmed_transcript_hash: bytes,
        extensions: bytes,
    ) -> bytes:
        """The serialised GroupContext (§8.1), version mls10; ``extensions`` is the
        serialised extension vector, its variable-length prefix included (``00`` when
        empty)."""
        ...

    def mls_key_schedule(
        self,
        cipher_suite: int,
        init_secret: bytes,
        commit_secret: bytes,
        psk_secret: bytes,
        group_context: bytes,
    ) -> MlsEpoch:
        """One epoch from the previous init_secret (§8, Figure 22)."""
        ...

    def mls_export(
        self, cipher_suite: int, exporter_secret: bytes, label: bytes, context: bytes, length: int
    ) -> bytes:
        """MLS-Exporter(label, context, length) (§8.5)."""
        ...


@runtime_checkable
class MlsPskSecret(Protocol):
    """psk_secret from external PSKs (RFC 9420 §8.4; test-vectors.md "Pre-Shared Keys"), one
    step at a time: the secret of PSKs 0..index from that of 0..index-1 (32 zero bytes, KDF.Nh
    of them, before the first)."""

    def mls_psk_secret_step(
        self,
        cipher_suite: int,
        previous: bytes,
        psk_id: bytes,
        psk: bytes,
        psk_nonce: bytes,
        index: int,
        count: int,
    ) -> bytes:
        """psk_secret_[index] (§8.4) for an external PSK (psktype 1)."""
        ...


class MlsTranscripts(TypedDict):
    confirmed_transcript_hash: bytes
    interim_transcript_hash: bytes


@runtime_checkable
class MlsTranscriptHashes(Protocol):
    """Transcript hashes (RFC 9420 §8.2; test-vectors.md "Transcript Hashes")."""

    def mls_transcript_hashes(
        self,
        cipher_suite: int,
        confirmation_key: bytes,
        authenticated_content: bytes,
        interim_transcript_hash_before: bytes,
    ) -> MlsTranscripts:
        """The confirmed and interim transcript hashes after the commit in
        ``authenticated_content`` (a serialised AuthenticatedContent whose confirmation tag
        must verify under ``confirmation_key``: else refuse with AuthenticationFailed)."""
        ...


CAPABILITIES: dict[str, type] = {
    "mls-tree-math": MlsTreeMath,
    "mls-crypto-basics": MlsCryptoBasics,
    "mls-secret-tree": MlsSecretTree,
    "mls-key-schedule": MlsKeySchedule,
    "mls-psk-secret": MlsPskSecret,
    "mls-transcript-hashes": MlsTranscriptHashes,
}
COMPOSITES: dict[str, tuple[str, ...]] = {}
