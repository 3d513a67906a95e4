"""The HTML report: self-contained, escapes everything from the report, and works in a browser.

The pure-Python tests always run. The browser test drives Debian's /usr/bin/chromium through the
``playwright`` package (no browser download); it skips when either is missing, except under
``CI=true``, where a missing browser is a failure rather than a silent skip.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from browser import visit

from conformance.report import summarize
from conformance.writers.html import render_html

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_VERSION = '"><img src=x onerror=alert(2)>'
HOSTILE_DETAIL = "expected 4a5d, got 0000</pre><script>alert(3)</script>"
HOSTILE_INPUT = "</td></table><script>alert(4)</script>"
HOSTILE_CHECK = "kat/primitives/ed25519_test/<svg onload=alert(6)>"
OUTCOMES = ("pass", "fail", "error", "unsupported", "expected-fail", "unexpected-pass")
LISTED = ("fail", "error", "unexpected-pass", "expected-fail")


def _result(
    check: str, capability: str, adapters: list[str], outcome: str, **extra: Any
) -> dict[str, Any]:
    family = extra.pop("family", "primitives")
    out: dict[str, Any] = {
        "check": check,
        "family": family,
        "capability": capability,
        "adapters": adapters,
        "outcome": outcome,
    }
    if outcome != "pass":
        out["detail"] = extra.pop("detail", f"{outcome} in {check}")
        out["reproduce"] = f"e2ee-conformance repro {check} --adapter {adapters[0]}"
    out.update(extra)
    return out


def _results() -> list[dict[str, Any]]:
    crypto, nacl = "cryptography", "pynacl"
    results = [
        _result(f"kat/primitives/x25519_test/case-{i}", "x25519", [a], "pass")
        for i in range(3)
        for a in (crypto, nacl, HOSTILE_NAME)
    ]
    results += [
        _result(
            "kat/primitives/x25519_test/low-order-7",
            "x25519",
            [HOSTILE_NAME],
            "fail",
            detail=HOSTILE_DETAIL,
            vector={"file": "primitives/x25519_test.json", "tcId": 7, "id": "low-order-7"},
            expected="invalid",
            flags=["LowOrderPublic"],
            bugTypes=["EDGE_CASE"],
            spec=[{"document": "RFC 7748", "section": "6.1", "level": "MUST"}],
            level="MUST",
            comment="public key of low order",
            inputs={"<private>": "77076d0a7318a57d", "public": HOSTILE_INPUT, "iterations": 1000},
            seed=99,
            gate="block",
        ),
        _result(
            HOSTILE_CHECK,
            "ed25519",
            [nacl],
            "error",
            detail="Traceback (most recent call last):\n  ValueError: boom",
            gate="block",
        ),
        _result(
            "kat/primitives/aes_gcm_test/short-tag-3",
            "aes-gcm",
            [crypto],
            "expected-fail",
            observed="fail",
            expectation={"entry": 0, "reason": "known bug", "link": "javascript:alert(5)"},
        ),
        _result(
            "kat/primitives/aes_gcm_test/iv-zero-4",
            "aes-gcm",
            [nacl],
            "unexpected-pass",
            observed="pass",
            gate="warn",
            expectation={"entry": 1, "reason": "was broken", "link": "https://example.invalid/1"},
        ),
        _result(
            "kat/primitives/x25519_test/zero-shared-1",
            "x25519",
            [crypto],
            "pass",
            expected="acceptable",
            flags=["ZeroSharedSecret"],
            behaviour="accepted",
        ),
        _result(
            "kat/primitives/x25519_test/zero-shared-1",
            "x25519",
            [nacl],
            "pass",
            expected="acceptable",
            flags=["ZeroSharedSecret"],
            behaviour="rejected",
        ),
    ]
    results += [
        _result(
            f"kat/primitives/aes_gcm_test/unsupported-{i}",
            "aes-gcm",
            [HOSTILE_NAME],
            "unsupported",
            detail="capability not declared",
            vector={"file": "primitives/aes_gcm_test.json", "tcId": 10 + i, "id": f"u{i}"},
        )
        for i in (0, 1, 2, 5)
    ]
    results += [
        _result("pair/olm/session-1", "olm-session", [crypto, nacl], "pass", family="olm"),
        _result(
            "pair/olm/session-1", "olm-session", [nacl, crypto], "fail", family="olm", gate="block"
        ),
        _result("pair/olm/session-1", "olm-session", [nacl, HOSTILE_NAME], "pass", family="olm"),
    ]
    return results


def _adapter(name: str, version: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "implementation": f"impl of {name}",
        "version": version,
        "capabilities": ["x25519", "aes-gcm", "olm-session"],
        "manifest": f"/adapters/{name}/adapter.toml",
        "manifestSha256": "ab" * 32,
        "status": "ok",
        **extra,
    }


def make_report(results: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A small but complete reportVersion 1.1 report with hostile adapter data."""
    results = _results() if results is None else results
    return {
        "reportVersion": "1.1",
        "suite": {
            "name": "e2ee-conformance",
            "version": "0.1.0",
            "commit": "0123456789abcdef0123456789abcdef01234567",
            "vectors": {
                "digest": "sha256:" + "cd" * 32,
                "files": [
                    {"file": "primitives/x25519_test.json", "sha256": "ef" * 32, "numberOfTests": 9}
                ],
            },
        },
        "run": {
            "command": ["e2ee-conformance", "run", "--adapter", "all"],
            "families": ["primitives", "olm"],
            "startedAt": "2026-11-22T10:00:00+00:00",
            "finishedAt": "2026-11-22T10:01:00+00:00",
            "python": "3.11.7",
            "implementation": "cpython",
            "platform": "Linux-6.1-x86_64",
            "seed": 12345,
            "tier": "full",
            "shard": {"index": 1, "count": 2},
            "jobs": 1,
            "cases": [],
        },
        "adapters": [
            _adapter("cryptography", "50.0.2"),
            _adapter("pynacl", "1.6.2", notes={"aes-gcm": "libsodium only has AES-GCM on x86"}),
            _adapter(
                HOSTILE_NAME,
                HOSTILE_VERSION,
                status="error",
                error="Traceback:\n  <b>bold</b> & </pre><script>alert(7)</script>",
                notes={"aes-gcm": "<i>not</i> implemented"},
            ),
        ],
        "results": results,
        "summary": summarize(results),
        "gate": {
            "verdict": "fail",
            "policy": {"failOn": ["all"], "allowStale": False},
            "blocking": 3,
            "warnings": 1,
            "reasons": ["3 blocking results", "expectation #2 is stale: <b>never matched</b>"],
        },
        "expectations": {
            "file": "expect.toml",
            "sha256": "12" * 32,
            "entries": [
                {
                    "index": 0,
                    "check": "kat/primitives/aes_gcm_test/*",
                    "reason": "known bug",
                    "link": "javascript:alert(5)",
                    "adapter": "cryptography",
                    "versions": ">=40",
                    "expires": "2027-01-31",
                    "matched": 1,
                    "status": "ok",
                },
                {
                    "index": 2,
                    "check": "kat/none/*",
                    "reason": "gone",
                    "matched": 0,
                    "status": "stale",
                },
            ],
        },
        "verdict": "fail",
    }


