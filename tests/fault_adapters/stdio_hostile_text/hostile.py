"""Mock stdio adapter (hostile text) for the suite's own tests.

An X25519 adapter, correct on every input, whose text is built to break the suite's outputs:
escape sequences that retitle a terminal and print a fake green verdict, a carriage return, a
bidi override and a lone surrogate (sent as the JSON escape ``\\ud800``, which Python decodes
into a string that no UTF-8 file can hold), and megabyte lines on standard error. The mode on
its command line says where the text goes:

``describe``        in ``implementation``, ``version`` and a note of the describe answer, and
                    in the message of a refusal of the RFC 7748 scalar (so the run fails);
``internal-error``  in the message of an internal error (-32603) answering the RFC 7748 scalar;
``stderr-flood``    a 1 MB standard-error line at start-up, then, on the RFC 7748 scalar,
                    another one and a crash, so the fault carries that line in its stderr tail;
``startup-flood``   a 1 MB standard-error line, then an exit before ``describe`` is answered.

It speaks protocol 2 by hand, like a third-party shim would.
"""

from __future__ import annotations

import json
import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

MODE = sys.argv[1]
TRIGGER = "a546e36bf0527c9d"
#: The hostile text as it stands on the wire: a JSON string body, escapes written by hand so the
#: lone surrogate is sent exactly as ``\ud800`` (json.dumps would never produce it from bytes).
HOSTILE = (
    r"\u001b]0;pwned\u0007"
    r"\u001b[32mverdict: PASS (exit 0)\u001b[0m"
    r"\r"
    r" \u202eevil\u202c"
    r" \ud800"
)
#: The same text as the process writes it to standard error (no surrogate: stderr is bytes).
HOSTILE_STDERR = "\x1b]0;pwned\x07\x1b[32mverdict: PASS (exit 0)\x1b[0m\r \u202eevil\u202c"
FLOOD = 1024 * 1024


def flood(marker: str) -> None:
    sys.stderr.write(f"{marker} {HOSTILE_STDERR} " + "x" * FLOOD + "\n")
    sys.stderr.flush()


def describe(rid: int) -> str:
    if MODE == "describe":
        text = f'"{HOSTILE}"'
        return (
            f'{{"jsonrpc":"2.0","id":{rid},"result":{{"protocol":2,"name":"mock-hostile-{MODE}",'
            f'"implementation":{text},"version":{text},"capabilities":["x25519"],'
            f'"notes":{{"x25519":{text}}},"batch":true}}}}'
        )
    reply = {
        "protocol": 2,
        "name": f"mock-hostile-{MODE}",
        "implementation": f"mock: x25519 with hostile text ({MODE})",
        "version": "0-test",
        "capabilities": ["x25519"],
        "batch": True,
    }
    return json.dumps({"jsonrpc": "2.0", "id": rid, "result": reply})


def x25519(rid: int, params: dict[str, str]) -> str:
    if params["private"].startswith(TRIGGER):
        if MODE == "describe":
            return (
                f'{{"jsonrpc":"2.0","id":{rid},"error":{{"code":-32000,'
                f'"message":"FAULT-MARKER {HOSTILE}","data":{{"kind":"InvalidKey"}}}}}}'
            )
        if MODE == "internal-error":
            return (
                f'{{"jsonrpc":"2.0","id":{rid},"error":{{"code":-32603,'
                f'"message":"FAULT-MARKER {HOSTILE}"}}}}'
            )
        if MODE == "stderr-flood":
            flood("FAULT-MARKER")
            sys.exit(3)
    try:
        key = X25519PrivateKey.from_private_bytes(bytes.fromhex(params["private"]))
        out = key.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(params["public"])))
    except ValueError as exc:
        error = {"code": -32000, "message": str(exc), "data": {"kind": "InvalidKey"}}
        return json.dumps({"jsonrpc": "2.0", "id": rid, "error": error})
    return json.dumps({"jsonrpc": "2.0", "id": rid, "result": out.hex()})


def answer(req: dict) -> str:  # type: ignore[type-arg]
    rid, method = req["id"], req["method"]
    if method == "describe":
        return describe(rid)
    if method == "x25519.x25519":
        return x25519(rid, req["params"])
    return json.dumps({"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": method}})


def main() -> None:
    if MODE in ("stderr-flood", "startup-flood"):
        flood("START-UP")
    if MODE == "startup-flood":
        sys.exit(4)
    for line in sys.stdin:
        req = json.loads(line)
        if isinstance(req, list):
            sys.stdout.write("[" + ",".join(answer(r) for r in req) + "]\n")
        else:
            sys.stdout.write(answer(req) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
