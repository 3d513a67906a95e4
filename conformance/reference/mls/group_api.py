"""``MlsGroupReference``: the ``mls-group`` capability
(:class:`conformance.capabilities.mls_group.MlsGroup`) over :mod:`.group` and
:mod:`.group_send`, for cipher suites 1-7.

A member is a handle (16 bytes) to a state this object keeps: every step works on a copy and
returns a new handle, so an earlier state stays usable (a property can hold an old epoch's
state). Every draw of a step comes from its ``random`` (HKDF-expanded), signatures are
deterministic (RFC 8032; RFC 6979 for ECDSA), so equal inputs give equal outputs.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from ...capabilities.mls_group import (
    MlsCommitted,
    MlsEpochState,
    MlsKeyPackageMade,
    MlsReceived,
    MlsSent,
)
from ...errors import InvalidInput, InvalidMessage
from . import framing, wire
from .aead import PycaAead
from .ciphersuites import CipherSuite, suite
from .group import Member, RemovedFromGroup, Toolkit, join
from .group_send import Committed, commit, content_of, create, frame
from .hpke_binding import ReferenceHpke
from .key_package import key_package, signed_leaf_node
from .key_schedule import export
from .pyca import PycaSignatures

__all__ = ["MlsGroupReference"]

#: The label of the exporter every comparison of the suite uses is the caller's; this is the
#: label of the reference's own draws (HKDF-Expand info).
_DRAW = b"e2ee-conformance mls-group draw"


def _stream(random: bytes) -> Callable[[int], bytes]:
    """Bytes drawn from ``random`` in order: SHA-256 in counter mode over it (a step's inputs
    are short; the stream is what every key and nonce of the step comes from)."""
    counter, buffer = 0, b""

    def draw(n: int) -> bytes:
        nonlocal counter, buffer
        while len(buffer) < n:
            buffer += hmac.new(random, _DRAW + counter.to_bytes(8, "big"), hashlib.sha256).digest()
            counter += 1
        out, buffer = buffer[:n], buffer[n:]
        return out

    return draw


@dataclass
class _Pending:
    """A client before it joins: its key package and the private keys behind it."""

    cs: CipherSuite
    key_package: wire.KeyPackage
    signature_priv: bytes
    init_priv: bytes
    encryption_priv: bytes


class MlsGroupReference:
    """The reference's members, kept by handle."""

    def __init__(self) -> None:
        self._states: dict[bytes, _Pending | Member] = {}
        self._sig = PycaSignatures(deterministic=True)
        self._aead = PycaAead()
        self._next = 0

    def _keep(self, state: _Pending | Member) -> bytes:
        self._next += 1
        handle = hashlib.sha256(b"member %d" % self._next).digest()[:16]
        self._states[handle] = state
        return handle

    def _member(self, member: bytes, random: bytes = b"") -> Member:
        state = self._states.get(bytes(member))
        if not isinstance(state, Member):
            raise InvalidInput("not a member of a group (an unknown handle, or a key package)")
        kit = Toolkit(self._sig, ReferenceHpke(random=_stream(random)), self._aead)
        # A copy: the state behind the handle given stays as it was.
        out = copy.deepcopy(state, memo={id(state.kit): kit})
        out.kit = kit
        assert out.receiver is not None
        out.receiver = framing_receiver(out)
        return out

    def mls_key_package(
        self, cipher_suite: int, identity: bytes, signature_priv: bytes, random: bytes
    ) -> MlsKeyPackageMade:
        cs = suite(cipher_suite)
        draw = _stream(random)
        hpke = ReferenceHpke(random=draw)
        signature_pub = self._sig.public_key(cs.signature, signature_priv)
        enc_priv, enc_pub = hpke.derive_key_pair(cs.kem_id, draw(cs.nh))
        init_priv, init_pub = hpke.derive_key_pair(cs.kem_id, draw(cs.nh))
        leaf = signed_leaf_node(
            cs,
            self._sig,
            signature_priv,
            encryption_key=enc_pub,
            signature_key=signature_pub,
            identity=identity,
        )
        kp = key_package(cs, self._sig, signature_priv, init_pub, leaf)
        handle = self._keep(_Pending(cs, kp, signature_priv, init_priv, enc_priv))
        return MlsKeyPackageMade(member=handle, key_package=wire.MlsMessage(kp).encode())

    def _pending(self, member: bytes) -> _Pending:
        state = self._states.get(bytes(member))
        if not isinstance(state, _Pending):
            raise InvalidInput("not a client that has yet to join")
        return state

    def mls_create(self, member: bytes, group_id: bytes, random: bytes) -> bytes:
        p = self._pending(member)
        kit = Toolkit(self._sig, ReferenceHpke(random=_stream(random)), self._aead)
        m = create(
            kit, p.key_package, p.encryption_priv, p.signature_priv, group_id, {}, _stream(random)
        )
        m.signature_priv = p.signature_priv
        return self._keep(m)

    def _committed(self, m: Member, done: Committed) -> MlsCommitted:
        commit_message = done.commit
        welcome = done.welcome or b""
        return MlsCommitted(member=self._keep(m), commit=commit_message, welcome=welcome)

    def mls_add(
        self, member: bytes, key_package: bytes, wire_format: int, random: bytes
    ) -> MlsCommitted:
        m = self._member(member, random)
        msg = wire.decode(wire.MlsMessage.read, key_package, "key package")
        if not isinstance(msg.body, wire.KeyPackage):
            raise InvalidMessage("an MLSMessage holding a KeyPackage was expected")
        done = commit(
            m,
            [wire.Proposal(wire.Add(msg.body))],
            [],
            path=True,
            wire_format=_wire_format(wire_format),
            random=_stream(random),
        )
        return self._committed(m, done)

    def mls_join(self, member: bytes, welcome: bytes) -> bytes:
        p = self._pending(member)
        kit = Toolkit(self._sig, ReferenceHpke(), self._aead)
        m = join(
            kit,
            wire.MlsMessage(p.key_package).encode(),
            p.init_priv,
            p.encryption_priv,
            welcome,
            None,
            {},
        )
        m.signature_priv = p.signature_priv
        return self._keep(m)

    def mls_update(self, member: bytes, wire_format: int, random: bytes) -> MlsCommitted:
        m = self._member(member, random)
        done = commit(
            m, [], [], path=True, wire_format=_wire_format(wire_format), random=_stream(random)
        )
        return self._committed(m, done)

    def mls_remove(
        self, member: bytes, leaf_index: int, wire_format: int, random: bytes
    ) -> MlsCommitted:
        m = self._member(member, random)
        done = commit(
            m,
            [wire.Proposal(wire.Remove(leaf_index))],
            [],
            path=True,
            wire_format=_wire_format(wire_format),
            random=_stream(random),
        )
        return self._committed(m, done)

    def mls_encrypt(self, member: bytes, plaintext: bytes, random: bytes) -> MlsSent:
        m = self._member(member, random)
        content = content_of(m, wire.APPLICATION, bytes(plaintext))
        signature = framing.sign_content(
            m.cs, m.kit.signatures, m.signature_priv, wire.WF_PRIVATE, content, m.context.encode()
        )
        message = frame(m, content, signature, None, wire.WF_PRIVATE, _stream(random))
        return MlsSent(member=self._keep(m), message=message)

    def mls_process(self, member: bytes, message: bytes) -> MlsReceived:
        m = self._member(member)
        msg = wire.decode(wire.MlsMessage.read, message, "MLSMessage")
        if isinstance(msg.body, wire.PrivateMessage) and msg.body.content_type == wire.APPLICATION:
            assert m.receiver is not None
            content, _ = m.receiver.unprotect(msg)
            assert isinstance(content.content, bytes)
            return MlsReceived(
                member=self._keep(m),
                content_type=wire.APPLICATION,
                application_data=content.content,
            )
        try:
            m.process(message)
        except RemovedFromGroup:
            # This member's own removal (§12.1.3): it is out of the group.
            return MlsReceived(member=b"", content_type=wire.COMMIT, application_data=b"")
        kind = wire.COMMIT if msg_is_commit(msg) else wire.PROPOSAL
        return MlsReceived(member=self._keep(m), content_type=kind, application_data=b"")

    def mls_export(self, member: bytes, label: bytes, context: bytes, length: int) -> bytes:
        m = self._member(member)
        return export(m.cs, m.secrets.exporter_secret, label, context, length)

    def mls_epoch(self, member: bytes) -> MlsEpochState:
        m = self._member(member)
        return MlsEpochState(
            epoch=m.context.epoch,
            epoch_authenticator=m.secrets.epoch_authenticator,
            tree_hash=m.context.tree_hash,
            leaf_index=m.leaf_index,
            member_count=len(m.tree.non_blank_leaves()),
        )


def framing_receiver(m: Member) -> framing.Receiver:
    """The copied member's receiver, with the consumed generations of the one it copies."""
    fresh = m.new_receiver()
    assert m.receiver is not None
    fresh._consumed = set(m.receiver._consumed)
    return fresh


def msg_is_commit(msg: wire.MlsMessage) -> bool:
    body = msg.body
    if isinstance(body, wire.PublicMessage):
        return body.content.content_type == wire.COMMIT
    return isinstance(body, wire.PrivateMessage) and body.content_type == wire.COMMIT


def _wire_format(value: int) -> int:
    if value not in (wire.WF_PUBLIC, wire.WF_PRIVATE):
        raise InvalidInput(f"wire_format {value}: 1 (PublicMessage) or 2 (PrivateMessage)")
    return value
