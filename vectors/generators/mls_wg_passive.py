"""Write passive-client vectors in the MLS working group's format (mlswg/mls-implementations
test-vectors.md, "Passive Client"): passive-client-welcome.json and
passive-client-handling-commit.json, per cipher suite of RFC 9420 §17.1, from groups the
suite's reference runs (conformance/reference/mls/group.py and group_send.py).

Each story: Alice creates a group and adds Bob, the passive client, whose key package's
private keys the entry gives. In the handling-commit file the group then lives on: adds of
several members at once (private commit), a member's own update, a Remove proposed by one
member and committed by reference by another, an external PSK, a resumption PSK with a
GroupContextExtensions proposal, an Update proposed and committed by reference, an add and a
remove in one commit, and a commit by the newest member; public and private framing both.
One welcome entry per suite sends the ratchet tree out of band (``ratchet_tree``).

Usage: ``python vectors/generators/mls_wg_passive.py OUTDIR``. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from conformance.reference.mls import wire  # noqa: E402
from conformance.reference.mls.ciphersuites import SUITES, CipherSuite  # noqa: E402
from conformance.reference.mls.group import Member, Toolkit, join  # noqa: E402
from conformance.reference.mls.group_send import (  # noqa: E402
    commit,
    create,
    propose,
    update_proposal,
)
from vectors.generators._common import ByteSource  # noqa: E402
from vectors.generators.mls_wg_framing import _Generator, _Member  # noqa: E402

__all__ = ["generate", "main", "story_with_extensions"]

Random = Callable[[int], bytes]
_PSK_ID = b"external psk"
#: §12.1.7: a required_capabilities extension (type 3) asking nothing beyond the defaults.
_REQUIRED_CAPABILITIES = wire.Extension(3, b"\x00\x00\x00")


def _hex(data: bytes) -> str:
    return data.hex()


class _Story:
    """One group of the reference's members, every message delivered to every member."""

    def __init__(self, cs: CipherSuite, random: Random) -> None:
        self.cs, self.random = cs, random
        self.gen = _Generator(random)
        self.kit = Toolkit(self.gen.sig, self.gen.hpke, self.gen.aead)
        self.psks = {_PSK_ID: random(cs.nh)}
        self.people: dict[str, _Member] = {}
        self.members: dict[str, Member] = {}
        self.log: list[list[bytes]] = []

    def person(self, name: str) -> _Member:
        self.people[name] = self.gen.member(self.cs, name.encode())
        return self.people[name]

    def start(self, creator: str, extensions: tuple[wire.Extension, ...] = ()) -> None:
        p = self.person(creator)
        self.members[creator] = create(
            self.kit,
            p.key_package,
            p.encryption_priv,
            p.signature_priv,
            self.random(16),
            self.psks,
            self.random,
            extensions,
        )
        self.members[creator].signature_priv = p.signature_priv

    def leaf(self, name: str) -> int:
        return self.members[name].leaf_index

    def propose(self, name: str, proposal: wire.Proposal, wire_format: int) -> bytes:
        message = propose(self.members[name], proposal, wire_format, self.random)
        for other, m in self.members.items():
            if other != name:
                m.process(message)
        return message

    def commit(
        self,
        name: str,
        by_value: list[wire.Proposal],
        proposals: list[bytes],
        *,
        path: bool,
        wire_format: int,
        joiners: list[str] = (),  # type: ignore[assignment]
        leaving: list[str] = (),  # type: ignore[assignment]
        tree_in_welcome: bool = True,
    ) -> tuple[bytes, bytes | None]:
        """``name`` commits; everyone else processes the proposals' messages (already done
        by :meth:`propose`) and the commit; the joiners join by the Welcome."""
        committer = self.members[name]
        refs = list(committer.proposals)
        done = commit(
            committer,
            by_value,
            refs,
            path=path,
            wire_format=wire_format,
            random=self.random,
            ratchet_tree_in_welcome=tree_in_welcome,
        )
        for gone in leaving:
            del self.members[gone]
        for other, m in list(self.members.items()):
            if other != name:
                m.process(done.commit)
        self.log.append([*proposals, done.commit])
        for joiner in joiners:
            p = self.people[joiner]
            assert done.welcome is not None
            tree = None if tree_in_welcome else committer.tree.encode()
            m = join(
                self.kit,
                wire.MlsMessage(p.key_package).encode(),
                p.init_priv,
                p.encryption_priv,
                done.welcome,
                tree,
                self.psks,
            )
            m.signature_priv = p.signature_priv
            self.members[joiner] = m
        authenticators = {m.epoch_authenticator for m in self.members.values()}
        assert len(authenticators) == 1, f"the members disagree after {name}'s commit"
        return done.commit, done.welcome

    def add(self, name: str) -> wire.Proposal:
        return wire.Proposal(wire.Add(self.person(name).key_package))

    def entry(self, passive: str, welcome: bytes, tree: bytes | None) -> dict[str, Any]:
        p = self.people[passive]
        epochs = self.log[1:]
        authenticators = self.authenticators
        return {
            "cipher_suite": self.cs.code,
            "external_psks": [{"psk_id": _hex(k), "psk": _hex(v)} for k, v in self.psks.items()],
            "key_package": _hex(wire.MlsMessage(p.key_package).encode()),
            "signature_priv": _hex(p.signature_priv),
            "encryption_priv": _hex(p.encryption_priv),
            "init_priv": _hex(p.init_priv),
            "welcome": _hex(welcome),
            "ratchet_tree": None if tree is None else _hex(tree),
            "initial_epoch_authenticator": _hex(authenticators[0]),
            "epochs": [
                {
                    "proposals": [_hex(m) for m in messages[:-1]],
                    "commit": _hex(messages[-1]),
                    "epoch_authenticator": _hex(a),
                }
                for messages, a in zip(epochs, authenticators[1:], strict=True)
            ],
        }

    authenticators: list[bytes]


