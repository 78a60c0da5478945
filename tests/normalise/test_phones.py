"""Phone numbers: E.164 normal form, kind, validity and placeholders."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from graph_model.normalise import Phone, normalise_phone

# (description, raw, e164, kind, valid)
NUMBERS = [
    ("international format", "+44 7700 900123", "+447700900123", "mobile", False),
    ("national format", "07700 900123", "+447700900123", "mobile", False),
    ("00 international prefix", "0044 7700 900123", "+447700900123", "mobile", False),
    ("no spaces", "07700900123", "+447700900123", "mobile", False),
    ("allocated mobile is valid", "07911 123456", "+447911123456", "mobile", True),
    ("44 without plus", "447911123456", "+447911123456", "mobile", True),
    ("national number without the 0", "7911123456", "+447911123456", "mobile", True),
    ("brackets and hyphens", "(07911) 123-456", "+447911123456", "mobile", True),
    ("Leeds landline", "0113 496 0000", "+441134960000", "landline", True),
    ("landline with area code in brackets", "(0113) 496 0000", "+441134960000", "landline", True),
    ("Manchester landline", "0161 496 0123", "+441614960123", "landline", True),
    ("London landline", "020 7946 0000", "+442079460000", "landline", True),
    ("freephone is other", "0800 123 4567", "+448001234567", "other", True),
    ("foreign number", "+33 1 42 68 53 00", "+33142685300", "landline", True),
    ("extension dropped", "07911 123456 ext 12", "+447911123456", "mobile", True),
]


@pytest.mark.parametrize(("description", "raw", "e164", "kind", "valid"), NUMBERS,
                         ids=[c[0] for c in NUMBERS])
def test_numbers(description: str, raw: str, e164: str, kind: str, valid: bool) -> None:
    assert normalise_phone(raw) == Phone(e164, kind, valid, False, raw)


PLACEHOLDERS = [
    ("all zeros", "00000 000000"),
    ("07000 000000", "07000 000000"),
    ("one digit repeated", "07777 777777"),
    ("01111 111111", "01111 111111"),
    ("a prefix then zeros", "07700 000000"),
    ("01234 567890", "01234 567890"),
    ("0123456789", "0123456789"),
    ("ascending after the 07", "07123 456789"),
    ("descending", "09876 543210"),
    ("unknown", "unknown"),
    ("n/a", "N/A"),
    ("withheld", "Withheld"),
    ("ex-directory", "ex-directory"),
    ("short zeros", "00000"),
]


@pytest.mark.parametrize(("description", "raw"), PLACEHOLDERS, ids=[c[0] for c in PLACEHOLDERS])
def test_placeholders(description: str, raw: str) -> None:
    phone = normalise_phone(raw)
    assert phone.placeholder
    assert phone.e164 is None and not phone.valid and phone.raw == raw


UNUSABLE = [
    ("too short", "12"),
    ("letters", "abc"),
    ("empty", ""),
    ("two numbers in one field", "07911 123456 / 0113 496 0000"),
    ("far too long", "0" + "7911123456" * 3),
]


@pytest.mark.parametrize(("description", "raw"), UNUSABLE, ids=[c[0] for c in UNUSABLE])
def test_unusable(description: str, raw: str) -> None:
    phone = normalise_phone(raw)
    assert phone.e164 is None and not phone.valid and not phone.placeholder


def test_none() -> None:
    assert normalise_phone(None) == Phone(None, None, False, False, None)


def test_other_region() -> None:
    assert normalise_phone("(202) 555-0100", "US").e164 == "+12025550100"


def test_formats_agree() -> None:
    spellings = ("+44 7700 900123", "07700 900123", "0044 7700 900123", "+44 (0) 7700 900123",
                 "07700-900-123")
    assert {normalise_phone(s).e164 for s in spellings} == {"+447700900123"}


NEVER_RAISES = ["+", "++44", "\x00", "☎ 07911 123456", "9" * 60, "+999 123", "tel:07911123456"]


@pytest.mark.parametrize("raw", NEVER_RAISES)
def test_never_raises(raw: str) -> None:
    assert isinstance(normalise_phone(raw), Phone)


def _reference(raw: str) -> tuple[str | None, bool, int | None]:
    """What plain phonenumbers says: (e164 if possible, is_valid_number, number_type)."""
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return None, False, None
    if not phonenumbers.is_possible_number(number):
        return None, False, None
    return (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
            phonenumbers.is_valid_number(number), phonenumbers.number_type(number))


def _sample_uk_numbers(count: int) -> list[str]:
    rng = random.Random(20240601)
    # geographic, non-geographic, mobile, personal, pager, premium, and the Crown Dependencies' ranges
    prefixes = ["011", "012", "013", "014", "015", "016", "017", "018", "019", "020", "023", "024", "028",
                "029", "030", "033", "034", "037", "050", "055", "056", "070", "071", "072", "073", "074",
                "075", "0762", "0752", "0778", "0783", "01481", "01534", "01624", "076", "077", "078", "079",
                "080", "084", "087", "090", "091", "098"]
    shapes = ["{n}", "+44 {n1}", "0044 {n1}", "+44 (0){n1}", "({n})", "{n} "]
    numbers = []
    for _ in range(count):
        prefix = rng.choice(prefixes)
        length = rng.choice((10, 11, 11, 11, 9))
        digits = prefix + "".join(rng.choice("0123456789") for _ in range(max(0, length - len(prefix))))
        numbers.append(rng.choice(shapes).format(n=digits, n1=digits[1:]))
    return numbers


KIND_OF = {PhoneNumberType.MOBILE: "mobile", PhoneNumberType.FIXED_LINE: "landline"}


@pytest.mark.parametrize("raw", _sample_uk_numbers(400))
def test_fast_path_agrees_with_phonenumbers(raw: str) -> None:
    """The UK fast path (own parse, precompiled type patterns) must give libphonenumber's answers."""
    phone = normalise_phone(raw)
    if phone.placeholder:
        return
    e164, valid, number_type = _reference(raw)
    assert (phone.e164, phone.valid) == (e164, valid)
    if valid:
        assert phone.kind == KIND_OF.get(number_type, "other")  # type: ignore[arg-type]
