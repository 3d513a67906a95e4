"""Joining a group by Welcome (RFC 9420 §12.4.3.1), and making one.

The joiner finds the EncryptedGroupSecrets addressed to its KeyPackageRef, opens it with
DecryptWithLabel(init_priv, "Welcome", encrypted_group_info, ...), derives welcome_secret
from the joiner_secret (psk_secret all zero when there are no PSKs, §8), decrypts the
GroupInfo with the welcome key and nonce, verifies its signature (VerifyWithLabel
"GroupInfoTBS", §12.4.3) and its confirmation tag MAC(confirmation_key,
confirmed_transcript_hash) (§8.2, §12.4.3.1), and holds the epoch's secrets (§8).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from ...errors import AuthenticationFailed, InvalidMessage, Unsupported
from .aead import Aead
from .ciphersuites import CipherSuite
from .crypto import (
    Hpke,
    Signatures,
    decrypt_with_label,
    derive_secret,
    encrypt_with_label,
    expand_with_label,
    extract,
    mac,
    sign_with_label,
    verify_with_label,
)
from .key_package import key_package_ref
from .key_schedule import EpochSecrets, epoch_secrets_from_joiner
from .wire import (
    EncryptedGroupSecrets,
    Extension,
    GroupContext,
    GroupInfo,
    GroupSecrets,
    HpkeCiphertext,
    KeyPackage,
    PreSharedKeyId,
    Welcome,
    decode,
)

__all__ = [
    "Joined",
    "confirmation_tag",
    "make_welcome",
    "open_welcome",
    "process_welcome",
    "seal_welcome",
    "sign_group_info",
    "verify_group_info",
    "welcome_key_nonce",
]


def welcome_key_nonce(cs: CipherSuite, welcome_secret: bytes) -> tuple[bytes, bytes]:
    """welcome_key = ExpandWithLabel(welcome_secret, "key", "", AEAD.Nk) and welcome_nonce =
    ExpandWithLabel(welcome_secret, "nonce", "", AEAD.Nn) (§12.4.3.1)."""
    key = expand_with_label(cs, welcome_secret, b"key", b"", cs.nk)
    nonce = expand_with_label(cs, welcome_secret, b"nonce", b"", cs.nn)
    return key, nonce


def confirmation_tag(cs: CipherSuite, confirmation_key: bytes, confirmed_hash: bytes) -> bytes:
    """confirmation_tag = MAC(confirmation_key, confirmed_transcript_hash) (§6.1, §8.2)."""
    return mac(cs, confirmation_key, confirmed_hash)


def sign_group_info(
    cs: CipherSuite,
    sig: Signatures,
    signer_priv: bytes,
    group_context: GroupContext,
    extensions: tuple[Extension, ...],
    tag: bytes,
    signer: int,
) -> GroupInfo:
    """A GroupInfo signed with SignWithLabel(., "GroupInfoTBS", GroupInfoTBS) (§12.4.3)."""
    unsigned = GroupInfo(group_context, extensions, tag, signer, b"")
    signature = sign_with_label(cs, sig, signer_priv, b"GroupInfoTBS", unsigned.tbs())
    return GroupInfo(group_context, extensions, tag, signer, signature)


def seal_welcome(
    cs: CipherSuite,
    hpke: Hpke,
    aead: Aead,
    group_info: GroupInfo,
    joiner_secret: bytes,
    key_packages: list[KeyPackage],
    path_secret: bytes | None = None,
) -> Welcome:
    """The Welcome (§12.4.3.1): the GroupInfo sealed with the welcome key and nonce (no PSKs),
    and GroupSecrets sealed to each key package's init_key with EncryptWithLabel(.,
    "Welcome", encrypted_group_info, GroupSecrets)."""
    welcome_secret = derive_secret(cs, extract(cs, joiner_secret, bytes(cs.nh)), b"welcome")
    key, nonce = welcome_key_nonce(cs, welcome_secret)
    encrypted_group_info = aead.seal(cs.aead_id, key, nonce, b"", group_info.encode())
    secrets = GroupSecrets(joiner_secret, path_secret, ()).encode()
    entries = []
    for kp in key_packages:
        kem_output, ciphertext = encrypt_with_label(
            cs, hpke, kp.init_key, b"Welcome", encrypted_group_info, secrets
        )
        entries.append(
            EncryptedGroupSecrets(key_package_ref(cs, kp), HpkeCiphertext(kem_output, ciphertext))
        )
    return Welcome(cs.code, tuple(entries), encrypted_group_info)


def make_welcome(
    cs: CipherSuite,
    sig: Signatures,
    hpke: Hpke,
    aead: Aead,
    group_context: GroupContext,
    extensions: tuple[Extension, ...],
    signer: int,
    signer_priv: bytes,
    joiner_secret: bytes,
    key_packages: list[KeyPackage],
) -> tuple[Welcome, EpochSecrets]:
    """The Welcome a committer sends for the epoch of ``group_context`` whose joiner_secret is
    given (no PSKs): the GroupInfo carries the epoch's real confirmation tag."""
    secrets = epoch_secrets_from_joiner(cs, joiner_secret, bytes(cs.nh), group_context.encode())
    tag = confirmation_tag(cs, secrets.confirmation_key, group_context.confirmed_transcript_hash)
    info = sign_group_info(cs, sig, signer_priv, group_context, extensions, tag, signer)
    return seal_welcome(cs, hpke, aead, info, joiner_secret, key_packages), secrets


