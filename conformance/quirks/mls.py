"""The ``[quirks.mls]`` table of an adapter's manifest: where RFC 9420 leaves a choice to the
implementation or the application, what this one chose. Scenarios read it to choose their
inputs (identities every member accepts) and to say, when a pair cannot work, which party
refused what and whether RFC 9420 lets it refuse; properties read the windows they test.

Keys (all optional; an absent key is the permissive default below):

* ``cipher_suites`` -- the suites it offers for live groups (§17.1).
* ``commit_wire_formats_sent`` / ``commit_wire_formats_accepted`` -- 1 PublicMessage,
  2 PrivateMessage. RFC 9420 §6 lets the application choose its handshake framing, so refusing
  one is allowed.
* ``identity`` -- ``"any"`` (any BasicCredential identity, §5.3.1), ``"wire-client-id"``
  (``<uuid>:<hex device id>@<domain>``, Wire's client ids) or ``"signature-key"`` (the
  implementation puts its raw signature public key there, whatever it is given). Which
  identities are acceptable is the application's call (§5.3.1, §5.3.3).
* ``key_package_lifetime`` -- seconds from not_before to not_after in the key packages and leaf
  nodes it makes (§7.2).
* ``max_lifetime_accepted`` -- the longest not_after - not_before it accepts in others' leaves;
  §7.2 has applications set such a cap ("Applications MUST define a maximum total lifetime").
* ``out_of_order_window`` -- application messages of one sender, within an epoch, it can read
  out of order (§9.2 leaves the number of retained keys to the application).
* ``past_epochs`` -- prior epochs whose secrets it keeps to read late messages (§14, §15.2).
* ``credential_types`` -- the credential types its key packages list in their capabilities
  (1 basic, 2 x509; §5.3, §7.2).
* ``required_credential_types`` -- the credential types its groups' required_capabilities
  extension demands of every member (§11.1): a key package without one of them is refused, as
  §12.1.1 has every member check.
* ``state`` -- ``"serialised"`` (a member is the library's own state: an old copy still works,
  and so does any copy after a restart), ``"process"`` (a name for a copy of the state the
  adapter keeps in its process: an old copy still works, but nothing survives a restart) or
  ``"handle"`` (a name for state the adapter keeps, so an old copy is the current state, and
  nothing survives a restart).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["IDENTITIES", "MlsQuirks", "parse", "wire_client_id"]

FAMILY = "mls"
IDENTITIES = ("any", "wire-client-id", "signature-key")
STATES = ("serialised", "process", "handle")
#: Wire's client id: a UUID, a colon, a hexadecimal device id, @, a domain.
WIRE_CLIENT_ID = re.compile(
    rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[0-9a-f]{1,16}@[a-z0-9.-]+"
)


@dataclass(frozen=True)
class MlsQuirks:
    cipher_suites: tuple[int, ...] | None = None
    commit_wire_formats_sent: tuple[int, ...] = (1, 2)
    commit_wire_formats_accepted: tuple[int, ...] = (1, 2)
    identity: str = "any"
    key_package_lifetime: int | None = None
    max_lifetime_accepted: int | None = None
    out_of_order_window: int | None = None
    past_epochs: int = 0
    credential_types: tuple[int, ...] | None = None
    required_credential_types: tuple[int, ...] = ()
    state: str = "serialised"

    @property
    def keeps_old_copies(self) -> bool:
        """Whether an old member state still works after the member moved on."""
        return self.state != "handle"

    @property
    def survives_restart(self) -> bool:
        """Whether a member state works in a restarted implementation."""
        return self.state == "serialised"

    def accepts_identity(self, identity: bytes) -> bool:
        if self.identity == "wire-client-id":
            return WIRE_CLIENT_ID.fullmatch(identity) is not None
        return True

    def accepts_credentials(self, offered: tuple[int, ...] | None) -> bool:
        return offered is None or set(self.required_credential_types) <= set(offered)

    def accepts_lifetime(self, seconds: int | None) -> bool:
        return (
            seconds is None
            or self.max_lifetime_accepted is None
            or (seconds <= self.max_lifetime_accepted)
        )


DEFAULT = MlsQuirks()

_WIRE_FORMATS = (1, 2)


def _ints(key: str, value: object, allowed: tuple[int, ...] | None = None) -> tuple[int, ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise ValueError(f"{key} must be a non-empty list of integers")
    if allowed is not None and any(v not in allowed for v in value):
        raise ValueError(f"{key} may only hold {list(allowed)}")
    return tuple(value)


def _count(key: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{key} must be a non-negative integer")
    return value


def _choice(key: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{key} must be one of {list(allowed)}")
    return str(value)


def parse(table: Mapping[str, Any]) -> MlsQuirks:
    """Read and check a ``[quirks.mls]`` table (ValueError names the key)."""
    known = set(MlsQuirks.__dataclass_fields__)
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValueError(f"unknown key(s) {unknown}; known: {sorted(known)}")
    fields: dict[str, Any] = {}
    for key, value in table.items():
        if key in ("cipher_suites", "credential_types", "required_credential_types"):
            fields[key] = _ints(key, value)
        elif key.startswith("commit_wire_formats"):
            fields[key] = _ints(key, value, _WIRE_FORMATS)
        elif key == "identity":
            fields[key] = _choice(key, value, IDENTITIES)
        elif key == "state":
            fields[key] = _choice(key, value, STATES)
        else:
            fields[key] = _count(key, value)
    return MlsQuirks(**fields)


def of(quirks: Mapping[str, object]) -> MlsQuirks:
    """The MLS quirks among an adapter's parsed quirks (the defaults when it declares none)."""
    found = quirks.get(FAMILY)
    return found if isinstance(found, MlsQuirks) else DEFAULT


def wire_client_id(random: bytes) -> bytes:
    """An identity every ``identity`` choice accepts: a Wire client id drawn from 24 bytes. Its
    device id has no leading zero, since core-crypto writes the 64-bit device id without them
    and so could not give back the identity it was given."""
    h = random[:24].hex()
    device = "123456789abcdef"[random[23] % 15] + h[33:48]
    return (
        f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}:{device}@conformance.example".encode()
    )
