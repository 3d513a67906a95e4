"""The report's measured tables (conformance.measures): built from results' ``measured`` and
outcomes, and rendered with every value escaped (adapter names come from manifests, which a
user may write)."""

from __future__ import annotations

from typing import Any

from conformance.measures import measured_tables
from conformance.writers.html_measures import (
    healing_section,
    low_order_section,
    restarts_section,
)
from conformance.writers.markdown import _measured

HOSTILE = '<script>alert(1)</script>"'


def _result(check: str, adapters: list[str], outcome: str, **more: Any) -> dict[str, Any]:
    return {
        "check": check,
        "family": check.split("/")[1],
        "adapters": adapters,
        "outcome": outcome,
        **more,
    }


RESULTS = [
    _result(
        "prop/signal/post-compromise-security",
        [HOSTILE, "reference"],
        "fail",
        measured={"alternating": 3, "alternating bound": 2, "bursts": 8, "bursts bound": 8},
    ),
    _result("pair/olm/restart", ["reference", HOSTILE], "pass", measured={"restarts": 6}),
    _result(
        "prop/olm/crash-restart",
        [HOSTILE, "reference"],
        "fail",
        detail="bob reads message 3 after bob's restart",
        fault={"party": "receiver", "adapters": [HOSTILE], "evidence": "x"},
        measured={"restarts": 3},
    ),
    _result(
        "prop/olm/low-order-base-key",
        [HOSTILE, HOSTILE],
        "pass",
        behaviour="accepted",
        measured={"as bob: accepted": "0, 1", "as alice: accepted": "1, p"},
    ),
]
UNSUPPORTED = [
    {
        "check": "pair/mls/restart",
        "family": "mls",
        "adapters": ["openmls", "reference"],
        "count": 1,
        "detail": "by design: openmls declares its members' state a handle",
    }
]


def test_tables_count_what_was_measured() -> None:
    t = measured_tables(RESULTS, UNSUPPORTED)
    (row, second) = t["healing"]["signal"]
    assert (row["pattern"], row["read"], row["bound"]) == ("alternating", 3, 2)
    assert (second["pattern"], second["read"]) == ("bursts", 8)
    hostile = t["restarts"][HOSTILE]
    assert (hostile["passed"], hostile["failed"], hostile["charged"]) == (1, 1, 1)
    assert hostile["state"].startswith("lost")
    assert t["restarts"]["openmls"]["state"] == "not kept in mls (declared)"
    assert t["restarts"]["reference"]["state"] == "survives"
    (low,) = t["lowOrder"]["olm"]
    assert (low["place"], low["accepted"], low["points"]) == ("base-key", 3, "0, 1, p")


def test_a_restart_failure_without_restarts_charges_no_state() -> None:
    control = _result(
        "pair/signal/restart",
        ["a", "b"],
        "fail",
        detail="without any restart: bob reads message 0",
        fault={"party": "receiver", "adapters": ["b"], "evidence": "x"},
    )
    t = measured_tables([control], [])
    assert t["restarts"]["b"]["charged"] == 0
    assert t["restarts"]["b"]["state"].startswith("not shown")


def test_sections_escape_every_value() -> None:
    report = {"summary": measured_tables(RESULTS, UNSUPPORTED)}
    for section in (healing_section, restarts_section, low_order_section):
        page = section(report)
        assert "<script>" not in page
        assert "&lt;script&gt;" in page
    assert "c-fail" in healing_section(report)  # 3 read against a bound of 2
    text = "\n".join(_measured(report["summary"]))
    assert "<script>" not in text
    assert "| signal | alternating | 3-3 | 2 | 1 of 1 pairs |" in text


def test_known_answer_results_travel_between_processes() -> None:
    """--jobs N sends results back from workers by pickle: a known-answer result's empty
    ``measured`` must pickle (a MappingProxyType did not, and every worker's task failed)."""
    import pickle

    from helpers import load_adapters, run_file

    (adapter,) = load_adapters(["cryptography"])
    results = run_file("x25519_test.json", adapter)
    assert results
    again = pickle.loads(pickle.dumps(results))
    assert again == results
    assert again[0].measured == {}
