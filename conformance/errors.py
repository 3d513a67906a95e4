"""The suite's neutral error kinds.

Adapters translate their library's native exceptions into these. A check reads only these: an
exception of any other type escaping an adapter is an ``error`` outcome, never a pass or a fail
(python-doubleratchet's ``AuthenticationFailedException`` split, kept backend-neutral).
"""

from __future__ import annotations

from .quoting import file_name, one_line

__all__ = [
    "KINDS",
    "AuthenticationFailed",
    "ConfigurationError",
    "ConformanceError",
    "DuplicateMessage",
    "InvalidInput",
    "InvalidKey",
    "InvalidMessage",
    "InvalidSignature",
    "ProtocolError",
    "RunIncomplete",
    "Unsupported",
    "VectorFileError",
    "kind_of",
]


class ProtocolError(Exception):
    """Base of the neutral kinds an implementation may raise to reject an input.

    ``state``: for an operation of a stateful family that takes a party's state (a session, an
    account, a group state), the party's state as it stands *after* the refused attempt,
    exported from the library's real object (docs/adapter-protocol.md, "State after a
    refusal"). The suite continues the conversation from it, so damage a bad message does is
    seen. None when the adapter does not say (protocol 1, or a stateless operation).
    """

    kind = "ProtocolError"

    def __init__(self, *args: object, state: bytes | None = None) -> None:
        super().__init__(*args)
        self.state = state


class AuthenticationFailed(ProtocolError):
    """A MAC or AEAD tag did not verify."""

    kind = "AuthenticationFailed"


class InvalidSignature(ProtocolError):
    """A signature did not verify or could not be decoded."""

    kind = "InvalidSignature"


class InvalidKey(ProtocolError):
    """A key was malformed, of the wrong size, or refused (for example a low-order point)."""

    kind = "InvalidKey"


class InvalidMessage(ProtocolError):
    """A message or ciphertext was malformed (bad padding, truncated, wrong version...)."""

    kind = "InvalidMessage"


class InvalidInput(ProtocolError):
    """A parameter was outside the primitive's domain (nonce size, output length...)."""

    kind = "InvalidInput"


class DuplicateMessage(ProtocolError):
    """A message was delivered twice."""

    kind = "DuplicateMessage"


class Unsupported(ProtocolError):
    """The implementation does not offer the requested operation or parameter."""

    kind = "Unsupported"


#: Neutral kind -> its exception class: what an out-of-process adapter names in a refusal.
KINDS: dict[str, type[ProtocolError]] = {
    cls.kind: cls
    for cls in (
        AuthenticationFailed,
        InvalidSignature,
        InvalidKey,
        InvalidMessage,
        InvalidInput,
        DuplicateMessage,
        Unsupported,
    )
}


def kind_of(exc: BaseException) -> str | None:
    """The neutral kind of ``exc``, or None when it is a native exception that leaked."""
    if isinstance(exc, ProtocolError):
        return exc.kind
    return None


class ConformanceError(Exception):
    """Base of the suite's own usage and configuration errors (exit status 2)."""


class ConfigurationError(ConformanceError):
    """An adapter, manifest or option that cannot be used as given."""


class VectorFileError(ConformanceError):
    """A vector file that cannot be loaded; the message names the file and, where known, the case."""

    def __init__(self, path: str, message: str, *, case: str | None = None) -> None:
        # One line whatever the file held: its name, case label and quoted values are escaped.
        where = f"{file_name(path)} ({one_line(case)})" if case else file_name(path)
        super().__init__(f"{where}: {one_line(message, 1000)}")
        self.path = path
        self.case = case


class RunIncomplete(Exception):
    """The suite itself could not finish a run (exit status 3); ``__cause__`` is what stopped it.

    Raised in place of that exception so that a caller of the runner never receives the
    ``SystemExit`` an in-process adapter raised: uncaught, it would end the caller's process
    with the adapter's status, 0 included.
    """

    def __init__(self, cause: BaseException, report: str | None) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__)
        #: Where the report of the checks that did run was written, if it could be.
        self.report = report
