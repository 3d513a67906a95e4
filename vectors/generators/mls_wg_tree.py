"""Write the MLS working group's tree test vectors (mlswg/mls-implementations, test-vectors.md:
Tree Validation, Tree Operations, TreeKEM) as tree-validation.json, tree-operations.json and
treekem.json, for cipher suites 1-7 (RFC 9420 §17.1), made by the suite's reference
(conformance/reference/mls: ratchet_tree, treekem, protocol_tree) from a seeded byte source.

Each suite's group grows by Add proposals, Update proposals, Removes (an internal blank leaf,
then the rightmost leaves so that the tree is truncated, §7.7) and commits with an UpdatePath
from several members (§12.4.2); members follow every commit by decrypting the path, so the
private state the TreeKEM file lists is what they really hold. Trees are taken at several
points: one member, full, with unmerged leaves (§12.1.1), with blank leaves and parents, after
truncation.

Layout as in the published files: lowercase hex for binary values; trees are serialised
``optional<Node> ratchet_tree<V>`` without trailing blank nodes (§12.4.3.3); a tree-operations
``proposal`` is a whole Proposal with its type; TreeKEM ``path_secrets`` has one entry per leaf
of the tree (null for the sender and for blank leaves). Deterministic: the same bytes for the
same byte source (ECDSA signatures use RFC 6979 nonces; HPKE ephemerals and every key come from
the byte source).

Usage: ``python vectors/generators/mls_wg_tree.py OUTDIR``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from conformance.reference.mls.ciphersuites import SUITES, CipherSuite  # noqa: E402
from conformance.reference.mls.crypto import sign_with_label  # noqa: E402
from conformance.reference.mls.hpke_binding import ReferenceHpke  # noqa: E402
from conformance.reference.mls.protocol_tree import apply_proposal  # noqa: E402
from conformance.reference.mls.pyca import PycaSignatures  # noqa: E402
from conformance.reference.mls.ratchet_tree import RatchetTree  # noqa: E402
from conformance.reference.mls.treekem import (  # noqa: E402
    GroupContextFields,
    decapsulate,
    encapsulate,
    node_key_pair,
)
from conformance.reference.mls.wire import (  # noqa: E402
    BASIC,
    SOURCE_KEY_PACKAGE,
    SOURCE_UPDATE,
    Add,
    Capabilities,
    Credential,
    KeyPackage,
    LeafNode,
    Lifetime,
    Node,
    Proposal,
    Remove,
    Update,
)
from vectors.generators._common import ByteSource  # noqa: E402
from vectors.generators.mls_wg import signature_key_pair  # noqa: E402

__all__ = ["TreeGroup", "generate", "main"]

Random = Callable[[int], bytes]

#: The NIST-curve signature keys are the same curve's DHKEM DeriveKeyPair (RFC 9180 §7.1.3).
_NEVER = (1 << 64) - 1


def _hex(data: bytes) -> str:
    return data.hex()


@dataclass
class _Member:
    """A member's private state: its keys and the path secrets of the nodes above it."""

    signature_priv: bytes
    encryption_priv: bytes
    secrets: dict[int, bytes] = field(default_factory=dict)


