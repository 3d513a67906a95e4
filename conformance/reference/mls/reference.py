"""``MlsReference``: the six capability interfaces of :mod:`conformance.capabilities.mls` over
the modules of this package (RFC 9420 §4-§9)."""

from __future__ import annotations

from ...capabilities.mls import (
    MlsEncrypted,
    MlsEpoch,
    MlsLeafKeys,
    MlsSenderDataKeys,
    MlsTranscripts,
    MlsTreeNode,
)
from ...errors import InvalidInput, Unsupported
from . import crypto, key_schedule, secret_tree, transcript, treemath
from . import psk as psk_mod
from .ciphersuites import suite
from .crypto import Hpke, Signatures

__all__ = ["MlsReference"]


def _or_none(x: int | None) -> int:
    return -1 if x is None else x


class MlsReference:
    """The MLS crypto tier for cipher suites 1-7 (RFC 9420 §17.1). ``hpke`` serves
    EncryptWithLabel / DecryptWithLabel and the external key pair; without it those refuse
    with Unsupported."""

    def __init__(self, signatures: Signatures, hpke: Hpke | None) -> None:
        self._sig = signatures
        self._hpke = hpke

    def _need_hpke(self) -> Hpke:
        if self._hpke is None:
            raise Unsupported("no HPKE implementation was given to the MLS reference")
        return self._hpke

    # --- mls-tree-math -------------------------------------------------------------------

    def mls_tree_math(self, n_leaves: int, node: int) -> MlsTreeNode:
        """Appendix C for a full tree (a power of two leaves, else InvalidInput); a node
        outside the tree (not in 0 .. 2 n_leaves - 2) is InvalidInput."""
        n_nodes = treemath.node_width(n_leaves)
        if not 0 <= node < n_nodes:
            raise InvalidInput(f"node {node} is outside a tree of {n_leaves} leaves")
        return MlsTreeNode(
            n_nodes=n_nodes,
            root=treemath.root(n_leaves),
            left=_or_none(treemath.left(node)),
            right=_or_none(treemath.right(node)),
            parent=_or_none(treemath.parent(node, n_leaves)),
            sibling=_or_none(treemath.sibling(node, n_leaves)),
        )

    # --- mls-crypto-basics ---------------------------------------------------------------

    def mls_ref_hash(self, cipher_suite: int, label: bytes, value: bytes) -> bytes:
        """RefHash (§5.2) with ``label`` used as given, as the working group's vectors do."""
        return crypto.ref_hash(suite(cipher_suite), label, value)

    def mls_expand_with_label(
        self, cipher_suite: int, secret: bytes, label: bytes, context: bytes, length: int
    ) -> bytes:
        return crypto.expand_with_label(suite(cipher_suite), secret, label, context, length)

    def mls_derive_secret(self, cipher_suite: int, secret: bytes, label: bytes) -> bytes:
        return crypto.derive_secret(suite(cipher_suite), secret, label)

    def mls_derive_tree_secret(
        self, cipher_suite: int, secret: bytes, label: bytes, generation: int, length: int
    ) -> bytes:
        return crypto.derive_tree_secret(suite(cipher_suite), secret, label, generation, length)

    def mls_sign_with_label(
        self, cipher_suite: int, private_key: bytes, label: bytes, content: bytes
    ) -> bytes:
        return crypto.sign_with_label(suite(cipher_suite), self._sig, private_key, label, content)

    def mls_verify_with_label(
        self,
        cipher_suite: int,
        public_key: bytes,
        label: bytes,
        content: bytes,
        signature: bytes,
    ) -> None:
        crypto.verify_with_label(
            suite(cipher_suite), self._sig, public_key, label, content, signature
        )

    def mls_encrypt_with_label(
        self,
        cipher_suite: int,
        public_key: bytes,
        label: bytes,
        context: bytes,
        plaintext: bytes,
    ) -> MlsEncrypted:
        cs = suite(cipher_suite)
        kem_output, ciphertext = crypto.encrypt_with_label(
            cs, self._need_hpke(), public_key, label, context, plaintext
        )
        return MlsEncrypted(kem_output=kem_output, ciphertext=ciphertext)

    def mls_decrypt_with_label(
        self,
        cipher_suite: int,
        private_key: bytes,
        label: bytes,
        context: bytes,
        kem_output: bytes,
        ciphertext: bytes,
    ) -> bytes:
        cs = suite(cipher_suite)
        return crypto.decrypt_with_label(
            cs, self._need_hpke(), private_key, label, context, kem_output, ciphertext
        )

    # --- mls-secret-tree -----------------------------------------------------------------

    def mls_sender_data_keys(
        self, cipher_suite: int, sender_data_secret: bytes, ciphertext: bytes
    ) -> MlsSenderDataKeys:
        key, nonce = secret_tree.sender_data_keys(
            suite(cipher_suite), sender_data_secret, ciphertext
        )
        return MlsSenderDataKeys(key=key, nonce=nonce)

    def mls_leaf_keys(
        self,
        cipher_suite: int,
        encryption_secret: bytes,
        n_leaves: int,
        leaf: int,
        generation: int,
    ) -> MlsLeafKeys:
        (hk, hn), (ak, an) = secret_tree.leaf_keys(
            suite(cipher_suite), encryption_secret, n_leaves, leaf, generation
        )
        return MlsLeafKeys(
            handshake_key=hk, handshake_nonce=hn, application_key=ak, application_nonce=an
        )

    # --- mls-key-schedule ----------------------------------------------------------------

    def mls_group_context(
        self,
        cipher_suite: int,
        group_id: bytes,
        epoch: int,
        tree_hash: bytes,
        confirmed_transcript_hash: bytes,
        extensions: bytes,
    ) -> bytes:
        return key_schedule.group_context(
            suite(cipher_suite), group_id, epoch, tree_hash, confirmed_transcript_hash, extensions
        )

    def mls_key_schedule(
        self,
        cipher_suite: int,
        init_secret: bytes,
        commit_secret: bytes,
        psk_secret: bytes,
        group_context: bytes,
    ) -> MlsEpoch:
        """external_pub is the serialised public key of KEM.DeriveKeyPair(external_secret)
        (§8.3), without a length prefix."""
        cs = suite(cipher_suite)
        s = key_schedule.epoch_secrets(cs, init_secret, commit_secret, psk_secret, group_context)
        _, external_pub = key_schedule.external_key_pair(cs, self._need_hpke(), s.external_secret)
        return MlsEpoch(
            joiner_secret=s.joiner_secret,
            welcome_secret=s.welcome_secret,
            init_secret=s.init_secret,
            sender_data_secret=s.sender_data_secret,
            encryption_secret=s.encryption_secret,
            exporter_secret=s.exporter_secret,
            epoch_authenticator=s.epoch_authenticator,
            external_secret=s.external_secret,
            confirmation_key=s.confirmation_key,
            membership_key=s.membership_key,
            resumption_psk=s.resumption_psk,
            external_pub=external_pub,
        )

    def mls_export(
        self, cipher_suite: int, exporter_secret: bytes, label: bytes, context: bytes, length: int
    ) -> bytes:
        return key_schedule.export(suite(cipher_suite), exporter_secret, label, context, length)

    # --- mls-psk-secret ------------------------------------------------------------------

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
        return psk_mod.psk_secret_step(
            suite(cipher_suite), previous, psk_id, psk, psk_nonce, index, count
        )

    # --- mls-transcript-hashes -----------------------------------------------------------

    def mls_transcript_hashes(
        self,
        cipher_suite: int,
        confirmation_key: bytes,
        authenticated_content: bytes,
        interim_transcript_hash_before: bytes,
    ) -> MlsTranscripts:
        confirmed, interim = transcript.transcript_hashes(
            suite(cipher_suite),
            confirmation_key,
            authenticated_content,
            interim_transcript_hash_before,
        )
        return MlsTranscripts(confirmed_transcript_hash=confirmed, interim_transcript_hash=interim)
