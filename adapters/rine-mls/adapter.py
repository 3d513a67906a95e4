"""Stdio adapter for rine-mls 0.1.1 (mls-rs 0.55.2 over RustCrypto, through PyO3).

Runs in its own environment (``rine-mls==0.1.1``) and speaks the adapter protocol through the
bundled host library. It offers ``mls-group`` (``conformance/capabilities/mls_group.py``,
RFC 9420 §10-§12) for cipher suite 1 (MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519), as far
as rine's API reaches:

- a client is ``MlsClient(store_root, signing_seed, suite)``: the Ed25519 seed is injected,
  and the BasicCredential identity is always the raw Ed25519 public key (§5.3.1; rine has no
  other identity);
- key packages: ``generate_key_package``; groups: ``create_group`` (which also commits once,
  rine's "init commit", so the group starts at epoch 1), ``add_member``, ``remove_member``,
  ``join_from_welcome``, ``apply_commit``; application data: ``encrypt_application_message``
  / ``decrypt_application_message`` (rine frames the MLSMessage behind a one-byte
  ``APP_MESSAGE_TAG``; the adapter strips and adds it so messages are plain MLSMessages);
- rine has no self-update (an empty commit), no exporter, no PrivateMessage handshake and no
  fixed randomness: ``mls_update``, ``mls_export`` and ``wire_format`` 2 are Unsupported, and
  every ``random`` is ignored (rine draws from the OS).

State: the member is the library's own on-disk store (``MlsGroup.save`` writes it) carried in
the member bytes with the signing seed and the group id; each call unpacks it into a fresh
directory, reloads the client and group (``load_group``), acts, saves and packs it again, so a
member is restartable from its bytes. ``mls_epoch`` reads the epoch authenticator from that
saved state (mls-rs's ``Snapshot.key_schedule.authentication_secret``, the value mls-rs's own
``epoch_authenticator()`` returns, RFC 9420 §8.7), which rine does not expose. rine keeps a
member's removal in memory only (its saved state reloads as active at the epoch before the
Remove), so the member bytes also record it, and a removed member is refused every later step.
"""

from __future__ import annotations

import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any

import rine_mls  # type: ignore[import-not-found,unused-ignore]
from e2ee_host import Refusal, serve

MAGIC = b"rine-mls member 1"
REMOVED = b"removed"
SUITE = rine_mls.CIPHER_SUITE_CLASSICAL
TAG = bytes([rine_mls.APP_MESSAGE_TAG])
WIRE_PUBLIC, WIRE_PRIVATE = 1, 2
CONTENT_APPLICATION, CONTENT_COMMIT = 1, 3
HASH_LEN = 32  # Nh of suite 1 (SHA-256): every key-schedule secret has this length


# --- member bytes: [MAGIC, seed, group_id, status, (path, file)*] as a blob list -------------


def _join(items: list[bytes]) -> bytes:
    return b"".join(struct.pack(">I", len(i)) + i for i in items)


def _split(blob: bytes) -> list[bytes]:
    items, at = [], 0
    while at < len(blob):
        if at + 4 > len(blob):
            raise Refusal("InvalidInput", "member bytes end inside a length")
        (n,) = struct.unpack(">I", blob[at : at + 4])
        at += 4
        if at + n > len(blob):
            raise Refusal("InvalidInput", "member bytes run past their end")
        items.append(blob[at : at + n])
        at += n
    return items


def _pack(root: str, seed: bytes, group_id: bytes, status: bytes) -> bytes:
    items = [MAGIC, seed, group_id, status]
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            path = os.path.join(d, f)
            items.append(os.path.relpath(path, root).encode())
            with open(path, "rb") as fh:
                items.append(fh.read())
    return _join(items)


class _Member:
    """One unpacked member: the rine client over its store, and its group once it has one."""

    def __init__(self, root: str, seed: bytes, group_id: bytes, status: bytes = b"") -> None:
        self.root, self.seed, self.group_id, self.status = root, seed, group_id, status
        with _refusals():
            self.client = rine_mls.MlsClient(root, seed, SUITE)
        self.group: Any = None
        if group_id:
            with _refusals():
                self.group = self.client.load_group(group_id)

    def pack(self) -> bytes:
        if self.group is not None:
            if not self.group.is_active():
                # rine keeps "removed" in memory only: its saved state stays at the epoch
                # before the Remove and reloads as active, so the member bytes record it.
                self.status = REMOVED
            self.group.save()
        return _pack(self.root, self.seed, self.group_id, self.status)


