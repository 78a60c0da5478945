"""Blocking rules: which record pairs become candidates, by rule (no database needed)."""

from __future__ import annotations

from typing import Any

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
