"""The party at fault in pair and property results, settled across every pair of a check.

A pair result knows on its own who is at fault when the receiver accepted what it must refuse
(the message was the suite's own tampering, replay or forgery: no sender is to blame). When a
receiver refuses or misreads a genuine message, one pair cannot tell whether the sender wrote
bytes nobody should accept or the receiver is wrong. The grid of the same check over every
ordered pair can, the way an interop matrix is read:

- the **sender** is at fault when every other implementation, as the same receiver role,
  fails on what it sends, while the receiver fails with no other sender;
- the **receiver** is at fault when it fails on what every other implementation sends, while
  the sender's messages are read by every other receiver;
- **both**, when both hold; **undetermined** otherwise (too few implementations to tell, or a
  grid this report holds only part of, such as one shard's).

Evidence is only ever taken from results of the same check id, seed and adapters, so the
verdict is a function of those (ARCHITECTURE.md, "Outcomes"). :func:`attribute` works on the
report's result dicts and recomputes from scratch each time, so re-rendering and ``merge``
settle what a single shard could not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

__all__ = ["attribute", "charged", "fault_text"]

#: Set on a fault that the grid settles: the sender/receiver pair it started from.
_OPEN = "open"


def charged(result: Mapping[str, Any]) -> tuple[str, ...]:
    """The adapters a result counts against: the party at fault of a pair result that is not
    a pass, else every adapter it names."""
    fault = result.get("fault")
    if fault is not None and result.get("observed", result["outcome"]) in ("fail", "error"):
        return tuple(fault["adapters"])
    return tuple(result["adapters"])


def fault_text(result: Mapping[str, Any]) -> str | None:
    """One line for a listing: who is at fault and as what, or None (no fault recorded)."""
    fault = result.get("fault")
    if not isinstance(fault, Mapping) or result.get("observed", result["outcome"]) not in (
        "fail",
        "error",
    ):
        return None
    names = ", ".join(str(a) for a in fault.get("adapters", ()))
    return f"at fault: {names} ({fault.get('party')})"


def _observed(r: Mapping[str, Any]) -> str:
    return str(r.get("observed", r["outcome"]))


def _adapter_broke(result: Mapping[str, Any], adapter: str) -> bool:
    """Whether ``result`` is an ``error`` charged to ``adapter``'s adapter alone."""
    fault = result.get("fault")
    return (
        _observed(result) == "error"
        and isinstance(fault, Mapping)
        and fault.get("party") == "adapter"
        and list(fault.get("adapters", ())) == [adapter]
    )


def attribute(results: Sequence[MutableMapping[str, Any]]) -> None:
    """Settle every open fault (a genuine message refused or misread) from the grid of its
    check. Idempotent: an open fault keeps its starting point in ``fault.open``."""
    grids: dict[str, dict[tuple[str, str], Mapping[str, Any]]] = defaultdict(dict)
    members: dict[str, set[str]] = defaultdict(set)
    for r in results:
        if len(r["adapters"]) == 2:
            first, second = r["adapters"]
            grids[r["check"]][(first, second)] = r
            members[r["check"]].update((first, second))
    for r in results:
        fault = r.get("fault")
        if fault is None:
            continue
        start = fault.get(_OPEN)
        if start is None and fault["party"] == "undetermined" and "sender" in fault:
            start = {"sender": fault["sender"], "receiver": fault["receiver"]}
        if start is None or len(r["adapters"]) != 2:
            # A group's failure is charged from its own evidence: the grid is of pairs.
            continue
        _settle(r, fault, start, grids[r["check"]], members[r["check"]])


def _settle(
    r: MutableMapping[str, Any],
    fault: MutableMapping[str, Any],
    start: Mapping[str, str],
    grid: Mapping[tuple[str, str], Mapping[str, Any]],
    members: set[str],
) -> None:
    sender, receiver = start["sender"], start["receiver"]
    first, second = r["adapters"]
    # The message went from the first party to the second, or back.
    forward = (sender, receiver) == (first, second)

    def cell(s: str, rc: str) -> Mapping[str, Any] | None:
        return grid.get((s, rc) if forward else (rc, s))

    def fails_with_all(fixed: str, as_sender: bool) -> tuple[bool, list[str]]:
        """Whether ``fixed`` fails with every other implementation on the other side.

        An implementation whose own adapter broke in its cell is no witness either way: were
        it counted, a broken adapter joining the run would change who the others' results
        charge (issue 13: the other adapters' results are what a run without it gives)."""
        others = []
        for x in sorted(members - {fixed}):
            c = cell(fixed, x) if as_sender else cell(x, fixed)
            if c is None or not _adapter_broke(c, x):
                others.append(x)
        if len(others) < 2:
            return False, others
        for x in others:
            c = cell(fixed, x) if as_sender else cell(x, fixed)
            if c is None or _observed(c) != "fail":
                return False, others
        return True, others

    sender_bad, receivers = fails_with_all(sender, as_sender=True)
    receiver_bad, senders = fails_with_all(receiver, as_sender=False)
    fault[_OPEN] = {"sender": sender, "receiver": receiver}
    fault["sender"], fault["receiver"] = sender, receiver
    if sender_bad and not receiver_bad:
        fault["party"], fault["adapters"] = "sender", [sender]
        fault["evidence"] = (
            f"every other receiver ({', '.join(receivers)}) fails on what {sender} sends in "
            f"this check, and {receiver} reads what other senders send"
        )
    elif receiver_bad and not sender_bad:
        fault["party"], fault["adapters"] = "receiver", [receiver]
        fault["evidence"] = (
            f"{receiver} fails on what every other sender ({', '.join(senders)}) sends in this "
            f"check, and what {sender} sends is read by other receivers"
        )
    elif sender_bad and receiver_bad:
        fault["party"], fault["adapters"] = "both", [sender, receiver]
        fault["evidence"] = (
            f"{sender} fails with every receiver and {receiver} with every sender in this check"
        )
    else:
        fault["party"], fault["adapters"] = "undetermined", [sender, receiver]
        fault["evidence"] = (
            f"{receiver} refused or misread what {sender} sent, and neither fails with every "
            "partner in this check (or too few implementations ran it to tell)"
        )
