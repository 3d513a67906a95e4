"""TreeKEM (RFC 9420 §7.4-§7.6, §7.9, §12.4.2): making an UpdatePath from a member's leaf and
processing one as another member.

The sender's path secrets run up its filtered direct path (§4.1.2): path_secret[0] for its
first node, path_secret[n] = DeriveSecret(path_secret[n-1], "path"), and the commit secret is
the next one after the last node's. Each node's key pair is DeriveKeyPair(DeriveSecret(
path_secret, "node")) (§7.4). Each path secret is sent to the resolution of the node's child on
the copath with EncryptWithLabel(..., "UpdatePathNode", GroupContext) (§7.5, §7.6), where the
GroupContext carries the tree hash of the provisional tree, the one with the path merged
(§12.4.2). The new leaf node (source commit) carries the parent hash of its first path node
(§7.9) and is signed over LeafNodeTBS (§7.3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from ...errors import InvalidInput, InvalidMessage
from . import treemath
from .ciphersuites import CipherSuite
from .crypto import (
    Hpke,
    Signatures,
    decrypt_with_label,
    derive_secret,
    encrypt_with_label,
    hash_,
    sign_with_label,
)
from .key_schedule import group_context
from .ratchet_tree import RatchetTree, parent_hash_input
from .wire import (
    SOURCE_COMMIT,
    HpkeCiphertext,
    LeafNode,
    ParentNode,
    UpdatePath,
    UpdatePathNode,
)

__all__ = [
    "Decapsulated",
    "Encapsulated",
    "GroupContextFields",
    "decapsulate",
    "encapsulate",
    "merge_path",
    "node_key_pair",
    "path_secrets",
]

#: Bytes of randomness for the sender's new leaf key pair: at least Nsk for every KEM of
#: RFC 9420's suites (66 for P-521), as DeriveKeyPair's ikm should have (RFC 9180 §7.1.3).
_LEAF_IKM = 72
_LABEL = b"UpdatePathNode"


@dataclass(frozen=True)
class GroupContextFields:
    """What TreeKEM's GroupContext takes besides the tree hash (§8.1): ``extensions`` is the
    serialised extension vector (b"": none)."""

    group_id: bytes
    epoch: int
    confirmed_transcript_hash: bytes
    extensions: bytes = b""

    def encode(self, cs: CipherSuite, tree_hash: bytes) -> bytes:
        return group_context(
            cs,
            self.group_id,
            self.epoch,
            tree_hash,
            self.confirmed_transcript_hash,
            self.extensions,
        )


def path_secrets(cs: CipherSuite, first: bytes, count: int) -> list[bytes]:
    """path_secret[0] = ``first`` and ``count`` more, each DeriveSecret(previous, "path")
    (§7.4); the last one is the commit secret when ``count`` is the path length."""
    out = [first]
    for _ in range(count):
        out.append(derive_secret(cs, out[-1], b"path"))
    return out


def node_key_pair(cs: CipherSuite, hpke: Hpke, path_secret: bytes) -> tuple[bytes, bytes]:
    """(node_priv, node_pub) = DeriveKeyPair(DeriveSecret(path_secret, "node")) (§7.4)."""
    return hpke.derive_key_pair(cs.kem_id, derive_secret(cs, path_secret, b"node"))


def merge_path(
    tree: RatchetTree, sender: int, leaf_node: LeafNode | None, keys: list[bytes]
) -> bytes:
    """Put a path into ``tree`` (§7.5, §12.4.2): blank the sender's direct path, set each
    node of its filtered direct path to a parent node with the new key, no unmerged leaves
    and the parent hash that chains it to the node above (§7.9), and the leaf to
    ``leaf_node`` when given. Returns the parent hash the leaf must carry."""
    filtered = tree.filtered_direct_path(sender)
    if len(keys) != len(filtered):
        raise InvalidMessage(
            f"an UpdatePath of {len(keys)} nodes for a filtered direct path of {len(filtered)}"
        )
    tree.blank_path(sender)
    chain = [2 * sender, *filtered]
    above = b""
    # Top down: each node's parent_hash is the hash of the node above it, over the tree hash
    # of that node's child on the copath (which the path does not touch).
    for i in range(len(filtered) - 1, -1, -1):
        tree.set_parents([(filtered[i], ParentNode(keys[i], above, ()))])
        child = _child_towards(tree, filtered[i], chain[i])
        sibling = treemath.sibling(child, tree.n_leaves)
        assert sibling is not None
        above = hash_(tree.cs, parent_hash_input(keys[i], above, tree.tree_hash(sibling)))
    if leaf_node is not None:
        tree.set_leaf(sender, leaf_node)
    return above


def _child_towards(tree: RatchetTree, p: int, x: int) -> int:
    """The child of p on the way down to node x."""
    left, right = treemath.left(p), treemath.right(p)
    assert left is not None
    assert right is not None
    return left if x < p else right


def _copath_resolutions(
    tree: RatchetTree, sender: int, filtered: list[int], excluded: frozenset[int]
) -> dict[int, list[int]]:
    """For each node of the sender's filtered direct path, the resolution of its child that
    is not on the sender's side, less the leaves of ``excluded`` (§7.5, §12.4.2: the nodes its
    path secret is encrypted to; members added by the same commit get it from the Welcome)."""
    out = {}
    for p in filtered:
        other = treemath.sibling(_child_towards(tree, p, 2 * sender), tree.n_leaves)
        assert other is not None
        out[p] = [y for y in tree.resolution(other) if y % 2 or y // 2 not in excluded]
    return out


@dataclass(frozen=True)
class Encapsulated:
    """A sender's UpdatePath, what it derived, and the provisional tree."""

    update_path: UpdatePath
    leaf_priv: bytes
    #: node index -> path secret, for the sender's filtered direct path.
    path_secrets: dict[int, bytes]
    commit_secret: bytes
    tree: RatchetTree


