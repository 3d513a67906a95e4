"""The client side of the stdio adapter protocol (docs/adapter-protocol.md).

An adapter is a child process speaking newline-delimited JSON-RPC 2.0. :class:`StdioClient`
starts it, checks ``describe``, sends calls and batches with a timeout each, and turns every way a
child can misbehave (crash, hang, garbage, oversized line, unknown id) into :class:`AdapterFault`,
which the engine records as an ``error`` result with the child's stderr tail. After a fault the
process is killed and a fresh one is started for the next call, so one bad check costs one check.
"""

from __future__ import annotations

import binascii
import collections
import contextlib
import itertools
import json
import os
import queue
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import errors
from .capabilities import Operation, operations

__all__ = [
    "MAX_LINE",
    "PROTOCOL_VERSION",
    "AdapterFault",
    "RpcCapability",
    "StdioClient",
]

PROTOCOL_VERSION = 2
#: Versions still spoken: protocol 1 adapters refuse without returning the party's state (the
#: suite then continues from the state before the attempt, and the report labels them).
PROTOCOL_VERSIONS = (1, 2)
#: Longest response line accepted (docs/adapter-protocol.md, "Framing").
MAX_LINE = 16 * 1024 * 1024
#: After this many faults in a row the adapter is not restarted again: every further call fails
#: at once, so an adapter that always hangs costs a few timeouts, not one per check.
MAX_CONSECUTIVE_FAULTS = 3
_STDERR_KEEP = 64 * 1024


class AdapterFault(Exception):
    """The adapter process broke the protocol; the check in progress is an ``error``."""


_EOF = object()


