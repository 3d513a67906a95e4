"""Stdio adapter for libolm through python-olm (Olm and Megolm, with injected randomness).

Runs in its own environment (``python-olm==3.2.16``, whose wheel bundles libolm 3.2.16) and
speaks the adapter protocol through the bundled host library. It calls libolm's C API through the
cffi module python-olm ships (``_libolm``) rather than python-olm's classes, because:

- libolm takes every random value as a caller-supplied buffer. The adapter builds those buffers
  from the injected values instead of patching python-olm's ``URANDOM``, so no call can ever read
  the system's randomness. The orders were checked against pyca/cryptography's X25519 and
  Ed25519: account creation is Ed25519 seed (32) then Curve25519 private key (32); an outbound
  session is base key E_A (32) then ratchet key T_0 (32); Olm encryption asks for 32 bytes (the
  new ratchet key) only when it starts a sending chain; a Megolm outbound session is the ratchet
  R_0 (128) then the Ed25519 seed (32).
- python-olm's ``decrypt`` decodes plaintexts as UTF-8 with replacement; the C API returns the
  exact bytes.

State is libolm's own pickle (its base64 text) under a fixed passphrase: every handler unpickles,
works on a fresh object and pickles again, so nothing survives between calls. Messages and keys
are raw bytes on the interface and unpadded base64 towards libolm.

libolm 3.2.16 crashes (null pointer) on a pre-key message without an identity-key field when
the sender's key is given; ``olm_inbound`` screens such messages out first.

libolm's error codes become the suite's neutral kinds in :func:`_refuse`; a code with no mapping
(NOT_ENOUGH_RANDOM, OUTPUT_BUFFER_TOO_SMALL) is a bug here and is raised as an internal error.
Those codes are libolm's only way to reject input (its C API never throws), so every refusal is
a deliberate one; a crash of libolm kills the process, which the suite records as an error.

Protocol 2 (docs/adapter-protocol.md, "State after a refusal"): a refused ``olm_inbound``,
``olm_decrypt`` or ``megolm_decrypt`` carries libolm's pickle of the account or session object
the attempt ran on, taken after the failure (:func:`_state_after`), so whatever libolm changed
in it on the way is what the suite continues from.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any, NoReturn

from _libolm import ffi, lib  # type: ignore[import-not-found,unused-ignore]
from e2ee_host import Refusal, serve

_PASSPHRASE = b"e2ee-conformance python-olm adapter"
_KEY = 32
_MEGOLM_RATCHET = 128
_MESSAGE_TYPES = (0, 1)  # OLM_MESSAGE_TYPE_PRE_KEY, OLM_MESSAGE_TYPE_MESSAGE
_UINT32 = 0xFFFFFFFF

# libolm error code -> neutral kind, for every operation unless a handler says otherwise.
_KINDS = {
    # libolm's ratchet (ratchet.cpp) reports every failure after the header parses as a bad
    # MAC: a replay, a key dropped from the skipped list, a counter gap above 2000 and a new
    # ratchet key before this side has sent. The code cannot tell them apart, so neither can we.
    "BAD_MESSAGE_MAC": "AuthenticationFailed",
    "BAD_MESSAGE_VERSION": "InvalidMessage",
    "BAD_MESSAGE_FORMAT": "InvalidMessage",
    "INPUT_BUFFER_TOO_SMALL": "InvalidMessage",
    "UNKNOWN_MESSAGE_INDEX": "InvalidMessage",
    "BAD_SESSION_KEY": "InvalidMessage",
    "BAD_MESSAGE_KEY_ID": "InvalidKey",  # pre-key message: unknown one-time key, or wrong sender
    "BAD_SIGNATURE": "InvalidSignature",
    # Only a state this adapter did not make can fail to unpickle.
    "INVALID_BASE64": "InvalidInput",
    "BAD_ACCOUNT_KEY": "InvalidInput",
    "UNKNOWN_PICKLE_VERSION": "InvalidInput",
    "CORRUPTED_PICKLE": "InvalidInput",
    "PICKLE_EXTRA_DATA": "InvalidInput",
    "BAD_LEGACY_ACCOUNT_PICKLE": "InvalidInput",
}


def _refuse(code: str, what: str, overrides: dict[str, str] | None = None) -> NoReturn:
    kind = (overrides or {}).get(code) or _KINDS.get(code)
    if kind is None:
        raise RuntimeError(f"{what}: libolm error {code}")
    raise Refusal(kind, f"{what}: {code}")


class _Obj:
    """One libolm object (account, session, inbound/outbound group session) in its own buffer.

    libolm names its functions after the object type, so one class serves all four.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._buf = ffi.new("char[]", getattr(lib, f"olm_{kind}_size")())
        self.ptr = getattr(lib, f"olm_{kind}")(self._buf)

    def check(self, ret: int, what: str, overrides: dict[str, str] | None = None) -> int:
        if ret == lib.olm_error():
            code = ffi.string(getattr(lib, f"olm_{self.kind}_last_error")(self.ptr)).decode()
            _refuse(code, what, overrides)
        return int(ret)

    def call(self, name: str, *args: Any, overrides: dict[str, str] | None = None) -> int:
        return self.check(getattr(lib, name)(self.ptr, *args), name, overrides)

    def call_random(
        self, name: str, random: bytes, *args: Any, length_args: tuple[Any, ...] = ()
    ) -> int:
        """Call ``name`` with ``args`` followed by the random buffer. libolm's random lengths
        are fixed (``<name>_random_length``); a different one means a libolm this was not
        built for, not a refusal."""
        wanted = getattr(lib, f"{name}_random_length")(self.ptr, *length_args)
        if wanted != len(random):
            raise RuntimeError(f"{name}: libolm asks for {wanted} random bytes, not {len(random)}")
        return self.call(name, *args, _buffer(random), len(random))

    def pickle(self) -> bytes:
        length = getattr(lib, f"olm_pickle_{self.kind}_length")(self.ptr)
        out = ffi.new("char[]", length)
        self.call(f"olm_pickle_{self.kind}", _PASSPHRASE, len(_PASSPHRASE), out, length)
        return _unpack(out, length)

    @classmethod
    def load(cls, kind: str, state: bytes) -> _Obj:
        if not state:
            raise Refusal("InvalidInput", f"empty {kind} state")
        obj = cls(kind)
        # libolm decodes the pickle in place, so it gets a copy.
        obj.call(f"olm_unpickle_{kind}", _PASSPHRASE, len(_PASSPHRASE), _buffer(state), len(state))
        return obj

    def text(self, length_fn: str, fn: str, *args: Any) -> bytes:
        """The output of a libolm function that writes ``length_fn()`` bytes (base64, JSON)."""
        length = getattr(lib, length_fn)(self.ptr)
        out = ffi.new("char[]", length)
        return _unpack(out, self.call(fn, *args, out, length))


