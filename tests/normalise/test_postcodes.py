"""UK postcode normalisation and format validation."""

from __future__ import annotations

import pytest

from graph_model.normalise import Postcode, normalise_postcode, other_postcode

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


# (description, raw, token): a postcode-field value that is not a UK postcode, kept as a token or not
OTHER = [
    ("Australian", "2570", "2570"),
    ("Irish Eircode, lower case with a space", "d02 x285", "D02X285"),
    ("British Forces Post Office", "BFPO 801", "BFPO801"),
    ("US ZIP+4 with a hyphen", "90210-1234", "902101234"),
    ("mistyped UK postcode (inward letter C)", "LS6 2CB", "LS62CB"),
    ("valid UK postcode is not an other postcode", "LS6 2AB", None),
    ("valid UK postcode without its space", "ls62ab", None),
    ("UK outward code only (a district)", "LS6", None),
    ("UK sector (outward code and digit)", "LS6 2", None),
    ("UK postcode missing its last letter", "LS6 2A", None),
    ("NHS pseudo-postcode for no fixed abode", "ZZ99 3VZ", None),
    ("NHS pseudo-postcode, England not specified", "zz993cz", None),
    ("one digit repeated", "0000", None),
    ("one letter repeated with a digit-free placeholder", "XXXX", None),
    ("words", "not known", None),
    ("N/A", "N/A", None),
    ("too short", "12", None),
    ("too long", "12345678901", None),
    ("empty", "", None),
    ("none", None, None),
]


@pytest.mark.parametrize(("description", "raw", "token"), OTHER, ids=[c[0] for c in OTHER])
def test_other_postcodes(description: str, raw: str | None, token: str | None) -> None:
    assert other_postcode(raw) == token, description


def test_other_postcode_spellings_agree() -> None:
    assert {other_postcode(s) for s in ("D02 X285", "d02x285", " D02-X285 ")} == {"D02X285"}
