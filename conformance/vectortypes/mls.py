"""Vector types of the MLS family (RFC 9420): one per function the MLS working group's test
vectors exercise (mlswg/mls-implementations, test-vectors.md), in the suite's format. Files in
the working group's own format become these types through :mod:`conformance.mlsvectors`."""

from __future__ import annotations

from ._base import Field, VectorType

__all__ = ["VECTOR_TYPES"]

_SUITE = (Field("cipherSuite", "int", "the RFC 9420 §17.1 cipher suite code point"),)


def _t(name: str, schema: str, description: str, capability: str, *fields: Field) -> VectorType:
    return VectorType(
        name=name,
        schema=schema,
        description=description,
        group_fields=() if capability == "mls-tree-math" else _SUITE,
        case_fields=fields,
        algorithms={"MLS": capability},
    )


def _hex(name: str, what: str) -> Field:
    return Field(name, "hex", what)


def _int(name: str, what: str) -> Field:
    return Field(name, "int", what)


VECTOR_TYPES: tuple[VectorType, ...] = (
    _t(
        "MlsTreeMath",
        "mls_tree_math_schema.json",
        "Array-based tree math (RFC 9420 Appendix C) for one node of a tree of nLeaves leaves: "
        "the tree's node count and root, the node's children, parent and sibling (-1: none).",
        "mls-tree-math",
        _int("nLeaves", "leaves in the tree"),
        _int("node", "the node index"),
        _int("nNodes", "nodes in the tree"),
        _int("root", "the root's index"),
        _int("left", "the node's left child, or -1"),
        _int("right", "the node's right child, or -1"),
        _int("parent", "the node's parent, or -1"),
        _int("sibling", "the node's sibling, or -1"),
    ),
    _t(
        "MlsRefHash",
        "mls_ref_hash_schema.json",
        "RefHash(label, value) (RFC 9420 §5.2).",
        "mls-crypto-basics",
        _hex("label", "the label, without 'MLS 1.0 '"),
        _hex("value", "the value"),
        _hex("out", "the expected hash"),
    ),
    _t(
        "MlsExpandWithLabel",
        "mls_expand_with_label_schema.json",
        "ExpandWithLabel(secret, label, context, length) (RFC 9420 §8).",
        "mls-crypto-basics",
        _hex("secret", "the secret"),
        _hex("label", "the label, without 'MLS 1.0 '"),
        _hex("context", "the context"),
        _int("length", "the output length"),
        _hex("out", "the expected output"),
    ),
    _t(
        "MlsDeriveSecret",
        "mls_derive_secret_schema.json",
        "DeriveSecret(secret, label) (RFC 9420 §8).",
        "mls-crypto-basics",
        _hex("secret", "the secret"),
        _hex("label", "the label, without 'MLS 1.0 '"),
        _hex("out", "the expected output"),
    ),
    _t(
        "MlsDeriveTreeSecret",
        "mls_derive_tree_secret_schema.json",
        "DeriveTreeSecret(secret, label, generation, length) (RFC 9420 §9).",
        "mls-crypto-basics",
        _hex("secret", "the secret"),
        _hex("label", "the label, without 'MLS 1.0 '"),
        _int("generation", "the generation"),
        _int("length", "the output length"),
        _hex("out", "the expected output"),
    ),
    _t(
        "MlsSignWithLabel",
        "mls_sign_with_label_schema.json",
        "SignWithLabel / VerifyWithLabel (RFC 9420 §5.1.2): signature must verify under pub "
        "(or, in an invalid case, be refused), and a signature the implementation makes with "
        "priv must verify under the suite's reference.",
        "mls-crypto-basics",
        _hex("priv", "the signature private key"),
        _hex("pub", "the signature public key"),
        _hex("content", "the content"),
        _hex("label", "the label, without 'MLS 1.0 '"),
        _hex("signature", "a signature to verify"),
    ),
    _t(
        "MlsEncryptWithLabel",
        "mls_encrypt_with_label_schema.json",
        "EncryptWithLabel / DecryptWithLabel (RFC 9420 §5.1.3): kemOutput and ciphertext must "
        "decrypt to plaintext with priv (or, in an invalid case, be refused), and what the "
        "implementation encrypts to pub must decrypt under the suite's reference.",
        "mls-crypto-basics",
        _hex("priv", "the HPKE private key"),
        _hex("pub", "the HPKE public key"),
        _hex("label", "the label, without 'MLS 1.0 '"),
        _hex("context", "the context"),
        _hex("plaintext", "the plaintext"),
        _hex("kemOutput", "the HPKE encapsulation"),
        _hex("ciphertext", "the HPKE ciphertext"),
    ),
    _t(
        "MlsSenderData",
        "mls_sender_data_schema.json",
        "The sender-data key and nonce of a PrivateMessage ciphertext (RFC 9420 §6.3.2).",
        "mls-secret-tree",
        _hex("senderDataSecret", "the epoch's sender_data_secret"),
        _hex("ciphertext", "the PrivateMessage ciphertext (its first KDF.Nh bytes are sampled)"),
        _hex("key", "the expected sender_data_key"),
        _hex("nonce", "the expected sender_data_nonce"),
    ),
    _t(
        "MlsLeafKeys",
        "mls_leaf_keys_schema.json",
        "The handshake and application keys and nonces of a leaf at a generation, from the "
        "secret tree (RFC 9420 §9).",
        "mls-secret-tree",
        _hex("encryptionSecret", "the epoch's encryption_secret"),
        _int("nLeaves", "leaves in the tree"),
        _int("leaf", "the leaf index"),
        _int("generation", "the generation"),
        _hex("handshakeKey", "the expected handshake key"),
        _hex("handshakeNonce", "the expected handshake nonce"),
        _hex("applicationKey", "the expected application key"),
        _hex("applicationNonce", "the expected application nonce"),
    ),
    _t(
        "MlsKeySchedule",
        "mls_key_schedule_schema.json",
        "One epoch of the key schedule (RFC 9420 §8): its GroupContext from groupId, epoch, "
        "treeHash and confirmedTranscriptHash (no extensions), every secret from initSecret, "
        "commitSecret and pskSecret, the external public key (§8.3) and one exporter value "
        "(§8.5).",
        "mls-key-schedule",
        _hex("groupId", "the group id"),
        _int("epoch", "the epoch"),
        _hex("treeHash", "the tree hash"),
        _hex("confirmedTranscriptHash", "the confirmed transcript hash"),
        _hex("initSecret", "the previous epoch's init_secret"),
        _hex("commitSecret", "the commit secret"),
        _hex("pskSecret", "the psk secret"),
        _hex("groupContext", "the expected serialised GroupContext"),
        _hex("joinerSecret", "expected"),
        _hex("welcomeSecret", "expected"),
        _hex("nextInitSecret", "expected: this epoch's init_secret"),
        _hex("senderDataSecret", "expected"),
        _hex("encryptionSecret", "expected"),
        _hex("exporterSecret", "expected"),
        _hex("epochAuthenticator", "expected"),
        _hex("externalSecret", "expected"),
        _hex("confirmationKey", "expected"),
        _hex("membershipKey", "expected"),
        _hex("resumptionPsk", "expected"),
        _hex("externalPub", "expected: the serialised external HPKE public key"),
        _hex("exporterLabel", "an exporter label"),
        _hex("exporterContext", "an exporter context"),
        _int("exporterLength", "an exporter length"),
        _hex("exported", "the expected exporter output"),
    ),
    _t(
        "MlsPskSecret",
        "mls_psk_secret_schema.json",
        "psk_secret from external PSKs (RFC 9420 §8.4): psks is the list of (psk_id, psk, "
        "psk_nonce), each an MLS variable-length opaque (§2.1.2), concatenated.",
        "mls-psk-secret",
        _hex("psks", "(psk_id, psk, psk_nonce) triples, each value varint-length-prefixed"),
        _hex("pskSecret", "the expected psk_secret"),
    ),
    _t(
        "MlsTranscriptHashes",
        "mls_transcript_hashes_schema.json",
        "Transcript hashes after a commit (RFC 9420 §8.2): the confirmation tag inside "
        "authenticatedContent must verify under confirmationKey (an invalid case must be "
        "refused), and both hashes must be the expected ones.",
        "mls-transcript-hashes",
        _hex("confirmationKey", "the confirmation key"),
        _hex("authenticatedContent", "a serialised AuthenticatedContent carrying a Commit"),
        _hex("interimTranscriptHashBefore", "the interim transcript hash before"),
        _hex("confirmedTranscriptHashAfter", "the expected confirmed transcript hash"),
        _hex("interimTranscriptHashAfter", "the expected interim transcript hash"),
    ),
)
