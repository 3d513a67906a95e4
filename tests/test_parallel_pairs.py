"""Pair scenarios and properties under ``--jobs`` and ``--shard``.

With ``--jobs 2`` pairs run in worker processes, which load their own adapters from the
manifests: every record (and so attribution, which works on the whole grid in report order) must
be the one ``--jobs 1`` gives. Shards split pair checks by check id, like vector cases.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from conformance.adapter import LoadedAdapter
from conformance.interop import PairTask, plan_pairs
from conformance.parallel import pair_parallel_ok
from conformance.registry import load_adapters, resolve
from conformance.runner import RunOptions, execute
from conformance.selection import Selection, Shard

ADAPTERS = ("reference", "python-olm", "vodozemac")
CASES = ("pair/olm/*", "prop/megolm/*")


def _records(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (r["check"], tuple(r["adapters"]), r["outcome"], r.get("detail"), r.get("fault"), r["seed"])
        for r in report["results"]
    ]


def _run(tmp_path: Path, jobs: int) -> dict[str, Any]:
    _, report = execute(
        RunOptions(
            adapters=ADAPTERS,
            cases=CASES,
            out=tmp_path / f"jobs{jobs}",
            jobs=jobs,
            seed=1234,
            formats=("json",),
        ),
        stdout=io.StringIO(),
    )
    return report


@pytest.mark.slow
def test_pairs_and_properties_on_two_workers_give_the_records_of_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = _run(tmp_path, 1)
    capsys.readouterr()
    two = _run(tmp_path, 2)
    progress = capsys.readouterr().err
    records = _records(one)
    assert records == _records(two)
    checks = {r[0] for r in records}
    assert any(c.startswith("pair/olm/") for c in checks)
    assert any(c.startswith("prop/megolm/") for c in checks)
    assert all(c.startswith(("pair/", "prop/")) for c in checks)
    # Real conversations ran (not only errors), in the workers for --jobs 2.
    assert sum(r[2] == "pass" for r in records) > len(records) // 2
    assert two["run"]["jobs"] == 2
    # The progress display shows each pair as it finishes (one line each off a terminal).
    assert one["unsupported"] == two["unsupported"]
    assert progress.count("→") == len(records) + sum(e["count"] for e in two["unsupported"])


def test_shards_partition_the_pair_and_property_checks() -> None:
    adapters = load_adapters(list(ADAPTERS))
    try:

        def ids(selection: Selection) -> list[tuple[str, str, str]]:
            return [
                (p.scenario.check, p.first.name, p.second.name)
                for p in plan_pairs(adapters, ["olm", "megolm"], selection)
            ]

        everything = ids(Selection())
        slices = [ids(Selection(shard=Shard(k, 3))) for k in (1, 2, 3)]
        assert sorted(x for s in slices for x in s) == sorted(everything)
        assert sum(len(s) for s in slices) == len(everything)
        assert all(slices)
        # A check's whole grid is in one slice: attribution settles a check across its pairs.
        owner = {check: k for k, s in enumerate(slices) for check, _, _ in s}
        for k, s in enumerate(slices):
            assert all(owner[check] == k for check, _, _ in s)
    finally:
        for a in adapters:
            a.close()


def test_a_pair_with_an_adapter_that_could_not_start_stays_in_the_main_process() -> None:
    (manifest,) = resolve(["reference"])
    dead = LoadedAdapter(manifest, None, "could not start: test")
    (alive,) = load_adapters(["reference"])
    try:
        (pair, *_) = plan_pairs([alive], ["olm"])
        assert pair_parallel_ok(pair)
        assert not pair_parallel_ok(PairTask(pair.scenario, alive, dead))
        assert not pair_parallel_ok(PairTask(pair.scenario, dead, alive))
    finally:
        alive.close()


_CRASHING = """
import multiprocessing
import os

from conformance.adapter import Adapter


class _Megolm:
    def __getattr__(self, name):
        def call(*args, **kwargs):
            if multiprocessing.parent_process() is not None:
                os._exit(1)  # a native crash, in a worker only
            raise RuntimeError("would have crashed the worker")

        return call


class Crashing(Adapter):
    def version(self):
        return "0-mock"

    def capabilities(self):
        return {"megolm": _Megolm()}
"""


def test_a_worker_crashing_in_a_pair_gives_error_results_and_the_run_completes(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "crashing"
    folder.mkdir()
    (folder / "adapter.py").write_text(_CRASHING, encoding="utf-8")
    (folder / "adapter.toml").write_text(
        'name = "mock-crashing"\nimplementation = "mock: megolm ending its process"\n'
        'capabilities = ["megolm"]\n\n[transport]\nkind = "python"\n'
        'entry = "adapter.py:Crashing"\n',
        encoding="utf-8",
    )
    _, report = execute(
        RunOptions(
            adapters=("reference", str(folder / "adapter.toml")),
            cases=("pair/megolm/share-and-decrypt",),
            out=tmp_path / "out",
            jobs=2,
            seed=1,
            formats=("json",),
            progress=False,
        ),
        stdout=io.StringIO(),
    )
    results = report["results"]
    assert [tuple(r["adapters"]) for r in results] == [
        (a, b) for a in ("reference", "mock-crashing") for b in ("reference", "mock-crashing")
    ]
    for r in results:
        if "mock-crashing" in r["adapters"]:
            assert r["outcome"] == "error"
            assert "worker process died" in r["detail"]
    assert "interrupted" not in report["run"]
    assert "incomplete" not in report["run"]


def test_the_smoke_tier_plays_every_adapter_in_both_roles_in_2n_pairs() -> None:
    from helpers import adapter_from

    from conformance.interop import smoke_pairs

    def names(n: int) -> set[tuple[str, str]]:
        ads = [adapter_from(f"a{i}", {}) for i in reversed(range(n))]
        return {(a.name, b.name) for a, b in smoke_pairs(ads)}

    assert names(1) == {("a0", "a0")}
    assert names(2) == {("a0", "a0"), ("a1", "a1"), ("a0", "a1"), ("a1", "a0")}
    four = names(4)
    assert len(four) == 8
    assert (
        {a for a, b in four if a != b}
        == {b for a, b in four if a != b}
        == {
            "a0",
            "a1",
            "a2",
            "a3",
        }
    )
    assert ("a3", "a0") in four
    assert ("a0", "a3") not in four
