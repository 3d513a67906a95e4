"""The structures of RFC 9420 in the TLS presentation language (§2.1), each an immutable value
with ``encode()`` and ``read(Reader)``; :func:`decode` reads one whole structure by name.

Decoding is strict, so that a structure re-encodes to exactly the bytes it came from: vector
lengths are the minimal variable-size integers of §2.1.2, enums take only the values RFC 9420
defines where a ``select`` depends on them (an unknown credential, proposal or leaf-node source
type cannot be skipped, having no length of its own), optional values have presence 0 or 1,
and no bytes may be left over. Whatever fails is InvalidMessage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ...errors import InvalidInput, InvalidMessage
from .tls import Reader, opaque, uint8, uint16, uint32, uint64, varint

__all__ = [
    "STRUCTURES",
    "Add",
    "Capabilities",
    "Commit",
    "Credential",
    "EncryptedGroupSecrets",
    "Extension",
    "ExternalInit",
    "FramedContent",
    "FramedContentAuthData",
    "GroupContext",
    "GroupContextExtensions",
    "GroupInfo",
    "GroupSecrets",
    "HpkeCiphertext",
    "KeyPackage",
    "LeafNode",
    "Lifetime",
    "MlsMessage",
    "Node",
    "ParentNode",
    "PreSharedKey",
    "PreSharedKeyId",
    "PrivateMessage",
    "Proposal",
    "ProposalOrRef",
    "PublicMessage",
    "ReInit",
    "Remove",
    "Sender",
    "SenderData",
    "Update",
    "UpdatePath",
    "UpdatePathNode",
    "Welcome",
    "decode",
    "encode_tree",
    "read_external_senders",
    "read_required_capabilities",
    "read_tree",
]

T = TypeVar("T")

MLS10 = 1
#: §6 ContentType.
APPLICATION, PROPOSAL, COMMIT = 1, 2, 3
#: §6 SenderType.
MEMBER, EXTERNAL, NEW_MEMBER_PROPOSAL, NEW_MEMBER_COMMIT = 1, 2, 3, 4
#: §6 WireFormat.
WF_PUBLIC, WF_PRIVATE, WF_WELCOME, WF_GROUP_INFO, WF_KEY_PACKAGE = 1, 2, 3, 4, 5
#: §5.3 CredentialType.
BASIC, X509 = 1, 2
#: §7.2 LeafNodeSource.
SOURCE_KEY_PACKAGE, SOURCE_UPDATE, SOURCE_COMMIT = 1, 2, 3
#: §12.1 ProposalType.
P_ADD, P_UPDATE, P_REMOVE, P_PSK, P_REINIT, P_EXTERNAL_INIT, P_GCE = 1, 2, 3, 4, 5, 6, 7
#: §8.4 PSKType and ResumptionPSKUsage.
PSK_EXTERNAL, PSK_RESUMPTION = 1, 2
#: §7.8 NodeType.
NODE_LEAF, NODE_PARENT = 1, 2
#: §12.4 ProposalOrRefType.
BY_VALUE, BY_REFERENCE = 1, 2


def _bad(what: str) -> InvalidMessage:
    return InvalidMessage(what)


def _vector(items: Sequence[object], encode: Callable[[object], bytes] | None = None) -> bytes:
    """``T items<V>``: the items' encodings behind one variable-size length (§2.1.2)."""
    body = b"".join(encode(i) if encode else i.encode() for i in items)  # type: ignore[attr-defined]
    return varint(len(body)) + body


def _read_vector(r: Reader, item: Callable[[Reader], T]) -> tuple[T, ...]:
    sub = Reader(r.opaque())
    out = []
    while not sub.done():
        out.append(item(sub))
    return tuple(out)


def _read_optional(r: Reader, item: Callable[[Reader], T]) -> T | None:
    present = r.uint(1)
    if present == 0:
        return None
    if present != 1:
        raise _bad(f"optional<> with presence byte {present}")
    return item(r)


def _optional(value: object | None) -> bytes:
    return b"\x00" if value is None else b"\x01" + value.encode()  # type: ignore[attr-defined]


def _u16s(values: Sequence[int]) -> bytes:
    return _vector(values, lambda v: uint16(v))  # type: ignore[arg-type]


