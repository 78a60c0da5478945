"""Personal names: cleaning, placeholders, surname parts, nickname groups and phonetic keys.

Everything here is a pure function of its input and cached, because the same few thousand names
recur across millions of records (a town has far fewer distinct names than people).
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources

import jellyfish
from unidecode import unidecode

__all__ = [
    "canonical_given_name",
    "clean_family_name",
    "clean_given_name",
    "clean_name",
    "family_name_parts",
    "given_name_groups",
    "initial",
    "phonetic_key",
]

_CACHE_SIZE = 200_000

# Titles are dropped wherever they appear ("Mr John Smith", "Smith, Mrs"): none of them is a real
# given or family name, and agencies put them in name fields inconsistently.
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "rev", "sir", "master", "mx"})

# Whole values that mean "no name recorded". Checked twice: on the raw text lower-cased (so "n/a" and
# "-" are caught before punctuation is stripped) and on the cleaned text.
_PLACEHOLDERS_RAW = frozenset({
    "unknown", "not known", "n/k", "nk", "n/a", "n.a.", "n.a", "n.k.", "n.k", "none", "-", "--", "---",
    "?", "??", "xxx", "xx", "null", "unk", "tbc", "tba", "not stated", "not given", "not recorded",
    "no name", "noname", "name unknown", "refused",
})
_PLACEHOLDERS_CLEAN = frozenset({
    "unknown", "not known", "nk", "none", "xxx", "xx", "xxxx", "null", "unk", "tbc", "tba", "not stated",
    "not given", "not recorded", "no name", "noname", "name unknown", "refused",
})

# A given name that starts with one of these is a placeholder for a child not yet named ("Baby",
# "Baby Boy", "Baby of Sarah", "Unborn", "Twin 1"): matching on it would link unrelated newborns.
_GIVEN_PLACEHOLDER_HEADS = frozenset({"baby", "infant", "unborn", "newborn", "twin"})

# Surname particles that belong to the word after them: "van der Berg" is one surname part, not three.
# "o", "mc" and "mac" are here for spellings with a space ("O Brien", "Mc Donald").
_PARTICLES = frozenset({
    "van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "le", "la", "al", "el", "bin", "ibn",
    "ben", "o", "mc", "mac", "st",
})

# Apostrophes (straight and curly, plus backtick) vanish without a space: O'Brien -> obrien.
_APOSTROPHES = str.maketrans("", "", "'`\u2018\u2019\u02bc")
# Anything other than a-z, hyphen and space becomes a space (digits included: "Twin 2", "John2").
_NON_NAME = re.compile(r"[^a-z\- ]+")
# Hyphens with spaces round them ("Smith - Jones") or repeated ("Smith--Jones") become one hyphen.
_HYPHENS = re.compile(r"\s*-[\s-]*")
_SPACES = re.compile(r"\s+")
_NON_LETTER = re.compile(r"[^a-z]+")


@lru_cache(maxsize=_CACHE_SIZE)
def clean_name(raw: str | None) -> str | None:
    """Normalise a name for comparison.

    Returns the name lower-cased, transliterated to ASCII (diacritics gone: "Zoë" -> "zoe"), without
    titles, apostrophes (o'brien -> obrien) or other punctuation, with hyphens kept ("smith-jones")
    and whitespace collapsed; or None when nothing is left or the value is a placeholder such as
    "unknown", "not known", "n/k", "n/a", "none", "-" or a run of x's ("X", "XXX").
    """
    if raw is None:
        return None
    if not isinstance(raw, str):  # defensive: callers sometimes pass numbers read from CSV
        raw = str(raw)
    text = raw.strip().lower()
    if not text or text in _PLACEHOLDERS_RAW:
        return None
    if not text.isascii():
        text = unidecode(text).lower()
    text = text.translate(_APOSTROPHES)
    text = _NON_NAME.sub(" ", text)
    text = _HYPHENS.sub("-", text)
    tokens = [t.strip("-") for t in _SPACES.split(text)]
    tokens = [t for t in tokens if t and t not in _TITLES]
    if not tokens:
        return None
    cleaned = " ".join(tokens)
    if cleaned in _PLACEHOLDERS_CLEAN or set(cleaned) <= {"x", " ", "-"}:
        return None
    return cleaned


@lru_cache(maxsize=_CACHE_SIZE)
def clean_given_name(raw: str | None) -> str | None:
    """Clean a given (first) name.

    Returns what :func:`clean_name` returns, except None also when the name is a placeholder for an
    unnamed baby: it starts with "baby", "infant", "unborn", "newborn" or "twin".
    """
    cleaned = clean_name(raw)
    if cleaned is None:
        return None
    head = cleaned.split(" ", 1)[0].split("-", 1)[0]
    if head in _GIVEN_PLACEHOLDER_HEADS:
        return None
    return cleaned


def clean_family_name(raw: str | None) -> str | None:
    """Clean a family name (surname).

    Returns what :func:`clean_name` returns (kept as a separate function so that surname-only rules
    can be added without touching callers).
    """
    return clean_name(raw)


@lru_cache(maxsize=_CACHE_SIZE)
def family_name_parts(family: str | None) -> tuple[str, ...]:
    """Split a surname into the parts a person might be recorded under.

    Returns a tuple of parts in order: a hyphenated or double-barrelled surname gives each part
    ("smith-jones" -> ("smith", "jones"), "smith jones" -> ("smith", "jones")); particles are joined
    to the following word ("van der berg" -> ("vanderberg",), "al-hassan" -> ("alhassan",)); the
    input is cleaned first. Returns an empty tuple for None or a placeholder.
    """
    cleaned = clean_name(family)
    if cleaned is None:
        return ()
    words = [w for w in cleaned.replace("-", " ").split(" ") if w]
    parts: list[str] = []
    pending = ""
    for word in words:
        if word in _PARTICLES:
            pending += word
            continue
        parts.append(pending + word)
        pending = ""
    if pending:  # a trailing particle ("smith de") is kept rather than silently dropped
        parts.append(pending)
    return tuple(parts)


def _load_groups() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """Read data/nicknames.csv into (name -> first canonical, name -> all canonicals)."""
    canonical_rows: list[tuple[str, list[str]]] = []
    text = resources.files("graph_model.normalise").joinpath("data/nicknames.csv").read_text(encoding="utf-8")
    for row in csv.reader(line for line in text.splitlines() if line.strip() and not line.startswith("#")):
        names = [n for n in (clean_name(cell) for cell in row) if n]
        if names:
            canonical_rows.append((names[0], names[1:]))
    first: dict[str, str] = {}
    groups: dict[str, set[str]] = {}
    heads = {canon for canon, _ in canonical_rows}
    for canon, variants in canonical_rows:
        groups.setdefault(canon, set()).add(canon)
        first.setdefault(canon, canon)
        for variant in variants:
            groups.setdefault(variant, set()).add(canon)
            # A name heading its own group is its own canonical form, wherever else it appears.
            if variant not in heads:
                first.setdefault(variant, canon)
    return first, {name: frozenset(canons) for name, canons in groups.items()}


_FIRST_CANONICAL, _GROUPS = _load_groups()


@lru_cache(maxsize=_CACHE_SIZE)
def canonical_given_name(given: str | None) -> str | None:
    """Map a given name to the canonical form of its nickname group.

    Returns the canonical name of the first group (in data/nicknames.csv order) that lists the cleaned
    name ("bill" -> "william", "muhammad" -> "mohammed"); a multi-word name that is not itself listed
    is mapped word by word ("mohammad ali" -> "mohammed ali"); names in no group map to themselves;
    None for None, placeholders and baby placeholders.
    """
    cleaned = clean_given_name(given)
    if cleaned is None:
        return None
    found = _FIRST_CANONICAL.get(cleaned)
    if found is not None:
        return found
    if " " in cleaned:
        return " ".join(_FIRST_CANONICAL.get(word, word) for word in cleaned.split(" "))
    return cleaned


@lru_cache(maxsize=_CACHE_SIZE)
def given_name_groups(given: str | None) -> frozenset[str]:
    """All nickname groups a given name belongs to.

    Returns the canonical names of every group listing the cleaned name ("alex" -> {"alexander",
    "alexandra"}); for a multi-word name not listed as a whole, the groups of its first word (so "Mo"
    meets "Mohammed Ali"); a name in no group gives a one-element set of itself; an empty set for
    None and placeholders.
    """
    cleaned = clean_given_name(given)
    if cleaned is None:
        return frozenset()
    found = _GROUPS.get(cleaned)
    if found is not None:
        return found
    first_word = cleaned.split(" ", 1)[0]
    return _GROUPS.get(first_word) or frozenset({cleaned})


@lru_cache(maxsize=_CACHE_SIZE)
def phonetic_key(name: str | None) -> str | None:
    """NYSIIS key of the cleaned name (letters only: "smith-jones" is encoded as "smithjones").

    NYSIIS rather than Metaphone: it was designed for personal names and jellyfish does not truncate
    the key, so it merges fewer different common surnames. On a small hand-made check of 11 pairs of
    different names NYSIIS merged 5, Metaphone 8, Soundex 9 (NYSIIS keeps Lee/Li, Patel/Pattle
    and Ali/Allie apart; all three merge Shah/Shaw and Hall/Hill), while on 24 spelling
    variants it joined 17 against Metaphone's 19 (Mohammed/Muhammad, Catherine/Katherine,
    Hussain/Hussein, Stephenson/Stevenson; it misses Smith/Smyth and Thompson/Thomson, which
    Jaro-Winkler catches). The key is a blocking key and a weak comparison level, so fewer false
    collisions in a town full of common names matter more than a little recall. Returns the key in
    upper case, or None for None, placeholders and names with no letters.
    """
    cleaned = clean_name(name)
    if cleaned is None:
        return None
    letters = _NON_LETTER.sub("", cleaned)
    if not letters:
        return None
    return jellyfish.nysiis(letters) or None


def initial(name: str | None) -> str | None:
    """First letter of the cleaned name ("Zoë" -> "z"), or None for None and placeholders."""
    cleaned = clean_name(name)
    return cleaned[0] if cleaned else None
