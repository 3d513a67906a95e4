"""The client side of the stdio adapter protocol (docs/adapter-protocol.md).

An adapter is a child process speaking newline-delimited JSON-RPC 2.0. :class:`StdioClient`
starts it, checks ``describe``, sends calls and batches with a timeout each, and turns every way a
child can misbehave (crash, hang, garbage, oversized or over-deep line, unknown id, a value of the
wrong type anywhere) into :class:`AdapterFault`, which the engine records as an ``error`` result
with the child's stderr tail. After a fault the process group is killed and a fresh process is
started for the next call, so one bad check costs one check; a time budget per adapter, not a
count of faults, bounds what a misbehaving adapter can cost. Every byte the child sends is hostile:
text is cleaned and bounded (:mod:`conformance.untrusted`) as it comes in.
"""

from __future__ import annotations

import atexit
import binascii
import collections
import contextlib
import itertools
import json
import os
import queue
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import errors, untrusted
from .capabilities import Operation, operations

__all__ = [
    "DEFAULT_BUDGET",
    "MAX_DEPTH",
    "MAX_LINE",
    "PROTOCOL_VERSION",
    "AdapterFault",
    "RpcCapability",
    "StdioClient",
    "kill_all",
]

PROTOCOL_VERSION = 2
#: Versions still spoken: protocol 1 adapters refuse without returning the party's state (the
#: suite then continues from the state before the attempt, and the report labels them).
PROTOCOL_VERSIONS = (1, 2)
#: Longest response line accepted (docs/adapter-protocol.md, "Framing").
MAX_LINE = 16 * 1024 * 1024
#: Deepest nesting of arrays and objects accepted in a response (docs/adapter-protocol.md,
#: "Limits"): no answer the protocol defines is deeper than 4.
MAX_DEPTH = 32
#: Seconds an adapter may spend answering (starts included) over a whole run, unless its manifest
#: says otherwise: far above what any bundled adapter needs, and a bound on one that hangs or
#: crashes on every call.
DEFAULT_BUDGET = 1800.0
#: A batch line of n calls may take this many calls' worth of ``timeout`` per started group:
#: a batch is one answer, but a slow library answering 256 calls is not a hang.
BATCH_CALLS_PER_TIMEOUT = 64
_STDERR_READ = 4096
#: Seconds a fault waits for the adapter's standard error to reach its end.
_STDERR_WAIT = 1.0
#: Seconds a fault waits for the exit status of an adapter that closed its pipes.
_EXIT_WAIT = 1.0


class AdapterFault(Exception):
    """The adapter process broke the protocol; the check in progress is an ``error``.

    ``batch`` is set when the fault came from a batch line as a whole: the engine then runs the
    batch's checks one by one to find the input that caused it, and reports the batch's fault
    itself when no single input does (docs/adapter-protocol.md, "Batches")."""

    def __init__(self, message: str, batch: bool = False) -> None:
        super().__init__(message)
        self.batch = batch


_EOF = object()
#: Live clients, so every process group a run started can be killed from a signal handler or at
#: exit, whoever holds the client.
_LIVE: weakref.WeakSet[StdioClient] = weakref.WeakSet()


def kill_all() -> None:
    """Kill the process group of every adapter this process started."""
    for client in list(_LIVE):
        client.kill()


atexit.register(kill_all)


