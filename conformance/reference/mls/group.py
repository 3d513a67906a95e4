"""A member's view of a group (RFC 9420 §8, §11-§12): joining by Welcome (§12.4.3.1) and
following the group's proposals and commits (§12.1-§12.4.2), as a passive client does
(mlswg/mls-implementations test-vectors.md, "Passive Client").

:func:`join` makes a :class:`Member`; :meth:`Member.process` moves it through the group's
messages. This module decides the order proposals apply in (§12.3), the PSKs a commit uses
(§8.4), the transcript hashes (§8.2), the next epoch's key schedule (§8), external commits
(§12.4.3.2, §8.3) and the resumption PSKs a member keeps (§8.6); the tree, TreeKEM, framing
and Welcome are :mod:`.ratchet_tree`, :mod:`.treekem`, :mod:`.framing` and :mod:`.welcome`.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ...errors import AuthenticationFailed, InvalidMessage, Unsupported
from . import framing, treekem, wire
from .aead import Aead
from .ciphersuites import CipherSuite, suite
from .crypto import (
    Hpke,
    Signatures,
    expand_with_label,
    extract,
    hash_,
    mac,
    ref_hash,
    verify_with_label,
)
from .key_schedule import EpochSecrets, epoch_secrets_from_joiner, external_key_pair
from .protocol_tree import apply_proposal
from .psk import psk_secret
from .ratchet_tree import RatchetTree
from .tls import opaque, uint16
from .welcome import open_welcome, verify_group_info

__all__ = ["Member", "RemovedFromGroup", "Toolkit", "join"]

#: §12.4.3.3 and §12.1.8.1: the ratchet_tree extension (in a GroupInfo) and external_senders
#: (in the GroupContext).
RATCHET_TREE_EXTENSION = 2
EXTERNAL_SENDERS_EXTENSION = 5
#: §11.1: the required_capabilities extension of the GroupContext.
REQUIRED_CAPABILITIES_EXTENSION = 3
#: §8.4 ResumptionPSKUsage application.
RESUMPTION_APPLICATION = 1
#: §8.3: the exporter label of the external init secret.
EXTERNAL_INIT_LABEL = b"MLS 1.0 external init secret"


class RemovedFromGroup(Exception):
    """The commit a member processed removes it (§12.1.3): it is no longer in the group."""


@dataclass(frozen=True)
class Toolkit:
    """The primitives a member computes with."""

    signatures: Signatures
    hpke: Hpke
    aead: Aead


@dataclass
class Member:
    """One member's state in one epoch of a group."""

    kit: Toolkit
    cs: CipherSuite
    context: wire.GroupContext
    tree: RatchetTree
    leaf_index: int
    encryption_priv: bytes
    #: Path secrets this member holds, by parent node index (§7.4).
    path_secrets: dict[int, bytes]
    secrets: EpochSecrets
    interim_transcript_hash: bytes
    external_psks: Mapping[bytes, bytes]
    #: resumption_psk of every epoch this member was in (§8.6), by epoch.
    resumption_psks: dict[int, bytes] = field(default_factory=dict)
    #: Proposals received in this epoch, by ProposalRef (§5.2), with their sender.
    proposals: dict[bytes, tuple[wire.Proposal, wire.Sender]] = field(default_factory=dict)
    receiver: framing.Receiver | None = None
    #: What sending needs (:mod:`.group_send`): the signature key, the next generation of the
    #: member's handshake and application ratchets in this epoch, and the leaf private key of
    #: an Update it proposed and nobody committed yet.
    signature_priv: bytes = b""
    generations: dict[bool, int] = field(default_factory=dict)
    pending_update: tuple[bytes, wire.LeafNode] | None = None
    #: §12.4's rule that an empty commit carries a path; False only for a test's member that
    #: follows a peer breaking it (tests/mls_breaks.py), so that the breach is judged by what
    #: it lets a thief read rather than refused on receipt.
    empty_commits_need_a_path: bool = True

    def __post_init__(self) -> None:
        self.resumption_psks[self.context.epoch] = self.secrets.resumption_psk
        self.receiver = self.new_receiver()

    @property
    def epoch_authenticator(self) -> bytes:
        return self.secrets.epoch_authenticator

    def new_receiver(self) -> framing.Receiver:
        """A framing receiver for this epoch: its secrets and every member's signature key."""
        keys = {
            i: leaf.signature_key
            for i in self.tree.non_blank_leaves()
            if (leaf := self.tree.leaf(i))
        }
        epoch = framing.Epoch(
            self.cs,
            self.context.group_id,
            self.context.epoch,
            self.context.encode(),
            self.secrets.encryption_secret,
            self.secrets.sender_data_secret,
            self.secrets.membership_key,
            self.tree.n_leaves,
            keys,
        )
        return framing.Receiver(epoch, self.kit.signatures, self.kit.aead)

    # --- receiving ------------------------------------------------------------------------

    def process(self, message: bytes) -> None:
        """Process one MLSMessage of this epoch: a proposal is kept for the commit that
        references it; a commit moves the member to the next epoch."""
        msg = wire.decode(wire.MlsMessage.read, message, "MLSMessage")
        body = msg.body
        if isinstance(body, wire.PublicMessage):
            content, auth = self._verify_public(body)
        elif isinstance(body, wire.PrivateMessage):
            assert self.receiver is not None
            content, auth = self.receiver.unprotect(msg)
        else:
            raise InvalidMessage("a group member receives PublicMessages and PrivateMessages")
        if content.content_type == wire.PROPOSAL:
            assert isinstance(content.content, wire.Proposal)
            ref = ref_hash(
                self.cs,
                b"MLS 1.0 Proposal Reference",
                framing.authenticated_content(msg.wire_format, content, auth),
            )
            self.proposals[ref] = (content.content, content.sender)
        elif content.content_type == wire.COMMIT:
            self._commit(msg.wire_format, content, auth)
        else:
            raise InvalidMessage("a passive client is given an application message")

    def _verify_public(
        self, message: wire.PublicMessage
    ) -> tuple[wire.FramedContent, wire.FramedContentAuthData]:
        """§6.2: a member's PublicMessage goes through the framing receiver (membership tag and
        signature); an external sender's or a new member's is verified here with the key
        §6.1 names for it (no membership tag)."""
        content = message.content
        if content.sender.sender_type == wire.MEMBER:
            assert self.receiver is not None
            return self.receiver.unprotect(wire.MlsMessage(message))
        if content.group_id != self.context.group_id or content.epoch != self.context.epoch:
            raise InvalidMessage("a message of another group or epoch")
        if content.content_type == wire.APPLICATION:
            raise InvalidMessage("application data in a PublicMessage (§6.2)")
        tbs = framing.framed_content_tbs(wire.WF_PUBLIC, content, self.context.encode())
        verify_with_label(
            self.cs,
            self.kit.signatures,
            self._non_member_key(content),
            b"FramedContentTBS",
            tbs,
            message.auth.signature,
        )
        return content, message.auth

    def _non_member_key(self, content: wire.FramedContent) -> bytes:
        """The signature key of an external sender, a new member's proposal or an external
        commit (§6.1)."""
        sender, body = content.sender, content.content
        if sender.sender_type == wire.EXTERNAL:
            senders = _external_senders(self.context)
            if sender.index >= len(senders):
                raise InvalidMessage(f"no external sender {sender.index}")
            return senders[sender.index]
        if sender.sender_type == wire.NEW_MEMBER_COMMIT and isinstance(body, wire.Commit):
            if body.path is None:
                raise InvalidMessage("an external commit without a path (§12.4.3.2)")
            return body.path.leaf_node.signature_key
        if sender.sender_type == wire.NEW_MEMBER_PROPOSAL and isinstance(body, wire.Proposal):
            if not isinstance(body.body, wire.Add):
                raise InvalidMessage("a new member's proposal that is not an Add")
            return body.body.key_package.leaf_node.signature_key
        raise InvalidMessage(f"sender type {sender.sender_type} with this content")

    # --- commits (§12.4.2) ----------------------------------------------------------------

    def _resolve(
        self, commit: wire.Commit, committer: wire.Sender
    ) -> list[tuple[wire.Proposal, wire.Sender]]:
        out = []
        for item in commit.proposals:
            if item.proposal is not None:
                out.append((item.proposal, committer))
                continue
            found = self.proposals.get(item.reference)
            if found is None:
                raise InvalidMessage("the commit references a proposal this member never saw")
            out.append(found)
        return out

    def apply_proposals(
        self, proposals: list[tuple[wire.Proposal, wire.Sender]], *, checked: bool = True
    ) -> tuple[RatchetTree, tuple[wire.Extension, ...], list[int]]:
        """§12.3: GroupContextExtensions, then every Update, Remove and Add in that order (the
        removes truncate the tree, §7.7); the tree after them, the extensions, and the leaves
        the Adds took."""
        tree = self.tree.copy()
        extensions = self.context.extensions
        for proposal, _ in proposals:
            if isinstance(proposal.body, wire.GroupContextExtensions):
                extensions = proposal.body.extensions
        for kind in (wire.Update, wire.Remove):
            for proposal, sender in proposals:
                if not isinstance(proposal.body, kind):
                    continue
                # This member's own Update, committed by another (§12.1.2): its new leaf key
                # takes over from the old one.
                if (
                    isinstance(proposal.body, wire.Update)
                    and sender.index == self.leaf_index
                    and (
                        self.pending_update is None
                        or self.pending_update[1] != proposal.body.leaf_node
                    )
                ):
                    raise InvalidMessage("an Update of this member's leaf it did not send")
                if isinstance(proposal.body, wire.Remove) and (
                    proposal.body.removed == self.leaf_index
                ):
                    raise RemovedFromGroup("this member is removed")
                member = sender.index if sender.sender_type == wire.MEMBER else None
                apply_proposal(tree, proposal, member)
        added = []
        for proposal, _ in proposals:
            if isinstance(proposal.body, wire.Add):
                # §12.2: an added member must support the group's required capabilities
                # (``checked`` False only to make an invalid group on purpose).
                if checked:
                    check_capabilities(extensions, proposal.body.key_package.leaf_node)
                added.append(tree.add_leaf(proposal.body.key_package.leaf_node))
        return tree, extensions, added

    def _commit(
        self, wire_format: int, content: wire.FramedContent, auth: wire.FramedContentAuthData
    ) -> None:
        commit = content.content
        assert isinstance(commit, wire.Commit)
        cs, committer = self.cs, content.sender
        proposals = self._resolve(commit, committer)
        tree, extensions, added = self.apply_proposals(proposals)
        external = committer.sender_type == wire.NEW_MEMBER_COMMIT
        if external:
            if commit.path is None:
                raise InvalidMessage("an external commit without a path (§12.4.3.2)")
            sender_leaf = tree.add_leaf(commit.path.leaf_node)
        elif committer.sender_type == wire.MEMBER:
            sender_leaf = committer.index
        else:
            raise InvalidMessage(f"a commit from sender type {committer.sender_type}")

        own_update = any(
            isinstance(p.body, wire.Update) and s.index == self.leaf_index for p, s in proposals
        )
        leaf_priv = self.encryption_priv
        if own_update and self.pending_update is not None:
            leaf_priv = self.pending_update[0]
        path_secrets = {x: s for x, s in self.path_secrets.items() if self._still_holds(tree, x, s)}
        commit_secret = bytes(cs.nh)
        if commit.path is not None:
            got = treekem.decapsulate(
                tree,
                self.kit.signatures,
                self.kit.hpke,
                self.provisional(extensions),
                sender_leaf,
                commit.path,
                self.leaf_index,
                leaf_priv,
                path_secrets,
                excluded=frozenset(added),
            )
            tree, commit_secret = got.tree, got.commit_secret
            path_secrets = {x: s for x, s in path_secrets.items() if self._still_holds(tree, x, s)}
            path_secrets.update(got.path_secrets)
        elif not proposals and self.empty_commits_need_a_path:
            # §12.4: "The path field MUST also be populated if the Commit covers no proposals
            # at all": an empty commit is an update, and without a path it changes no secret.
            raise InvalidMessage("an empty commit without a path (§12.4)")
        elif any(
            not isinstance(p.body, (wire.Add, wire.PreSharedKey, wire.ReInit)) for p, _ in proposals
        ):
            # §17.4's "Path Required": Update, Remove, ExternalInit, GroupContextExtensions.
            raise InvalidMessage("a commit without a path whose proposals need one (§12.4)")

        psks = [self.psk(p.body.psk) for p, _ in proposals if isinstance(p.body, wire.PreSharedKey)]
        if external:
            inits = [p.body for p, _ in proposals if isinstance(p.body, wire.ExternalInit)]
            if len(inits) != 1:
                raise InvalidMessage("an external commit needs exactly one ExternalInit")
            external_priv, _ = external_key_pair(cs, self.kit.hpke, self.secrets.external_secret)
            init_secret = self.kit.hpke.receive_export_base(
                cs.kem_id,
                cs.kdf_id,
                cs.aead_id,
                inits[0].kem_output,
                external_priv,
                b"",
                EXTERNAL_INIT_LABEL,
                cs.nh,
            )
        else:
            init_secret = self.secrets.init_secret
        context, secrets, _ = self.next_epoch(
            wire_format, content, auth.signature, tree, extensions, commit_secret, psks, init_secret
        )
        confirmed = context.confirmed_transcript_hash
        if auth.confirmation_tag is None or not hmac.compare_digest(
            mac(cs, secrets.confirmation_key, confirmed), auth.confirmation_tag
        ):
            raise AuthenticationFailed("the commit's confirmation tag does not verify (§6.1)")

        self.enter(context, tree, path_secrets, leaf_priv, secrets, auth.confirmation_tag)

    def provisional(self, extensions: tuple[wire.Extension, ...]) -> treekem.GroupContextFields:
        """What an UpdatePath's GroupContext takes besides the provisional tree hash (§12.4.2):
        the next epoch, the current confirmed transcript hash and the new extensions."""
        return treekem.GroupContextFields(
            self.context.group_id,
            self.context.epoch + 1,
            self.context.confirmed_transcript_hash,
            _extension_vector(extensions),
        )

    def next_epoch(
        self,
        wire_format: int,
        content: wire.FramedContent,
        signature: bytes,
        tree: RatchetTree,
        extensions: tuple[wire.Extension, ...],
        commit_secret: bytes,
        psks: list[tuple[bytes, bytes]],
        init_secret: bytes,
    ) -> tuple[wire.GroupContext, EpochSecrets, bytes]:
        """The epoch a commit makes, as its sender and every receiver compute it: the
        confirmed transcript hash over the commit (§8.2), the next GroupContext, and the key
        schedule from ``init_secret``, the commit secret and the PSKs (§8, §8.4); with the
        joiner_secret, which a Welcome carries."""
        cs = self.cs
        confirmed = hash_(
            cs,
            self.interim_transcript_hash
            + uint16(wire_format)
            + content.encode()
            + opaque(signature),
        )
        context = replace(
            self.context,
            epoch=self.context.epoch + 1,
            tree_hash=tree.root_tree_hash(),
            confirmed_transcript_hash=confirmed,
            extensions=extensions,
        )
        encoded = context.encode()
        joiner = expand_with_label(
            cs, extract(cs, init_secret, commit_secret), b"joiner", encoded, cs.nh
        )
        return context, epoch_secrets_from_joiner(cs, joiner, psk_secret(cs, psks), encoded), joiner

    def enter(
        self,
        context: wire.GroupContext,
        tree: RatchetTree,
        path_secrets: dict[int, bytes],
        leaf_priv: bytes,
        secrets: EpochSecrets,
        confirmation_tag: bytes,
    ) -> None:
        """Move to the epoch of ``context`` (§8.2: the interim transcript hash takes the
        confirmation tag); what belonged to the old epoch (proposals, generations sent, a
        pending Update) goes."""
        self.context, self.tree, self.path_secrets = context, tree, path_secrets
        self.encryption_priv, self.secrets = leaf_priv, secrets
        self.interim_transcript_hash = hash_(
            self.cs, context.confirmed_transcript_hash + opaque(confirmation_tag)
        )
        self.resumption_psks[context.epoch] = secrets.resumption_psk
        self.proposals, self.generations, self.pending_update = {}, {}, None
        self.receiver = self.new_receiver()

    def _still_holds(self, tree: RatchetTree, node: int, path_secret: bytes) -> bool:
        """Whether a path secret still belongs to the node: it is not blank and carries the
        key the secret gives (§7.4)."""
        if node >= len(tree.nodes) or tree.nodes[node] is None:
            return False
        return treekem.node_key_pair(self.cs, self.kit.hpke, path_secret)[1] == (
            tree.encryption_key(node)
        )

    def psk(self, psk_id: wire.PreSharedKeyId) -> tuple[bytes, bytes]:
        """(the serialised PreSharedKeyID, its secret) for psk_secret (§8.4)."""
        if psk_id.psktype == wire.PSK_EXTERNAL:
            secret = self.external_psks.get(psk_id.psk_id)
            if secret is None:
                raise InvalidMessage("an external PSK this member does not hold")
            return psk_id.encode(), secret
        if psk_id.usage != RESUMPTION_APPLICATION or psk_id.psk_group_id != self.context.group_id:
            raise Unsupported("a resumption PSK of another group, or for a reinit or branch")
        secret = self.resumption_psks.get(psk_id.psk_epoch)
        if secret is None:
            raise InvalidMessage(f"no resumption PSK of epoch {psk_id.psk_epoch}")
        return psk_id.encode(), secret


