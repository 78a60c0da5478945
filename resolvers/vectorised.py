"""Comparison levels for many pairs at once, with numpy and rapidfuzz's C scorers.

The per-pair comparisons in :mod:`resolvers.comparisons` are the reference (used to explain one pair
and for single-record resolution). This module computes the same levels for millions of candidate
pairs: values are interned to integers, set-valued fields become fixed-width integer matrices,
Jaro-Winkler runs in rapidfuzz's ``cpdist``, and only the rare date-of-birth cases that need the
full rules (typos, swaps, calendar neighbours) go back to the reference function. A test asserts
that both give identical levels on the demo data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from itertools import chain
from typing import Any

import numpy as np
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.process import cpdist

from graph_model.normalise import PartialDate, dob_relation
from graph_model.normalise.dates import FAR_YEARS
from resolvers.comparisons import (
    ADDRESS_SIMILARITY,
    COMPARISONS,
    MISSING,
    ONE_EDIT_MIN_LENGTH,
    SWAP_SIMILARITY,
    DateOfBirthComparison,
    OtherIdentifierComparison,
    address_parts,
    has_place,
)
from resolvers.features import RecordFeatures

__all__ = ["MAX_SET_WIDTH", "EncodedRecords", "vector_levels"]

MAX_SET_WIDTH = 16  # values per set-valued field kept (more is vanishingly rare; see _SetColumn)
_NATIONAL = ("nhs_number", "upn", "pnc_id")
_OTHER_EXCLUDED = frozenset({"nhs_number", "upn", "pnc_id", "uprn"})


class _Vocabulary:
    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def code(self, value: str | None) -> int:
        if value is None:
            return -1
        return self.codes.setdefault(value, len(self.codes))


def _set_matrix(vocab: _Vocabulary, values: Sequence[Iterable[str]]) -> np.ndarray:
    codes = vocab.codes
    rows = [[codes.setdefault(v, len(codes)) for v in vs] if vs else [] for vs in values]
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    width = max(1, min(MAX_SET_WIDTH, int(lengths.max(initial=1))))
    # Values are distinct already (sets); over the width, keep the same ones on every run.
    for index in np.nonzero(lengths > width)[0].tolist():
        rows[index] = sorted(set(rows[index]))[:width]
        lengths[index] = width
    out = np.full((len(rows), width), -1, dtype=np.int64)
    # All rows placed at once (a numpy assignment per record costs more than building its codes).
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
    starts = np.cumsum(lengths) - lengths
    out[np.repeat(np.arange(len(rows)), lengths), np.arange(len(flat)) - np.repeat(starts, lengths)] = flat
    return out


def _intersects(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Row-wise: do the two rows share a value (ignoring -1 padding)?"""
    equal = left[:, :, None] == right[:, None, :]
    return (equal & (left[:, :, None] >= 0)).any(axis=(1, 2))


def _day_number(dob: PartialDate) -> int:
    """A full date of birth as a day number (-1 without one)."""
    if dob.year is None or dob.month is None or dob.day is None:
        return -1
    return date(dob.year, dob.month, dob.day).toordinal()