class StdioClient:
    def __init__(
        self,
        name: str,
        command: Sequence[str],
        cwd: Path,
        env: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        budget: float = DEFAULT_BUDGET,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.cwd = cwd
        self.env = dict(env) if env is not None else None
        self.timeout = timeout
        self.budget = budget
        #: Seconds spent waiting on the adapter so far (starts, calls, batches).
        self.spent = 0.0
        self.description: dict[str, Any] = {}
        self.restarts = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[object] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=untrusted.STDERR_LINES)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._stderr_reader: threading.Thread | None = None
        _LIVE.add(self)

    # -- process ---------------------------------------------------------------------------

    def start(self) -> dict[str, Any]:
        """Start the process and return its ``describe`` answer."""
        self._kill()
        self._lines = queue.Queue()
        self._stderr = collections.deque(maxlen=untrusted.STDERR_LINES)
        try:
            # A session of its own: the adapter and everything it starts form one process group,
            # killed as one, and a terminal's Ctrl-C reaches the suite, which decides.
            self._proc = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=-1,
                start_new_session=True,
            )
        except (OSError, ValueError) as exc:
            raise AdapterFault(f"cannot start {' '.join(self.command)}: {exc}") from None
        proc = self._proc
        threading.Thread(target=self._read_stdout, args=(proc, self._lines), daemon=True).start()
        self._stderr_reader = threading.Thread(
            target=self._read_stderr, args=(proc, self._stderr), daemon=True
        )
        self._stderr_reader.start()
        answer = self._request("describe", {})
        if not isinstance(answer, dict) or answer.get("protocol") not in PROTOCOL_VERSIONS:
            raise self._fault(
                f"describe answered {untrusted.clean(repr(answer), 200)}; expected protocol "
                + " or ".join(str(v) for v in PROTOCOL_VERSIONS)
            )
        self.description = answer
        return answer

    def close(self) -> None:
        """End the adapter: its standard input closed, a moment to exit, then its whole process
        group killed (a grandchild holding a pipe open must not outlive the run)."""
        proc = self._proc
        self._proc = None
        if proc is None:
            return
        with contextlib.suppress(OSError, ValueError):
            if proc.stdin is not None:
                proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=2)
        _kill_group(proc)

    def kill(self) -> None:
        """Kill the adapter's process group at once (a signal handler, the end of a run)."""
        self._kill()

    def _kill(self) -> None:
        proc = self._proc
        self._proc = None
        if proc is not None:
            _kill_group(proc)

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

    @staticmethod
    def _read_stderr(proc: subprocess.Popen[bytes], kept: collections.deque[str]) -> None:
        """Keep the last lines, each cut short as it is read: megabytes on one line cost a
        bounded buffer, and the child is never blocked on a full pipe."""
        assert proc.stderr is not None
        stream = proc.stderr
        line = b""
        while True:
            try:
                chunk = stream.readline(_STDERR_READ)
            except (OSError, ValueError):
                break
            if not chunk:
                break
            if len(line) < untrusted.STDERR_LINE * 4:
                line += chunk
            if chunk.endswith(b"\n"):
                kept.append(_stderr_line(line))
                line = b""
        if line:
            kept.append(_stderr_line(line))

    def stderr_tail(self) -> str:
        """The last lines the adapter wrote to standard error, bounded (untrusted.STDERR_*).

        Called once the process group is killed: the reader then reaches the end of the pipe
        with every last word read, so the tail (part of a result's detail) does not depend on
        timing. A pipe some stray process still holds open is waited on briefly."""
        reader = self._stderr_reader
        if reader is not None:
            reader.join(timeout=_STDERR_WAIT)
        return "\n".join(self._stderr).rstrip()

    def _fault(self, message: str, batch: bool = False, exiting: bool = False) -> AdapterFault:
        """``exiting``: the adapter closed a pipe, so it is on its way out; its exit status is
        waited for briefly, so whether the detail shows it does not depend on timing."""
        proc = self._proc
        status = proc.poll() if proc is not None else None
        if proc is not None and status is None and exiting:
            with contextlib.suppress(subprocess.TimeoutExpired):
                status = proc.wait(timeout=_EXIT_WAIT)
        self._kill()
        tail = self.stderr_tail()
        where = f"adapter {self.name}: {message}"
        if status is not None:
            where += f" (process exited with status {status})"
        text = where + ("\nstderr (tail):\n" + tail if tail else "\n(no stderr)")
        return AdapterFault(text, batch=batch)

    def _ensure(self) -> None:
        if self.spent >= self.budget:
            raise AdapterFault(
                f"adapter {self.name}: budget exhausted ({self.spent:.0f} s spent of its "
                f"{self.budget:g} s; `budget` in the manifest's [transport] raises it); "
                "this check was not run"
            )
        if self._proc is not None and self._proc.poll() is None:
            return
        self.restarts += 1
        self.start()

    # -- calls -----------------------------------------------------------------------------

    def call(self, method: str, params: Mapping[str, Any]) -> Any:
        """One request; a refusal raises its neutral error kind."""
        with self._lock, self._spending():
            self._ensure()
            outcome = self._request(method, params)
        if isinstance(outcome, errors.ProtocolError):
            raise outcome
        return outcome

    @contextlib.contextmanager
    def _spending(self) -> Iterator[None]:
        began = time.monotonic()
        try:
            yield
        finally:
            self.spent += time.monotonic() - began

    def batch(self, calls: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Any]:
        """Independent requests in one line; each answer is a value or a ProtocolError."""
        if not calls:
            return []
        with self._lock, self._spending():
            self._ensure()
            what = f"a batch of {len(calls)} {calls[0][0]} calls"
            try:
                return self._batch(calls, what)
            except AdapterFault as exc:
                exc.batch = True
                raise
            except Exception as exc:  # a shape no check above foresaw: still the adapter's
                raise self._fault(
                    f"answered {what} with a malformed response ({type(exc).__name__})", True
                ) from None

    def _batch(self, calls: Sequence[tuple[str, Mapping[str, Any]]], what: str) -> list[Any]:
        ids = [next(self._ids) for _ in calls]
        self._send(
            [
                {"jsonrpc": "2.0", "id": i, "method": m, "params": dict(p)}
                for i, (m, p) in zip(ids, calls, strict=True)
            ]
        )
        groups = -(-len(calls) // BATCH_CALLS_PER_TIMEOUT)
        reply = self._receive(what, self.timeout * groups)
        if not isinstance(reply, list):
            raise self._fault(f"answered {what} with {_kind(reply)}, not an array")
        asked = set(ids)
        by_id: dict[int, Any] = {}
        for item in reply:
            rid = item.get("id") if isinstance(item, dict) else None
            if type(rid) is not int or rid not in asked or rid in by_id:
                raise self._fault(
                    f"answered {what} with an unknown or repeated id "
                    f"{untrusted.clean(repr(rid), 40)}"
                )
            by_id[rid] = item
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise self._fault(f"left {len(missing)} request(s) of {what} unanswered")
        return [self._outcome(by_id[i], calls[k][0]) for k, i in enumerate(ids)]

    def _request(self, method: str, params: Mapping[str, Any]) -> Any:
        try:
            rid = next(self._ids)
            self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": dict(params)})
            reply = self._receive(method, self.timeout)
            if not isinstance(reply, dict):
                raise self._fault(f"answered {method} with {_kind(reply)}, not an object")
            if type(reply.get("id")) is not int or reply["id"] != rid:
                raise self._fault(
                    f"answered {method} (id {rid}) with id "
                    f"{untrusted.clean(repr(reply.get('id')), 40)}"
                )
            return self._outcome(reply, method)
        except (AdapterFault, errors.ProtocolError):
            raise
        except Exception as exc:  # a shape no check above foresaw: still the adapter's
            raise self._fault(
                f"answered {method} with a malformed response ({type(exc).__name__})"
            ) from None

    def _send(self, message: object) -> None:
        proc = self._proc
        assert proc is not None
        assert proc.stdin is not None
        data = (json.dumps(message, separators=(",", ":")) + "\n").encode()
        try:
            proc.stdin.write(data)
            proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise self._fault("closed its standard input (crashed?)", exiting=True) from None

    def _receive(self, what: str, timeout: float) -> Any:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise self._fault(f"no answer to {what} within {timeout:g} s (hang)") from None
        if line is _EOF:
            raise self._fault(f"closed its standard output during {what} (crashed?)", exiting=True)
        assert isinstance(line, bytes)
        if len(line) > MAX_LINE:
            raise self._fault(f"answered {what} with a line over {MAX_LINE} bytes")
        try:
            value = json.loads(line)
        except RecursionError:
            raise self._fault(f"answered {what} with JSON nested too deep to read") from None
        except ValueError:
            shown = untrusted.clean(repr(line[:120])[2:-1], 200)
            raise self._fault(f"answered {what} with a line that is not JSON: {shown}") from None
        if _depth_over(value, MAX_DEPTH):
            raise self._fault(f"answered {what} with JSON nested deeper than {MAX_DEPTH}")
        return value

    def _outcome(self, reply: Mapping[str, Any], method: str) -> Any:
        if reply.get("jsonrpc") != "2.0" or ("result" in reply) == ("error" in reply):
            raise self._fault(f"answered {method} with a malformed JSON-RPC response")
        if "result" in reply:
            return reply["result"]
        err = reply["error"]
        if not isinstance(err, dict):
            raise self._fault(f"answered {method} with a malformed error object")
        code = err.get("code")
        message = untrusted.clean(err.get("message", ""), untrusted.ERROR_MESSAGE)
        raw = err.get("data")
        data: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
        kind = data.get("kind")
        if code == -32601:
            return errors.Unsupported(message or f"method {method} not found")
        if code == -32602:
            return errors.InvalidInput(message or "invalid params")
        if code == -32000 and isinstance(kind, str) and kind in errors.KINDS:
            return errors.KINDS[kind](message, state=self._refusal_state(data, method))
        # An internal failure is the adapter's, not a verdict on the input.
        shown = code if type(code) is int else untrusted.clean(repr(code), 40)
        raise AdapterFault(f"adapter {self.name}: {method} failed internally ({shown}): {message}")

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
                f"adapter {self._client.name}: {op.name} returned "
                f"{untrusted.clean(repr(value), 80)}; an object with exactly "
                f"{', '.join(fields)} was expected"
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
                    f"adapter {self._client.name}: returned {untrusted.clean(repr(value), 80)}, "
                    f"not hex{where}"
                ) from None
        if annotation is int and (not isinstance(value, int) or isinstance(value, bool)):
            raise AdapterFault(
                f"adapter {self._client.name}: returned {untrusted.clean(repr(value), 80)} where "
                f"an integer was expected{where}"
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


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group the adapter leads (it was started in a session of its own),
    then reap the adapter itself."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait(timeout=5)


def _stderr_line(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace").rstrip("\r\n")
    return untrusted.clean(text, untrusted.STDERR_LINE)


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "a string" if isinstance(value, str) else "a scalar"


def _depth_over(value: object, limit: int) -> bool:
    """Whether arrays and objects nest deeper than ``limit`` (checked without recursion, so any
    depth the JSON reader accepted is safe to look at)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[object] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _key(method: str, params: Mapping[str, Any]) -> str:
    return method + json.dumps(params, sort_keys=True, separators=(",", ":"))


#: What makes a Python see packages that are not its own: an adapter with a venv of its own
#: (``[environment] python``) must run on the versions it pins, whatever the suite's caller set.
PYTHON_PATH_VARIABLES = ("PYTHONPATH", "PYTHONHOME")


def child_env(
    extra: Mapping[str, str] | None = None, *, isolated_python: bool = False
) -> dict[str, str]:
    """The environment of an adapter's process: the suite's own, unbuffered; with
    ``isolated_python``, without :data:`PYTHON_PATH_VARIABLES`."""
    env = dict(os.environ)
    if isolated_python:
        for name in PYTHON_PATH_VARIABLES:
            env.pop(name, None)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if extra:
        env.update(extra)
    return env
