"""MLS (RFC 9420), family ``mls``, protocol tier: the structures and the message, tree and
Welcome processing the MLS working group's test vectors exercise (mlswg/mls-implementations,
test-vectors.md: Messages, Message Protection, Welcome, Tree Validation, Tree Operations,
TreeKEM, Passive Client), one capability per category.

Conventions are those of :mod:`conformance.capabilities.mls`: ``cipher_suite`` is the IANA
code point (§17.1), keys are raw (RFC 9180 SerializePublicKey / SerializePrivateKey; ECDSA
private keys as big-endian scalars), every structure is its TLS presentation-language
serialisation (§2.1). Refusals: a structure that does not decode, or has bytes left over, is
InvalidMessage; a signature that does not verify is InvalidSignature; a MAC or AEAD that does
not verify (membership tag, confirmation tag, PrivateMessage, Welcome) is AuthenticationFailed;
anything else RFC 9420 forbids (a parent hash that does not chain, a sender that is not a
member, an epoch that is not the group's) is InvalidMessage.

Lists cross the adapter protocol as *blobs*: the concatenation of byte strings, each preceded
by its length as a uint32 (big-endian). Where an item has parts, the interface says how they
are laid out inside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypedDict, runtime_checkable

__all__ = [
    "BlobError",
    "MlsContent",
    "MlsDecapsulated",
    "MlsEncapsulated",
    "MlsMessageProtection",
    "MlsMessages",
    "MlsPassiveClient",
    "MlsTree",
    "MlsTreeKem",
    "MlsTreeOperations",
    "MlsTreeValidation",
    "MlsWelcome",
    "MlsWelcomeInfo",
    "join_blobs",
    "split_blobs",
]

FAMILY = "mls"


class BlobError(ValueError):
    """A blob whose lengths do not add up."""


def join_blobs(items: Iterable[bytes]) -> bytes:
    """Each item preceded by its length as a uint32 (big-endian)."""
    return b"".join(len(item).to_bytes(4, "big") + bytes(item) for item in items)


def split_blobs(blob: bytes) -> list[bytes]:
    """The items of a blob; BlobError when a length runs past its end."""
    items, at = [], 0
    while at < len(blob):
        if at + 4 > len(blob):
            raise BlobError(f"a blob ends inside a length at byte {at}")
        n = int.from_bytes(blob[at : at + 4], "big")
        at += 4
        if at + n > len(blob):
            raise BlobError(f"a blob item of {n} bytes runs past the end at byte {at}")
        items.append(bytes(blob[at : at + n]))
        at += n
    return items


#: RFC 9420 §6: WireFormat mls_public_message and mls_private_message.
WIRE_PUBLIC = 1
WIRE_PRIVATE = 2
#: RFC 9420 §6: ContentType application, proposal, commit.
CONTENT_APPLICATION = 1
CONTENT_PROPOSAL = 2
CONTENT_COMMIT = 3

#: The structures ``mls_decode_encode`` names (RFC 9420 sections): the test vectors' Messages
#: category carries each of them (a proposal as its body, without the ProposalType).
STRUCTURES = (
    "MLSMessage",  # §6 (Welcome, GroupInfo, KeyPackage, PublicMessage, PrivateMessage)
    "RatchetTree",  # §12.4.3.3: optional<Node> ratchet_tree<V>
    "GroupSecrets",  # §12.4.3.1
    "Add",  # §12.1.1
    "Update",  # §12.1.2
    "Remove",  # §12.1.3
    "PreSharedKey",  # §12.1.4
    "ReInit",  # §12.1.5
    "ExternalInit",  # §12.1.6
    "GroupContextExtensions",  # §12.1.7
    "Proposal",  # §12.1
    "Commit",  # §12.4
    "UpdatePath",  # §7.6
    "LeafNode",  # §7.2
    "KeyPackage",  # §10
    "GroupInfo",  # §12.4.3
    "Welcome",  # §12.4.3.1
)


@runtime_checkable
class MlsMessages(Protocol):
    """Message (de)serialisation (RFC 9420 §2.1, §6-§12; test-vectors.md "Messages")."""

    def mls_decode_encode(self, structure: bytes, data: bytes) -> bytes:
        """Decode ``data`` as the structure named by ``structure`` (ASCII, one of
        :data:`STRUCTURES`) and encode what was decoded again. ``data`` that does not decode
        as that structure (a length or variable-length integer that is malformed or not
        minimal, §2.1.2; an unknown enum value where §2.1 allows none; bytes left over) is
        InvalidMessage; a structure the implementation does not model is Unsupported."""
        ...


class MlsContent(TypedDict):
    """What a protected message carries (RFC 9420 §6): its ContentType and the content, the
    serialised Proposal or Commit, or the application_data's bytes."""

    content_type: int
    content: bytes


