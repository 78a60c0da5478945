"""Comparison levels as tables of (description, left, right, expected level)."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.comparisons import COMPARISONS, MISSING
from tests.resolvers.helpers import features

BY_NAME = {c.name: c for c in COMPARISONS}
HOME = {"line1": "10 High Street", "town": "Leeds", "postcode": "LS6 2AB"}


def level_name(comparison: str, left: dict[str, Any], right: dict[str, Any]) -> str:
    c = BY_NAME[comparison]
    level = c.level(features(source_id="a", **left), features(source_id="b", **right))
    return "missing" if level == MISSING else c.levels[level]


@pytest.mark.parametrize(("description", "left", "right", "expected"), [
    ("same name", {"given_name": "Olivia"}, {"given_name": "OLIVIA "}, "exact"),
    ("nickname", {"given_name": "William"}, {"given_name": "Bill"}, "nickname"),
    ("transliteration", {"given_name": "Mohammed"}, {"given_name": "Muhammad"}, "nickname"),
    ("typo", {"given_name": "Tyrone"}, {"given_name": "Tyronne"}, "jw_0.92"),
    ("diacritics", {"given_name": "Zoë"}, {"given_name": "Zoe"}, "exact"),
    ("middle name used", {"given_name": "James", "middle_names": "Oliver"}, {"given_name": "Oliver"}, "middle_name"),
    ("given and family name swapped", {"given_name": "Khan", "family_name": "Amelia"},
     {"given_name": "Amelia", "family_name": "Khan"}, "swapped"),
    ("swapped, with a typo in one name", {"given_name": "Robinsen", "family_name": "Harriet"},
     {"given_name": "Harriet", "family_name": "Robinson"}, "swapped"),
    ("only one name in the other field is not a swap", {"given_name": "Quilliam", "family_name": "Ashleigh"},
     {"given_name": "Maddison", "family_name": "Quilliam"}, "else"),
    ("initial", {"given_name": "J"}, {"given_name": "Jasmine"}, "initial"),
    ("different", {"given_name": "Amelia"}, {"given_name": "Harry"}, "else"),
    ("missing", {"given_name": None, "family_name": "Khan"}, {"given_name": "Harry"}, "missing"),
])
def test_given_name_levels(description: str, left: dict, right: dict, expected: str) -> None:
    left.setdefault("family_name", "Khan")
    right.setdefault("family_name", "Khan")
    assert level_name("given_name", left, right) == expected, description


@pytest.mark.parametrize(("description", "left", "right", "expected"), [
    ("same", "Smith", "smith", "exact"),
    ("hyphenated part", "Smith-Khan", "Khan", "part"),
    ("typo", "Robinson", "Robinsen", "jw_0.92"),
    ("different", "Smith", "Patel", "else"),
])
def test_family_name_levels(description: str, left: str, right: str, expected: str) -> None:
    assert level_name("family_name", {"given_name": "A", "family_name": left},
                      {"given_name": "A", "family_name": right}) == expected, description


@pytest.mark.parametrize(("description", "left", "right", "expected"), [
    # A full swap is scored once, by the given-name comparison ("swapped"), not again here.
    ("given and family name swapped", ("Khan", "Amelia"), ("Amelia", "Khan"), "missing"),
    ("family name written as the given name", ("Quilliam", "Ashleigh"), ("Maddison", "Quilliam"), "other_field"),
    ("given name written as the family name, with a typo", ("Raquel", "Beadle"), ("Watkin", "Raquell"),
     "other_field"),
    ("an initial is not a name in the other field", ("J", "Smith"), ("Jasmine", "J"), "else"),
])
def test_family_name_against_the_other_field(description: str, left: tuple, right: tuple, expected: str) -> None:
    assert level_name("family_name", {"given_name": left[0], "family_name": left[1]},
                      {"given_name": right[0], "family_name": right[1]}) == expected, description


@pytest.mark.parametrize(("description", "left", "right", "expected"), [
    ("same", "6089216", "6089216", "same"),
    ("one digit changed", "6494659", "6494629", "one_edit"),
    ("two adjacent digits transposed", "4975843", "4957843", "one_edit"),
    ("one digit dropped", "6089216", "608216", "one_edit"),
    ("two digits changed", "6089216", "6089999", "different"),
    ("short values one apart are not a typo", "1234", "1235", "different"),
])
def test_other_identifier_levels(description: str, left: str, right: str, expected: str) -> None:
    assert level_name("other_identifier", {"given_name": "A", "identifiers": {"case_ref": left}},
                      {"given_name": "A", "identifiers": {"case_ref": right}}) == expected, description


def test_other_identifier_compares_shared_schemes_only() -> None:
    left = {"given_name": "A", "identifiers": {"case_ref": "6089216", "other_ref": "6089217"}}
    assert level_name("other_identifier", left, {"given_name": "A", "identifiers": {"case_ref": "6089217"}}) \
        == "one_edit"
    assert level_name("other_identifier", left, {"given_name": "A", "identifiers": {"case_ref": "1111111"}}) \
        == "different"


def test_other_identifier_of_another_scheme_is_missing() -> None:
    assert level_name("other_identifier", {"given_name": "A", "identifiers": {"case_ref": "6089216"}},
                      {"given_name": "A", "identifiers": {"other_ref": "6089216"}}) == "missing"


@pytest.mark.parametrize(("description", "left", "right", "expected"), [
    ("exact", "2015-03-04", "2015-03-04", "exact"),
    ("day and month swapped", "2015-03-04", "2015-04-03", "day_month_swapped"),
    ("off by one day", "2015-03-04", "2015-03-05", "off_by_one"),
    ("year only on one side", "2015", "2015-03-04", "year_only"),
    ("siblings two years apart", "2015-03-04", "2017-08-21", "else"),
    ("father and son", "1980-03-04", "2008-03-04", "far"),
    ("year digits swapped (a typo, not another person)", "1956-04-09", "1965-04-09", "off_by_one"),
    ("missing", None, "2015-03-04", "missing"),
    ("placeholder is missing", "1900-01-01", "2015-03-04", "missing"),
])
def test_dob_levels(description: str, left: str | None, right: str | None, expected: str) -> None:
    assert level_name("dob", {"given_name": "A", "dob": left}, {"given_name": "A", "dob": right}) == expected, description


@pytest.mark.parametrize(("description", "left", "right", "expected"), [
    ("same address, different spelling", [HOME], [{"line1": "10 High St", "postcode": "ls62ab"}], "same_current_address"),
    ("old address held by one agency",
     [{"line1": "5 Oak Road", "postcode": "LS7 1AA", "from": "2024-01-01"}, {**HOME, "to": "2023-12-31"}],
     [HOME], "same_address"),
    ("same postcode, other house", [HOME], [{"line1": "12 High Street", "postcode": "LS6 2AB"}], "same_postcode"),
    ("same sector", [HOME], [{"line1": "1 Low Road", "postcode": "LS6 2XY"}], "same_sector"),
    ("same district", [HOME], [{"line1": "1 Low Road", "postcode": "LS6 9XY"}], "same_district"),
    ("postcode typo, same house", [HOME], [{"line1": "10 High Street", "postcode": "LS6 2AD"}], "similar_address"),
    ("no postcode, typos in street and town", [{"line1": "37 Kelleway Avenue", "town": "Marleston"}],
     [{"line1": "37 Kellewayavenue", "town": "Marlesgon"}], "similar_address"),
    ("no postcode, same street, other number", [{"line1": "37 Kelleway Avenue", "town": "Marleston"}],
     [{"line1": "73 Kelleway Avenue", "town": "Marleston"}], "similar_street"),
    ("no postcode, other street", [{"line1": "37 Kelleway Avenue", "town": "Marleston"}],
     [{"line1": "37 Burnage Place", "town": "Marleston"}], "else"),
    ("elsewhere", [HOME], [{"line1": "1 Low Road", "postcode": "BD1 1AA"}], "else"),
    ("same postcode abroad, other street", [{"line1": "12 Main Street", "town": "Dublin", "postcode": "D02 X285"}],
     [{"line1": "3 Quay Road", "town": "Dublin", "postcode": "d02x285"}], "same_postcode"),
    ("same mistyped postcode, other house", [{"line1": "10 High Street", "town": "Leeds", "postcode": "LS6 2CB"}],
     [{"line1": "12 High Street", "town": "Leeds", "postcode": "LS6 2CB"}], "same_postcode"),
    ("other postcode abroad", [{"line1": "12 Main Street", "town": "Dublin", "postcode": "D02 X285"}],
     [{"line1": "3 Quay Road", "town": "Dublin", "postcode": "D04 Y123"}], "else"),
    ("two UK districts typed short are not one postcode", [{"line1": "37 Kelleway Avenue", "town": "Leeds",
                                                           "postcode": "LS6"}],
     [{"line1": "1 Low Road", "town": "Leeds", "postcode": "LS6"}], "else"),
    ("missing", [], [HOME], "missing"),
    # Addresses that pick out no dwelling (a street without a house number, outside a UK postcode) have
    # no key, yet still place the person: on the same street at best, never the same dwelling.
    ("no number, same street and town", [{"line1": "Studley Street", "town": "Riverwood"}],
     [{"line1": "Studley Steet", "town": "Riverwood"}], "similar_street"),
    ("no number against a numbered house on that street", [{"line1": "Studley Street", "town": "Riverwood"}],
     [{"line1": "12 Studley Street", "town": "Riverwood"}], "similar_street"),
    ("no number, same postal code", [{"line1": "Studley Street", "town": "Riverwood", "postcode": "4869"}],
     [{"line1": "Rose Vale", "town": "Riverwood", "postcode": "4869"}], "same_postcode"),
    ("no number, other street", [{"line1": "Studley Street", "town": "Riverwood"}],
     [{"line1": "Burnage Place", "town": "Riverwood"}], "else"),
    ("a UK postcode alone", [{"postcode": "LS6 2AB"}], [HOME], "same_postcode"),
    ("a street without a number or town is nowhere", [{"line1": "Studley Street"}], [HOME], "missing"),
    ("a former street without a number is no current one", [{"line1": "Studley Street", "town": "Riverwood",
                                                             "to": "2020-01-01"}],
     [{"line1": "Studley Street", "town": "Riverwood"}], "missing"),
    ("a placeholder without a number is still nowhere", [{"line1": "Police Station, Studley Street",
                                                          "town": "Riverwood", "postcode": "4869"}],
     [{"line1": "Studley Street", "town": "Riverwood", "postcode": "4869"}], "missing"),
])
def test_location_levels(description: str, left: list, right: list, expected: str) -> None:
    assert level_name("location", {"given_name": "A", "addresses": left},
                      {"given_name": "A", "addresses": right}) == expected, description


def test_landline_counts_as_location_and_mobile_as_personal() -> None:
    assert level_name("location", {"given_name": "A", "phones": ["0113 496 0000"]},
                      {"given_name": "A", "phones": ["+44 113 496 0000"]}) == "same_landline"
    assert level_name("contact", {"given_name": "A", "phones": ["07700 900123"]},
                      {"given_name": "A", "phones": ["+447700900123"]}) == "shared_mobile"


@pytest.mark.parametrize(("description", "left", "right", "expected"), [
    ("same NHS number", "943 476 5919", "9434765919", "same"),
    ("different valid NHS numbers", "9434765919", "9434765870", "different"),
    ("invalid one is no evidence", "9434765918", "9434765919", "missing"),
])
def test_nhs_number_levels(description: str, left: str, right: str, expected: str) -> None:
    assert level_name("nhs_number", {"given_name": "A", "identifiers": {"nhs_number": left}},
                      {"given_name": "A", "identifiers": {"nhs_number": right}}) == expected, description


def test_shared_identifier_overrides_date_and_name_inferences() -> None:
    from resolvers.scoring import cannot_link_reason

    def reason(**right: Any) -> str | None:
        left = {"given_name": "Harley", "family_name": "Mccarthy", "dob": "1908-04-19"}
        if "identifiers" in right:
            left["identifiers"] = right["identifiers"]
        a, b = features(source_id="a", **left), features(source_id="b", **{**left, **right})
        return cannot_link_reason([c.level(a, b) for c in COMPARISONS])

    assert reason(given_name="Zoe") == "twins_same_dob_different_given_name"
    assert reason(given_name="Zoe", identifiers={"soc_sec_id": "1"}) is None
    assert reason(dob="1961-04-19") == "dob_far_apart"
    assert reason(dob="1990-04-19", identifiers={"nhs_number": "9434765919"}) is None


def test_vectorised_cannot_link_reasons_equal_the_reference() -> None:
    import itertools

    import numpy as np

    from resolvers.scoring import ALL_INFERENCES, cannot_link_reason, cannot_link_reasons

    sizes = [len(c.levels) for c in COMPARISONS]
    rng = np.random.default_rng(7)
    levels = np.stack([rng.integers(-1, size, 5000) for size in sizes], axis=1)
    for inferences in (ALL_INFERENCES, frozenset(), frozenset({"dob_far_apart"})):
        fast = cannot_link_reasons(levels, inferences)
        slow = {r: reason for r in range(len(levels)) if (reason := cannot_link_reason(levels[r], inferences))}
        assert fast == slow
    assert list(itertools.islice(fast.values(), 1))  # the random levels do hit some rules
