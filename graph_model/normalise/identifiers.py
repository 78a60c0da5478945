"""National identifiers: NHS number, UPN, PNC ID, UPRN, school URN - normal form and check characters.

Sources for the check algorithms (checked against their published worked examples in the tests):

- NHS number: Modulus 11, weights 10..2 over the first nine digits; check = 11 - (sum mod 11), 11 -> 0,
  10 -> the number is never issued (NHS Data Dictionary, "NHS Number").
- UPN: DfE "Unique Pupil Numbers (UPNs): guidance" and the school census validation rule 1510: the
  characters in positions 2..13 are weighted 2..13, a letter in position 13 (temporary UPN) counts as
  its value in the check-letter table; the sum mod 23 indexes "ABCDEFGHJKLMNPQRTUVWXYZ" (no I, O, S).
  Examples from the DfE guidance: H801200001001 (permanent), G80120000101A (temporary).
- PNC ID: two-digit year followed by the seven-digit zero-padded serial, as one number, mod 23; the
  remainder indexes "ZABCDEFGHJKLMNPQRTUVWXY" (0 -> Z, 1 -> A, ...; no I, O, S). Described in the
  Criminal Justice Hub data dictionary ("Police National Computer Id") and implemented the same way in
  the Ministry of Justice's hmpps-person-record service, whose test examples (79/163001B, 02/73319Z,
  81/34U, 00/223R, 67/9893091D) the tests here reproduce.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from operator import mul

__all__ = [
    "SCHEME_ALIASES",
    "Identifier",
    "is_temporary_upn",
    "is_valid_nhs_number",
    "is_valid_pnc_id",
    "is_valid_upn",
    "nhs_check_digit",
    "normalise_identifier",
    "pnc_check_letter",
    "upn_check_letter",
]


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier in normal form.

    ``value`` is the normal form, kept when only the check character fails (a mistyped number is still
    worth showing a steward) and None when the value has the wrong shape or is a placeholder;
    ``reason`` says why ``valid`` is False: "empty", "format", "check_digit", "check_letter" or
    "placeholder".
    """

    scheme: str
    value: str | None
    valid: bool
    reason: str | None
    raw: str | None


SCHEME_ALIASES: dict[str, str] = {
    "nhs": "nhs_number", "nhs_no": "nhs_number", "nhsno": "nhs_number", "nhsnumber": "nhs_number",
    "nhs_number": "nhs_number", "nhs_num": "nhs_number",
    "upn": "upn", "unique_pupil_number": "upn",
    "former_upn": "former_upn", "formerupn": "former_upn",
    "pnc": "pnc_id", "pnc_id": "pnc_id", "pncid": "pnc_id", "pnc_number": "pnc_id", "pnc_no": "pnc_id",
    "uprn": "uprn",
    "urn": "urn", "school_urn": "urn",
}

_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_VALUES = {c: i for i, c in enumerate(_UPN_LETTERS)}
_UPN_CHARACTER_VALUES = {**{str(d): d for d in range(10)}, **_UPN_VALUES}
_UPN_WEIGHTS = range(2, 14)
_NHS_WEIGHTS = range(10, 1, -1)
_PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"

_SEPARATORS = re.compile(r"[\s\-./]+")
_SCHEME_SEPARATORS = re.compile(r"[\s\-.]+")
_UPN_SHAPE = re.compile(r"[A-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]")  # last: digit or table letter
_NHS_SHAPE = re.compile(r"[0-9]{10}")
_PNC_SLASH = re.compile(r"([0-9]{2}|(?:19|20)[0-9]{2})/([0-9]{1,7})([A-Z])")
_PNC_COMPACT = re.compile(r"([0-9]{3,11})([A-Z])")
_WHITESPACE = re.compile(r"\s+")


# --- NHS number -------------------------------------------------------------------------------------