@runtime_checkable
class MlsMessageProtection(Protocol):
    """PublicMessage and PrivateMessage (RFC 9420 §6.2, §6.3; test-vectors.md "Message
    Protection") in a group of two members whose sender is leaf 1: its GroupContext is
    (cipher_suite, group_id, epoch, tree_hash, confirmed_transcript_hash, no extensions), the
    sender's signature key pair is given, and the secret tree (§9) of the two leaves is rooted
    at ``encryption_secret``. Authenticated data is empty."""

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
        """The MLSMessage of ``wire_format`` (1 public, 2 private) carrying ``content`` of
        ``content_type`` (1 application, 2 proposal, 3 commit) from leaf 1, signed, with the
        membership tag (public) or encrypted at the next generation of the sender's ratchet
        (private; generation, reuse guard and a commit's confirmation tag are the
        implementation's own). Application content as a PublicMessage is refused (§6.2)."""
        ...

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
        """Receive ``messages`` (a blob of MLSMessages) in order as leaf 0, with one state
        for all of them, and return what the last one carries. A message that does not verify
        (signature, membership tag, AEAD), is not of this group and epoch, comes from a leaf
        that is not in the group, or reuses a generation whose key was consumed (§9.2) is
        refused."""
        ...


class MlsWelcomeInfo(TypedDict):
    """What a joiner learns from a Welcome (RFC 9420 §12.4.3.1): the new epoch's serialised
    GroupContext (from the GroupInfo) and its epoch_authenticator (§8.7)."""

    group_context: bytes
    epoch_authenticator: bytes


@runtime_checkable
class MlsWelcome(Protocol):
    """Welcome processing (RFC 9420 §12.4.3.1; test-vectors.md "Welcome")."""

    def mls_process_welcome(
        self,
        cipher_suite: int,
        init_priv: bytes,
        key_package: bytes,
        signer_pub: bytes,
        welcome: bytes,
    ) -> MlsWelcomeInfo:
        """Find the EncryptedGroupSecrets for ``key_package`` (an MLSMessage) in ``welcome``
        (an MLSMessage), open it with ``init_priv``, decrypt the GroupInfo with the welcome
        key and nonce (no PSKs), verify its signature with ``signer_pub`` and its
        confirmation tag, and return the epoch's GroupContext and epoch_authenticator."""
        ...


@runtime_checkable
class MlsTreeValidation(Protocol):
    """The ratchet tree's hashes, resolutions and validity (RFC 9420 §4.1.1, §7.8, §7.9;
    test-vectors.md "Tree Validation"). ``tree`` is a serialised ``optional<Node>
    ratchet_tree<V>`` (§12.4.3.3)."""

    def mls_tree_hash(self, cipher_suite: int, tree: bytes, node: int) -> bytes:
        """The tree hash of the subtree rooted at ``node`` (§7.8)."""
        ...

    def mls_resolution(self, cipher_suite: int, tree: bytes, node: int) -> bytes:
        """The resolution of ``node`` (§4.1.1), as node indices in order, each a uint32."""
        ...

    def mls_verify_tree(self, cipher_suite: int, group_id: bytes, tree: bytes) -> None:
        """Return when every non-blank parent node's parent hash is covered by a chain from a
        leaf (§7.9.2) and every leaf node's signature verifies (§7.3, with ``group_id`` for
        leaves whose source is update or commit); else refuse."""
        ...


class MlsTree(TypedDict):
    tree: bytes
    tree_hash: bytes


