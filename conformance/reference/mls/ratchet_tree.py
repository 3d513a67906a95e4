"""The ratchet tree as a value (RFC 9420 §4, §7): its nodes in array order (Appendix C), the
resolution (§4.1.1) and filtered direct path (§4.1.2), the tree hash (§7.8), parent hashes and
their validity (§7.9, §7.9.2), leaf signatures (§7.3), and the changes proposals make (§7.7,
§12.1.1-§12.1.3): adding a leaf, blanking a direct path, truncating.

A tree holds a power of two leaves (§7.8). When read from its serialisation (§12.4.3.3) it is
extended to the right with blank nodes to the next full width; when written, blank nodes after
the last non-blank one are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ...errors import InvalidInput, InvalidMessage
from . import treemath
from .ciphersuites import CipherSuite
from .crypto import Signatures, hash_, verify_with_label
from .tls import opaque, uint8, uint32
from .wire import SOURCE_COMMIT, LeafNode, Node, ParentNode, decode, encode_tree, read_tree

__all__ = ["RatchetTree", "parent_hash_input"]

#: §7.8 NodeType.
_LEAF, _PARENT = 1, 2


def parent_hash_input(
    encryption_key: bytes, parent_hash: bytes, original_sibling_tree_hash: bytes
) -> bytes:
    """ParentHashInput (§7.9): HPKEPublicKey encryption_key || opaque parent_hash<V> ||
    opaque original_sibling_tree_hash<V>."""
    return opaque(encryption_key) + opaque(parent_hash) + opaque(original_sibling_tree_hash)


def _width_for(n_nodes: int) -> int:
    """The smallest full width 2^(d+1) - 1 that holds ``n_nodes`` nodes (§12.4.3.3)."""
    width = 1
    while width < n_nodes:
        width = 2 * width + 1
    return width


@dataclass
class RatchetTree:
    """A ratchet tree of ``cs``: ``nodes[x]`` is node x (leaves at even x), None when blank."""

    cs: CipherSuite
    nodes: list[Node | None]

    # --- reading and writing ------------------------------------------------------------

    @classmethod
    def decode(cls, cs: CipherSuite, data: bytes) -> RatchetTree:
        """Read ``optional<Node> ratchet_tree<V>`` (§12.4.3.3): leaves must sit at even
        indices and parents at odd ones; an empty tree or a misplaced node is InvalidMessage.
        Blank nodes after the last non-blank one are accepted (the working group's TreeKEM
        file has them) and the tree is extended to full width."""
        nodes = list(decode(read_tree, data, "ratchet tree"))
        if not nodes or all(n is None for n in nodes):
            raise InvalidMessage("ratchet tree: no non-blank node")
        for x, node in enumerate(nodes):
            if node is None:
                continue
            if (x % 2 == 0) != isinstance(node.value, LeafNode):
                kind = "leaf" if isinstance(node.value, LeafNode) else "parent"
                raise InvalidMessage(f"ratchet tree: a {kind} node at index {x}")
        nodes += [None] * (_width_for(len(nodes)) - len(nodes))
        return cls(cs, nodes)

    def encode(self) -> bytes:
        """The serialisation without trailing blank nodes (§12.4.3.3)."""
        last = max(x for x, n in enumerate(self.nodes) if n is not None)
        return encode_tree(self.nodes[: last + 1])

    def copy(self) -> RatchetTree:
        return RatchetTree(self.cs, list(self.nodes))

    # --- shape --------------------------------------------------------------------------

    @property
    def n_leaves(self) -> int:
        return (len(self.nodes) + 1) // 2

    @property
    def root(self) -> int:
        return treemath.root(self.n_leaves)

    def check_node(self, x: int) -> None:
        if not 0 <= x < len(self.nodes):
            raise InvalidInput(f"node {x} is outside a tree of {len(self.nodes)} nodes")

    def check_leaf(self, leaf: int) -> None:
        if not 0 <= leaf < self.n_leaves:
            raise InvalidInput(f"leaf {leaf} is outside a tree of {self.n_leaves} leaves")

    def leaf(self, leaf: int) -> LeafNode | None:
        self.check_leaf(leaf)
        node = self.nodes[2 * leaf]
        return None if node is None else node.value  # type: ignore[return-value]

    def parent_node(self, x: int) -> ParentNode | None:
        node = self.nodes[x]
        return None if node is None else node.value  # type: ignore[return-value]

    def encryption_key(self, x: int) -> bytes:
        node = self.nodes[x]
        if node is None:
            raise InvalidInput(f"node {x} is blank")
        return node.value.encryption_key

    def direct_path(self, leaf: int) -> list[int]:
        """The parent, grandparent, ... of the leaf up to the root (§4.1)."""
        self.check_leaf(leaf)
        out, x = [], 2 * leaf
        while (p := treemath.parent(x, self.n_leaves)) is not None:
            out.append(p)
            x = p
        return out

    def copath(self, leaf: int) -> list[int]:
        """The sibling of the leaf and of each node of its direct path but the root (§4.1)."""
        path = [2 * leaf, *self.direct_path(leaf)][:-1]
        return [treemath.sibling(x, self.n_leaves) for x in path]  # type: ignore[misc]

    def subtree_leaves(self, x: int) -> range:
        """The leaf indices under node x."""
        k = treemath.level(x)
        first = (x - ((1 << k) - 1)) // 2
        return range(first, first + (1 << k))

    # --- §4.1.1, §4.1.2 -----------------------------------------------------------------

    def resolution(self, x: int) -> list[int]:
        """§4.1.1: a non-blank node and its unmerged leaves (as node indices); a blank leaf
        nothing; a blank parent the resolutions of its children, left first."""
        self.check_node(x)
        node = self.nodes[x]
        if node is not None:
            if isinstance(node.value, ParentNode):
                return [x, *(2 * u for u in node.value.unmerged_leaves)]
            return [x]
        if x % 2 == 0:
            return []
        return self.resolution(treemath.left(x)) + self.resolution(treemath.right(x))  # type: ignore[arg-type]

    def filtered_direct_path(self, leaf: int) -> list[int]:
        """§4.1.2: the direct path less the nodes whose child on the copath has an empty
        resolution."""
        return [
            p
            for p, c in zip(self.direct_path(leaf), self.copath(leaf), strict=True)
            if self.resolution(c)
        ]

    # --- §7.8 tree hash -----------------------------------------------------------------

    def tree_hash(self, x: int, removed: frozenset[int] = frozenset()) -> bytes:
        """The tree hash of the subtree rooted at x (§7.8), in the tree where the leaves in
        ``removed`` are blank and gone from every unmerged_leaves list (the modification
        §7.9 makes for original_sibling_tree_hash)."""
        self.check_node(x)
        node = self.nodes[x]
        if x % 2 == 0:
            leaf = x // 2
            body = uint32(leaf)
            if node is None or leaf in removed:
                body += b"\x00"
            else:
                body += b"\x01" + node.value.encode()
            return hash_(self.cs, uint8(_LEAF) + body)
        left = treemath.left(x)
        right = treemath.right(x)
        assert left is not None
        assert right is not None
        if node is None:
            body = b"\x00"
        else:
            value: ParentNode = node.value  # type: ignore[assignment]
            if removed:
                kept = tuple(u for u in value.unmerged_leaves if u not in removed)
                value = ParentNode(value.encryption_key, value.parent_hash, kept)
            body = b"\x01" + value.encode()
        body += opaque(self.tree_hash(left, removed)) + opaque(self.tree_hash(right, removed))
        return hash_(self.cs, uint8(_PARENT) + body)

    def root_tree_hash(self) -> bytes:
        return self.tree_hash(self.root)

    # --- §7.9 parent hashes -------------------------------------------------------------

    def parent_hash_of(self, p: int, child: int) -> bytes:
        """The parent hash that P's child ``child`` (or the node below it whose chain leads
        there) carries (§7.9): Hash(ParentHashInput) with P's key and parent_hash and the tree
        hash of the other child with P's unmerged leaves removed."""
        value = self.parent_node(p)
        if value is None:
            raise InvalidInput(f"node {p} is blank")
        sibling = treemath.sibling(child, self.n_leaves)
        assert sibling is not None
        original = self.tree_hash(sibling, frozenset(value.unmerged_leaves))
        return hash_(self.cs, parent_hash_input(value.encryption_key, value.parent_hash, original))

    def _node_parent_hash(self, d: int) -> bytes | None:
        node = self.nodes[d]
        if node is None:
            return None
        if isinstance(node.value, LeafNode):
            return node.value.parent_hash if node.value.leaf_node_source == SOURCE_COMMIT else None
        return node.value.parent_hash

    def _links(self, p: int, d: int, child: int, expected: bytes) -> bool:
        """D carries P's parent hash and sits where §7.9.2 needs it: D is in the resolution
        of P's child C, and the rest of that resolution is exactly P's unmerged leaves under
        C."""
        if self._node_parent_hash(d) != expected:
            return False
        value = self.parent_node(p)
        assert value is not None
        under = set(self.subtree_leaves(child))
        unmerged = {2 * u for u in value.unmerged_leaves if u in under}
        rest = set(self.resolution(child)) - {d}
        return rest == unmerged

    def invalid_parent_hashes(self) -> list[int]:
        """The non-blank parent nodes that are not parent-hash valid (§7.9.2): not reached by
        a chain of parent hashes from a leaf. Lower nodes are settled first, so a chain is
        followed through nodes already known valid."""
        valid: set[int] = set()
        invalid: list[int] = []
        parents = [x for x in range(1, len(self.nodes), 2) if self.nodes[x] is not None]
        for p in sorted(parents, key=treemath.level):
            ok = False
            for child in (treemath.left(p), treemath.right(p)):
                assert child is not None
                expected = self.parent_hash_of(p, child)
                for d in self.resolution(child):
                    if self._links(p, d, child, expected) and (d % 2 == 0 or d in valid):
                        ok = True
                        break
                if ok:
                    break
            if ok:
                valid.add(p)
            else:
                invalid.append(p)
        return invalid

    def verify_parent_hashes(self) -> None:
        """§7.9.2: every non-blank parent node is parent-hash valid, else InvalidMessage."""
        bad = self.invalid_parent_hashes()
        if bad:
            raise InvalidMessage(f"parent nodes {bad} are not parent-hash valid (§7.9.2)")

    # --- §7.3 leaf signatures -----------------------------------------------------------

    def verify_leaf(self, sig: Signatures, group_id: bytes, leaf: int) -> None:
        """The leaf's signature over LeafNodeTBS with its own signature key (§7.3)."""
        value = self.leaf(leaf)
        if value is None:
            raise InvalidInput(f"leaf {leaf} is blank")
        verify_with_label(
            self.cs,
            sig,
            value.signature_key,
            b"LeafNodeTBS",
            value.tbs(group_id, leaf),
            value.signature,
        )

    def verify_leaf_signatures(self, sig: Signatures, group_id: bytes) -> None:
        for leaf in range(self.n_leaves):
            if self.leaf(leaf) is not None:
                self.verify_leaf(sig, group_id, leaf)

    # --- §7.7 changes -------------------------------------------------------------------

    def blank_path(self, leaf: int) -> None:
        """Blank the nodes of the leaf's direct path (§7.7, §12.1.2, §12.1.3)."""
        for p in self.direct_path(leaf):
            self.nodes[p] = None

    def set_leaf(self, leaf: int, value: LeafNode | None) -> None:
        self.check_leaf(leaf)
        self.nodes[2 * leaf] = None if value is None else Node(value)

    def add_leaf(self, value: LeafNode) -> int:
        """§7.7, §12.1.1: the leftmost blank leaf, else a new one after doubling the tree;
        the leaf's index joins the unmerged leaves of every non-blank node of its direct
        path. Returns the leaf index."""
        free = next((i for i in range(self.n_leaves) if self.nodes[2 * i] is None), None)
        if free is None:
            free = self.n_leaves
            self.nodes += [None] * (len(self.nodes) + 1)
        self.set_leaf(free, value)
        for p in self.direct_path(free):
            node = self.parent_node(p)
            if node is not None:
                unmerged = (*node.unmerged_leaves, free)
                self.nodes[p] = Node(ParentNode(node.encryption_key, node.parent_hash, unmerged))
        return free

    def truncate(self) -> None:
        """§7.7: drop the right half while it holds no non-blank leaf."""
        while self.n_leaves > 1:
            half = self.n_leaves // 2
            if any(self.nodes[2 * i] is not None for i in range(half, self.n_leaves)):
                break
            self.nodes = self.nodes[: len(self.nodes) // 2]

    def set_parents(self, nodes: Iterable[tuple[int, ParentNode]]) -> None:
        for x, value in nodes:
            self.nodes[x] = Node(value)

    def non_blank_leaves(self) -> Sequence[int]:
        return [i for i in range(self.n_leaves) if self.nodes[2 * i] is not None]