class EncodedRecords:
    """Column arrays of every comparable value, one row per record."""

    def __init__(self, features: Sequence[RecordFeatures]) -> None:
        vocab = _Vocabulary()
        code = vocab.code
        self.features = features
        # Every column is computed once per distinct value object and spread to the records by index: the
        # features share one object per distinct value (resolvers.features.SharedValues), and at 200k records
        # there are ~5k given names, 28k dates of birth and 45k address sets. Values are visited in the
        # records' order of first appearance, field by field as before, so every code is what a pass over
        # the records gives.
        givens, given_of = _distinct([f.given for f in features])
        self.given = _spread([code(g) for g in givens], given_of, np.int64)
        self.given_text = _spread([g or "" for g in givens], given_of, object)
        self.given_groups = self._sets(vocab, [f.given_groups for f in features])
        self.given_initial = _spread([code(g[0]) if g else -1 for g in givens], given_of, np.int64)
        self.given_single = _spread([g is not None and len(g) == 1 for g in givens], given_of, bool)
        middles, middle_of = _distinct([f.middle for f in features])
        self.middle_first = _spread([code(m.split()[0]) if m and m.split() else -1 for m in middles], middle_of, np.int64)
        families, family_of = _distinct([f.family for f in features])
        self.family = _spread([code(f) for f in families], family_of, np.int64)
        self.family_text = _spread([f or "" for f in families], family_of, object)
        # Lengths once per record, not per pair (converting text columns per chunk of pairs is costly).
        self.given_length = _spread([len(g or "") for g in givens], given_of, np.int64)
        self.family_length = _spread([len(f or "") for f in families], family_of, np.int64)
        self.family_parts = self._sets(vocab, [f.family_parts for f in features])
        phonetics, phonetic_of = _distinct([f.family_phonetic for f in features])
        self.family_phonetic = _spread([code(p) for p in phonetics], phonetic_of, np.int64)
        dobs, dob_of = _distinct([f.dob for f in features])
        full = [d.precision == "day" and d.usable for d in dobs]
        self.dob = _spread([code(d.value) if d.usable and d.year else -1 for d in dobs], dob_of, np.int64)
        self.dob_full = _spread(full, dob_of, bool)
        self.dob_year = _spread([d.year if f else -1 for d, f in zip(dobs, full, strict=True)], dob_of, np.int64)
        self.dob_month_day = _spread([(d.month or 0) * 100 + (d.day or 0) if f else -1
                                      for d, f in zip(dobs, full, strict=True)], dob_of, np.int64)
        # Day numbers of full dates: "one calendar day apart" (31 March, 1 April) is a subtraction.
        self.dob_ordinal = _spread([_day_number(d) if f else -1 for d, f in zip(dobs, full, strict=True)], dob_of,
                                   np.int64)
        self.sex = np.array([{"M": 1, "F": 2}.get(f.sex or "", 0) for f in features], dtype=np.int8)
        currents, current_of = _distinct([f.current_address for f in features])
        self.current_address = _spread([code(c) for c in currents], current_of, np.int64)
        # The current address compared for "alike": its key, else the street of an address without one.
        self.street_only = np.array([not f.current_address and bool(f.street_address) for f in features])
        self.has_place = np.array([has_place(f) for f in features])
        alike, alike_of = _distinct([f.current_address or f.street_address for f in features])
        parts = [address_parts(a) if a else None for a in alike]
        self.current_numbers = _spread([code(p[0]) if p else -1 for p in parts], alike_of, np.int64)
        self.current_rest = _spread([p[1] if p else "" for p in parts], alike_of, object)
        self.current_alike = alike_of  # numbers the current_rest texts (one number, one text) for _jw
        self.current_rest_length = _spread([len(p[1]) if p else 0 for p in parts], alike_of, np.int64)
        self.address_keys = self._sets(vocab, [f.address_keys for f in features])
        self.landlines = self._sets(vocab, [f.landlines for f in features])
        postcodes, postcodes_of = _distinct([f.postcodes for f in features])
        self.postcodes = _set_matrix(vocab, postcodes)[postcodes_of]
        self.other_postcodes = self._sets(vocab, [f.other_postcodes for f in features])
        self.sectors = _set_matrix(vocab, [{p[:-2] for p in ps} for ps in postcodes])[postcodes_of]
        self.districts = _set_matrix(vocab, [{p.split(" ")[0] for p in ps} for ps in postcodes])[postcodes_of]
        self.mobiles = self._sets(vocab, [f.mobiles for f in features])
        self.emails = self._sets(vocab, [f.emails for f in features])
        identifiers, identifiers_of = _distinct([f.identifiers for f in features])
        self.national = {s: _set_matrix(vocab, [ids.get(s, ()) for ids in identifiers])[identifiers_of]
                         for s in _NATIONAL}
        self.other_values = _set_matrix(vocab, [{f"{s}:{v}" for s, vs in ids.items() if s not in _OTHER_EXCLUDED
                                                 for v in vs} for ids in identifiers])[identifiers_of]
        self.other_schemes = _set_matrix(vocab, [{s for s in ids if s not in _OTHER_EXCLUDED}
                                                 for ids in identifiers])[identifiers_of]
        # The value of a record's only other identifier (most records have at most one), for the
        # one-edit level; records with several fall back to the reference comparison.
        single = [[v for s, vs in ids.items() if s not in _OTHER_EXCLUDED for v in vs] for ids in identifiers]
        self.other_single = _spread([vs[0] if len(vs) == 1 else "" for vs in single], identifiers_of, object)
        self.other_several = _spread([len(vs) > 1 for vs in single], identifiers_of, bool)
        # For blocking (resolvers.blocking._VectorKeys), after the scoring columns (their codes stay the
        # same): the canonical given name, the family name's initial, a usable date's year at any precision,
        # and the code of the empty string (a false value to the rules).
        canons, canon_of = _distinct([f.given_canon for f in features])
        self.given_canon = _spread([code(c) for c in canons], canon_of, np.int64)
        self.family_initial = _spread([code(f[0]) if f else -1 for f in families], family_of, np.int64)
        self.dob_any_year = _spread([d.year if d.year and d.usable else -1 for d in dobs], dob_of, np.int64)
        self.empty_code = vocab.codes.get("", -2)
        self.truncated = any(m.shape[1] == MAX_SET_WIDTH for m in (self.address_keys, self.postcodes, self.mobiles))

    @staticmethod
    def _sets(vocab: _Vocabulary, values: list[Any]) -> np.ndarray:
        distinct, index = _distinct(values)
        return _set_matrix(vocab, distinct)[index]


