"""MLS groups of more than two implementations (issue 19): how their parties are chosen (a Latin
square of triples, rotations for the large group), how a group judges who is at fault, how
declared quirks explain a refusal, and where groups appear in a report."""

from __future__ import annotations

import io
import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import adapter_from
from mls_breaks import MockMlsGroupExportsWrongly

from conformance.errors import ConfigurationError, InvalidMessage
from conformance.interop import PairTask, latin_triples, plan_pairs, rotations, run_pair, scenarios
from conformance.manifest import load_manifest
from conformance.quirks.mls import MlsQuirks, parse, wire_client_id
from conformance.reference.mls.group_api import MlsGroupReference
from conformance.selection import Selection

SEED = 19
THREE = "group/mls/three-members"


def _names(n: int) -> list[Any]:
    # Given out of order: the plans rank by name.
    return [adapter_from(f"a{i}", {"mls-group": MlsGroupReference()}) for i in reversed(range(n))]


@pytest.mark.parametrize("n", range(1, 8))
def test_the_triples_meet_every_ordered_pair_in_every_pair_of_roles_once(n: int) -> None:
    triples = [tuple(a.name for a in t) for t in latin_triples(_names(n))]
    assert len(triples) == n * n
    names = [f"a{i}" for i in range(n)]
    for first, second in itertools.combinations(range(3), 2):
        met = Counter((t[first], t[second]) for t in triples)
        assert met == Counter(itertools.product(names, repeat=2)), (first, second)


def test_rotations_put_every_implementation_first_once() -> None:
    groups = [tuple(a.name for a in g) for g in rotations(_names(4))]
    assert groups == [
        ("a0", "a1", "a2", "a3"),
        ("a1", "a2", "a3", "a0"),
        ("a2", "a3", "a0", "a1"),
        ("a3", "a0", "a1", "a2"),
    ]


def test_group_scenarios_are_planned_by_their_plan_and_run_by_ci_and_full() -> None:
    adapters = _names(5)
    for tier in ("ci", "full"):
        tasks = plan_pairs(adapters, ["mls"], Selection(tier=tier, patterns=("group/*",)))
        by_check = Counter(t.scenario.check for t in tasks)
        assert by_check == {THREE: 25, "group/mls/large": 5}
        assert {len(t.parties) for t in tasks if t.scenario.check == THREE} == {3}
        assert {len(t.parties) for t in tasks if t.scenario.check != THREE} == {5}
    smoke = plan_pairs(adapters, ["mls"], Selection(tier="smoke", patterns=("group/*",)))
    assert smoke == []


def _scenario(check: str) -> Any:
    (sc,) = [s for s in scenarios() if s.check == check]
    return sc


def _play(check: str, *impls: object, quirks: tuple[dict[str, object], ...] = ()) -> Any:
    parties = [
        adapter_from(f"p{i}", {"mls-group": impl}, quirks[i] if quirks else None)
        for i, impl in enumerate(impls)
    ]
    return run_pair(PairTask(_scenario(check), parties[0], parties[1], tuple(parties[2:])), SEED)


class MockMlsGroupSignsBadly(MlsGroupReference):
    """Every commit it makes has its last byte (in its signature or tags) flipped: whoever
    receives it must refuse it."""

    def _flip(self, out: Any) -> Any:
        out = dict(out)
        commit = out["commit"]
        out["commit"] = commit[:-1] + bytes([commit[-1] ^ 1])
        return out

    def mls_update(self, member: bytes, wire_format: int, random: bytes) -> Any:
        return self._flip(super().mls_update(member, wire_format, random))


class MockMlsGroupRefusesCommits(MlsGroupReference):
    """Refuses every commit it is given once it is in a group of three."""

    def mls_process(self, member: bytes, message: bytes) -> Any:
        if self.mls_epoch(member)["member_count"] >= 3 and message[3] == 1:
            raise InvalidMessage("refuses every commit (a test fault)")
        return super().mls_process(member, message)


def test_a_commit_every_other_implementation_refuses_is_its_senders_fault() -> None:
    healthy = _play(THREE, MlsGroupReference(), MlsGroupReference(), MlsGroupReference())
    assert healthy.outcome == "pass", healthy.detail
    r = _play(THREE, MlsGroupReference(), MlsGroupReference(), MockMlsGroupSignsBadly())
    assert r.outcome == "fail"
    assert "P3's update" in (r.detail or "")
    assert r.fault is not None
    assert (r.fault.party, r.fault.adapters) == ("sender", ("p2",))


def test_a_member_refusing_what_others_read_is_at_fault() -> None:
    r = _play(THREE, MlsGroupReference(), MockMlsGroupRefusesCommits(), MlsGroupReference())
    assert r.outcome == "fail", r.detail
    assert r.fault is not None
    assert (r.fault.party, r.fault.adapters) == ("receiver", ("p1",))
    assert "read the same commit" in r.fault.evidence


def test_the_odd_exporter_out_is_named_by_the_others() -> None:
    r = _play(THREE, MlsGroupReference(), MlsGroupReference(), MockMlsGroupExportsWrongly())
    assert r.outcome == "fail"
    assert r.fault is not None
    assert (r.fault.party, r.fault.adapters) == ("receiver", ("p2",))
    # With two members there is no majority: the pair is named, undetermined.
    two = _play(THREE, MlsGroupReference(), MockMlsGroupExportsWrongly(), MlsGroupReference())
    assert two.fault is not None
    assert two.fault.party == "undetermined"


