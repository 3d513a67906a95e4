"""Vector types of the Megolm family."""

from __future__ import annotations

from ._base import Field, VectorType

__all__ = ["VECTOR_TYPES"]


VECTOR_TYPES: tuple[VectorType, ...] = (
    VectorType(
        name="MegolmSession",
        schema="megolm_session_schema.json",
        description=(
            "A Megolm outbound session from a fixed initial ratchet and signing key "
            "(docs/megolm.md): the session key must be sessionKey byte for byte, each encrypt "
            "step must produce message at index, and an inbound session made from the "
            "session key must decrypt every decrypt step to plaintext at index."
        ),
        group_fields=(),
        case_fields=(
            Field("ratchet", "hex", "the initial ratchet R_0 (R_0,0 || R_0,1 || R_0,2 || R_0,3)"),
            Field("signingSeed", "hex", "the session's Ed25519 signing key seed"),
            Field("sessionKey", "hex", "expected session-sharing key (229 bytes)"),
            Field("steps", "steps", "encrypt and decrypt steps, in order"),
        ),
        algorithms={"MEGOLM": "megolm"},
    ),
    VectorType(
        name="MegolmReceive",
        schema="megolm_receive_schema.json",
        description=(
            "The receiving side of Megolm (docs/megolm.md). Steps: inbound (key: a 229-byte "
            "session key) or import (key: a 165-byte export) creates the session, decrypt "
            "(message must give plaintext and index), export (at index, must equal "
            "exported). In an invalid case the last step must be refused and every earlier "
            "one must succeed."
        ),
        group_fields=(),
        case_fields=(Field("steps", "steps", "receive steps, in order"),),
        algorithms={"MEGOLM": "megolm"},
    ),
)
