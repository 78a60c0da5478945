"""National identifiers: scheme aliases, normal forms and check characters."""

from __future__ import annotations

import pytest

from graph_model.normalise import (
    Identifier,
    is_temporary_upn,
    is_valid_nhs_number,
    is_valid_pnc_id,
    is_valid_upn,
    nhs_check_digit,
    normalise_identifier,
    pnc_check_letter,
    upn_check_letter,
)

# (scheme, value, valid, reason) of the expected Identifier
Expected = tuple[str, str | None, bool, str | None]


def _test_range_nhs_numbers(count: int) -> list[str]:
    """Valid NHS numbers from the 999 test range, built with the check digit function."""
    numbers: list[str] = []
    serial = 0
    while len(numbers) < count:
        nine = f"999{serial:06d}"
        check = nhs_check_digit(nine)
        if check is not None:
            numbers.append(nine + str(check))
        serial += 7919  # spread over the range
    return numbers


# --- NHS number -------------------------------------------------------------------------------------

CHECK_DIGITS = [
    ("NHS Digital's published example 943 476 5919", "943476591", 9),
    ("a second published example 401 023 2137", "401023213", 7),
    ("all zeros: 11 becomes 0", "000000000", 0),
    ("999 000 005: sum 253 = 23 x 11, so 11 becomes 0", "999000005", 0),
    ("999 000 000: sum 243, 11 - 1 = 10, never issued", "999000000", None),
]


@pytest.mark.parametrize(("description", "nine", "expected"), CHECK_DIGITS, ids=[c[0] for c in CHECK_DIGITS])
def test_nhs_check_digit(description: str, nine: str, expected: int | None) -> None:
    assert nhs_check_digit(nine) == expected


BAD_NINE = ["12345678", "1234567890", "12345678a", ""]


@pytest.mark.parametrize("nine", BAD_NINE)
def test_nhs_check_digit_rejects_bad_input(nine: str) -> None:
    with pytest.raises(ValueError):
        nhs_check_digit(nine)


@pytest.mark.parametrize("number", _test_range_nhs_numbers(25))
def test_test_range_numbers_are_valid(number: str) -> None:
    assert is_valid_nhs_number(number)
    assert normalise_identifier("nhs_number", f"{number[:3]} {number[3:6]} {number[6:]}").value == number


# (description, scheme, raw, expected Identifier fields: scheme, value, valid, reason)
NHS = [
    ("3-3-4 with spaces", "NHS", "943 476 5919", ("nhs_number", "9434765919", True, None)),
    ("hyphens", "nhs_no", "943-476-5919", ("nhs_number", "9434765919", True, None)),
    ("no separators", "nhsnumber", "4010232137", ("nhs_number", "4010232137", True, None)),
    ("scheme with a space", "NHS Number", "4010232137", ("nhs_number", "4010232137", True, None)),
    ("one digit mistyped keeps the value", "nhs", "943 476 5918",
     ("nhs_number", "9434765918", False, "check_digit")),
    ("two digits swapped", "nhs", "9434765991", ("nhs_number", "9434765991", False, "check_digit")),
    ("all zeros is a placeholder", "nhs", "000 000 0000", ("nhs_number", None, False, "placeholder")),
    ("all ones passes mod 11 but is a placeholder", "nhs", "1111111111",
     ("nhs_number", None, False, "placeholder")),
    ("too short", "nhs", "12345", ("nhs_number", None, False, "format")),
    ("letters", "nhs", "ABC1234567", ("nhs_number", None, False, "format")),
    ("empty", "nhs", "", ("nhs_number", None, False, "empty")),
    ("None", "nhs", None, ("nhs_number", None, False, "empty")),
]


@pytest.mark.parametrize(("description", "scheme", "raw", "expected"), NHS, ids=[c[0] for c in NHS])
def test_nhs_numbers(description: str, scheme: str, raw: str | None, expected: Expected) -> None:
    assert normalise_identifier(scheme, raw) == Identifier(*expected, raw=raw)


IS_VALID_NHS = [("valid", "9434765919", True), ("spaced", "943 476 5919", True),
                ("typo", "9434765918", False), ("placeholder", "0000000000", False), ("None", None, False),
                ("empty", "", False)]


@pytest.mark.parametrize(("description", "raw", "expected"), IS_VALID_NHS, ids=[c[0] for c in IS_VALID_NHS])
def test_is_valid_nhs_number(description: str, raw: str | None, expected: bool) -> None:
    assert is_valid_nhs_number(raw) is expected


