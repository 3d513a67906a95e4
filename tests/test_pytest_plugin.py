"""The pytest plugin, driven through pytester as an implementer would use it."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

FAULTS = Path(__file__).parent / "fault_adapters"


def test_one_item_per_adapter_and_file_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--e2ee-adapter", "pynacl", "--e2ee-family", "primitives", "-q")
    # 10 vector files; libsodium has no AES-CBC, so the CBC and CBC+HMAC files are skipped.
    result.assert_outcomes(passed=1 + 8, skipped=2)
    assert result.ret == 0


def test_broken_adapter_fails_and_lists_the_cases(pytester: pytest.Pytester) -> None:
    manifest = FAULTS / "x25519_wrong_output" / "adapter.toml"
    result = pytester.runpytest("--e2ee-adapter", str(manifest), "-q")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*mock-x25519-wrong-output x x25519_test.json*", "*FAIL tcId*"])
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 2  # x25519 and the iterated file; hmac passes
    assert outcomes["passed"] == 1


def test_unknown_adapter_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--e2ee-adapter", "nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown adapter 'nope'*"])


def test_plugin_is_inert_without_the_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1)


def test_runs_under_pytest_xdist(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "-p",
        "xdist",
        "-n",
        "2",
        "--e2ee-adapter",
        "pynacl",
        "--e2ee-adapter",
        "cryptography",
        "--e2ee-tier",
        "smoke",
        "-q",
    )
    # cryptography fails the three non-canonical Ed25519 key cases (a real OpenSSL finding).
    result.assert_outcomes(passed=16, failed=1, skipped=25)
    result.stdout.fnmatch_lines(["*cryptography*ed25519_test.json*", "*tcId 77*"])
