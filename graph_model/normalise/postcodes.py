"""UK postcodes: spacing and case normalised, validated against the Royal Mail format rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Postcode", "normalise_postcode", "other_postcode"]


@dataclass(frozen=True, slots=True)
class Postcode:
    """A normalised UK postcode ("LS6 2AB") and its parts; all parts None when ``valid`` is False.

    ``district`` is the outward code ("LS6"; for the London sub-districts such as "EC1A" it is the
    sub-district, which is what a shared-district comparison wants), ``sector`` the outward code plus
    the inward digit ("LS6 2"), ``area`` the leading letters ("LS").
    """

    value: str | None
    outward: str | None
    inward: str | None
    sector: str | None
    district: str | None
    area: str | None
    valid: bool
    raw: str | None


# Royal Mail / gov.uk rules: the first letter is never Q, V or X; the second never I, J or Z; the
# letter in A9A outward codes is one of ABCDEFGHJKPSTUW, in AA9A one of ABEHMNPRVWXY; the inward code
# is a digit and two letters that are never C, I, K, M, O or V. GIR 0AA is the one historic exception.
_OUTWARD = (
    r"(?:[A-PR-UWYZ][0-9]{1,2}"               # A9, A99
    r"|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}"         # AA9, AA99
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"          # A9A
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"  # AA9A
)
_POSTCODE = re.compile(rf"({_OUTWARD})([0-9][ABD-HJLNP-UW-Z]{{2}})|(GIR)(0AA)")
# Everything that is not a letter or digit goes: spaces, tabs, and the odd hyphen or full stop.
_NOISE = re.compile(r"[^A-Z0-9]+")
_AREA = re.compile(r"[A-Z]+")
# A UK postcode cut short: the outward code, perhaps with the sector digit and one letter ("LS6", "LS6 2",
# "LS6 2A"). It names a district or sector, not a street, so it is never kept as a token of its own.
_PARTIAL_UK = re.compile(rf"{_OUTWARD}(?:[0-9][A-Z]?)?")
# NHS pseudo-postcodes (ZZ99 3VZ "no fixed abode", ZZ99 3CZ "England, not otherwise specified", ...):
# placeholders, shared by everyone whose address is unknown.
_PSEUDO_PREFIX = "ZZ99"
_OTHER_MIN, _OTHER_MAX = 3, 10  # postal codes worldwide: 3 (Iceland, Faroe) to 10 characters (US ZIP+4, Brazil)


@lru_cache(maxsize=200_000)
def normalise_postcode(raw: str | None) -> Postcode:
    """Normalise and validate a UK postcode.

    Returns a :class:`Postcode`: upper case with exactly one space before the inward code
    ("ls62ab" -> "LS6 2AB", "LS6  2AB" -> "LS6 2AB") and its outward, inward, sector, district and
    area; for a value that fails the format rules (A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA,
    AA9A 9AA, or GIR 0AA) ``valid`` is False, every part None and ``raw`` kept. Never raises.
    """
    if raw is None:
        return Postcode(None, None, None, None, None, None, False, None)
    try:
        text = raw if isinstance(raw, str) else str(raw)
        compact = _NOISE.sub("", text.upper())
        m = _POSTCODE.fullmatch(compact)
    except Exception:  # never raise on one bad value
        m, text = None, str(raw)
    if m is None:
        return Postcode(None, None, None, None, None, None, False, text)
    outward, inward = (m[1], m[2]) if m[1] else (m[3], m[4])
    area_match = _AREA.match(outward)
    return Postcode(
        value=f"{outward} {inward}",
        outward=outward,
        inward=inward,
        sector=f"{outward} {inward[0]}",
        district=outward,
        area=area_match[0] if area_match else None,
        valid=True,
        raw=text,
    )


@lru_cache(maxsize=200_000)
def other_postcode(raw: str | None) -> str | None:
    """A postcode-field value that is not a UK postcode but is shaped like a postal code, as a token.

    Agencies record addresses abroad (a child newly arrived, a parent in Ireland, a forces family at
    "BFPO 801") and postcodes typed wrongly; such a value fails :func:`normalise_postcode`, yet two
    records carrying the same one still share a place. The token is the value upper-cased with
    everything but letters and digits removed ("d02 x285" -> "D02X285", "BFPO 801" -> "BFPO801",
    "2570" -> "2570"). It is only ever compared for equality: it is not a UK postcode, so it never
    yields a UK sector, district or area.

    None for a valid UK postcode (that is :func:`normalise_postcode`'s), for a UK postcode cut short
    ("LS6", "LS6 2": a district or sector, not a street), for NHS pseudo-postcodes ("ZZ99 3VZ": no fixed
    abode), for words without a digit ("unknown", "N/A"), for one character repeated ("0000", "XXXX")
    and for anything shorter than 3 or longer than 10 characters. Never raises.
    """
    if raw is None:
        return None
    try:
        compact = _NOISE.sub("", (raw if isinstance(raw, str) else str(raw)).upper())
    except Exception:  # never raise on one bad value
        return None
    if not _OTHER_MIN <= len(compact) <= _OTHER_MAX or not any(c.isdigit() for c in compact):
        return None
    if len(set(compact)) == 1 or compact.startswith(_PSEUDO_PREFIX):
        return None
    if _POSTCODE.fullmatch(compact) or _PARTIAL_UK.fullmatch(compact):
        return None
    return compact