class TreeGroup:
    """A group of one suite as its members see it: one ratchet tree, everyone's private
    state, and the GroupContext fields TreeKEM binds (§8.1)."""

    def __init__(self, cs: CipherSuite, random: Random) -> None:
        self.cs = cs
        self.random = random
        self.hpke = ReferenceHpke(random=random)
        self.sig = PycaSignatures(deterministic=True)
        self.group_id = random(16)
        self.epoch = 0
        self.confirmed_transcript_hash = random(cs.nh)
        self.members: dict[int, _Member] = {}
        self.joined = 0
        leaf, member = self._new_leaf()
        self.tree = RatchetTree(cs, [Node(leaf)])
        self.members[0] = member
        self.operations: list[dict[str, Any]] = []
        self._shapes: set[tuple[int, int, int, bool]] = set()

    # --- members' keys -------------------------------------------------------------------

    def _signed_leaf(self, unsigned: LeafNode, signature_priv: bytes, leaf: int) -> LeafNode:
        tbs = unsigned.tbs(self.group_id, leaf)
        signature = sign_with_label(self.cs, self.sig, signature_priv, b"LeafNodeTBS", tbs)
        return replace(unsigned, signature=signature)

    def _new_leaf(self) -> tuple[LeafNode, _Member]:
        """A key-package leaf node (§7.2, §10) for a new member."""
        cs = self.cs
        sig_priv, sig_pub = signature_key_pair(cs, self.random, self.hpke)
        enc_priv, enc_pub = self.hpke.derive_key_pair(cs.kem_id, self.random(cs.nh))
        self.joined += 1
        unsigned = LeafNode(
            enc_pub,
            sig_pub,
            Credential(BASIC, identity=f"member {self.joined}".encode()),
            Capabilities((1,), (cs.code,), (), (), (BASIC,)),
            SOURCE_KEY_PACKAGE,
            Lifetime(0, _NEVER),
            b"",
            (),
            b"",
        )
        return self._signed_leaf(unsigned, sig_priv, 0), _Member(sig_priv, enc_priv)

    def _key_package(self, leaf: LeafNode, signature_priv: bytes) -> KeyPackage:
        _, init_pub = self.hpke.derive_key_pair(self.cs.kem_id, self.random(self.cs.nh))
        unsigned = KeyPackage(1, self.cs.code, init_pub, leaf, (), b"")
        signature = sign_with_label(
            self.cs, self.sig, signature_priv, b"KeyPackageTBS", unsigned.tbs()
        )
        return KeyPackage(1, self.cs.code, init_pub, leaf, (), signature)

    # --- proposals (§12.1.1-§12.1.3), recorded as tree operations -------------------------

    def _apply(self, proposal: Proposal, sender: int) -> int | None:
        before = self.tree.copy()
        added = apply_proposal(self.tree, proposal, sender)
        # One entry per kind of change keeps the file small: the proposal type, the tree's
        # width before and after, and whether an Add filled a blank leaf left of a member.
        inner = added is not None and added < max(before.non_blank_leaves())
        shape = (proposal.proposal_type, before.n_leaves, self.tree.n_leaves, inner)
        if shape in self._shapes:
            return added
        self._shapes.add(shape)
        self.operations.append(
            {
                "cipher_suite": self.cs.code,
                "tree_before": _hex(before.encode()),
                "proposal": _hex(proposal.encode()),
                "proposal_sender": sender,
                "tree_hash_before": _hex(before.root_tree_hash()),
                "tree_after": _hex(self.tree.encode()),
                "tree_hash_after": _hex(self.tree.root_tree_hash()),
            }
        )
        return added

    def add(self, sender: int) -> int:
        leaf, member = self._new_leaf()
        proposal = Proposal(Add(self._key_package(leaf, member.signature_priv)))
        index = self._apply(proposal, sender)
        assert index is not None
        self.members[index] = member
        return index

    def update(self, sender: int) -> None:
        old = self.tree.leaf(sender)
        assert old is not None
        member = self.members[sender]
        enc_priv, enc_pub = self.hpke.derive_key_pair(self.cs.kem_id, self.random(self.cs.nh))
        unsigned = LeafNode(
            enc_pub,
            old.signature_key,
            old.credential,
            old.capabilities,
            SOURCE_UPDATE,
            None,
            b"",
            old.extensions,
            b"",
        )
        self._apply(
            Proposal(Update(self._signed_leaf(unsigned, member.signature_priv, sender))), sender
        )
        member.encryption_priv = enc_priv
        self._forget_blanks()

    def remove(self, sender: int, removed: int) -> None:
        self._apply(Proposal(Remove(removed)), sender)
        del self.members[removed]
        self._forget_blanks()

    def _forget_blanks(self) -> None:
        for m in self.members.values():
            m.secrets = {
                x: s
                for x, s in m.secrets.items()
                if x < len(self.tree.nodes) and self.tree.nodes[x]
            }

    # --- commits with an UpdatePath (§12.4.2) ---------------------------------------------

    def context(self) -> GroupContextFields:
        return GroupContextFields(self.group_id, self.epoch, self.confirmed_transcript_hash)

    def commit(self, sender: int) -> None:
        """An UpdatePath from ``sender`` that every other member processes; then the next
        epoch."""
        member = self.members[sender]
        enc = encapsulate(
            self.tree,
            self.sig,
            self.hpke,
            self.random,
            self.context(),
            sender,
            member.signature_priv,
            self.random(self.cs.nh),
        )
        for index, other in self.members.items():
            if index == sender:
                continue
            dec = decapsulate(
                self.tree,
                self.sig,
                self.hpke,
                self.context(),
                sender,
                enc.update_path,
                index,
                other.encryption_priv,
                other.secrets,
            )
            assert dec.commit_secret == enc.commit_secret
            other.secrets.update(dec.path_secrets)
        member.encryption_priv = enc.leaf_priv
        member.secrets = dict(enc.path_secrets)
        self.tree = enc.tree
        self._forget_blanks()
        self.epoch += 1
        self.confirmed_transcript_hash = self.random(self.cs.nh)

    # --- the three files' entries ------------------------------------------------------

    def validation_entry(self) -> dict[str, Any]:
        t = self.tree
        return {
            "cipher_suite": self.cs.code,
            "tree": _hex(t.encode()),
            "group_id": _hex(self.group_id),
            "resolutions": [t.resolution(x) for x in range(len(t.nodes))],
            "tree_hashes": [_hex(t.tree_hash(x)) for x in range(len(t.nodes))],
        }

    def treekem_entry(self, senders: list[int]) -> dict[str, Any]:
        """Update paths from ``senders`` into the current tree, each decrypted by every other
        member; the group itself does not move on."""
        leaves_private = []
        for index in sorted(self.members):
            m = self.members[index]
            for x, secret in m.secrets.items():
                # What a member lists must be what the tree says it holds.
                assert node_key_pair(self.cs, self.hpke, secret)[1] == self.tree.encryption_key(x)
            leaves_private.append(
                {
                    "index": index,
                    "encryption_priv": _hex(m.encryption_priv),
                    "signature_priv": _hex(m.signature_priv),
                    "path_secrets": [
                        {"node": x, "path_secret": _hex(s)} for x, s in sorted(m.secrets.items())
                    ],
                }
            )
        update_paths = []
        for sender in senders:
            enc = encapsulate(
                self.tree,
                self.sig,
                self.hpke,
                self.random,
                self.context(),
                sender,
                self.members[sender].signature_priv,
                self.random(self.cs.nh),
            )
            learnt: list[str | None] = []
            for j in range(self.tree.n_leaves):
                if j == sender or j not in self.members:
                    learnt.append(None)
                    continue
                other = self.members[j]
                dec = decapsulate(
                    self.tree,
                    self.sig,
                    self.hpke,
                    self.context(),
                    sender,
                    enc.update_path,
                    j,
                    other.encryption_priv,
                    other.secrets,
                )
                assert dec.commit_secret == enc.commit_secret
                learnt.append(_hex(dec.path_secret))
            update_paths.append(
                {
                    "sender": sender,
                    "update_path": _hex(enc.update_path.encode()),
                    "path_secrets": learnt,
                    "commit_secret": _hex(enc.commit_secret),
                    "tree_hash_after": _hex(enc.tree.root_tree_hash()),
                }
            )
        return {
            "cipher_suite": self.cs.code,
            "group_id": _hex(self.group_id),
            "epoch": self.epoch,
            "confirmed_transcript_hash": _hex(self.confirmed_transcript_hash),
            "ratchet_tree": _hex(self.tree.encode()),
            "leaves_private": leaves_private,
            "update_paths": update_paths,
        }


