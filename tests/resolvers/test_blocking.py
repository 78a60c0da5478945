"""Blocking rules: which record pairs become candidates, by rule (no database needed)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from resolvers.blocking import BLOCKING_RULES, candidate_pairs
from tests.resolvers.helpers import features


def rules_pairing(left: dict[str, Any], right: dict[str, Any]) -> set[str]:
    pairs, masks, _report = candidate_pairs([features(source_id="a", **left), features(source_id="b", **right)])
    if not len(pairs):
        return set()
    return {rule.name for bit, rule in enumerate(BLOCKING_RULES) if int(masks[0]) >> bit & 1}


@pytest.mark.parametrize(("description", "left", "right", "rule"), [
    ("names swapped", {"given_name": "Barnaby", "family_name": "Siggins"},
     {"given_name": "Siggins", "family_name": "Barnaby"}, "names_any_order"),
    ("names swapped with a typo, same dob", {"given_name": "Barnabh", "family_name": "Siggins", "dob": "1998-10-21"},
     {"given_name": "Siggins", "family_name": "Barnaby", "dob": "1998-10-21"}, "dob_initials_any_order"),
    ("identifier with one digit changed", {"given_name": "A", "identifiers": {"case_ref": "6494659"}},
     {"given_name": "B", "identifiers": {"case_ref": "6494629"}}, "other_identifier_one_edit"),
    ("identifier with two digits transposed", {"given_name": "A", "identifiers": {"case_ref": "4975843"}},
     {"given_name": "B", "identifiers": {"case_ref": "4957843"}}, "other_identifier_one_edit"),
    ("identifier with a digit dropped", {"given_name": "A", "identifiers": {"case_ref": "4975843"}},
     {"given_name": "B", "identifiers": {"case_ref": "497843"}}, "other_identifier_one_edit"),
    ("house number mistyped at one postcode (dwelling keys differ)",
     {"given_name": "Lauren", "family_name": "Frahn", "dob": "1981-07-01",
      "addresses": [{"line1": "5 Solomon Crescent", "postcode": "LS6 2AB"}]},
     {"given_name": "Laurex", "family_name": "Frahn", "dob": "1918-07-01",
      "addresses": [{"line1": "15 Solomon Crescent", "postcode": "LS6 2AB"}]}, "name_postcode"),
    ("name in the other field, same postcode abroad",
     {"given_name": "Raquel", "family_name": "Watkin",
      "addresses": [{"line1": "2 Quay Road", "town": "Dublin", "postcode": "D02 X285"}]},
     {"given_name": "Tommy", "family_name": "Raquel",
      "addresses": [{"line1": "12 Quay Rd", "town": "Dublin", "postcode": "d02x285"}]},
     "name_postcode"),
])
def test_rule_finds_pair(description: str, left: dict, right: dict, rule: str) -> None:
    assert rule in rules_pairing(left, right), description


@pytest.mark.parametrize(("description", "left", "right"), [
    ("identifiers two digits apart", {"given_name": "A", "identifiers": {"case_ref": "4975843"}},
     {"given_name": "B", "identifiers": {"case_ref": "4975811"}}),
    ("one-edit keys only within a scheme", {"given_name": "A", "identifiers": {"case_ref": "4975843"}},
     {"given_name": "B", "identifiers": {"other_ref": "4975842"}}),
    ("short identifiers get no one-edit keys", {"given_name": "A", "identifiers": {"case_ref": "1234"}},
     {"given_name": "B", "identifiers": {"case_ref": "1235"}}),
    ("same surname, one postcode each", {"given_name": "Ann", "family_name": "Frahn",
                                         "addresses": [{"line1": "5 Solomon Crescent", "postcode": "LS6 2AB"}]},
     {"given_name": "Bob", "family_name": "Frahn", "addresses": [{"line1": "7 Mill Lane", "postcode": "LS7 1AA"}]}),
    ("same surname, postcodes only typed short (districts)",
     {"given_name": "Ann", "family_name": "Frahn", "addresses": [{"line1": "5 Solomon Crescent", "town": "Leeds",
                                                                  "postcode": "LS6"}]},
     {"given_name": "Bob", "family_name": "Frahn", "addresses": [{"line1": "7 Mill Lane", "town": "Leeds",
                                                                  "postcode": "LS6"}]}),
])
def test_no_pair(description: str, left: dict, right: dict) -> None:
    assert rules_pairing(left, right) == set(), description


def test_national_identifiers_get_no_one_edit_keys() -> None:
    # Check digits reject a mistyped NHS number at ingest; two valid ones that differ are two people.
    assert "other_identifier_one_edit" not in rules_pairing(
        {"given_name": "A", "identifiers": {"nhs_number": "9434765919"}},
        {"given_name": "B", "identifiers": {"nhs_number": "9434765870"}})


def _blocks_both_ways(feats: list) -> tuple:
    from resolvers.vectorised import EncodedRecords

    reference = candidate_pairs(feats)
    fast = candidate_pairs(feats, encoded=EncodedRecords(feats))
    return reference, fast


def _assert_same_blocking(feats: list) -> None:
    (pairs, masks, report), (fast_pairs, fast_masks, fast_report) = _blocks_both_ways(feats)
    assert len(pairs) > 0
    assert np.array_equal(pairs, fast_pairs)
    assert np.array_equal(masks, fast_masks)
    assert report == fast_report


def _demo_features(households: int, seed: int) -> list:
    from graph_model.synthetic import generate

    return [features(source_id=f"{record['source']}-{index}",
                     **{k: v for k, v in record.items() if k not in ("source", "source_id")})
            for index, (record, _truth) in enumerate(generate(households, seed=seed))]


def test_rules_keyed_from_columns_give_the_rules_own_pairs_on_demo_data() -> None:
    feats = _demo_features(300, seed=11)
    _assert_same_blocking(feats)


def test_rules_keyed_from_columns_give_the_same_capped_blocks() -> None:
    # 45 records at one address with one surname and one birth year: over the caps of the address rule (40) and
    # not of the name rules (60); the report names the same capped keys either way.
    crowd = [features(source_id=f"c{i}", given_name=f"Name{chr(97 + i % 26)}{chr(97 + i // 26)}", family_name="Frahn",
                      dob=f"1990-0{1 + i % 9}-1{i % 10}", addresses=[{"line1": "1 Refuge Road", "postcode": "LS6 2AB"}])
             for i in range(45)]
    (_, _, report), (_, _, fast_report) = _blocks_both_ways(crowd)
    assert report.capped_blocks.get("address") == 1
    assert report == fast_report
    _assert_same_blocking(crowd)


def test_rules_keyed_from_columns_on_empty_values_repeated_parts_and_wide_sets() -> None:
    from dataclasses import replace

    base = [
        features(source_id="1", given_name="Jo", family_name="Smith Smith", dob="2015-03-04",
                 addresses=[{"line1": "10 High St", "postcode": "LS6 2AB"}], identifiers={"case_ref": "6089216"}),
        features(source_id="2", given_name="Smith", family_name="Jo", dob="2015-03-04",
                 addresses=[{"line1": "12 High St", "postcode": "LS6 2AB"}], identifiers={"case_ref": "6089261"}),
        features(source_id="3", given_name="J", family_name="Smith", dob="2015",
                 addresses=[{"line1": "2 Quay Road", "town": "Dublin", "postcode": "D02 X285"}]),
        features(source_id="4", given_name="Joanna", family_name="Smith", dob="2015-04-03",
                 addresses=[{"line1": "12 Quay Rd", "town": "Dublin", "postcode": "d02x285"}]),
    ]
    # Empty strings are false to the rules: no key from an empty canonical name, group or phonetic code.
    blank = [replace(base[0], uid="t:5", given_canon="", given_groups=frozenset({""}), family_phonetic=""),
             replace(base[3], uid="t:6", given_canon="", given_groups=frozenset(), family_phonetic="")]
    _assert_same_blocking(base + blank)
    # More mobiles than the columns keep: that rule is keyed by its own function, the pairs stay the same.
    many = [f"07700 9001{k:02d}" for k in range(20)]
    wide = [features(source_id="w1", given_name="Ann", family_name="Lee", phones=many),
            features(source_id="w2", given_name="Bob", family_name="Ray", phones=many[-1:])]
    _assert_same_blocking(base + blank + wide)


def test_every_shipped_rule_is_keyed_from_columns() -> None:
    from resolvers.blocking import _VectorKeys
    from resolvers.vectorised import EncodedRecords

    feats = _demo_features(20, seed=3)
    keys = _VectorKeys(feats, EncodedRecords(feats))
    # other_identifier_one_edit is keyed by its own function, over the records with such an identifier only.
    assert [rule.name for rule in BLOCKING_RULES if keys.keys(rule) is None] == []


@pytest.mark.parametrize("ordered", [False, True])
def test_blocks_of_any_integer_keys(ordered: bool) -> None:
    from resolvers.blocking import BlockingReport, BlockingRule, _block_pairs

    # Keys of combined codes are large and sparse (no bincount over them); a block over the cap is reported.
    keys = np.array([5, 1 << 50, 5, 1 << 50, 7, 1 << 50, 1 << 50], dtype=np.int64)
    members = np.array([4, 0, 2, 3, 6, 1, 5], dtype=np.int64)
    if ordered:
        order = np.argsort(keys, kind="stable")
        keys, members = keys[order], members[order]
    report = BlockingReport()
    codes = _block_pairs(keys, members, 10, BlockingRule("r", lambda f: [], cap=3), report, ordered=ordered)
    assert sorted(codes.tolist()) == [2 * 10 + 4]  # the block of 5; the block of four is over the cap
    assert report.capped_blocks == {"r": 1} and report.largest_capped == {"r": 4}