def _read_u16s(r: Reader) -> tuple[int, ...]:
    return _read_vector(r, lambda s: s.uint(2))


# --- §5.3 credentials, §7.2 leaf nodes, §10 key packages ------------------------------------------


@dataclass(frozen=True)
class Extension:
    """§13: uint16 extension_type; opaque extension_data<V>."""

    extension_type: int
    extension_data: bytes

    def encode(self) -> bytes:
        return uint16(self.extension_type) + opaque(self.extension_data)

    @classmethod
    def read(cls, r: Reader) -> Extension:
        return cls(r.uint(2), r.opaque())


def _extensions(exts: Sequence[Extension]) -> bytes:
    return _vector(exts)


def _read_extensions(r: Reader) -> tuple[Extension, ...]:
    return _read_vector(r, Extension.read)


@dataclass(frozen=True)
class Credential:
    """§5.3: basic carries opaque identity<V>; x509 a vector of opaque certificates."""

    credential_type: int
    identity: bytes = b""
    certificates: tuple[bytes, ...] = ()

    def encode(self) -> bytes:
        if self.credential_type == BASIC:
            return uint16(BASIC) + opaque(self.identity)
        return uint16(X509) + _vector(self.certificates, opaque)  # type: ignore[arg-type]

    @classmethod
    def read(cls, r: Reader) -> Credential:
        kind = r.uint(2)
        if kind == BASIC:
            return cls(BASIC, identity=r.opaque())
        if kind == X509:
            return cls(X509, certificates=_read_vector(r, lambda s: s.opaque()))
        raise _bad(f"credential type {kind}")


@dataclass(frozen=True)
class Capabilities:
    """§7.2: the versions, cipher suites, extensions, proposals and credentials supported."""

    versions: tuple[int, ...]
    cipher_suites: tuple[int, ...]
    extensions: tuple[int, ...]
    proposals: tuple[int, ...]
    credentials: tuple[int, ...]

    def encode(self) -> bytes:
        return b"".join(
            _u16s(v)
            for v in (
                self.versions,
                self.cipher_suites,
                self.extensions,
                self.proposals,
                self.credentials,
            )
        )

    @classmethod
    def read(cls, r: Reader) -> Capabilities:
        return cls(*(_read_u16s(r) for _ in range(5)))


@dataclass(frozen=True)
class Lifetime:
    not_before: int
    not_after: int

    def encode(self) -> bytes:
        return uint64(self.not_before) + uint64(self.not_after)

    @classmethod
    def read(cls, r: Reader) -> Lifetime:
        return cls(r.uint(8), r.uint(8))


@dataclass(frozen=True)
class LeafNode:
    """§7.2. ``lifetime`` is set for source key_package, ``parent_hash`` for source commit."""

    encryption_key: bytes
    signature_key: bytes
    credential: Credential
    capabilities: Capabilities
    leaf_node_source: int
    lifetime: Lifetime | None
    parent_hash: bytes
    extensions: tuple[Extension, ...]
    signature: bytes

    def encode_content(self) -> bytes:
        """LeafNodeTBS without its group binding: every field but the signature."""
        out = (
            opaque(self.encryption_key)
            + opaque(self.signature_key)
            + self.credential.encode()
            + self.capabilities.encode()
            + uint8(self.leaf_node_source)
        )
        if self.leaf_node_source == SOURCE_KEY_PACKAGE:
            assert self.lifetime is not None
            out += self.lifetime.encode()
        elif self.leaf_node_source == SOURCE_COMMIT:
            out += opaque(self.parent_hash)
        return out + _extensions(self.extensions)

    def tbs(self, group_id: bytes, leaf_index: int) -> bytes:
        """LeafNodeTBS (§7.2): sources update and commit bind the group and leaf."""
        if self.leaf_node_source == SOURCE_KEY_PACKAGE:
            return self.encode_content()
        return self.encode_content() + opaque(group_id) + uint32(leaf_index)

    def encode(self) -> bytes:
        return self.encode_content() + opaque(self.signature)

    @classmethod
    def read(cls, r: Reader) -> LeafNode:
        encryption_key, signature_key = r.opaque(), r.opaque()
        credential = Credential.read(r)
        capabilities = Capabilities.read(r)
        source = r.uint(1)
        lifetime, parent_hash = None, b""
        if source == SOURCE_KEY_PACKAGE:
            lifetime = Lifetime.read(r)
        elif source == SOURCE_COMMIT:
            parent_hash = r.opaque()
        elif source != SOURCE_UPDATE:
            raise _bad(f"leaf_node_source {source}")
        extensions = _read_extensions(r)
        return cls(
            encryption_key,
            signature_key,
            credential,
            capabilities,
            source,
            lifetime,
            parent_hash,
            extensions,
            r.opaque(),
        )