def _listed(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in report["results"] if r["outcome"] in LISTED]


def _capabilities(report: dict[str, Any]) -> set[str]:
    return {c for caps in report["summary"]["byAdapter"].values() for c in caps}


# --- pure Python -----------------------------------------------------------------------------


def test_no_external_assets() -> None:
    out = render_html(make_report())
    lower = out.lower()
    for needle in ("<link", 'src="http', "src='http", "@import", "url(http", "url(//", "<iframe"):
        assert needle not in lower, needle
    assert "<!doctype html>" in lower
    assert "content-security-policy" in lower


def test_hostile_strings_only_escaped() -> None:
    out = render_html(make_report())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert html.escape(HOSTILE_VERSION, quote=True) in out
    assert html.escape(HOSTILE_DETAIL, quote=True) in out
    assert html.escape(HOSTILE_INPUT, quote=True) in out
    for raw in ("<script>alert(", "<img", "<svg", "<b>bold", "<i>not", "<b>never"):
        assert raw not in out, raw
    # The template's own single inline script is the only one.
    assert out.lower().count("<script") == 1
    assert out.lower().count("</script") == 1
    # A javascript: link stays text; only http(s) links become anchors.
    assert 'href="javascript:' not in out.lower()
    assert 'href="https://example.invalid/1"' in out


