"""A member that sends (RFC 9420 §11-§12): creating a group, proposing, and committing with
or without an UpdatePath, with the Welcome for the members a commit adds. It completes
:mod:`.group`, whose :class:`~.group.Member` receives; every random choice (leaf and path
secrets, HPKE ephemerals through the Toolkit's HPKE, reuse guards, padding) is drawn from the
``random`` given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from ...errors import InvalidInput
from . import framing, treekem, wire
from .ciphersuites import suite
from .crypto import hash_, mac, ref_hash
from .group import RATCHET_TREE_EXTENSION, Member, Toolkit
from .key_package import signed_leaf_node
from .key_schedule import epoch_secrets
from .ratchet_tree import RatchetTree
from .tls import opaque
from .welcome import seal_welcome, sign_group_info

__all__ = ["Committed", "commit", "content_of", "create", "frame", "propose", "update_proposal"]

Random = Callable[[int], bytes]


def create(
    kit: Toolkit,
    key_package: wire.KeyPackage,
    encryption_priv: bytes,
    signature_priv: bytes,
    group_id: bytes,
    external_psks: Mapping[bytes, bytes],
    random: Random,
    extensions: tuple[wire.Extension, ...] = (),
) -> Member:
    """A one-member group at epoch 0 (§11): the creator's leaf, an empty confirmed transcript
    hash, and the key schedule from a random init_secret (§8: epoch 0 starts from one)."""
    cs = suite(key_package.cipher_suite)
    tree = RatchetTree(cs, [wire.Node(key_package.leaf_node)])
    context = wire.GroupContext(
        wire.MLS10, cs.code, group_id, 0, tree.root_tree_hash(), b"", extensions
    )
    secrets = epoch_secrets(cs, random(cs.nh), bytes(cs.nh), bytes(cs.nh), context.encode())
    # §8.2: interim_transcript_hash_[0] = "" (the confirmation tag of epoch 0 is not sent).
    tag = mac(cs, secrets.confirmation_key, b"")
    return Member(
        kit=kit,
        cs=cs,
        context=context,
        tree=tree,
        leaf_index=0,
        encryption_priv=encryption_priv,
        path_secrets={},
        secrets=secrets,
        interim_transcript_hash=hash_(cs, b"" + opaque(tag)),
        external_psks=external_psks,
        signature_priv=signature_priv,
    )


def _next_generation(member: Member, handshake: bool) -> int:
    generation = member.generations.get(handshake, 0)
    member.generations[handshake] = generation + 1
    return generation


def frame(
    member: Member,
    content: wire.FramedContent,
    signature: bytes,
    confirmation_tag: bytes | None,
    wire_format: int,
    random: Random,
) -> bytes:
    """The MLSMessage carrying ``content`` in the current epoch: a PublicMessage with its
    membership tag, or a PrivateMessage at the next generation of the member's ratchet."""
    auth = wire.FramedContentAuthData(signature, confirmation_tag)
    context = member.context.encode()
    if wire_format == wire.WF_PUBLIC:
        tag = framing.membership_tag(
            member.cs, member.secrets.membership_key, content, auth, context
        )
        return wire.MlsMessage(wire.PublicMessage(content, auth, tag)).encode()
    assert member.receiver is not None
    sent = framing.protect_private(
        member.receiver.group,
        member.kit.signatures,
        member.kit.aead,
        member.signature_priv,
        content,
        confirmation_tag,
        _next_generation(member, content.content_type != wire.APPLICATION),
        random(framing.REUSE_GUARD_SIZE),
        random(1)[0] % 16,
        signature,
    )
    return wire.MlsMessage(sent).encode()


def content_of(member: Member, content_type: int, body: wire.Content) -> wire.FramedContent:
    return wire.FramedContent(
        member.context.group_id,
        member.context.epoch,
        wire.Sender(wire.MEMBER, member.leaf_index),
        b"",
        content_type,
        body,
    )


def propose(member: Member, proposal: wire.Proposal, wire_format: int, random: Random) -> bytes:
    """A proposal by this member (§12.1), kept in its own cache for a commit to reference."""
    content = content_of(member, wire.PROPOSAL, proposal)
    signature = framing.sign_content(
        member.cs,
        member.kit.signatures,
        member.signature_priv,
        wire_format,
        content,
        member.context.encode(),
    )
    message = frame(member, content, signature, None, wire_format, random)
    auth = wire.FramedContentAuthData(signature, None)
    ref = ref_hash(
        member.cs,
        b"MLS 1.0 Proposal Reference",
        framing.authenticated_content(wire_format, content, auth),
    )
    member.proposals[ref] = (proposal, content.sender)
    return message