@dataclass(frozen=True)
class KeyPackage:
    """§10."""

    version: int
    cipher_suite: int
    init_key: bytes
    leaf_node: LeafNode
    extensions: tuple[Extension, ...]
    signature: bytes

    def tbs(self) -> bytes:
        """KeyPackageTBS: every field but the signature."""
        return (
            uint16(self.version)
            + uint16(self.cipher_suite)
            + opaque(self.init_key)
            + self.leaf_node.encode()
            + _extensions(self.extensions)
        )

    def encode(self) -> bytes:
        return self.tbs() + opaque(self.signature)

    @classmethod
    def read(cls, r: Reader) -> KeyPackage:
        return cls(
            r.uint(2),
            r.uint(2),
            r.opaque(),
            LeafNode.read(r),
            _read_extensions(r),
            r.opaque(),
        )


# --- §7.8 the ratchet tree, §7.6 UpdatePath -------------------------------------------------------


@dataclass(frozen=True)
class ParentNode:
    """§7.1."""

    encryption_key: bytes
    parent_hash: bytes
    unmerged_leaves: tuple[int, ...]

    def encode(self) -> bytes:
        return (
            opaque(self.encryption_key)
            + opaque(self.parent_hash)
            + _vector(self.unmerged_leaves, lambda v: uint32(v))  # type: ignore[arg-type]
        )

    @classmethod
    def read(cls, r: Reader) -> ParentNode:
        return cls(r.opaque(), r.opaque(), _read_vector(r, lambda s: s.uint(4)))


@dataclass(frozen=True)
class Node:
    """§7.8: a leaf or a parent."""

    value: LeafNode | ParentNode

    def encode(self) -> bytes:
        kind = NODE_LEAF if isinstance(self.value, LeafNode) else NODE_PARENT
        return uint8(kind) + self.value.encode()

    @classmethod
    def read(cls, r: Reader) -> Node:
        kind = r.uint(1)
        if kind == NODE_LEAF:
            return cls(LeafNode.read(r))
        if kind == NODE_PARENT:
            return cls(ParentNode.read(r))
        raise _bad(f"node_type {kind}")


def encode_tree(nodes: Sequence[Node | None]) -> bytes:
    """``optional<Node> ratchet_tree<V>`` (§12.4.3.3)."""
    return _vector(nodes, _optional)


def read_tree(r: Reader) -> tuple[Node | None, ...]:
    return _read_vector(r, lambda s: _read_optional(s, Node.read))


@dataclass(frozen=True)
class HpkeCiphertext:
    kem_output: bytes
    ciphertext: bytes

    def encode(self) -> bytes:
        return opaque(self.kem_output) + opaque(self.ciphertext)

    @classmethod
    def read(cls, r: Reader) -> HpkeCiphertext:
        return cls(r.opaque(), r.opaque())


@dataclass(frozen=True)
class UpdatePathNode:
    encryption_key: bytes
    encrypted_path_secret: tuple[HpkeCiphertext, ...]

    def encode(self) -> bytes:
        return opaque(self.encryption_key) + _vector(self.encrypted_path_secret)

    @classmethod
    def read(cls, r: Reader) -> UpdatePathNode:
        return cls(r.opaque(), _read_vector(r, HpkeCiphertext.read))


@dataclass(frozen=True)
class UpdatePath:
    """§7.6."""

    leaf_node: LeafNode
    nodes: tuple[UpdatePathNode, ...]

    def encode(self) -> bytes:
        return self.leaf_node.encode() + _vector(self.nodes)

    @classmethod
    def read(cls, r: Reader) -> UpdatePath:
        return cls(LeafNode.read(r), _read_vector(r, UpdatePathNode.read))


