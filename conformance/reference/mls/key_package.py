"""Signed leaf nodes (RFC 9420 §7.2) and key packages (§10), as a member makes them: the
vector generator and the tests build the groups they frame and welcome into with these."""

from __future__ import annotations

from .ciphersuites import CipherSuite
from .crypto import Signatures, ref_hash, sign_with_label
from .wire import (
    BASIC,
    MLS10,
    SOURCE_KEY_PACKAGE,
    Capabilities,
    Credential,
    Extension,
    KeyPackage,
    LeafNode,
    Lifetime,
)

__all__ = ["basic_capabilities", "key_package", "key_package_ref", "signed_leaf_node"]

#: A lifetime that never expires (§7.2: not_before 0, not_after 2^64 - 1).
FOREVER = Lifetime(0, (1 << 64) - 1)


def basic_capabilities(cs: CipherSuite) -> Capabilities:
    """mls10, the one cipher suite, no extension or proposal beyond the defaults, basic
    credentials (§7.2)."""
    return Capabilities((MLS10,), (cs.code,), (), (), (BASIC,))


def signed_leaf_node(
    cs: CipherSuite,
    sig: Signatures,
    signature_priv: bytes,
    *,
    encryption_key: bytes,
    signature_key: bytes,
    identity: bytes,
    source: int = SOURCE_KEY_PACKAGE,
    parent_hash: bytes = b"",
    extensions: tuple[Extension, ...] = (),
    group_id: bytes = b"",
    leaf_index: int = 0,
) -> LeafNode:
    """A LeafNode with a basic credential, signed over LeafNodeTBS (§7.2): sources update and
    commit bind ``group_id`` and ``leaf_index``."""
    unsigned = LeafNode(
        encryption_key,
        signature_key,
        Credential(BASIC, identity=identity),
        basic_capabilities(cs),
        source,
        FOREVER if source == SOURCE_KEY_PACKAGE else None,
        parent_hash,
        extensions,
        b"",
    )
    tbs = unsigned.tbs(group_id, leaf_index)
    signature = sign_with_label(cs, sig, signature_priv, b"LeafNodeTBS", tbs)
    return LeafNode(
        unsigned.encryption_key,
        unsigned.signature_key,
        unsigned.credential,
        unsigned.capabilities,
        unsigned.leaf_node_source,
        unsigned.lifetime,
        unsigned.parent_hash,
        unsigned.extensions,
        signature,
    )


def key_package(
    cs: CipherSuite,
    sig: Signatures,
    signature_priv: bytes,
    init_key: bytes,
    leaf_node: LeafNode,
    extensions: tuple[Extension, ...] = (),
) -> KeyPackage:
    """A KeyPackage (§10) signed over KeyPackageTBS."""
    unsigned = KeyPackage(MLS10, cs.code, init_key, leaf_node, extensions, b"")
    signature = sign_with_label(cs, sig, signature_priv, b"KeyPackageTBS", unsigned.tbs())
    return KeyPackage(MLS10, cs.code, init_key, leaf_node, extensions, signature)


def key_package_ref(cs: CipherSuite, kp: KeyPackage) -> bytes:
    """KeyPackageRef = RefHash("MLS 1.0 KeyPackage Reference", KeyPackage) (§5.2)."""
    return ref_hash(cs, b"MLS 1.0 KeyPackage Reference", kp.encode())
