"""The Python host library (adapters/_hosts/python/e2ee_host.py) over real pipes.

A scratch adapter built on the host (X25519 from pyca/cryptography, plus a few methods that
misbehave on purpose) runs as a child process, exactly as an adapter environment runs it: the host
copied next to ``adapter.py``, started with the working directory set to that folder.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

HOST = Path(__file__).resolve().parents[1] / "adapters" / "_hosts" / "python" / "e2ee_host.py"

SCRATCH_ADAPTER = """
from __future__ import annotations

import os

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from e2ee_host import KINDS, Refusal, serve

def x25519(private: bytes, public: bytes) -> bytes:
    try:
        key = X25519PrivateKey.from_private_bytes(private)
        return key.exchange(X25519PublicKey.from_public_bytes(public))
    except ValueError as exc:
        raise Refusal("InvalidKey", str(exc)) from exc


def noisy(value: int) -> int:
    print("stray print from a handler")
    os.write(1, b"stray bytes written to file descriptor 1\\n")
    return value + 1


def broken() -> None:
    raise ValueError("boom")


def refuse(kind: str) -> None:
    raise Refusal(kind, f"refused as {kind}")


def refuse_with_state(state: bytes) -> None:
    raise Refusal("AuthenticationFailed", "bad MAC", state=state)


def refuse_state_set_later(state: bytes) -> None:
    try:
        raise Refusal("InvalidMessage", "truncated")
    except Refusal as exc:
        exc.state = state
        raise


def refuse_state_not_bytes() -> None:
    raise Refusal("InvalidMessage", "bad", state="00ff")  # type: ignore[arg-type]


def echo(**params: object) -> object:
    return {"params": params, "nested": [b"\\x00\\xff", {"deep": b"\\xab"}], "none": None}


def kinds() -> list[str]:
    return list(KINDS)


