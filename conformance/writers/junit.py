"""``junit.xml``: one testcase per check result, read by GitLab, Jenkins and GitHub test-report
actions; checks an adapter cannot run are one testcase per adapter and vector file (or pair or
property check), as report.json summarises them.

Mapping: ``fail`` and ``unexpected-pass`` that block the gate are ``<failure>``, ``error`` is
``<error>``; ``unsupported``, ``expected-fail`` and results the ``--fail-on`` policy only warns
about are ``<skipped>`` with the reason, so the XML's failure count agrees with the gate. Stale or
expired expectation entries appear as failing testcases of their own suite: the gate fails on
them, so a CI test view must show them too.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ..attribution import fault_text
from ..report import unfinished_reason
from ..unsupported import normalised
from ..untrusted import visible

__all__ = ["render_junit"]


def _clean(text: str) -> str:
    """XML 1.0 cannot carry most control characters, lone surrogates or U+FFFE/U+FFFF, whatever
    the escaping, and an adapter's message may hold any of them: each is shown as an escape
    (``\\x1b``), so the file stays well-formed and a CI page shows what the adapter sent.
    ElementTree escapes the markup characters itself."""
    return visible(text)


def _first_line(text: str | None, limit: int = 300) -> str:
    line = (text or "").strip().splitlines()
    return _clean(line[0][:limit]) if line else ""


def _body(r: Mapping[str, Any]) -> str:
    lines = []
    if r.get("detail"):
        lines.append(str(r["detail"]))
    v = r.get("vector")
    if v:
        lines.append(f"vector: {v['file']} tcId {v['tcId']} ({v['id']})")
    if r.get("flags"):
        flags = ", ".join(r["flags"])
        lines.append(f"flags: {flags}; bugTypes: {', '.join(r.get('bugTypes', []))}")
    for s in r.get("spec", []):
        level = f" ({s['level']})" if s.get("level") else ""
        lines.append(f"spec: {s['document']} §{s['section']}{level}")
    blame = fault_text(r)
    if blame:
        lines.append(f"{blame}: {r['fault'].get('evidence', '')}")
    exp = r.get("expectation")
    if exp:
        lines.append(f"expectation #{exp['entry'] + 1}: {exp['reason']}")
    if r.get("reproduce"):
        lines.append(f"reproduce: {r['reproduce']}")
    return _clean("\n".join(lines))


def _unsupported(parent: ET.Element, e: Mapping[str, Any]) -> None:
    """One testcase for a summarised entry (conformance.unsupported): skipped, or a failure
    when ``--fail-on unsupported`` makes it block."""
    adapters = " -> ".join(e["adapters"])
    case = ET.SubElement(
        parent,
        "testcase",
        {
            "classname": _clean(f"{e['family']}.{e['capability']}.{adapters}"),
            "name": _clean(e["check"]),
        },
    )
    spans = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in e.get("tcIds", ()))
    cases = f" (tcIds {spans})" if spans else ""
    message = f"unsupported: {e['count']} check(s){cases}: {_first_line(e.get('detail'))}"
    tag = "failure" if e.get("gate") == "block" else "skipped"
    el = ET.SubElement(
        case, tag, {"message": message, **({"type": "unsupported"} if tag == "failure" else {})}
    )
    el.text = _clean(str(e.get("detail") or ""))


def _testcase(parent: ET.Element, r: Mapping[str, Any]) -> None:
    if "count" in r:
        _unsupported(parent, r)
        return
    adapters = " -> ".join(r["adapters"])
    attrs = {
        "classname": _clean(f"{r['family']}.{r['capability']}.{adapters}"),
        "name": _clean(r["check"]),
    }
    if isinstance(r.get("duration"), (int, float)):
        # What CI tools sort slow tests by.
        attrs["time"] = f"{r['duration']:.6f}"
    case = ET.SubElement(parent, "testcase", attrs)
    outcome, gate = r["outcome"], r.get("gate")
    if outcome == "pass":
        return
    if outcome == "error" and gate != "warn":
        el = ET.SubElement(
            case, "error", {"message": _first_line(r.get("detail")), "type": "error"}
        )
        el.text = _body(r)
    elif outcome in ("fail", "unexpected-pass") and gate == "block":
        message = _first_line(r.get("detail"))
        if outcome == "unexpected-pass":
            exp = r.get("expectation", {})
            message = f"unexpected pass: expectation #{exp.get('entry', 0) + 1} no longer needed"
        kind = ",".join(r.get("bugTypes", [])) or outcome
        el = ET.SubElement(case, "failure", {"message": message, "type": _clean(kind)})
        el.text = _body(r)
    else:
        if outcome == "expected-fail":
            why = "expected failure: " + _first_line(r.get("expectation", {}).get("reason"))
        elif gate == "warn":
            why = (
                f"warning ({outcome}, outside the --fail-on policy): {_first_line(r.get('detail'))}"
            )
        else:
            why = f"{outcome}: {_first_line(r.get('detail'))}"
        el = ET.SubElement(case, "skipped", {"message": why})
        el.text = _body(r)


def _suite(name: str, cases: list[Mapping[str, Any]], start_errors: list[str]) -> ET.Element:
    suite = ET.Element("testsuite", {"name": _clean(name)})
    for r in cases:
        _testcase(suite, r)
    if start_errors:
        # The results only point to the error; a CI test view shows the suite's stderr.
        err = ET.SubElement(suite, "system-err")
        err.text = _clean("\n\n".join(start_errors))
    _count(suite)
    return suite


def _start_errors(report: Mapping[str, Any]) -> dict[str, str]:
    """Adapter name -> why it could not start, as each of its suites shows it."""
    return {
        a["name"]: f"adapter {a['name']} could not start:\n{a.get('error') or ''}"
        for a in report["adapters"]
        if a["status"] != "ok"
    }


def _count(el: ET.Element) -> None:
    cases = el.findall("testcase")
    el.set("tests", str(len(cases)))
    timed = [float(c.get("time", "0")) for c in cases if c.get("time") is not None]
    if timed:
        el.set("time", f"{sum(timed):.6f}")
    el.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    el.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    el.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))


def render_junit(report: Mapping[str, Any]) -> str:
    root = ET.Element("testsuites", {"name": "e2ee-conformance"})
    suites: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    results, entries = normalised(report)
    for r in [*results, *entries]:
        suites[f"{' -> '.join(r['adapters'])} / {r['family']} / {r['capability']}"].append(r)
    failed = _start_errors(report)
    for name, cases in suites.items():
        named = dict.fromkeys(a for r in cases for a in r["adapters"])
        suite = _suite(name, cases, [failed[a] for a in named if a in failed])
        if not len(root):
            # Once, on the first suite: copied into each of some 350 suites it was half the file.
            suite.insert(0, _provenance(report))
        root.append(suite)
    unfinished = unfinished_reason(report)
    if unfinished is not None:
        # A partial run must not look green in a CI tool's test view.
        suite = ET.SubElement(root, "testsuite", {"name": "run"})
        case = ET.SubElement(suite, "testcase", {"classname": "run", "name": "run/finished"})
        ET.SubElement(case, "failure", {"message": _clean(unfinished), "type": "partial"})
        _count(suite)
    bad = [
        e
        for e in report.get("expectations", {}).get("entries", [])
        if e["status"] in ("stale", "expired")
    ]
    if bad:
        suite = ET.SubElement(root, "testsuite", {"name": "expectations"})
        allow = report["gate"]["policy"]["allowStale"]
        for e in bad:
            case = ET.SubElement(
                suite,
                "testcase",
                {"classname": "expectations", "name": _clean(f"#{e['index'] + 1} {e['check']}")},
            )
            what = f"expired on {e['expires']}" if e["status"] == "expired" else "stale"
            tag = "skipped" if allow else "failure"
            el = ET.SubElement(case, tag, {"message": f"expectation {what}"})
            el.text = _clean(f"{e['reason']}\nmatched {e['matched']} result(s)")
        _count(suite)
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for suite in root.findall("testsuite"):
        for k in totals:
            totals[k] += int(suite.get(k, "0"))
    for k, n in totals.items():
        root.set(k, str(n))
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _provenance(report: Mapping[str, Any]) -> ET.Element:
    props = ET.Element("properties")
    run, suite = report["run"], report["suite"]
    pairs = [
        ("suite.version", suite["version"]),
        ("suite.commit", suite.get("commit") or ""),
        ("suite.modified", "true" if suite.get("modified") is True else "false"),
        ("vectors.digest", suite["vectors"]["digest"]),
        ("run.tier", run.get("tier", "")),
        ("run.seed", str(run.get("seed", ""))),
        (
            "run.shard",
            "" if not run.get("shard") else f"{run['shard']['index']}/{run['shard']['count']}",
        ),
        ("run.startedAt", run["startedAt"]),
        ("verdict", report["verdict"]),
    ]
    pairs += [
        (f"adapter.{a['name']}", f"{a['implementation']} {a['version']}")
        for a in report["adapters"]
    ]
    for name, value in pairs:
        ET.SubElement(props, "property", {"name": _clean(name), "value": _clean(str(value))})
    return props
