"""The pytest plugin, driven through pytester as an implementer would use it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import loader
from conformance.resources import vectors_dir

pytest_plugins = ["pytester"]

FAULTS = Path(__file__).parent / "fault_adapters"


def _cases(family: str, files: tuple[str, ...]) -> int:
    return sum(loader.load(vectors_dir() / family / f).number_of_tests for f in files)


def test_one_item_per_check_counted_as_collected(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--e2ee-adapter", "pynacl", "--e2ee-family", "primitives", "-rs")
    supported = tuple(
        p.name
        for p in (vectors_dir() / "primitives").glob("*.json")
        if not p.name.startswith("aes_256_cbc")
    )
    checks = _cases("primitives", supported)
    # One item per check; libsodium has no AES-CBC, so each CBC file is one skipped item.
    result.assert_outcomes(passed=1 + checks, skipped=2)
    result.stdout.fnmatch_lines([f"collected {1 + checks + 2} items"])
    result.stdout.fnmatch_lines(["SKIPPED*aes_256_cbc_test.json: pynacl does not declare*"])
    assert result.ret == 0


def test_items_have_readable_ids_and_work_with_k(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "--e2ee-adapter", "pynacl", "--e2ee-family", "primitives", "--collect-only", "-q"
    )
    result.stdout.fnmatch_lines(
        [
            "e2ee-conformance::pynacl::primitives/aes_256_cbc_test.json::unsupported",
            "e2ee-conformance::pynacl::primitives/x25519_test.json::tcId1",
        ]
    )
    picked = pytester.runpytest(
        "--e2ee-adapter", "pynacl", "--e2ee-family", "primitives", "-k", "x25519_test and tcId1"
    )
    # tcId1 and tcId10..tcId19, tcId100.. of x25519_test.json: no other file, nothing else.
    ran = picked.parseoutcomes()
    assert ran["passed"] >= 1
    assert "skipped" not in ran


def test_broken_adapter_fails_each_check_with_its_reproduce_command(
    pytester: pytest.Pytester,
) -> None:
    manifest = FAULTS / "x25519_wrong_output" / "adapter.toml"
    result = pytester.runpytest("--e2ee-adapter", str(manifest), "--e2ee-tier", "smoke")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "FAIL mock-x25519-wrong-output  primitives/x25519_test.json tcId 1 [[]Ktv[]]",
            "  kat/primitives/x25519_test/*",
            "  x25519: expected *, got *",
            f"  reproduce: * repro kat/primitives/x25519_test/* --adapter {manifest}",
        ]
    )
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] >= 2  # in x25519_test.json and x25519_iterated_test.json
    assert outcomes["passed"] >= 1  # hmac


def test_unknown_adapter_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--e2ee-adapter", "nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown adapter 'nope'*"])


def test_plugin_is_inert_without_the_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1)


@pytest.mark.slow
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
    # The same outcomes as in one process; cryptography fails the smoke tier's non-canonical
    # Ed25519 key case (a real OpenSSL finding). (A subprocess: pytester's in-process runs drop
    # the modules each imported, and pyca/cryptography's classes do not survive a re-import.)
    alone = pytester.runpytest_subprocess(
        *("--e2ee-adapter", "pynacl", "--e2ee-adapter", "cryptography", "--e2ee-tier", "smoke"),
        *("-p", "no:xdist", "-q"),
    )
    assert result.parseoutcomes() == alone.parseoutcomes()
    assert result.parseoutcomes()["failed"] >= 1
    result.stdout.fnmatch_lines(["*FAIL cryptography  primitives/ed25519_test.json tcId 77*"])