def _distinct(values: list[Any]) -> tuple[list[Any], np.ndarray]:
    """The distinct objects among ``values`` (by identity: equal values held as separate objects are
    computed twice, which is only slower) in order of first appearance, and each value's index into them."""
    ids = np.fromiter(map(id, values), dtype=np.int64, count=len(values))
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return [values[i] for i in first[order].tolist()], rank[inverse.reshape(-1)]


def _spread(distinct: list[Any], index: np.ndarray, dtype: Any) -> np.ndarray:
    """A column of one value per record from one value per distinct object."""
    column = np.empty(len(distinct), dtype=dtype)
    column[:] = distinct
    return column[index]


def _jw(texts: tuple[np.ndarray, np.ndarray], codes: tuple[np.ndarray, np.ndarray], i: np.ndarray,
        j: np.ndarray) -> np.ndarray:
    """Jaro-Winkler similarity of ``texts[0][i]`` and ``texts[1][j]``, computed once per distinct pair of
    texts: ``codes`` number the texts (equal codes, equal texts; codes >= 0). Candidate pairs repeat name
    pairs (at 200k records, ~3 million pairs of ~5k given names), and a pair is scored once."""
    left_codes, right_codes = codes[0][i], codes[1][j]
    keys = left_codes * (int(right_codes.max(initial=0)) + 1) + right_codes
    # Without return_index numpy sorts with quicksort, not a stable sort: any row of a key is as good.
    distinct, inverse = np.unique(keys, return_inverse=True)
    inverse = inverse.reshape(-1)
    row = np.empty(len(distinct), dtype=np.int64)
    row[inverse] = np.arange(len(keys))
    similarity = cpdist(texts[0][i[row]].tolist(), texts[1][j[row]].tolist(),
                        scorer=JaroWinkler.normalized_similarity, dtype=np.float64, workers=1)
    return similarity[inverse]