def _required(extensions: tuple[wire.Extension, ...]) -> tuple[tuple[int, ...], ...] | None:
    """The required_capabilities extension (§11.1), None when the GroupContext has none."""
    for ext in extensions:
        if ext.extension_type == REQUIRED_CAPABILITIES_EXTENSION:
            return wire.decode(
                wire.read_required_capabilities, ext.extension_data, "required_capabilities"
            )
    return None


def check_capabilities(extensions: tuple[wire.Extension, ...], leaf: wire.LeafNode) -> None:
    """§7.3: a leaf node is compatible with the group when its capabilities list every
    extension, proposal and credential type the GroupContext's required_capabilities names
    (§11.1); else InvalidMessage."""
    required = _required(extensions)
    if required is None:
        return
    caps = leaf.capabilities
    for wanted, offered, what in zip(
        required,
        (caps.extensions, caps.proposals, caps.credentials),
        ("extension", "proposal", "credential"),
        strict=True,
    ):
        missing = sorted(set(wanted) - set(offered))
        if missing:
            raise InvalidMessage(f"a leaf lacks the required {what} types {missing} (§7.3, §11.1)")


def _extension_vector(extensions: tuple[wire.Extension, ...]) -> bytes:
    return opaque(b"".join(e.encode() for e in extensions))


