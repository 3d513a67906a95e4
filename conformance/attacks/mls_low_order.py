"""Low-order X25519 keys offered to an MLS member (RFC 9420, cipher suite 1 =
MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519; issue 20): ``prop/mls/low-order-<place>`` over
every implementation of ``mls-group`` once (plan "each"). The victim V, the implementation under
test, creates the group; the attacker is the suite's reference (:class:`_Attacker`), a member
whose key packages and UpdatePaths carry a key of :data:`LOW_ORDER_POINTS` where a peer's HPKE
public key enters V:

* ``low-order-init-key``: a KeyPackage's init_key (§10) V adds. V encrypts the Welcome's
  GroupSecrets to it (§12.4.3.1, SealBase): DHKEM Encap must fail (RFC 9180 §7.1.4).
* ``low-order-leaf-key``: a KeyPackage's leaf encryption_key V adds. The add encrypts nothing to
  the new leaf (§12.4.2: new members get their path secret from the Welcome), so V may refuse
  the key package or accept it; its next commit with a path must then encrypt a path secret to
  that leaf (§7.6, §12.4.2), which Encap must refuse.
* ``low-order-path-leaf-key``: the leaf encryption_key of the attacker's UpdatePath, which V
  processes (§12.4.2) and cannot check against anything; then as above.
* ``low-order-path-node-key``: the key of a node of the attacker's UpdatePath that V cannot
  derive (below the node where their paths meet: V decrypts the path secret above it, §12.4.2's
  check that derived keys match covers only those), then V's next commit encrypts to that node
  (it is the resolution of V's copath, §4.1.2, §7.6).

RFC 9420 requires no check of an HPKE public key on receipt (§7.3, §12.4.2 list none), but
every use of such a key is SealBase, and RFC 9180 §7.1.4 requires DHKEM(X25519) to abort on an
all-zero shared secret: V refuses either on receipt or when it encrypts; returning a commit or
Welcome encrypted to the point is acceptance, a failure in every profile, V's alone. Where V
accepts, the attacker shows what it is worth: holding no private key (a marker standing for the
point), it joins by the Welcome, or decrypts V's path secret, with the all-zero secret.

Every encoding is tried from a fresh group, after a control with honest keys that must work:
one V refuses by a declared choice RFC 9420 allows (a group's required capabilities, say) is
unsupported by design, not a refusal counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, cast

from ..errors import ProtocolError, Unsupported
from ..interop import ByDesign, PairFailure, PairScenario, Played, Rng, step
from ..interop._mls import SUITE, Group, Member
from ..model import SpecRef
from ..quirks import mls as mls_quirks
from ..reference.low_order import LOW_ORDER_POINTS, LowOrderPoint, marker
from ..reference.mls import forge, wire
from ..reference.mls.group import Toolkit, join
from ..reference.mls.group_api import MlsGroupReference, _stream
from .low_order_hpke import LowOrderHpke

__all__ = ["SCENARIOS"]

FAMILY = "mls"
CAPABILITY = "mls-group"
#: The attacker's members: index 2 names no party of the pair, so a refusal by them is not V's.
ATTACKER = 2
VICTIM = 0
#: V is the first party.
ROLE = "alice"
BASIC = 1

#: How an attempt ended for V: the place it refused, or "accepted".
Outcome = tuple[str, bool]
REFUSED_AT_ADD = "refused at the add"
REFUSED_ON_RECEIPT = "refused on receipt"
REFUSED_AT_COMMIT = "refused at its next commit"
ACCEPTED = "accepted"


class _Attacker(MlsGroupReference):
    """The suite's reference as an attacker member: its HPKE treats a marker private key as
    the low-order point's, and computes the all-zero secret V computes with it. Its key
    packages list the credential types V's groups require (besides basic), so only a key's
    validity stands between them and V."""

    e2ee_name = "the suite's reference (attacker)"

    def __init__(self, credential_types: tuple[int, ...]) -> None:
        super().__init__()
        from ..registry import known_manifests

        self.credential_types = credential_types
        manifest = known_manifests().get("reference")
        quirks = {} if manifest is None else dict(manifest.quirks)
        declared = mls_quirks.of(quirks)
        quirks[mls_quirks.FAMILY] = replace(declared, credential_types=credential_types)
        self.e2ee_quirks = quirks

    def _member(self, member: bytes, random: bytes = b"") -> Any:
        out = super()._member(member, random)
        out.kit = Toolkit(self._sig, LowOrderHpke(random=_stream(random)), self._aead)
        return out

    def mls_join(self, member: bytes, welcome: bytes) -> bytes:
        p = self._pending(member)
        kit = Toolkit(self._sig, LowOrderHpke(), self._aead)
        encoded = wire.MlsMessage(p.key_package).encode()
        m = join(kit, encoded, p.init_priv, p.encryption_priv, welcome, None, {})
        m.signature_priv = p.signature_priv
        return self._keep(m)


# --- the steps of a story -----------------------------------------------------------------------


def _pair_of(point: LowOrderPoint | None) -> tuple[bytes, bytes] | None:
    """The attacker's stand-in key pair for ``point`` (None: an honest key is drawn)."""
    return None if point is None else (marker(point), point.encoding)