def _similar_across(e: EncodedRecords, i: np.ndarray, j: np.ndarray, need: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the rows in ``need``: is i's given name j's family name (typos allowed), and is i's family
    name j's given name? (:func:`resolvers.comparisons.similar_names`)"""
    given_as_family = np.zeros(len(i), dtype=bool)
    family_as_given = np.zeros(len(i), dtype=bool)
    for out, left_text, right_text, left_code, right_code, left_length, right_length in (
            (given_as_family, e.given_text, e.family_text, e.given, e.family, e.given_length[i], e.family_length[j]),
            (family_as_given, e.family_text, e.given_text, e.family, e.given, e.family_length[i], e.given_length[j])):
        rows = need & (left_length > 1) & (right_length > 1)
        if rows.any():
            left, right = left_code[i[rows]], right_code[j[rows]]
            out[rows] = (left == right) | (_jw((left_text, right_text), (left_code, right_code), i[rows], j[rows])
                                           >= SWAP_SIMILARITY)
    return given_as_family, family_as_given


def _present(column: np.ndarray) -> np.ndarray:
    return np.asarray((column >= 0).any(axis=1) if column.ndim == 2 else column >= 0)


def _given(e: EncodedRecords, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    a, b = e.given[i], e.given[j]
    exact = a == b
    nickname = _intersects(e.given_groups[i], e.given_groups[j])
    long_enough = ~e.given_single[i] & ~e.given_single[j]
    similarity = np.zeros(len(i))
    need = long_enough & ~exact & ~nickname & (a >= 0) & (b >= 0)
    if need.any():
        similarity[need] = _jw((e.given_text, e.given_text), (e.given, e.given), i[need], j[need])
    middle = ((e.middle_first[i] >= 0) & (e.middle_first[i] == b)) | ((e.middle_first[j] >= 0) & (e.middle_first[j] == a))
    initial = (e.given_single[i] | e.given_single[j]) & (e.given_initial[i] == e.given_initial[j])
    close = long_enough & (similarity >= 0.92)
    given_as_family, family_as_given = _similar_across(e, i, j, (a >= 0) & (b >= 0) & ~exact & ~nickname & ~close)
    levels = np.select([exact, nickname, close, given_as_family & family_as_given, long_enough & (similarity >= 0.80),
                        middle, initial], [0, 1, 2, 3, 4, 5, 6], default=7)
    return np.where((a < 0) | (b < 0), MISSING, levels)


def _family(e: EncodedRecords, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    a, b = e.family[i], e.family[j]
    exact = a == b
    parts = _intersects(e.family_parts[i], e.family_parts[j])
    similarity = np.zeros(len(i))
    need = ~exact & ~parts & (a >= 0) & (b >= 0)
    if need.any():
        similarity[need] = _jw((e.family_text, e.family_text), (e.family, e.family), i[need], j[need])
    phonetic = (e.family_phonetic[i] >= 0) & (e.family_phonetic[i] == e.family_phonetic[j])
    given_as_family, family_as_given = _similar_across(e, i, j, (a >= 0) & (b >= 0) & ~exact & ~parts
                                                       & (similarity < 0.92))
    levels = np.select([exact, parts, similarity >= 0.92, given_as_family & family_as_given, similarity >= 0.80,
                        phonetic, given_as_family | family_as_given], [0, 1, 2, MISSING, 3, 4, 5], default=6)
    return np.where((a < 0) | (b < 0), MISSING, levels)


_DOB_ORDER = DateOfBirthComparison._ORDER


def _dob(e: EncodedRecords, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    a, b = e.dob[i], e.dob[j]
    levels = np.full(len(i), MISSING, dtype=np.int64)
    both = (a >= 0) & (b >= 0)
    full = both & e.dob_full[i] & e.dob_full[j]
    exact = full & (a == b)
    levels[exact] = 0
    # Full dates that differ in the year and in the month or day are two components apart: no typo, no
    # swap, not a day apart. Seven years or more apart they are "far"; two to four years apart, "else"
    # (five or six years need the calendar). Most random pairs and household pairs end here.
    years = np.abs(e.dob_year[i] - e.dob_year[j])
    two_parts = full & (e.dob_month_day[i] != e.dob_month_day[j])
    far = two_parts & (years >= 7)
    different = two_parts & (years >= 2) & (years <= 4)
    levels[far] = _DOB_ORDER.index("far")
    levels[different] = _DOB_ORDER.index("different")
    # Full dates of one year, or of adjacent years, that differ in the month and the day (or also in
    # the year) are no one-component typo: swapped day and month, else one calendar day apart
    # ("off_by_one"), else "year_only" (one year) or "different" (adjacent years). Siblings and
    # namesakes born in the same year are most of the pairs left.
    month_i, day_i = np.divmod(e.dob_month_day[i], 100)
    month_j, day_j = np.divmod(e.dob_month_day[j], 100)
    month_and_day = full & (month_i != month_j) & (day_i != day_j)
    neighbours = np.abs(e.dob_ordinal[i] - e.dob_ordinal[j]) == 1
    same_year = month_and_day & (years == 0)
    swapped = same_year & (day_i == month_j) & (month_i == day_j) & (day_i != month_i)
    adjacent_years = two_parts & (years == 1)
    levels[same_year] = _DOB_ORDER.index("year_only")
    levels[adjacent_years] = _DOB_ORDER.index("different")
    levels[(same_year | adjacent_years) & neighbours] = _DOB_ORDER.index("off_by_one")
    levels[swapped] = _DOB_ORDER.index("day_month_swapped")
    rest = both & ~exact & ~far & ~different & ~same_year & ~adjacent_years
    # Full dates left (one component differs, or the month or the day too five or six years apart; no swap: a
    # swap differs in the month and the day within one year) follow the reference rules of dob_relation here.
    # A Python call per distinct date pair left took a fifth of the levels' time at 200k records.
    settled = rest & full & (month_i > 0) & (day_i > 0) & (month_j > 0) & (day_j > 0)
    rows = np.flatnonzero(settled)
    if len(rows):
        levels[rows] = _full_dob_levels(e.dob_year[i[rows]], month_i[rows], day_i[rows], e.dob_year[j[rows]],
                                        month_j[rows], day_j[rows], neighbours[rows])
    # Everything else follows the reference rules; distinct date pairs repeat, so cache them.
    rest = np.flatnonzero(rest & ~settled)
    cache: dict[tuple[int, int], int] = {}
    features = e.features
    for row in rest.tolist():
        key = (int(a[row]), int(b[row]))
        level = cache.get(key)
        if level is None:
            relation = dob_relation(features[i[row]].dob, features[j[row]].dob)
            level = MISSING if relation == "missing" else (_DOB_ORDER.index(relation) if relation in _DOB_ORDER else 5)
            cache[key] = level
        levels[row] = level
    return levels


def _full_dob_levels(year_a: np.ndarray, month_a: np.ndarray, day_a: np.ndarray, year_b: np.ndarray,
                     month_b: np.ndarray, day_b: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """dob_relation's levels for full dates that are not equal and not day and month swapped."""
    digits_a, digits_b = year_a * 10_000 + month_a * 100 + day_a, year_b * 10_000 + month_b * 100 + day_b
    differing = (year_a != year_b).astype(np.int64) + (month_a != month_b) + (day_a != day_b)
    one_unit = (np.abs(year_a - year_b) == 1) | (np.abs(month_a - month_b) == 1) | (np.abs(day_a - day_b) == 1)
    off_by_one = ((differing == 1) & (one_unit | _one_edit_apart(digits_a, digits_b))) | neighbours
    # Five calendar years after the earlier date (29 February to 1 March in a common year), as YYYYMMDD.
    first, second = np.minimum(digits_a, digits_b), np.maximum(digits_a, digits_b)
    year_later = first // 10_000 + FAR_YEARS
    leap = (year_later % 4 == 0) & ((year_later % 100 != 0) | (year_later % 400 == 0))
    later = np.where((first % 10_000 == 229) & ~leap, year_later * 10_000 + 301, year_later * 10_000 + first % 10_000)
    same_year = year_a == year_b
    return np.select([off_by_one, same_year & (month_a == month_b), same_year, second > later],
                     [_DOB_ORDER.index(r) for r in ("off_by_one", "year_month", "year_only", "far")],
                     default=_DOB_ORDER.index("different"))


def _one_edit_apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Are the 8-digit YYYYMMDD strings of ``a`` and ``b`` (different) one Damerau-Levenshtein edit apart? Of
    equal length, that is one digit changed, or two adjacent digits swapped."""
    digits_a = np.stack([a // 10**k % 10 for k in range(8)], axis=1)
    digits_b = np.stack([b // 10**k % 10 for k in range(8)], axis=1)
    unequal = digits_a != digits_b
    changed = unequal.sum(axis=1)
    swapped = np.zeros(len(a), dtype=bool)
    for k in range(7):
        swapped |= (unequal[:, k] & unequal[:, k + 1] & (digits_a[:, k] == digits_b[:, k + 1])
                    & (digits_a[:, k + 1] == digits_b[:, k]))
    return (changed == 1) | ((changed == 2) & swapped)


def _sex(e: EncodedRecords, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    a, b = e.sex[i], e.sex[j]
    return np.where((a == 0) | (b == 0), MISSING, np.where(a == b, 0, 1))


def _location(e: EncodedRecords, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    has_a, has_b = e.has_place[i], e.has_place[j]
    current = (e.current_address[i] >= 0) & (e.current_address[i] == e.current_address[j])
    any_address = _intersects(e.address_keys[i], e.address_keys[j])
    landline = _intersects(e.landlines[i], e.landlines[j])
    postcode = _intersects(e.postcodes[i], e.postcodes[j]) | _intersects(e.other_postcodes[i], e.other_postcodes[j])
    no_postcode = ~_present(e.postcodes[i]) | ~_present(e.postcodes[j])
    similar_rest = np.zeros(len(i), dtype=bool)
    need = has_a & has_b & ~current & ~any_address & ~landline & ~postcode
    need &= (e.current_rest_length[i] > 0) & (e.current_rest_length[j] > 0)
    if need.any():
        similar_rest[need] = _jw((e.current_rest, e.current_rest), (e.current_alike, e.current_alike), i[need],
                                 j[need]) >= ADDRESS_SIMILARITY
    same_numbers = (e.current_numbers[i] == e.current_numbers[j]) & ~e.street_only[i] & ~e.street_only[j]
    levels = np.select(
        [current, any_address, landline, postcode, similar_rest & same_numbers, similar_rest, no_postcode,
         _intersects(e.sectors[i], e.sectors[j]), _intersects(e.districts[i], e.districts[j])],
        [0, 1, 2, 3, 4, 5, 8, 6, 7], default=8)
    return np.where(has_a & has_b, levels, MISSING)


def _contact(e: EncodedRecords, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    has_a = _present(e.mobiles[i]) | _present(e.emails[i])
    has_b = _present(e.mobiles[j]) | _present(e.emails[j])
    levels = np.select([_intersects(e.mobiles[i], e.mobiles[j]), _intersects(e.emails[i], e.emails[j])], [0, 1],
                       default=2)
    return np.where(has_a & has_b, levels, MISSING)


def _national(scheme: str):  # type: ignore[no-untyped-def]
    def level(e: EncodedRecords, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        column = e.national[scheme]
        present = _present(column[i]) & _present(column[j])
        return np.where(present, np.where(_intersects(column[i], column[j]), 0, 1), MISSING)

    return level


_OTHER_REFERENCE = OtherIdentifierComparison()


def _other(e: EncodedRecords, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    shared_scheme = _intersects(e.other_schemes[i], e.other_schemes[j])
    same = _intersects(e.other_values[i], e.other_values[j])
    levels = np.where(shared_scheme, np.where(same, 0, 2), MISSING)
    differ = shared_scheme & ~same
    several = differ & (e.other_several[i] | e.other_several[j])
    single = differ & ~several  # one value each, of the shared scheme
    if single.any():
        left, right = e.other_single[i][single], e.other_single[j][single]
        distance = cpdist(list(left), list(right), scorer=DamerauLevenshtein.distance, dtype=np.int64, workers=1)
        lengths = np.minimum(np.char.str_len(left.astype(str)), np.char.str_len(right.astype(str)))
        levels[single] = np.where((distance == 1) & (lengths >= ONE_EDIT_MIN_LENGTH), 1, 2)
    for row in np.nonzero(several)[0].tolist():
        levels[row] = _OTHER_REFERENCE.level(e.features[i[row]], e.features[j[row]])
    return levels


_LEVEL_FUNCTIONS = {
    "given_name": _given, "family_name": _family, "dob": _dob, "sex": _sex, "location": _location,
    "contact": _contact, "nhs_number": _national("nhs_number"), "upn": _national("upn"),
    "pnc_id": _national("pnc_id"), "other_identifier": _other,
}


def vector_levels(encoded: EncodedRecords, pairs: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    """Levels (pairs x comparisons, int8, MISSING = -1) identical to the per-pair comparisons."""
    out = np.empty((len(pairs), len(COMPARISONS)), dtype=np.int8)
    for start in range(0, len(pairs), chunk):
        i, j = pairs[start:start + chunk, 0], pairs[start:start + chunk, 1]
        for column, comparison in enumerate(COMPARISONS):
            out[start:start + chunk, column] = _LEVEL_FUNCTIONS[comparison.name](encoded, i, j)
    return out
