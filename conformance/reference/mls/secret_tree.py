"""The secret tree (RFC 9420 §9) and the sender-data keys of a PrivateMessage (§6.3.2)."""

from __future__ import annotations

from ...errors import InvalidInput
from . import treemath
from .ciphersuites import CipherSuite
from .crypto import derive_tree_secret, expand_with_label

__all__ = ["leaf_keys", "ratchet", "sender_data_keys", "tree_node_secret"]

#: A generation is a uint32 (§9.1); the reference refuses one above 2^20 (InvalidInput) so that
#: a call costs at most about a million HKDF-Expand calls.
MAX_GENERATION = 1 << 20


def sender_data_keys(
    cs: CipherSuite, sender_data_secret: bytes, ciphertext: bytes
) -> tuple[bytes, bytes]:
    """sender_data_key and sender_data_nonce (§6.3.2): ExpandWithLabel(sender_data_secret,
    "key" / "nonce", ciphertext_sample, AEAD.Nk / AEAD.Nn), the sample being the first KDF.Nh
    bytes of the ciphertext (the whole of a shorter one)."""
    sample = ciphertext[: cs.nh]
    key = expand_with_label(cs, sender_data_secret, b"key", sample, cs.nk)
    nonce = expand_with_label(cs, sender_data_secret, b"nonce", sample, cs.nn)
    return key, nonce


def tree_node_secret(cs: CipherSuite, encryption_secret: bytes, n_leaves: int, node: int) -> bytes:
    """tree_node_[node]_secret (§9): encryption_secret at the root, then ExpandWithLabel(
    parent secret, "tree", "left" / "right", KDF.Nh) down to ``node``."""
    path = []
    x: int | None = node
    while x is not None:
        path.append(x)
        x = treemath.parent(x, n_leaves)
    secret = encryption_secret
    for parent, child in zip(reversed(path), reversed(path[:-1]), strict=False):
        side = b"left" if child < parent else b"right"
        secret = expand_with_label(cs, secret, b"tree", side, cs.nh)
    return secret


def ratchet(cs: CipherSuite, secret: bytes, generation: int) -> tuple[bytes, bytes]:
    """The key and nonce at ``generation`` of the ratchet starting at ``secret`` (§9.1):
    key = DeriveTreeSecret(secret_j, "key", j, AEAD.Nk), nonce = DeriveTreeSecret(secret_j,
    "nonce", j, AEAD.Nn), secret_{j+1} = DeriveTreeSecret(secret_j, "secret", j, KDF.Nh)."""
    if generation < 0 or generation > MAX_GENERATION:
        raise InvalidInput(f"generation {generation}: the reference ratchets up to 2^20")
    for j in range(generation):
        secret = derive_tree_secret(cs, secret, b"secret", j, cs.nh)
    key = derive_tree_secret(cs, secret, b"key", generation, cs.nk)
    nonce = derive_tree_secret(cs, secret, b"nonce", generation, cs.nn)
    return key, nonce


def leaf_keys(
    cs: CipherSuite, encryption_secret: bytes, n_leaves: int, leaf: int, generation: int
) -> tuple[tuple[bytes, bytes], tuple[bytes, bytes]]:
    """((handshake key, nonce), (application key, nonce)) of ``leaf`` at ``generation``
    (§9.1): the leaf's tree secret (node 2 * leaf) starts the ratchets through
    ExpandWithLabel(leaf secret, "handshake" / "application", "", KDF.Nh)."""
    if leaf < 0 or leaf >= n_leaves:
        raise InvalidInput(f"leaf {leaf} is outside a tree of {n_leaves} leaves")
    secret = tree_node_secret(cs, encryption_secret, n_leaves, 2 * leaf)
    handshake = expand_with_label(cs, secret, b"handshake", b"", cs.nh)
    application = expand_with_label(cs, secret, b"application", b"", cs.nh)
    return ratchet(cs, handshake, generation), ratchet(cs, application, generation)