class MockMlsGroupWantsX509(MlsGroupReference):
    """A creator whose groups require x509 credentials: it refuses basic-only key packages."""

    def mls_add(self, member: bytes, key_package: bytes, wire_format: int, random: bytes) -> Any:
        raise InvalidMessage("Credentials are not acceptable (a test fault)")


def test_a_refusal_the_creators_quirks_declare_is_said_to_be_allowed() -> None:
    strict = {"mls": MlsQuirks(required_credential_types=(1, 2), credential_types=(1, 2))}
    basic = {"mls": MlsQuirks(credential_types=(1,))}
    r = _play(
        "pair/mls/lifecycle-public",
        MockMlsGroupWantsX509(),
        MlsGroupReference(),
        quirks=(strict, basic),
    )
    assert r.outcome == "fail"
    assert "allowed by RFC 9420 §11.1" in (r.detail or "")
    assert r.fault is not None
    assert (r.fault.party, r.fault.adapters) == ("receiver", ("p0",))
    assert "neither violates" in r.fault.evidence
    # Undeclared, the same refusal is an ordinary failure between the two.
    plain = _play("pair/mls/lifecycle-public", MockMlsGroupWantsX509(), MlsGroupReference())
    assert plain.fault is not None
    assert plain.fault.party == "undetermined"
    assert "allowed" not in (plain.detail or "")


def test_quirks_are_read_and_checked() -> None:
    q = parse({"commit_wire_formats_sent": [1], "out_of_order_window": 2, "state": "handle"})
    assert q.commit_wire_formats_sent == (1,)
    assert q.out_of_order_window == 2
    for bad, why in (
        ({"windows": 1}, "unknown key"),
        ({"commit_wire_formats_sent": [3]}, "may only hold"),
        ({"past_epochs": -1}, "non-negative"),
        ({"identity": "email"}, "must be one of"),
        ({"cipher_suites": []}, "non-empty"),
    ):
        with pytest.raises(ValueError, match=why):
            parse(bad)
    identity = wire_client_id(bytes(24))
    assert MlsQuirks(identity="wire-client-id").accepts_identity(identity)
    assert not MlsQuirks(identity="wire-client-id").accepts_identity(b"alice")


def test_a_manifest_with_bad_quirks_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "adapter.toml").write_text(
        'name = "x"\nimplementation = "x"\ncapabilities = ["mls-group"]\n'
        '[transport]\nkind = "python"\nentry = "adapter.py:X"\n'
        "[quirks.mls]\nout_of_order_window = true\n"
    )
    with pytest.raises(ConfigurationError, match=r"adapter\.toml.*quirks\.mls: out_of_order"):
        load_manifest(folder)
    (folder / "adapter.toml").write_text(
        'name = "x"\nimplementation = "x"\ncapabilities = ["mls-group"]\n'
        '[transport]\nkind = "python"\nentry = "adapter.py:X"\n[quirks.olm]\nx = 1\n'
    )
    with pytest.raises(ConfigurationError, match="unknown family 'olm'"):
        load_manifest(folder)


def test_every_bundled_mls_group_adapter_declares_its_quirks() -> None:
    root = Path(__file__).resolve().parents[1] / "adapters"
    for path in sorted(root.glob("*/adapter.toml")):
        m = load_manifest(path)
        if "mls-group" in m.capabilities:
            assert "mls" in m.quirks, f"{m.name} declares no [quirks.mls]"


def test_a_group_is_reproduced_with_its_parties_in_order() -> None:
    from conformance.repro import repro_pair

    out = io.StringIO()
    code = repro_pair(THREE, ["reference", "reference", "reference"], SEED, out)
    text = out.getvalue()
    assert code == 0, text
    assert "parties  reference" in text
    assert "outcome: PASS" in text


def test_a_report_lists_every_group_with_its_parties_and_outcome(tmp_path: Path) -> None:
    import json

    from conformance.cli import main

    out = tmp_path / "r"
    code = main(
        [
            "run",
            "--adapter",
            "reference",
            "--case",
            "group/mls/*",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    rows = report["summary"]["groups"]["mls"]
    # One implementation: one triple (itself thrice); a large group needs two.
    assert rows == [
        {
            "check": THREE,
            "adapters": ["reference", "reference", "reference"],
            "outcome": "pass",
            "blamed": [],
            "party": None,
        }
    ]
    assert "mls" not in report["summary"]["pairs"]  # a group is no pair
    page = (out / "index.html").read_text()
    assert 'id="groups-mls"' in page
    assert "reference → reference → reference" in page


def test_the_exhaustive_tampering_plays_the_cycle_in_the_full_tier_only() -> None:
    adapters = _names(5)
    every_bit = "prop/mls/tampering-every-bit"
    full = plan_pairs(adapters, ["mls"], Selection(tier="full", patterns=(every_bit,)))
    # Each with the next by name: n pairs, not n^2.
    assert {(t.first.name, t.second.name) for t in full} == {
        ("a0", "a1"),
        ("a1", "a2"),
        ("a2", "a3"),
        ("a3", "a4"),
        ("a4", "a0"),
    }
    assert plan_pairs(adapters, ["mls"], Selection(tier="ci", patterns=(every_bit,))) == []