# --- §12.1 proposals, §12.4 commits ---------------------------------------------------------------


@dataclass(frozen=True)
class PreSharedKeyId:
    """§8.4: external (psk_id) or resumption (usage, psk_group_id, psk_epoch), then the
    nonce."""

    psktype: int
    psk_id: bytes = b""
    usage: int = 0
    psk_group_id: bytes = b""
    psk_epoch: int = 0
    psk_nonce: bytes = b""

    def encode(self) -> bytes:
        if self.psktype == PSK_EXTERNAL:
            body = opaque(self.psk_id)
        else:
            body = uint8(self.usage) + opaque(self.psk_group_id) + uint64(self.psk_epoch)
        return uint8(self.psktype) + body + opaque(self.psk_nonce)

    @classmethod
    def read(cls, r: Reader) -> PreSharedKeyId:
        kind = r.uint(1)
        if kind == PSK_EXTERNAL:
            return cls(PSK_EXTERNAL, psk_id=r.opaque(), psk_nonce=r.opaque())
        if kind == PSK_RESUMPTION:
            usage, group, epoch = r.uint(1), r.opaque(), r.uint(8)
            return cls(PSK_RESUMPTION, b"", usage, group, epoch, r.opaque())
        raise _bad(f"psktype {kind}")


@dataclass(frozen=True)
class Add:
    key_package: KeyPackage

    def encode(self) -> bytes:
        return self.key_package.encode()

    @classmethod
    def read(cls, r: Reader) -> Add:
        return cls(KeyPackage.read(r))


@dataclass(frozen=True)
class Update:
    leaf_node: LeafNode

    def encode(self) -> bytes:
        return self.leaf_node.encode()

    @classmethod
    def read(cls, r: Reader) -> Update:
        return cls(LeafNode.read(r))


@dataclass(frozen=True)
class Remove:
    removed: int

    def encode(self) -> bytes:
        return uint32(self.removed)

    @classmethod
    def read(cls, r: Reader) -> Remove:
        return cls(r.uint(4))


@dataclass(frozen=True)
class PreSharedKey:
    psk: PreSharedKeyId

    def encode(self) -> bytes:
        return self.psk.encode()

    @classmethod
    def read(cls, r: Reader) -> PreSharedKey:
        return cls(PreSharedKeyId.read(r))


@dataclass(frozen=True)
class ReInit:
    group_id: bytes
    version: int
    cipher_suite: int
    extensions: tuple[Extension, ...]

    def encode(self) -> bytes:
        return (
            opaque(self.group_id)
            + uint16(self.version)
            + uint16(self.cipher_suite)
            + _extensions(self.extensions)
        )

    @classmethod
    def read(cls, r: Reader) -> ReInit:
        return cls(r.opaque(), r.uint(2), r.uint(2), _read_extensions(r))


@dataclass(frozen=True)
class ExternalInit:
    kem_output: bytes

    def encode(self) -> bytes:
        return opaque(self.kem_output)

    @classmethod
    def read(cls, r: Reader) -> ExternalInit:
        return cls(r.opaque())


@dataclass(frozen=True)
class GroupContextExtensions:
    extensions: tuple[Extension, ...]

    def encode(self) -> bytes:
        return _extensions(self.extensions)

    @classmethod
    def read(cls, r: Reader) -> GroupContextExtensions:
        return cls(_read_extensions(r))


ProposalBody = Add | Update | Remove | PreSharedKey | ReInit | ExternalInit | GroupContextExtensions

#: ProposalType -> its body's structure (§12.1).
PROPOSAL_BODIES: dict[int, type] = {
    P_ADD: Add,
    P_UPDATE: Update,
    P_REMOVE: Remove,
    P_PSK: PreSharedKey,
    P_REINIT: ReInit,
    P_EXTERNAL_INIT: ExternalInit,
    P_GCE: GroupContextExtensions,
}
_PROPOSAL_TYPES = {body: kind for kind, body in PROPOSAL_BODIES.items()}