def _welcome_story(cs: CipherSuite, random: Random, tree_in_welcome: bool) -> dict[str, Any]:
    s = _Story(cs, random)
    s.start("alice")
    _, welcome = s.commit(
        "alice",
        [s.add("bob")],
        [],
        path=True,
        wire_format=wire.WF_PUBLIC,
        joiners=["bob"],
        tree_in_welcome=tree_in_welcome,
    )
    assert welcome is not None
    s.authenticators = [s.members["bob"].epoch_authenticator]
    tree = None if tree_in_welcome else s.members["alice"].tree.encode()
    return s.entry("bob", welcome, tree)


def story_with_extensions(
    cs: CipherSuite, random: Random, extensions: tuple[wire.Extension, ...]
) -> dict[str, Any]:
    """The suite's fields of an MlsPassiveClient case (keyPackage ... epochs) for Bob joining
    a group Alice created with these GroupContext extensions: nobody checks them here, so a
    joiner's refusal is what a case built from it tests."""
    s = _Story(cs, random)
    s.start("alice", extensions)
    bob = s.person("bob")
    done = commit(
        s.members["alice"],
        [wire.Proposal(wire.Add(bob.key_package))],
        [],
        path=True,
        wire_format=wire.WF_PUBLIC,
        random=random,
        checked=False,
    )
    assert done.welcome is not None
    return {
        "keyPackage": wire.MlsMessage(bob.key_package).encode(),
        "signaturePriv": bob.signature_priv,
        "encryptionPriv": bob.encryption_priv,
        "initPriv": bob.init_priv,
        "welcome": done.welcome,
        "ratchetTree": b"",
        "externalPsks": b"",
        "epochs": b"",
        "epochAuthenticators": b"",
    }


def _commit_story(cs: CipherSuite, random: Random) -> dict[str, Any]:
    s = _Story(cs, random)
    s.start("alice")
    pub, priv = wire.WF_PUBLIC, wire.WF_PRIVATE
    _, welcome = s.commit("alice", [s.add("bob")], [], path=True, wire_format=pub, joiners=["bob"])
    assert welcome is not None
    seen = [s.members["bob"].epoch_authenticator]

    def step(*args: Any, **kwargs: Any) -> None:
        s.commit(*args, **kwargs)
        seen.append(s.members["bob"].epoch_authenticator)

    step(
        "alice",
        [s.add("carol"), s.add("dave")],
        [],
        path=True,
        wire_format=priv,
        joiners=["carol", "dave"],
    )
    step("carol", [], [], path=True, wire_format=priv)
    removal = s.propose("dave", wire.Proposal(wire.Remove(s.leaf("carol"))), pub)
    step("alice", [], [removal], path=True, wire_format=pub, leaving=["carol"])
    nonce = random(cs.nh)
    external = wire.PreSharedKeyId(wire.PSK_EXTERNAL, psk_id=_PSK_ID, psk_nonce=nonce)
    step("alice", [wire.Proposal(wire.PreSharedKey(external))], [], path=False, wire_format=pub)
    group_id = s.members["alice"].context.group_id
    resumption = wire.PreSharedKeyId(
        wire.PSK_RESUMPTION,
        usage=1,
        psk_group_id=group_id,
        psk_epoch=3,
        psk_nonce=random(cs.nh),
    )
    step(
        "dave",
        [
            wire.Proposal(wire.PreSharedKey(resumption)),
            wire.Proposal(wire.GroupContextExtensions((_REQUIRED_CAPABILITIES,))),
        ],
        [],
        path=True,
        wire_format=priv,
    )
    update = s.propose("dave", update_proposal(s.members["dave"], random), priv)
    step("alice", [], [update], path=True, wire_format=priv)
    step(
        "alice",
        [s.add("erin"), wire.Proposal(wire.Remove(s.leaf("dave")))],
        [],
        path=True,
        wire_format=pub,
        joiners=["erin"],
        leaving=["dave"],
    )
    step("erin", [], [], path=True, wire_format=pub)
    s.authenticators = seen
    return s.entry("bob", welcome, None)


def generate(out: Path, random: Random | None = None) -> list[Path]:
    """Write passive-client-welcome.json and passive-client-handling-commit.json into
    ``out``; returns their paths."""
    if random is None:
        random = ByteSource("e2ee-conformance mls_wg_passive").bytes
    welcome, handling = [], []
    for _, cs in sorted(SUITES.items()):
        welcome.append(_welcome_story(cs, random, True))
        welcome.append(_welcome_story(cs, random, False))
        handling.append(_commit_story(cs, random))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, entries in (
        ("passive-client-welcome.json", welcome),
        ("passive-client-handling-commit.json", handling),
    ):
        path = out / name
        path.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("outdir", type=Path, help="folder to write the two files into")
    args = parser.parse_args(argv)
    for path in generate(args.outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
