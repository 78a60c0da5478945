"""Telephone numbers: E.164 normal form via ``phonenumbers``, kind (mobile/landline), placeholders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType

__all__ = ["Phone", "normalise_phone"]


@dataclass(frozen=True, slots=True)
class Phone:
    """A normalised phone number.

    ``e164`` is set whenever the number parses to a plausible length ("+447700900123"), even if
    ``valid`` is False: libphonenumber rejects ranges it does not know as allocated (new ranges, and
    Ofcom's reserved drama numbers such as 07700 900xxx), and the same digits are still the same
    phone. ``kind`` is "mobile", "landline" or "other". ``placeholder`` numbers (00000 000000,
    07000 000000, 01234 567890, ...) have ``e164`` None and must never link records.
    """

    e164: str | None
    kind: str | None
    valid: bool
    placeholder: bool
    raw: str | None


_TEXT_PLACEHOLDERS = frozenset({
    "unknown", "not known", "n/k", "nk", "n/a", "na", "none", "no", "nil", "null", "-", "tbc", "tba",
    "withheld", "ex-directory", "ex directory", "not given", "not provided", "no number", "no phone",
    "refused", "x", "xx", "xxx",
})
_NON_DIGIT = re.compile(r"\D+")
_ASCENDING = "01234567890123456789"
_DESCENDING = _ASCENDING[::-1]

_KINDS = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
}

# UK numbers in the usual shapes ("07911 123456", "+44 (0)7911 123456", "0044 113 496 0000") are read
# here directly: phonenumbers.parse costs ~45us a number and adds nothing for them. Anything else
# (extensions, letters, other countries) goes through phonenumbers.parse.
_GB_SIMPLE = re.compile(r"\s*\(?\s*(?:(?:\+|00)\s*44\s*(?:\(\s*0\s*\)\s*)?|0)([0-9][0-9\s\-().]{7,16})")
_GB_CALLING_CODE = 44


class _Desc:
    """One PhoneNumberDesc of the metadata, its pattern compiled once."""

    __slots__ = ("lengths", "pattern")

    def __init__(self, desc: phonenumbers.PhoneNumberDesc | None) -> None:
        pattern = desc.national_number_pattern if desc is not None else None
        self.pattern = re.compile(pattern) if pattern else None
        self.lengths = frozenset(desc.possible_length or ()) if desc is not None else frozenset()

    def matches(self, national: str) -> bool:
        if self.pattern is None or (self.lengths and len(national) not in self.lengths):
            return False
        return self.pattern.fullmatch(national) is not None

    def applies_to(self, length: int) -> bool:
        """Whether :meth:`matches` tries the pattern at all for a number of this many digits."""
        return self.pattern is not None and (not self.lengths or length in self.lengths)


class _Region:
    """The metadata libphonenumber uses to type a number in one region, precompiled.

    phonenumbers re-looks-up and re-checks the same patterns twice per number (once to find the region,
    once to type it), ~50us for a UK number; this does the same checks, in the same order, once.
    """

    __slots__ = ("by_length", "fixed_line", "general", "leading_digits", "mobile", "others", "same_mobile_and_fixed")

    def __init__(self, region: str) -> None:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        assert metadata is not None  # the region codes come from libphonenumber's own table
        self.leading_digits = re.compile(metadata.leading_digits) if metadata.leading_digits else None
        self.general = _Desc(metadata.general_desc)
        # Checked before fixed line and mobile, in libphonenumber's order (_number_type_helper).
        self.others = tuple((_Desc(desc), kind) for desc, kind in (
            (metadata.premium_rate, PhoneNumberType.PREMIUM_RATE),
            (metadata.toll_free, PhoneNumberType.TOLL_FREE),
            (metadata.shared_cost, PhoneNumberType.SHARED_COST),
            (metadata.voip, PhoneNumberType.VOIP),
            (metadata.personal_number, PhoneNumberType.PERSONAL_NUMBER),
            (metadata.pager, PhoneNumberType.PAGER),
            (metadata.uan, PhoneNumberType.UAN),
            (metadata.voicemail, PhoneNumberType.VOICEMAIL),
        ))
        self.fixed_line = _Desc(metadata.fixed_line)
        self.mobile = _Desc(metadata.mobile)
        self.same_mobile_and_fixed = bool(metadata.same_mobile_and_fixed_line_pattern)
        self.by_length: dict[int, tuple[re.Pattern[str] | None, dict[str, int]]] = {}

    def _types_pattern(self, length: int) -> tuple[re.Pattern[str] | None, dict[str, int]]:
        """For numbers of ``length`` digits: one pattern whose alternatives are the type patterns tried in
        :meth:`number_type`'s order (the other types, fixed line, then mobile unless fixed line covers it),
        each ending in an empty named group, so one fullmatch names the first type that matches (a
        fullmatch takes the first alternative that matches the whole number); and what each group means."""
        found = self.by_length.get(length)
        if found is None:
            kinds = [*self.others, (self.fixed_line, PhoneNumberType.FIXED_LINE)]
            if not self.same_mobile_and_fixed:
                kinds.append((self.mobile, PhoneNumberType.MOBILE))
            alternatives, groups = [], {}
            for index, (desc, kind) in enumerate(kinds):
                if desc.pattern is not None and desc.applies_to(length):
                    alternatives.append(f"(?:{desc.pattern.pattern})(?P<type{index}>)")
                    groups[f"type{index}"] = kind
            found = (re.compile("|".join(alternatives)) if alternatives else None, groups)
            self.by_length[length] = found
        return found

    def number_type(self, national: str) -> int:
        """libphonenumber's type of the number in this region: the general pattern, then the other types,
        fixed line and mobile, in its order (_number_type_helper), with one fullmatch for the types."""
        if not self.general.matches(national):
            return PhoneNumberType.UNKNOWN
        pattern, groups = self._types_pattern(len(national))
        match = pattern.fullmatch(national) if pattern is not None else None
        if match is None:
            return PhoneNumberType.UNKNOWN
        kind = groups[match.lastgroup or ""]
        if kind == PhoneNumberType.FIXED_LINE and (self.same_mobile_and_fixed or self.mobile.matches(national)):
            return PhoneNumberType.FIXED_LINE_OR_MOBILE
        return kind


# +44 is shared by GB and the Crown Dependencies (Guernsey, Isle of Man, Jersey), tried in this order.
_REGIONS_44 = tuple(_Region(r) for r in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[_GB_CALLING_CODE])


def _number_type_44(national: str) -> int:
    """phonenumbers.number_type for a +44 national significant number (region_code_for_number, then the
    type in that region), with precompiled patterns."""
    for region in _REGIONS_44:
        if region.leading_digits is not None:
            if region.leading_digits.match(national):
                return region.number_type(national)
        else:
            kind = region.number_type(national)
            if kind != PhoneNumberType.UNKNOWN:
                return kind
    return PhoneNumberType.UNKNOWN


def _gb_national(text: str) -> str | None:
    """The national significant number of a plain UK number ("07911 123456", "+44 (0)7911 123456"), read here
    directly: phonenumbers.parse costs ~45us a number and adds nothing for them. None for any other text
    (extensions, letters, other countries), which phonenumbers.parse reads."""
    m = _GB_SIMPLE.fullmatch(text)
    if m:
        national = _NON_DIGIT.sub("", m[1])
        # Only the UK's own number lengths: for other lengths phonenumbers keeps the leading 0
        # as part of the number, and the slow path reproduces that.
        if len(national) in (9, 10) and national[0] != "0":
            return national
    return None


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _is_run(digits: str) -> bool:
    """True for 8+ consecutive ascending or descending digits ("1234567890", "987654321")."""
    return len(digits) >= 8 and (digits in _ASCENDING or digits in _DESCENDING)


def _placeholder_digits(national: str) -> bool:
    """Dummy numbers, judged on the national significant number (no leading 0 or +44)."""
    distinct = set(national)
    if distinct <= {"0"}:
        return True
    if len(national) < 7:  # too short to be anyone's number: junk, not a recognisable dummy
        return False
    if len(distinct) <= 1 or len(set(national[1:])) <= 1:
        return True  # 00000 000000, 07777 777777, 07000 000000, 01111 111111
    if len(distinct) == 2 and national.count(national[-1]) >= len(national) - 2:
        return True  # 07700 000000-style: one digit then zeros padded out (07000 000001 kept below)
    return _is_run(national) or _is_run(national[1:])  # 01234 567890, 0123456789, 07123 456789


# phonenumbers.is_possible_number by (calling code, digits in the national significant number): it "only
# checks the length of phone numbers" (its documentation), against the calling code's main region.
_POSSIBLE: dict[tuple[int | None, int], bool] = {}


def _is_possible(number: phonenumbers.PhoneNumber) -> bool:
    key = (number.country_code, len(phonenumbers.national_significant_number(number)))
    possible = _POSSIBLE.get(key)
    if possible is None:
        possible = _POSSIBLE[key] = phonenumbers.is_possible_number(number)
    return possible


def _gb_phone(national: str, digits: str, text: str) -> Phone:
    """_normalise's answer for a plain UK number, without a PhoneNumber object: the number phonenumbers.parse would
    read has calling code 44, this national significant number and nothing else, so the checks below are those
    _normalise makes of it, and its E.164 form is "+44" and the digits (format_number's: the tests compare)."""
    if _placeholder_digits(national) or _is_run(digits):
        return Phone(None, None, False, True, text)
    possible = _POSSIBLE.get((_GB_CALLING_CODE, len(national)))
    if possible is None:
        possible = _is_possible(phonenumbers.PhoneNumber(country_code=_GB_CALLING_CODE, national_number=int(national)))
    if not possible:
        return Phone(None, None, False, False, text)
    number_type = _number_type_44(national)
    if number_type != PhoneNumberType.UNKNOWN:
        return Phone(f"+{_GB_CALLING_CODE}{national}", _KINDS.get(number_type, "other"), True, False, text)
    return Phone(f"+{_GB_CALLING_CODE}{national}", _guess_gb_kind(national), False, False, text)


def _guess_gb_kind(national: str) -> str:
    # For GB numbers libphonenumber does not recognise: 071-075 and 077-079 are mobile ranges,
    # 01 and 02 geographic; everything else (03, 05, 070 personal, 076 pagers, 08, 09) is "other".
    if national[:1] == "7" and national[:2] not in ("70", "76"):
        return "mobile"
    if national[:1] in ("1", "2"):
        return "landline"
    return "other"


@lru_cache(maxsize=200_000)
def normalise_phone(raw: str | None, region: str = "GB") -> Phone:
    """Normalise a telephone number with ``phonenumbers``.

    Returns a :class:`Phone`: "+44 7700 900123", "07700 900123" and "0044 7700 900123" all give e164
    "+447700900123"; ``valid`` is libphonenumber's ``is_valid_number``; ``kind`` comes from its number
    type (mobile, fixed line -> "landline", anything else "other"; guessed from the GB prefix when the
    number is not recognised); text like "unknown" or "withheld" and dummy digit patterns (all one
    digit, a digit then all zeros, 1234567890 runs) give ``placeholder`` True and no e164; anything
    unparseable gives e164 None. Never raises.
    """
    if raw is None:
        return Phone(None, None, False, False, None)
    text = raw if isinstance(raw, str) else str(raw)
    try:
        return _normalise(text, region)
    except Exception:  # defensive: phonenumbers can raise on odd input; a bad value must not stop ingest
        return Phone(None, None, False, False, text)


def _normalise(text: str, region: str) -> Phone:
    stripped = text.strip()
    lowered = stripped.lower()
    if not stripped:
        return Phone(None, None, False, False, text)
    if lowered in _TEXT_PLACEHOLDERS:
        return Phone(None, None, False, True, text)
    digits = _NON_DIGIT.sub("", stripped)
    if not digits:
        return Phone(None, None, False, False, text)
    national = _gb_national(stripped) if region == "GB" else None
    if national is not None:
        return _gb_phone(national, digits, text)
    number = _parse(stripped, region)
    if number is None:
        # Unparseable, but a dummy pattern is still worth flagging as a placeholder.
        national = digits.lstrip("0")
        return Phone(None, None, False, not national or _placeholder_digits(national), text)
    national = str(number.national_number)
    if _placeholder_digits(national) or _is_run(digits):
        return Phone(None, None, False, True, text)
    if not _is_possible(number):
        return Phone(None, None, False, False, text)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # is_valid_number is exactly "number_type is not UNKNOWN", so the type is computed once.
    if number.country_code == _GB_CALLING_CODE and not number.italian_leading_zero:
        number_type = _number_type_44(national)
    else:
        number_type = phonenumbers.number_type(number)
    valid = number_type != PhoneNumberType.UNKNOWN
    if valid:
        kind = _KINDS.get(number_type, "other")
    elif number.country_code == _GB_CALLING_CODE:
        kind = _guess_gb_kind(national)
    else:
        kind = "other"
    return Phone(e164, kind, valid, False, text)