def _victim_group(impl: object, rng: Rng) -> tuple[Group, Member, _Attacker]:
    g = Group(rng)
    v, _ = g.client(impl, VICTIM, "V")
    g.create(v)
    required = v.quirks.required_credential_types
    return g, v, _Attacker(tuple(sorted({BASIC, *required})))


def _client(
    g: Group,
    attacker: _Attacker,
    name: str,
    *,
    init: LowOrderPoint | None = None,
    encryption: LowOrderPoint | None = None,
) -> tuple[Member, bytes]:
    """An attacker's client and its key package, with a low-order init or leaf key if given."""
    m = Member(attacker, ATTACKER, name)
    m.identity = mls_quirks.wire_client_id(g.rng.take(24))
    m.signature_key = g.rng.key()
    made = forge.key_package_with_keys(
        attacker,
        SUITE,
        m.identity,
        m.signature_key,
        g.rng.take(64),
        init=_pair_of(init),
        encryption=_pair_of(encryption),
        credential_types=attacker.credential_types,
    )
    m.take(cast(Mapping[str, Any], made))
    return m, made["key_package"]


def _by_victim(exc: PairFailure) -> bool:
    return exc.receiver == VICTIM


def _add(g: Group, v: Member, m: Member, kp: bytes, control: bool) -> str | None:
    """V adds ``m``, which joins by the Welcome: None when both worked, REFUSED_AT_ADD when V
    refused, ACCEPTED when V's add worked and only the join failed."""
    try:
        g.add(v, m, kp)
    except PairFailure as exc:
        if control:
            raise
        return REFUSED_AT_ADD if _by_victim(exc) else ACCEPTED
    return None


def _next_commit(g: Group, v: Member, attacker: _Attacker, control: bool) -> Outcome:
    """V's next commit with a path (its update; an add of an honest client of the attacker
    where its API has no update), processed by the attacker's members: (how it ended, whether
    the attacker's members read it). Only V's step is judged: an attacker's member that
    cannot read V's commit (one RFC 9420 makes it refuse, even in the control) shows nothing."""
    try:
        if not g.update(v):
            c, kp = _client(g, attacker, "C")
            g.add(v, c, kp)
    except PairFailure as exc:
        if not _by_victim(exc):
            return ACCEPTED, False
        if control:
            raise
        return REFUSED_AT_COMMIT, False
    return ACCEPTED, any(x.party == ATTACKER for x in g.members if x is not v)


def _receive(v: Member, commit: bytes, control: bool) -> bool:
    """V processes the attacker's commit: whether it did (a refusal is V's choice to make,
    except in the control)."""
    if control:
        v.take(
            step(
                "V processes the attacker's commit",
                v.impl.mls_process,
                v.state,
                commit,
                receiver=VICTIM,
                sender=ATTACKER,
            )
        )
        return True
    try:
        v.take(v.impl.mls_process(v.state, commit))
    except Unsupported:
        raise
    except ProtocolError:
        return False
    return True


