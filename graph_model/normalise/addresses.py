"""Postal addresses: parsed into flat / number / building / street, with a stable key and placeholder flag.

The key is what makes two agencies' spellings of one dwelling meet on one graph node, so it uses only
the parts agencies agree on: the postcode, the house number (or building name) and the flat. Parsing
is deliberately simple and table-driven (a handful of regular expressions compiled once): it handles
how UK case-management systems actually hold addresses, not every address in the country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from unidecode import unidecode

from graph_model.normalise.postcodes import normalise_postcode, other_postcode

__all__ = ["Address", "normalise_address"]


@dataclass(frozen=True, slots=True)
class Address:
    """A parsed address. ``key`` identifies the dwelling (None when nothing usable identifies it);
    ``postcode`` is the normalised postcode ("LS6 2AB"); ``placeholder`` marks "No Fixed Abode" and
    institutional addresses used when a person's own is unknown (the key is still computed, so the
    graph can see the super-node); ``raw`` is the input lines joined with ", " for display;
    ``other_postcode`` is the postcode field's value as a token when it is not a UK postcode but is
    shaped like a postal code (an address abroad, a BFPO number, a mistyped postcode: see
    :func:`graph_model.normalise.postcodes.other_postcode`), compared only for equality."""

    key: str | None
    flat: str | None
    number: str | None
    building: str | None
    street: str | None
    town: str | None
    postcode: str | None
    placeholder: bool
    raw: str | None
    other_postcode: str | None = None


_ABBREVIATIONS = {
    "rd": "road", "st": "street", "str": "street", "ave": "avenue", "av": "avenue", "avn": "avenue",
    "ln": "lane", "cres": "crescent", "cresc": "crescent", "cr": "crescent", "ct": "court", "crt": "court",
    "dr": "drive", "drv": "drive", "pl": "place", "sq": "square", "gdns": "gardens", "gdn": "gardens",
    "gr": "grove", "grv": "grove", "cl": "close", "terr": "terrace", "ter": "terrace", "tce": "terrace",
    "pk": "park", "hse": "house", "ho": "house", "blk": "block", "wk": "walk", "wlk": "walk", "mt": "mount",
    "mws": "mews", "pde": "parade", "grn": "green", "hts": "heights", "bldg": "building",
    "bldgs": "buildings", "cotts": "cottages", "ctr": "centre", "cntr": "centre", "sth": "south",
    "nth": "north", "rw": "row",
}
# At the start of a name these are titles, not street types: "St Johns Road", "Dr Kershaw House".
_LEADING = {"st": "saint", "dr": "doctor"}

_STREET_TYPES = frozenset({
    "road", "street", "lane", "avenue", "drive", "close", "crescent", "grove", "terrace", "gardens", "place",
    "square", "court", "walk", "way", "mews", "parade", "green", "hill", "rise", "row", "view", "vale",
    "park", "mount", "wharf", "yard", "approach", "boulevard", "circus", "fold", "garth", "croft", "chase",
    "grange", "broadway", "highway", "bypass", "embankment", "promenade", "quay", "gate", "meadows", "mead",
    "dale",
})
# Street types unambiguous enough to end a street name: words after them on the same line are a
# locality ("10 High Street Headingley" -> "high street").
_STREET_ENDS = frozenset({
    "road", "street", "lane", "avenue", "drive", "close", "crescent", "grove", "terrace", "gardens", "place",
    "square", "walk", "way", "mews", "parade", "rise", "row", "boulevard", "approach",
})
_STREET_SUFFIXES = frozenset({"north", "south", "east", "west"})
_BUILDING_WORDS = frozenset({
    "house", "court", "mansions", "tower", "towers", "block", "building", "buildings", "lodge", "cottage",
    "cottages", "hall", "apartments", "point", "heights", "flats", "farm", "barn", "manor", "villa", "villas",
    "chambers", "centre", "bungalow", "residence", "hostel",
})

# "Flat 2", "Apt 3B", "Unit 4", "Flat A", "Flat No 2" anywhere in a line.
# A letter flat needs a space ("Flat A"), so "Flats", "Units" and "Apartments" are not flat "s".
_FLAT = re.compile(r"\b(?:flat|flt|apartment|apt|unit|fl|room|rm|suite|studio)"
                   r"(?:\s*(?:no\s*)?([0-9]+[a-z]?)|\s+(?:no\s+)?([a-z]))\b")
_FLOOR_FLAT = re.compile(
    r"\b(ground|first|1st|second|2nd|third|3rd|top|basement|lower ground)\s+floor(?:\s+flat)?\b")
_FLOOR_NAMES = {"1st": "first", "2nd": "second", "3rd": "third"}
_SLASH = re.compile(r"^([0-9]+[a-z]?)/([0-9]+[a-z]?)\b\s*")  # "2/10 High Street": flat 2 at number 10
_NUMBER = re.compile(r"[0-9]+[a-z]?(?:-[0-9]+[a-z]?)?")
_JOIN_DIGITS = re.compile(r"(?<=[0-9a-z])\s*([/-])\s*(?=[0-9])")
_LONE_SEPARATOR = re.compile(r"(?<![0-9a-z])[/-]|[/-](?![0-9])")
_SEGMENTS = re.compile(r"[,;\n\r]+")
_OTHER_SEPARATORS = frozenset(";\n\r")  # what _SEGMENTS splits on besides commas
_CARE_OF = re.compile(r"\bc\s*/\s*o\b|\bcare of\b")
_CARE_OF_PREFIX = re.compile(r"^.*?(?:\bc\s*/\s*o\b|\bcare of\b)\D*")
_NON_DIGIT = re.compile(r"\D+")

# Placeholders meaning "no address known"; matched as whole words on the line with dots and
# apostrophes removed ("N.F.A." -> "nfa"). The key for all of these uses the street "no fixed abode".
_NO_ADDRESS_PHRASES = ("no fixed abode", "no fixed address", "no fixed residence", "nfa", "unknown", "not known", "nk",
                       "homeless", "no address", "address unknown", "street homeless", "rough sleeper", "not given",
                       "none", "na", "tbc", "xx", "xxx")
_NO_ADDRESS = re.compile(r"\b(?:" + "|".join(_NO_ADDRESS_PHRASES) + r")\b")
# Addresses of institutions recorded instead of a person's own (police, council, hospitals, refuges);
# not when the phrase names a street ("Hospital Lane", "Town Hall Street").
_INSTITUTION = re.compile(
    r"\b(?:police station|police headquarters|police hq|custody suite|civic centre|civic center|civic hall"
    r"|council offices?|council house|town hall|city hall|county hall|hospital|infirmary|refuge"
    r"|womens aid|social services|childrens services)\b"
    r"(?!\s+(?:" + "|".join(sorted(_STREET_TYPES)) + r")\b)")


# str.translate tables (one C-level pass instead of a regex per rule): apostrophes vanish
# ("St John's" -> "st johns"), other ASCII punctuation and control characters become spaces. The
# line table keeps "/" and "-" for "2/10" and "10-12"; the squash table (placeholder detection) also
# drops dots and slashes so "N.F.A." and "n/k" read "nfa" and "nk".
_APOSTROPHE_CHARS = "'`\u2018\u2019"
_LINE_TABLE: dict[int, str | None] = {
    i: " " for i in range(128) if not chr(i).isalnum() and chr(i) not in " /-'`"}
_LINE_TABLE.update({ord(c): None for c in _APOSTROPHE_CHARS})
_SQUASH_TABLE = {**_LINE_TABLE, ord("."): None, ord("/"): None, ord("-"): " "}
# Cheap substring tests that must pass before the slower regular expressions are tried.
_INSTITUTION_HINTS = ("police", "custody", "civic", "council", "hall", "hospital", "infirmary", "refuge",
                      "aid", "services")
_INSTITUTION_HINT = re.compile("|".join(_INSTITUTION_HINTS))
_FLAT_HINTS = ("fl", "ap", "unit", "room", "rm", "suite", "studio")
_FLAT_HINT = re.compile("|".join(_FLAT_HINTS))  # any of them in a line: one search, not a test per hint


@lru_cache(maxsize=100_000)
def _clean_line(text: str) -> str:
    """Lower-case ASCII with punctuation gone, keeping "/" and "-" only inside numbers ("2/10", "10-12")."""
    text = text.lower()
    if not text.isascii():
        text = unidecode(text).lower()
    text = text.translate(_LINE_TABLE)
    if "/" in text or "-" in text:
        text = _JOIN_DIGITS.sub(r"\1", text)
        text = _LONE_SEPARATOR.sub(" ", text)
    return " ".join(text.split())


def _expand(tokens: list[str]) -> list[str]:
    """Expand abbreviations; "st"/"dr" leading a multi-word name are Saint/Doctor, elsewhere street/drive."""
    out: list[str] = []
    for i, token in enumerate(tokens):
        if i == 0 and len(tokens) > 1 and token in _LEADING:
            out.append(_LEADING[token])
        else:
            out.append(_ABBREVIATIONS.get(token, token))
    return out


def _street_name(tokens: list[str]) -> str:
    """Street tokens without a trailing locality ("high street headingley" -> "high street")."""
    for i in range(1, len(tokens)):
        if tokens[i] in _STREET_ENDS:
            end = i + 1
            while end < len(tokens) and tokens[end] in _STREET_SUFFIXES:
                end += 1
            return " ".join(tokens[:end])
    return " ".join(tokens)


def _split_postcode(line: str | None) -> tuple[str | None, str | None]:
    """(line without a trailing valid postcode, that postcode's normalised value).

    Only the last one or two words are tried ("... LS6 2AB", "... LS62AB"): cheaper than a regular
    expression scanning the whole line, and a postcode is only ever typed at the end.
    """
    if not line:
        return line, None
    text = line.rstrip(" .,;\t").replace(",", " ")
    if not text or not text[-1].isalpha():  # every postcode ends in a letter
        return line, None
    words = text.split()
    candidates = ([words[-2:]] if len(words) >= 2 else []) + [words[-1:]]
    for candidate in candidates:
        joined = "".join(candidate)
        if 5 <= len(joined) <= 7:  # "M11AE" to "SW1A1AA"
            postcode = normalise_postcode(joined)
            if postcode.valid:
                # text has the same character positions as line (only trailing characters stripped)
                return line[: text.rfind(candidate[0])].rstrip(" ,"), postcode.value
    return line, None


@dataclass(slots=True)
class _Parts:
    flat: str | None = None
    number: str | None = None
    building: str | None = None
    street: str | None = None


def _has_street_type(words: list[str]) -> bool:
    """A street type after the first word ("High Street"; "Street Lane" counts for its "lane"), or a
    one-word name that is a type ("10 Broadway")."""
    return not _STREET_TYPES.isdisjoint(words[1:]) or (len(words) == 1 and words[0] in _STREET_TYPES)


def _parse_lines(segments: list[str], expanded: list[list[str]]) -> _Parts:
    """Fill flat / number / building / street from cleaned comma-separated segments, in order.

    ``expanded`` holds each segment's words with abbreviations expanded (to look ahead for a street).
    """
    parts = _Parts()
    pending_number: str | None = None
    street_after = [False] * len(segments)  # does a later segment name a street?
    for i in range(len(segments) - 2, -1, -1):
        street_after[i] = street_after[i + 1] or _has_street_type(expanded[i + 1])
    for index, segment in enumerate(segments):
        if parts.flat is None and "floor" in segment:
            m = _FLOOR_FLAT.search(segment)
            if m:
                parts.flat = _FLOOR_NAMES.get(m[1], m[1]) + " floor"
                segment = (segment[: m.start()] + " " + segment[m.end():]).strip()
        if parts.flat is None and _FLAT_HINT.search(segment):
            m = _FLAT.search(segment)
            if m:
                parts.flat = m[1] or m[2]
                segment = (segment[: m.start()] + " " + segment[m.end():]).strip(" /-")
        m = _SLASH.match(segment) if "/" in segment else None
        if m and parts.flat is None:
            parts.flat, pending_number = m[1], m[2]
            segment = segment[m.end():]
        tokens = segment.split()
        if not tokens:
            continue
        number: str | None = None
        if _NUMBER.fullmatch(tokens[0]):
            number = tokens[0]
            tokens = tokens[1:]
            # "10 A High Street" -> "10a" (a lone letter after the number is its suffix)
            if len(tokens) > 1 and len(tokens[0]) == 1 and tokens[0].isalpha():
                number += tokens[0]
                tokens = tokens[1:]
        if not tokens:  # a segment that is only a number: the street follows in the next segment
            pending_number = number or pending_number
            continue
        if parts.street is not None:
            continue  # after the street: locality, district, town
        words = _expand(tokens)
        has_street_type = _has_street_type(words)
        if number is not None:
            if not has_street_type and street_after[index] and any(w in _BUILDING_WORDS for w in words):
                # "5 Riverside House, Mill Lane": 5 is the flat in the building, not a house number.
                parts.building = " ".join(words)
                if parts.flat is None:
                    parts.flat = number
                continue
            parts.number = number
            parts.street = _street_name(words)
            continue
        if has_street_type:
            parts.number = pending_number
            parts.street = _street_name(words)
            continue
        if pending_number is not None and parts.building is None:
            # "10, The Willows": a number on its own followed by a name without a street type
            parts.number, parts.street = pending_number, " ".join(words)
            continue
        if parts.building is None:
            parts.building = " ".join(words)
    if parts.number is None and pending_number is not None and parts.street is None:
        parts.number = pending_number
    return parts


# Words of the placeholder and care-of phrases ("no fixed abode", "c/o", "care of"): a second line holding one may
# hold or complete such a phrase.
_PHRASE_WORDS = frozenset(word for phrase in _NO_ADDRESS_PHRASES for word in phrase.split()) | {"c", "o", "care", "of"}
_LETTERS_AND_SPACES = re.compile(r"[A-Za-z ]+")


@lru_cache(maxsize=50_000)
def _is_plain_locality(line: str) -> bool:
    """Whether a second address line is a plain locality ("Rothwell", "Cross Gates") that changes nothing a first
    line naming a street decides (see _street_lines): ASCII letters and spaces only (no postcode, number, comma or
    slash), no word of a placeholder or care-of phrase, nothing a flat, a floor or an institution is found by,
    no street type. Then _parse_lines skips it (it comes after the street, and no segment before it looks ahead
    to a street), and the placeholder tests find in it nothing and complete with it nothing begun on the first line."""
    if not _LETTERS_AND_SPACES.fullmatch(line):
        return False
    tokens = line.lower().split()  # the segment _clean_line makes of it, split
    if not tokens or not _PHRASE_WORDS.isdisjoint(tokens):
        return False
    segment, words = " ".join(tokens), _expand(tokens)
    return ("floor" not in segment and not _FLAT_HINT.search(segment) and not _has_street_type(words)
            and not _INSTITUTION_HINT.search(" ".join(words)))


@lru_cache(maxsize=200_000)
def _street_lines(line1: str | None, line2: str | None) -> tuple[str | None, str | None, _Parts, bool]:
    """_parse_street_lines, cached. A first line naming a street is parsed once for all the plain localities
    written after it as a second line ("19 Shaftesbury Avenue" with "Rothwell" or none: a third of the distinct
    pairs of lines in the bench data): the locality changes nothing they decide (_is_plain_locality)."""
    if line1 and line2 and _is_plain_locality(line2):
        found1, _found2, parts, placeholder = _street_lines(line1, None)
        if parts.street is not None:
            return found1, None, parts, placeholder
    return _parse_street_lines(line1, line2)


def _parse_street_lines(line1: str | None, line2: str | None) -> tuple[str | None, str | None, _Parts, bool]:
    """What the two address lines alone decide: a postcode typed at the end of either, the flat / number /
    building / street, and whether they make a placeholder (no fixed abode, care of, an institution).
    Cached apart from the town and postcode: agencies write one dwelling's town and postcode differently
    ("LS6 2AB", "ls62ab", no town) more often than its lines, so the costly part is parsed once per pair
    of lines. The parts are shared between cache hits: never modify them."""
    # A postcode is often typed at the end of an address line instead of in its own field.
    line1, found1 = _split_postcode(line1)
    line2, found2 = _split_postcode(line2)
    lines = [line for line in (line1, line2) if line and line.strip()]
    lowered = " ".join(lines).lower()
    ascii_text = lowered if lowered.isascii() else unidecode(lowered)
    squashed = " ".join(ascii_text.translate(_SQUASH_TABLE).split())
    # Commas only (most lines): str.split, not the regular expression; the empty segments it leaves between
    # adjacent commas clean to nothing and are dropped below, as the expression's never-empty ones are.
    raw_segments = [seg for line in lines
                    for seg in (line.split(",") if _OTHER_SEPARATORS.isdisjoint(line) else _SEGMENTS.split(line))]
    care_of = ("/" in lowered or "care of" in lowered) and bool(_CARE_OF.search(lowered))
    if care_of:
        # "c/o Mrs Smith, 4 Oak Road": the care-of part names someone else; from the first digit on
        # it is a real address.
        raw_segments = [_CARE_OF_PREFIX.sub("", seg.lower()) for seg in raw_segments]
    segments = [s for s in (_clean_line(seg) for seg in raw_segments) if s]

    expanded = [_expand(s.split()) for s in segments]
    no_address = bool(_NO_ADDRESS.search(squashed))
    parts = _Parts(street="no fixed abode") if no_address else _parse_lines(segments, expanded)
    text = " , ".join(" ".join(words) for words in expanded)
    institution = bool(_INSTITUTION_HINT.search(text)) and bool(_INSTITUTION.search(text))
    return found1, found2, parts, no_address or care_of or institution


@lru_cache(maxsize=200_000)
def _normalise(line1: str | None, line2: str | None, town: str | None, postcode: str | None,
               uprn: str | None) -> Address:
    raw_parts = [p.strip() for p in (line1, line2, town, postcode) if p and p.strip()]
    raw = ", ".join(raw_parts) if raw_parts else None

    found1, found2, parts, placeholder = _street_lines(line1, line2)
    town, found3 = _split_postcode(town)
    given = normalise_postcode(postcode) if postcode and postcode.strip() else None
    postcode_value = given.value if given and given.valid else (found1 or found2 or found3)
    # Not a UK postcode, but a postal code all the same (abroad, BFPO, mistyped): kept as a token only
    # when no UK postcode was found anywhere in the address.
    other = other_postcode(postcode) if given and not postcode_value else None
    town_clean = (_clean_line(town) or None) if town else None

    key: str | None = None
    uprn_digits = _NON_DIGIT.sub("", uprn).lstrip("0") if uprn else ""
    if uprn_digits:
        key = f"uprn:{uprn_digits}"
    elif postcode_value:
        middle = parts.number or parts.building or parts.street
        if middle:
            key = f"{postcode_value.replace(' ', '')}|{middle}|{parts.flat or ''}"
    else:
        name = parts.street or parts.building
        # Without a postcode a key needs the town (every town has a "10 High Street") and something
        # that picks out the dwelling, except for placeholders, which are meant to collide.
        if name and (placeholder or (town_clean and (parts.number or parts.building or parts.flat))):
            key = f"{name}|{parts.number or ''}|{parts.flat or ''}|{town_clean or ''}"
    return Address(key, parts.flat, parts.number, parts.building, parts.street, town_clean, postcode_value,
                   placeholder, raw, None if placeholder else other)


def _as_text(value: object) -> str | None:
    return value if value is None or type(value) is str else str(value)


def normalise_address(line1: str | None, line2: str | None = None, town: str | None = None,
                      postcode: str | None = None, uprn: str | None = None) -> Address:
    """Parse and key an address.

    Returns an :class:`Address` with the parts lower-cased, punctuation removed, abbreviations expanded
    (St -> street, or saint at the start of a name; Rd, Ave, Ln, Cres, Ct, Dr, Pl, Sq, Gdns, Gr, Cl,
    Terr, Pk, Hse, Blk, ...); the flat parsed out of "Flat 2, 10 High St", "2/10 High Street",
    "10 High Street Flat 2", "Flat 2 10 High Street"; "10a" kept as the number; a postcode typed at the
    end of a line used when the postcode field is empty or invalid. The ``key`` is "uprn:<digits>"
    when a UPRN is given; else with a valid postcode "<POSTCODE>|<number, else building, else
    street>|<flat>"; else "<street or building>|<number>|<flat>|<town>" when the town and a number or
    building are known; otherwise None. ``placeholder`` is True for No Fixed Abode / unknown / homeless
    / care-of addresses and for police stations, council offices, town halls, hospitals and refuges.
    Never raises.
    """
    try:
        return _normalise(_as_text(line1), _as_text(line2), _as_text(town), _as_text(postcode), _as_text(uprn))
    except Exception:  # defensive: a malformed address must not stop an ingest
        raw_parts = [str(p).strip() for p in (line1, line2, town, postcode) if p]
        return Address(None, None, None, None, None, None, None, False, ", ".join(raw_parts) or None)
