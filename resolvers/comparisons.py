"""Field comparisons for the Fellegi-Sunter model, each producing one of a fixed list of levels.

Every comparison returns a level index (0 = strongest agreement) or ``MISSING`` when either side has
no usable value (a missing value is no evidence either way: weight 0). Level names are what explanations
show. Household members share surname, address, postcode and landline, so those are not compared as
independent fields: :class:`LocationComparison` folds address, postcode and landline into one
comparison, so a shared household counts once, not four times.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz.distance import JaroWinkler

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


class GivenNameComparison(Comparison):
    """Levels: exact, nickname (shared nickname group), jw_0.92, jw_0.80, middle_name (one side's given
    name is the other's middle name), initial (one side is an initial or both share the initial
    and one is a single letter), else."""

    def __init__(self) -> None:
        super().__init__("given_name",
                         ("exact", "nickname", "jw_0.92", "jw_0.80", "middle_name", "initial", "else"),
                         (0.80, 0.07, 0.06, 0.02, 0.01, 0.01, 0.03), frozenset({0}))

    def level(self, a: RecordFeatures, b: RecordFeatures) -> int:
        x, y = a.given, b.given
        if not x or not y:
            return MISSING
        if x == y:
            return 0
        if a.given_groups & b.given_groups:
            return 1
        if len(x) > 1 and len(y) > 1:
            similarity = _jw(x, y)
            if similarity >= 0.92:
                return 2
            if similarity >= 0.80:
                return 3
        if (a.middle and a.middle.split()[0] == y) or (b.middle and b.middle.split()[0] == x):
            return 4
        if (len(x) == 1 or len(y) == 1) and x[0] == y[0]:
            return 5
        return 6

    def tf_value(self, a: RecordFeatures) -> str | None:
        return a.given


class FamilyNameComparison(Comparison):
    """Levels: exact, part (a shared part of a hyphenated or double surname), jw_0.92, jw_0.80,
    phonetic (same phonetic key), else."""

    def __init__(self) -> None:
        super().__init__("family_name", ("exact", "part", "jw_0.92", "jw_0.80", "phonetic", "else"),
                         (0.82, 0.04, 0.05, 0.02, 0.01, 0.06), frozenset({0}))

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
        if similarity >= 0.80:
            return 3
        if a.family_phonetic and a.family_phonetic == b.family_phonetic:
            return 4
        return 5

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


class LocationComparison(Comparison):
    """Where the two records place the person, counted once. Levels: same_current_address,
    same_address (any address in either history, e.g. a stale one), same_landline, same_postcode,
    same_sector, same_district, else."""

    def __init__(self) -> None:
        super().__init__("location", ("same_current_address", "same_address", "same_landline", "same_postcode",
                                      "same_sector", "same_district", "else"),
                         (0.70, 0.12, 0.02, 0.03, 0.02, 0.02, 0.09))

    def level(self, a: RecordFeatures, b: RecordFeatures) -> int:
        if not (a.address_keys or a.landlines) or not (b.address_keys or b.landlines):
            return MISSING
        if a.current_address and a.current_address == b.current_address:
            return 0
        if a.address_keys & b.address_keys:
            return 1
        if a.landlines & b.landlines:
            return 2
        if not a.postcodes or not b.postcodes:
            return 6
        if a.postcodes & b.postcodes:
            return 3
        sectors_a = {p[:-2] for p in a.postcodes}
        if sectors_a & {p[:-2] for p in b.postcodes}:
            return 4
        if {p.split(" ")[0] for p in a.postcodes} & {p.split(" ")[0] for p in b.postcodes}:
            return 5
        return 6


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


class OtherIdentifierComparison(Comparison):
    """Any other identifier scheme both records carry (a local case id, a social security number):
    same value, or different values for a shared scheme. Weaker than national ids, never a cannot-link:
    local systems re-use and mistype them."""

    _NATIONAL = frozenset({"nhs_number", "upn", "pnc_id", "uprn"})

    def __init__(self) -> None:
        super().__init__("other_identifier", ("same", "different"), (0.9, 0.1))

    def level(self, a: RecordFeatures, b: RecordFeatures) -> int:
        shared = (a.identifiers.keys() & b.identifiers.keys()) - self._NATIONAL
        if not shared:
            return MISSING
        return 0 if any(a.identifiers[s] & b.identifiers[s] for s in shared) else 1


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