def encapsulate(
    tree: RatchetTree,
    sig: Signatures,
    hpke: Hpke,
    random: Callable[[int], bytes],
    context: GroupContextFields,
    sender: int,
    signature_priv: bytes,
    leaf_secret: bytes,
    excluded: frozenset[int] = frozenset(),
) -> Encapsulated:
    """§12.4.2 "Creating a Commit", the path part: a fresh leaf key pair, path secrets from
    ``leaf_secret`` up the filtered direct path, the merged provisional tree, the signed leaf
    node, and each path secret encrypted to its copath resolution. ``tree`` is untouched."""
    cs = tree.cs
    old = tree.leaf(sender)
    if old is None:
        raise InvalidInput(f"leaf {sender} is blank: it cannot send an UpdatePath")
    filtered = tree.filtered_direct_path(sender)
    resolutions = _copath_resolutions(tree, sender, filtered, excluded)
    recipients = {p: [tree.encryption_key(y) for y in resolutions[p]] for p in filtered}
    secrets = path_secrets(cs, leaf_secret, len(filtered))
    keys = [node_key_pair(cs, hpke, s)[1] for s in secrets[: len(filtered)]]
    leaf_priv, leaf_pub = hpke.derive_key_pair(cs.kem_id, random(_LEAF_IKM))

    after = tree.copy()
    parent_hash = merge_path(after, sender, None, keys)
    unsigned = LeafNode(
        leaf_pub,
        old.signature_key,
        old.credential,
        old.capabilities,
        SOURCE_COMMIT,
        None,
        parent_hash,
        old.extensions,
        b"",
    )
    signature = sign_with_label(
        cs, sig, signature_priv, b"LeafNodeTBS", unsigned.tbs(context.group_id, sender)
    )
    leaf = replace(unsigned, signature=signature)
    after.set_leaf(sender, leaf)
    gc = context.encode(cs, after.root_tree_hash())

    nodes = []
    for i, p in enumerate(filtered):
        sealed = tuple(
            HpkeCiphertext(*encrypt_with_label(cs, hpke, pk, _LABEL, gc, secrets[i]))
            for pk in recipients[p]
        )
        nodes.append(UpdatePathNode(keys[i], sealed))
    return Encapsulated(
        UpdatePath(leaf, tuple(nodes)),
        leaf_priv,
        dict(zip(filtered, secrets, strict=False)),
        secrets[len(filtered)],
        after,
    )


@dataclass(frozen=True)
class Decapsulated:
    """What a receiver learns from an UpdatePath."""

    #: The node where the receiver's path meets the sender's, and its path secret.
    node: int
    path_secret: bytes
    #: node index -> path secret, from ``node`` up.
    path_secrets: dict[int, bytes]
    commit_secret: bytes
    tree: RatchetTree


