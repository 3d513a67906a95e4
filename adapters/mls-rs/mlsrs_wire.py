"""Reading what mls-rs hands out as bytes, for the values its UniFFI binding has no getter for.

Two encodings are read, both with the variable-length integers of RFC 9420 §2.1.2:

- the ratchet tree ``Group.export_tree`` returns (``optional<Node> ratchet_tree<V>``,
  RFC 9420 §12.4.3.3, nodes as in §7.1-§7.2): which leaves are occupied, and each leaf's
  BasicCredential identity and signature key (a member's leaf index, the member count, and the
  identity ``Group.remove_members`` looks a member up by);
- the group state mls-rs writes to its ``GroupStateStorage`` (its ``Snapshot``: a version, then
  the GroupContext of §8.1 in its RFC encoding, ..., then its KeySchedule, pending updates,
  pending commit and signer): the epoch and tree hash from the GroupContext at the front, and
  the exporter and authentication secrets (§8) from the KeySchedule at the end, found by
  reading backwards from the signer, whose bytes the adapter knows.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Leaf", "SnapshotView", "read_snapshot", "read_tree_leaves"]

_LEAF_NODE = 1
_PARENT_NODE = 2
_BASIC = 1
_KEY_PACKAGE_SOURCE = 1
_COMMIT_SOURCE = 3


class WireError(ValueError):
    """The bytes are not what mls-rs is known to write."""


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise WireError("truncated")
        out = self.data[self.at : self.at + n]
        self.at += n
        return out

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "big")

    def varint(self) -> int:
        # RFC 9420 §2.1.2: the top two bits of the first byte give the length (1, 2 or 4).
        first = self.uint(1)
        size = 1 << (first >> 6)
        if size == 8:
            raise WireError("invalid variable-length integer prefix")
        return int.from_bytes(bytes([first & 0x3F]) + self.take(size - 1), "big")

    def opaque(self) -> bytes:
        return self.take(self.varint())

    def done(self) -> bool:
        return self.at == len(self.data)


@dataclass(frozen=True)
class Leaf:
    """An occupied leaf of the tree (RFC 9420 §7.2)."""

    index: int
    credential_type: int
    identity: bytes
    signature_key: bytes


def _leaf_node(r: _Reader, index: int) -> Leaf:
    r.opaque()  # encryption_key
    signature_key = r.opaque()
    credential_type = r.uint(2)
    # Credential (§5.3): basic carries one identity<V>, x509 one certificates<V>: either way
    # one length-prefixed field.
    body = r.opaque()
    identity = body if credential_type == _BASIC else b""
    for _ in range(5):  # Capabilities: versions, cipher_suites, extensions, proposals, credentials
        r.opaque()
    source = r.uint(1)
    if source == _KEY_PACKAGE_SOURCE:
        r.take(16)  # Lifetime: not_before, not_after
    elif source == _COMMIT_SOURCE:
        r.opaque()  # parent_hash
    r.opaque()  # extensions
    r.opaque()  # signature
    return Leaf(index, credential_type, identity, signature_key)


def read_tree_leaves(tree: bytes) -> tuple[int, list[Leaf]]:
    """The number of leaves of the tree and its occupied leaves, from a serialised
    ``ratchet_tree`` (§12.4.3.3): node i is leaf i / 2 when i is even (§4.2)."""
    outer = _Reader(tree)
    r = _Reader(outer.opaque())
    if not outer.done():
        raise WireError("bytes after the ratchet tree")
    leaves: list[Leaf] = []
    node = 0
    while not r.done():
        present = r.uint(1)
        if present == 1:
            node_type = r.uint(1)
            if node_type == _LEAF_NODE and node % 2 == 0:
                leaves.append(_leaf_node(r, node // 2))
            elif node_type == _PARENT_NODE and node % 2 == 1:
                r.opaque()  # encryption_key
                r.opaque()  # parent_hash
                r.opaque()  # unmerged_leaves
            else:
                raise WireError(f"node {node} has type {node_type}")
        elif present != 0:
            raise WireError("optional<Node> presence byte is neither 0 nor 1")
        node += 1
    return (node + 1) // 2, leaves


@dataclass(frozen=True)
class SnapshotView:
    """What the adapter reads from an mls-rs group state."""

    group_id: bytes
    epoch: int
    tree_hash: bytes
    exporter_secret: bytes
    authentication_secret: bytes


_SECRETS = 5  # KeySchedule: exporter, authentication, external, membership key, init


def read_snapshot(state: bytes, signer: bytes, secret_size: int) -> SnapshotView:
    """Read the GroupContext (§8.1) from the front of an mls-rs group state and the
    KeySchedule's first two secrets from its end.

    The end is ``KeySchedule || pending_updates (an empty map: 00) || pending_commit (None:
    00) || signer (opaque)``; the adapter only reads states written with no pending update
    proposals and no pending commit (it applies its own commits at once), so any other tail
    is refused rather than guessed at.
    """
    r = _Reader(state)
    r.uint(2)  # the snapshot's own version
    r.uint(2)  # protocol_version
    r.uint(2)  # cipher_suite
    group_id = r.opaque()
    epoch = r.uint(8)
    tree_hash = r.opaque()

    size_prefix = bytes([secret_size])  # one-byte varint: secret_size < 64
    tail = _signer_field(signer)
    if not state.endswith(b"\x00\x00" + tail):
        raise WireError("group state has a pending commit or update, or another signer")
    end = len(state) - len(tail) - 2
    start = end - _SECRETS * (1 + secret_size)
    secrets = []
    for k in range(_SECRETS):
        field = state[start + k * (1 + secret_size) : start + (k + 1) * (1 + secret_size)]
        if field[:1] != size_prefix:
            raise WireError("key schedule not where it was expected")
        secrets.append(field[1:])
    return SnapshotView(group_id, epoch, tree_hash, secrets[0], secrets[1])


def _signer_field(signer: bytes) -> bytes:
    n = len(signer)
    if n < 64:
        return bytes([n]) + signer
    if n < 16384:
        return (0x4000 | n).to_bytes(2, "big") + signer
    raise WireError("signer too long")