@contextmanager
def _member(member: bytes) -> Iterator[_Member]:
    items = _split(member)
    if len(items) < 4 or items[0] != MAGIC or len(items) % 2 != 0:
        raise Refusal("InvalidInput", "not a rine-mls member")
    root = tempfile.mkdtemp(prefix="rine-mls-")
    try:
        for i in range(4, len(items), 2):
            rel = items[i].decode()
            path = os.path.normpath(os.path.join(root, rel))
            if not path.startswith(root + os.sep):
                raise Refusal("InvalidInput", f"member file {rel!r} outside its store")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(items[i + 1])
        yield _Member(root, items[1], items[2], items[3])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _in_group(m: _Member) -> Any:
    if m.group is None:
        raise Refusal("InvalidInput", "this member has no group yet")
    if m.status == REMOVED:
        raise Refusal("InvalidInput", "this member was removed from the group")
    return m.group


def _wire(wire_format: int) -> None:
    if wire_format == WIRE_PRIVATE:
        raise Refusal("Unsupported", "rine-mls sends commits only as PublicMessages")
    if wire_format != WIRE_PUBLIC:
        raise Refusal("InvalidInput", f"wire_format {wire_format}")


# --- refusals --------------------------------------------------------------------------------

_KINDS = {
    "EpochConflictError": "InvalidMessage",
    "UnexpectedBlobError": "InvalidMessage",
    "UnexpectedMessageError": "InvalidMessage",
    "MissingWelcomeError": "InvalidMessage",
    "UnreadableKeyPackageError": "InvalidMessage",
    "UnexpectedVersionTagError": "InvalidMessage",
    "EmptyFrameError": "InvalidMessage",
    "UnreadableCredentialError": "InvalidMessage",
    "CipherSuiteMismatchError": "Unsupported",
    "UnsupportedCipherSuiteError": "Unsupported",
    "InvalidSigningSeedError": "InvalidKey",
    "GroupInactiveError": "InvalidInput",
    "SelfMessageNotCachedError": "InvalidInput",
}


def _protocol_kind(text: str) -> str:
    """MlsProtocolError carries mls-rs's MlsError as text; its variant names say what failed."""
    low = text.lower()
    if "signature" in low:
        return "InvalidSignature"
    if "membership" in low or "confirmation" in low or "aead" in low or "hpke" in low:
        return "AuthenticationFailed"
    if "invalid generation" in low:
        return "DuplicateMessage"
    return "InvalidMessage"


@contextmanager
def _refusals() -> Iterator[None]:
    """rine's deliberate errors as the suite's kinds; MlsPanicError, MlsPoisonedError,
    MlsStoreError and anything else propagate (internal errors)."""
    try:
        yield
    except rine_mls.MlsProtocolError as exc:
        raise Refusal(_protocol_kind(str(exc)), f"{exc.code}: {exc}") from exc
    except rine_mls.RineMlsError as exc:
        kind = _KINDS.get(type(exc).__name__)
        if kind is None:
            raise
        raise Refusal(kind, f"{exc.code}: {exc}") from exc


# --- reading MLS structures (RFC 9420 §2.1.2 varints, §6, §12.4.3) ----------------------------


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise Refusal("InvalidMessage", "message truncated")
        out = self.data[self.at : self.at + n]
        self.at += n
        return out

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "big")

    def varint(self) -> int:
        first = self.uint(1)
        prefix, value = first >> 6, first & 0x3F
        if prefix == 3:
            raise Refusal("InvalidMessage", "invalid variable-length integer prefix")
        for _ in range((1 << prefix) - 1):
            value = (value << 8) | self.uint(1)
        return value

    def opaque(self) -> bytes:
        return self.take(self.varint())


