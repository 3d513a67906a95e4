"""The Node.js side of the stdio protocol, driven by hand (no suite client): the host library
``adapters/_hosts/node/e2ee-host.mjs`` under a tiny adapter with no npm dependencies, and the
from-scratch example in ``docs/examples/node-shim``, whose source the protocol doc quotes.

The tests that run node are skipped without it on PATH, except under CI (CI=true), where that is
a failure.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import unavailable

ROOT = Path(__file__).resolve().parents[1]
HOST = ROOT / "adapters" / "_hosts" / "node" / "e2ee-host.mjs"
SHIM = ROOT / "docs" / "examples" / "node-shim"
DOC = ROOT / "docs" / "adapter-protocol.md"
NODE = shutil.which("node")

# RFC 7748 §5.2, first X25519 test vector.
SCALAR = "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"
U_COORD = "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"
SHARED = "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"
ZERO = "00" * 32
# RFC 8439 §2.8.2.
KEY = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
NONCE = "070000004041424344454647"
AAD = "50515253c0c1c2c3c4c5c6c7"
TAG = "1ae10b594f09e26a7e902ecbd0600691"

KINDS = [
    "AuthenticationFailed",
    "InvalidSignature",
    "InvalidKey",
    "InvalidMessage",
    "InvalidInput",
    "DuplicateMessage",
    "Unsupported",
]

# A tiny adapter on the host library: X25519 from node:crypto, plus test-only methods. It prints
# to stdout in every way it can, at import and in a handler; none of it may reach the suite.
TINY = """\
import { KINDS, Refusal, serve } from "./e2ee-host.mjs";
import { createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";

console.log("tiny: console.log at import");
process.stdout.write("tiny: process.stdout.write at import\\n");

const PKCS8 = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI = Buffer.from("302a300506032b656e032100", "hex");

serve(
  {
    name: "tiny",
    implementation: "node:crypto via e2ee-host.mjs",
    version: `node ${process.versions.node}, OpenSSL ${process.versions.openssl}`,
    capabilities: ["x25519"],
    notes: { x25519: "test adapter" },
  },
  {
    "x25519.x25519": async ({ private: sk, public: pk }) => {
      console.log("tiny: console.log in a handler");
      console.info("tiny: console.info in a handler");
      console.dir({ tiny: "console.dir" });
      const der = (prefix, raw) => ({ key: Buffer.concat([prefix, raw]), format: "der" });
      try {
        return diffieHellman({
          privateKey: createPrivateKey({ ...der(PKCS8, sk), type: "pkcs8" }),
          publicKey: createPublicKey({ ...der(SPKI, pk), type: "spki" }),
        });
      } catch (err) {
        throw new Refusal("InvalidKey", err.message);
      }
    },
    "test.echo": (params) => params,
    "test.fail": () => {
      throw new Error("deliberate failure");
    },
    "test.kinds": () => [...KINDS],
    // A refusal carrying a party's state (protocol 2), given or set on the caught refusal.
    "test.refuse": ({ state }) => {
      throw new Refusal("AuthenticationFailed", "refused with state", { state });
    },
    "test.refuse_set": ({ state }) => {
      const refusal = new Refusal("InvalidMessage", "state set later");
      refusal.state = state;
      throw refusal;
    },
    "test.refuse_bad_state": () => {
      throw new Refusal("InvalidMessage", "state not bytes", { state: "00ff" });
    },
  },
);
"""


class Adapter:
    """A node adapter process spoken to line by line."""

    def __init__(self, folder: Path) -> None:
        assert NODE is not None
        self.stderr_path = folder / "stderr.log"
        self._stderr = self.stderr_path.open("wb")
        self.proc = subprocess.Popen(
            [NODE, "adapter.mjs"],
            cwd=folder,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self._next_id = 0

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def read_line(self, timeout: float = 10) -> str:
        line = self.lines.get(timeout=timeout)
        assert line is not None, f"adapter closed stdout; stderr: {self.stderr()}"
        assert line.endswith(b"\n")
        return line.decode()

    def exchange(self, line: str | bytes) -> Any:
        self.write((line.encode() if isinstance(line, str) else line) + b"\n")
        return json.loads(self.read_line())

    def request(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        response = self.exchange(json.dumps(self.message(method, self._next_id, **params)))
        assert response["jsonrpc"] == "2.0"
        assert response["id"] == self._next_id
        return dict(response)

    @staticmethod
    def message(method: str, id: int | str, **params: Any) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": id, "method": method, "params": params}

    def close(self, timeout: float = 10) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=timeout)

    def remaining_stdout(self) -> list[bytes]:
        out = []
        while (line := self.lines.get(timeout=10)) is not None:
            out.append(line)
        return out

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._stderr.close()


def start(folder: Path) -> Iterator[Adapter]:
    if NODE is None:
        unavailable("node is not on PATH")
    adapter = Adapter(folder)
    try:
        yield adapter
    finally:
        adapter.kill()


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Adapter]:
    shutil.copy(HOST, tmp_path / "e2ee-host.mjs")
    (tmp_path / "adapter.mjs").write_text(TINY)
    yield from start(tmp_path)


@pytest.fixture
def shim(tmp_path: Path) -> Iterator[Adapter]:
    shutil.copytree(SHIM, tmp_path, dirs_exist_ok=True)
    yield from start(tmp_path)


@pytest.fixture(params=["host", "shim"])
def adapter(request: pytest.FixtureRequest) -> Adapter:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def refusal_kind(response: dict[str, Any]) -> str:
    error = response["error"]
    assert error["code"] == -32000, error
    return str(error["data"]["kind"])


# --- both adapters --------------------------------------------------------------------------


def test_describe(adapter: Adapter) -> None:
    result = adapter.request("describe")["result"]
    assert result["protocol"] == 2
    assert result["batch"] is True
    assert result["name"] in {"tiny", "node-shim"}
    assert "x25519" in result["capabilities"]
    assert re.search(r"OpenSSL \d+\.\d+", result["version"])


def test_rfc7748_vector(adapter: Adapter) -> None:
    response = adapter.request("x25519.x25519", private=SCALAR, public=U_COORD)
    assert response["result"] == SHARED


def test_all_zero_result_is_refused_as_invalid_key(adapter: Adapter) -> None:
    response = adapter.request("x25519.x25519", private=SCALAR, public=ZERO)
    assert refusal_kind(response) == "InvalidKey"
    assert response["error"]["message"]


def test_unknown_method(adapter: Adapter) -> None:
    assert adapter.request("x448.x448", private=ZERO, public=ZERO)["error"]["code"] == -32601


def test_batch_is_answered_by_one_array_line(adapter: Adapter) -> None:
    batch = [
        adapter.message("x25519.x25519", 1, private=SCALAR, public=U_COORD),
        adapter.message("x25519.x25519", "two", private=SCALAR, public=ZERO),
        adapter.message("no.such", 3),
    ]
    adapter.write(json.dumps(batch).encode() + b"\n")
    responses = json.loads(adapter.read_line())
    assert isinstance(responses, list)
    by_id = {r["id"]: r for r in responses}
    assert set(by_id) == {1, "two", 3}
    assert by_id[1]["result"] == SHARED
    assert refusal_kind(by_id["two"]) == "InvalidKey"
    assert by_id[3]["error"]["code"] == -32601


def test_a_line_that_is_not_json(adapter: Adapter) -> None:
    response = adapter.exchange("this is not JSON {")
    assert response["id"] is None
    assert response["error"]["code"] == -32700
    # The adapter goes on answering.
    assert adapter.request("x25519.x25519", private=SCALAR, public=U_COORD)["result"] == SHARED


def test_exit_status_0_when_stdin_ends(adapter: Adapter) -> None:
    adapter.request("describe")
    assert adapter.close() == 0
    assert adapter.remaining_stdout() == []


# --- the host library -----------------------------------------------------------------------


def test_stdout_carries_only_responses(host: Adapter) -> None:
    host.request("describe")
    host.request("x25519.x25519", private=SCALAR, public=U_COORD)
    assert host.close() == 0
    assert host.remaining_stdout() == []
    stderr = host.stderr()
    for text in (
        "console.log at import",
        "process.stdout.write at import",
        "console.info in a handler",
    ):
        assert f"tiny: {text}" in stderr


def test_every_stdout_line_is_a_response(host: Adapter) -> None:
    lines = [
        json.dumps(Adapter.message("describe", 1)),
        json.dumps(Adapter.message("x25519.x25519", 2, private=SCALAR, public=U_COORD)),
        json.dumps([Adapter.message("test.fail", 3), Adapter.message("test.kinds", 4)]),
    ]
    # Without a trailing newline: the last line still counts when stdin ends.
    host.write("\n".join(lines).encode())
    assert host.close() == 0
    out = host.remaining_stdout()
    assert len(out) == 3
    for raw in out:
        value = json.loads(raw)
        for response in value if isinstance(value, list) else [value]:
            assert response["jsonrpc"] == "2.0"
            assert "result" in response or "error" in response


def test_uppercase_hex_in_and_lowercase_hex_out(host: Adapter) -> None:
    response = host.request("x25519.x25519", private=SCALAR.upper(), public=U_COORD.upper())
    assert response["result"] == SHARED
    echoed = host.request("test.echo", data="ABcd", empty="", n=7, flag=True, handle="s1")
    assert echoed["result"] == {"data": "abcd", "empty": "", "n": 7, "flag": True, "handle": "s1"}


def test_a_param_that_is_not_hex_is_invalid_params(host: Adapter) -> None:
    for bad in ("abc", "zz"):
        assert host.request("test.echo", data=bad)["error"]["code"] == -32602


def test_other_exceptions_are_internal_errors(host: Adapter) -> None:
    error = host.request("test.fail")["error"]
    assert error["code"] == -32603
    assert "deliberate failure" in error["message"]
    assert "data" not in error


def test_a_refusal_carries_the_state_it_is_given_as_hex(host: Adapter) -> None:
    error = host.request("test.refuse", state="00FFab")["error"]
    assert error == {
        "code": -32000,
        "message": "refused with state",
        "data": {"kind": "AuthenticationFailed", "state": "00ffab"},
    }
    error = host.request("test.refuse_set", state="")["error"]
    assert error["data"] == {"kind": "InvalidMessage", "state": ""}


def test_a_refusal_without_state_sends_none(host: Adapter) -> None:
    # Protocol 1 adapters on this host: no state given, no data.state sent.
    error = host.request("test.refuse")["error"]
    assert error["data"] == {"kind": "AuthenticationFailed"}


def test_a_refusal_state_that_is_not_bytes_is_an_internal_error(host: Adapter) -> None:
    error = host.request("test.refuse_bad_state")["error"]
    assert error["code"] == -32603
    assert "not a Uint8Array" in error["message"]


def test_host_kinds_are_the_suite_kinds(host: Adapter) -> None:
    from conformance import errors

    suite = {
        cls.kind
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.ProtocolError)
    } - {"ProtocolError"}
    assert host.request("test.kinds")["result"] == KINDS
    assert set(KINDS) == suite


def _serve_script(tmp_path: Path, capabilities: list[str]) -> subprocess.CompletedProcess[str]:
    """Run serve() with these capabilities and only an x25519 handler; stdin is empty."""
    if NODE is None:
        unavailable("node is not on PATH")
    assert NODE is not None
    shutil.copy(HOST, tmp_path / "e2ee-host.mjs")
    (tmp_path / "adapter.mjs").write_text(
        'import { isMarker, serve } from "./e2ee-host.mjs";\n'
        f"const caps = {json.dumps(capabilities)};\n"
        'process.stderr.write(`markers: ${caps.filter(isMarker).join(",")}\\n`);\n'
        'serve({ name: "m", implementation: "m", version: "1", capabilities: caps },\n'
        '      { "x25519.x25519": () => null });\n'
    )
    return subprocess.run(
        [NODE, "adapter.mjs"], cwd=tmp_path, input="", capture_output=True, text=True, timeout=30
    )


def test_a_marker_capability_needs_no_handler(tmp_path: Path) -> None:
    """``<capability>:fixed-randomness`` has no methods; serve() describes it without one."""
    done = _serve_script(tmp_path, ["x25519", "x25519:fixed-randomness"])
    assert done.returncode == 0, done.stderr
    assert "markers: x25519:fixed-randomness" in done.stderr


def test_a_described_capability_without_a_handler_is_refused(tmp_path: Path) -> None:
    done = _serve_script(tmp_path, ["x25519", "ml-kem-768", "ml-dsa-65:external-mu"])
    assert done.returncode != 0
    assert "capability ml-kem-768 is described but has no handler" in done.stderr


def test_long_line_in_small_pieces(host: Adapter) -> None:
    data = os.urandom(3 * 1024 * 1024).hex()
    line = json.dumps(Adapter.message("test.echo", 1, data=data)).encode() + b"\n"
    pieces = [line[:5], line[5:70000], line[70000:-1], line[-1:]]
    for piece in pieces:
        host.write(piece)
        time.sleep(0.05)
    response = json.loads(host.read_line(timeout=30))
    assert response["id"] == 1
    assert response["result"] == {"data": data}


def test_two_requests_in_one_write_are_answered_in_order(host: Adapter) -> None:
    first = json.dumps(Adapter.message("test.fail", 1))
    second = json.dumps(Adapter.message("x25519.x25519", 2, private=SCALAR, public=U_COORD))
    host.write(f"{first}\n{second}\n".encode())
    assert json.loads(host.read_line())["id"] == 1
    assert json.loads(host.read_line())["result"] == SHARED


# --- the example shim -----------------------------------------------------------------------


def test_shim_chacha20_poly1305(shim: Adapter) -> None:
    plaintext = (
        b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
        b"future, sunscreen would be it."
    ).hex()
    sealed = shim.request(
        "aead:chacha20-poly1305.encrypt", key=KEY, nonce=NONCE, plaintext=plaintext, aad=AAD
    )["result"]
    assert sealed.endswith(TAG)
    assert sealed.startswith("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6")
    opened = shim.request(
        "aead:chacha20-poly1305.decrypt", key=KEY, nonce=NONCE, ciphertext=sealed, aad=AAD
    )
    assert opened["result"] == plaintext
    tampered = sealed[:-2] + format(int(sealed[-2:], 16) ^ 1, "02x")
    refused = shim.request(
        "aead:chacha20-poly1305.decrypt", key=KEY, nonce=NONCE, ciphertext=tampered, aad=AAD
    )
    assert refusal_kind(refused) == "AuthenticationFailed"
    short = shim.request(
        "aead:chacha20-poly1305.decrypt", key=KEY[:-2], nonce=NONCE, ciphertext=sealed, aad=AAD
    )
    assert refusal_kind(short) == "InvalidInput"


def test_the_doc_quotes_the_example_files() -> None:
    section = DOC.read_text().split("\n## A shim from scratch\n", 1)[1]
    blocks = dict(re.findall(r"```(\w+)\n(.*?)```", section, flags=re.S))
    assert blocks["js"] == (SHIM / "adapter.mjs").read_text()
    assert blocks["toml"] == (SHIM / "adapter.toml").read_text()