def _external_senders(context: wire.GroupContext) -> list[bytes]:
    """The signature keys of the external_senders extension (§12.1.8.1)."""
    for ext in context.extensions:
        if ext.extension_type == EXTERNAL_SENDERS_EXTENSION:
            found = wire.decode(wire.read_external_senders, ext.extension_data, "external_senders")
            return [key for key, _ in found]
    return []


# --- joining (§12.4.3.1) --------------------------------------------------------------------------


def join(
    kit: Toolkit,
    key_package: bytes,
    init_priv: bytes,
    encryption_priv: bytes,
    welcome: bytes,
    ratchet_tree: bytes | None,
    external_psks: Mapping[bytes, bytes],
) -> Member:
    """Join by ``welcome`` (an MLSMessage) with the key package (an MLSMessage) whose init
    and leaf HPKE private keys are given; ``ratchet_tree`` when the GroupInfo does not carry
    one. Refuses a tree whose hash is not the GroupInfo's or that is not valid (§7.9.2, §7.3),
    and a GroupInfo whose signature or confirmation tag does not verify."""
    kp_msg = wire.decode(wire.MlsMessage.read, key_package, "key package")
    w_msg = wire.decode(wire.MlsMessage.read, welcome, "Welcome")
    kp, w = kp_msg.body, w_msg.body
    if not isinstance(kp, wire.KeyPackage) or not isinstance(w, wire.Welcome):
        raise InvalidMessage("a KeyPackage and a Welcome were expected")
    cs = suite(w.cipher_suite)

    def psks_of(ids: tuple[wire.PreSharedKeyId, ...]) -> bytes:
        out = []
        for psk_id in ids:
            if psk_id.psktype != wire.PSK_EXTERNAL or psk_id.psk_id not in external_psks:
                raise Unsupported("the Welcome names a PSK the joiner does not hold")
            out.append((psk_id.encode(), external_psks[psk_id.psk_id]))
        return psk_secret(cs, out)

    info, group_secrets, psk = open_welcome(cs, kit.hpke, kit.aead, init_priv, kp, w, psks_of)
    tree_bytes = ratchet_tree
    for ext in info.extensions:
        if ext.extension_type == RATCHET_TREE_EXTENSION:
            tree_bytes = ext.extension_data
    if tree_bytes is None:
        raise InvalidMessage("no ratchet tree: neither in the GroupInfo nor given")
    tree = RatchetTree.decode(cs, tree_bytes)
    context = info.group_context
    if tree.root_tree_hash() != context.tree_hash:
        raise InvalidMessage("the ratchet tree's hash is not the GroupInfo's tree_hash")
    tree.verify_parent_hashes()
    tree.verify_leaf_signatures(kit.signatures, context.group_id)
    for i in tree.non_blank_leaves():
        leaf = tree.leaf(i)
        assert leaf is not None
        check_capabilities(context.extensions, leaf)
    if not 0 <= info.signer < tree.n_leaves or (signer := tree.leaf(info.signer)) is None:
        raise InvalidMessage("the GroupInfo's signer is not a member")
    secrets = verify_group_info(
        cs, kit.signatures, info, signer.signature_key, group_secrets.joiner_secret, psk
    )
    leaf_index = next((i for i in tree.non_blank_leaves() if tree.leaf(i) == kp.leaf_node), None)
    if leaf_index is None:
        raise InvalidMessage("the key package's leaf is not in the tree")

    path_secrets: dict[int, bytes] = {}
    if group_secrets.path_secret is not None:
        path_secrets = _path_from_welcome(
            cs, kit.hpke, tree, info.signer, leaf_index, group_secrets.path_secret
        )
    return Member(
        kit=kit,
        cs=cs,
        context=context,
        tree=tree,
        leaf_index=leaf_index,
        encryption_priv=encryption_priv,
        path_secrets=path_secrets,
        secrets=secrets,
        interim_transcript_hash=hash_(
            cs, context.confirmed_transcript_hash + opaque(info.confirmation_tag)
        ),
        external_psks=external_psks,
    )


def _path_from_welcome(
    cs: CipherSuite, hpke: Hpke, tree: RatchetTree, committer: int, joiner: int, secret: bytes
) -> dict[int, bytes]:
    """The path secrets a joiner learns from GroupSecrets.path_secret (§12.4.3.1): the one of
    the lowest node of the committer's filtered direct path above the joiner, then one
    DeriveSecret("path") per node above it; each must give the node's key in the tree."""
    filtered = tree.filtered_direct_path(committer)
    at = next((i for i, p in enumerate(filtered) if joiner in tree.subtree_leaves(p)), None)
    if at is None:
        raise InvalidMessage("the Welcome's path secret is for no node above the joiner")
    secrets = treekem.path_secrets(cs, secret, len(filtered) - at - 1)
    out = dict(zip(filtered[at:], secrets, strict=True))
    for node, s in out.items():
        if treekem.node_key_pair(cs, hpke, s)[1] != tree.encryption_key(node):
            raise InvalidMessage(f"the Welcome's path secret does not give node {node}'s key")
    return out
