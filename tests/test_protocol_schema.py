"""The published JSON Schemas of the adapter protocol match the code, and real traffic (what the
suite sends, what a bundled adapter answers) conforms to them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from conformance import loader
from conformance.engine import Task, run_task
from conformance.protocol_schema import render, schemas
from conformance.registry import load_adapters
from conformance.results import CheckResult
from conformance.stdio import StdioClient

DOCS = Path(__file__).resolve().parent.parent / "docs" / "protocol"


@pytest.mark.parametrize("name", sorted(schemas()))
def test_committed_schema_is_current(name: str) -> None:
    """Regenerate with: python -m conformance.protocol_schema docs/protocol"""
    if not DOCS.is_dir():
        pytest.skip("needs the source tree")
    assert (DOCS / name).read_text() == render(schemas()[name])


def _validator(name: str) -> jsonschema.Draft202012Validator:
    all_schemas = schemas()
    registry: Registry[Any] = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in all_schemas.values()
    )
    return jsonschema.Draft202012Validator(all_schemas[name], registry=registry)


def test_real_traffic_conforms(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[Any] = []
    received: list[Any] = []
    real_send, real_receive = StdioClient._send, StdioClient._receive

    def send(self: StdioClient, message: object) -> None:
        sent.append(message)
        real_send(self, message)

    def receive(self: StdioClient, what: str, timeout: float) -> Any:
        reply = real_receive(self, what, timeout)
        received.append(reply)
        return reply

    monkeypatch.setattr(StdioClient, "_send", send)
    monkeypatch.setattr(StdioClient, "_receive", receive)
    (adapter,) = load_adapters(["node-crypto"])
    assert adapter.error is None, adapter.error
    results: list[CheckResult] = []
    try:
        for vf in loader.load_many(loader.discover(None, ["primitives"])):
            run_task(Task(vf, adapter, tuple(vf.cases()[:12])), results.append)
    finally:
        adapter.close()
    assert results
    assert all(r.outcome in ("pass", "fail", "unsupported") for r in results)

    request, response, batch = (
        _validator(n) for n in ("request.schema.json", "response.schema.json", "batch.schema.json")
    )
    methods = schemas()["methods.schema.json"]["$defs"]
    by_id: dict[int, str] = {}
    for message in sent:
        if isinstance(message, list):
            batch.validate(message)
            for m in message:
                by_id[m["id"]] = m["method"]
        else:
            request.validate(message)
            by_id[message["id"]] = message["method"]
    answers = [a for r in received for a in (r if isinstance(r, list) else [r])]
    describe = _validator("describe-result.schema.json")
    methods_seen = set()
    for answer in answers:
        response.validate(answer)
        method = by_id[answer["id"]]
        methods_seen.add(method)
        if "result" not in answer:
            continue
        if method == "describe":
            describe.validate(answer["result"])
        else:
            jsonschema.validate(answer["result"], methods[method]["result"])
    assert len(methods_seen) >= 10
    assert any(isinstance(m, list) for m in sent)  # batches were used


def test_schema_rejects_a_malformed_request() -> None:
    request = _validator("request.schema.json")
    ok = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "x25519.x25519",
        "params": {"private": "00" * 32, "public": "09" + "00" * 31},
    }
    request.validate(ok)
    for bad in (
        {**ok, "params": {"private": "zz", "public": "00"}},
        {**ok, "params": {"private": "00"}},
        {**ok, "jsonrpc": "1.0"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            request.validate(bad)
    response = _validator("response.schema.json")
    with pytest.raises(jsonschema.ValidationError):
        response.validate({"jsonrpc": "2.0", "id": 1, "error": {"code": -32000, "message": "x"}})