@dataclass(frozen=True)
class Joined:
    """What a joiner holds after a Welcome (§12.4.3.1)."""

    group_info: GroupInfo
    group_secrets: GroupSecrets
    secrets: EpochSecrets


def open_welcome(
    cs: CipherSuite,
    hpke: Hpke,
    aead: Aead,
    init_priv: bytes,
    key_package: KeyPackage,
    welcome: Welcome,
    psk_secret_of: Callable[[tuple[PreSharedKeyId, ...]], bytes] | None = None,
) -> tuple[GroupInfo, GroupSecrets, bytes]:
    """Open ``welcome`` as the holder of ``key_package`` (§12.4.3.1): its GroupInfo (not yet
    verified), GroupSecrets and psk_secret (§8.4: from ``psk_secret_of`` when the Welcome
    names PSKs, refused as Unsupported without one). No entry for the key package or another
    cipher suite is InvalidMessage; the HPKE and AEAD openings refuse with
    AuthenticationFailed."""
    if welcome.cipher_suite != cs.code or key_package.cipher_suite != cs.code:
        raise InvalidMessage("the Welcome or key package is of another cipher suite")
    ref = key_package_ref(cs, key_package)
    entry = next((e for e in welcome.secrets if e.new_member == ref), None)
    if entry is None:
        raise InvalidMessage("the Welcome has no EncryptedGroupSecrets for this key package")
    plaintext = decrypt_with_label(
        cs,
        hpke,
        init_priv,
        b"Welcome",
        welcome.encrypted_group_info,
        entry.encrypted_group_secrets.kem_output,
        entry.encrypted_group_secrets.ciphertext,
    )
    group_secrets = decode(GroupSecrets.read, plaintext, "GroupSecrets")
    psk_secret = bytes(cs.nh)
    if group_secrets.psks:
        if psk_secret_of is None:
            raise Unsupported("the Welcome names PSKs; none were given (§8.4)")
        psk_secret = psk_secret_of(group_secrets.psks)
    welcome_secret = derive_secret(
        cs, extract(cs, group_secrets.joiner_secret, psk_secret), b"welcome"
    )
    key, nonce = welcome_key_nonce(cs, welcome_secret)
    group_info_bytes = aead.open(cs.aead_id, key, nonce, b"", welcome.encrypted_group_info)
    group_info = decode(GroupInfo.read, group_info_bytes, "GroupInfo")
    if group_info.group_context.cipher_suite != cs.code:
        raise InvalidMessage("the GroupInfo is of another cipher suite")
    return group_info, group_secrets, psk_secret


def verify_group_info(
    cs: CipherSuite,
    sig: Signatures,
    group_info: GroupInfo,
    signer_pub: bytes,
    joiner_secret: bytes,
    psk_secret: bytes,
) -> EpochSecrets:
    """The GroupInfo's signature under ``signer_pub`` (InvalidSignature) and its confirmation
    tag under the epoch's confirmation key (AuthenticationFailed), §12.4.3.1; the epoch's
    secrets."""
    context = group_info.group_context
    verify_with_label(cs, sig, signer_pub, b"GroupInfoTBS", group_info.tbs(), group_info.signature)
    secrets = epoch_secrets_from_joiner(cs, joiner_secret, psk_secret, context.encode())
    expected = confirmation_tag(cs, secrets.confirmation_key, context.confirmed_transcript_hash)
    if not hmac.compare_digest(expected, group_info.confirmation_tag):
        raise AuthenticationFailed("the GroupInfo's confirmation tag does not verify")
    return secrets


def process_welcome(
    cs: CipherSuite,
    sig: Signatures,
    hpke: Hpke,
    aead: Aead,
    init_priv: bytes,
    key_package: KeyPackage,
    signer_pub: bytes,
    welcome: Welcome,
) -> Joined:
    """Join by ``welcome`` as the holder of ``key_package`` (§12.4.3.1), the GroupInfo signed
    by ``signer_pub``, no PSKs: :func:`open_welcome`, then :func:`verify_group_info`."""
    group_info, group_secrets, psk_secret = open_welcome(
        cs, hpke, aead, init_priv, key_package, welcome
    )
    secrets = verify_group_info(
        cs, sig, group_info, signer_pub, group_secrets.joiner_secret, psk_secret
    )
    return Joined(group_info, group_secrets, secrets)
