"""The reference MLS tree capabilities (conformance/reference/mls: ratchet_tree, treekem,
protocol_tree; RFC 9420 §4.1, §7, §12.1.1-§12.1.3, §12.4.2): TreeKEM send/receive round trips
for every suite on trees with blank and unmerged leaves, tree hash and resolution consistency,
the refusals the capabilities promise, and the tree vector generator's determinism. No
network: trees are grown here by the generator's group, which runs the same reference."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from conformance.capabilities.mls_protocol import (
    MlsTreeKem,
    MlsTreeOperations,
    MlsTreeValidation,
    join_blobs,
)
from conformance.errors import (
    AuthenticationFailed,
    InvalidInput,
    InvalidMessage,
    InvalidSignature,
    ProtocolError,
)
from conformance.reference.mls import treemath
from conformance.reference.mls.ciphersuites import SUITES, suite
from conformance.reference.mls.crypto import derive_secret
from conformance.reference.mls.hpke_binding import ReferenceHpke
from conformance.reference.mls.protocol_tree import MlsTreeReference
from conformance.reference.mls.pyca import PycaSignatures
from conformance.reference.mls.ratchet_tree import RatchetTree
from conformance.reference.mls.wire import (
    HpkeCiphertext,
    Node,
    ParentNode,
    Proposal,
    Remove,
    Update,
    UpdatePath,
    UpdatePathNode,
    decode,
    encode_tree,
)
from vectors.generators._common import ByteSource
from vectors.generators.mls_wg_tree import TreeGroup, generate


@pytest.fixture(scope="module")
def ref() -> MlsTreeReference:
    return MlsTreeReference(PycaSignatures(), ReferenceHpke())


def grown(code: int, label: str = "tests") -> TreeGroup:
    """Eight leaves: members 0, 1, 3, 4 merged by commits, leaf 2 blank then refilled by an
    unmerged member, leaf 5 unmerged, leaves 6 and 7 blank."""
    g = TreeGroup(suite(code), ByteSource(f"test_reference_mls_tree {label} {code}").bytes)
    for _ in range(4):
        g.add(0)
    g.commit(0)
    g.remove(0, 2)
    g.commit(3)
    g.add(1)  # leaf 2 again, unmerged
    g.add(1)  # leaf 5, unmerged
    return g


def known(g: TreeGroup, leaf: int) -> bytes:
    return join_blobs(
        x.to_bytes(4, "big") + secret for x, secret in sorted(g.members[leaf].secrets.items())
    )


def test_reference_offers_the_three_capabilities(ref: MlsTreeReference) -> None:
    assert isinstance(ref, MlsTreeValidation)
    assert isinstance(ref, MlsTreeOperations)
    assert isinstance(ref, MlsTreeKem)


def test_grown_tree_has_blanks_and_unmerged_leaves() -> None:
    g = grown(1)
    t = g.tree
    assert t.n_leaves == 8
    assert t.leaf(6) is None
    assert t.leaf(7) is None
    unmerged = {u for x in range(1, 15, 2) if (p := t.parent_node(x)) for u in p.unmerged_leaves}
    assert unmerged == {2, 5}
    assert any(t.nodes[x] is None for x in range(1, 15, 2))


@pytest.mark.parametrize("code", sorted(SUITES))
def test_treekem_send_receive_round_trip(ref: MlsTreeReference, code: int) -> None:
    g = grown(code)
    tree = g.tree.encode()
    gid, epoch, cth = g.group_id, g.epoch, g.confirmed_transcript_hash
    for sender in (0, 5):
        leaf_secret = bytes([sender + 1]) * suite(code).nh
        sent = ref.mls_treekem_send(
            code, gid, epoch, cth, tree, sender, g.members[sender].signature_priv, leaf_secret
        )
        path = decode(UpdatePath.read, sent["update_path"])
        assert len(path.nodes) == len(g.tree.filtered_direct_path(sender))
        for receiver in sorted(g.members):
            if receiver == sender:
                continue
            got = ref.mls_treekem_receive(
                code,
                gid,
                epoch,
                cth,
                tree,
                receiver,
                g.members[receiver].encryption_priv,
                known(g, receiver),
                sender,
                sent["update_path"],
            )
            assert got["commit_secret"] == sent["commit_secret"]
            assert got["tree_hash_after"] == sent["tree_hash_after"]
            # The path secret learnt is path_secret[k] of the chain from leaf_secret (§7.4).
            chain = [leaf_secret]
            while chain[-1] != got["path_secret"] and len(chain) <= len(path.nodes):
                chain.append(derive_secret(suite(code), chain[-1], b"path"))
            assert chain[-1] == got["path_secret"]


def test_treekem_commit_secret_of_a_two_leaf_path(ref: MlsTreeReference) -> None:
    """With one path node, commit_secret = DeriveSecret(path_secret[0], "path") (§7.4)."""
    g = TreeGroup(suite(1), ByteSource("test_reference_mls_tree two").bytes)
    g.add(0)
    secret = b"\x07" * 32
    sent = ref.mls_treekem_send(
        1,
        g.group_id,
        g.epoch,
        g.confirmed_transcript_hash,
        g.tree.encode(),
        0,
        g.members[0].signature_priv,
        secret,
    )
    assert sent["commit_secret"] == derive_secret(suite(1), secret, b"path")


def test_tree_hash_and_resolution_consistency(ref: MlsTreeReference) -> None:
    g = grown(1)
    t = g.tree
    data = t.encode()
    assert RatchetTree.decode(t.cs, data).encode() == data
    root = treemath.root(t.n_leaves)
    assert ref.mls_tree_hash(1, data, root) == t.root_tree_hash()
    for x in range(len(t.nodes)):
        res = ref.mls_resolution(1, data, x)
        nodes = [int.from_bytes(res[i : i + 4], "big") for i in range(0, len(res), 4)]
        assert nodes == t.resolution(x)
        if t.nodes[x] is None and x % 2 == 1:
            left, right = treemath.left(x), treemath.right(x)
            assert nodes == t.resolution(left) + t.resolution(right)  # type: ignore[arg-type]
        if t.nodes[x] is not None:
            assert nodes[0] == x
    # A tree hash covers the subtree: changing a leaf changes its ancestors' hashes only.
    other = t.copy()
    leaf = other.leaf(3)
    assert leaf is not None
    other.set_leaf(3, replace(leaf, signature=leaf.signature[:-1] + b"\x00"))
    path = {6, *other.direct_path(3)}
    for x in range(len(t.nodes)):
        assert (other.tree_hash(x) != t.tree_hash(x)) == (x in path)
    ref.mls_verify_tree(1, g.group_id, data)


def test_verify_tree_refuses_a_broken_parent_hash(ref: MlsTreeReference) -> None:
    g = grown(1)
    t = g.tree.copy()
    x = next(x for x in range(1, len(t.nodes), 2) if t.nodes[x] is not None)
    p = t.parent_node(x)
    assert p is not None
    t.nodes[x] = Node(ParentNode(p.encryption_key, b"\x00" * 32, p.unmerged_leaves))
    with pytest.raises(ProtocolError) as err:
        ref.mls_verify_tree(1, g.group_id, t.encode())
    assert type(err.value) is InvalidMessage


def test_verify_tree_refuses_a_broken_leaf_signature(ref: MlsTreeReference) -> None:
    g = grown(1)
    t = g.tree.copy()
    # Leaf 5 is unmerged at its one non-blank ancestor, the root, so its bytes enter no
    # original_sibling_tree_hash (§7.9): only its signature breaks.
    leaf = t.leaf(5)
    assert leaf is not None
    t.set_leaf(5, replace(leaf, signature=bytes([leaf.signature[0] ^ 1]) + leaf.signature[1:]))
    assert t.invalid_parent_hashes() == []
    with pytest.raises(InvalidSignature):
        ref.mls_verify_tree(1, g.group_id, t.encode())
    with pytest.raises(InvalidSignature):  # a commit-sourced leaf binds the group (§7.3)
        ref.mls_verify_tree(1, g.group_id + b"x", g.tree.encode())


def test_receive_refuses_a_tampered_encrypted_path_secret(ref: MlsTreeReference) -> None:
    g = grown(2)
    tree = g.tree.encode()
    args = (2, g.group_id, g.epoch, g.confirmed_transcript_hash, tree)
    sent = ref.mls_treekem_send(*args, 0, g.members[0].signature_priv, b"\x01" * 32)
    path = decode(UpdatePath.read, sent["update_path"])
    top = path.nodes[-1]
    ct = top.encrypted_path_secret[0]
    bad_ct = HpkeCiphertext(ct.kem_output, ct.ciphertext[:-1] + bytes([ct.ciphertext[-1] ^ 1]))
    bad_node = UpdatePathNode(top.encryption_key, (bad_ct, *top.encrypted_path_secret[1:]))
    bad = UpdatePath(path.leaf_node, (*path.nodes[:-1], bad_node)).encode()
    # Leaf 4 decrypts at the root with the first node of the right half's resolution.
    receiver = 4
    assert g.tree.resolution(treemath.right(g.tree.root))[0] == 2 * receiver  # type: ignore[arg-type]
    with pytest.raises(AuthenticationFailed):
        ref.mls_treekem_receive(
            *args, receiver, g.members[receiver].encryption_priv, known(g, receiver), 0, bad
        )


def test_receive_refuses_a_malformed_update_path(ref: MlsTreeReference) -> None:
    g = grown(1)
    tree = g.tree.encode()
    args = (1, g.group_id, g.epoch, g.confirmed_transcript_hash, tree)
    sent = ref.mls_treekem_send(*args, 0, g.members[0].signature_priv, b"\x01" * 32)
    path = decode(UpdatePath.read, sent["update_path"])
    receive = (1, g.members[1].encryption_priv, known(g, 1), 0)
    short = UpdatePath(path.leaf_node, path.nodes[:-1]).encode()
    with pytest.raises(ProtocolError):  # one UpdatePathNode per filtered direct path node
        ref.mls_treekem_receive(*args, *receive, short)
    wrong_hash = replace(path.leaf_node, parent_hash=b"\x00" * 32)
    with pytest.raises(ProtocolError):  # §7.9: the leaf's parent hash must chain
        ref.mls_treekem_receive(*args, *receive, UpdatePath(wrong_hash, path.nodes).encode())
    unsigned = replace(path.leaf_node, signature=b"\x00" * 64)
    with pytest.raises(InvalidSignature):
        ref.mls_treekem_receive(*args, *receive, UpdatePath(unsigned, path.nodes).encode())
    with pytest.raises(InvalidMessage):
        ref.mls_treekem_receive(*args, *receive, sent["update_path"] + b"\x00")
    old_key = g.tree.encryption_key(0)  # §12.4.2: no public key the tree already holds
    reused = replace(path.leaf_node, encryption_key=old_key)
    with pytest.raises(ProtocolError):
        ref.mls_treekem_receive(*args, *receive, UpdatePath(reused, path.nodes).encode())


def test_apply_proposal_add_remove_update(ref: MlsTreeReference) -> None:
    g = grown(1)
    tree = g.tree.encode()
    # Remove of a blank leaf, and of a leaf outside the tree.
    for removed in (6, 99):
        with pytest.raises(ProtocolError):
            ref.mls_apply_proposal(1, tree, Proposal(Remove(removed)).encode(), 0)
    # Update from a blank leaf.
    leaf = g.tree.leaf(1)
    assert leaf is not None
    update = Proposal(Update(replace(leaf, leaf_node_source=2, lifetime=None))).encode()
    with pytest.raises(ProtocolError):
        ref.mls_apply_proposal(1, tree, update, 6)
    # Remove blanks the leaf and its direct path; removing leaves 4 and 5 truncates (§7.7).
    out = ref.mls_apply_proposal(1, tree, Proposal(Remove(5)).encode(), 0)
    after = RatchetTree.decode(suite(1), out["tree"])
    assert after.leaf(5) is None
    assert all(after.nodes[p] is None for p in after.direct_path(5))
    assert out["tree_hash"] == after.root_tree_hash()
    out = ref.mls_apply_proposal(1, out["tree"], Proposal(Remove(4)).encode(), 0)
    assert RatchetTree.decode(suite(1), out["tree"]).n_leaves == 4
    # An Add fills the leftmost blank leaf and is unmerged at every non-blank ancestor.
    kp_tree = g.tree.copy()
    added = kp_tree.add_leaf(leaf)
    assert added == 6
    for p in kp_tree.direct_path(6):
        node = kp_tree.parent_node(p)
        assert node is None or node.unmerged_leaves[-1] == 6
    with pytest.raises(InvalidInput):  # not a tree operation
        ref.mls_apply_proposal(1, tree, bytes.fromhex("0006") + b"\x00", 0)


def test_decode_refuses_misplaced_and_empty_trees(ref: MlsTreeReference) -> None:
    g = grown(1)
    nodes = g.tree.nodes
    with pytest.raises(InvalidMessage):  # a leaf at an odd index
        ref.mls_tree_hash(1, encode_tree([nodes[0], nodes[0]]), 0)
    with pytest.raises(InvalidMessage):
        ref.mls_tree_hash(1, encode_tree([None]), 0)
    with pytest.raises(InvalidInput):
        ref.mls_tree_hash(1, g.tree.encode(), 99)


def _write(tmp: Path, label: str) -> dict[str, bytes]:
    paths = generate(tmp / label, ByteSource(label).bytes)
    return {p.name: p.read_bytes() for p in paths}


def test_generate_is_deterministic_and_well_formed(tmp_path: Path) -> None:
    first = _write(tmp_path, "seed a")
    assert first == _write(tmp_path, "seed a")
    assert first != _write(tmp_path, "seed b")
    validation = json.loads(first["tree-validation.json"])
    operations = json.loads(first["tree-operations.json"])
    treekem = json.loads(first["treekem.json"])
    assert {e["cipher_suite"] for e in validation} == set(SUITES)
    assert {e["cipher_suite"] for e in treekem} == set(SUITES)
    kinds = {bytes.fromhex(e["proposal"])[:2].hex() for e in operations}
    assert kinds == {"0001", "0002", "0003"}
    for e in validation:
        n = len(e["tree_hashes"])
        assert len(e["resolutions"]) == n
        assert (n + 1) & n == 0
    for e in treekem:
        assert {"leaves_private", "update_paths"} <= set(e)
        for u in e["update_paths"]:
            assert u["path_secrets"][u["sender"]] is None