class StdioClient:
    def __init__(
        self,
        name: str,
        command: Sequence[str],
        cwd: Path,
        env: Mapping[str, str] | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.cwd = cwd
        self.env = dict(env) if env is not None else None
        self.timeout = timeout
        self.description: dict[str, Any] = {}
        self.restarts = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[object] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque()
        self._stderr_size = 0
        self._ids = itertools.count(1)
        self._faults = 0
        self._lock = threading.Lock()

    # -- process ---------------------------------------------------------------------------

    def start(self) -> dict[str, Any]:
        """Start the process and return its ``describe`` answer."""
        self._kill()
        self._lines = queue.Queue()
        try:
            self._proc = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=-1,
            )
        except OSError as exc:
            raise AdapterFault(f"cannot start {' '.join(self.command)}: {exc}") from None
        proc = self._proc
        threading.Thread(target=self._read_stdout, args=(proc, self._lines), daemon=True).start()
        threading.Thread(target=self._read_stderr, args=(proc,), daemon=True).start()
        answer = self._request("describe", {})
        if not isinstance(answer, dict) or answer.get("protocol") not in PROTOCOL_VERSIONS:
            raise self._fault(
                f"describe answered {str(answer)[:200]!r}; expected protocol "
                + " or ".join(str(v) for v in PROTOCOL_VERSIONS)
            )
        self.description = answer
        return answer

    def close(self) -> None:
        proc = self._proc
        self._proc = None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _kill(self) -> None:
        proc = self._proc
        self._proc = None
        if proc is not None and proc.poll() is None:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)

    def _read_stdout(self, proc: subprocess.Popen[bytes], lines: queue.Queue[object]) -> None:
        assert proc.stdout is not None
        stream = proc.stdout
        while True:
            try:
                line = stream.readline(MAX_LINE + 1)
            except (OSError, ValueError):
                break
            if not line:
                break
            lines.put(line)
            if len(line) > MAX_LINE and not line.endswith(b"\n"):
                break
        lines.put(_EOF)

    def _read_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        for raw in iter(proc.stderr.readline, b""):
            text = raw.decode("utf-8", "replace")
            self._stderr.append(text)
            self._stderr_size += len(text)
            while self._stderr_size > _STDERR_KEEP and len(self._stderr) > 1:
                self._stderr_size -= len(self._stderr.popleft())

    def stderr_tail(self, lines: int = 15) -> str:
        time.sleep(0.05)  # let the reader thread catch the last words of a dying process
        text = "".join(self._stderr).rstrip().splitlines()
        return "\n".join(text[-lines:])

    def _fault(self, message: str) -> AdapterFault:
        proc = self._proc
        status = proc.poll() if proc is not None else None
        self._kill()
        self._faults += 1
        tail = self.stderr_tail()
        where = f"adapter {self.name}: {message}"
        if status is not None:
            where += f" (process exited with status {status})"
        return AdapterFault(where + ("\nstderr (tail):\n" + tail if tail else "\n(no stderr)"))

    def _ensure(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        if self._faults >= MAX_CONSECUTIVE_FAULTS:
            raise AdapterFault(
                f"adapter {self.name}: not restarted after {self._faults} faults in a row"
            )
        self.restarts += 1
        self.start()

    # -- calls -----------------------------------------------------------------------------

    def call(self, method: str, params: Mapping[str, Any]) -> Any:
        """One request; a refusal raises its neutral error kind."""
        with self._lock:
            self._ensure()
            outcome = self._request(method, params)
            self._faults = 0
        if isinstance(outcome, errors.ProtocolError):
            raise outcome
        return outcome

    def batch(self, calls: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Any]:
        """Independent requests in one line; each answer is a value or a ProtocolError."""
        if not calls:
            return []
        with self._lock:
            self._ensure()
            ids = [next(self._ids) for _ in calls]
            self._send(
                [
                    {"jsonrpc": "2.0", "id": i, "method": m, "params": dict(p)}
                    for i, (m, p) in zip(ids, calls, strict=True)
                ]
            )
            reply = self._receive(f"a batch of {len(calls)} {calls[0][0]} calls")
            if not isinstance(reply, list):
                raise self._fault("answered a batch with a single object")
            by_id: dict[Any, Any] = {}
            for item in reply:
                rid = item.get("id") if isinstance(item, dict) else None
                if rid not in ids or rid in by_id:
                    raise self._fault(f"answered a batch with unknown or repeated id {rid!r}")
                by_id[rid] = item
            missing = [i for i in ids if i not in by_id]
            if missing:
                raise self._fault(f"left {len(missing)} request(s) of a batch unanswered")
            out = [self._outcome(by_id[i], calls[k][0]) for k, i in enumerate(ids)]
            self._faults = 0
            return out

    def _request(self, method: str, params: Mapping[str, Any]) -> Any:
        rid = next(self._ids)
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": dict(params)})
        reply = self._receive(method)
        if not isinstance(reply, dict):
            raise self._fault(f"answered {method} with {type(reply).__name__}, not an object")
        if reply.get("id") != rid:
            raise self._fault(f"answered {method} (id {rid}) with id {reply.get('id')!r}")
        return self._outcome(reply, method)

    def _send(self, message: object) -> None:
        proc = self._proc
        assert proc is not None
        assert proc.stdin is not None
        data = (json.dumps(message, separators=(",", ":")) + "\n").encode()
        try:
            proc.stdin.write(data)
            proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise self._fault("closed its standard input (crashed?)") from None

    def _receive(self, what: str) -> Any:
        try:
            line = self._lines.get(timeout=self.timeout)
        except queue.Empty:
            raise self._fault(f"no answer to {what} within {self.timeout:g} s (hang)") from None
        if line is _EOF:
            raise self._fault(f"closed its standard output during {what} (crashed?)")
        assert isinstance(line, bytes)
        if len(line) > MAX_LINE:
            raise self._fault(f"answered {what} with a line over {MAX_LINE} bytes")
        try:
            return json.loads(line)
        except ValueError:
            shown = line[:120].decode("utf-8", "replace").rstrip()
            raise self._fault(f"answered {what} with a line that is not JSON: {shown!r}") from None

    def _outcome(self, reply: Mapping[str, Any], method: str) -> Any:
        if reply.get("jsonrpc") != "2.0" or ("result" in reply) == ("error" in reply):
            raise self._fault(f"answered {method} with a malformed JSON-RPC response")
        if "result" in reply:
            return reply["result"]
        err = reply["error"]
        if not isinstance(err, dict):
            raise self._fault(f"answered {method} with a malformed error object")
        code, message = err.get("code"), str(err.get("message", ""))
        raw_data = err.get("data")
        data: Mapping[str, Any] = raw_data if isinstance(raw_data, dict) else {}
        kind = data.get("kind")
        if code == -32601:
            return errors.Unsupported(message or f"method {method} not found")
        if code == -32602:
            return errors.InvalidInput(message or "invalid params")
        if code == -32000 and isinstance(kind, str) and kind in errors.KINDS:
            return errors.KINDS[kind](message, state=self._refusal_state(data, method))
        # An internal failure is the adapter's, not a verdict on the input.
        raise AdapterFault(f"adapter {self.name}: {method} failed internally ({code}): {message}")

    def _refusal_state(self, data: Mapping[str, Any], method: str) -> bytes | None:
        """``data.state`` of a refusal (protocol 2): the party's state after the attempt."""
        state = data.get("state")
        if state is None:
            return None
        if not isinstance(state, str):
            raise self._fault(f"answered {method} with a refusal whose data.state is not hex")
        try:
            return binascii.unhexlify(state.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError):
            raise self._fault(
                f"answered {method} with a refusal whose data.state is not hex"
            ) from None


class RpcCapability:
    """A capability object whose methods are the interface's, each one an RPC call
    ``<capability>.<method>`` with the same parameter names (bytes as hex).

    Calls can be answered from answers fetched ahead in one batch (:meth:`prefetch`), which is
    how the engine amortises the round trip for stateless checks.
    """

    def __init__(self, client: StdioClient, capability: str) -> None:
        self._ops = operations(capability)
        if not self._ops:
            raise ValueError(f"no interface for capability {capability}")
        self._client = client
        self._capability = capability
        self._ahead: dict[str, collections.deque[Any]] = {}

    @property
    def method_names(self) -> tuple[str, ...]:
        return tuple(self._ops)

    @property
    def batching(self) -> bool:
        """Whether the adapter said in ``describe`` that it answers batches."""
        return self._client.description.get("batch") is True

    def __getattr__(self, name: str) -> Any:
        op = self.__dict__.get("_ops", {}).get(name)
        if op is None:
            raise AttributeError(name)

        def call(*args: Any) -> Any:
            method, params = self.encode(name, args)
            if self._ahead:
                key = _key(method, params)
                ahead = self._ahead.get(key)
                if ahead:
                    outcome = ahead.popleft()
                    if not ahead:
                        del self._ahead[key]
                    if isinstance(outcome, errors.ProtocolError):
                        raise type(outcome)(str(outcome))
                    return self._decode(op, outcome)
            return self._decode(op, self._client.call(method, params))

        return call

    def encode(self, name: str, args: Sequence[Any]) -> tuple[str, dict[str, Any]]:
        params = {
            p: (a.hex() if isinstance(a, bytes | bytearray) else a)
            for p, a in zip(self._ops[name].param_names, args, strict=True)
        }
        return f"{self._capability}.{name}", params

    def _decode(self, op: Operation, value: Any) -> Any:
        fields = op.fields
        if not fields:
            return self._value(op.returns, value, "")
        if not isinstance(value, dict) or set(value) != set(fields):
            raise AdapterFault(
                f"adapter {self._client.name}: {op.name} returned {str(value)[:80]!r}; an object "
                f"with exactly {', '.join(fields)} was expected"
            )
        return {name: self._value(t, value[name], f" ({name})") for name, t in fields.items()}

    def _value(self, annotation: object, value: Any, where: str) -> Any:
        if annotation is bytes:
            if not isinstance(value, str):
                raise AdapterFault(
                    f"adapter {self._client.name}: returned {type(value).__name__} where hex "
                    f"bytes were expected{where}"
                )
            try:
                return bytes.fromhex(value)
            except ValueError:
                raise AdapterFault(
                    f"adapter {self._client.name}: returned {value[:80]!r}, not hex{where}"
                ) from None
        if annotation is int and (not isinstance(value, int) or isinstance(value, bool)):
            raise AdapterFault(
                f"adapter {self._client.name}: returned {value!r} where an integer was "
                f"expected{where}"
            )
        return value

    def prefetch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Fetch the answers of these (method name, args) calls in one batch."""
        encoded = [self.encode(name, args) for name, args in calls if name in self._ops]
        answers = self._client.batch(encoded)
        for (method, params), outcome in zip(encoded, answers, strict=True):
            self._ahead.setdefault(_key(method, params), collections.deque()).append(outcome)

    def drop_prefetched(self) -> None:
        self._ahead.clear()


def _key(method: str, params: Mapping[str, Any]) -> str:
    return method + json.dumps(params, sort_keys=True, separators=(",", ":"))


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if extra:
        env.update(extra)
    return env
