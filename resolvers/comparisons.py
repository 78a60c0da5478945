"""Field comparisons for the Fellegi-Sunter model, each producing one of a fixed list of levels.

Every comparison returns a level index (0 = strongest agreement) or ``MISSING`` when either side has
no usable value (a missing value is no evidence either way: weight 0). Level names are what explanations
show. Household members share surname, address, postcode and landline, so those are not compared as
independent fields: :class:`LocationComparison` folds address, postcode and landline into one
comparison, so a shared household counts once, not four times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from graph_model.normalise import dob_relation
from resolvers.features import RecordFeatures

__all__ = ["COMPARISONS", "MISSING", "Comparison"]

MISSING = -1


@dataclass(frozen=True)
class Comparison:
    """A named comparison with ordered levels. Subclasses implement :meth:`level`."""

    name: str
    levels: tuple[str, ...]
    # Prior m probabilities (chance of each level among true matches) used to start EM.
    m_prior: tuple[float, ...]
    # Levels whose weight gets a term-frequency adjustment (exact value matches).
    tf_levels: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if len(self.levels) != len(self.m_prior):
            raise ValueError(f"{self.name}: {len(self.levels)} levels but {len(self.m_prior)} priors")
        if abs(sum(self.m_prior) - 1.0) > 1e-6:
            raise ValueError(f"{self.name}: m priors must sum to 1")

    def level(self, a: RecordFeatures, b: RecordFeatures) -> int:
        raise NotImplementedError

    def tf_value(self, a: RecordFeatures) -> str | None:
        """The value whose frequency adjusts an exact match (None: no adjustment)."""
        return None


def _jw(a: str, b: str) -> float:
    return JaroWinkler.normalized_similarity(a, b)


SWAP_SIMILARITY = 0.92  # Jaro-Winkler at or above which a name in the other field counts as the same name


def similar_names(x: str | None, y: str | None) -> bool:
    """The same name, allowing a typo (both longer than an initial)."""
    if not x or not y or len(x) < 2 or len(y) < 2:
        return False
    return x == y or _jw(x, y) >= SWAP_SIMILARITY


def names_swapped(a: RecordFeatures, b: RecordFeatures) -> bool:
    """Given and family name recorded the other way round (each allowing a typo)."""
    return similar_names(a.given, b.family) and similar_names(a.family, b.given)


def name_in_other_field(a: RecordFeatures, b: RecordFeatures) -> bool:
    """One record's family name is the other's given name (one name written in the wrong field)."""
    return similar_names(a.family, b.given) or similar_names(a.given, b.family)


class GivenNameComparison(Comparison):
    """Levels: exact, nickname (shared nickname group), jw_0.92, swapped (given and family name the
    other way round on one record, typos allowed), jw_0.80, middle_name (one side's given name is
    the other's middle name), initial (one side is an initial or both share the initial and one is a
    single letter), else."""

    def __init__(self) -> None:
        super().__init__("given_name",
                         ("exact", "nickname", "jw_0.92", "swapped", "jw_0.80", "middle_name", "initial", "else"),
                         (0.79, 0.07, 0.06, 0.01, 0.02, 0.01, 0.01, 0.03), frozenset({0}))

    def level(self, a: RecordFeatures, b: RecordFeatures) -> int:
        x, y = a.given, b.given
        if not x or not y:
            return MISSING
        if x == y:
            return 0
        if a.given_groups & b.given_groups:
            return 1
        similarity = _jw(x, y) if len(x) > 1 and len(y) > 1 else 0.0
        if similarity >= 0.92:
            return 2
        if names_swapped(a, b):
            return 3
        if similarity >= 0.80:
            return 4
        if (a.middle and a.middle.split()[0] == y) or (b.middle and b.middle.split()[0] == x):
            return 5
        if (len(x) == 1 or len(y) == 1) and x[0] == y[0]:
            return 6
        return 7

    def tf_value(self, a: RecordFeatures) -> str | None:
        return a.given


class FamilyNameComparison(Comparison):
    """Levels: exact, part (a shared part of a hyphenated or double surname), jw_0.92, jw_0.80,
    phonetic (same phonetic key), other_field (one record's family name is the other's given name:
    one name written in the wrong field), else. Given and family name swapped on one record is one
    piece of evidence, scored once by the given-name comparison (level "swapped"); the family name
    is then not compared again (missing), or the swap would count twice."""

    def __init__(self) -> None:
        super().__init__("family_name", ("exact", "part", "jw_0.92", "jw_0.80", "phonetic", "other_field", "else"),
                         (0.82, 0.04, 0.05, 0.02, 0.01, 0.005, 0.055), frozenset({0}))

    def level(self, a: RecordFeatures, b: RecordFeatures) -> int:
        x, y = a.family, b.family
        if not x or not y:
            return MISSING
        if x == y:
            return 0
        if set(a.family_parts) & set(b.family_parts):
            return 1
        similarity = _jw(x, y)
        if similarity >= 0.92:
            return 2
        if names_swapped(a, b):
            return MISSING
        if similarity >= 0.80:
            return 3
        if a.family_phonetic and a.family_phonetic == b.family_phonetic:
            return 4
        if name_in_other_field(a, b):
            return 5
        return 6

    def tf_value(self, a: RecordFeatures) -> str | None:
        return a.family


class DateOfBirthComparison(Comparison):
    """Levels: exact, day_month_swapped, off_by_one, year_month, year_only, else, far (full dates
    more than five years apart and not a one-character typo: also a cannot-link)."""

    _ORDER = ("exact", "day_month_swapped", "off_by_one", "year_month", "year_only", "different", "far")

    def __init__(self) -> None:
        super().__init__("dob", ("exact", "day_month_swapped", "off_by_one", "year_month", "year_only", "else", "far"),
                         (0.90, 0.02, 0.03, 0.015, 0.015, 0.015, 0.005))

    def level(self, a: RecordFeatures, b: RecordFeatures) -> int:
        relation = dob_relation(a.dob, b.dob)
        if relation == "missing":
            return MISSING
        return self._ORDER.index(relation) if relation in self._ORDER else 5


class SexComparison(Comparison):
    """Levels: match, mismatch (weak evidence: recording errors happen)."""

    def __init__(self) -> None:
        super().__init__("sex", ("match", "mismatch"), (0.97, 0.03))

    def level(self, a: RecordFeatures, b: RecordFeatures) -> int:
        if not a.sex or not b.sex:
            return MISSING
        return 0 if a.sex == b.sex else 1


ADDRESS_SIMILARITY = 0.9  # Jaro-Winkler of the non-number parts of two address keys: one dwelling, typed twice
_HOUSE_NUMBER = re.compile(r"^[0-9]+[a-z]?$")


@lru_cache(maxsize=100_000)
def address_parts(key: str) -> tuple[str, str]:
    """An address key split into its house/flat numbers and the rest (street, building, town,
    postcode), each joined by spaces. Keys are built by :func:`graph_model.normalise.normalise_address`
    from "|"-separated parts; only their shape is used here: numbers must agree exactly, the rest may
    carry typos."""
    fields = [f for f in key.split("|") if f]
    numbers = " ".join(f for f in fields if _HOUSE_NUMBER.match(f))
    return numbers, " ".join(f for f in fields if not _HOUSE_NUMBER.match(f))


def similar_addresses(a: str, b: str) -> tuple[bool, bool]:
    """(same numbers, rest within typos) for two current-address keys."""
    numbers_a, rest_a = address_parts(a)
    numbers_b, rest_b = address_parts(b)
    return numbers_a == numbers_b, bool(rest_a and rest_b) and _jw(rest_a, rest_b) >= ADDRESS_SIMILARITY


def has_place(f: RecordFeatures) -> bool:
    """Does the record say where the person lives (an address, keyed or not, or a landline)?"""
    return bool(f.address_keys or f.landlines or f.street_address or f.postcodes or f.other_postcodes)


class LocationComparison(Comparison):
    """Where the two records place the person, counted once. Levels: same_current_address,
    same_address (any address in either history, e.g. a stale one), same_landline, same_postcode (a
    UK postcode, or the same postcode from abroad / mistyped, kept as a token: see
    :func:`graph_model.normalise.other_postcode`),
    similar_address (current addresses with the same house and flat numbers, the rest within typos),
    similar_street (current addresses alike but for the numbers, or a current address without a dwelling
    key, such as a street with no house number, alike in street and locality: the same street, never the
    same dwelling), same_sector, same_district, else.

    Records whose only address has no dwelling key still take part, by its street and postcode
    (:attr:`RecordFeatures.street_address`, and its postcode among ``postcodes``/``other_postcodes``):
    left out, such records had no location evidence, so a true match with different names rested on
    names and identifiers alone."""

    def __init__(self) -> None:
        super().__init__("location", ("same_current_address", "same_address", "same_landline", "same_postcode",
                                      "similar_address", "similar_street", "same_sector", "same_district",
                                      "else"),
                         (0.68, 0.12, 0.02, 0.03, 0.02, 0.01, 0.02, 0.02, 0.08))

    def level(self, a: RecordFeatures, b: RecordFeatures) -> int:
        if not has_place(a) or not has_place(b):
            return MISSING
        if a.current_address and a.current_address == b.current_address:
            return 0
        if a.address_keys & b.address_keys:
            return 1
        if a.landlines & b.landlines:
            return 2
        if a.postcodes & b.postcodes or a.other_postcodes & b.other_postcodes:
            return 3
        left, right = a.current_address or a.street_address, b.current_address or b.street_address
        if left and right:
            same_numbers, similar_rest = similar_addresses(left, right)
            if similar_rest:
                # Without a dwelling key on both sides, equal (absent) numbers do not make one dwelling.
                return 4 if same_numbers and a.current_address and b.current_address else 5
        if not a.postcodes or not b.postcodes:
            return 8
        sectors_a = {p[:-2] for p in a.postcodes}
        if sectors_a & {p[:-2] for p in b.postcodes}:
            return 6
        if {p.split(" ")[0] for p in a.postcodes} & {p.split(" ")[0] for p in b.postcodes}:
            return 7
        return 8


class PersonalContactComparison(Comparison):
    """Contacts that belong to one person (not the household): shared mobile, shared email, else."""

    def __init__(self) -> None:
        super().__init__("contact", ("shared_mobile", "shared_email", "else"), (0.45, 0.05, 0.50))

    def level(self, a: RecordFeatures, b: RecordFeatures) -> int:
        if not (a.mobiles or a.emails) or not (b.mobiles or b.emails):
            return MISSING
        if a.mobiles & b.mobiles:
            return 0
        if a.emails & b.emails:
            return 1
        return 2


class IdentifierComparison(Comparison):
    """A national identifier: same, different (two valid values that differ: also a cannot-link)."""

    def __init__(self, scheme: str) -> None:
        super().__init__(scheme, ("same", "different"), (0.98, 0.02))

    def level(self, a: RecordFeatures, b: RecordFeatures) -> int:
        x, y = a.identifiers.get(self.name), b.identifiers.get(self.name)
        if not x or not y:
            return MISSING
        return 0 if x & y else 1


ONE_EDIT_MIN_LENGTH = 5  # shorter identifiers are too dense for a one-character difference to mean a typo


def one_edit_apart(x: str, y: str) -> bool:
    """One character substituted, inserted, deleted, or two adjacent characters transposed."""
    return min(len(x), len(y)) >= ONE_EDIT_MIN_LENGTH and DamerauLevenshtein.distance(x, y, score_cutoff=1) == 1


class OtherIdentifierComparison(Comparison):
    """Any other identifier scheme both records carry (a local case id, a social security number):
    same value; one_edit (values one typo apart: such identifiers carry no check digit, so a mistyped
    one still looks valid); different values for a shared scheme. Weaker than national ids, never a
    cannot-link: local systems re-use and mistype them."""

    _NATIONAL = frozenset({"nhs_number", "upn", "pnc_id", "uprn"})

    def __init__(self) -> None:
        super().__init__("other_identifier", ("same", "one_edit", "different"), (0.85, 0.08, 0.07))

    def level(self, a: RecordFeatures, b: RecordFeatures) -> int:
        shared = (a.identifiers.keys() & b.identifiers.keys()) - self._NATIONAL
        if not shared:
            return MISSING
        if any(a.identifiers[s] & b.identifiers[s] for s in shared):
            return 0
        if any(one_edit_apart(x, y) for s in sorted(shared) for x in a.identifiers[s] for y in b.identifiers[s]):
            return 1
        return 2


COMPARISONS: tuple[Comparison, ...] = (
    GivenNameComparison(),
    FamilyNameComparison(),
    DateOfBirthComparison(),
    SexComparison(),
    LocationComparison(),
    PersonalContactComparison(),
    IdentifierComparison("nhs_number"),
    IdentifierComparison("upn"),
    IdentifierComparison("pnc_id"),
    OtherIdentifierComparison(),
)
