"""MLS (RFC 9420), family ``mls``, group level: members that make key packages, create groups,
add, update and remove by commit, join by Welcome, send application messages and export
secrets (RFC 9420 §10-§12, §8.5, §8.7). This is what live interop drives; the known-answer
tiers are :mod:`conformance.capabilities.mls` and :mod:`conformance.capabilities.mls_protocol`.

A ``member`` is opaque state, as ``party`` is for Signal: everything one client holds for one
group (its signature key, its key package's private keys before it joins, then the group's
state), returned after every step and handed back for the next. An implementation that can
serialise its state returns that, and so can be stopped and restarted from it; one that
cannot returns a handle to state it keeps and says so in its manifest.

Random inputs: every operation that draws takes ``random``, bytes an implementation draws from
at that step (its path secrets, HPKE and signature randomness, reuse guards). An adapter that
uses them byte for byte, so that equal inputs give equal outputs, declares
``mls-group:fixed-randomness``; one that draws its own ignores them.

Conventions: identities are BasicCredential identities (§5.3.1); ``wire_format`` is 1
(PublicMessage) or 2 (PrivateMessage) for the commits a member sends (application messages are
always PrivateMessages, §6.2); an implementation refuses a wire format it cannot send with
Unsupported. A commit from an Add carries the Welcome for the new member with the
ratchet_tree extension (§12.4.3.3) and, like every commit these operations make, an
UpdatePath. Refusals follow :mod:`conformance.capabilities.mls_protocol`; a message of another
epoch or group is InvalidMessage; one the member already processed, DuplicateMessage or
InvalidMessage.
"""

from __future__ import annotations

from typing import Protocol, TypedDict, runtime_checkable

from ._markers import FixedRandomness

__all__ = [
    "MlsCommitted",
    "MlsEpochState",
    "MlsGroup",
    "MlsKeyPackageMade",
    "MlsReceived",
    "MlsSent",
]

FAMILY = "mls"


class MlsKeyPackageMade(TypedDict):
    """A new client (RFC 9420 §10): its state, holding the private keys, and its KeyPackage
    as an MLSMessage."""

    member: bytes
    key_package: bytes


class MlsCommitted(TypedDict):
    """The committer's state after it merged its own commit (§12.4), the commit as an
    MLSMessage, and the Welcome as an MLSMessage (empty when nobody was added)."""

    member: bytes
    commit: bytes
    welcome: bytes


class MlsSent(TypedDict):
    member: bytes
    message: bytes


class MlsReceived(TypedDict):
    """The member after processing a message, its ContentType (1 application, 3 commit) and,
    for an application message, its data (empty otherwise)."""

    member: bytes
    content_type: int
    application_data: bytes


class MlsEpochState(TypedDict):
    """What every member of an epoch must agree on (§8, §8.7), and the member's own leaf."""

    epoch: int
    epoch_authenticator: bytes
    tree_hash: bytes
    leaf_index: int
    member_count: int


@runtime_checkable
class MlsGroup(Protocol):
    """One client's life in groups (RFC 9420 §10-§12)."""

    def mls_key_package(
        self, cipher_suite: int, identity: bytes, signature_priv: bytes, random: bytes
    ) -> MlsKeyPackageMade:
        """A client with this signature private key (its public key derived from it) and a
        BasicCredential of ``identity``, and one KeyPackage (its init and encryption keys
        drawn from ``random``)."""
        ...

    def mls_create(self, member: bytes, group_id: bytes, random: bytes) -> bytes:
        """A one-member group at epoch 0 with this client's key package leaf (§11)."""
        ...

    def mls_add(
        self, member: bytes, key_package: bytes, wire_format: int, random: bytes
    ) -> MlsCommitted:
        """Commit an Add of ``key_package`` (an MLSMessage) with an UpdatePath."""
        ...

    def mls_join(self, member: bytes, welcome: bytes) -> bytes:
        """Join from ``welcome`` (an MLSMessage) with the key package the client made; the
        tree comes from the GroupInfo's ratchet_tree extension."""
        ...

    def mls_update(self, member: bytes, wire_format: int, random: bytes) -> MlsCommitted:
        """Commit no proposals with an UpdatePath: the member's own update (§12.4)."""
        ...

    def mls_remove(
        self, member: bytes, leaf_index: int, wire_format: int, random: bytes
    ) -> MlsCommitted:
        """Commit a Remove of the member at ``leaf_index`` with an UpdatePath."""
        ...

    def mls_encrypt(self, member: bytes, plaintext: bytes, random: bytes) -> MlsSent:
        """An application message as a PrivateMessage (§6.3)."""
        ...

    def mls_process(self, member: bytes, message: bytes) -> MlsReceived:
        """Process an MLSMessage: a commit moves the member to the next epoch (a commit that
        removes it leaves it out of the group); an application message is decrypted."""
        ...

    def mls_export(self, member: bytes, label: bytes, context: bytes, length: int) -> bytes:
        """MLS-Exporter(label, context, length) of the member's current epoch (§8.5)."""
        ...

    def mls_epoch(self, member: bytes) -> MlsEpochState:
        """The member's current epoch, epoch_authenticator, tree hash and leaf."""
        ...


CAPABILITIES: dict[str, type] = {
    "mls-group": MlsGroup,
    "mls-group:fixed-randomness": FixedRandomness,
}
COMPOSITES: dict[str, tuple[str, ...]] = {}