@contextmanager
def _state_after(obj: _Obj) -> Iterator[None]:
    """A refusal raised inside carries ``obj``'s pickle as it stands after the attempt."""
    try:
        yield
    except Refusal as exc:
        if exc.state is None:
            exc.state = obj.pickle()
        raise


def _unpack(out: Any, length: int) -> bytes:
    return bytes(ffi.unpack(out, length))


def _buffer(data: bytes) -> Any:
    """A private copy: libolm overwrites many of its inputs (base64 is decoded in place)."""
    return ffi.new("char[]", data)


def _b64(raw: bytes) -> bytes:
    return base64.b64encode(raw).rstrip(b"=")


def _unb64(text: bytes | str) -> bytes:
    if isinstance(text, str):
        text = text.encode("ascii")
    return base64.b64decode(text + b"=" * (-len(text) % 4))


def _size(name: str, value: bytes, size: int, kind: str = "InvalidKey") -> None:
    if len(value) != size:
        raise Refusal(kind, f"{name} must be {size} bytes, not {len(value)}")


def _index(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _UINT32:
        raise Refusal("InvalidInput", f"{name} must be an integer in 0..2^32-1")
    return value


def _newest_key(keys_json: bytes) -> bytes:
    """The unpublished Curve25519 key with the highest key id (ids are big-endian counters)."""
    keys = json.loads(keys_json)["curve25519"]
    if not keys:
        raise RuntimeError("libolm listed no unpublished key")
    newest = max(keys, key=lambda kid: int.from_bytes(_unb64(kid), "big"))
    return _unb64(keys[newest])


# --- olm ------------------------------------------------------------------------------------


def olm_account(ed25519_seed: bytes, curve25519_private: bytes) -> bytes:
    _size("ed25519_seed", ed25519_seed, _KEY)
    _size("curve25519_private", curve25519_private, _KEY)
    account = _Obj("account")
    account.call_random("olm_create_account", ed25519_seed + curve25519_private)
    return account.pickle()


def olm_identity_keys(account: bytes) -> bytes:
    acc = _Obj.load("account", account)
    keys = json.loads(acc.text("olm_account_identity_keys_length", "olm_account_identity_keys"))
    return _unb64(keys["curve25519"]) + _unb64(keys["ed25519"])


def olm_add_one_time_key(account: bytes, private: bytes) -> dict[str, bytes]:
    _size("private", private, _KEY)
    acc = _Obj.load("account", account)
    acc.call_random("olm_account_generate_one_time_keys", private, 1, length_args=(1,))
    key = _newest_key(acc.text("olm_account_one_time_keys_length", "olm_account_one_time_keys"))
    lib.olm_account_mark_keys_as_published(acc.ptr)
    return {"account": acc.pickle(), "key": key}


def olm_add_fallback_key(account: bytes, private: bytes) -> dict[str, bytes]:
    _size("private", private, _KEY)
    acc = _Obj.load("account", account)
    acc.call_random("olm_account_generate_fallback_key", private)
    key = _newest_key(
        acc.text(
            "olm_account_unpublished_fallback_key_length", "olm_account_unpublished_fallback_key"
        )
    )
    # Published, because libolm's olm_remove_one_time_keys only recognises (and keeps) a
    # published fallback key; an unpublished one would make olm_inbound fail after decrypting.
    lib.olm_account_mark_keys_as_published(acc.ptr)
    return {"account": acc.pickle(), "key": key}


def olm_outbound(
    account: bytes,
    identity_key: bytes,
    one_time_key: bytes,
    base_key: bytes,
    ratchet_key: bytes,
) -> bytes:
    for name, value in (
        ("identity_key", identity_key),
        ("one_time_key", one_time_key),
        ("base_key", base_key),
        ("ratchet_key", ratchet_key),
    ):
        _size(name, value, _KEY)
    acc = _Obj.load("account", account)
    session = _Obj("session")
    their_identity, their_one_time = _b64(identity_key), _b64(one_time_key)
    session.call_random(
        "olm_create_outbound_session",
        base_key + ratchet_key,
        acc.ptr,
        their_identity,
        len(their_identity),
        their_one_time,
        len(their_one_time),
    )
    return session.pickle()


def _decrypt(session: _Obj, message_type: int, message: bytes) -> bytes:
    encoded = _b64(message)
    # Both calls decode the message in place, so each gets its own copy.
    max_length = session.call(
        "olm_decrypt_max_plaintext_length",
        message_type,
        _buffer(encoded),
        len(encoded),
    )
    out = ffi.new("char[]", max(max_length, 1))
    length = session.call(
        "olm_decrypt",
        message_type,
        _buffer(encoded),
        len(encoded),
        out,
        max_length,
    )
    return _unpack(out, length)


def olm_inbound(account: bytes, identity_key: bytes, message: bytes) -> dict[str, bytes]:
    acc = _Obj.load("account", account)
    with _state_after(acc):
        return _inbound(acc, identity_key, message)


def _inbound(acc: _Obj, identity_key: bytes, message: bytes) -> dict[str, bytes]:
    _size("identity_key", identity_key, _KEY)
    if not message:
        raise Refusal("InvalidMessage", "empty pre-key message")
    encoded = _b64(message)
    # libolm 3.2.16 dereferences a null pointer (the process dies) when a pre-key message has
    # no identity-key field and the sender's key is given: olm_create_inbound_session_from
    # skips the comparison and copies the missing key. The plain olm_create_inbound_session
    # requires the field (BAD_MESSAGE_FORMAT), so it screens the message first, on a session
    # that is thrown away (it reads the account without changing it).
    _Obj("session").call("olm_create_inbound_session", acc.ptr, _buffer(encoded), len(encoded))
    session = _Obj("session")
    their_identity = _b64(identity_key)
    # A sender key that differs from the one in the message is BAD_MESSAGE_KEY_ID, like an
    # unknown one-time key.
    session.call(
        "olm_create_inbound_session_from",
        acc.ptr,
        _buffer(their_identity),
        len(their_identity),
        _buffer(encoded),
        len(encoded),
    )
    plaintext = _decrypt(session, 0, message)
    # Only now: a pre-key message that does not decrypt must not use up the one-time key.
    # libolm keeps a published fallback key here and removes a one-time key.
    acc.call("olm_remove_one_time_keys", session.ptr)
    return {"account": acc.pickle(), "session": session.pickle(), "plaintext": plaintext}


def olm_encrypt(session: bytes, plaintext: bytes, ratchet_key: bytes) -> dict[str, object]:
    ses = _Obj.load("session", session)
    random_length = lib.olm_encrypt_random_length(ses.ptr)
    if random_length:
        _size("ratchet_key", ratchet_key, random_length)
        random = ratchet_key
    else:
        random = b""  # the sending chain continues: T_i is not used
    message_type = ses.call("olm_encrypt_message_type")
    length = lib.olm_encrypt_message_length(ses.ptr, len(plaintext))
    out = ffi.new("char[]", length)
    written = ses.call(
        "olm_encrypt",
        _buffer(plaintext),
        len(plaintext),
        _buffer(random),
        len(random),
        out,
        length,
    )
    return {
        "session": ses.pickle(),
        "type": message_type,
        "message": _unb64(_unpack(out, written)),
    }


def olm_decrypt(session: bytes, type: int, message: bytes) -> dict[str, bytes]:
    ses = _Obj.load("session", session)
    with _state_after(ses):
        if isinstance(type, bool) or type not in _MESSAGE_TYPES:
            raise Refusal("InvalidInput", f"message type must be 0 or 1, not {type!r}")
        if not message:
            raise Refusal("InvalidMessage", "empty message")
        plaintext = _decrypt(ses, type, message)
    return {"session": ses.pickle(), "plaintext": plaintext}


# --- megolm ---------------------------------------------------------------------------------


def megolm_outbound(ratchet: bytes, signing_seed: bytes) -> bytes:
    _size("ratchet", ratchet, _MEGOLM_RATCHET)
    _size("signing_seed", signing_seed, _KEY)
    session = _Obj("outbound_group_session")
    session.call_random("olm_init_outbound_group_session", ratchet + signing_seed)
    return session.pickle()


def megolm_session_key(session: bytes) -> bytes:
    ses = _Obj.load("outbound_group_session", session)
    return _unb64(
        ses.text("olm_outbound_group_session_key_length", "olm_outbound_group_session_key")
    )


def megolm_encrypt(session: bytes, plaintext: bytes) -> dict[str, bytes]:
    ses = _Obj.load("outbound_group_session", session)
    length = lib.olm_group_encrypt_message_length(ses.ptr, len(plaintext))
    out = ffi.new("char[]", length)
    written = ses.call("olm_group_encrypt", _buffer(plaintext), len(plaintext), out, length)
    return {"session": ses.pickle(), "message": _unb64(_unpack(out, written))}


def _inbound_from(fn: str, key: bytes) -> bytes:
    if not key:
        raise Refusal("InvalidMessage", "empty session key")
    session = _Obj("inbound_group_session")
    encoded = _b64(key)
    session.call(fn, _buffer(encoded), len(encoded))
    return session.pickle()


def megolm_inbound(session_key: bytes) -> bytes:
    return _inbound_from("olm_init_inbound_group_session", session_key)


def megolm_import(exported: bytes) -> bytes:
    return _inbound_from("olm_import_inbound_group_session", exported)


def megolm_decrypt(session: bytes, message: bytes) -> dict[str, object]:
    ses = _Obj.load("inbound_group_session", session)
    with _state_after(ses):
        if not message:
            raise Refusal("InvalidMessage", "empty message")
        encoded = _b64(message)
        max_length = ses.call(
            "olm_group_decrypt_max_plaintext_length", _buffer(encoded), len(encoded)
        )
        out = ffi.new("char[]", max(max_length, 1))
        index = ffi.new("uint32_t *")
        length = ses.call(
            "olm_group_decrypt", _buffer(encoded), len(encoded), out, max_length, index
        )
    return {"session": ses.pickle(), "plaintext": _unpack(out, length), "index": index[0]}


def megolm_export(session: bytes, index: int) -> bytes:
    at = _index(index, "index")
    ses = _Obj.load("inbound_group_session", session)
    length = lib.olm_export_inbound_group_session_length(ses.ptr)
    out = ffi.new("char[]", length)
    # An index the session cannot reach is a bad argument here, not a bad message.
    ses.call(
        "olm_export_inbound_group_session",
        out,
        length,
        at,
        overrides={"UNKNOWN_MESSAGE_INDEX": "InvalidInput"},
    )
    return _unb64(_unpack(out, length))


def _library_version() -> str:
    major, minor, patch = (ffi.new("uint8_t *") for _ in range(3))
    lib.olm_get_library_version(major, minor, patch)
    return f"{major[0]}.{minor[0]}.{patch[0]}"


CAPABILITIES = ["olm", "olm:fixed-randomness", "megolm"]

HANDLERS = {
    "olm.olm_account": olm_account,
    "olm.olm_identity_keys": olm_identity_keys,
    "olm.olm_add_one_time_key": olm_add_one_time_key,
    "olm.olm_add_fallback_key": olm_add_fallback_key,
    "olm.olm_outbound": olm_outbound,
    "olm.olm_inbound": olm_inbound,
    "olm.olm_encrypt": olm_encrypt,
    "olm.olm_decrypt": olm_decrypt,
    "megolm.megolm_outbound": megolm_outbound,
    "megolm.megolm_session_key": megolm_session_key,
    "megolm.megolm_encrypt": megolm_encrypt,
    "megolm.megolm_inbound": megolm_inbound,
    "megolm.megolm_import": megolm_import,
    "megolm.megolm_decrypt": megolm_decrypt,
    "megolm.megolm_export": megolm_export,
}


if __name__ == "__main__":
    serve(
        {
            "name": "python-olm",
            "implementation": "libolm (python-olm)",
            "version": f"python-olm {version('python-olm')}, libolm {_library_version()}",
            "capabilities": CAPABILITIES,
        },
        HANDLERS,
    )