@dataclass(frozen=True)
class Proposal:
    """§12.1: ProposalType, then its body."""

    body: ProposalBody

    @property
    def proposal_type(self) -> int:
        return _PROPOSAL_TYPES[type(self.body)]

    def encode(self) -> bytes:
        return uint16(self.proposal_type) + self.body.encode()

    @classmethod
    def read(cls, r: Reader) -> Proposal:
        kind = r.uint(2)
        body = PROPOSAL_BODIES.get(kind)
        if body is None:
            raise _bad(f"proposal type {kind}")
        return cls(body.read(r))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ProposalOrRef:
    """§12.4: a proposal by value, or a ProposalRef (§5.2)."""

    proposal: Proposal | None = None
    reference: bytes = b""

    def encode(self) -> bytes:
        if self.proposal is not None:
            return uint8(BY_VALUE) + self.proposal.encode()
        return uint8(BY_REFERENCE) + opaque(self.reference)

    @classmethod
    def read(cls, r: Reader) -> ProposalOrRef:
        kind = r.uint(1)
        if kind == BY_VALUE:
            return cls(proposal=Proposal.read(r))
        if kind == BY_REFERENCE:
            return cls(reference=r.opaque())
        raise _bad(f"ProposalOrRefType {kind}")


@dataclass(frozen=True)
class Commit:
    """§12.4."""

    proposals: tuple[ProposalOrRef, ...]
    path: UpdatePath | None

    def encode(self) -> bytes:
        return _vector(self.proposals) + _optional(self.path)

    @classmethod
    def read(cls, r: Reader) -> Commit:
        return cls(_read_vector(r, ProposalOrRef.read), _read_optional(r, UpdatePath.read))


# --- §6 framing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sender:
    """§6: member and external senders carry an index; new members none."""

    sender_type: int
    index: int = 0

    def encode(self) -> bytes:
        if self.sender_type in (MEMBER, EXTERNAL):
            return uint8(self.sender_type) + uint32(self.index)
        return uint8(self.sender_type)

    @classmethod
    def read(cls, r: Reader) -> Sender:
        kind = r.uint(1)
        if kind in (MEMBER, EXTERNAL):
            return cls(kind, r.uint(4))
        if kind in (NEW_MEMBER_PROPOSAL, NEW_MEMBER_COMMIT):
            return cls(kind)
        raise _bad(f"sender type {kind}")


Content = bytes | Proposal | Commit


def _encode_content(content_type: int, content: Content) -> bytes:
    if content_type == APPLICATION:
        assert isinstance(content, bytes)
        return opaque(content)
    assert not isinstance(content, bytes)
    return content.encode()


def _read_content(r: Reader, content_type: int) -> Content:
    if content_type == APPLICATION:
        return r.opaque()
    if content_type == PROPOSAL:
        return Proposal.read(r)
    if content_type == COMMIT:
        return Commit.read(r)
    raise _bad(f"content type {content_type}")


@dataclass(frozen=True)
class FramedContent:
    """§6."""

    group_id: bytes
    epoch: int
    sender: Sender
    authenticated_data: bytes
    content_type: int
    content: Content

    def encode(self) -> bytes:
        return (
            opaque(self.group_id)
            + uint64(self.epoch)
            + self.sender.encode()
            + opaque(self.authenticated_data)
            + uint8(self.content_type)
            + _encode_content(self.content_type, self.content)
        )

    @classmethod
    def read(cls, r: Reader) -> FramedContent:
        group_id, epoch, sender, aad = r.opaque(), r.uint(8), Sender.read(r), r.opaque()
        content_type = r.uint(1)
        return cls(group_id, epoch, sender, aad, content_type, _read_content(r, content_type))


@dataclass(frozen=True)
class FramedContentAuthData:
    """§6.1: the signature, and a commit's confirmation tag."""

    signature: bytes
    confirmation_tag: bytes | None

    def encode(self) -> bytes:
        tag = b"" if self.confirmation_tag is None else opaque(self.confirmation_tag)
        return opaque(self.signature) + tag

    @classmethod
    def read(cls, r: Reader, content_type: int) -> FramedContentAuthData:
        signature = r.opaque()
        return cls(signature, r.opaque() if content_type == COMMIT else None)


