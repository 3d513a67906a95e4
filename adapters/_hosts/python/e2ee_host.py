"""Python host for stdio adapters: the adapter protocol (version 2) as a table of functions.

Copied next to an adapter when its environment is built (``docs/adapter-protocol.md``), so it
depends on nothing but the standard library and runs on Python 3.9 or later::

    from e2ee_host import Refusal, serve

    def x25519(private: bytes, public: bytes) -> bytes:
        ...  # raise Refusal("InvalidKey", "all-zero shared secret") to refuse

    serve({"name": "demo", "implementation": "...", "version": "...",
           "capabilities": ["x25519"]},
          {"x25519.x25519": x25519})

The rules, all in :func:`serve`:

- Parameters arrive as keyword arguments. **Every string parameter is hex-decoded to bytes**;
  integers, booleans, null, arrays and objects are passed through unchanged. A method listed in
  ``bytes_params`` has only the names listed there decoded (its other strings stay ``str``: opaque
  handles, say). Bad hex, or parameters the function does not accept, is ``-32602`` (the suite
  records an ``InvalidInput`` refusal).
- A handler returns ``bytes`` (sent as lowercase hex), ``None`` (``null``) or a JSON value;
  ``bytes`` inside lists, tuples and dicts is hex-encoded too.
- ``raise Refusal(kind, message)`` refuses the input (``-32000`` with ``data.kind``). Any other
  exception is an internal error, ``-32603`` with ``"TypeName: message"`` (and a traceback on
  stderr). An unknown method is ``-32601``; a line that is not JSON is ``-32700`` with id null.
- ``raise Refusal(kind, message, state=...)`` (protocol 2, "State after a refusal") also returns
  the party's state as it stands after the refused attempt, exported from the library's real
  object, as ``data.state`` (hex). A stateful operation that takes a party's state (an account,
  a session, a party, a group state) passes it when it refuses; a refusal without ``state``
  sends no ``data.state``, so an adapter written for protocol 1 runs unchanged.
- Translate into a refusal only the library's own deliberate rejections (its documented error
  types for bad input) and the adapter's own pre-checks; let anything else (``TypeError``,
  ``IndexError``, a parser error leaking out of the library) propagate: a crash on malformed
  input is a finding, and the host reports it as ``-32603``.
- A line holding a JSON array is a batch, answered with one line holding an array.
- Standard output belongs to the protocol: :func:`serve` keeps a private handle on it and points
  ``sys.stdout`` and file descriptor 1 at standard error, so a stray ``print()`` in a handler
  or a native library cannot corrupt the stream. Output written *before* ``serve`` is called is
  beyond its reach: what is still in ``sys.stdout``'s buffer then goes to stderr, but under
  ``PYTHONUNBUFFERED`` or ``python -u`` an import-time ``print()`` has already reached the suite.
- Hex strings may use either case (responses are lowercase); whitespace inside one is bad hex.
- A request without an ``id`` is a notification and gets no response (JSON-RPC 2.0); the suite
  always sends ids. Blank lines are ignored.
- ``serve`` returns when standard input is closed, so the program exits with status 0.
"""

from __future__ import annotations

import binascii
import contextlib
import inspect
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

__all__ = ["KINDS", "PROTOCOL_VERSION", "Refusal", "serve"]

#: The adapter protocol this host speaks (docs/adapter-protocol.md): 2 lets a refusal carry the
#: party's state after the attempt (``Refusal(..., state=...)``).
PROTOCOL_VERSION = 2

#: The suite's neutral error kinds, the only values ``Refusal.kind`` may take.
KINDS = (
    "AuthenticationFailed",
    "InvalidSignature",
    "InvalidKey",
    "InvalidMessage",
    "InvalidInput",
    "DuplicateMessage",
    "Unsupported",
)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
REFUSED = -32000


