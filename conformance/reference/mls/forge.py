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
"""

from __future__ import annotations

from dataclasses import replace

from . import framing, wire
from .crypto import mac
from .group_api import MlsGroupReference, _stream
from .group_send import commit, content_of

__all__ = ["blank_leaf_sender", "wrong_confirmation_tag"]


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
