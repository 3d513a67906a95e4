"""The HTML report: self-contained, escapes everything from the report, and works in a browser.

The pure-Python tests always run. The browser test drives Debian's /usr/bin/chromium through the
``playwright`` package (no browser download); it skips when either is missing, except under
``CI=true``, where a missing browser is a failure rather than a silent skip.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

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
