"""Commits an insider forges (RFC 9420 §6.1, §6.2, §12.4.2), for the group safety properties
(:mod:`conformance.properties.mls`): a member the suite runs on its own reference holds the
epoch's membership_key and its own signature key, so it can make PublicMessage commits whose
membership tag (§6.2) is valid although something a receiver must check is not.

* :func:`wrong_confirmation_tag`: an empty commit with a valid UpdatePath, signed by the insider,
  whose confirmation_tag is flipped and whose membership tag is recomputed over it (the
  signature does not cover the tag, §6.1), so only the check of §12.4.2 ("verify that the
  confirmation_tag ... is valid") stands in the way.
* :func:`blank_leaf_sender`: a commit sent as from a removed member's leaf (now blank), signed
  with that member's old signature key, with a membership tag for the current epoch and a
  confirmation tag computed as a receiver would (an Add by value, so no UpdatePath is needed,
  §12.4): only "verify that the sender is a member" (§12.4.2, §6.1's leaf lookup) refuses it.

Both work on a copy of the insider's state: the insider itself stays where it was.

For the low-order key attacks (issue 20, :mod:`conformance.attacks.mls_low_order`), public
keys an attacker chooses where the reference would derive them, every signature still valid
(the insider signs with its own key):

* :func:`key_package_with_keys`: a KeyPackage (§10) whose init_key or leaf encryption_key is
  given, and whose capabilities may list more credential types than basic.
* :func:`update_with_keys`: the insider's own update (an empty commit with an UpdatePath,
  §12.4) in which the public key of a node of its filtered direct path, or of its leaf, is
  given (§7.6): the parent hashes (§7.9) and the leaf's signature cover the given keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import cast

from ...capabilities.mls_group import MlsCommitted, MlsKeyPackageMade
from . import framing, wire
from .ciphersuites import suite
from .crypto import Hpke, mac, sign_with_label
from .group import Toolkit
from .group_api import MlsGroupReference, _Pending, _stream
from .group_send import commit, content_of
from .hpke_binding import ReferenceHpke
from .key_package import key_package, signed_leaf_node

__all__ = [
    "blank_leaf_sender",
    "key_package_with_keys",
    "update_with_keys",
    "wrong_confirmation_tag",
]

#: An HPKE key pair as the reference holds it: (private key, public key).
KeyPair = tuple[bytes, bytes]


def wrong_confirmation_tag(ref: MlsGroupReference, member: bytes, random: bytes) -> bytes:
    """An MLSMessage (PublicMessage): the insider's empty commit with an UpdatePath whose
    confirmation tag has its first bit flipped; signature and membership tag valid."""
    m = ref._member(member, random)
    context = m.context.encode()
    membership_key = m.secrets.membership_key
    done = commit(m, [], [], path=True, wire_format=wire.WF_PUBLIC, random=_stream(random))
    msg = wire.decode(wire.MlsMessage.read, done.commit, "commit")
    body = msg.body
    assert isinstance(body, wire.PublicMessage)
    assert body.auth.confirmation_tag is not None
    tag = body.auth.confirmation_tag
    auth = replace(body.auth, confirmation_tag=bytes([tag[0] ^ 0x80]) + tag[1:])
    # The membership tag covers the auth data (§6.2): recomputed with the epoch's key the
    # sender held, so it is valid over the wrong confirmation tag.
    membership = framing.membership_tag(m.cs, membership_key, body.content, auth, context)
    return wire.MlsMessage(wire.PublicMessage(body.content, auth, membership)).encode()


def blank_leaf_sender(
    ref: MlsGroupReference,
    member: bytes,
    blank_leaf: int,
    signature_priv: bytes,
    key_package: bytes,
) -> bytes:
    """An MLSMessage (PublicMessage): a commit adding ``key_package`` by value, its sender
    the blank leaf ``blank_leaf``, signed with ``signature_priv`` (the removed member's key),
    its membership tag and confirmation tag those of the insider's current epoch."""
    m = ref._member(member)
    if not 0 <= blank_leaf < m.tree.n_leaves or m.tree.leaf(blank_leaf) is not None:
        raise ValueError(f"leaf {blank_leaf} is not a blank leaf of the tree")
    kp = wire.decode(wire.MlsMessage.read, key_package, "key package").body
    assert isinstance(kp, wire.KeyPackage)
    proposal = wire.Proposal(wire.Add(kp))
    content = replace(
        content_of(m, wire.COMMIT, wire.Commit((wire.ProposalOrRef(proposal=proposal),), None)),
        sender=wire.Sender(wire.MEMBER, blank_leaf),
    )
    context = m.context.encode()
    signature = framing.sign_content(
        m.cs, m.kit.signatures, signature_priv, wire.WF_PUBLIC, content, context
    )
    # The epoch a receiver that took the sender for a member would compute (§8, §12.4.2), so
    # the confirmation tag is right and only the sender's membership is wrong.
    tree, extensions, _ = m.apply_proposals([(proposal, content.sender)])
    next_context, secrets, _ = m.next_epoch(
        wire.WF_PUBLIC,
        content,
        signature,
        tree,
        extensions,
        bytes(m.cs.nh),
        [],
        m.secrets.init_secret,
    )
    tag = mac(m.cs, secrets.confirmation_key, next_context.confirmed_transcript_hash)
    auth = wire.FramedContentAuthData(signature, tag)
    membership = framing.membership_tag(m.cs, m.secrets.membership_key, content, auth, context)
    return wire.MlsMessage(wire.PublicMessage(content, auth, membership)).encode()


def key_package_with_keys(
    ref: MlsGroupReference,
    cipher_suite: int,
    identity: bytes,
    signature_priv: bytes,
    random: bytes,
    *,
    init: KeyPair | None = None,
    encryption: KeyPair | None = None,
    credential_types: tuple[int, ...] = (wire.BASIC,),
) -> MlsKeyPackageMade:
    """:meth:`MlsGroupReference.mls_key_package`, with ``init`` as the init key pair and
    ``encryption`` as the leaf's encryption key pair where given (drawn as usual otherwise),
    and the leaf's capabilities listing ``credential_types`` (§7.2). Leaf node and key package
    are signed with ``signature_priv`` (§7.2, §10); the client joins with the private keys
    given (the reference calls its HPKE with them)."""
    cs = suite(cipher_suite)
    draw = _stream(random)
    derive = ReferenceHpke(random=draw).derive_key_pair
    signature_pub = ref._sig.public_key(cs.signature, signature_priv)
    enc_priv, enc_pub = encryption or derive(cs.kem_id, draw(cs.nh))
    init_priv, init_pub = init or derive(cs.kem_id, draw(cs.nh))
    leaf = signed_leaf_node(
        cs,
        ref._sig,
        signature_priv,
        encryption_key=enc_pub,
        signature_key=signature_pub,
        identity=identity,
    )
    if tuple(leaf.capabilities.credentials) != tuple(credential_types):
        unsigned = replace(
            leaf,
            capabilities=replace(leaf.capabilities, credentials=tuple(credential_types)),
            signature=b"",
        )
        tbs = unsigned.tbs(b"", 0)
        leaf = replace(
            unsigned, signature=sign_with_label(cs, ref._sig, signature_priv, b"LeafNodeTBS", tbs)
        )
    kp = key_package(cs, ref._sig, signature_priv, init_pub, leaf)
    handle = ref._keep(_Pending(cs, kp, signature_priv, init_priv, enc_priv))
    return MlsKeyPackageMade(member=handle, key_package=wire.MlsMessage(kp).encode())


class _Substituting:
    """The member's HPKE, except that the ``n``-th DeriveKeyPair of the commit returns the key
    pair given for ``n``. treekem.encapsulate derives the node key pairs of the filtered direct
    path bottom up, then the leaf's (§7.4, §12.4.2): positions 0..len - 1, then len."""

    def __init__(self, inner: Hpke, pairs: Mapping[int, KeyPair]) -> None:
        self._inner = inner
        self._pairs = dict(pairs)
        self._calls = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def derive_key_pair(self, kem_id: int, ikm: bytes) -> KeyPair:
        n, self._calls = self._calls, self._calls + 1
        derived = self._inner.derive_key_pair(kem_id, ikm)
        return self._pairs.get(n, derived)


def update_with_keys(
    ref: MlsGroupReference,
    member: bytes,
    wire_format: int,
    random: bytes,
    *,
    nodes: Mapping[int, KeyPair] | None = None,
    leaf: KeyPair | None = None,
) -> MlsCommitted:
    """:meth:`MlsGroupReference.mls_update` with chosen key pairs in the UpdatePath: ``nodes``
    maps a position in the member's filtered direct path (0 the lowest) to the pair put there
    instead of the one its path secret derives (§7.4); ``leaf`` replaces the leaf's fresh pair.
    The path secrets are encrypted as usual (to the copath resolutions, §7.6), so a receiver
    that derives a replaced node's key from its path secret sees the difference (§12.4.2)."""
    m = ref._member(member, random)
    length = len(m.tree.filtered_direct_path(m.leaf_index))
    pairs = dict(nodes or {})
    if any(not 0 <= i < length for i in pairs):
        raise ValueError(f"a filtered direct path of {length} nodes")
    if leaf is not None:
        pairs[length] = leaf
    filtered = m.tree.filtered_direct_path(m.leaf_index)
    m.kit = Toolkit(m.kit.signatures, cast(Hpke, _Substituting(m.kit.hpke, pairs)), m.kit.aead)
    done = commit(m, [], [], path=True, wire_format=wire_format, random=_stream(random))
    # The keys went where they were meant to (encapsulate's order of derivation held).
    for i, (_, pub) in (nodes or {}).items():
        assert m.tree.encryption_key(filtered[i]) == pub
    if leaf is not None:
        placed = m.tree.leaf(m.leaf_index)
        assert placed is not None
        assert placed.encryption_key == leaf[1]
    return MlsCommitted(member=ref._keep(m), commit=done.commit, welcome=done.welcome or b"")
