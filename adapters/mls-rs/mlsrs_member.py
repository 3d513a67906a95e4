"""A member's state for the ``mls-group`` capability: mls-rs's own group state, carried in
the member bytes and handed back to mls-rs through its ``GroupStateStorage`` callback.

mls-rs keeps a group in its storage as one serialised snapshot plus one record per retained
prior epoch (RFC 9420 §8, for messages that arrive after the next commit); ``write_to_storage``
writes them and ``Client.load_group`` reads them back. The member bytes hold those, with the
client's BasicCredential identity (§5.3.1) and signature key, so every step rebuilds the
client and its group from the bytes alone.

The one exception is a client that made a key package and has not joined yet: the binding
keeps the key package's private keys (init and encryption keys, §10) in the client's in-memory
key package store and offers no way to read or supply them, so that member is a handle to the
``Client`` object this process keeps (lost if the process restarts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from itertools import count
from typing import Any

import mls_rs_uniffi as mls  # type: ignore[import-untyped,import-not-found,unused-ignore]
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from e2ee_host import Refusal

__all__ = ["Member", "Storage", "client_for", "new_client", "open_group", "save_group"]

#: mls-rs's in-memory storage keeps this many prior epochs; the member bytes keep as many.
EPOCHS_KEPT = 3

_clients: dict[int, Any] = {}
_handles = count(1)


@dataclass(frozen=True)
class Member:
    """Everything one client holds for one group (the ``member`` of ``mls-group``)."""

    cipher_suite: int
    identity: bytes
    signature_seed: bytes
    client: int | None = None  # handle of a client that has not joined a group yet
    group_id: bytes | None = None
    state: bytes = b""
    epochs: dict[int, bytes] = field(default_factory=dict)
    removed: bool = False

    def encode(self) -> bytes:
        return json.dumps(
            {
                "cipher_suite": self.cipher_suite,
                "identity": self.identity.hex(),
                "signature_seed": self.signature_seed.hex(),
                "client": self.client,
                "group_id": None if self.group_id is None else self.group_id.hex(),
                "state": self.state.hex(),
                "epochs": {str(k): v.hex() for k, v in sorted(self.epochs.items())},
                "removed": self.removed,
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode()

    @classmethod
    def decode(cls, data: bytes) -> Member:
        # Member bytes are this adapter's own output; anything else is the caller's error.
        d = json.loads(data)
        return cls(
            cipher_suite=int(d["cipher_suite"]),
            identity=bytes.fromhex(d["identity"]),
            signature_seed=bytes.fromhex(d["signature_seed"]),
            client=d["client"],
            group_id=None if d["group_id"] is None else bytes.fromhex(d["group_id"]),
            state=bytes.fromhex(d["state"]),
            epochs={int(k): bytes.fromhex(v) for k, v in d["epochs"].items()},
            removed=bool(d["removed"]),
        )

    @property
    def signature_public(self) -> bytes:
        return public_key(self.signature_seed)

    @property
    def signer(self) -> bytes:
        """The signature secret key as mls-rs's OpenSSL provider holds an Ed25519 key: the
        32-byte seed followed by the public key (what its own key generation returns)."""
        return self.signature_seed + self.signature_public


def public_key(seed: bytes) -> bytes:
    return (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )


class Storage(mls.GroupStateStorage):  # type: ignore[misc]
    """mls-rs's ``GroupStateStorage`` over one member's bytes (a callback the library calls
    from ``load_group`` and ``write_to_storage``)."""

    def __init__(self, member: Member | None = None) -> None:
        self.group_id = None if member is None else member.group_id
        self.snapshot = b"" if member is None else member.state
        self.epochs = {} if member is None else dict(member.epochs)

    def state(self, group_id: bytes) -> bytes | None:
        return self.snapshot if group_id == self.group_id and self.snapshot else None

    def epoch(self, group_id: bytes, epoch_id: int) -> bytes | None:
        return self.epochs.get(epoch_id) if group_id == self.group_id else None

    def write(
        self,
        group_id: bytes,
        group_state: bytes,
        epoch_inserts: list[Any],
        epoch_updates: list[Any],
    ) -> None:
        if self.group_id not in (None, group_id):
            self.epochs = {}
        self.group_id = group_id
        self.snapshot = group_state
        for record in [*epoch_inserts, *epoch_updates]:
            self.epochs[record.id] = record.data
        for old in sorted(self.epochs)[:-EPOCHS_KEPT]:
            del self.epochs[old]

    def max_epoch_id(self, group_id: bytes) -> int | None:
        if group_id != self.group_id or not self.epochs:
            return None
        return max(self.epochs)


def _keypair(member: Member) -> Any:
    return mls.SignatureKeypair(
        cipher_suite=mls.CipherSuite.CURVE25519_AES128,
        public_key=mls.SignaturePublicKey(bytes=member.signature_public),
        secret_key=mls.SignatureSecretKey(bytes=member.signer),
    )


def _client(member: Member, storage: Storage) -> Any:
    config = mls.ClientConfig(group_state_storage=storage, use_ratchet_tree_extension=True)
    return mls.Client(member.identity, _keypair(member), config)


def new_client(member: Member) -> tuple[Member, Any, Storage]:
    """A fresh client kept in this process, and the member holding its handle."""
    storage = Storage()
    client = _client(member, storage)
    handle = next(_handles)
    _clients[handle] = (client, storage)
    return replace(member, client=handle), client, storage


def client_for(member: Member) -> tuple[Any, Storage]:
    """The client a member's handle names (a member that has not joined a group yet)."""
    if member.client is None or member.client not in _clients:
        # A refusal, not an internal error: after the adapter restarts, the member given is
        # one it cannot use (the binding cannot export what a client keeps).
        raise Refusal(
            "InvalidInput",
            "this member's client is not in this process (it holds the key package's private "
            "keys, which mls-rs's binding cannot export)",
        )
    client, storage = _clients[member.client]
    return client, storage


def open_group(member: Member) -> tuple[Any, Storage]:
    """The member's group, loaded by a client rebuilt from the member bytes."""
    if member.group_id is None:
        raise Refusal("InvalidInput", "this member is in no group")
    storage = Storage(member)
    return _client(member, storage).load_group(member.group_id), storage


def save_group(member: Member, group: Any, storage: Storage) -> Member:
    """The member after mls-rs wrote the group's current state to its storage."""
    group.write_to_storage()
    return replace(
        member,
        client=None,
        group_id=storage.group_id,
        state=storage.snapshot,
        epochs=dict(storage.epochs),
    )