serve(
    {
        "name": "scratch",
        "implementation": "scratch (pyca/cryptography)",
        "version": "0",
        "capabilities": ["x25519"],
    },
    {
        "x25519.x25519": x25519,
        "debug.noisy": noisy,
        "debug.broken": broken,
        "debug.refuse": refuse,
        "debug.refuse_with_state": refuse_with_state,
        "debug.refuse_state_set_later": refuse_state_set_later,
        "debug.refuse_state_not_bytes": refuse_state_not_bytes,
        "debug.echo": echo,
        "debug.kinds": kinds,
    },
    bytes_params={"debug.refuse": []},
)
"""

RFC7748_SCALAR = "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"
RFC7748_U = "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"
RFC7748_OUT = "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"
NEUTRAL_KINDS = [
    "AuthenticationFailed",
    "InvalidSignature",
    "InvalidKey",
    "InvalidMessage",
    "InvalidInput",
    "DuplicateMessage",
    "Unsupported",
]


@pytest.fixture
def adapter_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "env"
    folder.mkdir()
    shutil.copy(HOST, folder / "e2ee_host.py")
    (folder / "adapter.py").write_text(SCRATCH_ADAPTER)
    return folder


def request(rid: object, method: str, **params: object) -> dict[str, object]:
    return {"jsonrpc": "2.0", "id": rid, "method": method, "params": params}


def line(message: object) -> bytes:
    return json.dumps(message).encode() + b"\n"


def run(
    folder: Path, *lines: bytes, env: dict[str, str] | None = None
) -> tuple[list[object], str, int]:
    """Send ``lines``, close stdin; the parsed stdout lines, stderr and the exit status."""
    proc = subprocess.run(
        [sys.executable, "adapter.py"],
        cwd=folder,
        input=b"".join(lines),
        capture_output=True,
        timeout=60,
        check=False,
        env=env,
    )
    out = proc.stdout.decode()
    assert out.endswith("\n") or not out
    return [json.loads(text) for text in out.splitlines()], proc.stderr.decode(), proc.returncode


def call(folder: Path, method: str, **params: object) -> dict[str, object]:
    (response,), stderr, status = run(folder, line(request(1, method, **params)))
    assert status == 0, stderr
    assert isinstance(response, dict)
    assert response["jsonrpc"] == "2.0"
    assert response["id"] == 1
    return response


def test_describe_adds_the_protocol_version_and_batching(adapter_dir: Path) -> None:
    response = call(adapter_dir, "describe")
    assert response["result"] == {
        "protocol": 2,
        "batch": True,
        "name": "scratch",
        "implementation": "scratch (pyca/cryptography)",
        "version": "0",
        "capabilities": ["x25519"],
    }


def test_rfc7748_vector_round_trips_as_lowercase_hex(adapter_dir: Path) -> None:
    response = call(adapter_dir, "x25519.x25519", private=RFC7748_SCALAR, public=RFC7748_U)
    assert response == {"jsonrpc": "2.0", "id": 1, "result": RFC7748_OUT}


def test_uppercase_hex_params_are_accepted(adapter_dir: Path) -> None:
    response = call(
        adapter_dir, "x25519.x25519", private=RFC7748_SCALAR.upper(), public=RFC7748_U.upper()
    )
    assert response["result"] == RFC7748_OUT


def test_a_refusal_carries_its_neutral_kind(adapter_dir: Path) -> None:
    # u = 0 is a low-order point; OpenSSL refuses the all-zero shared secret.
    response = call(adapter_dir, "x25519.x25519", private=RFC7748_SCALAR, public="00" * 32)
    error = response["error"]
    assert isinstance(error, dict)
    assert error["code"] == -32000
    assert error["data"] == {"kind": "InvalidKey"}
    assert error["message"]
    assert "result" not in response


@pytest.mark.parametrize("kind", NEUTRAL_KINDS)
def test_every_neutral_kind_can_be_refused(adapter_dir: Path, kind: str) -> None:
    # bytes_params={"debug.refuse": []}: this method's string params are not hex-decoded.
    response = call(adapter_dir, "debug.refuse", kind=kind)
    assert response["error"] == {
        "code": -32000,
        "message": f"refused as {kind}",
        "data": {"kind": kind},
    }


def test_a_refusal_carries_the_state_after_the_attempt_as_hex(adapter_dir: Path) -> None:
    error = call(adapter_dir, "debug.refuse_with_state", state="00FFab")["error"]
    assert error == {
        "code": -32000,
        "message": "bad MAC",
        "data": {"kind": "AuthenticationFailed", "state": "00ffab"},
    }
    error = call(adapter_dir, "debug.refuse_state_set_later", state="")["error"]
    assert isinstance(error, dict)
    assert error["data"] == {"kind": "InvalidMessage", "state": ""}


def test_a_refusal_without_state_sends_no_state(adapter_dir: Path) -> None:
    # What a protocol-1 adapter on this host sends: data.kind only.
    error = call(adapter_dir, "debug.refuse", kind="InvalidKey")["error"]
    assert isinstance(error, dict)
    assert error["data"] == {"kind": "InvalidKey"}


def test_a_refusal_state_that_is_not_bytes_is_an_internal_error(adapter_dir: Path) -> None:
    error = call(adapter_dir, "debug.refuse_state_not_bytes")["error"]
    assert isinstance(error, dict)
    assert error["code"] == -32603
    assert "Refusal.state must be bytes" in error["message"]


def test_an_adapter_may_still_describe_protocol_1(adapter_dir: Path) -> None:
    source = (adapter_dir / "adapter.py").read_text()
    (adapter_dir / "adapter.py").write_text(
        source.replace('"capabilities": ["x25519"],', '"capabilities": ["x25519"], "protocol": 1,')
    )
    assert call(adapter_dir, "describe")["result"]["protocol"] == 1  # type: ignore[index]


def test_the_kinds_tuple_is_the_protocols_list(adapter_dir: Path) -> None:
    assert call(adapter_dir, "debug.kinds")["result"] == NEUTRAL_KINDS


def test_an_unknown_refusal_kind_is_an_internal_error(adapter_dir: Path) -> None:
    error = call(adapter_dir, "debug.refuse", kind="Nope")["error"]
    assert isinstance(error, dict)
    assert error["code"] == -32603
    assert "unknown refusal kind 'Nope'" in error["message"]


def test_unknown_method_is_32601(adapter_dir: Path) -> None:
    error = call(adapter_dir, "x448.x448", private="00", public="00")["error"]
    assert isinstance(error, dict)
    assert error["code"] == -32601
    assert "x448.x448" in error["message"]


def test_a_handler_raising_valueerror_is_32603(adapter_dir: Path) -> None:
    (response,), stderr, status = run(adapter_dir, line(request(5, "debug.broken")))
    assert status == 0
    assert response == {
        "jsonrpc": "2.0",
        "id": 5,
        "error": {"code": -32603, "message": "ValueError: boom"},
    }
    assert "Traceback" in stderr  # the traceback goes to stderr, for the report's tail


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"private": "xyz", "public": RFC7748_U}, "'private' is not a hex string"),
        ({"private": "abc", "public": RFC7748_U}, "'private' is not a hex string"),
        ({"private": "ab cd", "public": RFC7748_U}, "'private' is not a hex string"),
        ({"private": RFC7748_SCALAR}, "public"),
        ({"private": RFC7748_SCALAR, "public": RFC7748_U, "extra": "00"}, "extra"),
    ],
)
def test_bad_params_are_32602(adapter_dir: Path, params: dict[str, object], needle: str) -> None:
    error = call(adapter_dir, "x25519.x25519", **params)["error"]
    assert isinstance(error, dict)
    assert error["code"] == -32602
    assert needle in error["message"]


def test_params_by_position_are_32602(adapter_dir: Path) -> None:
    message = {"jsonrpc": "2.0", "id": 1, "method": "x25519.x25519", "params": ["00", "00"]}
    (response,), _, _ = run(adapter_dir, line(message))
    assert isinstance(response, dict)
    assert response["error"]["code"] == -32602


def test_non_string_params_pass_through_and_bytes_results_nest(adapter_dir: Path) -> None:
    response = call(adapter_dir, "debug.echo", data="00ff", n=7, flag=True, nothing=None)
    assert response["result"] == {
        # "00ff" reached the handler as bytes and came back as hex; the rest unchanged.
        "params": {"data": "00ff", "n": 7, "flag": True, "nothing": None},
        "nested": ["00ff", {"deep": "ab"}],
        "none": None,
    }


def test_batch_is_answered_on_one_line(adapter_dir: Path) -> None:
    batch = [
        request(1, "x25519.x25519", private=RFC7748_SCALAR, public=RFC7748_U),
        request("two", "x25519.x25519", private=RFC7748_SCALAR, public="00" * 32),
        request(3, "nope.nope"),
        request(4, "describe"),
    ]
    responses, stderr, status = run(adapter_dir, line(batch))
    assert status == 0, stderr
    (answers,) = responses  # exactly one line
    assert isinstance(answers, list)
    by_id = {a["id"]: a for a in answers}
    assert set(by_id) == {1, "two", 3, 4}
    assert by_id[1]["result"] == RFC7748_OUT
    assert by_id["two"]["error"]["data"] == {"kind": "InvalidKey"}
    assert by_id[3]["error"]["code"] == -32601
    assert by_id[4]["result"]["protocol"] == 2


def test_empty_batch_is_an_invalid_request(adapter_dir: Path) -> None:
    (response,), _, _ = run(adapter_dir, b"[]\n")
    assert response == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32600, "message": "empty batch"},
    }


@pytest.mark.parametrize(
    "garbage", [b"{not json\n", b"\xff\xfe\n", b'{"jsonrpc": "2.0", "id": 1\n']
)
def test_bad_json_is_32700_with_null_id_and_the_stream_goes_on(
    adapter_dir: Path, garbage: bytes
) -> None:
    responses, stderr, status = run(adapter_dir, garbage, line(request(2, "describe")))
    assert status == 0, stderr
    first, second = responses
    assert isinstance(first, dict)
    assert first["id"] is None
    assert first["error"]["code"] == -32700
    assert isinstance(second, dict)
    assert second["id"] == 2
    assert second["result"]["protocol"] == 2


@pytest.mark.parametrize(
    "message",
    [
        {"id": 1, "method": "describe"},  # no "jsonrpc": "2.0"
        {"jsonrpc": "2.0", "id": 1, "method": 7},
        {"jsonrpc": "2.0", "id": 1},
        "describe",
    ],
)
def test_malformed_requests_are_32600(adapter_dir: Path, message: object) -> None:
    (response,), _, _ = run(adapter_dir, line(message))
    assert isinstance(response, dict)
    assert response["error"]["code"] == -32600


def test_blank_lines_and_notifications_get_no_response(adapter_dir: Path) -> None:
    notification = {"jsonrpc": "2.0", "method": "describe"}
    responses, _, status = run(adapter_dir, b"\n", b"  \n", line(notification))
    assert responses == []
    assert status == 0


def test_stray_output_does_not_reach_stdout(adapter_dir: Path) -> None:
    responses, stderr, status = run(
        adapter_dir,
        line(request(1, "debug.noisy", value=41)),
        line(request(2, "describe")),
    )
    assert status == 0
    # Every stdout line parsed as JSON (run() would have failed otherwise) and is a response.
    assert [r["id"] for r in responses] == [1, 2]  # type: ignore[index]
    assert responses[0]["result"] == 42  # type: ignore[index]
    assert "stray print from a handler" in stderr
    assert "stray bytes written to file descriptor 1" in stderr  # native code's fd 1, too


def test_import_time_output_still_buffered_at_serve_goes_to_stderr(adapter_dir: Path) -> None:
    # With a buffered sys.stdout (Python's default for a pipe), what an import printed is still
    # in the buffer when serve() takes standard output over. (Under PYTHONUNBUFFERED or -u it
    # would already have been written: the host's docstring says so.)
    adapter = adapter_dir / "adapter.py"
    source = adapter.read_text()
    adapter.write_text(source.replace("\nserve(", '\nprint("noise at import time")\nserve(', 1))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    responses, stderr, status = run(adapter_dir, line(request(1, "describe")), env=env)
    assert status == 0
    assert [r["id"] for r in responses] == [1]  # type: ignore[index]
    assert "noise at import time" in stderr


def test_exit_status_is_0_on_eof(adapter_dir: Path) -> None:
    responses, stderr, status = run(adapter_dir)
    assert responses == []
    assert status == 0, stderr


class _Session:
    """An adapter process driven one line at a time, to see each response arrive on its own."""

    def __init__(self, folder: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "adapter.py"],
            cwd=folder,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines.put(raw)
        self.lines.put(b"")

    def ask(self, message: object) -> object:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line(message))
        self.proc.stdin.flush()
        return json.loads(self.lines.get(timeout=30))

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=30)


def test_each_response_is_flushed_before_the_next_request(adapter_dir: Path) -> None:
    session = _Session(adapter_dir)
    try:
        first = session.ask(request(1, "describe"))
        second = session.ask(request(2, "x25519.x25519", private=RFC7748_SCALAR, public=RFC7748_U))
    finally:
        status = session.close()
    assert isinstance(first, dict)
    assert first["result"]["name"] == "scratch"
    assert second == {"jsonrpc": "2.0", "id": 2, "result": RFC7748_OUT}
    assert status == 0
    assert session.lines.get(timeout=30) == b""  # nothing else was written


def test_host_refuses_a_describe_handler(adapter_dir: Path) -> None:
    (adapter_dir / "adapter.py").write_text(
        "from __future__ import annotations\n"
        "from e2ee_host import serve\n"
        "serve({'name': 'x'}, {'describe': lambda: None})\n"
    )
    responses, stderr, status = run(adapter_dir, line(request(1, "describe")))
    assert responses == []
    assert status != 0
    assert "'describe' is answered by the host" in stderr