def decapsulate(
    tree: RatchetTree,
    sig: Signatures,
    hpke: Hpke,
    context: GroupContextFields,
    sender: int,
    update_path: UpdatePath,
    receiver: int,
    encryption_priv: bytes,
    known: Mapping[int, bytes],
    excluded: frozenset[int] = frozenset(),
) -> Decapsulated:
    """§12.4.2 "Joining/processing a Commit", the path part, as leaf ``receiver`` holding its
    leaf's private key and the path secrets ``known`` (node -> path secret): check the
    UpdatePath's shape, leaf node (source commit, signature, parent hash), merge it, decrypt
    the path secret at the lowest node of the sender's filtered direct path above the
    receiver with the key of a node of its copath resolution the receiver holds, derive the
    rest, and check every derived public key against the path's. ``tree`` is untouched."""
    cs = tree.cs
    if tree.leaf(sender) is None:
        raise InvalidMessage(f"the sender, leaf {sender}, is blank")
    if tree.leaf(receiver) is None:
        raise InvalidInput(f"the receiver, leaf {receiver}, is blank")
    if receiver == sender:
        raise InvalidInput("the receiver is the sender")
    filtered = tree.filtered_direct_path(sender)
    if len(update_path.nodes) != len(filtered):
        raise InvalidMessage(
            f"an UpdatePath of {len(update_path.nodes)} nodes for a filtered direct path of "
            f"{len(filtered)} (§7.6)"
        )
    resolutions = _copath_resolutions(tree, sender, filtered, excluded)
    for p, node in zip(filtered, update_path.nodes, strict=True):
        if len(node.encrypted_path_secret) != len(resolutions[p]):
            raise InvalidMessage(
                f"node {p}: {len(node.encrypted_path_secret)} ciphertexts for a resolution "
                f"of {len(resolutions[p])} (§7.6)"
            )
    leaf = update_path.leaf_node
    if leaf.leaf_node_source != SOURCE_COMMIT:
        raise InvalidMessage("an UpdatePath's leaf node must have source commit (§12.4.2)")
    in_tree = {n.value.encryption_key for n in tree.nodes if n is not None}
    if any(
        k in in_tree for k in [leaf.encryption_key, *(n.encryption_key for n in update_path.nodes)]
    ):
        raise InvalidMessage("an UpdatePath reuses a public key already in the tree (§12.4.2)")

    after = tree.copy()
    keys = [n.encryption_key for n in update_path.nodes]
    parent_hash = merge_path(after, sender, leaf, keys)
    if leaf.parent_hash != parent_hash:
        raise InvalidMessage("the UpdatePath's leaf node carries a wrong parent hash (§7.9)")
    after.verify_leaf(sig, context.group_id, sender)
    gc = context.encode(cs, after.root_tree_hash())

    receiver_node = 2 * receiver
    at = next((i for i, p in enumerate(filtered) if receiver in tree.subtree_leaves(p)), None)
    if at is None:
        raise InvalidMessage(f"leaf {receiver} is under no node of the sender's path")
    p = filtered[at]
    private = _held_key(tree, hpke, resolutions[p], receiver_node, encryption_priv, known)
    if private is None:
        raise InvalidMessage(
            f"leaf {receiver} holds the key of no node in the resolution of node {p}'s copath"
        )
    index, sk = private
    ct = update_path.nodes[at].encrypted_path_secret[index]
    secret = decrypt_with_label(cs, hpke, sk, _LABEL, gc, ct.kem_output, ct.ciphertext)
    secrets = path_secrets(cs, secret, len(filtered) - at)
    for i in range(at, len(filtered)):
        if node_key_pair(cs, hpke, secrets[i - at])[1] != keys[i]:
            raise InvalidMessage(
                f"node {filtered[i]}: the path secret does not give the UpdatePath's key (§12.4.2)"
            )
    return Decapsulated(
        p,
        secret,
        dict(zip(filtered[at:], secrets, strict=False)),
        secrets[-1],
        after,
    )


def _held_key(
    tree: RatchetTree,
    hpke: Hpke,
    resolution: list[int],
    receiver_node: int,
    encryption_priv: bytes,
    known: Mapping[int, bytes],
) -> tuple[int, bytes] | None:
    """The first node of ``resolution`` whose private key the receiver holds: its own leaf,
    or a parent node whose path secret it knows."""
    for index, y in enumerate(resolution):
        if y == receiver_node:
            return index, encryption_priv
        if y in known and y % 2 == 1:
            return index, node_key_pair(tree.cs, hpke, known[y])[0]
    return None
