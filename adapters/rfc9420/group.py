"""``mls-group`` for rfc9420: one client's life in live groups (RFC 9420 §10-§12, §8.5, §8.7)
through ``rfc9420.api.session.MLSGroupSession`` and the ``MLSGroup`` objects under it.

A member's state is the library's own serialisation of its group
(``MLSGroupSession.serialize``, ``MLSGroup.to_bytes``) next to what the library leaves to its
caller: the signature private key (every signing call takes it), the KeyPackage and the init and
encryption private keys it was made with. Restored with ``deserialize_with_config`` at each step.

The library builds no KeyPackage itself (its callers make the ``LeafNode`` and ``KeyPackage``
objects and sign them, §10); here they are made with its own classes and
``sign_with_label`` (``LeafNodeTBS``, ``KeyPackageTBS``), the key pairs with its
``derive_key_pair`` from seeds drawn from ``random``.

Handshake messages are sent and read only as PublicMessages (``encode_handshake`` /
``decode_handshake`` are PublicMessage bodies): a PrivateMessage commit is Unsupported. Proposals
are committed by value: the library queues a proposal it made only after processing it as a
received one and then commits it by reference, which a receiver that was never sent the
proposal cannot resolve (§12.4); the proposal is checked with its own ``add_member`` /
``remove_member`` and queued as its ``external_commit`` and ``create_subgroup`` queue the
proposals they commit by value.

Measured with 1.3.0 (scratch drivers playing the pair scenario, and ``pair/mls/*``):

- Self-pairs in suites 1-7 and pairs with the reference, ts-mls and rine-mls in suite 1, either
  side creating: the Welcome is accepted both ways, application messages are read both ways,
  epoch, epoch_authenticator, tree hash and member count agree (and, with the reference and
  ts-mls, for a third member that rfc9420 adds by a path-less commit). The exporter never
  agrees with another implementation: ``KeySchedule.export`` passes the context unhashed
  (§8.5); the RFC's value recomputed from its own exporter_secret equals the reference's.
- Every commit it makes with an UpdatePath (update, remove) is refused, by itself ("invalid
  signature"), the reference ("reuses a public key already in the tree"), ts-mls and rine-mls: its
  ``create_update_path`` keeps the committer's encryption key and KeyPackage-source signature on
  the commit-source leaf (§7.5, §12.4.2).
- It cannot read a commit sent as a PrivateMessage (Unsupported: MLSGroup decrypts only
  application messages), which §6 lets a group use.
- It refuses valid commits of others: a path whose copath resolution holds only members added
  by the same commit (its filtered direct path drops that node, §4.1.2, §7.5; the reference's
  Add commits with a path), and a commit removing itself ("could not decrypt any path secret":
  it tries to merge the path its removal keeps from it).
- ``to_bytes`` keeps no secret tree: restored, a sender encrypts its next message of an epoch
  with generation 0 again, the same key and nonce but for the 4-byte reuse guard (§9.1, §9.2;
  the reference refuses it as a consumed generation), and a receiver decrypts a replay.
- A message of another epoch or group is refused only through its keys (AuthenticationFailed,
  InvalidSignature): the library does not compare group_id and epoch. Its ``member_count`` is
  the tree's leaf count with blank leaves (4 for 3 members); the occupied leaves are counted
  here.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar

from adapter import _crypto, _refusals  # type: ignore[import-not-found,unused-ignore]
from adapter import _mls_message as _message  # type: ignore[import-not-found,unused-ignore]
from e2ee_host import Refusal
from rfc9420 import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    GroupConfig,
    MemoryStorageProvider,
    RFC9420Error,
)
from rfc9420.api.session import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    MLSGroupSession,
)
from rfc9420.extensions.extensions import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    build_capabilities_data,
)
from rfc9420.group.mls_group.group import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    MLSGroup,
)
from rfc9420.group.mls_group.processing import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    MLSGroup as MLSGroupCore,
)
from rfc9420.messages.data_structures import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    AddProposal,
    CipherSuite,
    Credential,
    MLSVersion,
    RemoveProposal,
    SenderType,
    Signature,
)
from rfc9420.messages.key_packages import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    KeyPackage,
    LeafNode,
    LeafNodeSource,
)
from rfc9420.messages.messages import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    ContentType,
    MLSMessage,
    WireFormat,
)

__all__ = ["HANDLERS"]

_PUBLIC, _PRIVATE = 1, 2
_APPLICATION, _PROPOSAL, _COMMIT = 1, 2, 3
_NO_EXPIRY = 2**64 - 1


class _Draw:
    """A RandProvider handing out ``random`` in order (the library's path secret, epoch
    secret, reuse guards, key seeds), then the OS's bytes once it is used up."""

    def __init__(self, random: bytes) -> None:
        self.left = bytes(random)

    def random_bytes(self, length: int) -> bytes:
        out, self.left = self.left[:length], self.left[length:]
        return out + os.urandom(length - len(out))


