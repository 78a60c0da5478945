"""Cached address normalisation gives what a cold cache gives: the address lines are parsed and cached
apart from the town and postcode (graph_model.normalise.addresses._street_lines), and their parts are shared
between every address with those lines, in any order."""

from __future__ import annotations

from random import Random

import pytest

from graph_model.normalise import addresses
from graph_model.normalise.addresses import normalise_address
from graph_model.synthetic.generator import generate

# The same lines with other towns and postcodes, and shapes that take each branch (postcode in a line, a
# placeholder, care of, an institution, a flat in a building, an address abroad).
HAND_MADE = [
    ("Flat 2, 10 High St", None, "Leeds", "LS6 2AB"), ("Flat 2, 10 High St", None, None, "ls62ab"),
    ("Flat 2, 10 High St", None, "Bradford", None), ("Flat 2, 10 High St LS6 2AB", None, None, None),
    ("2/10 High Street", "Headingley", "Leeds", "LS6 2AB"), ("NFA", None, "Leeds", None), ("NFA", None, None, None),
    ("c/o Mrs Smith, 4 Oak Road", None, "Leeds", "LS6 1AA"), ("Leeds Police Station", None, "Leeds", "LS1 1AA"),
    ("5 Riverside House", "Mill Lane", "Leeds", "LS6 1AA"), ("12 Main Street", None, "Dublin", "D02 X285"),
    ("10 The Willows", None, None, "not known"), (None, None, "Leeds", "LS6 2AB"), ("", "  ", None, None),
]


def _addresses() -> list[tuple[str | None, ...]]:
    found = list(HAND_MADE)
    for record, _truth in generate(100, seed=11):
        for item in record.get("addresses") or []:
            found.append(tuple(item.get(k) for k in ("line1", "line2", "town", "postcode")))
    assert len(found) > 300
    return found


def _cold(args: tuple[str | None, ...]) -> object:
    addresses._street_lines.cache_clear()
    addresses._normalise.cache_clear()
    return normalise_address(*args)


def test_warm_caches_give_what_cold_caches_give() -> None:
    cases = _addresses()
    cold = [_cold(args) for args in cases]
    shuffled = list(range(len(cases)))
    Random(5).shuffle(shuffled)
    addresses._street_lines.cache_clear()
    addresses._normalise.cache_clear()
    warm = {i: normalise_address(*cases[i]) for i in shuffled}
    again = {i: normalise_address(*cases[i]) for i in reversed(shuffled)}
    assert [warm[i] for i in range(len(cases))] == cold
    assert [again[i] for i in range(len(cases))] == cold
    assert addresses._street_lines.cache_info().hits > 0  # lines shared between addresses were reused
    # One pair of lines, other towns and postcodes: the postcode (also typed in the line) or the town decides.
    assert [a.key for a in cold[:4]] == ["LS62AB|10|2", "LS62AB|10|2", "high street|10|2|bradford", "LS62AB|10|2"]


# Second lines: plain localities (a first line naming a street is parsed once for all of them), and lines that
# are not, each for the reason given.
SECOND_LINES = [
    ("Rothwell", True), ("Cross Gates", True), ("  great   HORTON ", True), ("St Johns", True),
    ("Known", False),  # "Not" + "Known" on the first line: a placeholder phrase
    ("Abode", False), ("Of", False), ("O", False),  # "No Fixed" + "Abode", "Care" + "Of", "C/" + "O"
    ("Rough Sleeper", False), ("Hall", False), ("Police Station", False),  # a placeholder, an institution
    ("Mill Lane", False), ("Broadway", False),  # a street type: a building before it is read differently
    ("Flat A", False), ("Ground Floor", False), ("Studio", False),  # a flat
    ("LS6 2AB", False), ("Leeds LS6", False), ("10 Mill Lane", False), ("Headingley, Leeds", False),
    ("Saint-Denis", False), ("Zoë Court", False), ("", False), ("   ", False),
]
FIRST_LINES = [
    "19 Shaftesbury Avenue", "Flat 2, 19 Shaftesbury Avenue", "5 Riverside House", "Riverside House",
    "2/10 High Street", "10", "Flat 3", "c/o Mrs Smith, 4 Oak Road", "NFA", "Leeds Police Station",
    "10 High Street LS6 2AB", "The Willows", "10, The Willows", "Zoë Court 4", "Basement Flat, 7 Mill Lane",
    # a street, then the start of a phrase the second line may complete
    "10 High Street Not", "4 Oak Road No Fixed", "4 Oak Road Care", "4 Oak Road C/", "4 Oak Road Town", "4 Oak Road, Rough",
]


@pytest.mark.parametrize(("line", "plain"), SECOND_LINES, ids=[repr(c[0]) for c in SECOND_LINES])
def test_which_second_lines_are_plain_localities(line: str, plain: bool) -> None:
    assert addresses._is_plain_locality(line) is plain


def test_a_first_line_parsed_once_for_its_localities_gives_what_both_lines_parsed_together_give() -> None:
    pairs = [(first, second) for first in FIRST_LINES for second, _plain in SECOND_LINES]
    for record, _truth in generate(100, seed=11):
        for item in record.get("addresses") or []:
            pairs.append((item.get("line1"), item.get("line2")))
    shortcut = 0
    for line1, line2 in pairs:
        addresses._street_lines.cache_clear()
        together = addresses._parse_street_lines(line1, line2)
        assert addresses._street_lines(line1, line2) == together, (line1, line2)
        # taken: (line1, None) was parsed for it, and names a street
        shortcut += addresses._street_lines.cache_info().misses == 2 and together[2].street is not None
    assert shortcut > 50
