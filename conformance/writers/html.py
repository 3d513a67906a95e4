"""``report.html``: one self-contained page rendered from ``report.json``.

The page carries its own CSS and a few lines of JS (a filter box); it loads nothing from anywhere,
so it opens the same from a CI artifact, an e-mail attachment or a ``file://`` URL. A
Content-Security-Policy allows only the page's own style and script (by hash), so even a mistake in
escaping could not run injected script.

Everything taken from the report is untrusted (adapter names, versions, error text, details,
inputs all come from the implementations under test) and goes through :func:`_e` before it reaches
the page, and only ever into element text or a quoted attribute. No report data is placed inside
``<script>`` or ``<style>``: the filter reads ``data-*`` attributes.

Sections: verdict and provenance, the capabilities x adapters matrix, one sender x receiver grid
per pair family, the acceptable behaviours chosen, every non-pass result other than
``unsupported`` (those are only counted), and the expectations file's entries.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..attribution import fault_text
from ..report import unfinished_reason
from ..results import OBSERVED_OUTCOMES, OUTCOMES
from ..untrusted import visible

__all__ = ["render_html"]

Counts = dict[str, int]

#: Outcomes listed one by one, most serious first; ``unsupported`` is only counted.
LISTED: tuple[str, ...] = ("fail", "error", "unexpected-pass", "expected-fail")
_BAD: tuple[str, ...] = ("fail", "error", "unexpected-pass")
#: Shown even when zero; the two expectation outcomes only when they occur.
_ALWAYS_SHOWN = OBSERVED_OUTCOMES

_CSS = """
:root{--pass:#cdebd3;--fail:#f6c9c9;--warn:#fbe3a6;--unsup:#e3e3e3;--ink:#1d1d1f;--dim:#6b6b70;
--line:#d0d0d5;--bg:#fafafa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);
background:var(--bg);margin:0 auto;padding:1.2em 2em 4em;max-width:1400px}
h1{font-size:1.5em;margin:.2em 0}
h2{font-size:1.2em;margin:1.8em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
h3{font-size:1em;margin:1.2em 0 .4em}
nav a{margin-right:1em}
code,pre,.mono{font:12.5px/1.4 ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace}
pre{background:#f0f0f3;border:1px solid var(--line);padding:.6em;overflow:auto;
white-space:pre-wrap;word-break:break-all;max-height:30em}
code{background:#f0f0f3;padding:0 .2em;word-break:break-all}
table{border-collapse:collapse;margin:.4em 0}
th,td{border:1px solid var(--line);padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#efeff2}
.verdict{display:inline-block;font-size:2.4em;font-weight:800;padding:.05em .5em;
border-radius:.2em;letter-spacing:.05em}
.v-pass{background:#1e8e3e;color:#fff}.v-fail{background:#c5221f;color:#fff}
.v-unknown{background:#777;color:#fff}
.badge{display:inline-block;border-radius:.3em;padding:0 .4em;margin:0 .2em .2em 0;
font-size:.9em;border:1px solid var(--line)}
.o-pass{background:var(--pass)}.o-fail,.o-error,.o-unexpected-pass{background:var(--fail)}
.o-expected-fail{background:var(--warn)}.o-unsupported{background:var(--unsup)}
.c-pass{background:var(--pass)}.c-fail{background:var(--fail)}.c-warn{background:var(--warn)}
.c-unsup{background:var(--unsup)}.c-none{color:var(--dim);text-align:center}
.cell span{display:inline-block;margin-right:.5em;white-space:nowrap}
.cell .zero{color:var(--dim);opacity:.6}
.dim{color:var(--dim)}
.kv th{width:13em;font-weight:600}
.reasons li{margin:.1em 0}
#filterbox{position:sticky;top:0;background:var(--bg);padding:.5em 0;z-index:1;
border-bottom:1px solid var(--line)}
#filter{font-size:1em;padding:.3em .5em;width:min(40em,90%)}
details.result{border:1px solid var(--line);border-left-width:6px;margin:.3em 0;
background:#fff;border-radius:.2em}
details.result>summary{cursor:pointer;padding:.3em .5em}
details.result>div{padding:0 .8em .6em}
details.result.o-fail,details.result.o-error,details.result.o-unexpected-pass{
border-left-color:#c5221f}
details.result.o-expected-fail{border-left-color:#d39e00}
.corner{font-weight:400;color:var(--dim);font-size:.85em}
[hidden]{display:none!important}
"""

_JS = """
(function () {
  "use strict";
  var input = document.getElementById("filter");
  if (!input) { return; }
  var items = Array.prototype.slice.call(document.querySelectorAll("#failures [data-filter]"));
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


def _adapter_names(report: dict[str, Any]) -> list[str]:
    """Adapters in report order, then any that only appear in the summary."""
    names = [_text(_obj(a).get("name")) for a in _seq(report.get("adapters"))]
    extra = sorted(_obj(_obj(report.get("summary")).get("byAdapter")).keys() - set(names))
    return [*names, *extra]


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
    parts = []
    for key in OUTCOMES:
        if key in _ALWAYS_SHOWN or c[key]:
            zero = ' class="zero"' if not c[key] else ""
            parts.append(f"<span{zero}>{c[key]} {key}</span>")
    return "".join(parts)


def _cell(value: Any) -> str:
    if value is None:
        return '<td class="c-none">—</td>'
    c = _counts(value)
    return f'<td class="cell {_cell_class(c)}">{_cell_body(c)}</td>'


def _outcome_badges(counts: Counts) -> str:
    return "".join(
        f'<span class="badge o-{k}">{counts[k]} {k}</span>'
        for k in OUTCOMES
        if k in _ALWAYS_SHOWN or counts[k]
    )


# --- header and provenance -----------------------------------------------------------------------


def _verdict(report: dict[str, Any]) -> str:
    verdict = _text(_obj(report.get("gate")).get("verdict") or report.get("verdict")).lower()
    return verdict if verdict in ("pass", "fail") else "unknown"


def _header(report: dict[str, Any]) -> str:
    verdict = _verdict(report)
    gate = _obj(report.get("gate"))
    summary = _obj(report.get("summary"))
    reasons = [_text(r) for r in _seq(gate.get("reasons"))]
    reasons_html = (
        '<ul class="reasons">' + "".join(f"<li>{_e(r)}</li>" for r in reasons) + "</ul>"
        if reasons
        else '<p class="dim">The gate gave no reasons.</p>'
    )
    policy = _obj(gate.get("policy"))
    gate_line = ""
    if gate:
        gate_line = (
            f"<p>{_int(gate.get('blocking'))} blocking, {_int(gate.get('warnings'))} warnings"
            f" · fail on: {_e(', '.join(_text(x) for x in _seq(policy.get('failOn'))) or '—')}"
            f" · allow stale expectations: {_e(policy.get('allowStale', '—'))}</p>"
        )
    return (
        "<header>"
        f"<h1>{_e(_obj(report.get('suite')).get('name') or 'e2ee-conformance')} report</h1>"
        f'<div class="verdict v-{verdict}" id="verdict">{verdict.upper()}</div>'
        f"{_unfinished(report)}"
        f"<p>{_int(summary.get('total'))} results: "
        f"{_outcome_badges(_counts(summary.get('outcomes')))}</p>"
        f"{gate_line}<h3>Gate reasons</h3>{reasons_html}"
        "</header>"
    )


def _unfinished(report: dict[str, Any]) -> str:
    try:
        why = unfinished_reason(report)
    except (KeyError, TypeError):
        return ""
    if why is None:
        return ""
    return f'<p class="partial" id="partial"><strong>Partial report: {_e(why)}.</strong></p>'


def _vector_files(files: list[Any]) -> str:
    rows = "".join(
        f"<tr><td>{_e(f.get('file'))}</td><td class=mono>{_e(f.get('sha256'))}</td>"
        f"<td>{_e(f.get('numberOfTests'))}</td></tr>"
        for f in map(_obj, files)
    )
    return (
        f"<details><summary>{len(files)} vector files</summary>"
        "<table><thead><tr><th>file</th><th>sha256</th><th>tests</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></details>"
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
    return f'<section id="provenance"><h2>Provenance</h2>{_kv_table(rows)}</section>'


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
        f"<td>{_or_dash(adapter.get('implementation'))}</td>"
        f"<td>{_or_dash(adapter.get('version'))}</td>"
        f'<td><span class="badge {status_class}">{_e(status)}</span>{error_html}{old}</td>'
        f"<td>{_e(', '.join(caps)) or '—'}</td>"
        f"<td>{_code(adapter.get('manifest'))}<br>{_code(adapter.get('manifestSha256'))}</td>"
        f"<td>{_notes(adapter.get('notes'))}</td></tr>"
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
    return (
        '<section id="adapters"><h2>Adapters</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
    )


# --- matrix, pairs, acceptable -------------------------------------------------------------------


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
        f"<th>{_e(n)}<br><span class=dim>{_e(versions.get(n, ''))}</span></th>" for n in names
    )
    rows = "".join(
        f'<tr data-capability="{_e(cap)}"><th>{_e(cap)}</th>'
        + "".join(_cell(by_adapter.get(n, {}).get(cap)) for n in names)
        + "</tr>"
        for cap in caps
    )
    totals = "".join(_cell(_sum_counts(by_adapter.get(n, {}).values())) for n in names)
    return (
        f'<section id="matrix-section">{title}'
        '<table id="matrix"><thead><tr><th class="corner">capability \\ adapter</th>'
        f"{head}</tr></thead><tbody>{rows}</tbody>"
        f"<tfoot><tr><th>all</th>{totals}</tr></tfoot></table></section>"
    )


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
    return (
        f"<h3>{_e(family)}</h3>"
        f'<table id="pairs-{_e(family)}" class="pairs"><thead><tr>'
        f'<th class="corner">sender ↓ receiver →</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _pairs(report: dict[str, Any]) -> str:
    pairs = _obj(_obj(report.get("summary")).get("pairs"))
    title = "<h2>Pair checks</h2>"
    if not pairs:
        return f'<section id="pairs">{title}<p>There are no pair checks in this run.</p></section>'
    grids = "".join(_pair_grid(_text(f), _obj(pairs[f])) for f in sorted(pairs, key=_text))
    return f'<section id="pairs">{title}{grids}</section>'


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
        tables.append(
            f"<h3>{_e(_text(family))}</h3>"
            f'<table id="properties-{_e(_text(family))}" class="pairs"><thead><tr>'
            f'<th class="corner">property ↓ receiver →</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    note = (
        "<p>Each property runs over every ordered pair; a column counts the pairs in which that "
        "adapter was the receiver judged. A property a family does not offer by design is "
        "labelled with the reason.</p>"
    )
    return f'<section id="properties">{title}{note}{"".join(tables)}</section>'


def _acceptable_cell(value: Any) -> str:
    if value is None:
        return '<td class="c-none">—</td>'
    raw = _obj(value)
    accepted, rejected = _int(raw.get("accepted")), _int(raw.get("rejected"))
    if accepted and rejected:
        label = "mixed"
    elif accepted:
        label = "accepts"
    elif rejected:
        label = "rejects"
    else:
        label = "—"
    return (
        f"<td><b>{label}</b> <span class=dim>({accepted} accepted, {rejected} rejected)</span></td>"
    )


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
    return (
        f'<section id="acceptable-section">{title}'
        '<p class="dim">Cases the vectors mark <code>acceptable</code>: either behaviour conforms; '
        "this is what each implementation chose.</p>"
        '<table id="acceptable"><thead><tr><th class="corner">flag \\ adapter</th>'
        f"{head}</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _disagreements(report: dict[str, Any]) -> str:
    rows_in = [_obj(d) for d in _seq(_obj(report.get("summary")).get("disagreements"))]
    title = "<h2>Where implementations disagree</h2>"
    if not rows_in:
        return (
            f'<section id="disagreements-section">{title}<p>Every implementation that ran a '
            "case did the same with it.</p></section>"
        )
    names = _adapter_names(report)
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    rows = []
    for d in rows_in:
        choices = _obj(d.get("choices"))
        vec = _obj(d.get("vector"))
        where = f"{_e(vec.get('file'))} tcId {_e(vec.get('tcId'))}" if vec else _e(d.get("check"))
        cells = "".join(
            f'<td class="{_choice_class(choices.get(n))}">{_e(choices.get(n, "—"))}</td>'
            for n in names
        )
        rows.append(
            f"<tr><th>{where}<br><span class=dim>{_e(d.get('capability'))} · expected "
            f"{_e(d.get('expected'))} · {_e(', '.join(map(_text, _seq(d.get('flags')))))}"
            f"</span></th>{cells}</tr>"
        )
    return (
        f'<section id="disagreements-section">{title}'
        '<p class="dim">Cases on which the implementations that ran them did not all do the same '
        "(accepted, rejected, or an error), side by side.</p>"
        f'<table id="disagreements"><thead><tr><th class="corner">case \\ adapter</th>{head}'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _choice_class(choice: Any) -> str:
    text = _text(choice)
    if text == "accepted":
        return "c-pass"
    if text == "rejected":
        return "c-unsup"
    return "c-fail" if text else "c-none"


# --- listed results ------------------------------------------------------------------------------


def _adapters_label(adapters: Sequence[str]) -> str:
    if len(adapters) == 2:
        return f"{adapters[0]} → {adapters[1]}"
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
    return f'<table class="inputs">{rows}</table>'


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


def _filter_text(r: dict[str, Any], adapters: Sequence[str]) -> str:
    vector = _obj(r.get("vector"))
    parts = [
        r.get("check"),
        r.get("outcome"),
        r.get("family"),
        r.get("capability"),
        " ".join(adapters),
        vector.get("file"),
        vector.get("tcId"),
        " ".join(_text(f) for f in _seq(r.get("flags"))),
        " ".join(_text(b) for b in _seq(r.get("bugTypes"))),
        r.get("comment"),
        r.get("detail"),
    ]
    return " ".join(_text(p) for p in parts if p is not None).lower()


def _joined(value: Any) -> str:
    return _or_dash(", ".join(_text(v) for v in _seq(value)))


def _pre(value: Any) -> str:
    return f"<pre>{_e(value)}</pre>"


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
    ("reproduce", "reproduce", _code),
)


def _fault_rows(r: dict[str, Any]) -> list[tuple[str, str]]:
    blame = fault_text(r)
    if blame is None:
        return []
    return [("party at fault", _e(blame)), ("evidence", _e(_obj(r.get("fault")).get("evidence")))]


def _result(r: dict[str, Any]) -> str:
    outcome = _text(r.get("outcome"))
    adapters = [_text(a) for a in _seq(r.get("adapters"))]
    gate = _text(r.get("gate"))
    gate_html = f' <span class="badge">gate: {_e(gate)}</span>' if gate else ""
    observed = r.get("observed")
    rows = [
        ("outcome", _e(outcome) + (f" (observed {_e(observed)})" if observed else "")),
        ("check", _code(r.get("check"))),
        ("adapters", _or_dash(_adapters_label(adapters))),
        *_fault_rows(r),
        ("family / capability", f"{_or_dash(r.get('family'))} / {_or_dash(r.get('capability'))}"),
    ]
    rows += [
        (label, render(r.get(key)))
        for label, key, render in _OPTIONAL_ROWS
        if r.get(key) not in (None, "", [], {})
    ]
    return (
        f'<details class="result o-{_e(outcome)}" data-filter="{_e(_filter_text(r, adapters))}"'
        f' data-capability="{_e(r.get("capability"))}">'
        f'<summary><span class="badge o-{_e(outcome)}">{_e(outcome)}</span>{gate_html} '
        f"<code>{_e(r.get('check'))}</code> <span class=dim>{_e(_adapters_label(adapters))}"
        f"</span></summary><div>{_kv_table(rows)}</div></details>"
    )


def _listed_results(report: dict[str, Any]) -> list[dict[str, Any]]:
    rank = {o: i for i, o in enumerate(LISTED)}
    listed = [
        (rank[_text(r.get("outcome"))], i, r)
        for i, r in enumerate(map(_obj, _seq(report.get("results"))))
        if _text(r.get("outcome")) in rank
    ]
    return [r for _, _, r in sorted(listed, key=lambda t: (t[0], t[1]))]


def _failures(report: dict[str, Any]) -> str:
    listed = _listed_results(report)
    title = "<h2>Failures, errors and expected failures</h2>"
    if not listed:
        body = "<p>Every result passed or was unsupported.</p>"
    else:
        body = "".join(_result(r) for r in listed)
    return f'<section id="failures">{title}{body}</section>'


def _unsupported(report: dict[str, Any]) -> str:
    notes = {
        _text(_obj(a).get("name")): _obj(_obj(a).get("notes")) for a in _seq(report.get("adapters"))
    }
    by_adapter = _obj(_obj(report.get("summary")).get("byAdapter"))
    rows = [
        (_text(a), _text(cap), _counts(c)["unsupported"])
        for a, caps in sorted(by_adapter.items(), key=lambda kv: _text(kv[0]))
        for cap, c in sorted(_obj(caps).items(), key=lambda kv: _text(kv[0]))
        if _counts(c)["unsupported"]
    ]
    title = "<h2>Unsupported</h2>"
    if not rows:
        return f'<section id="unsupported">{title}<p>No unsupported results.</p></section>'
    total = sum(n for _, _, n in rows)
    body = "".join(
        f"<tr><td>{_e(a)}</td><td>{_e(cap)}</td><td>{n}</td>"
        f"<td>{_or_dash(notes.get(a, {}).get(cap))}</td></tr>"
        for a, cap, n in rows
    )
    return (
        f'<section id="unsupported">{title}<details><summary>{total} unsupported results '
        "by adapter and capability</summary>"
        "<table><thead><tr><th>adapter</th><th>capability</th><th>results</th><th>note</th></tr>"
        f"</thead><tbody>{body}</tbody></table></details></section>"
    )


def _expectations(report: dict[str, Any]) -> str:
    expectations = _obj(report.get("expectations"))
    entries = [_obj(e) for e in _seq(expectations.get("entries"))]
    if not entries:
        return ""
    cols = ("#", "check", "adapter", "versions", "expires", "matched", "status", "reason", "link")
    head = "".join(f"<th>{c}</th>" for c in cols)
    rows = "".join(
        f"<tr><td>{_e(x.get('index'))}</td><td>{_code(x.get('check'))}</td>"
        f"<td>{_or_dash(x.get('adapter'))}</td><td>{_or_dash(x.get('versions'))}</td>"
        f"<td>{_or_dash(x.get('expires'))}</td><td>{_e(x.get('matched'))}</td>"
        f'<td><span class="badge {_status_class(x.get("status"))}">{_e(x.get("status"))}</span>'
        f"</td><td>{_or_dash(x.get('reason'))}</td><td>{_link(x.get('link'))}</td></tr>"
        for x in entries
    )
    return (
        f'<section id="expectations"><h2>Expectations</h2>'
        f"<p>{_code(expectations.get('file'))}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
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
        ("provenance", "Provenance"),
        ("adapters", "Adapters"),
        ("matrix-section", "Matrix"),
        ("pairs", "Pairs"),
        ("properties", "Properties"),
        ("acceptable-section", "Acceptable"),
        ("disagreements-section", "Disagreements"),
        ("failures", "Failures"),
        ("unsupported", "Unsupported"),
    ]
    if _seq(_obj(report.get("expectations")).get("entries")):
        links.append(("expectations", "Expectations"))
    return "<nav>" + "".join(f'<a href="#{a}">{t}</a>' for a, t in links) + "</nav>"


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
            _provenance(report),
            _adapters(report),
            _matrix(report),
            _pairs(report),
            _properties(report),
            _acceptable(report),
            _disagreements(report),
            _failures(report),
            _unsupported(report),
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