@dataclass(frozen=True)
class PublicMessage:
    """§6.2: a member's message carries the membership tag."""

    content: FramedContent
    auth: FramedContentAuthData
    membership_tag: bytes | None

    def encode(self) -> bytes:
        tag = b"" if self.membership_tag is None else opaque(self.membership_tag)
        return self.content.encode() + self.auth.encode() + tag

    @classmethod
    def read(cls, r: Reader) -> PublicMessage:
        content = FramedContent.read(r)
        auth = FramedContentAuthData.read(r, content.content_type)
        tag = r.opaque() if content.sender.sender_type == MEMBER else None
        return cls(content, auth, tag)


@dataclass(frozen=True)
class PrivateMessage:
    """§6.3."""

    group_id: bytes
    epoch: int
    content_type: int
    authenticated_data: bytes
    encrypted_sender_data: bytes
    ciphertext: bytes

    def encode(self) -> bytes:
        return (
            opaque(self.group_id)
            + uint64(self.epoch)
            + uint8(self.content_type)
            + opaque(self.authenticated_data)
            + opaque(self.encrypted_sender_data)
            + opaque(self.ciphertext)
        )

    @classmethod
    def read(cls, r: Reader) -> PrivateMessage:
        group_id, epoch, content_type = r.opaque(), r.uint(8), r.uint(1)
        if content_type not in (APPLICATION, PROPOSAL, COMMIT):
            raise _bad(f"content type {content_type}")
        return cls(group_id, epoch, content_type, r.opaque(), r.opaque(), r.opaque())


@dataclass(frozen=True)
class SenderData:
    """§6.3.2."""

    leaf_index: int
    generation: int
    reuse_guard: bytes

    def encode(self) -> bytes:
        return uint32(self.leaf_index) + uint32(self.generation) + self.reuse_guard

    @classmethod
    def read(cls, r: Reader) -> SenderData:
        return cls(r.uint(4), r.uint(4), r.take(4))


# --- §8.1, §12.4.3 groups and Welcome -------------------------------------------------------------


@dataclass(frozen=True)
class GroupContext:
    """§8.1."""

    version: int
    cipher_suite: int
    group_id: bytes
    epoch: int
    tree_hash: bytes
    confirmed_transcript_hash: bytes
    extensions: tuple[Extension, ...]

    def encode(self) -> bytes:
        return (
            uint16(self.version)
            + uint16(self.cipher_suite)
            + opaque(self.group_id)
            + uint64(self.epoch)
            + opaque(self.tree_hash)
            + opaque(self.confirmed_transcript_hash)
            + _extensions(self.extensions)
        )

    @classmethod
    def read(cls, r: Reader) -> GroupContext:
        return cls(
            r.uint(2),
            r.uint(2),
            r.opaque(),
            r.uint(8),
            r.opaque(),
            r.opaque(),
            _read_extensions(r),
        )


@dataclass(frozen=True)
class GroupInfo:
    """§12.4.3."""

    group_context: GroupContext
    extensions: tuple[Extension, ...]
    confirmation_tag: bytes
    signer: int
    signature: bytes

    def tbs(self) -> bytes:
        """GroupInfoTBS: every field but the signature."""
        return (
            self.group_context.encode()
            + _extensions(self.extensions)
            + opaque(self.confirmation_tag)
            + uint32(self.signer)
        )

    def encode(self) -> bytes:
        return self.tbs() + opaque(self.signature)

    @classmethod
    def read(cls, r: Reader) -> GroupInfo:
        return cls(
            GroupContext.read(r),
            _read_extensions(r),
            r.opaque(),
            r.uint(4),
            r.opaque(),
        )


@dataclass(frozen=True)
class GroupSecrets:
    """§12.4.3.1: the joiner secret, an optional path secret, and the PSKs."""

    joiner_secret: bytes
    path_secret: bytes | None
    psks: tuple[PreSharedKeyId, ...]

    def encode(self) -> bytes:
        path = b"\x00" if self.path_secret is None else b"\x01" + opaque(self.path_secret)
        return opaque(self.joiner_secret) + path + _vector(self.psks)

    @classmethod
    def read(cls, r: Reader) -> GroupSecrets:
        joiner = r.opaque()
        path = _read_optional(r, lambda s: s.opaque())
        return cls(joiner, path, _read_vector(r, PreSharedKeyId.read))


