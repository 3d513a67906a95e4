"""``MlsTreeReference``: the protocol tier's tree capabilities (mls-tree-validation,
mls-tree-operations, mls-treekem of :mod:`conformance.capabilities.mls_protocol`) over
:mod:`.ratchet_tree` and :mod:`.treekem` (RFC 9420 §4.1, §7, §12.1.1-§12.1.3, §12.4.2)."""

from __future__ import annotations

import os
from collections.abc import Callable

from ...capabilities.mls_protocol import (
    BlobError,
    MlsDecapsulated,
    MlsEncapsulated,
    MlsTree,
    split_blobs,
)
from ...errors import InvalidInput, InvalidMessage
from .ciphersuites import suite
from .crypto import Hpke, Signatures
from .ratchet_tree import RatchetTree
from .tls import uint32
from .treekem import GroupContextFields, decapsulate, encapsulate
from .wire import (
    Add,
    Proposal,
    Remove,
    Update,
    UpdatePath,
    decode,
)

__all__ = ["MlsTreeReference", "apply_proposal"]


def apply_proposal(tree: RatchetTree, proposal: Proposal, sender: int | None) -> int | None:
    """Apply an Add, Update or Remove from leaf ``sender`` to ``tree`` in place (§12.1.1-
    §12.1.3, §7.7); an Add returns the new member's leaf index. ``sender`` None is a sender
    with no leaf (an external sender, §12.1.8.1), which may not send an Update. Refused
    (InvalidMessage): a blank or absent sender (so an Update from a blank leaf), a Remove of a
    blank leaf or of a leaf outside the tree.

    The leaf nodes an Add or Update carries are not validated here (§7.3: source, signature,
    lifetime): that is the proposal's validation, not the tree's change, and the published
    tree-operations vectors carry an Update whose leaf has source key_package."""
    body = proposal.body
    if sender is not None:
        tree.check_leaf(sender)
        if tree.leaf(sender) is None:
            raise InvalidMessage(f"the sender, leaf {sender}, is blank")
    elif isinstance(body, Update):
        raise InvalidMessage("an Update from a sender that is not a member (§12.1.2)")
    if isinstance(body, Add):
        return tree.add_leaf(body.key_package.leaf_node)
    if isinstance(body, Update):
        assert sender is not None
        tree.set_leaf(sender, body.leaf_node)
        tree.blank_path(sender)
    elif isinstance(body, Remove):
        if not 0 <= body.removed < tree.n_leaves or tree.leaf(body.removed) is None:
            raise InvalidMessage(f"Remove of leaf {body.removed}, which is not a member (§12.1.3)")
        tree.set_leaf(body.removed, None)
        tree.blank_path(body.removed)
        tree.truncate()
    else:
        raise InvalidInput(f"proposal type {proposal.proposal_type} does not change the tree")
    return None


def _known_secrets(blob: bytes) -> dict[int, bytes]:
    try:
        items = split_blobs(blob)
    except BlobError as exc:
        raise InvalidInput(f"path_secrets: {exc}") from None
    out = {}
    for item in items:
        if len(item) < 4:
            raise InvalidInput("a path_secrets item shorter than its uint32 node")
        out[int.from_bytes(item[:4], "big")] = item[4:]
    return out


class MlsTreeReference:
    """The three tree capabilities for cipher suites 1-7 (RFC 9420 §17.1). ``random`` gives
    the bytes of a sender's fresh leaf key pair (§12.4.2); HPKE ephemerals come from ``hpke``
    (ReferenceHpke(random=...) makes them deterministic)."""

    def __init__(
        self,
        signatures: Signatures,
        hpke: Hpke,
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self._sig = signatures
        self._hpke = hpke
        self._random = random

    # --- mls-tree-validation -------------------------------------------------------------

    def mls_tree_hash(self, cipher_suite: int, tree: bytes, node: int) -> bytes:
        return RatchetTree.decode(suite(cipher_suite), tree).tree_hash(node)

    def mls_resolution(self, cipher_suite: int, tree: bytes, node: int) -> bytes:
        nodes = RatchetTree.decode(suite(cipher_suite), tree).resolution(node)
        return b"".join(uint32(x) for x in nodes)

    def mls_verify_tree(self, cipher_suite: int, group_id: bytes, tree: bytes) -> None:
        t = RatchetTree.decode(suite(cipher_suite), tree)
        t.verify_parent_hashes()
        t.verify_leaf_signatures(self._sig, group_id)

    # --- mls-tree-operations -------------------------------------------------------------

    def mls_apply_proposal(
        self, cipher_suite: int, tree: bytes, proposal: bytes, sender: int
    ) -> MlsTree:
        t = RatchetTree.decode(suite(cipher_suite), tree)
        apply_proposal(t, decode(Proposal.read, proposal, "Proposal"), sender)
        return MlsTree(tree=t.encode(), tree_hash=t.root_tree_hash())

    # --- mls-treekem ---------------------------------------------------------------------

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
        t = RatchetTree.decode(suite(cipher_suite), tree)
        t.check_leaf(sender)
        t.check_leaf(receiver)
        out = decapsulate(
            t,
            self._sig,
            self._hpke,
            GroupContextFields(group_id, epoch, confirmed_transcript_hash),
            sender,
            decode(UpdatePath.read, update_path, "UpdatePath"),
            receiver,
            encryption_priv,
            _known_secrets(path_secrets),
        )
        return MlsDecapsulated(
            path_secret=out.path_secret,
            commit_secret=out.commit_secret,
            tree_hash_after=out.tree.root_tree_hash(),
        )

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
        t = RatchetTree.decode(suite(cipher_suite), tree)
        t.check_leaf(sender)
        out = encapsulate(
            t,
            self._sig,
            self._hpke,
            self._random,
            GroupContextFields(group_id, epoch, confirmed_transcript_hash),
            sender,
            signature_priv,
            leaf_secret,
        )
        return MlsEncapsulated(
            update_path=out.update_path.encode(),
            commit_secret=out.commit_secret,
            tree_hash_after=out.tree.root_tree_hash(),
        )