def _content_type(message: bytes) -> tuple[int, int]:
    """(wire_format, content_type) of an MLSMessage framing a PublicMessage or PrivateMessage
    (§6.2, §6.3.1: content_type follows group_id and epoch, and in a PublicMessage's
    FramedContent also the sender and authenticated_data)."""
    r = _Reader(message)
    if r.uint(2) != 1:
        raise Refusal("InvalidMessage", "not an mls10 MLSMessage")
    wire = r.uint(2)
    if wire not in (WIRE_PUBLIC, WIRE_PRIVATE):
        raise Refusal("InvalidMessage", f"wire_format {wire} is not a message")
    r.opaque()
    r.uint(8)
    if wire == WIRE_PUBLIC:
        sender_type = r.uint(1)
        if sender_type in (1, 2):
            r.uint(4)
        elif sender_type not in (3, 4):
            raise Refusal("InvalidMessage", f"sender_type {sender_type}")
        r.opaque()  # authenticated_data, before content_type in FramedContent only
    return wire, r.uint(1)


def _tree_hash(group_info: bytes) -> tuple[int, bytes]:
    """(epoch, tree_hash) of the GroupContext at the head of a GroupInfo MLSMessage (§12.4.3)."""
    r = _Reader(group_info)
    r.take(4)  # version, wire_format mls_group_info
    r.take(4)  # version, cipher_suite
    r.opaque()  # group_id
    epoch = r.uint(8)
    return epoch, r.opaque()


def _epoch_authenticator(root: str, group_id: bytes, epoch: int) -> bytes:
    """authentication_secret from the saved mls-rs Snapshot. The Snapshot ends with
    ``key_schedule`` (exporter, authentication, external, membership, init: each a
    length-prefixed Nh secret), ``pending_updates`` and ``pending_commit_snapshot`` (both empty
    after a merged commit) and ``signer`` (64 bytes); every step checks its length prefix, and
    the GroupContext at the head must name this group and epoch."""
    path = os.path.join(root, "groups", group_id.hex(), "state.bin")
    with open(path, "rb") as fh:
        state = fh.read()
    head = bytes([len(group_id)]) + group_id + epoch.to_bytes(8, "big")
    if len(group_id) > 63 or head not in state[: 64 + len(group_id)]:
        raise RuntimeError("saved rine state does not start with this group's GroupContext")
    signer = 2 + 64
    tail = state[-signer:]
    if tail[:2] != b"\x40\x40":
        raise RuntimeError("saved rine state does not end with a 64-byte signer")
    end = len(state) - signer
    if state[end - 2 : end] != b"\x00\x00":
        raise RuntimeError("saved rine state holds pending updates or a pending commit")
    start = end - 2 - 5 * (1 + HASH_LEN)
    secrets = [state[start + i * 33 : start + (i + 1) * 33] for i in range(5)]
    if any(s[0] != HASH_LEN for s in secrets):
        raise RuntimeError("saved rine state's key schedule is not five 32-byte secrets")
    return secrets[1][1:]


# --- mls-group -------------------------------------------------------------------------------


def _suite(cipher_suite: int) -> None:
    if cipher_suite != SUITE:
        raise Refusal("Unsupported", f"cipher suite {cipher_suite}: the adapter drives suite 1")


def mls_key_package(
    cipher_suite: int, identity: bytes, signature_priv: bytes, random: bytes
) -> dict[str, bytes]:
    """A client from the Ed25519 seed and one KeyPackage (§10). The credential's identity is
    rine's (the public key), whatever ``identity`` says."""
    _suite(cipher_suite)
    root = tempfile.mkdtemp(prefix="rine-mls-")
    try:
        m = _Member(root, bytes(signature_priv), b"")
        with _refusals():
            kp = m.client.generate_key_package()
        return {"member": m.pack(), "key_package": kp}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def mls_create(member: bytes, group_id: bytes, random: bytes) -> bytes:
    """create_group (§11); rine commits once right away, so the group is at epoch 1."""
    with _member(member) as m:
        if m.group is not None:
            raise Refusal("InvalidInput", "this member already has a group")
        with _refusals():
            m.group = m.client.create_group(group_id)
        m.group_id = group_id
        return m.pack()


def _committed(m: _Member, bundle: Any) -> dict[str, bytes]:
    welcomes = list(bundle.welcomes)
    return {
        "member": m.pack(),
        "commit": bundle.commit,
        "welcome": welcomes[0] if welcomes else b"",
    }