def nhs_check_digit(nine_digits: str) -> int | None:
    """Modulus 11 check digit for the first nine digits of an NHS number.

    Returns the check digit 0-9, or None when the remainder gives 10 (no NHS number is issued with
    those nine digits). Raises ValueError unless given exactly nine digits.
    """
    if len(nine_digits) != 9 or not nine_digits.isdigit():
        raise ValueError("an NHS number check digit needs exactly nine digits")
    total = sum(map(mul, map(int, nine_digits), _NHS_WEIGHTS))  # nine digits, checked above
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def _nhs(text: str) -> tuple[str | None, bool, str | None]:
    digits = _SEPARATORS.sub("", text)
    if not _NHS_SHAPE.fullmatch(digits):
        return None, False, "format"
    if len(set(digits)) == 1:
        # 0000000000 and 1111111111 pass Modulus 11 but are "unknown" fillers.
        return None, False, "placeholder"
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        return digits, False, "check_digit"
    return digits, True, None


def is_valid_nhs_number(s: str | None) -> bool:
    """True when s (spaces and hyphens allowed) is ten digits with a correct Modulus 11 check digit and
    not a placeholder such as 0000000000."""
    return bool(s) and _nhs(str(s))[1]


# --- UPN --------------------------------------------------------------------------------------------

def upn_check_letter(twelve_chars: str) -> str:
    """DfE check letter for the twelve characters of a UPN after the check letter.

    Returns one of "ABCDEFGHJKLMNPQRTUVWXYZ". The characters are weighted 2..13; a final letter
    (temporary UPN) counts as its position in that table. Raises ValueError unless given eleven digits
    followed by a digit or a table letter.
    """
    chars = twelve_chars.upper()
    if len(chars) != 12 or not chars[:11].isdigit() or not (chars[11].isdigit() or chars[11] in _UPN_VALUES):
        raise ValueError("a UPN check letter needs eleven digits and a final digit or letter")
    if chars.isascii():  # every UPN read from a record: a table lookup per character, no generator
        total = sum(map(mul, map(_UPN_CHARACTER_VALUES.__getitem__, chars), _UPN_WEIGHTS))
    else:  # other Unicode digits ("٣") count as their value, as int() reads them
        values = (int(c) if c.isdigit() else _UPN_VALUES[c] for c in chars)
        total = sum(w * v for v, w in zip(values, _UPN_WEIGHTS, strict=True))
    return _UPN_LETTERS[total % 23]


def _upn(text: str) -> tuple[str | None, bool, str | None]:
    value = _SEPARATORS.sub("", text).upper()
    if not _UPN_SHAPE.fullmatch(value):
        return None, False, "format"
    if upn_check_letter(value[1:]) != value[0]:
        return value, False, "check_letter"
    return value, True, None


def is_valid_upn(s: str | None) -> bool:
    """True when s is a UPN (permanent or temporary) with the correct check letter."""
    return bool(s) and _upn(str(s))[1]


def is_temporary_upn(s: str | None) -> bool:
    """True when s is a valid temporary UPN: its last character is a letter instead of a digit."""
    return is_valid_upn(s) and _SEPARATORS.sub("", str(s))[-1].isalpha()


# --- PNC ID -----------------------------------------------------------------------------------------

def pnc_check_letter(year2: str, serial: str) -> str:
    """PNC ID check letter: int(two-digit year + seven-digit zero-padded serial) mod 23, as a letter of
    "ZABCDEFGHJKLMNPQRTUVWXY". A four-digit year is reduced to its last two digits. Raises ValueError
    for a year that is not two (or four) digits or a serial that is not one to seven digits."""
    if len(year2) == 4 and year2.isdigit():
        year2 = year2[2:]
    if len(year2) != 2 or not year2.isdigit() or not (1 <= len(serial) <= 7) or not serial.isdigit():
        raise ValueError("a PNC check letter needs a two-digit year and a serial of up to seven digits")
    return _PNC_LETTERS[int(year2 + serial.zfill(7)) % 23]


