"""UK postcode normalisation and format validation."""

from __future__ import annotations

import pytest

from graph_model.normalise import Postcode, normalise_postcode

# (description, raw, value, outward, inward, sector, district, area)
VALID = [
    ("no space, lower case", "ls62ab", "LS6 2AB", "LS6", "2AB", "LS6 2", "LS6", "LS"),
    ("double space", "LS6  2AB", "LS6 2AB", "LS6", "2AB", "LS6 2", "LS6", "LS"),
    ("lower case with space", "ls6 2ab", "LS6 2AB", "LS6", "2AB", "LS6 2", "LS6", "LS"),
    ("surrounding whitespace and tab", " LS6\t2AB ", "LS6 2AB", "LS6", "2AB", "LS6 2", "LS6", "LS"),
    ("hyphen instead of space", "LS6-2AB", "LS6 2AB", "LS6", "2AB", "LS6 2", "LS6", "LS"),
    ("A9 9AA", "M1 1AE", "M1 1AE", "M1", "1AE", "M1 1", "M1", "M"),
    ("A99 9AA", "B33 8TH", "B33 8TH", "B33", "8TH", "B33 8", "B33", "B"),
    ("AA9 9AA", "CR2 6XH", "CR2 6XH", "CR2", "6XH", "CR2 6", "CR2", "CR"),
    ("AA99 9AA", "DN55 1PT", "DN55 1PT", "DN55", "1PT", "DN55 1", "DN55", "DN"),
    ("A9A 9AA", "W1A 0AX", "W1A 0AX", "W1A", "0AX", "W1A 0", "W1A", "W"),
    ("AA9A 9AA", "EC1A1BB", "EC1A 1BB", "EC1A", "1BB", "EC1A 1", "EC1A", "EC"),
    ("AA9A 9AA Westminster", "sw1a 1aa", "SW1A 1AA", "SW1A", "1AA", "SW1A 1", "SW1A", "SW"),
    ("two-digit district", "YO10 4BY", "YO10 4BY", "YO10", "4BY", "YO10 4", "YO10", "YO"),
    ("GIR 0AA", "gir0aa", "GIR 0AA", "GIR", "0AA", "GIR 0", "GIR", "GIR"),
]


@pytest.mark.parametrize(("description", "raw", "value", "outward", "inward", "sector", "district", "area"),
                         VALID, ids=[c[0] for c in VALID])
def test_valid_postcodes(description: str, raw: str, value: str, outward: str, inward: str, sector: str,
                         district: str, area: str) -> None:
    assert normalise_postcode(raw) == Postcode(value, outward, inward, sector, district, area, True, raw)


INVALID = [
    ("outward code only", "LS6"),
    ("digits only", "12345"),
    ("inward letter C is never used", "LS6 2CB"),
    ("inward letter O is never used", "LS6 2AO"),
    ("first letter Q is never used", "QS6 2AB"),
    ("second letter J is never used", "AJ6 2AB"),
    ("inward code missing its digit", "LS6 AAB"),
    ("too long", "LS66 22AB"),
    ("words", "not known"),
    ("letter O typed for zero", "LS6 OAB"),
    ("empty", ""),
    ("blank", "   "),
]


@pytest.mark.parametrize(("description", "raw"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_postcodes(description: str, raw: str) -> None:
    postcode = normalise_postcode(raw)
    assert not postcode.valid
    assert postcode.value is None and postcode.outward is None and postcode.sector is None
    assert postcode.raw == raw  # kept for display


def test_none() -> None:
    assert normalise_postcode(None) == Postcode(None, None, None, None, None, None, False, None)


def test_spellings_agree() -> None:
    values = {normalise_postcode(s).value for s in ("ls62ab", "LS6 2AB", "ls6  2ab", " Ls6 2aB ")}
    assert values == {"LS6 2AB"}