@runtime_checkable
class MlsTreeOperations(Protocol):
    """Applying a proposal to the ratchet tree (RFC 9420 §12.1.1-§12.1.3; test-vectors.md
    "Tree Operations")."""

    def mls_apply_proposal(
        self, cipher_suite: int, tree: bytes, proposal: bytes, sender: int
    ) -> MlsTree:
        """Apply ``proposal`` (a serialised Proposal: Add, Update or Remove) sent by leaf
        ``sender`` to ``tree`` and return the tree after it (truncated per §7.7) and its
        root's tree hash."""
        ...


class MlsDecapsulated(TypedDict):
    path_secret: bytes
    commit_secret: bytes
    tree_hash_after: bytes


class MlsEncapsulated(TypedDict):
    update_path: bytes
    commit_secret: bytes
    tree_hash_after: bytes


@runtime_checkable
class MlsTreeKem(Protocol):
    """TreeKEM (RFC 9420 §7.4-§7.6, §12.4.2; test-vectors.md "TreeKEM"): an UpdatePath from
    ``sender`` into ``tree``, its path secrets encrypted under the GroupContext of
    ``group_id``, ``epoch``, ``confirmed_transcript_hash``, no extensions and the provisional
    tree's hash (after the path is merged, §12.4.2). ``epoch`` is used as given, as the test
    vectors do (in a commit it is the new epoch's). No leaf is excluded."""

    def mls_treekem_receive(
        self,
        cipher_suite: int,
        group_id: bytes,
        epoch: int,
        confirmed_transcript_hash: bytes,
        tree: bytes,
        receiver: int,
        encryption_priv: bytes,
        path_secrets: bytes,
        sender: int,
        update_path: bytes,
    ) -> MlsDecapsulated:
        """Process ``update_path`` as leaf ``receiver``, holding its leaf's HPKE private key
        and the path secrets it knows (a blob of items ``uint32 node || path_secret``): the
        path secret it decrypts (at the lowest common ancestor of ``receiver`` and
        ``sender``), the commit secret, and the provisional tree's tree hash."""
        ...

    def mls_treekem_send(
        self,
        cipher_suite: int,
        group_id: bytes,
        epoch: int,
        confirmed_transcript_hash: bytes,
        tree: bytes,
        sender: int,
        signature_priv: bytes,
        leaf_secret: bytes,
    ) -> MlsEncapsulated:
        """Make an UpdatePath from leaf ``sender`` whose first path secret (§7.4:
        path_secret[0]) is ``leaf_secret``: its leaf node signed with ``signature_priv`` and
        carrying the parent hash (§7.9); HPKE ephemerals are the implementation's own."""
        ...


@runtime_checkable
class MlsPassiveClient(Protocol):
    """A member that joins and follows a group without sending (test-vectors.md "Passive
    Client": welcome, handling commit, random)."""

    def mls_passive_client(
        self,
        cipher_suite: int,
        key_package: bytes,
        signature_priv: bytes,
        encryption_priv: bytes,
        init_priv: bytes,
        welcome: bytes,
        ratchet_tree: bytes,
        external_psks: bytes,
        epochs: bytes,
    ) -> bytes:
        """Join by ``welcome`` (MLSMessages; ``ratchet_tree`` is the serialised tree when the
        GroupInfo has no ratchet_tree extension, else empty) holding the key package's private
        keys and ``external_psks`` (a blob alternating psk_id and psk), then process
        ``epochs`` (a blob of epochs, each a blob of MLSMessages: its proposals, then its
        commit). Return the epoch_authenticator of the epoch joined and of every epoch after
        it, as a blob."""
        ...


CAPABILITIES: dict[str, type] = {
    "mls-messages": MlsMessages,
    "mls-message-protection": MlsMessageProtection,
    "mls-welcome": MlsWelcome,
    "mls-tree-validation": MlsTreeValidation,
    "mls-tree-operations": MlsTreeOperations,
    "mls-treekem": MlsTreeKem,
    "mls-passive-client": MlsPassiveClient,
}
COMPOSITES: dict[str, tuple[str, ...]] = {}