def _split_pnc(text: str) -> tuple[str, str, str] | None:
    """(year2, serial7, letter) from "YY/N..NA", "YYYY/NNNNNNNA" or the same without the slash."""
    compact = _WHITESPACE.sub("", text).upper()
    m = _PNC_SLASH.fullmatch(compact)
    if m:
        return m[1][-2:], m[2].zfill(7), m[3]
    m = _PNC_COMPACT.fullmatch(compact)
    if not m:
        return None
    digits, letter = m[1], m[2]
    if len(digits) == 11 or (len(digits) == 10 and digits[:2] in ("19", "20")):
        year, serial = digits[2:4], digits[4:]  # four-digit year + 7 (or 6) serial digits
    elif len(digits) <= 9:
        year, serial = digits[:2], digits[2:]
    else:
        return None
    return year, serial.zfill(7), letter


def _pnc(text: str) -> tuple[str | None, bool, str | None]:
    parts = _split_pnc(text)
    if parts is None:
        return None, False, "format"
    year, serial, letter = parts
    value = f"{year}/{serial}{letter}"
    if pnc_check_letter(year, serial) != letter:
        return value, False, "check_letter"
    return value, True, None


def is_valid_pnc_id(s: str | None) -> bool:
    """True when s is a PNC ID (YY/NNNNNNNA, four-digit year or shorter serial allowed) whose check
    letter is correct."""
    return bool(s) and _pnc(str(s))[1]


# --- UPRN and school URN ----------------------------------------------------------------------------

def _uprn(text: str) -> tuple[str | None, bool, str | None]:
    digits = _SEPARATORS.sub("", text)
    if not digits.isdigit() or len(digits) > 12 or int(digits) == 0:
        return None, False, "format"
    return str(int(digits)), True, None  # some systems zero-pad UPRNs to 12 digits


def _urn(text: str) -> tuple[str | None, bool, str | None]:
    digits = _SEPARATORS.sub("", text)
    if len(digits) != 6 or not digits.isdigit():
        return None, False, "format"
    return digits, True, None


_VALIDATORS = {
    "nhs_number": _nhs, "upn": _upn, "former_upn": _upn, "pnc_id": _pnc, "uprn": _uprn, "urn": _urn,
}


@lru_cache(maxsize=1_000)
def _scheme_name(scheme: str) -> str:
    """A scheme as given to its lower-cased, aliased name (cached apart: a few schemes, many values each)."""
    scheme_key = _SCHEME_SEPARATORS.sub("_", scheme.strip().lower())
    return SCHEME_ALIASES.get(scheme_key, scheme_key)


@lru_cache(maxsize=200_000)
def normalise_identifier(scheme: str, raw: str | None) -> Identifier:
    """Normalise an identifier of a given scheme.

    Returns an :class:`Identifier` whose ``scheme`` is lower-cased and aliased (nhs/nhs_no/nhsnumber ->
    "nhs_number"; pnc/pncid -> "pnc_id"; upn, former_upn, uprn, urn/school_urn) and whose ``value`` is
    the normal form: NHS number as ten digits; UPN upper case; PNC ID as "YY/NNNNNNNA"; UPRN without
    leading zeros; school URN six digits. Other schemes keep their (lower-cased) name and the stripped
    value, valid when non-empty. Blank input gives value None, reason "empty". Never raises.
    """
    scheme_name = _scheme_name(str(scheme))
    if raw is None:
        return Identifier(scheme_name, None, False, "empty", None)
    text = raw if isinstance(raw, str) else str(raw)
    stripped = text.strip()
    if not stripped:
        return Identifier(scheme_name, None, False, "empty", text)
    validator = _VALIDATORS.get(scheme_name)
    if validator is None:
        return Identifier(scheme_name, stripped, True, None, text)
    try:
        value, valid, reason = validator(stripped)
    except Exception:  # defensive: never let one odd value stop an ingest
        value, valid, reason = None, False, "format"
    return Identifier(scheme_name, value, valid, reason, text)