def _insider_wire_format(v: Member) -> int:
    return 1 if 1 in v.quirks.commit_wire_formats_accepted else 2


# --- the places ---------------------------------------------------------------------------------


def _init_key(impl: object, rng: Rng, point: LowOrderPoint | None) -> Outcome:
    """§12.4.3.1: V seals GroupSecrets to the added key package's init_key."""
    g, v, attacker = _victim_group(impl, rng)
    m, kp = _client(g, attacker, "M", init=point)
    control = point is None
    ended = _add(g, v, m, kp, control)
    if ended is not None:
        return ended, False
    # The attacker joined with the all-zero secret: it reads what V sends the group.
    try:
        plaintext, message = g.encrypt(v, "after the add")
    except PairFailure:
        if control:
            raise
        return ACCEPTED, False
    try:
        got = m.impl.mls_process(m.state, message)
    except ProtocolError:
        return ACCEPTED, False
    return ACCEPTED, got["application_data"] == plaintext


def _leaf_key(impl: object, rng: Rng, point: LowOrderPoint | None) -> Outcome:
    """§7.6, §12.4.2: V's next commit encrypts a path secret to the added leaf's key."""
    g, v, attacker = _victim_group(impl, rng)
    m, kp = _client(g, attacker, "M", encryption=point)
    control = point is None
    ended = _add(g, v, m, kp, control)
    if ended == REFUSED_AT_ADD:
        return ended, False
    # Where the attacker could not join, V's next commit is judged all the same.
    return _next_commit(g, v, attacker, control)


def _path_leaf_key(impl: object, rng: Rng, point: LowOrderPoint | None) -> Outcome:
    """§12.4.2: V processes the attacker's UpdatePath whose leaf key is ``point``, then
    encrypts to that leaf at its next commit (§7.6)."""
    g, v, attacker = _victim_group(impl, rng)
    m, kp = _client(g, attacker, "M")
    control = point is None
    _add(g, v, m, kp, control=True)
    out = forge.update_with_keys(
        attacker, m.state, _insider_wire_format(v), g.rng.take(64), leaf=_pair_of(point)
    )
    m.take(cast(Mapping[str, Any], out))
    if not _receive(v, out["commit"], control):
        return REFUSED_ON_RECEIPT, False
    return _next_commit(g, v, attacker, control)


def _path_node_key(impl: object, rng: Rng, point: LowOrderPoint | None) -> Outcome:
    """§12.4.2: in a group of four (V, X, M, C at leaves 0-3), the attacker M's UpdatePath puts
    ``point`` at node 5, the parent of M and C, which V cannot derive (it decrypts the path
    secret of the root); V's next commit encrypts the root's path secret to node 5, the
    resolution of its copath (§4.1.2, §7.6)."""
    g, v, attacker = _victim_group(impl, rng)
    control = point is None
    joined = []
    for name in ("X", "M", "C"):
        c, kp = _client(g, attacker, name)
        _add(g, v, c, kp, control=True)
        joined.append(c)
    m = joined[1]
    pair = _pair_of(point)
    out = forge.update_with_keys(
        attacker,
        m.state,
        _insider_wire_format(v),
        g.rng.take(64),
        nodes={} if pair is None else {0: pair},
    )
    m.take(cast(Mapping[str, Any], out))
    # X and C are the attacker's too; C, holding node 5's real path secret, would refuse the
    # forged key, and only V is judged.
    g.members = [v, m]
    if not _receive(v, out["commit"], control):
        return REFUSED_ON_RECEIPT, False
    ended, _ = _next_commit(g, v, attacker, control)
    return ended, False


# --- the check ----------------------------------------------------------------------------------

_Place = Callable[[object, Rng, LowOrderPoint | None], Outcome]