def test_matrix_pairs_and_acceptable_present() -> None:
    report = make_report()
    out = render_html(report)
    assert '<table id="matrix"' in out
    matrix = out[out.index('<table id="matrix"') :]
    matrix = matrix[: matrix.index("</table>")]
    body = matrix[matrix.index("<tbody>") : matrix.index("</tbody>")]
    assert body.count("<tr") == len(_capabilities(report))
    assert 'id="pairs-olm"' in out
    assert 'id="acceptable"' in out
    assert "ZeroSharedSecret" in out
    assert "accepts" in out
    assert "rejects" in out


def test_every_listed_result_present_and_unsupported_summarised() -> None:
    report = make_report()
    out = render_html(report)
    for r in _listed(report):
        assert html.escape(r["check"], quote=True) in out, r["check"]
        assert html.escape(r["reproduce"], quote=True) in out
    assert out.count('<details class="result') == len(_listed(report))
    for r in report["results"]:
        if r["outcome"] == "unsupported":
            assert r["check"] not in out
    # Summarised by adapter, capability and vector file, with the test cases as ranges.
    assert "4 unsupported results" in out
    assert "kat/primitives/aes_gcm_test/*" in out
    assert "10 to 12, 15" in out


def test_cells_coloured_by_outcome() -> None:
    out = render_html(make_report())
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<tr data-capability="([^"]*)">(.*?)</tr>', out, re.S)
    }
    assert "c-fail" in rows["x25519"]  # the hostile adapter fails one x25519 case
    assert "c-pass" in rows["x25519"]
    # aes-gcm: cryptography has only an expected-fail (amber), the hostile adapter only
    # unsupported results (grey), pynacl an unexpected pass (red).
    assert re.findall(r'class="cell (c-\w+)"', rows["aes-gcm"]) == ["c-warn", "c-fail", "c-unsup"]


def test_empty_report_renders() -> None:
    report = make_report(results=[])
    out = render_html(report)
    assert "no pair checks in this run" in out
    assert '<details class="result' not in out
    assert out.lower().count("<script") == 1
    # Even a report missing every optional (and required) field renders something.
    assert "UNKNOWN" in render_html({})


# --- in a real browser -----------------------------------------------------------------------


@pytest.mark.slow
def test_in_chromium(tmp_path: Path) -> None:
    report = make_report()
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report), encoding="utf-8")
    with visit(page_file) as v:
        page = v.page
        assert page.locator("#matrix tbody tr").count() == len(_capabilities(report))
        text = page.locator("body").text_content() or ""
        assert HOSTILE_NAME in text
        assert HOSTILE_VERSION in text
        assert HOSTILE_DETAIL in text

        failures = page.locator("#failures details.result")
        assert failures.count() == len(_listed(report))
        assert _visible(failures) == len(_listed(report))

        page.fill("#filter", "short-tag")
        assert _visible(failures) == 1
        assert "short-tag-3" in (failures.locator("visible=true").text_content() or "")
        assert _visible(page.locator("#matrix tbody tr")) == 1  # aes-gcm only

        page.fill("#filter", "no such check anywhere")
        assert _visible(failures) == 0

        page.fill("#filter", "")
        assert _visible(failures) == len(_listed(report))
        assert _visible(page.locator("#matrix tbody tr")) == len(_capabilities(report))

    assert v.problems == []
    assert v.dialogs == []
    assert [u for u in v.requests if not u.startswith("file://")] == []


def _visible(locator: Any) -> int:
    return int(locator.locator("visible=true").count())


# --- a wide report: 18 adapters, many failures, grids, unsupported entries, durations ----------

WIDE = [f"implementation-{i:02d}-{'x' * (i % 4)}" for i in range(18)]
#: Bytes the expected and got values of the wide report's wrong outputs share before differing.
SHARED = 31


def _wrong_output(i: int) -> str:
    expected = "00" * SHARED + "aa" + f"{i:02x}" * 32
    got = "00" * SHARED + "bb" + f"{i:02x}" * 32
    return f"hpke_export: expected {expected}, got {got}"