def mls_add(member: bytes, key_package: bytes, wire_format: int, random: bytes) -> dict[str, bytes]:
    """add_member: a PublicMessage commit of one Add and its Welcome (§12.1.1, §12.4.3)."""
    _wire(wire_format)
    with _member(member) as m:
        g = _in_group(m)
        with _refusals():
            bundle = g.add_member(key_package)
        return _committed(m, bundle)


def mls_join(member: bytes, welcome: bytes) -> bytes:
    """join_from_welcome with the key packages the client holds (§12.4.3.1)."""
    with _member(member) as m:
        if m.group is not None:
            raise Refusal("InvalidInput", "this member already has a group")
        with _refusals():
            m.group = m.client.join_from_welcome(welcome)
            m.group_id = m.group.group_id()
        return m.pack()


def mls_update(member: bytes, wire_format: int, random: bytes) -> dict[str, bytes]:
    """rine-mls has no commit without proposals (no self-update)."""
    raise Refusal("Unsupported", "rine-mls cannot commit its own update")


def mls_remove(member: bytes, leaf_index: int, wire_format: int, random: bytes) -> dict[str, bytes]:
    """remove_member: a PublicMessage commit of one Remove (§12.1.3)."""
    _wire(wire_format)
    with _member(member) as m:
        g = _in_group(m)
        with _refusals():
            bundle = g.remove_member(leaf_index)
        return _committed(m, bundle)


def mls_encrypt(member: bytes, plaintext: bytes, random: bytes) -> dict[str, bytes]:
    """encrypt_application_message; rine's leading tag byte is stripped (§6.3)."""
    with _member(member) as m:
        g = _in_group(m)
        with _refusals():
            framed = g.encrypt_application_message(plaintext)
        if framed[:1] != TAG:
            raise RuntimeError(f"rine framed an application message with tag {framed[:1].hex()}")
        return {"member": m.pack(), "message": framed[1:]}


def mls_process(member: bytes, message: bytes) -> dict[str, Any]:
    """An application PrivateMessage is decrypted (with rine's tag added); anything else goes
    to apply_commit, which takes only the next epoch's commit."""
    wire, content_type = _content_type(message)
    with _member(member) as m:
        g = _in_group(m)
        if wire == WIRE_PRIVATE and content_type == CONTENT_APPLICATION:
            with _refusals():
                app = g.decrypt_application_message(TAG + message)
            return {
                "member": m.pack(),
                "content_type": CONTENT_APPLICATION,
                "application_data": app.envelope,
            }
        if content_type != CONTENT_COMMIT:
            raise Refusal(
                "Unsupported" if content_type == 2 else "InvalidMessage",
                f"rine-mls processes commits and application PrivateMessages, not content "
                f"type {content_type} as wire format {wire}",
            )
        with _refusals():
            g.apply_commit(message)
        return {"member": m.pack(), "content_type": CONTENT_COMMIT, "application_data": b""}


def mls_export(member: bytes, label: bytes, context: bytes, length: int) -> bytes:
    """rine-mls exposes no MLS-Exporter (§8.5)."""
    raise Refusal("Unsupported", "rine-mls has no exporter")


def mls_epoch(member: bytes) -> dict[str, Any]:
    """epoch, tree hash (its GroupInfo's GroupContext), the epoch authenticator (from the saved
    state), own leaf and member count (§8.7)."""
    with _member(member) as m:
        g = _in_group(m)
        with _refusals():
            epoch = g.epoch()
            info_epoch, tree_hash = _tree_hash(g.group_info())
            leaf = g.current_member_index()
            count = len(g.member_identities())
        if info_epoch != epoch:
            raise RuntimeError(f"GroupInfo at epoch {info_epoch}, group at {epoch}")
        g.save()
        return {
            "epoch": epoch,
            "epoch_authenticator": _epoch_authenticator(m.root, m.group_id, epoch),
            "tree_hash": tree_hash,
            "leaf_index": leaf,
            "member_count": count,
        }


CAPABILITIES = ["mls-group"]

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


if __name__ == "__main__":
    serve(
        {
            "name": "rine-mls",
            "implementation": "rine-mls (mls-rs with RustCrypto, PyO3)",
            "version": f"rine-mls {version('rine-mls')}",
            "capabilities": CAPABILITIES,
        },
        HANDLERS,
    )