@dataclasses.dataclass
class _Member:
    """What one client holds: the library's group state (empty until it creates or joins) and
    what the library leaves to its caller."""

    cipher_suite: int
    signature_priv: bytes
    key_package: bytes
    init_priv: bytes
    encryption_priv: bytes
    group: bytes = b""

    def encode(self) -> bytes:
        fields = [
            self.cipher_suite.to_bytes(2, "big"),
            self.signature_priv,
            self.key_package,
            self.init_priv,
            self.encryption_priv,
            self.group,
        ]
        return b"".join(len(f).to_bytes(4, "big") + bytes(f) for f in fields)

    @classmethod
    def decode(cls, data: bytes) -> _Member:
        fields, at = [], 0
        while at < len(data):
            n = int.from_bytes(data[at : at + 4], "big")
            if at + 4 + n > len(data):
                raise Refusal("InvalidInput", "member state is truncated")
            fields.append(bytes(data[at + 4 : at + 4 + n]))
            at += 4 + n
        if len(fields) != 6 or len(fields[0]) != 2:
            raise Refusal("InvalidInput", "not a member state of this adapter")
        return cls(int.from_bytes(fields[0], "big"), *fields[1:])

    def config(self, random: bytes = b"") -> Any:
        return GroupConfig(
            crypto_provider=_crypto(self.cipher_suite),
            storage_provider=MemoryStorageProvider(),
            rand_provider=_Draw(random),
        )

    def session(self, random: bytes = b"") -> Any:
        if not self.group:
            raise Refusal("InvalidInput", "the client has neither created nor joined a group")
        return MLSGroupSession.deserialize_with_config(self.config(random), self.group)

    def kept(self, session: Any) -> bytes:
        self.group = bytes(session.serialize())
        return self.encode()


_F = TypeVar("_F", bound=Callable[..., Any])


