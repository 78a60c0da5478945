"""Candidate pairs: records that share an identifier node or a name/date key.

Each rule maps a record to zero or more keys; records sharing a key become candidate pairs. A key
shared by more records than its rule's cap (a council office's phone, a refuge's address, a school
switchboard, a very common name) is a super-node: it is skipped and reported rather than exploded
into all pairs, because such a value is not evidence that any two of its records are one person.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from resolvers.comparisons import ONE_EDIT_MIN_LENGTH
from resolvers.features import RecordFeatures
from resolvers.vectorised import MAX_SET_WIDTH, EncodedRecords

__all__ = ["BLOCKING_RULES", "BlockingReport", "BlockingRule", "candidate_pairs", "distinct_sorted"]


@dataclass(frozen=True)
class BlockingRule:
    name: str
    keys: Callable[[RecordFeatures], Iterable[str]]
    cap: int


def _ids(scheme: str) -> Callable[[RecordFeatures], Iterable[str]]:
    return lambda f: f.identifiers.get(scheme, ())


def _year(f: RecordFeatures) -> str | None:
    return str(f.dob.year) if f.dob.usable and f.dob.year else None


_NATIONAL_OR_ADDRESS = ("nhs_number", "upn", "pnc_id", "uprn")


def _other_identifiers(f: RecordFeatures) -> list[str]:
    return [f"{s}:{v}" for s, vs in f.identifiers.items() if s not in _NATIONAL_OR_ADDRESS for v in vs]


def _one_deletion(f: RecordFeatures) -> list[str]:
    """Each other identifier, and it with one character deleted: two values one substitution,
    insertion, deletion or adjacent transposition apart share such a key (identifiers without a check digit,
    where a typo still looks valid; national ones reject typos by their check digit)."""
    keys = []
    for scheme, values in f.identifiers.items():
        if scheme in _NATIONAL_OR_ADDRESS:
            continue
        for value in values:
            if len(value) >= ONE_EDIT_MIN_LENGTH:
                # The value itself too: it meets the other's deletion when one character was dropped.
                keys.append(f"{scheme}:{value}")
                keys.extend(f"{scheme}:{value[:k]}{value[k + 1:]}" for k in range(len(value)))
    return keys


def _names_any_order(f: RecordFeatures) -> list[str]:
    """Given and family name as an unordered pair: the same person with the names recorded swapped."""
    return ["|".join(sorted((f.given, f.family)))] if f.given and f.family else []


def _dob_initials_any_order(f: RecordFeatures) -> list[str]:
    return [f"{f.dob.value}|{''.join(sorted(f.given[0] + f.family[0]))}"] if f.full_dob and f.given and f.family \
        else []


def _name_postcode(f: RecordFeatures) -> list[str]:
    """Each name (given or family: either may be in the wrong field) with each postcode, UK or other.
    The address rule pairs records only when their dwelling keys agree; this one pairs them when a
    house number or street is mistyped, or the street line is written differently, at one postcode."""
    names = {n for n in (f.given, f.family) if n and len(n) > 1}
    return [f"{n}|{p}" for n in names for p in (*f.postcodes, *f.other_postcodes)]


BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule("nhs_number", _ids("nhs_number"), cap=12),
    BlockingRule("upn", _ids("upn"), cap=12),
    BlockingRule("pnc_id", _ids("pnc_id"), cap=12),
    BlockingRule("other_identifier", _other_identifiers, cap=12),
    BlockingRule("other_identifier_one_edit", _one_deletion, cap=12),
    BlockingRule("mobile", lambda f: f.mobiles, cap=15),
    BlockingRule("email", lambda f: f.emails, cap=15),
    BlockingRule("address", lambda f: f.address_keys, cap=40),
    BlockingRule("landline", lambda f: f.landlines, cap=30),
    BlockingRule("phonetic_surname_birth_year",
                 lambda f: [f"{f.family_phonetic}|{y}"] if f.family_phonetic and (y := _year(f)) else [], cap=60),
    BlockingRule("given_canonical_surname",
                 lambda f: [f"{g}|{p}" for g in (f.given_groups or {f.given_canon}) if g for p in f.family_parts],
                 cap=60),
    BlockingRule("dob_initial",
                 lambda f: [f"{f.dob.value}|{f.given[0]}"] if f.full_dob and f.given else [], cap=40),
    BlockingRule("dob_surname_initial",
                 lambda f: [f"{f.dob.value}|{f.family[0]}"] if f.full_dob and f.family else [], cap=40),
    BlockingRule("names_any_order", _names_any_order, cap=60),
    BlockingRule("dob_initials_any_order", _dob_initials_any_order, cap=40),
    BlockingRule("name_postcode", _name_postcode, cap=40),
    BlockingRule("given_birth_year_district",
                 lambda f: [f"{f.given_canon}|{y}|{p.split(' ')[0]}" for p in f.postcodes]
                 if f.given_canon and (y := _year(f)) else [], cap=40),
)


@dataclass
class BlockingReport:
    pairs: int = 0
    pairs_by_rule: dict[str, int] = field(default_factory=dict)
    capped_blocks: dict[str, int] = field(default_factory=dict)  # rule -> number of keys skipped
    largest_capped: dict[str, int] = field(default_factory=dict)  # rule -> size of its largest skipped key


def candidate_pairs(features: Sequence[RecordFeatures], rules: Sequence[BlockingRule] = BLOCKING_RULES,
                    encoded: EncodedRecords | None = None) -> tuple[np.ndarray, np.ndarray, BlockingReport]:
    """Unique candidate pairs (i < j, as an n x 2 int64 array), the bitmask of rules that found each,
    and a report. Pairs are encoded as i * n + j so millions fit in plain numpy arrays.

    ``encoded``: the records' value columns (scoring needs them too). With them, the shipped rules are
    keyed from integer columns (:class:`_VectorKeys`), the same blocks as the rules' own key functions
    give, without a Python loop over the records per rule."""
    n = len(features)
    report = BlockingReport()
    if len(rules) > _RULE_BITS:
        raise ValueError(f"at most {_RULE_BITS} blocking rules fit a pair's rule mask")
    vector_keys = _VectorKeys(features, encoded) if encoded is not None else None
    tagged: list[np.ndarray] = []
    for bit, rule in enumerate(rules):
        keyed = vector_keys.keys(rule) if vector_keys is not None else None
        if keyed is None:
            key_codes, members = _rule_keys(features, rule)
            ordered = False
        else:
            key_codes, members, ordered = keyed
        rule_codes = distinct_sorted(_block_pairs(key_codes, members, n, rule, report, ordered=ordered))
        del key_codes, members
        if len(rule_codes):
            # Each pair code carries its rule's bit in the low bits (n * n * 32 fits an int64 up to
            # hundreds of millions of records): one in-place sort of one array then groups every rule
            # that found a pair, without the argsort, mask array and reordered copies that set the
            # peak memory of a large run.
            rule_codes <<= _RULE_SHIFT
            rule_codes |= bit
            tagged.append(rule_codes)
    if not tagged:
        report.pairs_by_rule = {rule.name: 0 for rule in rules}
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64), report
    all_tagged = np.concatenate(tagged)
    del tagged
    all_tagged.sort()
    codes = all_tagged >> _RULE_SHIFT
    first = np.empty(len(codes), dtype=bool)
    first[0] = True
    np.not_equal(codes[1:], codes[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    del first
    unique = codes[starts]
    del codes
    all_tagged &= _RULE_BITS - 1
    rule_masks = np.bitwise_or.reduceat(np.left_shift(1, all_tagged), starts)
    del all_tagged, starts
    report.pairs_by_rule = {rule.name: int(((rule_masks >> bit) & 1).sum()) for bit, rule in enumerate(rules)}
    pairs = np.stack([unique // n, unique % n], axis=1)
    report.pairs = len(pairs)
    return pairs, rule_masks, report


_RULE_SHIFT = 5
_RULE_BITS = 1 << _RULE_SHIFT


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted; ``values`` is sorted in place (the callers' arrays are their own
    temporaries, and a copy of millions of pair codes is what sets a large run's peak memory).
    ``np.unique`` is avoided on purpose: numpy 2.4 uses a hash table for plain integer arrays, which took
    1.7 s of CPU on the 1.6 million cannot-link pairs of 200k records, where a sort takes 0.09 s."""
    values.sort()
    if len(values) < 2:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def _rule_keys(features: Sequence[RecordFeatures], rule: BlockingRule,
               indices: Iterable[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One row per (record, distinct key of the rule): the key interned to an integer, and the record.
    ``indices``: only these records (the others have no key of the rule)."""
    interned: dict[str, int] = {}
    # Typed arrays hold 8 bytes a row; lists held a Python int object (28 bytes) and a pointer per row,
    # which at a million records raised the peak memory by hundreds of MB while the largest rule was keyed.
    key_codes = array("q")
    members = array("q")
    for index in range(len(features)) if indices is None else indices:
        for key in set(rule.keys(features[index])):
            key_codes.append(interned.setdefault(key, len(interned)))
            members.append(index)
    return np.frombuffer(key_codes, dtype=np.int64), np.frombuffer(members, dtype=np.int64)


def _block_pairs(key_codes: np.ndarray, members: np.ndarray, n: int, rule: BlockingRule,
                 report: BlockingReport, ordered: bool = False) -> np.ndarray:
    """Every pair inside each block of 2..cap records, as codes i * n + j (i < j; a pair in two blocks
    comes twice). Keys are any integers, one per distinct key of the rule; ``ordered``: already sorted.
    Blocks of one size are expanded together: their members form a matrix, one row per block."""
    if len(key_codes) == 0:
        return np.empty(0, dtype=np.int64)
    if not ordered:
        order = np.argsort(key_codes)  # the members' order inside a block does not matter
        key_codes, members = key_codes[order], members[order]
    first_of_key = np.empty(len(key_codes), dtype=bool)
    first_of_key[0] = True
    np.not_equal(key_codes[1:], key_codes[:-1], out=first_of_key[1:])
    starts = np.flatnonzero(first_of_key)
    del first_of_key
    sizes = np.diff(starts, append=len(key_codes))
    capped = sizes > rule.cap
    if capped.any():
        report.capped_blocks[rule.name] = int(capped.sum())
        report.largest_capped[rule.name] = int(sizes.max())
    parts = []
    for size in np.unique(sizes[(sizes >= 2) & ~capped]).tolist():
        first = starts[sizes == size]
        block = members[first[:, None] + np.arange(size)]  # blocks x size
        left, right = np.triu_indices(size, k=1)
        a, b = block[:, left].ravel(), block[:, right].ravel()
        parts.append(np.minimum(a, b) * n + np.maximum(a, b))
    if not parts:
        return np.empty(0, dtype=np.int64)
    return np.concatenate(parts)


class _VectorKeys:
    """The shipped rules' keys from integer columns: each value is its code in the records' one vocabulary
    (:class:`EncodedRecords`), and a key of several values (a name and a postcode, a date and an initial) is
    the tuple of their codes. Two records share a code tuple exactly when the rule's key strings are
    equal: the parts are the same values, and the names, dates, postcodes and initials that are joined with
    "|" never hold a "|" (normalised names are letters, spaces, hyphens and apostrophes). A set-valued field
    cut to MAX_SET_WIDTH values for scoring (vanishingly rare) sends its rule to the rule's own function.

    At 200k records the rules' own functions took ~5 s of Python (a loop over the records per rule: a set,
    formatted strings, a dictionary look-up per key); these take a fraction of a second."""

    def __init__(self, features: Sequence[RecordFeatures], encoded: EncodedRecords) -> None:
        self.features, self.e = features, encoded
        e = encoded
        if e.features is not features and list(e.features) != list(features):
            raise ValueError("the encoded records are not these records")
        self.has_given = e.given_length > 0
        self.has_family = e.family_length > 0
        # A usable date's year, of any precision (the year rules), and whether the date is a full one.
        self.year = e.dob_any_year
        self.full = e.dob_full & (e.dob >= 0)
        self.family_initial = e.family_initial
        # Empty strings give no key (the rules test the values' truth).
        self.given_canon = np.where(e.given_canon == e.empty_code, -1, e.given_canon)
        self.phonetic = np.where(e.family_phonetic == e.empty_code, -1, e.family_phonetic)
        self.functions = {
            "nhs_number": lambda: self._set(e.national["nhs_number"]),
            "upn": lambda: self._set(e.national["upn"]),
            "pnc_id": lambda: self._set(e.national["pnc_id"]),
            "other_identifier": lambda: self._set(e.other_values),
            "mobile": lambda: self._set(e.mobiles),
            "email": lambda: self._set(e.emails),
            "address": lambda: self._set(e.address_keys),
            "landline": lambda: self._set(e.landlines),
            "phonetic_surname_birth_year": lambda: self._columns(self.phonetic, self.year),
            "given_canonical_surname": self._given_canonical_surname,
            "dob_initial": lambda: self._columns(np.where(self.full, e.dob, -1), e.given_initial),
            "dob_surname_initial": lambda: self._columns(np.where(self.full, e.dob, -1), self.family_initial),
            "names_any_order": lambda: self._columns(*self._unordered(e.given, e.family, self.has_given & self.has_family)),
            "dob_initials_any_order": lambda: self._columns(
                np.where(self.full, e.dob, -1),
                *self._unordered(e.given_initial, self.family_initial, self.has_given & self.has_family)),
            "name_postcode": self._name_postcode,
            "given_birth_year_district": self._given_birth_year_district,
        }

    def keys(self, rule: BlockingRule) -> tuple[np.ndarray, np.ndarray, bool] | None:
        """(keys, members, sorted by key) for the rule: one row per record and distinct key, as
        :func:`_rule_keys` gives them but for the keys' numbering; None: key the rule with its own function."""
        if BLOCKING_RULES_BY_NAME.get(rule.name) is not rule:
            return None
        if rule.name == "other_identifier_one_edit":
            # Deletions of identifier strings: only the few records with an identifier of another scheme.
            return (*_rule_keys(self.features, rule, np.flatnonzero(self.e.other_values[:, 0] >= 0).tolist()), False)
        function = self.functions.get(rule.name)
        if function is None:
            return None
        keyed = function()
        if keyed is None:
            return None
        members, parts = keyed
        keys = _combine(parts)
        if rule.name not in _CROSSED:  # a value of a set, or one key a record: no record has a key twice
            return keys, members, False
        # Crossed values can repeat a key (a repeated name part, a given name that is also the family name):
        # one row per (key, record), sorted by key on the way.
        n = len(self.features)
        rows = distinct_sorted(_factorise(keys) * n + members)
        return rows // n, rows % n, True

    def _set(self, matrix: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]] | None:
        if matrix.shape[1] >= MAX_SET_WIDTH:  # some record's set may have been cut
            return None
        members, column = np.nonzero(matrix >= 0)
        return members, [matrix[members, column]]

    def _columns(self, *columns: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """One key per record with every column present (>= 0)."""
        present = np.logical_and.reduce([c >= 0 for c in columns])
        members = np.flatnonzero(present)
        return members, [c[members] for c in columns]

    @staticmethod
    def _unordered(a: np.ndarray, b: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        low, high = np.minimum(a, b), np.maximum(a, b)
        return np.where(present, low, -1), np.where(present, high, -1)

    def _cross(self, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (record, left value, right value) of two per-record value matrices (-1: no value)."""
        both = (left[:, :, None] >= 0) & (right[:, None, :] >= 0)
        members, li, ri = np.nonzero(both)
        return members, left[members, li], right[members, ri]

    def _given_canonical_surname(self) -> tuple[np.ndarray, list[np.ndarray]] | None:
        e = self.e
        if e.given_groups.shape[1] >= MAX_SET_WIDTH or e.family_parts.shape[1] >= MAX_SET_WIDTH:
            return None
        # The groups, else the canonical given name; an empty group or name gives no key, an empty part does.
        groups = np.where(e.given_groups == e.empty_code, -1, e.given_groups)
        no_groups = (e.given_groups < 0).all(axis=1)
        groups = np.concatenate([groups, np.where(no_groups, self.given_canon, -1)[:, None]], axis=1)
        members, group, part = self._cross(groups, e.family_parts)
        return members, [group, part]

    def _name_postcode(self) -> tuple[np.ndarray, list[np.ndarray]] | None:
        e = self.e
        if e.postcodes.shape[1] >= MAX_SET_WIDTH or e.other_postcodes.shape[1] >= MAX_SET_WIDTH:
            return None
        names = np.stack([np.where(e.given_length > 1, e.given, -1), np.where(e.family_length > 1, e.family, -1)],
                         axis=1)
        members, name, postcode = self._cross(names, np.concatenate([e.postcodes, e.other_postcodes], axis=1))
        return members, [name, postcode]

    def _given_birth_year_district(self) -> tuple[np.ndarray, list[np.ndarray]] | None:
        e = self.e
        if e.districts.shape[1] >= MAX_SET_WIDTH:
            return None
        present = (self.given_canon >= 0) & (self.year >= 0)
        members, name, district = self._cross(np.where(present, self.given_canon, -1)[:, None], e.districts)
        return members, [name, self.year[members], district]


_CROSSED = frozenset({"given_canonical_surname", "name_postcode", "given_birth_year_district"})


def _combine(parts: list[np.ndarray]) -> np.ndarray:
    """One int64 per tuple of parts (each >= 0): equal tuples, equal keys, and no other."""
    keys = parts[0].astype(np.int64)
    for part in parts[1:]:
        width = int(part.max(initial=0)) + 1
        if int(keys.max(initial=0)) >= (1 << 62) // width:
            keys = _factorise(keys)  # renumbered densely first, so the product cannot overflow
        keys = keys * width + part
    return keys


def _factorise(values: np.ndarray) -> np.ndarray:
    """Each value's rank among the distinct values (0..k-1), by a sort (see :func:`distinct_sorted` on
    numpy's hash table)."""
    order = np.argsort(values)
    ordered = values[order]
    new = np.empty(len(values), dtype=np.int64)
    if len(values):
        new[0] = 0
        np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    out = np.empty(len(values), dtype=np.int64)
    out[order] = np.cumsum(new)
    return out


BLOCKING_RULES_BY_NAME = {rule.name: rule for rule in BLOCKING_RULES}
