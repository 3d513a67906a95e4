"""The key schedule (RFC 9420 §8, Figure 22), the GroupContext (§8.1), the exporter (§8.5)
and the external key pair (§8.3)."""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import InvalidInput
from .ciphersuites import CipherSuite
from .crypto import Hpke, derive_secret, expand_with_label, extract, hash_
from .tls import Reader, opaque, uint16, uint64

__all__ = [
    "EpochSecrets",
    "epoch_secrets",
    "epoch_secrets_from_joiner",
    "export",
    "external_key_pair",
    "group_context",
]

#: ProtocolVersion mls10 (§6).
MLS10 = 1


def group_context(
    cs: CipherSuite,
    group_id: bytes,
    epoch: int,
    tree_hash: bytes,
    confirmed_transcript_hash: bytes,
    extensions: bytes,
) -> bytes:
    """The serialised GroupContext (§8.1): uint16 version (mls10) || uint16 cipher_suite ||
    opaque group_id<V> || uint64 epoch || opaque tree_hash<V> ||
    opaque confirmed_transcript_hash<V> || Extension extensions<V>. ``extensions`` is that
    last vector serialised with its length prefix; b"" is taken as the empty vector (0x00)."""
    if epoch < 0 or epoch >= 1 << 64:
        raise InvalidInput(f"epoch {epoch} is not a uint64")
    if extensions == b"":
        extensions = b"\x00"
    reader = Reader(extensions)
    reader.opaque()
    if not reader.done():
        raise InvalidInput("extensions is not one serialised Extension vector")
    return (
        uint16(MLS10)
        + uint16(cs.code)
        + opaque(group_id)
        + uint64(epoch)
        + opaque(tree_hash)
        + opaque(confirmed_transcript_hash)
        + extensions
    )


@dataclass(frozen=True)
class EpochSecrets:
    """The secrets of Table 4 (§8) with joiner_secret, welcome_secret and the next
    init_secret."""

    joiner_secret: bytes
    welcome_secret: bytes
    init_secret: bytes
    sender_data_secret: bytes
    encryption_secret: bytes
    exporter_secret: bytes
    epoch_authenticator: bytes
    external_secret: bytes
    confirmation_key: bytes
    membership_key: bytes
    resumption_psk: bytes


def epoch_secrets(
    cs: CipherSuite,
    init_secret: bytes,
    commit_secret: bytes,
    psk_secret: bytes,
    group_context: bytes,
) -> EpochSecrets:
    """Figure 22: joiner_secret = ExpandWithLabel(Extract(init_secret, commit_secret),
    "joiner", GroupContext, Nh); the member secret Extract(joiner_secret, psk_secret) gives
    welcome_secret (DeriveSecret "welcome") and epoch_secret (ExpandWithLabel "epoch",
    GroupContext); the epoch secret gives the secrets of Table 4 and the next init_secret."""
    joiner = expand_with_label(
        cs, extract(cs, init_secret, commit_secret), b"joiner", group_context, cs.nh
    )
    return epoch_secrets_from_joiner(cs, joiner, psk_secret, group_context)


def epoch_secrets_from_joiner(
    cs: CipherSuite, joiner_secret: bytes, psk_secret: bytes, group_context: bytes
) -> EpochSecrets:
    """Figure 22 from the joiner_secret on, as a new member starts (§12.4.3.1): the member
    secret Extract(joiner_secret, psk_secret) gives welcome_secret (DeriveSecret "welcome")
    and epoch_secret (ExpandWithLabel "epoch", GroupContext), which gives the secrets of
    Table 4 and the next init_secret."""
    member = extract(cs, joiner_secret, psk_secret)
    epoch = expand_with_label(cs, member, b"epoch", group_context, cs.nh)
    return EpochSecrets(
        joiner_secret=joiner_secret,
        welcome_secret=derive_secret(cs, member, b"welcome"),
        init_secret=derive_secret(cs, epoch, b"init"),
        sender_data_secret=derive_secret(cs, epoch, b"sender data"),
        encryption_secret=derive_secret(cs, epoch, b"encryption"),
        exporter_secret=derive_secret(cs, epoch, b"exporter"),
        epoch_authenticator=derive_secret(cs, epoch, b"authentication"),
        external_secret=derive_secret(cs, epoch, b"external"),
        confirmation_key=derive_secret(cs, epoch, b"confirm"),
        membership_key=derive_secret(cs, epoch, b"membership"),
        resumption_psk=derive_secret(cs, epoch, b"resumption"),
    )


def export(
    cs: CipherSuite, exporter_secret: bytes, label: bytes, context: bytes, length: int
) -> bytes:
    """MLS-Exporter (§8.5): ExpandWithLabel(DeriveSecret(exporter_secret, label), "exported",
    Hash(context), length)."""
    return expand_with_label(
        cs, derive_secret(cs, exporter_secret, label), b"exported", hash_(cs, context), length
    )


def external_key_pair(cs: CipherSuite, hpke: Hpke, external_secret: bytes) -> tuple[bytes, bytes]:
    """external_priv, external_pub = KEM.DeriveKeyPair(external_secret) (§8.3; RFC 9180
    §7.1.3)."""
    return hpke.derive_key_pair(cs.kem_id, external_secret)