@dataclass(frozen=True)
class EncryptedGroupSecrets:
    new_member: bytes
    encrypted_group_secrets: HpkeCiphertext

    def encode(self) -> bytes:
        return opaque(self.new_member) + self.encrypted_group_secrets.encode()

    @classmethod
    def read(cls, r: Reader) -> EncryptedGroupSecrets:
        return cls(r.opaque(), HpkeCiphertext.read(r))


@dataclass(frozen=True)
class Welcome:
    """§12.4.3.1."""

    cipher_suite: int
    secrets: tuple[EncryptedGroupSecrets, ...]
    encrypted_group_info: bytes

    def encode(self) -> bytes:
        return uint16(self.cipher_suite) + _vector(self.secrets) + opaque(self.encrypted_group_info)

    @classmethod
    def read(cls, r: Reader) -> Welcome:
        return cls(r.uint(2), _read_vector(r, EncryptedGroupSecrets.read), r.opaque())


MessageBody = PublicMessage | PrivateMessage | Welcome | GroupInfo | KeyPackage
_BODIES: dict[int, type] = {
    WF_PUBLIC: PublicMessage,
    WF_PRIVATE: PrivateMessage,
    WF_WELCOME: Welcome,
    WF_GROUP_INFO: GroupInfo,
    WF_KEY_PACKAGE: KeyPackage,
}
_WIRE_FORMATS = {body: kind for kind, body in _BODIES.items()}


@dataclass(frozen=True)
class MlsMessage:
    """§6: version mls10, the wire format, then the message."""

    body: MessageBody
    version: int = MLS10

    @property
    def wire_format(self) -> int:
        return _WIRE_FORMATS[type(self.body)]

    def encode(self) -> bytes:
        return uint16(self.version) + uint16(self.wire_format) + self.body.encode()

    @classmethod
    def read(cls, r: Reader) -> MlsMessage:
        version = r.uint(2)
        if version != MLS10:
            raise _bad(f"protocol version {version}")
        kind = r.uint(2)
        body = _BODIES.get(kind)
        if body is None:
            raise _bad(f"wire format {kind}")
        return cls(body.read(r), version)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Tree:
    nodes: tuple[Node | None, ...]

    def encode(self) -> bytes:
        return encode_tree(self.nodes)

    @classmethod
    def read(cls, r: Reader) -> _Tree:
        return cls(read_tree(r))


#: The structures :func:`decode` reads, by the names of conformance.capabilities.mls_protocol.
STRUCTURES: dict[str, Callable[[Reader], object]] = {
    "MLSMessage": MlsMessage.read,
    "RatchetTree": _Tree.read,
    "GroupSecrets": GroupSecrets.read,
    "Add": Add.read,
    "Update": Update.read,
    "Remove": Remove.read,
    "PreSharedKey": PreSharedKey.read,
    "ReInit": ReInit.read,
    "ExternalInit": ExternalInit.read,
    "GroupContextExtensions": GroupContextExtensions.read,
    "Proposal": Proposal.read,
    "Commit": Commit.read,
    "UpdatePath": UpdatePath.read,
    "LeafNode": LeafNode.read,
    "KeyPackage": KeyPackage.read,
    "GroupInfo": GroupInfo.read,
    "Welcome": Welcome.read,
    "GroupContext": GroupContext.read,
}


def read_required_capabilities(
    r: Reader,
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The required_capabilities extension's data (§11.1): the extension, proposal and
    credential types a member must support, each a uint16 vector."""
    return _read_u16s(r), _read_u16s(r), _read_u16s(r)


def read_external_senders(r: Reader) -> tuple[tuple[bytes, Credential], ...]:
    """The external_senders extension's data (§12.1.8.1): ``ExternalSender
    external_senders<V>``, each a signature key and a credential."""
    return _read_vector(r, lambda s: (s.opaque(), Credential.read(s)))


def decode(read: Callable[[Reader], T], data: bytes, what: str = "structure") -> T:
    """Read one whole structure from ``data``; a malformed one, or bytes left over, is
    InvalidMessage."""
    r = Reader(bytes(data))
    try:
        value = read(r)
    except InvalidInput as exc:
        raise InvalidMessage(f"{what}: {exc}") from None
    if not r.done():
        raise InvalidMessage(f"{what}: {len(r.data) - r.pos} bytes left over")
    return value
