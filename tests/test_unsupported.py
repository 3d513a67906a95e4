"""Unsupported checks summarised: one entry per adapter and vector file (or pair or property
check), every count kept, the gate and merge working on entries, and reports from before the
summary (one record per unsupported check) still rendered and merged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import load_report, timeless, timeless_summary

from conformance import loader
from conformance.cli import main
from conformance.report import load_report as load_saved
from conformance.report import summarize
from conformance.resources import vectors_dir
from conformance.selection import check_prefix
from conformance.unsupported import normalised
from conformance.writers import render

RUN = ["--family", "primitives", "--family", "megolm", "--tier", "smoke", "--no-progress"]
RUN += ["--adapter", "pynacl", "--adapter", "reference", "--seed", "3"]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("unsupported") / "out"
    main(["run", *RUN, "--out", str(out)])
    return out, load_report(out)


def _as_records(report: dict[str, Any]) -> dict[str, Any]:
    """The report as a suite before the summary wrote it: one record per unsupported check."""
    old = json.loads(json.dumps(report))
    records = []
    for e in old.pop("unsupported"):
        if e["file"]:
            vf = loader.load(vectors_dir() / e["file"])
            wanted = {n for a, b in e["tcIds"] for n in range(a, b + 1)}
            for _, case in vf.cases():
                if case.tc_id in wanted:
                    vector = {"file": e["file"], "tcId": case.tc_id, "id": case.id}
                    records.append(_record(e, check_prefix(vf) + case.id, vector))
        else:
            records.append(_record(e, e["check"], None))
    old["results"] += records
    return old


def _record(e: dict[str, Any], check: str, vector: dict[str, Any] | None) -> dict[str, Any]:
    r = {
        "check": check,
        "family": e["family"],
        "capability": e["capability"],
        "adapters": e["adapters"],
        "outcome": "unsupported",
        "detail": e["detail"],
    }
    if vector:
        r["vector"] = vector
    return r


def test_entries_stand_for_every_unsupported_check(run: tuple[Path, dict[str, Any]]) -> None:
    out, report = run
    assert not [r for r in report["results"] if r["outcome"] == "unsupported"]
    entries = report["unsupported"]
    assert entries
    by = {(tuple(e["adapters"]), e["check"]): e for e in entries}
    # pynacl declares no megolm: one entry per megolm file, every case counted.
    pynacl = [e for (a, _), e in by.items() if a == ("pynacl",) and e["family"] == "megolm"]
    assert pynacl
    for e in pynacl:
        assert e["count"] == sum(b - a + 1 for a, b in e["tcIds"])
        assert e["detail"] == "pynacl does not declare megolm"
    total = len(report["results"]) + sum(e["count"] for e in entries)
    assert report["summary"]["total"] == total
    assert report["summary"]["outcomes"]["unsupported"] == sum(e["count"] for e in entries)
    # The stream and junit.xml agree with the report.
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert [x for x in lines if "count" in x] == entries
    assert timeless([x for x in lines if "count" not in x]) == timeless(report["results"])
    junit = (out / "junit.xml").read_text()
    assert junit.count("unsupported: ") == len(entries)


def test_a_report_written_before_the_summary_renders_and_counts_the_same(
    run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    _, report = run
    old = _as_records(report)
    results, entries = normalised(old)
    assert entries == report["unsupported"]
    assert results == report["results"]
    assert summarize(results, entries) == summarize(report["results"], report["unsupported"])
    for fmt in ("junit", "md", "html", "badge"):
        assert render(old, fmt) == render(report, fmt), fmt
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    load_saved(path)  # still valid against the schema


def test_shards_merge_entries_and_old_slices_merge_too(tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    main(["run", *RUN, "--out", str(whole)])
    for k in (1, 2):
        main(["run", *RUN, "--shard", f"{k}/2", "--out", str(tmp_path / f"s{k}")])
    # Slice 2 as an older suite wrote it.
    s2 = load_report(tmp_path / "s2")
    (tmp_path / "s2" / "report.json").write_text(json.dumps(_as_records(s2)))
    merged = tmp_path / "merged"
    args = ["merge", str(tmp_path / "s1/report.json"), str(tmp_path / "s2/report.json")]
    main([*args, "--out", str(merged)])
    one, both = load_report(whole), load_report(merged)
    assert both["unsupported"] == one["unsupported"]
    assert timeless_summary(both["summary"]) == timeless_summary(one["summary"])
    # A slice given twice over is refused, also through its unsupported entries alone.
    assert (
        main(["merge", str(tmp_path / "s1/report.json")] * 2 + ["--out", str(tmp_path / "m")]) == 2
    )


def test_fail_on_unsupported_blocks_with_each_entry_s_count(tmp_path: Path) -> None:
    out = tmp_path / "o"
    code = main(["run", *RUN, "--fail-on", "unsupported", "--out", str(out)])
    report = load_report(out)
    assert code == 1
    n = sum(e["count"] for e in report["unsupported"])
    assert f"{n} unsupported result(s) block the gate" in report["gate"]["reasons"]
    assert all(e["gate"] == "block" for e in report["unsupported"])
    assert report["gate"]["blocking"] >= n
    junit = (out / "junit.xml").read_text()
    assert junit.count('type="unsupported"') == len(report["unsupported"])
    page = (out / "index.html").read_text()
    blocking = page[
        page.index('<section id="blocking">') : page.index(
            "</section>", page.index('<section id="blocking">')
        )
    ]
    assert "required by <code>--fail-on unsupported</code>" in blocking
    assert f"{n} unsupported" in blocking


def test_an_expectation_on_a_check_that_was_only_unsupported_is_stale_not_unrun(
    run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """An entry naming a check the run did reach (as unsupported) matched nothing: stale, as
    when every unsupported check had its own record; not "not-run", which is for checks the
    run did not select."""
    _, report = run
    # No adapter of the run declares AES-CBC: its checks ran as unsupported only.
    entry = next(
        e for e in report["unsupported"] if e["file"] == "primitives/aes_256_cbc_test.json"
    )
    vf = loader.load(vectors_dir() / entry["file"])
    first = entry["tcIds"][0][0]
    check = next(check_prefix(vf) + c.id for _, c in vf.cases() if c.tc_id == first)
    expect = tmp_path / "expect.toml"
    expect.write_text(f'[[expect]]\ncheck = "{check}"\nadapter = "pynacl"\nreason = "r"\n')
    out = tmp_path / "o"
    assert main(["run", *RUN, "--expect", str(expect), "--out", str(out)]) == 1
    (status,) = [e["status"] for e in load_report(out)["expectations"]["entries"]]
    assert status == "stale"