def make_wide_report() -> dict[str, Any]:
    """A report of the new shape (a top-level ``unsupported`` summary, no unsupported results,
    durations): wide enough that every grid must scroll in its box, with enough failures that
    only the grouping keeps the first one on the first screen."""
    results: list[dict[str, Any]] = []
    caps = ("x25519", "ed25519", "aes-gcm", "hkdf", "hpke")
    for n, a in enumerate(WIDE):
        for cap in caps:
            results += [
                _result(f"kat/primitives/{cap}_test/case-{i}", cap, [a], "pass", duration=0.01)
                for i in range(2)
            ]
        for i in range(3 + n % 3):
            results.append(
                _result(
                    f"kat/hpke/hpke_export_test/case-{n}-{i}",
                    "hpke",
                    [a],
                    "fail",
                    family="hpke",
                    detail=_wrong_output(i),
                    vector={"file": "hpke/hpke_export_test.json", "tcId": 10 + i, "id": f"{n}-{i}"},
                    expected="valid",
                    flags=["TwoByteLength"] if i % 2 else ["MaxLength"],
                    spec=[{"document": "RFC 9180", "section": "5.3", "level": "MUST"}],
                    inputs={"exporterContext": "439cd928be", "length": 64},
                    gate="block",
                    duration=0.02,
                )
            )
    for s in WIDE:
        for r in WIDE:
            if s == r:
                continue
            failed = r == WIDE[5]
            extra: dict[str, Any] = {"family": "olm", "seed": 7, "duration": 0.3}
            if failed:
                extra |= {
                    "gate": "block",
                    "fault": {
                        "party": "receiver",
                        "adapters": [r],
                        "evidence": f"{r} fails on what every other sender sends",
                        "sender": s,
                        "receiver": r,
                    },
                }
            results.append(
                _result("pair/olm/session", "olm", [s, r], "fail" if failed else "pass", **extra)
            )
            results.append(
                _result("prop/olm/replay", "olm", [s, r], "pass", **extra | {"gate": None})
            )
    unsupported = [
        {
            "adapters": [a],
            "family": "primitives",
            "capability": "aes-cbc",
            "file": "primitives/aes_cbc_test.json",
            "check": "kat/primitives/aes_cbc_test/*",
            "count": 58,
            "tcIds": [[1, 40], [42, 59]],
            "detail": f"{a} does not declare aes-cbc",
        }
        for a in WIDE[3:]
    ]
    unsupported.append(
        {
            "adapters": [WIDE[0], WIDE[1]],
            "family": "megolm",
            "capability": "megolm",
            "file": None,
            "check": "pair/megolm/session",
            "count": 1,
            "detail": "megolm not declared",
        }
    )
    counted = results + [
        _result(u["check"], u["capability"], u["adapters"], "unsupported", family=u["family"])
        for u in unsupported
        for _ in range(u["count"])
    ]
    summary = summarize(counted)
    summary["durations"] = {
        "total": 612.5,
        "byAdapter": {a: 30.0 + i for i, a in enumerate(WIDE)},
        "slowest": [
            {
                "check": "pair/olm/session",
                "adapters": [WIDE[0], WIDE[i]],
                "outcome": "pass",
                "duration": 9.5 - i,
            }
            for i in range(1, 11)
        ],
    }
    report = make_report(results)
    blocking = sum(1 for r in results if r.get("gate") == "block")
    report["adapters"] = [
        _adapter(
            a,
            f"{i}.0.0 (with a rather long build string {i})",
            manifest=f"/very/long/path/to/the/adapters/folder/{a}/manifest/adapter.toml",
        )
        for i, a in enumerate(WIDE)
    ]
    report["summary"] = summary
    report["unsupported"] = unsupported
    report["gate"] |= {
        "blocking": blocking,
        "warnings": 0,
        "reasons": [f"{blocking} fail result(s) block the gate"],
    }
    report.pop("expectations")
    return report


def _section(out: str, ident: str) -> str:
    start = out.index(f'id="{ident}"')
    return out[start : out.index("</section>", start)]


def test_failures_first_then_matrices_then_details() -> None:
    out = render_html(make_wide_report())
    order = [
        "verdict",
        "blocking",
        "matrix-section",
        "pairs",
        "properties",
        "durations",
        "unsupported",
        "provenance",
        "adapters",
    ]
    at = [out.index(f'id="{i}"') for i in order]
    assert at == sorted(at), order
    # Provenance and adapter details start collapsed; the page does not open them.
    for ident in ("provenance", "adapters", "unsupported"):
        assert "<details open" not in _section(out, ident)