def _suite_vectors(
    cs: CipherSuite, random: Random
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """One suite's story: (tree-validation, tree-operations, treekem) entries."""
    g = TreeGroup(cs, random)
    validation = [g.validation_entry()]  # one member
    treekem = []
    g.add(0)
    g.add(0)
    g.commit(0)
    validation.append(g.validation_entry())  # three members, a trailing blank leaf
    treekem.append(g.treekem_entry([0, 1, 2]))
    for _ in range(3):
        g.add(1)
    validation.append(g.validation_entry())  # unmerged leaves
    g.commit(2)
    g.update(4)
    validation.append(g.validation_entry())  # an Update blanked a direct path
    g.remove(0, 1)
    g.commit(5)
    validation.append(g.validation_entry())  # an internal blank leaf
    for _ in range(4):
        g.add(3)  # fills leaf 1, then doubles the tree to 16 leaves
    g.commit(0)
    g.add(2)
    g.remove(3, 6)
    validation.append(g.validation_entry())  # blanks and unmerged leaves in 16 leaves
    treekem.append(g.treekem_entry([0, 3, 7, max(g.members)]))
    for removed in sorted((i for i in g.members if i >= 4), reverse=True):
        g.remove(0, removed)  # the last of these truncates the tree to 4 leaves (§7.7)
    validation.append(g.validation_entry())
    g.commit(3)
    validation.append(g.validation_entry())
    return validation, g.operations, treekem


def generate(out: Path, random: Random | None = None) -> list[Path]:
    """Write tree-validation.json, tree-operations.json and treekem.json into ``out`` from
    the byte source ``random`` (a seeded one by default); returns their paths."""
    if random is None:
        random = ByteSource("e2ee-conformance mls_wg_tree").bytes
    files: dict[str, list[dict[str, Any]]] = {
        "tree-validation.json": [],
        "tree-operations.json": [],
        "treekem.json": [],
    }
    for _, cs in sorted(SUITES.items()):
        validation, operations, treekem = _suite_vectors(cs, random)
        files["tree-validation.json"] += validation
        files["tree-operations.json"] += operations
        files["treekem.json"] += treekem
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, entries in files.items():
        path = out / name
        path.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("outdir", type=Path, help="folder to write the three files into")
    args = parser.parse_args(argv)
    for path in generate(args.outdir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