# --- UPN --------------------------------------------------------------------------------------------

UPN_LETTERS = [
    ("DfE guidance example (permanent)", "801200001001", "H"),
    ("DfE guidance example (temporary, final letter A = 0)", "80120000101A", "G"),
    ("python-stdnum example", "801200005001", "B"),
]


@pytest.mark.parametrize(("description", "twelve", "letter"), UPN_LETTERS, ids=[c[0] for c in UPN_LETTERS])
def test_upn_check_letter(description: str, twelve: str, letter: str) -> None:
    assert upn_check_letter(twelve) == letter


BAD_TWELVE = ["80120000100", "8012000010011", "80120A001001", "80120000101S"]


@pytest.mark.parametrize("twelve", BAD_TWELVE)
def test_upn_check_letter_rejects_bad_input(twelve: str) -> None:
    with pytest.raises(ValueError):
        upn_check_letter(twelve)


UPN = [
    ("permanent", "upn", "H801200001001", ("upn", "H801200001001", True, None)),
    ("lower case and spaces", "UPN", " h801 2000 01001 ", ("upn", "H801200001001", True, None)),
    ("temporary is valid", "upn", "G80120000101A", ("upn", "G80120000101A", True, None)),
    ("former UPN scheme", "former_upn", "B801200005001", ("former_upn", "B801200005001", True, None)),
    ("former UPN alias", "FormerUPN", "B801200005001", ("former_upn", "B801200005001", True, None)),
    ("wrong check letter keeps the value", "upn", "Z801200001001",
     ("upn", "Z801200001001", False, "check_letter")),
    ("letter in the middle", "upn", "X80120000A001", ("upn", None, False, "format")),
    ("final letter S is never used", "upn", "G80120000101S", ("upn", None, False, "format")),
    ("too short", "upn", "H80120000100", ("upn", None, False, "format")),
    ("no check letter", "upn", "8012000010011", ("upn", None, False, "format")),
]


@pytest.mark.parametrize(("description", "scheme", "raw", "expected"), UPN, ids=[c[0] for c in UPN])
def test_upns(description: str, scheme: str, raw: str, expected: Expected) -> None:
    assert normalise_identifier(scheme, raw) == Identifier(*expected, raw=raw)


TEMPORARY = [("temporary", "G80120000101A", True, True), ("permanent", "H801200001001", True, False),
             ("temporary with wrong letter", "H80120000101A", False, False), ("None", None, False, False)]


@pytest.mark.parametrize(("description", "raw", "valid", "temporary"), TEMPORARY,
                         ids=[c[0] for c in TEMPORARY])
def test_upn_predicates(description: str, raw: str | None, valid: bool, temporary: bool) -> None:
    assert is_valid_upn(raw) is valid
    assert is_temporary_upn(raw) is temporary


# --- PNC ID -----------------------------------------------------------------------------------------

# Examples from the Ministry of Justice hmpps-person-record tests (valid PNC ids).
PNC_LETTERS = [
    ("79/163001B", "79", "163001", "B"),
    ("02/73319Z", "02", "73319", "Z"),
    ("81/34U", "81", "34", "U"),
    ("00/223R", "00", "223", "R"),
    ("67/9893091D", "67", "9893091", "D"),
    ("four-digit year reduced", "1979", "0163001", "B"),
]


@pytest.mark.parametrize(("description", "year", "serial", "letter"), PNC_LETTERS,
                         ids=[c[0] for c in PNC_LETTERS])
def test_pnc_check_letter(description: str, year: str, serial: str, letter: str) -> None:
    assert pnc_check_letter(year, serial) == letter


BAD_PNC_PARTS = [("1", "123"), ("19", ""), ("19", "12345678"), ("ab", "123")]


@pytest.mark.parametrize(("year", "serial"), BAD_PNC_PARTS)
def test_pnc_check_letter_rejects_bad_input(year: str, serial: str) -> None:
    with pytest.raises(ValueError):
        pnc_check_letter(year, serial)