def test_blocking_grouped_by_party_charged_then_file_and_flag() -> None:
    out = _section(render_html(make_wide_report()), "blocking")
    groups = re.findall(r'<details class="group impl"[^>]*><summary><b>([^<]*)</b>', out)
    # The receiver every sender fails with is charged alone, and has most failures (17).
    assert groups[0] == html.escape(WIDE[5])
    assert sorted(groups) == sorted(html.escape(a) for a in WIDE)
    assert "flag <b>TwoByteLength</b>" in out
    # Each vector file or check heads its own group (not a flag's markup shown as text).
    assert "<summary><code>hpke/hpke_export_test.json</code>" in out
    assert "&lt;p class=" not in out


def test_wrong_output_folded_to_its_first_difference() -> None:
    out = render_html(make_wide_report())
    assert f"… {SHARED - 4} equal bytes …" in out
    assert '<mark class="diff">aa</mark>' in out
    assert '<mark class="diff">bb</mark>' in out
    assert f"first difference at byte {SHARED}" in out
    # The full detail stays on the page.
    assert html.escape(_wrong_output(0)) in out


def test_disagreements_coloured_by_correctness() -> None:
    # Adapters not in the report's list are shown in name order.
    a, b, c = "a-good", "b-wrong-output", "c-refuses"
    case = {"vector": {"file": "hpke/x.json", "tcId": 1, "id": "v"}, "expected": "valid"}
    bad = {"vector": {"file": "hpke/x.json", "tcId": 2, "id": "i"}, "expected": "invalid"}
    results = [
        _result("kat/hpke/x/v", "hpke", [a], "pass", **case),
        _result("kat/hpke/x/v", "hpke", [b], "fail", detail=_wrong_output(1), **case),
        _result("kat/hpke/x/v", "hpke", [c], "fail", detail="refused: InvalidKey", **case),
        _result("kat/hpke/x/i", "hpke", [a], "pass", **bad),
        _result("kat/hpke/x/i", "hpke", [b], "fail", detail="accepted an invalid input", **bad),
    ] + [
        _result("kat/hpke/x/e", "hpke", [who], "pass", expected="acceptable", behaviour=did)
        for who, did in ((a, "accepted"), (c, "rejected"))
    ]
    out = _section(render_html(make_report(results)), "disagreements-section")
    rows = re.findall(r"<tr>(.*?)</tr>", out.split("<tbody>", 1)[1], re.S)
    cells = [re.findall(r'<td class="([\w-]+)">([^<]*)</td>', row) for row in rows]
    assert cells[0] == [
        ("c-right", "accepted ✓"),
        ("c-wrong", "wrong output ✗"),
        ("c-wrong", "rejected (wrongly) ✗"),
    ]
    assert cells[1] == [
        ("c-right", "rejected ✓"),
        ("c-wrong", "accepted (wrongly) ✗"),
        ("c-none", "—"),
    ]
    assert cells[2] == [
        ("c-either", "accepted · either is fine"),
        ("c-none", "—"),
        ("c-either", "rejected · either is fine"),
    ]


def test_unsupported_summary_of_the_new_shape() -> None:
    report = make_wide_report()
    out = _section(render_html(report), "unsupported")
    assert f"{report['summary']['outcomes']['unsupported']} unsupported results" in out
    assert out.count('class="group unsup-adapter"') == len(WIDE) - 3 + 2
    assert "primitives/aes_cbc_test.json" in out
    assert "1 to 40, 42 to 59" in out
    assert f"with {html.escape(WIDE[1])}" in out  # a pair entry names the partner


def test_durations_only_when_present() -> None:
    out = render_html(make_wide_report())
    assert "10 min 12 s in all." in out
    assert _section(out, "durations").count("<tr>") == 1 + len(WIDE) + 1 + 10
    assert 'id="durations"' not in render_html(make_report())


def test_rendering_is_deterministic() -> None:
    report = make_wide_report()
    assert render_html(report) == render_html(json.loads(json.dumps(report)))


# --- the wide report in a real browser, at a desktop and a phone width ------------------------

#: What a reader sees first: the viewport sizes the layout is held to.
SCREENS = {"desktop": (1400, 900), "phone": (390, 844)}