def _state_on_refusal(fn: _F) -> _F:
    """A refusal carries the member's state after the attempt (protocol 2): the state the
    library was left in where a step set it, else the member as handed in (nothing changed)."""

    @functools.wraps(fn)
    def wrapper(member: bytes, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(member, *args, **kwargs)
        except Refusal as exc:
            if exc.state is None:
                exc.state = member
            raise

    return wrapper  # type: ignore[return-value]


# --- key package and group creation (§10, §11) ---------------------------------------------


def mls_key_package(
    cipher_suite: int, identity: bytes, signature_priv: bytes, random: bytes
) -> dict[str, bytes]:
    """A KeyPackage (§10) for a BasicCredential of ``identity``: LeafNode signed with
    ``LeafNodeTBS``, KeyPackage with ``KeyPackageTBS``, init and encryption keys from
    ``derive_key_pair`` over seeds drawn from ``random``."""
    crypto = _crypto(cipher_suite)
    draw = _Draw(random)
    with _refusals():
        try:
            signature_pub = crypto.signature_public_from_private(signature_priv)
        except (ValueError, RFC9420Error) as exc:
            # pyca's ValueError (Ed25519/Ed448 length), the library's EC key loader's error.
            raise Refusal("InvalidKey", f"signature private key: {exc}") from exc
        init_priv, init_pub = crypto.derive_key_pair(draw.random_bytes(crypto.kdf_hash_len()))
        enc_priv, enc_pub = crypto.derive_key_pair(draw.random_bytes(crypto.kdf_hash_len()))
        # No GREASE: random_grease_values draws outside ``random`` (§13.5 is a SHOULD).
        capabilities = build_capabilities_data([cipher_suite], [], include_grease=False)
        leaf = LeafNode(
            encryption_key=enc_pub,
            signature_key=signature_pub,
            capabilities=capabilities,
            credential=Credential(identity, signature_pub),
            leaf_node_source=LeafNodeSource.KEY_PACKAGE,
            lifetime_not_before=0,
            lifetime_not_after=_NO_EXPIRY,
            extensions=[],
        )
        leaf = dataclasses.replace(
            leaf,
            signature=Signature(
                crypto.sign_with_label(signature_priv, b"LeafNodeTBS", leaf.tbs_serialize())
            ),
        )
        kp = KeyPackage(
            version=MLSVersion.MLS10,
            cipher_suite=CipherSuite.deserialize(cipher_suite.to_bytes(2, "big")),
            init_key=init_pub,
            leaf_node=leaf,
            extensions=[],
        )
        kp = dataclasses.replace(
            kp,
            signature=Signature(
                crypto.sign_with_label(signature_priv, b"KeyPackageTBS", kp.tbs_serialize())
            ),
        )
    key_package = bytes(MLSMessage.from_key_package(kp).serialize())
    member = _Member(cipher_suite, signature_priv, key_package, init_priv, enc_priv)
    return {"member": member.encode(), "key_package": key_package}


def _own_key_package(m: _Member) -> Any:
    _, kp = _message(m.key_package, WireFormat.KEY_PACKAGE)
    return kp


@_state_on_refusal
def mls_create(member: bytes, group_id: bytes, random: bytes) -> bytes:
    """A one-member group at epoch 0 (§11): ``create_with_config``; its epoch secret is the
    first draw."""
    m = _Member.decode(member)
    if m.group:
        raise Refusal("InvalidInput", "the client is already in a group")
    with _refusals():
        session = MLSGroupSession.create_with_config(
            m.config(random), group_id, _own_key_package(m)
        )
        # create() has no parameter for the creator's leaf private key (from_welcome has one,
        # encryption_private_key, and sets it the same way): without it the creator cannot
        # decrypt a path secret sent to its leaf (§7.4).
        session._group._inner._ratchet_tree.get_node(0).private_key = m.encryption_priv
    return m.kept(session)


@_state_on_refusal
def mls_join(member: bytes, welcome: bytes) -> bytes:
    """Join from a Welcome (§12.4.3.1): ``MLSGroup.from_welcome`` with the KeyPackage and the
    leaf's encryption private key (the session's join_from_welcome_with_config does not pass
    the latter), wrapped as the session wraps it."""
    m = _Member.decode(member)
    if m.group:
        raise Refusal("InvalidInput", "the client is already in a group")
    _, wel = _message(welcome, WireFormat.WELCOME)
    config = m.config()
    with _refusals():
        inner = MLSGroupCore.from_welcome(
            wel,
            m.init_priv,
            config.crypto_provider,
            rand_provider=config.resolved_rand_provider(),
            key_package=_own_key_package(m),
            encryption_private_key=m.encryption_priv,
        )
    return m.kept(MLSGroupSession(MLSGroup(config, inner)))


# --- commits (§12.4) ------------------------------------------------------------------------


def _commit(m: _Member, session: Any) -> dict[str, bytes]:
    try:
        with _refusals():
            handshake, welcomes = session.commit(m.signature_priv)
    except Refusal as exc:
        exc.state = m.kept(session)  # a refused commit may leave proposals queued
        raise
    commit = MLSMessage(MLSVersion.MLS10, WireFormat.PUBLIC_MESSAGE, handshake).serialize()
    welcome = b""
    if welcomes:
        welcome = MLSMessage.from_welcome(welcomes[0]).serialize()
    return {"member": m.kept(session), "commit": bytes(commit), "welcome": bytes(welcome)}


def _wire_format(wire_format: int) -> None:
    if wire_format == _PRIVATE:
        raise Refusal("Unsupported", "rfc9420 sends handshake messages only as PublicMessages")
    if wire_format != _PUBLIC:
        raise Refusal("InvalidInput", f"wire_format {wire_format} is neither 1 nor 2")


@_state_on_refusal
def mls_add(member: bytes, key_package: bytes, wire_format: int, random: bytes) -> dict[str, bytes]:
    """Commit an Add by value (§12.1.1): the library adds no UpdatePath to a commit of Adds
    only (its commit_path_required, as §12.4 allows)."""
    _wire_format(wire_format)
    m = _Member.decode(member)
    session = m.session(random)
    _, kp = _message(key_package, WireFormat.KEY_PACKAGE)
    with _refusals():
        session.add_member(kp, m.signature_priv)  # its KeyPackage checks (§10.1)
        session._group._inner._pending_proposals.append(AddProposal(kp.serialize()))
    return _commit(m, session)


@_state_on_refusal
def mls_update(member: bytes, wire_format: int, random: bytes) -> dict[str, bytes]:
    """Commit no proposals: the library's path commit (§12.4)."""
    _wire_format(wire_format)
    m = _Member.decode(member)
    return _commit(m, m.session(random))


@_state_on_refusal
def mls_remove(member: bytes, leaf_index: int, wire_format: int, random: bytes) -> dict[str, bytes]:
    """Commit a Remove by value (§12.1.3), with the UpdatePath the library adds to it."""
    _wire_format(wire_format)
    m = _Member.decode(member)
    session = m.session(random)
    with _refusals():
        session.remove_member(leaf_index, m.signature_priv)
        session._group._inner._pending_proposals.append(RemoveProposal(leaf_index))
    return _commit(m, session)


# --- application messages and processing (§6, §12.4.2) -------------------------------------


@_state_on_refusal
def mls_encrypt(member: bytes, plaintext: bytes, random: bytes) -> dict[str, bytes]:
    """An application PrivateMessage (§6.3), signed with the member's key."""
    m = _Member.decode(member)
    session = m.session(random)
    with _refusals():
        ciphertext = session.protect_application(plaintext, signing_key=m.signature_priv)
    message = MLSMessage(MLSVersion.MLS10, WireFormat.PRIVATE_MESSAGE, ciphertext).serialize()
    return {"member": m.kept(session), "message": bytes(message)}


def _received(m: _Member, session: Any, content_type: int, data: bytes = b"") -> dict[str, Any]:
    return {"member": m.kept(session), "content_type": content_type, "application_data": data}


@_state_on_refusal
def mls_process(member: bytes, message: bytes) -> dict[str, Any]:
    """An application PrivateMessage through ``unprotect_application``; a PublicMessage
    proposal or commit through ``process_proposal`` / ``apply_commit`` with the sender the
    message names. On a refusal the state the library was left in goes back with it."""
    m = _Member.decode(member)
    session = m.session()
    msg, body = _message(message, WireFormat.PUBLIC_MESSAGE, WireFormat.PRIVATE_MESSAGE)
    try:
        with _refusals():
            if msg.wire_format == WireFormat.PRIVATE_MESSAGE:
                if body.content_type != ContentType.APPLICATION:
                    raise Refusal(
                        "Unsupported", "rfc9420 does not process handshake PrivateMessages"
                    )
                _, data = session.unprotect_application(msg.content)
                return _received(m, session, _APPLICATION, bytes(data))
            framed = body.tbs.framed_content
            sender = framed.sender
            if framed.content_type == ContentType.APPLICATION:
                # §6.2: application data is never a PublicMessage.
                raise Refusal("InvalidMessage", "application data in a PublicMessage")
            if sender.sender_type != SenderType.MEMBER:
                raise Refusal(
                    "Unsupported", f"sender type {int(sender.sender_type)} is not modelled here"
                )
            if framed.content_type == ContentType.PROPOSAL:
                session.process_proposal(msg.content, sender.sender)
                return _received(m, session, _PROPOSAL)
            session.apply_commit(msg.content, sender.sender)
            return _received(m, session, _COMMIT)
    except Refusal as exc:
        exc.state = m.kept(session)
        raise


# --- epoch state (§8.5, §8.7) ---------------------------------------------------------------


def mls_export(member: bytes, label: bytes, context: bytes, length: int) -> bytes:
    """``export_secret`` (the library's MLS-Exporter)."""
    session = _Member.decode(member).session()
    with _refusals():
        return bytes(session.export_secret(label, context, length))


def mls_epoch(member: bytes) -> dict[str, Any]:
    """Epoch, epoch_authenticator (``get_epoch_authenticator``), the GroupContext's tree hash,
    the member's leaf, and the occupied leaves (the library's ``member_count`` is its tree's
    leaf count, blank leaves included)."""
    session = _Member.decode(member).session()
    inner = session._group._inner
    tree = inner._ratchet_tree
    members = sum(1 for i in range(tree.n_leaves) if tree.get_node(2 * i).leaf_node is not None)
    return {
        "epoch": int(session.epoch),
        "epoch_authenticator": bytes(inner.get_epoch_authenticator()),
        "tree_hash": bytes(inner._group_context.tree_hash),
        "leaf_index": int(session.own_leaf_index),
        "member_count": members,
    }


HANDLERS = {
    "mls-group.mls_key_package": mls_key_package,
    "mls-group.mls_create": mls_create,
    "mls-group.mls_add": mls_add,
    "mls-group.mls_join": mls_join,
    "mls-group.mls_update": mls_update,
    "mls-group.mls_remove": mls_remove,
    "mls-group.mls_encrypt": mls_encrypt,
    "mls-group.mls_process": mls_process,
    "mls-group.mls_export": mls_export,
    "mls-group.mls_epoch": mls_epoch,
}
