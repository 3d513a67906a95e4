"""Vector types of the MLS family's protocol tier (RFC 9420 §6-§12): one per function of
:mod:`conformance.capabilities.mls_protocol`, covering the categories of the MLS working group's
test vectors (mlswg/mls-implementations, test-vectors.md) that exercise structures, message
protection, Welcome, the ratchet tree, TreeKEM and passive clients. Files in the working group's
own format become these types through :mod:`conformance.mlsvectors`.

Lists are *blobs* (:func:`conformance.capabilities.mls_protocol.join_blobs`): each item preceded
by its length as a uint32, big-endian; a field's description says what its items are."""

from __future__ import annotations

from ._base import Field, VectorType
from .mls import _SUITE, _hex, _int

__all__ = ["VECTOR_TYPES"]


def _t(
    name: str, schema: str, description: str, capability: str, *fields: Field, suite: bool = True
) -> VectorType:
    return VectorType(
        name=name,
        schema=schema,
        description=description,
        group_fields=_SUITE if suite else (),
        case_fields=fields,
        algorithms={"MLS": capability},
    )


#: The GroupContext fields of the two-member group of message protection (RFC 9420 §8.1).
_PROTECTION_GROUP = (
    _hex("groupId", "the group id"),
    _int("epoch", "the epoch"),
    _hex("treeHash", "the tree hash"),
    _hex("confirmedTranscriptHash", "the confirmed transcript hash"),
)
_PROTECTION_SECRETS = (
    _hex("encryptionSecret", "the epoch's encryption_secret (root of the secret tree, §9)"),
    _hex("senderDataSecret", "the epoch's sender_data_secret"),
    _hex("membershipKey", "the epoch's membership_key"),
)
#: The epoch of a TreeKEM case (its tree hash is the provisional tree's, §12.4.2).
_TREEKEM_GROUP = (
    _hex("groupId", "the group id"),
    _int("epoch", "the epoch"),
    _hex("confirmedTranscriptHash", "the confirmed transcript hash"),
    _hex("tree", "the ratchet tree before the path: a serialised optional<Node> ratchet_tree<V>"),
)
_TREE = _hex("tree", "a serialised optional<Node> ratchet_tree<V> (RFC 9420 §12.4.3.3)")