class Refusal(Exception):
    """The input is rejected: answered as ``-32000`` with ``data.kind`` set to ``kind``.

    ``state`` (bytes, or None): for a stateful operation, the party's state as it stands after
    the refused attempt, exported from the library's object (sent as ``data.state``, hex). It
    may also be set on a caught refusal before it is raised again (``exc.state = ...``).
    """

    def __init__(self, kind: str, message: str = "", state: bytes | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown refusal kind {kind!r}; known: {', '.join(KINDS)}")
        super().__init__(message or kind)
        self.kind = kind
        self.message = message or kind
        self.state = state

    def data(self) -> dict[str, str]:
        """``error.data`` of the response: the kind, and the state when there is one."""
        out = {"kind": self.kind}
        if self.state is not None:
            if not isinstance(self.state, (bytes, bytearray, memoryview)):
                raise TypeError(f"Refusal.state must be bytes, not {type(self.state).__name__}")
            out["state"] = bytes(self.state).hex()
        return out


class _Error(Exception):
    def __init__(self, code: int, message: str, data: object = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


def _to_json(value: object) -> object:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    return value


def _unhex(method: str, name: str, value: str) -> bytes:
    try:
        # unhexlify, unlike bytes.fromhex, refuses embedded whitespace.
        return binascii.unhexlify(value.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError):
        raise _Error(INVALID_PARAMS, f"{method}: parameter {name!r} is not a hex string") from None


class _Host:
    def __init__(
        self,
        describe: Mapping[str, object],
        handlers: Mapping[str, Callable[..., object]],
        bytes_params: Mapping[str, Iterable[str]] | None,
    ) -> None:
        if "describe" in handlers:
            raise ValueError("'describe' is answered by the host; do not pass a handler for it")
        info = dict(describe)
        # Protocol 2 unless the adapter says 1: a stateful adapter whose refusals carry no
        # state may keep saying 1 (the report then labels it); the framing is the same.
        info.setdefault("protocol", PROTOCOL_VERSION)
        if info["protocol"] not in (1, PROTOCOL_VERSION) or isinstance(info["protocol"], bool):
            raise ValueError(f"protocol must be 1 or {PROTOCOL_VERSION}, not {info['protocol']!r}")
        # This host answers batches, so it says so (an adapter may still say False).
        info.setdefault("batch", True)
        self.describe = _to_json(info)
        self.handlers = dict(handlers)
        self.bytes_params = {m: frozenset(names) for m, names in (bytes_params or {}).items()}
        self.signatures: dict[str, inspect.Signature | None] = {}
        for method, fn in self.handlers.items():
            try:
                self.signatures[method] = inspect.signature(fn)
            except (TypeError, ValueError):  # some builtins have no signature
                self.signatures[method] = None

    def params(self, method: str, raw: object) -> dict[str, Any]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise _Error(INVALID_PARAMS, f"{method}: params must be an object (by name)")
        chosen = self.bytes_params.get(method)
        out: dict[str, Any] = {}
        for name, value in raw.items():
            if isinstance(value, str) and (chosen is None or name in chosen):
                out[name] = _unhex(method, name, value)
            else:
                out[name] = value
        return out

    def call(self, method: str, raw_params: object) -> object:
        if method == "describe":
            return self.describe
        fn = self.handlers.get(method)
        if fn is None:
            raise _Error(METHOD_NOT_FOUND, f"method not found: {method}")
        params = self.params(method, raw_params)
        sig = self.signatures.get(method)
        if sig is not None:
            try:
                sig.bind(**params)
            except TypeError as exc:
                raise _Error(INVALID_PARAMS, f"{method}: {exc}") from None
        try:
            result = fn(**params)
        except Refusal as exc:
            try:
                data = exc.data()
            except TypeError as bad:  # a state that is not bytes: the adapter's bug
                raise _Error(INTERNAL_ERROR, f"{type(bad).__name__}: {bad}") from None
            raise _Error(REFUSED, exc.message, data) from None
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            raise _Error(INTERNAL_ERROR, f"{type(exc).__name__}: {exc}") from None
        return _to_json(result)

    def one(self, request: object) -> str | None:
        """The serialised response to one request object, or None for a notification."""
        if not isinstance(request, dict):
            return _dump(_error_response(None, INVALID_REQUEST, "request must be a JSON object"))
        rid = request.get("id")
        if not isinstance(rid, (str, int, float, type(None))) or isinstance(rid, bool):
            return _dump(
                _error_response(None, INVALID_REQUEST, "id must be a string, number or null")
            )
        method = request.get("method")
        if request.get("jsonrpc") != "2.0" or not isinstance(method, str):
            return _dump(
                _error_response(
                    rid, INVALID_REQUEST, "not a JSON-RPC 2.0 request (jsonrpc, method)"
                )
            )
        notification = "id" not in request
        try:
            result = self.call(method, request.get("params"))
            # Serialised here, once, so an unencodable result is this request's error.
            text = _dump({"jsonrpc": "2.0", "id": rid, "result": result})
        except _Error as exc:
            text = _dump(_error_response(rid, exc.code, exc.message, exc.data))
        except (TypeError, ValueError) as exc:
            text = _dump(
                _error_response(
                    rid, INTERNAL_ERROR, f"result is not JSON: {type(exc).__name__}: {exc}"
                )
            )
        return None if notification else text

    def line(self, data: bytes) -> bytes | None:
        """The response line (without the newline) for one request line, or None."""
        try:
            message = json.loads(data)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            reply: str | None = _dump(_error_response(None, PARSE_ERROR, f"parse error: {exc}"))
        else:
            if isinstance(message, list):
                if not message:
                    reply = _dump(_error_response(None, INVALID_REQUEST, "empty batch"))
                else:
                    answers = [a for a in (self.one(r) for r in message) if a is not None]
                    reply = "[" + ",".join(answers) + "]" if answers else None
            else:
                reply = self.one(message)
        return None if reply is None else reply.encode("ascii")


def _dump(message: object) -> str:
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def _error_response(rid: object, code: int, message: str, data: object = None) -> dict[str, object]:
    error: dict[str, object] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": rid, "error": error}


def _claim_stdout() -> IO[bytes]:
    """A private handle on the real standard output; everything else is sent to stderr."""
    previous = sys.stdout
    try:
        real: IO[bytes] = os.fdopen(os.dup(1), "wb")
        os.dup2(2, 1)  # native code writing to fd 1 now reaches stderr
    except OSError:  # no usable descriptor: redirect Python's own writes only
        real = previous.buffer
    # What an import printed is still in the old sys.stdout's buffer: it goes to fd 1, now stderr.
    with contextlib.suppress(Exception):
        previous.flush()
    sys.stdout = sys.stderr
    return real


def serve(
    describe: Mapping[str, object],
    handlers: Mapping[str, Callable[..., object]],
    bytes_params: Mapping[str, Iterable[str]] | None = None,
    *,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
) -> None:
    """Answer requests on standard input until it is closed.

    ``describe`` is the result of ``describe`` (``"protocol": 2`` is added unless it says
    ``"protocol": 1``: a stateful adapter whose refusals carry no state). ``handlers`` maps a
    method name (``"<capability>.<operation>"``) to a function called with the request's
    parameters as keyword arguments. ``bytes_params`` narrows hex decoding: for a method listed
    there only the named string parameters are decoded; for every other method, all string
    parameters are. ``stdin`` and ``stdout`` replace the process's streams (binary), for tests;
    when ``stdout`` is given, the process's standard output is left alone.
    """
    host = _Host(describe, handlers, bytes_params)
    out = stdout if stdout is not None else _claim_stdout()
    source = stdin if stdin is not None else sys.stdin.buffer
    while True:
        data = source.readline()
        if not data:
            break
        if not data.strip():
            continue
        reply = host.line(data)
        if reply is None:
            continue
        try:
            out.write(reply + b"\n")
            out.flush()
        except BrokenPipeError:  # the suite went away: nothing left to answer
            break
