"""``run --mls-vectors DIR``: the MLS working group's test-vector files (mlswg/mls-implementations
format), here as vectors/generators/mls_wg.py writes them from the suite's reference, read into
the suite's vector types and run; malformed and unread files are listed, never fatal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import adapter_from, real

from conformance.engine import Task, run_task
from conformance.errors import ConfigurationError
from conformance.mlsvectors import FAMILY, load_mls_vectors
from conformance.results import CheckResult
from conformance.selection import check_prefix
from vectors.generators import mls_wg


@pytest.fixture(scope="module")
def wg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wg")
    mls_wg.generate(out)
    return out


def test_every_category_read_becomes_its_vector_types(wg: Path) -> None:
    found = load_mls_vectors(wg)
    assert found.skipped == []
    names = sorted(vf.name for vf in found.files)
    assert f"{FAMILY}/tree-math/MlsTreeMath.json" in names
    assert f"{FAMILY}/crypto-basics/MlsSignWithLabel.json" in names
    assert len(names) == 12
    # One group per cipher suite, every suite of RFC 9420 §17.1.
    ks = next(vf for vf in found.files if vf.name.endswith("MlsKeySchedule.json"))
    assert sorted(g.params["cipherSuite"] for g in ks.groups) == [1, 2, 3, 4, 5, 6, 7]
    # The check id names the official file and the entry's index (and the epoch).
    entries = json.loads((wg / "key-schedule.json").read_text())
    first = ks.groups[0].cases[0]
    assert check_prefix(ks) + first.id == "kat/mls-vectors/key-schedule/MlsKeySchedule/0.0"
    assert first.bytes("initSecret") == bytes.fromhex(entries[0]["initial_init_secret"])
    second = ks.groups[0].cases[1]
    assert second.bytes("initSecret") == bytes.fromhex(entries[0]["epochs"][0]["init_secret"])


def test_the_reference_passes_them_and_a_wrong_exporter_fails(wg: Path) -> None:
    found = load_mls_vectors(wg)
    ks = next(vf for vf in found.files if vf.name.endswith("MlsKeySchedule.json"))
    healthy = adapter_from("ref", {"mls-key-schedule": real("mls-key-schedule", "reference")})

    class MockExporterIgnoresContext:
        """MLS-Exporter without hashing the context (rfc9420 1.3.0's way; RFC 9420 §8.5)."""

        def __init__(self, inner: object) -> None:
            self._inner = inner

        def __getattr__(self, name: str) -> object:
            return getattr(self._inner, name)

        def mls_export(
            self, cipher_suite: int, secret: bytes, label: bytes, context: bytes, length: int
        ) -> bytes:
            return bytes(self._inner.mls_export(cipher_suite, secret, label, b"", length))  # type: ignore[attr-defined]

    broken = adapter_from(
        "broken",
        {"mls-key-schedule": MockExporterIgnoresContext(real("mls-key-schedule", "reference"))},
    )
    for adapter, want in ((healthy, {"pass"}), (broken, {"fail"})):
        out: list[CheckResult] = []
        run_task(Task(ks, adapter, None), out.append)
        assert {r.outcome for r in out} == want, [r.detail for r in out][:2]


def test_unread_and_malformed_files_are_listed_with_why(wg: Path, tmp_path: Path) -> None:
    for name in ("tree-math.json", "psk_secret.json"):
        (tmp_path / name).write_bytes((wg / name).read_bytes())
    (tmp_path / "deserialization.json").write_text("[]")
    (tmp_path / "notes.json").write_text("{}")
    entries = json.loads((wg / "key-schedule.json").read_text())
    del entries[1]["epochs"][0]["commit_secret"]
    (tmp_path / "key-schedule.json").write_text(json.dumps(entries))
    found = load_mls_vectors(tmp_path)
    skipped = dict(found.skipped)
    assert skipped["deserialization.json"] == "not a category this suite reads"
    assert skipped["notes.json"] == "not a category this suite reads"
    assert "key-schedule.json[1].epochs[0]: no 'commit_secret'" in skipped["key-schedule.json"]
    assert {vf.name.split("/")[1] for vf in found.files} == {"tree-math", "psk_secret"}


def test_a_folder_without_json_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"no \.json files"):
        load_mls_vectors(tmp_path)