def _screenshots() -> Path:
    where = os.environ.get("E2EE_SCREENSHOTS")
    folder = (
        Path(where) if where else Path(__file__).resolve().parent.parent / "reports" / "screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


#: Elements reaching past the right edge of the window, other than inside a box that scrolls.
_OVERFLOWING = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.closest(".scroll, pre");
    if (box && box !== el) { continue; }
    const r = el.getBoundingClientRect();
    if (r.width && r.right > window.innerWidth + 0.5) {
      out.push(el.tagName + "." + el.className + " " + Math.round(r.right));
    }
  }
  return out;
}"""


#: How far the header row and the first column of a grid moved from the top and left edges of
#: its box once the box is scrolled right (and down, when it is that tall), how its header is
#: positioned, and whether it did scroll.
_STUCK = """g => {
  const box = document.querySelector(g).closest(".scroll");
  box.scrollLeft = 400; box.scrollTop = 200;
  const b = box.getBoundingClientRect();
  const head = document.querySelector(g + " thead th:nth-child(3)").getBoundingClientRect();
  const side = document.querySelector(g + " tbody tr:nth-child(3) th").getBoundingClientRect();
  const sticky = getComputedStyle(document.querySelector(g + " thead th")).position;
  const moved = [Math.round(head.top - b.top - box.clientTop),
                 Math.round(side.left - b.left - box.clientLeft), sticky, box.scrollLeft > 0];
  box.scrollLeft = 0; box.scrollTop = 0;
  return moved;
}"""


#: Cells holding a long value laid out a handful of characters wide (the adapters table of
#: issue 15 gave a manifest path 86 px at 1,400 px).
_SQUEEZED = """() => Array.from(document.querySelectorAll("td, th"))
  .filter(c => (c.textContent || "").trim().length > 24)
  .map(c => [c.getBoundingClientRect().width, (c.textContent || "").trim().slice(0, 40)])
  .filter(([w]) => w > 0 && w < 100)"""


@pytest.mark.slow
@pytest.mark.parametrize("screen", list(SCREENS))
def test_wide_report_in_chromium(screen: str, tmp_path: Path) -> None:
    width, height = SCREENS[screen]
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(make_wide_report()), encoding="utf-8")
    with visit(page_file, viewport=(width, height)) as v:
        page = v.page
        shots = _screenshots()
        page.screenshot(path=str(shots / f"index-{screen}-{width}.png"))
        page.screenshot(path=str(shots / f"index-{screen}-{width}-full.png"), full_page=True)
        print(f"screenshots: {shots}/index-{screen}-{width}*.png")

        first = page.locator("#failures details.result").first
        for what, el in (("verdict", page.locator("#verdict")), ("first failure", first)):
            box = el.bounding_box()
            assert box is not None, what
            assert box["y"] < height, (what, box)

        # Each grid of 18 adapters scrolls inside its own box; the page never sideways.
        for grid in ("#matrix", "#pairs-olm", "#properties-olm"):
            sizes = page.evaluate(
                "g => { const b = document.querySelector(g).closest('.scroll');"
                " return [b.scrollWidth, b.clientWidth]; }",
                grid,
            )
            assert sizes[0] > sizes[1], (grid, sizes)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.evaluate(_OVERFLOWING) == []
        # Scrolled inside its box, the matrix keeps its header row and capability column.
        assert page.evaluate(_STUCK, "#matrix") == [0, 0, "sticky", True]

        # Filtering hides the groups left empty, and their labels with them.
        page.fill("#filter", "case-0-0")
        assert _visible(page.locator("#failures details.result")) == 1
        assert _visible(page.locator("#failures details.impl")) == 1
        assert _visible(page.locator("#failures .flag")) == 1
        page.fill("#filter", "")
        assert _visible(page.locator("#failures details.impl")) == len(WIDE)

        # Opened, a wrong output shows where it differs, and the details reflow to the width.
        first.locator("summary").click()
        assert first.locator("mark.diff").first.is_visible()
        for opened in ("#provenance details", "#adapters details", "#unsupported details"):
            page.locator(opened).first.locator("summary").first.click()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.evaluate(_OVERFLOWING) == []
        # A long manifest path wraps in whole runs, never one character per line.
        cell = page.locator("#adapters td.long code").first
        assert (cell.bounding_box() or {"width": 0})["width"] > 100
        assert page.evaluate(_SQUEEZED) == []

    assert v.problems == []
    assert v.dialogs == []
    assert [u for u in v.requests if not u.startswith("file://")] == []