PNC = [
    ("short serial padded", "PNC", "79/163001B", ("pnc_id", "79/0163001B", True, None)),
    ("four-digit year", "pnc_id", "1979/0163001B", ("pnc_id", "79/0163001B", True, None)),
    ("no slash, four-digit year", "pncid", "19790163001B", ("pnc_id", "79/0163001B", True, None)),
    ("no slash, two-digit year", "pnc", "0273319Z", ("pnc_id", "02/0073319Z", True, None)),
    ("lower-case letter and spaces", "pnc", " 02/73319z ", ("pnc_id", "02/0073319Z", True, None)),
    ("year 2000", "pnc", "00/223R", ("pnc_id", "00/0000223R", True, None)),
    ("wrong letter keeps the value", "pnc", "2001/0171310S",
     ("pnc_id", "01/0171310S", False, "check_letter")),
    ("wrong letter, compact", "pnc", "20030011985Z", ("pnc_id", "03/0011985Z", False, "check_letter")),
    ("garbage", "pnc", "garbage", ("pnc_id", None, False, "format")),
    ("letters for the year", "pnc", "xx/123456Z", ("pnc_id", None, False, "format")),
    ("serial too long", "pnc", "19/12345678A", ("pnc_id", None, False, "format")),
    ("no check letter", "pnc", "19/1234567", ("pnc_id", None, False, "format")),
]


@pytest.mark.parametrize(("description", "scheme", "raw", "expected"), PNC, ids=[c[0] for c in PNC])
def test_pnc_ids(description: str, scheme: str, raw: str, expected: Expected) -> None:
    assert normalise_identifier(scheme, raw) == Identifier(*expected, raw=raw)


def test_is_valid_pnc_id() -> None:
    year, serial = "19", "0123456"
    good = f"{year}/{serial}{pnc_check_letter(year, serial)}"
    assert is_valid_pnc_id(good) and is_valid_pnc_id("2019/123456" + pnc_check_letter(year, serial))
    assert not is_valid_pnc_id("19/0123456" + ("A" if good[-1] != "A" else "B"))
    assert not is_valid_pnc_id(None)


# --- UPRN, URN, other schemes -------------------------------------------------------------------------

OTHER = [
    ("UPRN leading zeros dropped", "UPRN", "000100012345", ("uprn", "100012345", True, None)),
    ("UPRN with spaces", "uprn", "10 0012 345", ("uprn", "100012345", True, None)),
    ("UPRN too long", "uprn", "1234567890123", ("uprn", None, False, "format")),
    ("UPRN zero", "uprn", "0", ("uprn", None, False, "format")),
    ("UPRN letters", "uprn", "ABC", ("uprn", None, False, "format")),
    ("school URN", "urn", "107654", ("urn", "107654", True, None)),
    ("school URN alias", "School URN", "107654", ("urn", "107654", True, None)),
    ("school URN too short", "urn", "1234", ("urn", None, False, "format")),
    ("other scheme kept, value stripped", "Mosaic ID", " 12345 ", ("mosaic_id", "12345", True, None)),
    ("other scheme lower-cased", "LCS", "ABC-1", ("lcs", "ABC-1", True, None)),
    ("other scheme empty", "lcs", "  ", ("lcs", None, False, "empty")),
]


@pytest.mark.parametrize(("description", "scheme", "raw", "expected"), OTHER, ids=[c[0] for c in OTHER])
def test_other_identifiers(description: str, scheme: str, raw: str, expected: Expected) -> None:
    assert normalise_identifier(scheme, raw) == Identifier(*expected, raw=raw)


SCHEME_ALIASES = [("nhs", "nhs_number"), ("NHS_NO", "nhs_number"), ("nhsnumber", "nhs_number"),
                  ("nhs_number", "nhs_number"), ("upn", "upn"), ("former_upn", "former_upn"),
                  ("pnc", "pnc_id"), ("pnc_id", "pnc_id"), ("PNCID", "pnc_id"), ("uprn", "uprn"),
                  ("Niche", "niche")]


@pytest.mark.parametrize(("scheme", "expected"), SCHEME_ALIASES)
def test_scheme_aliases(scheme: str, expected: str) -> None:
    assert normalise_identifier(scheme, "x").scheme == expected


NEVER_RAISES = [("nhs", "\x00"), ("upn", "💥" * 13), ("pnc", "/" * 20), ("uprn", "9" * 400), ("pnc", "99/A")]


@pytest.mark.parametrize(("scheme", "raw"), NEVER_RAISES)
def test_never_raises(scheme: str, raw: str) -> None:
    assert isinstance(normalise_identifier(scheme, raw), Identifier)