VECTOR_TYPES: tuple[VectorType, ...] = (
    _t(
        "MlsDecodeEncode",
        "mls_decode_encode_schema.json",
        "TLS presentation-language decoding and encoding (RFC 9420 §2.1): data decoded as the "
        "named structure and encoded again must be data itself; in an invalid case data must be "
        "refused.",
        "mls-messages",
        Field(
            "structure",
            "str",
            "the structure's name, one of conformance.capabilities.mls_protocol.STRUCTURES "
            "(MLSMessage, RatchetTree, GroupSecrets, Add, Update, Remove, PreSharedKey, ReInit, "
            "ExternalInit, GroupContextExtensions, Proposal, Commit, UpdatePath, LeafNode, "
            "KeyPackage, GroupInfo, Welcome); a proposal's body is without its ProposalType",
        ),
        _hex("data", "the serialised structure"),
        suite=False,
    ),
    _t(
        "MlsUnprotect",
        "mls_unprotect_schema.json",
        "Receiving PublicMessages and PrivateMessages (RFC 9420 §6.2, §6.3) as leaf 0 of a "
        "two-member group whose sender is leaf 1: the messages, received in order with one "
        "state, must verify and the last must carry contentType and content; in an invalid case "
        "they must be refused.",
        "mls-message-protection",
        *_PROTECTION_GROUP,
        _hex("signaturePub", "the sender's (leaf 1's) signature public key"),
        *_PROTECTION_SECRETS,
        _hex("messages", "a blob of MLSMessages (each preceded by its length as a uint32)"),
        _int("contentType", "the expected ContentType (1 application, 2 proposal, 3 commit)"),
        _hex(
            "content",
            "the expected content: a serialised Proposal or Commit, or the application data",
        ),
    ),
    _t(
        "MlsProtect",
        "mls_protect_schema.json",
        "Sending a PublicMessage or PrivateMessage (RFC 9420 §6.2, §6.3) as leaf 1 of a "
        "two-member group: what the implementation makes (its generation, reuse guard and "
        "confirmation tag its own) is judged by the suite's reference, whose mls_unprotect as "
        "leaf 0 must return contentType and content; in an invalid case (application content "
        "as a PublicMessage, §6.2) the implementation must refuse.",
        "mls-message-protection",
        *_PROTECTION_GROUP,
        _hex("signaturePriv", "the sender's (leaf 1's) signature private key"),
        _hex("signaturePub", "the sender's signature public key, for the judge"),
        *_PROTECTION_SECRETS,
        _int("wireFormat", "the WireFormat to send (1 mls_public_message, 2 mls_private_message)"),
        _int("contentType", "the ContentType (1 application, 2 proposal, 3 commit)"),
        _hex("content", "a serialised Proposal or Commit, or the application data"),
    ),
    _t(
        "MlsWelcome",
        "mls_welcome_schema.json",
        "Joining by a Welcome (RFC 9420 §12.4.3.1): with initPriv, the Welcome's group secrets "
        "and GroupInfo must open and verify under signerPub, and give the expected GroupContext "
        "and epoch_authenticator (§8.7) where the case has them (the working group's "
        "welcome.json has neither: then success, and a GroupContext of this version and cipher "
        "suite, is what is checked); in an invalid case the Welcome must be refused.",
        "mls-welcome",
        _hex("initPriv", "the HPKE private key of the key package's init_key"),
        _hex("keyPackage", "the joiner's KeyPackage, as an MLSMessage"),
        _hex("signerPub", "the signature public key of the GroupInfo's signer"),
        _hex("welcome", "the Welcome, as an MLSMessage"),
        _hex("groupContext", "the expected serialised GroupContext, or empty: not given"),
        _hex("epochAuthenticator", "the expected epoch_authenticator, or empty: not given"),
    ),
    _t(
        "MlsTreeHash",
        "mls_tree_hash_schema.json",
        "The tree hash of the subtree rooted at a node of a ratchet tree (RFC 9420 §7.8).",
        "mls-tree-validation",
        _TREE,
        _int("node", "the node index (RFC 9420 Appendix C)"),
        _hex("treeHash", "the expected tree hash"),
    ),
    _t(
        "MlsResolution",
        "mls_resolution_schema.json",
        "The resolution of a node of a ratchet tree (RFC 9420 §4.1.1).",
        "mls-tree-validation",
        _TREE,
        _int("node", "the node index (RFC 9420 Appendix C)"),
        _hex("resolution", "the expected node indices in order, each a uint32 (big-endian)"),
    ),
    _t(
        "MlsVerifyTree",
        "mls_verify_tree_schema.json",
        "A ratchet tree's validity: parent hashes (RFC 9420 §7.9.2) and leaf node signatures "
        "(§7.3); a valid case's tree must be accepted, an invalid case's refused.",
        "mls-tree-validation",
        _hex("groupId", "the group id, signed by leaf nodes of source update or commit"),
        _TREE,
    ),
    _t(
        "MlsApplyProposal",
        "mls_apply_proposal_schema.json",
        "Applying an Add, Update or Remove proposal to a ratchet tree (RFC 9420 §12.1.1-"
        "§12.1.3), truncating it after (§7.7): the tree after and its tree hash must be the "
        "expected ones; in an invalid case the proposal must be refused.",
        "mls-tree-operations",
        _TREE,
        _hex("proposal", "a serialised Proposal, its ProposalType included"),
        _int("sender", "the proposal's sender, a leaf index"),
        _hex("treeAfter", "the expected serialised tree after the proposal"),
        _hex("treeHashAfter", "the expected tree hash of its root"),
    ),
    _t(
        "MlsTreeKemReceive",
        "mls_treekem_receive_schema.json",
        "Processing an UpdatePath (RFC 9420 §7.5, §7.6, §12.4.2) as one receiving leaf: the "
        "path secret it decrypts, the commit secret and the provisional tree's hash must be "
        "the expected ones; in an invalid case the path must be refused.",
        "mls-treekem",
        *_TREEKEM_GROUP,
        _int("receiver", "the receiving leaf's index"),
        _hex("encryptionPriv", "the receiving leaf's HPKE private key"),
        _hex(
            "pathSecrets",
            "the path secrets the receiver holds: a blob of items uint32 node || path_secret",
        ),
        _int("sender", "the sending leaf's index"),
        _hex("updatePath", "the serialised UpdatePath"),
        _hex("pathSecret", "the expected path secret the receiver decrypts"),
        _hex("commitSecret", "the expected commit secret"),
        _hex("treeHashAfter", "the expected tree hash after the path is merged"),
    ),
    _t(
        "MlsTreeKemSend",
        "mls_treekem_send_schema.json",
        "Making an UpdatePath (RFC 9420 §7.4-§7.6, §7.9) from a leaf whose first path secret is "
        "leafSecret: the suite's reference receives it as every leaf of leavesPrivate and must "
        "find the implementation's commit secret and provisional tree hash, every path secret "
        "it decrypts and the commit secret must lie on the chain leafSecret, "
        'DeriveSecret(leafSecret, "path"), ... (§7.4); in an invalid case the implementation '
        "must refuse.",
        "mls-treekem",
        *_TREEKEM_GROUP,
        _int("sender", "the sending leaf's index"),
        _hex("signaturePriv", "the sending leaf's signature private key"),
        _hex("leafSecret", "path_secret[0] (RFC 9420 §7.4)"),
        _hex(
            "leavesPrivate",
            "every other member's private state, for the judge: a blob with one item per leaf, "
            "each item itself a blob of three items: the leaf index as a uint32, the leaf's "
            "HPKE private key, and the path secrets it holds (a blob of items uint32 node || "
            "path_secret, as mls_treekem_receive takes them)",
        ),
    ),
    _t(
        "MlsPassiveClient",
        "mls_passive_client_schema.json",
        "A member that joins by a Welcome and follows the group without sending (RFC 9420 "
        "§12.4.3.1, §12.1, §12.4.2; test-vectors.md Passive Client): the epoch_authenticator "
        "(§8.7) of the epoch joined and of each epoch after it must be the expected ones; in an "
        "invalid case the implementation must refuse.",
        "mls-passive-client",
        _hex("keyPackage", "the joiner's KeyPackage, as an MLSMessage"),
        _hex("signaturePriv", "the joiner's signature private key"),
        _hex("encryptionPriv", "the HPKE private key of the joiner's leaf"),
        _hex("initPriv", "the HPKE private key of the key package's init_key"),
        _hex("welcome", "the Welcome, as an MLSMessage"),
        _hex("ratchetTree", "the serialised ratchet tree, or empty: the GroupInfo carries it"),
        _hex("externalPsks", "a blob alternating psk_id and psk"),
        _hex(
            "epochs",
            "a blob with one item per epoch after the one joined, each a blob of MLSMessages: "
            "its proposals, then its commit",
        ),
        _hex(
            "epochAuthenticators",
            "the expected epoch_authenticators, a blob: the epoch joined's, then one per item "
            "of epochs",
        ),
    ),
)