def update_proposal(member: Member, random: Random) -> wire.Proposal:
    """An Update of the member's own leaf (§12.1.2): a fresh encryption key, source update;
    the private key waits in ``pending_update`` for the commit."""
    cs, old = member.cs, member.tree.leaf(member.leaf_index)
    assert old is not None
    priv, pub = member.kit.hpke.derive_key_pair(cs.kem_id, random(cs.nh))
    leaf = signed_leaf_node(
        cs,
        member.kit.signatures,
        member.signature_priv,
        encryption_key=pub,
        signature_key=old.signature_key,
        identity=old.credential.identity,
        source=wire.SOURCE_UPDATE,
        group_id=member.context.group_id,
        leaf_index=member.leaf_index,
    )
    member.pending_update = (priv, leaf)
    return wire.Proposal(wire.Update(leaf))


@dataclass(frozen=True)
class Committed:
    """A commit as an MLSMessage, and the Welcome (an MLSMessage) for the members it adds."""

    commit: bytes
    welcome: bytes | None


def commit(
    member: Member,
    by_value: Sequence[wire.Proposal],
    by_reference: Sequence[bytes],
    *,
    path: bool,
    wire_format: int,
    random: Random,
    ratchet_tree_in_welcome: bool = True,
    checked: bool = True,
) -> Committed:
    """Commit proposals (§12.4): ``by_value`` sent inside the commit, ``by_reference`` named
    by their ProposalRefs, with an UpdatePath when ``path``. The member moves to the next
    epoch; the Welcome carries the ratchet_tree extension unless told otherwise. ``checked``
    False adds members that lack the group's required capabilities (§12.2), to make a group
    a joiner must refuse."""
    cs = member.cs
    items = [wire.ProposalOrRef(proposal=p) for p in by_value] + [
        wire.ProposalOrRef(reference=r) for r in by_reference
    ]
    sender = wire.Sender(wire.MEMBER, member.leaf_index)
    resolved = [(p, sender) for p in by_value] + [member.proposals[r] for r in by_reference]
    tree, extensions, added = member.apply_proposals(resolved, checked=checked)
    adds = [p.body.key_package for p, _ in resolved if isinstance(p.body, wire.Add)]

    commit_secret, update_path = bytes(cs.nh), None
    # Without a path the member keeps what it holds (only Adds and PSKs commit without one,
    # and they blank no node); with one, its new direct path replaces it.
    path_secrets = dict(member.path_secrets)
    leaf_priv = member.encryption_priv
    if path:
        made = treekem.encapsulate(
            tree,
            member.kit.signatures,
            member.kit.hpke,
            random,
            member.provisional(extensions),
            member.leaf_index,
            member.signature_priv,
            random(cs.nh),
            excluded=frozenset(added),
        )
        tree, commit_secret, update_path = made.tree, made.commit_secret, made.update_path
        path_secrets, leaf_priv = made.path_secrets, made.leaf_priv
    elif any(not isinstance(p.body, (wire.Add, wire.PreSharedKey)) for p, _ in resolved):
        raise InvalidInput("these proposals need an UpdatePath (§12.4)")

    content = content_of(member, wire.COMMIT, wire.Commit(tuple(items), update_path))
    signature = framing.sign_content(
        cs,
        member.kit.signatures,
        member.signature_priv,
        wire_format,
        content,
        member.context.encode(),
    )
    psks = [member.psk(p.body.psk) for p, _ in resolved if isinstance(p.body, wire.PreSharedKey)]
    context, secrets, joiner = member.next_epoch(
        wire_format,
        content,
        signature,
        tree,
        extensions,
        commit_secret,
        psks,
        member.secrets.init_secret,
    )
    tag = mac(cs, secrets.confirmation_key, context.confirmed_transcript_hash)
    message = frame(member, content, signature, tag, wire_format, random)

    welcome = None
    if adds:
        if psks:
            raise InvalidInput("the reference's Welcome carries no PSKs: commit them apart")
        info_extensions = (
            (wire.Extension(RATCHET_TREE_EXTENSION, tree.encode()),)
            if ratchet_tree_in_welcome
            else ()
        )
        info = sign_group_info(
            cs,
            member.kit.signatures,
            member.signature_priv,
            context,
            info_extensions,
            tag,
            member.leaf_index,
        )
        sealed: list[wire.EncryptedGroupSecrets] = []
        for kp, leaf in zip(adds, added, strict=True):
            secret = _joiner_path_secret(tree, member.leaf_index, leaf, path_secrets)
            w = seal_welcome(cs, member.kit.hpke, member.kit.aead, info, joiner, [kp], secret)
            sealed.extend(w.secrets)
        first = seal_welcome(cs, member.kit.hpke, member.kit.aead, info, joiner, [], None)
        welcome = wire.MlsMessage(replace(first, secrets=tuple(sealed))).encode()

    member.enter(context, tree, path_secrets, leaf_priv, secrets, tag)
    return Committed(message, welcome)


def _joiner_path_secret(
    tree: RatchetTree, committer: int, joiner: int, path_secrets: Mapping[int, bytes]
) -> bytes | None:
    """The path secret of the lowest node of the committer's filtered direct path above the
    joiner (§12.4.3.1), None without a path."""
    if not path_secrets:
        return None
    for node in tree.filtered_direct_path(committer):
        if joiner in tree.subtree_leaves(node):
            return path_secrets[node]
    return None