def _judged(place: _Place, what: str, shown: str) -> Callable[[object, object, Rng], Played]:
    """Play ``place`` with an honest key (the control), then with each of the 14 encodings."""

    def play(a: object, b: object, rng: Rng) -> Played:
        del b  # plan "each": the same implementation, V plays the first party
        try:
            place(a, rng, None)
        except PairFailure as exc:
            if exc.allowed is not None:
                raise ByDesign(
                    f"the control with honest keys failed as declared ({exc.allowed}): {exc}"
                ) from None
            raise PairFailure(
                f"the control with honest keys failed: {exc}",
                receiver=exc.receiver,
                sender=exc.sender,
            ) from None
        outcomes: dict[str, list[str]] = {}
        read: list[str] = []
        for point in LOW_ORDER_POINTS:
            ended, did_read = place(a, rng, point)
            outcomes.setdefault(ended, []).append(point.name)
            if did_read:
                read.append(point.name)
        accepted = outcomes.pop(ACCEPTED, [])
        measured: dict[str, str | int] = {k: len(v) for k, v in sorted(outcomes.items())}
        measured["accepted"] = ", ".join(accepted) if accepted else "none"
        if read:
            measured["read by the all-zero secret"] = ", ".join(read)
        if accepted:
            text = (
                f"V {what} for the low-order {', '.join(accepted)} ({len(accepted)} of "
                f"{len(LOW_ORDER_POINTS)}): RFC 9180 §7.1.4 requires DHKEM(X25519) to refuse the "
                "all-zero shared secret"
            )
            if read:
                which = "each of them" if read == accepted else ", ".join(read)
                text += f"; the attacker, holding no private key, {shown} for {which}"
            raise PairFailure(text, receiver=ROLE, receiver_fault=True, measured=measured)
        return Played(None, measured)

    return play


def _scenario(
    place: str, description: str, sections: tuple[str, ...], play: Callable[..., Played]
) -> PairScenario:
    spec = (*(SpecRef("RFC 9420", s) for s in sections), SpecRef("RFC 9180", "7.1.4"))
    return PairScenario(
        f"low-order-{place}",
        FAMILY,
        CAPABILITY,
        description,
        spec,
        play,
        kind="prop",
        bug_type="CONFIDENTIALITY",
        plan="each",
    )


SCENARIOS = [
    _scenario(
        "init-key",
        "The attacker's KeyPackage has a low-order init_key (each of the 14 encodings): V's add "
        "must fail, since the Welcome's GroupSecrets are sealed to it.",
        ("10", "12.4.3.1"),
        _judged(
            _init_key,
            "sealed the Welcome's GroupSecrets to an init_key",
            "joined by the Welcome and read V's next message",
        ),
    ),
    _scenario(
        "leaf-key",
        "The attacker's KeyPackage has a low-order leaf encryption_key: V refuses the key "
        "package, or its next commit, which encrypts a path secret to that leaf.",
        ("7.6", "10", "12.4.2"),
        _judged(
            _leaf_key,
            "encrypted its next commit's path secret to a key package's leaf key",
            "decrypted the path secret",
        ),
    ),
    _scenario(
        "path-leaf-key",
        "The attacker's UpdatePath has a low-order leaf encryption_key: V refuses the commit, or "
        "its own next commit, which encrypts a path secret to that leaf.",
        ("7.6", "12.4.2"),
        _judged(
            _path_leaf_key,
            "encrypted its next commit's path secret to an UpdatePath's leaf key",
            "decrypted the path secret",
        ),
    ),
    _scenario(
        "path-node-key",
        "In a group of four, the attacker's UpdatePath puts a low-order key on a parent node V "
        "cannot derive: V refuses the commit, or its own next commit, which encrypts the root's "
        "path secret to that node.",
        ("4.1.2", "7.6", "12.4.2"),
        _judged(
            _path_node_key,
            "encrypted its next commit's path secret to an UpdatePath's node key",
            "decrypted the path secret",
        ),
    ),
]
