"""``index.html``: one self-contained page rendered from ``report.json``, laid out for an
implementer who has a minute.

Order: the verdict (gate reasons, partial-run banner), then what blocks the gate grouped by the
implementation it counts against, family, vector file or check and flag, each failure expandable
to its detail (an expected/got mismatch folded to where it differs), inputs, spec reference and
reproduce command; then warnings and the other listed results; then the matrices (capabilities x
adapters, pair grids, property grids), each in its own scroll box so the page never scrolls
sideways; then where implementations disagree, coloured by whether each behaviour is right for
the case; acceptable behaviours, time taken, unsupported checks summarised, and last provenance
and adapter details, collapsed.

The page carries its own CSS and a few lines of JS (a filter box); it loads nothing from anywhere,
so it opens the same from a CI artifact, an e-mail attachment or a ``file://`` URL. A
Content-Security-Policy allows only the page's own style and script (by hash), so even a mistake in
escaping could not run injected script.

Everything taken from the report is untrusted (adapter names, versions, error text, details,
inputs all come from the implementations under test) and goes through :func:`_e` before it reaches
the page, and only ever into element text or a quoted attribute. No report data is placed inside
``<script>`` or ``<style>``: the filter reads ``data-*`` attributes.

The page is a function of the report alone (no clock, no environment), so re-rendering a report
gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from ..attribution import fault_text
from ..failures import (
    Mismatch,
    Source,
    brief,
    counted,
    cut,
    group_failures,
    mismatch,
    outcome_counts,
)
from ..report import unfinished_reason
from ..results import OUTCOMES
from ..unsupported import normalised
from ..untrusted import visible

__all__ = ["render_html"]

Counts = dict[str, int]
_M = TypeVar("_M", bound=Mapping[str, Any])

#: Outcomes listed one by one, most serious first; ``unsupported`` is only summarised.
LISTED: tuple[str, ...] = ("fail", "error", "unexpected-pass", "expected-fail")
_BAD: tuple[str, ...] = ("fail", "error", "unexpected-pass")
#: Characters of a detail in a failure's one-line summary (the full detail is one click away).
_BRIEF = 160
#: Characters of a detail the filter box searches.
_FILTER = 300
#: Bytes shown before the first difference when the equal prefix is folded.
_CONTEXT = 4
#: Gate reasons shown before the rest are folded: the verdict must stay on the first screen.
_REASONS = 4
#: Characters of a version in a matrix header (the adapter details have it whole).
_VERSION = 28
#: A group of failures with more results than this starts with its files and checks collapsed.
_OPEN_UP_TO = 30

_CSS = """
:root{--pass:#cdebd3;--fail:#f6c9c9;--warn:#fbe3a6;--unsup:#e3e3e3;--ink:#1d1d1f;--dim:#5f5f66;
--line:#d0d0d5;--bg:#fafafa;--head:#efeff2}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);
background:var(--bg);margin:0 auto;padding:.6em 1.2em 4em;max-width:1400px}
h1{font-size:1.25em;margin:0;display:inline;vertical-align:middle}
h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:1px solid var(--line);padding-bottom:.2em}
h3{font-size:1em;margin:1em 0 .3em}
p{margin:.35em 0}
nav{margin:.3em 0;font-size:.92em}
nav a{margin-right:.8em;white-space:nowrap;display:inline-block}
code,pre,.mono{font:12.5px/1.4 ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace}
pre{background:#f0f0f3;border:1px solid var(--line);padding:.5em;overflow:auto;margin:.2em 0;
white-space:pre-wrap;overflow-wrap:anywhere;max-height:30em}
code{background:#f0f0f3;padding:0 .2em;overflow-wrap:anywhere}
.scroll{overflow:auto;max-width:100%;max-height:85vh;margin:.4em 0;border:1px solid var(--line);
background:#fff;overflow-wrap:normal}
table{border-collapse:separate;border-spacing:0}
th,td{border-right:1px solid var(--line);border-bottom:1px solid var(--line);padding:.25em .5em;
text-align:left;vertical-align:top}
th{background:var(--head)}
.grid thead th{position:sticky;top:0;z-index:2}
.grid tbody th,.grid tfoot th{position:sticky;left:0;z-index:1}
.grid thead th:first-child{left:0;z-index:3}
.grid th,.grid td{min-width:7.5em}
.grid th{overflow-wrap:break-word}
.grid tbody th,.grid tfoot th{min-width:9em;max-width:16em}
.grid .case{min-width:13em;max-width:20em}
.grid td{white-space:nowrap}
.long{overflow-wrap:anywhere;min-width:14em}
.nowrap{white-space:nowrap;overflow-wrap:normal}
.ids,.mid{min-width:9em}
.wide{min-width:48em}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:.3em .8em}
.verdict{display:inline-block;font-size:1.8em;font-weight:800;padding:0 .45em;
border-radius:.2em;letter-spacing:.05em}
.v-pass{background:#1e8e3e;color:#fff}.v-fail{background:#c5221f;color:#fff}
.v-unknown{background:#777;color:#fff}
.partial{background:var(--warn);border:1px solid #d39e00;padding:.3em .6em;margin:.4em 0}
.badge{display:inline-block;border-radius:.3em;padding:0 .4em;margin:0 .2em .1em 0;
font-size:.9em;border:1px solid var(--line);white-space:nowrap}
.o-pass{background:var(--pass)}.o-fail,.o-error,.o-unexpected-pass{background:var(--fail)}
.o-expected-fail{background:var(--warn)}.o-unsupported{background:var(--unsup)}
.c-pass{background:var(--pass)}.c-fail{background:var(--fail)}.c-warn{background:var(--warn)}
.c-unsup{background:var(--unsup)}.c-none{color:var(--dim);text-align:center}
.bar{color:#2e7d32;letter-spacing:-1px}.bar-past{color:#b71c1c;letter-spacing:-1px}
.c-right{background:var(--pass)}.c-wrong{background:var(--fail);font-weight:600}
.c-either{background:#e6eefb}
.cell span{display:block;white-space:nowrap}
.dim{color:var(--dim)}
.kv{width:100%;table-layout:fixed}
.kv>tbody>tr>th{width:9em;font-weight:600}
.kv>tbody>tr>td{overflow-wrap:anywhere}
.reasons{margin:.2em 0;padding-left:1.3em}
.reasons li{margin:.05em 0}
#filterbox{position:sticky;top:0;background:var(--bg);padding:.3em 0;z-index:5}
section{scroll-margin-top:2.6em}
#filter{font-size:1em;padding:.2em .4em;width:min(30em,70%)}
details>summary{cursor:pointer}
details.group{margin:.3em 0;border-left:3px solid var(--line);padding-left:.4em}
details.group>summary{padding:.15em 0}
details.impl>summary{font-size:1.05em}
.family{margin:.2em 0 .2em .2em}
.family>.fam{font-weight:600;color:var(--dim);margin:.3em 0 0}
.flag{margin:.25em 0 .1em;font-size:.9em;color:var(--dim)}
details.result{border:1px solid var(--line);border-left-width:5px;margin:.2em 0;
background:#fff;border-radius:.2em}
details.result>summary{padding:.2em .4em;overflow-wrap:anywhere}
details.result>div{padding:0 .5em .5em}
details.result.o-fail,details.result.o-error,details.result.o-unexpected-pass{
border-left-color:#c5221f}
details.result.o-expected-fail{border-left-color:#d39e00}
.brief{color:var(--dim)}
.hex{font:12.5px/1.5 ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;
overflow-wrap:anywhere;margin:.1em 0}
.hex .lbl{display:inline-block;width:5.5em;font-family:system-ui,sans-serif;font-weight:600}
.hex .fold{color:var(--dim);font-style:italic;font-family:system-ui,sans-serif}
mark.diff{background:#ffd84d;outline:1px solid #c5221f;font-weight:700}
.legend span{margin-right:.6em}
.corner{font-weight:400;color:var(--dim);font-size:.85em}
[hidden]{display:none!important}
@media (max-width:600px){body{padding:.4em .5em 3em}.verdict{font-size:1.5em}
#filterbox{position:static}
.kv,.kv>tbody,.kv>tbody>tr,.kv>tbody>tr>th,.kv>tbody>tr>td{display:block;width:auto;
border-right:0}.kv>tbody>tr>th{border-bottom:0;padding-bottom:0}}
"""

_JS = """
(function () {
  "use strict";
  var input = document.getElementById("filter");
  if (!input) { return; }
  var items = Array.prototype.slice.call(document.querySelectorAll("#failures [data-filter]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("#failures [data-group]"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("#matrix tbody tr"));
  var counter = document.getElementById("filter-count");
  function matches(text, terms) {
    for (var i = 0; i < terms.length; i++) {
      if (text.indexOf(terms[i]) === -1) { return false; }
    }
    return true;
  }
  function apply() {
    var terms = input.value.toLowerCase().split(/\\s+/).filter(function (t) { return t; });
    var caps = Object.create(null);
    var shown = 0;
    items.forEach(function (el) {
      var hit = matches(el.getAttribute("data-filter") || "", terms);
      el.hidden = !hit;
      if (hit) { shown += 1; caps[el.getAttribute("data-capability") || ""] = true; }
    });
    groups.forEach(function (g) {
      var any = g.querySelector("[data-filter]:not([hidden])") !== null;
      g.hidden = terms.length > 0 && !any;
      if (terms.length > 0 && any && g.tagName === "DETAILS") { g.open = true; }
    });
    rows.forEach(function (tr) {
      var cap = tr.getAttribute("data-capability") || "";
      tr.hidden = terms.length > 0 && !matches(cap.toLowerCase(), terms) && !caps[cap];
    });
    if (counter) {
      counter.textContent = terms.length
        ? shown + " of " + items.length + " listed results match"
        : items.length + " listed results";
    }
  }
  input.addEventListener("input", apply);
  apply();
})();
"""


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


#: Only this page's own <style> and <script> may apply; nothing may be fetched.
_CSP = (
    "default-src 'none'; "
    f"style-src {_csp_hash(_CSS)}; "
    f"script-src {_csp_hash(_JS)}; "
    "img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"
)


# --- plumbing: safe access to untrusted values --------------------------------------------------


def _text(value: Any) -> str:
    """A report value as display text (not yet escaped)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _e(value: Any) -> str:
    """Escape any report value for HTML text or a quoted attribute. Control and bidi characters
    and lone surrogates are shown as escapes first: a browser would reorder text around a bidi
    override, and someone may ``cat`` or grep the page in a terminal."""
    return html.escape(visible(_text(value)), quote=True)


def _obj(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    return dict(value) if isinstance(value, Mapping) else {}


def _seq(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _num(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _counts(value: Any) -> Counts:
    raw = _obj(value)
    return {k: _int(raw.get(k)) for k in OUTCOMES}


def _code(value: Any) -> str:
    text = _text(value)
    return f"<code>{_e(text)}</code>" if text else '<span class="dim">—</span>'


def _or_dash(value: Any) -> str:
    text = _text(value)
    return _e(text) if text else '<span class="dim">—</span>'


def _link(url: Any) -> str:
    """A clickable link only for http(s) URLs; anything else (``javascript:`` …) stays text."""
    text = _text(url)
    if text.lower().startswith(("https://", "http://")):
        return f'<a href="{_e(text)}" rel="noopener noreferrer">{_e(text)}</a>'
    return _or_dash(text)


def _kv_table(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table; labels are constants, values are already-safe HTML."""
    body = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="kv">{body}</table>'


def _scroll(table: str, label: str = "") -> str:
    """``table`` in its own scroll box: a wide table scrolls there, never the page."""
    aria = f' role="region" aria-label="{_e(label)}" tabindex="0"' if label else ""
    return f'<div class="scroll"{aria}>{table}</div>'


def _adapter_names(report: dict[str, Any]) -> list[str]:
    """Adapters in report order, then any that only appear in the summary."""
    names = [_text(_obj(a).get("name")) for a in _seq(report.get("adapters"))]
    extra = sorted(_obj(_obj(report.get("summary")).get("byAdapter")).keys() - set(names))
    return [*names, *extra]


def _clean(raw: Any) -> dict[str, Any]:
    """A result with the fields the grouping relies on in the types it expects: a hostile or
    old report must still render, not raise."""
    r = dict(_obj(raw))
    r["adapters"] = [_text(a) for a in _seq(r.get("adapters"))]
    r["check"] = _text(r.get("check"))
    r["outcome"] = _text(r.get("outcome"))
    fault = r.get("fault")
    if fault is not None and not (
        isinstance(fault, Mapping) and isinstance(fault.get("adapters"), list)
    ):
        del r["fault"]
    return r


def _results(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [_clean(r) for r in _seq(report.get("results")) if isinstance(r, Mapping)]


def _seconds(value: float) -> str:
    if value >= 60:
        return f"{int(value // 60)} min {value % 60:.0f} s"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


# --- counts cells --------------------------------------------------------------------------------


def _cell_class(c: Counts) -> str:
    if any(c[k] for k in _BAD):
        return "c-fail"
    if c["expected-fail"]:
        return "c-warn"
    if c["pass"]:
        return "c-pass"
    if c["unsupported"]:
        return "c-unsup"
    return "c-none"


def _cell_body(c: Counts) -> str:
    # Only what occurred: eighteen columns of "0 error" would hide the one that matters.
    parts = [f"<span>{c[k]} {k}</span>" for k in OUTCOMES if c[k]]
    return "".join(parts) or "—"


def _cell(value: Any) -> str:
    if value is None:
        return '<td class="c-none">—</td>'
    c = _counts(value)
    return f'<td class="cell {_cell_class(c)}">{_cell_body(c)}</td>'


def _outcome_badges(counts: Counts) -> str:
    return "".join(
        f'<span class="badge o-{k}">{counts[k]} {k}</span>'
        for k in OUTCOMES
        if k in ("pass", "fail", "error") or counts[k]
    )


# --- the verdict ---------------------------------------------------------------------------------


def _verdict(report: dict[str, Any]) -> str:
    verdict = _text(_obj(report.get("gate")).get("verdict") or report.get("verdict")).lower()
    return verdict if verdict in ("pass", "fail") else "unknown"


def _header(report: dict[str, Any]) -> str:
    verdict = _verdict(report)
    gate = _obj(report.get("gate"))
    summary = _obj(report.get("summary"))
    reasons = [_text(r) for r in _seq(gate.get("reasons"))]
    items = "".join(f"<li>{_e(r)}</li>" for r in reasons[:_REASONS])
    more = ""
    if len(reasons) > _REASONS:
        rest = "".join(f"<li>{_e(r)}</li>" for r in reasons[_REASONS:])
        more = (
            f"<li><details><summary>{len(reasons) - _REASONS} more reasons</summary>"
            f'<ul class="reasons">{rest}</ul></details></li>'
        )
    reasons_html = (
        f'<ul class="reasons" id="reasons">{items}{more}</ul>'
        if reasons
        else '<p class="dim">The gate gave no reasons.</p>'
    )
    gate_line = ""
    if gate:
        policy = _obj(gate.get("policy"))
        gate_line = (
            f"<span>{_int(gate.get('blocking'))} blocking, {_int(gate.get('warnings'))} warnings"
            f' <span class="dim">· fail on: '
            f"{_e(', '.join(_text(x) for x in _seq(policy.get('failOn'))) or '—')}"
            f" · allow stale expectations: {_e(policy.get('allowStale', '—'))}</span></span>"
        )
    name = _e(_obj(report.get("suite")).get("name") or "e2ee-conformance")
    return (
        '<header><div class="top">'
        f'<div class="verdict v-{verdict}" id="verdict">{verdict.upper()}</div>'
        f"<h1>{name} report</h1>{gate_line}</div>"
        f"{_unfinished(report)}{reasons_html}"
        f"<p>{_int(summary.get('total'))} results: "
        f"{_outcome_badges(_counts(summary.get('outcomes')))}</p>"
        "</header>"
    )


def _unfinished(report: dict[str, Any]) -> str:
    try:
        why = unfinished_reason(report)
    except (KeyError, TypeError, AttributeError):
        return ""
    if why is None:
        return ""
    return f'<p class="partial" id="partial"><strong>Partial report: {_e(why)}.</strong></p>'


# --- one listed result ---------------------------------------------------------------------------


def _adapters_label(adapters: Sequence[str]) -> str:
    if len(adapters) >= 2:
        return " → ".join(adapters)
    return ", ".join(adapters)


def _spec(value: Any) -> str:
    refs = []
    for ref in map(_obj, _seq(value)):
        text = _text(ref.get("document"))
        if ref.get("section") is not None:
            text += f" §{_text(ref.get('section'))}"
        if ref.get("level"):
            text += f" ({_text(ref.get('level'))})"
        refs.append(text)
    return _or_dash("; ".join(refs))


def _inputs(value: Any) -> str:
    inputs = _obj(value)
    if not inputs:
        return '<span class="dim">—</span>'
    rows = "".join(
        f"<tr><th>{_e(k)}</th><td><code>{_e(v)}</code></td></tr>" for k, v in inputs.items()
    )
    return f'<table class="kv inputs">{rows}</table>'


def _expectation(value: Any) -> str:
    exp = _obj(value)
    if not exp:
        return '<span class="dim">none</span>'
    return (
        f"entry #{_e(exp.get('entry'))}: {_or_dash(exp.get('reason'))}"
        f" <span class=dim>·</span> {_link(exp.get('link'))}"
    )


def _vector(value: Any) -> str:
    vector = _obj(value)
    if not vector:
        return '<span class="dim">—</span>'
    return f"{_code(vector.get('file'))} tcId {_e(vector.get('tcId'))} · id {_e(vector.get('id'))}"


def _filter_text(r: Mapping[str, Any]) -> str:
    vector = _obj(r.get("vector"))
    parts = [
        r.get("check"),
        r.get("outcome"),
        r.get("family"),
        r.get("capability"),
        " ".join(r["adapters"]),
        vector.get("file"),
        vector.get("tcId"),
        " ".join(_text(f) for f in _seq(r.get("flags"))),
        " ".join(_text(b) for b in _seq(r.get("bugTypes"))),
        r.get("comment"),
        # The first line is what one searches for; a whole detail (two walls of hex) would
        # double the page's size for nothing.
        brief(r.get("detail"), _FILTER) if isinstance(r.get("detail"), str) else None,
    ]
    return " ".join(_text(p) for p in parts if p is not None).lower()


def _joined(value: Any) -> str:
    return _or_dash(", ".join(_text(v) for v in _seq(value)))


def _pre(value: Any) -> str:
    return f"<pre>{_e(value)}</pre>"


def _duration(value: Any) -> str:
    seconds = _num(value)
    return _seconds(seconds) if seconds is not None else _or_dash(value)


def _hex_line(label: str, value: str, at: int, cut: bool) -> str:
    """``value`` with the bytes it shares with the other value folded away but a few, and its
    first differing byte marked."""
    lo = max(0, at - _CONTEXT)
    # Folding fewer bytes than the note takes to say would hide nothing.
    if lo <= 2:
        lo = 0
    fold = f'<span class="fold">… {lo} equal bytes …</span> ' if lo else ""
    head = _e(value[2 * lo : 2 * at])
    if 2 * at < len(value):
        tail = (
            f'<mark class="diff">{_e(value[2 * at : 2 * at + 2])}</mark>{_e(value[2 * at + 2 :])}'
        )
    else:
        tail = '<mark class="diff">(ends here)</mark>'
    more = ' <span class="fold">… (cut by the check)</span>' if cut else ""
    return f'<div class="hex"><span class="lbl">{label}</span>{fold}{head}{tail}{more}</div>'


def _mismatch(found: Mismatch) -> str:
    at = found.first_difference
    n_exp, n_got = len(found.expected) // 2, len(found.got) // 2
    sizes = f"{n_exp} bytes" if n_exp == n_got else f"expected {n_exp} bytes, got {n_got}"
    return (
        f'<div class="mismatch"><p><b>{_e(found.what)}</b>: first difference at byte {at} '
        f'<span class="dim">({sizes})</span></p>'
        f"{_hex_line('expected', found.expected, at, found.cut)}"
        f"{_hex_line('got', found.got, at, found.cut)}</div>"
    )


#: Fields of a listed result shown only when present: label, key, renderer.
_OPTIONAL_ROWS: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("vector", "vector", _vector),
    ("expected", "expected", _or_dash),
    ("behaviour", "behaviour", _or_dash),
    ("flags", "flags", _joined),
    ("bugTypes", "bugTypes", _joined),
    ("spec", "spec", _spec),
    ("level", "level", _or_dash),
    ("comment", "comment", _or_dash),
    ("detail", "detail", _pre),
    ("inputs", "inputs", _inputs),
    ("seed", "seed", _or_dash),
    ("expectation", "expectation", _expectation),
    ("gate", "gate", _or_dash),
    ("reproduce", "reproduce", _code),
    ("duration", "duration", _duration),
)


def _fault_rows(r: Mapping[str, Any]) -> list[tuple[str, str]]:
    blame = fault_text(r)
    if blame is None:
        return []
    return [("party at fault", _e(blame)), ("evidence", _e(_obj(r.get("fault")).get("evidence")))]


def _case_label(r: Mapping[str, Any]) -> str:
    """What tells one failure from its neighbours in a group: the test case of a vector file,
    else the adapters (a pair's direction)."""
    vector = _obj(r.get("vector"))
    if vector:
        return f"tcId {_e(vector.get('tcId'))}"
    who = _e(_adapters_label(r["adapters"]))
    blame = fault_text(r)
    return (
        f"{who} <span class=dim>({_e(blame)})</span>" if blame and len(r["adapters"]) > 1 else who
    )


def _result(r: Mapping[str, Any]) -> str:
    outcome = r["outcome"]
    adapters = r["adapters"]
    observed = r.get("observed")
    rows = [
        ("outcome", _e(outcome) + (f" (observed {_e(observed)})" if observed else "")),
        ("check", _code(r.get("check"))),
        ("adapters", _or_dash(_adapters_label(adapters))),
        *_fault_rows(r),
        ("family / capability", f"{_or_dash(r.get('family'))} / {_or_dash(r.get('capability'))}"),
    ]
    detail = r.get("detail")
    found = mismatch(detail) if isinstance(detail, str) else None
    if found is not None:
        rows.append(("expected vs got", _mismatch(found)))
    rows += [
        (label, render(r.get(key)))
        for label, key, render in _OPTIONAL_ROWS
        if r.get(key) not in (None, "", [], {})
    ]
    line = brief(detail, _BRIEF) if isinstance(detail, str) else ""
    return (
        f'<details class="result o-{_e(outcome)}" data-filter="{_e(_filter_text(r))}"'
        f' data-capability="{_e(r.get("capability"))}">'
        f'<summary><span class="badge o-{_e(outcome)}">{_e(outcome)}</span> '
        f'{_case_label(r)} <span class="brief">{_e(line)}</span></summary>'
        f"<div>{_kv_table(rows)}</div></details>"
    )


# --- failures grouped by finding -----------------------------------------------------------------


def _by(items: Iterable[_M], key: Callable[[_M], str]) -> dict[str, list[_M]]:
    """``items`` grouped by ``key``, groups and members in the order they came."""
    out: dict[str, list[_M]] = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


def _flag_key(r: Mapping[str, Any]) -> str:
    return ", ".join(_text(f) for f in _seq(r.get("flags")))


def _source(label: str, results: Sequence[Mapping[str, Any]], is_open: bool) -> str:
    by_flag = _by(results, _flag_key)
    body = []
    for flags, members in by_flag.items():
        heading = (
            f'<p class="flag">flag <b>{_e(flags)}</b> <span>({len(members)})</span></p>'
            if flags
            else ""
        )
        body.append(f"<div data-group>{heading}{''.join(_result(r) for r in members)}</div>")
    counts = counted(outcome_counts(results), LISTED)
    return (
        f'<details class="group source" data-group{" open" if is_open else ""}>'
        f"<summary><code>{_e(label)}</code> <span class=dim>{_e(counts)}</span></summary>"
        f"{''.join(body)}</details>"
    )


def _grouped(results: list[dict[str, Any]]) -> str:
    """Implementation (the party charged), then family, then vector file or check, then flag."""
    out = []
    for group in group_failures(results):
        total = len(group.results)
        families: dict[str, list[Source]] = {}
        for source in group.sources:
            families.setdefault(_text(source.results[0].get("family")), []).append(source)
        parts = []
        first = True
        for family, sources in families.items():
            inner = []
            for source in sources:
                # Small groups open whole; a big one opens only its first file or check, so the
                # next implementation is still in reach.
                inner.append(_source(source.label, source.results, first or total <= _OPEN_UP_TO))
                first = False
            parts.append(
                f'<div class="family" data-group><p class="fam">{_e(family or "—")}</p>'
                f"{''.join(inner)}</div>"
            )
        counts = counted(group.counts(), LISTED)
        out.append(
            f'<details class="group impl" data-group open>'
            f"<summary><b>{_e(group.implementation)}</b> <span class=dim>{_e(counts)}</span>"
            f"</summary>{''.join(parts)}</details>"
        )
    return "".join(out)


def _blocking(blocking: list[dict[str, Any]], required: list[dict[str, Any]]) -> str:
    """What blocks the gate: failures grouped, then checks an adapter could not run where
    ``--fail-on unsupported`` requires them."""
    if not blocking and not required:
        return '<section id="blocking"><h2>Blocking the gate</h2><p>Nothing.</p></section>'
    counts = outcome_counts(blocking)
    if required:
        counts["unsupported"] = sum(_int(e.get("count")) for e in required)
    body = ""
    if blocking:
        body += (
            '<p class="dim">By the implementation each failure counts against, then family, '
            "vector file or check, and flag. Open a failure for its detail, inputs, spec "
            f"reference and reproduce command.</p>{_grouped(blocking)}"
        )
    if required:
        rows = "".join(
            f"<tr><td>{_e(', '.join(_text(a) for a in _seq(e.get('adapters'))))}</td>"
            f"<td class=long><code>{_e(e.get('file') or e.get('check'))}</code></td>"
            f"<td>{_int(e.get('count'))}</td>"
            f'<td class="long dim">{_e(cut(_text(e.get("detail")), 300))}</td></tr>'
            for e in required
        )
        table = (
            '<table class="wide"><thead><tr><th>adapter</th><th>file or check</th>'
            f"<th>checks</th><th>why</th></tr></thead><tbody>{rows}</tbody></table>"
        )
        body += (
            '<h3 id="required-unsupported">Unsupported, and required by '
            "<code>--fail-on unsupported</code></h3>"
            + _scroll(table, "unsupported checks that block")
        )
    return (
        f'<section id="blocking"><h2>Blocking the gate '
        f'<span class="dim">({_e(counted(counts, (*LISTED, "unsupported")))})</span></h2>'
        f"{body}</section>"
    )


def _failures(report: dict[str, Any]) -> str:
    listed = [r for r in _results(report) if r["outcome"] in LISTED or r.get("gate")]
    gated = bool(_obj(report.get("gate")))
    blocking, warnings, other = [], [], []
    for r in listed:
        gate = r.get("gate")
        if gate == "block" or (not gated and r["outcome"] in _BAD):
            blocking.append(r)
        elif gate == "warn":
            warnings.append(r)
        else:
            other.append(r)
    required = [e for e in _unsupported_entries(report) if e.get("gate") == "block"]
    parts = [_blocking(blocking, required)]
    if warnings:
        parts.append(
            f'<section id="warnings"><h2>Warnings <span class="dim">'
            f"({_e(counted(outcome_counts(warnings), LISTED))})</span></h2>"
            '<p class="dim">Not passing, but outside the gate\'s fail-on policy.</p>'
            f"{_grouped(warnings)}</section>"
        )
    if other:
        parts.append(
            f'<section id="expected"><h2>Expected failures and other results '
            f'<span class="dim">({_e(counted(outcome_counts(other), LISTED))})</span></h2>'
            '<p class="dim">Covered by the expectations file, or not gated.</p>'
            f"{_grouped(other)}</section>"
        )
    return f'<div id="failures">{"".join(parts)}</div>'


# --- matrices ------------------------------------------------------------------------------------


def _matrix(report: dict[str, Any]) -> str:
    by_adapter = {
        _text(k): _obj(v) for k, v in _obj(_obj(report.get("summary")).get("byAdapter")).items()
    }
    names = _adapter_names(report)
    caps = sorted({_text(c) for per in by_adapter.values() for c in per})
    title = "<h2>Capabilities &times; adapters</h2>"
    if not caps:
        return f'<section id="matrix-section">{title}<p>No results in this run.</p></section>'
    versions = {
        _text(_obj(a).get("name")): _text(_obj(a).get("version"))
        for a in _seq(report.get("adapters"))
    }
    head = "".join(
        f"<th>{_e(n)}<br><span class=dim>{_e(_short(versions.get(n, '')))}</span></th>"
        for n in names
    )
    rows = "".join(
        f'<tr data-capability="{_e(cap)}"><th>{_e(cap)}</th>'
        + "".join(_cell(by_adapter.get(n, {}).get(cap)) for n in names)
        + "</tr>"
        for cap in caps
    )
    totals = "".join(_cell(_sum_counts(by_adapter.get(n, {}).values())) for n in names)
    table = (
        '<table id="matrix" class="grid"><thead><tr><th class="corner">capability \\ adapter</th>'
        f"{head}</tr></thead><tbody>{rows}</tbody>"
        f"<tfoot><tr><th>all</th>{totals}</tr></tfoot></table>"
    )
    return f'<section id="matrix-section">{title}{_scroll(table, "capabilities by adapters")}</section>'


def _short(version: str) -> str:
    return version if len(version) <= _VERSION else version[: _VERSION - 1] + "…"


def _sum_counts(values: Iterable[Any]) -> Counts:
    total = dict.fromkeys(OUTCOMES, 0)
    for value in values:
        for k, n in _counts(value).items():
            total[k] += n
    return total


def _pair_grid(family: str, senders: dict[str, Any]) -> str:
    by_sender = {_text(s): _obj(r) for s, r in senders.items()}
    receivers = sorted({_text(r) for per in by_sender.values() for r in per})
    head = "".join(f"<th>{_e(r)}</th>" for r in receivers)
    rows = "".join(
        f"<tr><th>{_e(s)}</th>" + "".join(_cell(by_sender[s].get(r)) for r in receivers) + "</tr>"
        for s in sorted(by_sender)
    )
    table = (
        f'<table id="pairs-{_e(family)}" class="grid pairs"><thead><tr>'
        f'<th class="corner">sender ↓ receiver →</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    return f"<h3>{_e(family)}</h3>{_scroll(table, f'pair checks, {family}')}"


def _pairs(report: dict[str, Any]) -> str:
    pairs = _obj(_obj(report.get("summary")).get("pairs"))
    title = "<h2>Pair checks</h2>"
    if not pairs:
        return f'<section id="pairs">{title}<p>There are no pair checks in this run.</p></section>'
    grids = "".join(_pair_grid(_text(f), _obj(pairs[f])) for f in sorted(pairs, key=_text))
    note = (
        '<p class="dim">Scenarios between two implementations, one grid per family; a cell '
        "counts the results of that sender and receiver.</p>"
    )
    return f'<section id="pairs">{title}{note}{grids}</section>'


def _groups(report: dict[str, Any]) -> str:
    """One row per group an n-party scenario played: its parties in order, its outcome, and the
    adapters a failure charges."""
    families = _obj(_obj(report.get("summary")).get("groups"))
    if not families:
        return '<section id="groups"><h2>Groups</h2><p>No group scenario ran.</p></section>'
    tables = []
    for family in sorted(families, key=_text):
        rows = []
        for row in map(_obj, _seq(families[family])):
            outcome = _text(row.get("outcome"))
            parties = [_text(a) for a in _seq(row.get("adapters"))]
            blamed = ", ".join(_text(a) for a in _seq(row.get("blamed")))
            if blamed and row.get("party"):
                blamed = f"{_text(row.get('party'))}: {blamed}"
            rows.append(
                f"<tr><td>{_e(_text(row.get('check')))}</td>"
                f"<td>{_e(' → '.join(parties))}</td>"
                f'<td class="cell {_cell_class(_counts({outcome: 1}))}">{_e(outcome)}</td>'
                f"<td>{_e(blamed)}</td></tr>"
            )
        table = (
            f'<table id="groups-{_e(_text(family))}" class="grid groups"><thead><tr>'
            "<th>check</th><th>parties (creator first)</th><th>outcome</th><th>at fault</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
        tables.append(f"<h3>{_e(_text(family))}</h3>{_scroll(table, f'groups, {_text(family)}')}")
    note = (
        '<p class="dim">Scenarios with more than two implementations in one group. Groups of '
        "three are a Latin square: every implementation meets every other in every pair of "
        "roles once (n² groups, not n³).</p>"
    )
    return f'<section id="groups"><h2>Groups</h2>{note}{"".join(tables)}</section>'


def _ed25519_rules(report: dict[str, Any]) -> str:
    """One row per implementation: the Ed25519 verification rule sets it follows (summary
    ``ed25519Rules``, from prop/primitives/ed25519-rules); nothing when that check did not run."""
    rows_in = [_obj(r) for r in _seq(_obj(report.get("summary")).get("ed25519Rules"))]
    if not rows_in:
        return ""
    rows = []
    for row in rows_in:
        outcome = _text(row.get("outcome"))
        differs = _int(row.get("differs"))
        closest = "" if differs == 0 else f"{_text(row.get('closest'))} ({differs} differ)"
        rows.append(
            f"<tr><td>{_e(row.get('adapter'))}</td>"
            f"<td>{_e(row.get('rules'))}</td><td>{_e(closest)}</td>"
            f"<td>{_int(row.get('accepted'))} / {_int(row.get('cases'))}</td>"
            f"<td>{_e(row.get('source'))}</td>"
            f'<td class="cell {_cell_class(_counts({outcome: 1}))}">{_e(outcome)}</td></tr>'
        )
    table = (
        '<table id="ed25519-rules" class="grid"><thead><tr><th>adapter</th>'
        "<th>rule set followed</th><th>closest (cases differing)</th><th>accepted / cases</th>"
        "<th>cases</th><th>outcome</th></tr></thead><tbody>"
        f"{''.join(rows)}</tbody></table>"
    )
    note = (
        '<p class="dim">Which Ed25519 verification rules each implementation follows, from its '
        "accept/refuse pattern on inputs where RFC 8032 cofactorless, RFC 8032 cofactored, "
        "ZIP-215, strict (libsodium, dalek verify_strict) and ref10 (Go, OpenSSL) disagree. "
        "ref10 accepts non-canonical public keys RFC 8032 §5.1.3 refuses.</p>"
    )
    return (
        '<section id="ed25519-rules-section"><h2>Ed25519 verification rules</h2>'
        f"{note}{_scroll(table, 'Ed25519 verification rules')}</section>"
    )


def _properties(report: dict[str, Any]) -> str:
    summary = _obj(report.get("summary"))
    families = _obj(summary.get("properties"))
    by_design = _obj(summary.get("byDesign"))
    title = "<h2>Safety properties</h2>"
    if not families:
        return f'<section id="properties">{title}<p>No safety property ran.</p></section>'
    tables = []
    for family in sorted(families, key=_text):
        per = {_text(p): _obj(v) for p, v in _obj(families[family]).items()}
        receivers = sorted({_text(a) for v in per.values() for a in v})
        designed = _obj(by_design.get(family))
        rows = []
        for prop in sorted(per):
            reason = designed.get(prop)
            if reason is not None:
                cells = (
                    f'<td class="cell c-unsup by-design" colspan="{len(receivers)}">'
                    f"{_e(_text(reason))}</td>"
                )
            else:
                cells = "".join(_cell(per[prop].get(a)) for a in receivers)
            rows.append(f'<tr data-property="{_e(prop)}"><th>{_e(prop)}</th>{cells}</tr>')
        head = "".join(f"<th>{_e(a)}</th>" for a in receivers)
        table = (
            f'<table id="properties-{_e(_text(family))}" class="grid pairs"><thead><tr>'
            f'<th class="corner">property ↓ receiver →</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
        tables.append(
            f"<h3>{_e(_text(family))}</h3>{_scroll(table, f'safety properties, {_text(family)}')}"
        )
    note = (
        '<p class="dim">Each property runs over every ordered pair; a column counts the pairs in '
        "which that adapter was the receiver judged. A property a family does not offer by design "
        "is labelled with the reason.</p>"
    )
    return f'<section id="properties">{title}{note}{"".join(tables)}</section>'


# --- disagreements and acceptable behaviours -----------------------------------------------------


def _rightness(choice: str, expected: str, result: Mapping[str, Any] | None) -> tuple[str, str]:
    """Whether doing ``choice`` with a case whose expected result is ``expected`` conforms:
    a css class and the words that say so (colour alone is not enough)."""
    if choice == "accepted (wrongly)":
        return "c-wrong", "accepted (wrongly) ✗"
    if choice in ("accepted", "rejected"):
        if expected == "acceptable":
            return "c-either", f"{choice} · either is fine"
        wrong = (choice == "rejected" and expected == "valid") or (
            choice == "accepted" and expected == "invalid"
        )
        if not wrong:
            return "c-right", f"{choice} ✓"
        detail = _obj(result).get("detail")
        # A valid case "rejected" is either a refusal or a wrong output; the detail tells.
        if choice == "rejected" and isinstance(detail, str) and mismatch(detail) is not None:
            return "c-wrong", "wrong output ✗"
        return "c-wrong", f"{choice} (wrongly) ✗"
    return "c-wrong", f"{choice} ✗"


def _disagreements(report: dict[str, Any]) -> str:
    rows_in = [_obj(d) for d in _seq(_obj(report.get("summary")).get("disagreements"))]
    title = "<h2>Where implementations disagree</h2>"
    if not rows_in:
        return (
            f'<section id="disagreements-section">{title}<p>Every implementation that ran a '
            "case did the same with it.</p></section>"
        )
    ran = {_text(a) for d in rows_in for a in _obj(d.get("choices"))}
    names = [n for n in _adapter_names(report) if n in ran] + sorted(
        ran - set(_adapter_names(report))
    )
    results = {
        (r["check"], r["adapters"][0]): r for r in _results(report) if len(r["adapters"]) == 1
    }
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    rows = []
    for d in rows_in:
        choices = {_text(k): _text(v) for k, v in _obj(d.get("choices")).items()}
        vec = _obj(d.get("vector"))
        where = f"{_e(vec.get('file'))} tcId {_e(vec.get('tcId'))}" if vec else _e(d.get("check"))
        expected = _text(d.get("expected"))
        cells = []
        for n in names:
            if n not in choices:
                cells.append('<td class="c-none">—</td>')
                continue
            cls, words = _rightness(choices[n], expected, results.get((_text(d.get("check")), n)))
            cells.append(f'<td class="{cls}">{_e(words)}</td>')
        rows.append(
            f'<tr><th class="case">{where}<br><span class=dim>{_e(d.get("capability"))} · expected '
            f"{_e(expected or '—')} · {_e(', '.join(map(_text, _seq(d.get('flags')))))}"
            f"</span></th>{''.join(cells)}</tr>"
        )
    table = (
        '<table id="disagreements" class="grid"><thead><tr><th class="corner">case \\ adapter</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return (
        f'<section id="disagreements-section">{title}'
        f'<p class="dim">{len(rows_in)} cases on which the implementations that ran them did not '
        "all do the same, side by side, coloured by whether each behaviour conforms to the "
        "case's expected result.</p>"
        '<p class="legend"><span class="badge c-right">✓ right</span>'
        '<span class="badge c-wrong">✗ wrong</span>'
        '<span class="badge c-either">either is fine (acceptable case)</span></p>'
        f"{_scroll(table, 'disagreements')}</section>"
    )


def _acceptable_cell(value: Any) -> str:
    if value is None:
        return '<td class="c-none">—</td>'
    raw = _obj(value)
    accepted, rejected = _int(raw.get("accepted")), _int(raw.get("rejected"))
    if accepted and rejected:
        label, count = "mixed", f"{accepted} accepted, {rejected} rejected"
    elif accepted:
        label, count = "accepts", f"({accepted})"
    elif rejected:
        label, count = "rejects", f"({rejected})"
    else:
        label, count = "—", ""
    return f"<td><b>{label}</b> <span class=dim>{count}</span></td>"


def _acceptable(report: dict[str, Any]) -> str:
    acceptable = {
        _text(k): _obj(v) for k, v in _obj(_obj(report.get("summary")).get("acceptable")).items()
    }
    title = "<h2>Acceptable behaviours chosen</h2>"
    if not acceptable:
        return f'<section id="acceptable-section">{title}<p>No acceptable cases ran.</p></section>'
    names = [n for n in _adapter_names(report) if n in acceptable]
    names += sorted(set(acceptable) - set(names))
    flags = sorted({_text(f) for per in acceptable.values() for f in per})
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    rows = "".join(
        f"<tr><th>{_e(flag)}</th>"
        + "".join(_acceptable_cell(acceptable[n].get(flag)) for n in names)
        + "</tr>"
        for flag in flags
    )
    table = (
        '<table id="acceptable" class="grid"><thead><tr><th class="corner">flag \\ adapter</th>'
        f"{head}</tr></thead><tbody>{rows}</tbody></table>"
    )
    return (
        f'<section id="acceptable-section">{title}'
        '<p class="dim">Cases the vectors mark <code>acceptable</code>: either behaviour conforms; '
        f"this is what each implementation chose.</p>{_scroll(table, 'acceptable behaviours')}"
        "</section>"
    )


# --- time taken ----------------------------------------------------------------------------------


def _durations(report: dict[str, Any]) -> str:
    durations = _obj(_obj(report.get("summary")).get("durations"))
    if not durations:
        return ""
    total = _num(durations.get("total"))
    per = [
        (_text(a), s)
        for a, v in _obj(durations.get("byAdapter")).items()
        if (s := _num(v)) is not None
    ]
    per.sort(key=lambda x: (-x[1], x[0]))
    by_adapter = "".join(f"<tr><th>{_e(a)}</th><td>{_seconds(s)}</td></tr>" for a, s in per)
    slowest = "".join(
        f"<tr><td><code>{_e(x.get('check'))}</code></td>"
        f"<td>{_e(_adapters_label([_text(a) for a in _seq(x.get('adapters'))]))}</td>"
        f"<td>{_e(x.get('outcome'))}</td><td>{_duration(x.get('duration'))}</td></tr>"
        for x in map(_obj, _seq(durations.get("slowest")))
    )
    tables = []
    if by_adapter:
        tables.append(
            _scroll(
                '<table id="time-by-adapter"><thead><tr><th>adapter</th><th>time</th></tr></thead>'
                f"<tbody>{by_adapter}</tbody></table>",
                "time per adapter",
            )
        )
    if slowest:
        tables.append(
            _scroll(
                '<table id="slowest"><thead><tr><th>slowest checks</th><th>adapters</th>'
                f"<th>outcome</th><th>time</th></tr></thead><tbody>{slowest}</tbody></table>",
                "slowest checks",
            )
        )
    total_html = f"<p>{_seconds(total)} in all.</p>" if total is not None else ""
    return f'<section id="durations"><h2>Time taken</h2>{total_html}{"".join(tables)}</section>'


# --- unsupported ---------------------------------------------------------------------------------


def _unsupported_entries(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's ``unsupported`` summary; for a report written before it existed, the same
    entries built from its ``unsupported`` results (conformance.unsupported, as merge does)."""
    _, entries = normalised(
        {"results": _results(report), "unsupported": _seq(report.get("unsupported"))}
    )
    return [_obj(x) for x in entries if isinstance(x, Mapping)]


def _tc_ids(value: Any) -> str:
    spans = []
    for pair in _seq(value):
        first, last = [*_seq(pair), None, None][:2]
        spans.append(_text(first) if first == last else f"{_text(first)} to {_text(last)}")
    shown = ", ".join(spans[:6]) + (f", … (+{len(spans) - 6})" if len(spans) > 6 else "")
    return _or_dash(shown)


def _unsupported(report: dict[str, Any]) -> str:
    entries = _unsupported_entries(report)
    title = "<h2>Unsupported</h2>"
    if not entries:
        return f'<section id="unsupported">{title}<p>No unsupported results.</p></section>'
    notes = {
        _text(_obj(a).get("name")): _obj(_obj(a).get("notes")) for a in _seq(report.get("adapters"))
    }
    per: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        for a in dict.fromkeys(_text(x) for x in _seq(entry.get("adapters"))):
            per.setdefault(a, []).append(entry)
    order = [n for n in _adapter_names(report) if n in per] + sorted(
        set(per) - set(_adapter_names(report))
    )
    blocks = []
    for name in order:
        mine = sorted(
            per[name],
            key=lambda x: (_text(x.get("capability")), _text(x.get("file") or x.get("check"))),
        )
        rows = []
        for cap, group in _by(mine, lambda x: _text(x.get("capability"))).items():
            note = _text(notes.get(name, {}).get(cap))
            cap_html = f"<b>{_e(cap)}</b>" + (
                f'<br><span class="dim">{_e(note)}</span>' if note else ""
            )
            for i, x in enumerate(group):
                adapters = [_text(a) for a in _seq(x.get("adapters"))]
                partner = [a for a in adapters if a != name]
                with_html = (
                    f' <span class="dim">with {_e(", ".join(partner))}</span>' if partner else ""
                )
                rows.append(
                    f"<tr><td>{cap_html if i == 0 else ''}</td>"
                    f"<td class=long><code>{_e(x.get('file') or x.get('check'))}</code>{with_html}</td>"
                    f"<td>{_int(x.get('count'))}</td><td class=ids>{_tc_ids(x.get('tcIds'))}</td>"
                    f'<td class="long dim">{_e(cut(_text(x.get("detail")), 300))}</td></tr>'
                )
        total = sum(_int(x.get("count")) for x in mine)
        caps = len({_text(x.get("capability")) for x in mine})
        table = (
            '<table class="wide"><thead><tr><th>capability</th><th>file or check</th>'
            "<th>results</th><th>tcIds</th><th>detail</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
        blocks.append(
            f'<details class="group unsup-adapter"><summary><b>{_e(name)}</b> '
            f'<span class="dim">{total} results in {caps} capabilities</span></summary>'
            f"{_scroll(table)}</details>"
        )
    outcomes = _obj(_obj(report.get("summary")).get("outcomes"))
    count = _int(outcomes.get("unsupported")) or sum(_int(x.get("count")) for x in entries)
    return (
        f'<section id="unsupported">{title}<details><summary>{count} unsupported results, '
        f"by adapter, capability and vector file or check</summary>{''.join(blocks)}"
        "</details></section>"
    )


# --- provenance and adapters ---------------------------------------------------------------------


def _vector_files(files: list[Any]) -> str:
    rows = "".join(
        f'<tr><td class="nowrap">{_e(f.get("file"))}</td>'
        f'<td class="mono nowrap">{_e(f.get("sha256"))}</td>'
        f"<td>{_e(f.get('numberOfTests'))}</td></tr>"
        for f in map(_obj, files)
    )
    return (
        f"<details><summary>{len(files)} vector files</summary>"
        + _scroll(
            "<table><thead><tr><th>file</th><th>sha256</th><th>tests</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
        + "</details>"
    )


def _command(value: Any) -> str:
    if isinstance(value, list):
        return shlex.join(_text(v) for v in value)
    return _text(value)


def _shard(value: Any) -> str:
    shard = _obj(value)
    if not shard:
        return "none"
    return f"{_text(shard.get('index'))} of {_text(shard.get('count'))}"


def _provenance(report: dict[str, Any]) -> str:
    suite = _obj(report.get("suite"))
    vectors = _obj(suite.get("vectors"))
    run = _obj(report.get("run"))
    python = " ".join(x for x in (_text(run.get("python")), _text(run.get("implementation"))) if x)
    rows = [
        ("suite", f"{_or_dash(suite.get('name'))} {_e(suite.get('version'))}"),
        (
            "commit",
            _code(suite.get("commit"))
            + (" (tracked files modified)" if suite.get("modified") is True else ""),
        ),
        ("report version", _or_dash(report.get("reportVersion"))),
        ("vector set digest", _code(vectors.get("digest"))),
        ("vector files", _vector_files(_seq(vectors.get("files")))),
        ("command", _code(_command(run.get("command")))),
        ("families", _or_dash(", ".join(_text(f) for f in _seq(run.get("families"))))),
        ("tier", _or_dash(run.get("tier"))),
        ("seed", _or_dash(run.get("seed"))),
        ("shard", _e(_shard(run.get("shard")))),
        ("jobs", _or_dash(run.get("jobs"))),
        ("profile", _or_dash(_obj(run.get("profile")).get("name"))),
        ("python", _or_dash(python)),
        ("platform", _or_dash(run.get("platform"))),
        ("started", _or_dash(run.get("startedAt"))),
        ("finished", _or_dash(run.get("finishedAt"))),
    ]
    expectations = _obj(report.get("expectations"))
    if expectations:
        rows.append(
            (
                "expectations file",
                f"{_code(expectations.get('file'))} sha256 {_code(expectations.get('sha256'))}",
            )
        )
    gist = " · ".join(
        x
        for x in (
            f"{_text(suite.get('name'))} {_text(suite.get('version'))}".strip(),
            _text(suite.get("commit"))[:12],
            _text(run.get("tier")),
            _text(run.get("startedAt")),
        )
        if x
    )
    return (
        f'<section id="provenance"><h2>Provenance</h2><details><summary>Suite, vectors, command '
        f'and platform <span class="dim">{_e(gist)}</span></summary>{_kv_table(rows)}</details>'
        "</section>"
    )


def _notes(value: Any) -> str:
    notes = _obj(value)
    if not notes:
        return '<span class="dim">—</span>'
    items = "".join(f"<li><b>{_e(k)}</b>: {_e(v)}</li>" for k, v in sorted(notes.items()))
    return f"<ul>{items}</ul>"


def _adapter_row(adapter: dict[str, Any], no_refusal: Sequence[str] = ()) -> str:
    status = _text(adapter.get("status")) or "unknown"
    status_class = "o-pass" if status == "ok" else "o-fail"
    error = _text(adapter.get("error"))
    error_html = (
        f"<details><summary>error</summary><pre>{_e(error)}</pre></details>" if error else ""
    )
    caps = [_text(c) for c in _seq(adapter.get("capabilities"))]
    old = (
        '<br><span class="dim">protocol 1: refusals return no state</span>'
        if _text(adapter.get("name")) in no_refusal
        else ""
    )
    return (
        f"<tr><td><b>{_e(adapter.get('name'))}</b></td>"
        f"<td class=mid>{_or_dash(adapter.get('implementation'))}</td>"
        f"<td class=mid>{_or_dash(adapter.get('version'))}</td>"
        f'<td class="long"><span class="badge {status_class}">{_e(status)}</span>'
        f"{error_html}{old}</td>"
        f"<td class=mid>{_e(', '.join(caps)) or '—'}</td>"
        f'<td class="long">{_code(adapter.get("manifest"))}<br>'
        f"{_code(adapter.get('manifestSha256'))}</td>"
        f'<td class="long">{_notes(adapter.get("notes"))}</td></tr>'
    )


def _adapters(report: dict[str, Any]) -> str:
    adapters = [_obj(a) for a in _seq(report.get("adapters"))]
    if not adapters:
        return '<section id="adapters"><h2>Adapters</h2><p>No adapters in this run.</p></section>'
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "name",
            "implementation",
            "version",
            "status",
            "capabilities",
            "manifest / sha256",
            "notes",
        )
    )
    no_refusal = [_text(n) for n in _seq(_obj(report.get("summary")).get("noRefusalState"))]
    rows = "".join(_adapter_row(a, no_refusal) for a in adapters)
    broken = [_text(a.get("name")) for a in adapters if _text(a.get("status")) != "ok"]
    broken_html = (
        f'<p id="not-started"><span class="badge o-fail">could not start</span> '
        f"{_e(', '.join(broken))} <span class=dim>(the error is in the adapter details)</span></p>"
        if broken
        else ""
    )
    table = f'<table class="wide"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    return (
        f'<section id="adapters"><h2>Adapters</h2>{broken_html}<details><summary>{len(adapters)} '
        f"adapters: implementation, version, capabilities, manifest and notes</summary>"
        f"{_scroll(table, 'adapters')}</details></section>"
    )


def _expectations(report: dict[str, Any]) -> str:
    expectations = _obj(report.get("expectations"))
    entries = [_obj(e) for e in _seq(expectations.get("entries"))]
    if not entries:
        return ""
    cols = ("#", "check", "adapter", "versions", "expires", "matched", "status", "reason", "link")
    head = "".join(f"<th>{c}</th>" for c in cols)
    rows = "".join(
        f"<tr><td>{_e(x.get('index'))}</td><td class=long>{_code(x.get('check'))}</td>"
        f"<td>{_or_dash(x.get('adapter'))}</td><td>{_or_dash(x.get('versions'))}</td>"
        f"<td>{_or_dash(x.get('expires'))}</td><td>{_e(x.get('matched'))}</td>"
        f'<td><span class="badge {_status_class(x.get("status"))}">{_e(x.get("status"))}</span>'
        f"</td><td class=long>{_or_dash(x.get('reason'))}</td>"
        f"<td class=long>{_link(x.get('link'))}</td></tr>"
        for x in entries
    )
    table = f'<table class="wide"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    return (
        f'<section id="expectations"><h2>Expectations</h2>'
        f"<p>{_code(expectations.get('file'))}</p>{_scroll(table, 'expectations')}</section>"
    )


def _status_class(status: Any) -> str:
    return {"ok": "o-pass", "outside-slice": "o-unsupported", "not-run": "o-unsupported"}.get(
        _text(status), "o-fail"
    )


# --- page ----------------------------------------------------------------------------------------


def _filter_box() -> str:
    return (
        '<div id="filterbox"><label for="filter">Filter: </label>'
        '<input id="filter" type="search" autocomplete="off" '
        'placeholder="check id, adapter, capability, flag, detail…"> '
        '<span id="filter-count" class="dim"></span></div>'
    )


def _nav(report: dict[str, Any]) -> str:
    links = [
        ("blocking", "Blocking"),
        ("matrix-section", "Matrix"),
        ("pairs", "Pairs"),
        ("groups", "Groups"),
        ("properties", "Properties"),
        ("healing", "Healing"),
        ("restarts", "Restarts"),
        ("low-order", "Low-order keys"),
        ("disagreements-section", "Disagreements"),
        ("acceptable-section", "Acceptable"),
        ("unsupported", "Unsupported"),
        ("provenance", "Provenance"),
        ("adapters", "Adapters"),
    ]
    if _seq(_obj(report.get("summary")).get("ed25519Rules")):
        links.insert(5, ("ed25519-rules-section", "Ed25519 rules"))
    if _obj(_obj(report.get("summary")).get("durations")):
        links.insert(-2, ("durations", "Time"))
    if _seq(_obj(report.get("expectations")).get("entries")):
        links.append(("expectations", "Expectations"))
    return "<nav>" + "".join(f'<a href="#{a}">{t}</a>' for a, t in links) + "</nav>"


def _measured_sections(report: dict[str, Any]) -> tuple[str, ...]:
    # Imported here: the module renders with this one's helpers.
    from .html_measures import healing_section, low_order_section, restarts_section

    return healing_section(report), restarts_section(report), low_order_section(report)


def render_html(report: Mapping[str, Any]) -> str:
    """Render a ``report.json`` dict as one self-contained HTML page."""
    report = _obj(report)
    suite = _obj(report.get("suite"))
    title = f"{_text(suite.get('name')) or 'e2ee-conformance'} report: {_verdict(report).upper()}"
    body = "".join(
        (
            _header(report),
            _nav(report),
            _filter_box(),
            _failures(report),
            _matrix(report),
            _pairs(report),
            _groups(report),
            _properties(report),
            *_measured_sections(report),
            _ed25519_rules(report),
            _disagreements(report),
            _acceptable(report),
            _durations(report),
            _unsupported(report),
            _provenance(report),
            _adapters(report),
            _expectations(report),
        )
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(_CSP)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f"<body>{body}<script>{_JS}</script></body></html>\n"
    )
