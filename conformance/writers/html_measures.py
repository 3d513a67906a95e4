"""The HTML report's sections for what checks measured (:mod:`conformance.measures`): healing
after a compromise (a table per family: each ordered pair's messages read per traffic pattern
against the bound, with a bar), restarts (whose persisted state survives), and low-order keys
(what each implementation did with them, per place). Every value is escaped on the way out."""

from __future__ import annotations

from typing import Any

from .html import _cell_class, _counts, _e, _obj, _scroll, _seq, _text

__all__ = ["healing_section", "low_order_section", "restarts_section"]


def _outcome_cell(outcome: str) -> str:
    return f'<td class="cell {_cell_class(_counts({outcome: 1}))}">{_e(outcome)}</td>'


def _bar(read: int, bound: int) -> str:
    """``read`` messages as a bar of blocks (the page's policy allows no inline style), the
    blocks past ``bound`` marked."""
    inside, past = min(read, bound), max(read - bound, 0)
    return (
        f'<span class="bar" aria-hidden="true">{"█" * inside}</span>'
        f'<span class="bar-past" aria-hidden="true">{"█" * past}</span>'
    )


def healing_section(report: dict[str, Any]) -> str:
    families = _obj(_obj(report.get("summary")).get("healing"))
    head = "<h2>Healing after a compromise</h2>"
    if not families:
        return f'<section id="healing">{head}<p>No post-compromise check ran.</p></section>'
    tables = []
    for family in sorted(families, key=_text):
        rows = [_obj(r) for r in _seq(families[family])]
        patterns = list(dict.fromkeys(_text(r.get("pattern")) for r in rows))
        bounds = {_text(r.get("pattern")): _int(r.get("bound")) for r in rows}
        by_pair: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        for r in rows:
            key = (_text(r.get("first")), _text(r.get("second")))
            by_pair.setdefault(key, {})[_text(r.get("pattern"))] = r
        body = []
        for (first, second), cells in by_pair.items():
            tds = []
            for p in patterns:
                cell = cells.get(p)
                if cell is None:
                    tds.append('<td class="dim">—</td>')
                    continue
                read, bound = _int(cell.get("read")), _int(cell.get("bound"))
                cls = "c-fail" if read > bound else "c-pass"
                tds.append(f'<td class="{cls}">{read} {_bar(read, bound)}</td>')
            body.append(f"<tr><td>{_e(first)} → {_e(second)}</td>{''.join(tds)}</tr>")
        header = "".join(f"<th>{_e(p)} (bound {bounds[p]})</th>" for p in patterns)
        table = (
            f'<table id="healing-{_e(family)}" class="grid healing"><thead><tr>'
            f"<th>sender → receiver</th>{header}</tr></thead><tbody>{''.join(body)}</tbody>"
            "</table>"
        )
        tables.append(f"<h3>{_e(family)}</h3>{_scroll(table, f'healing, {family}')}")
    note = (
        '<p class="dim">Messages a thief holding both parties\' states, following all traffic, '
        "read after the theft, per traffic pattern; the bound is the Double Ratchet's (the "
        "first two runs of messages after the theft, §3.5). A value past it fails "
        "post-compromise-security.</p>"
    )
    return f'<section id="healing">{head}{note}{"".join(tables)}</section>'


def restarts_section(report: dict[str, Any]) -> str:
    rows = _obj(_obj(report.get("summary")).get("restarts"))
    head = "<h2>Restarts</h2>"
    if not rows:
        return f'<section id="restarts">{head}<p>No restart check ran.</p></section>'
    body = []
    for adapter in sorted(rows, key=_text):
        r = _obj(rows[adapter])
        charged, verdict = _int(r.get("charged")), _text(r.get("state"))
        cls = "c-fail" if charged else "c-pass" if _int(r.get("passed")) else "c-unsup"
        families = ", ".join(_text(f) for f in _seq(r.get("families")))
        body.append(
            f"<tr><td>{_e(adapter)}</td><td>{_e(families)}</td>"
            f"<td>{_int(r.get('passed'))}</td><td>{_int(r.get('failed'))}</td>"
            f'<td>{charged}</td><td class="{cls}">{_e(verdict)}</td></tr>'
        )
    table = (
        '<table id="restarts-table" class="grid"><thead><tr><th>implementation</th>'
        "<th>families</th><th>passed</th><th>failed</th><th>failures charged to it</th>"
        f"<th>its persisted state</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
    note = (
        '<p class="dim">pair/&lt;family&gt;/restart and prop/&lt;family&gt;/crash-restart: a '
        "party's implementation is restarted mid-conversation (its process killed, or its object "
        "made again) and goes on from the state it last returned. A failure is charged to it "
        "only when the same story without restarts passed.</p>"
    )
    return f'<section id="restarts">{head}{note}{_scroll(table, "restarts")}</section>'


def low_order_section(report: dict[str, Any]) -> str:
    families = _obj(_obj(report.get("summary")).get("lowOrder"))
    head = "<h2>Low-order keys</h2>"
    if not families:
        return f'<section id="low-order">{head}<p>No low-order check ran.</p></section>'
    tables = []
    for family in sorted(families, key=_text):
        rows = [_obj(r) for r in _seq(families[family])]
        places = list(dict.fromkeys(_text(r.get("place")) for r in rows))
        adapters = list(dict.fromkeys(_text(r.get("adapter")) for r in rows))
        cell = {(_text(r.get("adapter")), _text(r.get("place"))): r for r in rows}
        body = []
        for a in adapters:
            tds = []
            for p in places:
                r = cell.get((a, p))
                if r is None:
                    tds.append('<td class="dim">—</td>')
                    continue
                n = _int(r.get("accepted"))
                outcome = _text(r.get("outcome"))
                cls = _cell_class(_counts({outcome: 1}))
                if outcome == "pass" and n:
                    cls = "c-warn"
                title = _e(_text(r.get("points")) or "none")
                tds.append(f'<td class="{cls}" title="{title}">{n} of 14 accepted</td>')
            body.append(f"<tr><td>{_e(a)}</td>{''.join(tds)}</tr>")
        header = "".join(f"<th>{_e(p)}</th>" for p in places)
        table = (
            f'<table id="low-order-{_e(family)}" class="grid"><thead><tr><th>implementation</th>'
            f"{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
        tables.append(f"<h3>{_e(family)}</h3>{_scroll(table, f'low-order keys, {family}')}")
    note = (
        '<p class="dim">Each of the 14 low-order and non-canonical X25519 encodings offered where '
        "a peer key enters, by the suite's reference as the attacker. Accepting is allowed by the "
        "Olm and Signal specifications (profile spec, shown amber) and refused by profile strict; "
        "HPKE and MLS require refusal (RFC 9180 §7.1.4).</p>"
    )
    return f'<section id="low-order">{head}{note}{"".join(tables)}</section>'


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
