"""Out-of-process adapters: the stdio protocol client, its fault handling, and environments."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import unavailable

from conformance.cli import main
from conformance.environments import OFFLINE_VARIABLE, EnvironmentFailed, prepare
from conformance.errors import InvalidKey
from conformance.manifest import load_manifest
from conformance.stdio import AdapterFault, StdioClient

FAULT = Path(__file__).parent / "fault_adapters"
FAULTY = FAULT / "stdio_faulty.py"
X25519 = "kat/primitives/x25519_test/*"
RFC7748_A = "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"
RFC7748_U = "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"
MODES = ("crash", "hang", "garbage", "wrong_id")


def _run(tmp_path: Path, *adapters: str) -> tuple[int, dict[str, Any]]:
    argv = ["run", "--case", X25519, "--out", str(tmp_path / "o"), "--no-progress"]
    for a in adapters:
        argv += ["--adapter", a]
    code = main(argv)
    return code, json.loads((tmp_path / "o" / "report.json").read_text())


def test_every_fault_is_one_error_with_stderr_and_the_run_goes_on(tmp_path: Path) -> None:
    manifests = [str(FAULT / f"stdio_{m}" / "adapter.toml") for m in MODES]
    code, report = _run(tmp_path, *manifests, "pynacl")
    assert code == 1
    n_cases = 134
    assert report["summary"]["total"] == n_cases * 5
    by = report["summary"]["byAdapter"]
    assert by["pynacl"]["x25519"]["pass"] == n_cases
    # The mocks speak protocol 1 (no state with a refusal) and still run; the report says so.
    protocols = {a["name"]: a["protocol"] for a in report["adapters"]}
    assert protocols["pynacl"] == 2
    assert {protocols[f"mock-stdio-{m}"] for m in ("crash", "hang", "garbage", "wrong-id")} == {1}
    expected = {
        "crash": "closed its standard output",
        "hang": "within 1 s (hang)",
        "garbage": "not JSON",
        "wrong-id": "with id",
    }
    for mode, words in expected.items():
        name = f"mock-stdio-{mode}"
        assert by[name]["x25519"] == {
            "pass": n_cases - 1,
            "fail": 0,
            "error": 1,
            "unsupported": 0,
            "expected-fail": 0,
            "unexpected-pass": 0,
        }, mode
        (err,) = [
            r for r in report["results"] if r["adapters"] == [name] and r["outcome"] == "error"
        ]
        assert words in err["detail"]
        assert "FAULT-MARKER" in err["detail"]  # the adapter's stderr tail
        assert err["inputs"]["private"] == RFC7748_A


def test_adapter_that_cannot_start_gives_errors_and_the_run_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "missing"
    folder.mkdir()
    (folder / "adapter.toml").write_text(
        'name = "no-such-program"\nimplementation = "nothing"\ncapabilities = ["x25519"]\n'
        '[transport]\nkind = "command"\ncommand = ["./does-not-exist"]\n'
    )
    code, report = _run(tmp_path, str(folder / "adapter.toml"), "pynacl")
    assert code == 1
    (info,) = [a for a in report["adapters"] if a["name"] == "no-such-program"]
    assert info["status"] == "error"
    assert "cannot start" in info["error"]
    assert report["summary"]["byAdapter"]["pynacl"]["x25519"]["pass"] == 134


def _client(mode: str = "crash", timeout: float = 5) -> StdioClient:
    return StdioClient("t", [sys.executable, str(FAULTY), mode], cwd=FAULT, timeout=timeout)


def test_client_calls_batches_and_refusals() -> None:
    client = _client()
    try:
        assert client.start()["capabilities"] == ["x25519"]
        params = {"private": "11" * 32, "public": RFC7748_U}
        assert len(client.call("x25519.x25519", params)) == 64
        low_order = {"private": "11" * 32, "public": "00" * 32}
        with pytest.raises(InvalidKey):
            client.call("x25519.x25519", low_order)
        answers = client.batch([("x25519.x25519", params)] * 3 + [("x25519.x25519", low_order)])
        assert answers[:3] == [answers[0]] * 3
        assert isinstance(answers[3], InvalidKey)
        with pytest.raises(AdapterFault, match="crashed"):
            client.call("x25519.x25519", {"private": RFC7748_A, "public": RFC7748_U})
        # Restarted for the next call.
        assert len(client.call("x25519.x25519", params)) == 64
        assert client.restarts == 1
    finally:
        client.close()


def test_client_restarts_after_every_fault_until_its_budget_is_spent() -> None:
    """One bad check costs one check however many faults came before; the time budget, not a
    count of faults, is what ends an adapter that keeps failing."""
    client = StdioClient(
        "t", [sys.executable, str(FAULTY), "hang"], cwd=FAULT, timeout=0.3, budget=2.0
    )
    good = {"private": "11" * 32, "public": RFC7748_U}
    bad = {"private": RFC7748_A, "public": RFC7748_U}
    try:
        client.start()
        for _ in range(4):
            with pytest.raises(AdapterFault, match="hang"):
                client.call("x25519.x25519", bad)
        assert len(client.call("x25519.x25519", good)) == 64
        assert client.restarts == 4
        while client.spent < client.budget:
            with pytest.raises(AdapterFault, match="hang"):
                client.call("x25519.x25519", bad)
        with pytest.raises(AdapterFault, match="budget exhausted"):
            client.call("x25519.x25519", good)
    finally:
        client.close()


def test_environment_is_built_once_reused_and_refused_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Python environment with a pinned requirement: built into the cache on first use,
    reused while nothing changes, rebuilt under a new key when the adapter changes."""
    monkeypatch.setenv("E2EE_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "envadapter"
    folder.mkdir()
    (folder / "adapter.toml").write_text(
        'name = "env-probe"\nimplementation = "probe"\ncapabilities = ["x25519"]\n'
        '[transport]\nkind = "command"\ncommand = ["{python}", "adapter.py"]\n'
        '[environment]\npython = ["six==1.16.0"]\n'
    )
    (folder / "adapter.py").write_text("import six\n")
    manifest = load_manifest(folder / "adapter.toml")
    log: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            log.append(text)

        def flush(self) -> None:
            pass

    env = prepare(manifest, Sink())  # type: ignore[arg-type]
    assert (env.folder / ".ready").exists()
    assert (env.folder / "e2ee_host.py").exists()
    assert (env.folder / "adapter.py").exists()
    assert any("preparing environment for env-probe" in line for line in log)
    import subprocess

    six = subprocess.run(
        [env.python, "-c", "import six; print(six.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert six.stdout.strip() == "1.16.0"
    log.clear()
    assert prepare(manifest, Sink()).folder == env.folder  # type: ignore[arg-type]
    assert log == []  # reused, not rebuilt

    (folder / "adapter.py").write_text("import six  # changed\n")
    monkeypatch.setenv(OFFLINE_VARIABLE, "1")
    with pytest.raises(EnvironmentFailed, match="--offline"):
        prepare(load_manifest(folder / "adapter.toml"))


def test_failed_build_names_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("E2EE_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "npmless"
    folder.mkdir()
    (folder / "adapter.toml").write_text(
        'name = "npm-no-lock"\nimplementation = "probe"\ncapabilities = ["x25519"]\n'
        '[transport]\nkind = "command"\ncommand = ["{node}", "adapter.mjs"]\n'
        "[environment]\nnpm = true\n"
    )
    (folder / "package.json").write_text("{}")
    with pytest.raises(EnvironmentFailed, match=r"package-lock\.json"):
        prepare(load_manifest(folder / "adapter.toml"))


def _shared_adapter(root: Path, shared: str, **extra: str) -> Path:
    """adapters-like root with common/common.mjs and an npm adapter folder that shares it."""
    (root / "common").mkdir(parents=True, exist_ok=True)
    (root / "common" / "common.mjs").write_text("export const answer = 42;\n")
    folder = root / "user"
    folder.mkdir(exist_ok=True)
    (folder / "adapter.toml").write_text(
        'name = "shared-probe"\nimplementation = "probe"\ncapabilities = ["x25519"]\n'
        '[transport]\nkind = "command"\ncommand = ["{node}", "adapter.mjs"]\n'
        f"[environment]\nnpm = true\nshared = {shared}\n"
    )
    lock = {"name": "p", "version": "1.0.0", "lockfileVersion": 3, "requires": True}
    lock["packages"] = {"": {"name": "p", "version": "1.0.0"}}
    (folder / "package.json").write_text('{"name": "p", "version": "1.0.0", "private": true}')
    (folder / "package-lock.json").write_text(json.dumps(lock))
    (folder / "adapter.mjs").write_text('import { answer } from "./common.mjs";\n')
    for name, text in extra.items():
        (folder / name).write_text(text)
    return folder


def test_environment_shared_files_are_copied_keyed_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``[environment] shared``: files of a sibling adapter folder travel into the environment
    (the libsignal-client version matrix runs one adapter's code against several pins), count
    in its key, and a missing one is the adapter's error in one line."""
    from conformance.environments import environment_key
    from conformance.errors import ConfigurationError

    monkeypatch.setenv("E2EE_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "adapters"
    folder = _shared_adapter(root, '["../common/common.mjs"]')
    manifest = load_manifest(folder / "adapter.toml")
    assert manifest.shared == (folder / "../common/common.mjs",)
    key = environment_key(manifest)
    (root / "common" / "common.mjs").write_text("export const answer = 43;\n")
    assert environment_key(manifest) != key  # an edit of the shared file rebuilds
    if shutil.which("npm") is None:
        unavailable("npm is not on PATH")
    env = prepare(manifest, io.StringIO())
    assert (env.folder / "common.mjs").read_text() == "export const answer = 43;\n"
    assert (env.folder / "adapter.mjs").exists()
    assert (env.folder / "e2ee-host.mjs").exists()

    (root / "common" / "common.mjs").unlink()
    with pytest.raises(
        EnvironmentFailed,
        match=r"shared-probe: environment.shared file .*common"
        r"\.mjs does not exist",
    ):
        environment_key(manifest)

    (root / "common" / "common.mjs").write_text("")
    clash = _shared_adapter(root, '["../common/common.mjs"]', **{"common.mjs": "mine"})
    with pytest.raises(EnvironmentFailed, match="has the name of a file in"):
        environment_key(load_manifest(clash / "adapter.toml"))
    (clash / "common.mjs").unlink()

    for shared, problem in [
        ('"../common/common.mjs"', "must be a list of paths"),
        ('["/etc/passwd"]', "must be a relative path"),
        ('["../../outside.mjs"]', "must name a file in another adapter folder"),
        ('["own.mjs"]', "must name a file in another adapter folder"),
        ('["../common/common.mjs", "../other/common.mjs"]', "a second file named 'common.mjs'"),
        ('["../common/e2ee-host.mjs"]', "would replace the host library"),
    ]:
        bad = _shared_adapter(root, shared)
        with pytest.raises(ConfigurationError, match=problem):
            load_manifest(bad / "adapter.toml")
    no_env = root / "user" / "adapter.toml"
    no_env.write_text(no_env.read_text().replace("npm = true\n", ""))
    with pytest.raises(ConfigurationError, match="shared needs an environment"):
        load_manifest(no_env)


def test_repro_works_through_stdio(capsys: pytest.CaptureFixture[str]) -> None:
    manifest = str(FAULT / "stdio_garbage" / "adapter.toml")
    assert (
        main(["repro", "kat/primitives/x25519_test/bc19690537322275", "--adapter", manifest]) == 1
    )
    out = capsys.readouterr().out
    assert "not JSON" in out
    assert "x25519(" in out


def test_the_documented_from_scratch_shim_passes_through_the_suite(tmp_path: Path) -> None:
    """docs/adapter-protocol.md's worked example, run by the suite as a user would."""
    import shutil

    if shutil.which("node") is None:
        unavailable("node is not on PATH")
    shim = Path(__file__).resolve().parent.parent / "docs" / "examples" / "node-shim"
    out = tmp_path / "o"
    code = main(
        [
            "run",
            "--adapter",
            str(shim / "adapter.toml"),
            "--case",
            "kat/primitives/x25519_test/*",
            "--case",
            "kat/primitives/chacha20_poly1305_test/*",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    report = json.loads((out / "report.json").read_text())
    by = report["summary"]["byAdapter"]["node-shim"]
    assert code == 0
    assert by["x25519"]["pass"] == 134
    assert by["aead:chacha20-poly1305"]["pass"] == 96


STATEFUL_SHIM = r"""
import json, sys

STATES = {"hex": "00ff", "none": None, "number": 5, "odd": "abc", "nothex": "zz", "list": ["00"]}
for line in sys.stdin:
    req = json.loads(line)
    if req["method"] == "describe":
        result = {"protocol": 2, "name": "state-shim", "implementation": "test",
                  "version": "0", "capabilities": ["olm"]}
        reply = {"jsonrpc": "2.0", "id": req["id"], "result": result}
    else:
        data = {"kind": "AuthenticationFailed"}
        state = STATES[bytes.fromhex(req["params"]["message"]).decode()]
        if state is not None:
            data["state"] = state
        error = {"code": -32000, "message": "bad MAC", "data": data}
        reply = {"jsonrpc": "2.0", "id": req["id"], "error": error}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
"""


def test_a_refusals_state_arrives_as_bytes_and_a_malformed_one_is_a_fault(tmp_path: Path) -> None:
    from conformance.errors import AuthenticationFailed

    (tmp_path / "shim.py").write_text(STATEFUL_SHIM)
    client = StdioClient("shim", [sys.executable, "shim.py"], cwd=tmp_path, timeout=5)
    try:
        assert client.start()["protocol"] == 2

        def decrypt(case: str) -> object:
            return client.call(
                "olm.olm_decrypt", {"session": "00", "type": 1, "message": case.encode().hex()}
            )

        with pytest.raises(AuthenticationFailed) as refused:
            decrypt("hex")
        assert refused.value.state == b"\x00\xff"
        with pytest.raises(AuthenticationFailed) as refused:
            decrypt("none")  # a protocol-1 style refusal: no state
        assert refused.value.state is None
        for malformed in ("number", "odd", "nothex", "list"):
            with pytest.raises(AdapterFault, match=r"data\.state is not hex"):
                decrypt(malformed)
            with pytest.raises(AuthenticationFailed):  # the restarted adapter answers again
                decrypt("hex")
    finally:
        client.close()


def test_an_unreadable_file_in_an_adapter_folder_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The environment's key digests every file of the adapter's folder: one it cannot read is
    the adapter's start-up error, said in a line, not a traceback."""
    from conformance.environments import EnvironmentFailed, environment_key
    from conformance.registry import resolve

    (manifest,) = resolve(["noble"])
    original = Path.read_bytes

    def unreadable(self: Path) -> bytes:
        if self.name == "package.json":
            raise PermissionError(13, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", unreadable)
    with pytest.raises(
        EnvironmentFailed, match=r"noble: cannot read .*package\.json: Permission denied"
    ):
        environment_key(manifest)


def test_an_adapter_with_its_own_venv_does_not_see_the_callers_pythonpath(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The vodozemac adapter's venv pins cryptography 50.0.2; run from a wheel with the suite's
    # packages on PYTHONPATH, it once ran on the caller's 51.0.1 instead (tests/test_wheel.py).
    from conformance.stdio import child_env

    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    monkeypatch.setenv("PYTHONHOME", "/elsewhere")
    isolated = child_env(isolated_python=True)
    assert "PYTHONPATH" not in isolated
    assert "PYTHONHOME" not in isolated
    assert isolated["PYTHONUNBUFFERED"] == "1"
    assert child_env()["PYTHONPATH"] == "/elsewhere"
