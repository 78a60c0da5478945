"""The vectorised levels must equal the per-pair reference comparisons, pair for pair."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np

from graph_model.synthetic import generate
from resolvers.blocking import candidate_pairs
from resolvers.comparisons import COMPARISONS
from resolvers.model import level_matrix
from resolvers.vectorised import EncodedRecords, vector_levels
from tests.resolvers.helpers import features


def _demo_features(households: int) -> list:
    out = []
    for index, (record, _truth) in enumerate(generate(households, seed=5)):
        fields = {k: v for k, v in record.items() if k not in ("source", "source_id")}
        out.append(features(source_id=f"{record['source']}-{index}", **fields))
    return out


def test_vectorised_levels_equal_reference_on_demo_data(tmp_path: Path) -> None:
    feats = _demo_features(150)
    pairs, _, _ = candidate_pairs(feats)
    rng = np.random.default_rng(3)
    random_pairs = np.array([sorted(rng.choice(len(feats), 2, replace=False)) for _ in range(3000)])
    everything = np.concatenate([pairs, random_pairs])
    reference = level_matrix(feats, everything)
    fast = vector_levels(EncodedRecords(feats), everything, chunk=997)
    mismatched = np.nonzero((reference != fast).any(axis=1))[0]
    details = [(COMPARISONS[c].name, int(reference[r, c]), int(fast[r, c]))
               for r in mismatched[:5] for c in range(len(COMPARISONS)) if reference[r, c] != fast[r, c]]
    assert len(mismatched) == 0, details


def test_vectorised_dates_of_birth_equal_the_reference_on_every_pair_of_awkward_dates() -> None:
    # Leap days five years on, one digit changed or two swapped in each part, a calendar day apart across a
    # month or a year, five, six and seven years apart on either side of the anniversary, partial dates.
    dates = ["1980-02-29", "1985-02-28", "1985-03-01", "1985-03-02", "1984-02-29", "1979-02-28", "1990-01-12",
             "1990-01-21", "1990-01-13", "1990-02-12", "1990-12-01", "1990-10-12", "1965-05-06", "1956-05-06",
             "1966-05-06", "1965-05-16", "1999-12-31", "2000-01-01", "2005-01-01", "2004-12-31", "2006-01-02",
             "2007-01-01", "1993-07-30", "1993-07-03", "1993-08-30", "1998-07-30", "1999-07-29", "1999-07-31",
             "1990-11-03", "1990-03-11", "1991-03-11", "1990", "1990-01", "1993-07", "1985"]
    cases = [features(source_id=str(k), given_name="Ann", family_name="Smith", dob=dob) for k, dob in enumerate(dates)]
    pairs = np.array(list(itertools.combinations(range(len(cases)), 2)))
    column = [c.name for c in COMPARISONS].index("dob")
    reference = level_matrix(cases, pairs)[:, column]
    fast = vector_levels(EncodedRecords(cases), pairs)[:, column]
    assert reference.tolist() == fast.tolist()
    assert len(set(reference.tolist())) >= 6  # most levels are reached


def test_vectorised_levels_on_hand_made_edge_cases() -> None:
    cases = [
        features(source_id="1", given_name="J", family_name="Smith-Khan", dob="2015"),
        features(source_id="2", given_name="Jasmine", middle_names="Jo", family_name="Khan", dob="2015-03-04"),
        features(source_id="3", given_name="Jo", family_name="Smith", dob="2015-04-03",
                 phones=["0113 496 0000", "07700 900123"], identifiers={"nhs_number": "9434765919", "case_ref": "A1"}),
        features(source_id="4", given_name=None, family_name="Smith", identifiers={"case_ref": "A2"},
                 addresses=[{"line1": "10 High St", "postcode": "LS6 2AB"}]),
        features(source_id="5", given_name="William", family_name="Smyth", dob="1900-01-01", sex="M",
                 addresses=[{"line1": "10 High Street", "postcode": "ls6 2ab"}], emails=["w@example.net"]),
        # swapped and one-sided names, identifiers one typo apart (one or several per record), addresses
        # with typos and without postcodes
        features(source_id="6", given_name="Smyth", family_name="William", identifiers={"case_ref": "6089216"},
                 addresses=[{"line1": "10 High Street", "postcode": "LS6 2AD"}]),
        features(source_id="7", given_name="Smith", family_name="Jo", identifiers={"case_ref": "6089261", "x": "123456"},
                 addresses=[{"line1": "37 Kelleway Avenue", "town": "Marleston"}]),
        features(source_id="8", given_name="Jo", family_name="Smith", identifiers={"case_ref": "1111111", "x": "123465"},
                 addresses=[{"line1": "37 Kellewayavenue", "town": "Marlesgon"}]),
        features(source_id="9", given_name="Ann", family_name="Smith", identifiers={"case_ref": "608926"},
                 addresses=[{"line1": "73 Kelleway Avenue", "town": "Marleston"}]),
        # postcodes that are not UK ones: the same token on two records, another on a third
        features(source_id="10", given_name="Ann", family_name="Smith",
                 addresses=[{"line1": "12 Main Street", "town": "Dublin", "postcode": "D02 X285"}]),
        features(source_id="11", given_name="Anne", family_name="Smith",
                 addresses=[{"line1": "3 Quay Road", "town": "Dublin", "postcode": "d02x285"}]),
        features(source_id="12", given_name="Anne", family_name="Smith",
                 addresses=[{"line1": "3 Quay Road", "town": "Cork", "postcode": "T12 AB34"}]),
        # addresses without a dwelling key (no house number): a street and town, with and without a postal
        # code; a UK postcode alone
        features(source_id="13", given_name="Ann", family_name="Smith",
                 addresses=[{"line1": "Kelleway Avenue", "town": "Marleston"}]),
        features(source_id="14", given_name="Ann", family_name="Smith",
                 addresses=[{"line1": "Kelleway Avenue", "town": "Marleston", "postcode": "4869"}]),
        features(source_id="15", given_name="Ann", family_name="Smith",
                 addresses=[{"line1": "Quay Road", "town": "Marleston", "postcode": "4869"}]),
        features(source_id="16", given_name="Ann", family_name="Smith", addresses=[{"postcode": "LS6 2AB"}]),
    ]
    pairs = np.array(list(itertools.combinations(range(len(cases)), 2)))
    reference = level_matrix(cases, pairs)
    assert (reference == vector_levels(EncodedRecords(cases), pairs)).all()
    hit = {
        (COMPARISONS[c].name, COMPARISONS[c].levels[reference[r, c]])
        for r in range(len(pairs)) for c in range(len(COMPARISONS)) if reference[r, c] >= 0}
    # the cases do reach the levels they are here for
    assert {("given_name", "swapped"), ("family_name", "other_field"), ("other_identifier", "one_edit"),
            ("location", "similar_address"), ("location", "similar_street"), ("location", "same_postcode")} <= hit


def test_explanations_from_vectorised_levels_equal_explain_pair_by_pair() -> None:
    from resolvers.model import LinkageModel
    from resolvers.pipeline import DEFAULT_MODEL

    feats = _demo_features(40)
    model = LinkageModel.load(DEFAULT_MODEL)
    model.estimate_tf(feats)  # term-frequency bits too
    pairs, _, _ = candidate_pairs(feats)
    levels = vector_levels(EncodedRecords(feats), pairs)
    table = model.level_weights()
    for (i, j), row in zip(pairs.tolist(), levels.tolist(), strict=True):
        assert model.explain_levels(row, feats[i], table) == model.explain(feats[i], feats[j])
    assert any(e["level"] == "exact" for e in model.explain_levels(levels[0].tolist(), feats[pairs[0, 0]]).explanation())


def test_vectorised_dates_of_birth_equal_reference_for_every_pair_of_awkward_dates() -> None:
    # Same year with the month and the day different (swapped, a calendar day apart across a month end,
    # neither), adjacent years (a day apart across New Year, or not), one-component typos, leap days,
    # five and six years apart (the calendar decides "far"), and partial dates.
    dates = ["2015-03-04", "2015-04-03", "2015-03-31", "2015-04-01", "2015-07-19", "2015-12-31", "2016-01-01",
             "2016-02-29", "2016-03-01", "2014-12-31", "2015-03-05", "2015-03-14", "2015-13-04", "2021-03-03",
             "2021-03-04", "2021-03-05", "2010-03-05", "2009-03-03", "2015", "2015-03", "2016-01", "1988-06-21",
             "1989-06-21", "1988-12-06", "2015-07-19"]
    cases = [features(source_id=str(k), given_name="Ann", family_name="Smith", dob=dob) for k, dob in enumerate(dates)]
    pairs = np.array(list(itertools.combinations(range(len(cases)), 2)))
    reference = level_matrix(cases, pairs)
    assert (reference == vector_levels(EncodedRecords(cases), pairs)).all()
    dob = next(c for c, comparison in enumerate(COMPARISONS) if comparison.name == "dob")
    reached = {COMPARISONS[dob].levels[level] for level in reference[:, dob].tolist() if level >= 0}
    assert {"exact", "day_month_swapped", "off_by_one", "year_month", "year_only", "else", "far"} <= reached


def test_scoring_in_worker_processes_gives_the_levels_of_one_process(monkeypatch: Any) -> None:
    """The parallel path (index ranges handed to forked workers, parts copied into one result) gives
    exactly the single-process levels, in the same row order."""
    from resolvers import scoring

    feats = _demo_features(150)
    pairs, _, _ = candidate_pairs(feats)
    monkeypatch.setattr(scoring, "_PARALLEL_MIN_PAIRS", 1)
    parallel = scoring.compute_levels(feats, pairs, processes=3)
    assert parallel.shape == (len(pairs), len(COMPARISONS))
    assert np.array_equal(parallel, vector_levels(EncodedRecords(feats), pairs))


def test_distinct_objects_in_order_of_first_appearance() -> None:
    from resolvers.vectorised import _distinct

    a, b = frozenset({"x"}), frozenset({"y"})
    twin = frozenset({"x"})  # equal to a, another object: computed apart, which only costs time
    distinct, index = _distinct([b, a, b, None, twin, a])
    assert [id(v) if v is not None else None for v in distinct] == [id(b), id(a), None, id(twin)]
    assert index.tolist() == [0, 1, 0, 2, 3, 1]
    empty, none = _distinct([])
    assert empty == [] and none.tolist() == []


def test_columns_are_the_same_whether_records_share_value_objects_or_not() -> None:
    import copy

    from resolvers.features import SharedValues, features_from_values

    # Features read by a full run share one object per distinct value; the columns are computed once per
    # object. The same records with every value its own object must give the same levels and blocks, and the
    # same columns but for the numbering of values (equal sets held apart may iterate in another order).
    records = _demo_features(60)
    shared_values = SharedValues()
    shared = [features_from_values(_values_of(f), shared_values) for f in records]
    unshared = [copy.deepcopy(f) for f in records]
    assert len({id(f.dob) for f in shared}) < len(shared)
    left, right = EncodedRecords(shared), EncodedRecords(unshared)
    for name in ("given_text", "family_text", "current_rest", "other_single", "given_single", "given_length",
                 "family_length", "dob_full", "dob_year", "dob_month_day", "dob_ordinal", "dob_any_year", "sex",
                 "street_only", "has_place", "current_rest_length", "other_several"):
        assert np.array_equal(getattr(left, name), getattr(right, name)), name
    pairs, masks, report = candidate_pairs(shared, encoded=left)
    other_pairs, other_masks, other_report = candidate_pairs(unshared, encoded=right)
    assert np.array_equal(pairs, other_pairs) and np.array_equal(masks, other_masks) and report == other_report
    rng = np.random.default_rng(9)
    random_pairs = np.array([sorted(rng.choice(len(shared), 2, replace=False)) for _ in range(2000)])
    everything = np.concatenate([pairs, random_pairs])
    assert np.array_equal(vector_levels(left, everything), vector_levels(right, everything))
    for encoded in (left, right):  # the address texts' numbering: one number, one text
        text_of = dict(zip(encoded.current_alike.tolist(), encoded.current_rest.tolist(), strict=True))
        assert all(text_of[c] == t for c, t in zip(encoded.current_alike.tolist(), encoded.current_rest.tolist(),
                                                   strict=True))


def _values_of(f: Any) -> list:
    """A feature's values as resolve/fetch_records gives them (resolvers.features.COLUMNS order)."""
    return [f.uid, f.source, f.given, f.given_canon, sorted(f.given_groups), f.middle, f.family,
            list(f.family_parts), f.family_phonetic, f.dob.value, f.sex, f.recorded_at,
            [[k, p, None, start, end, k == f.current_address] for k, p, start, end in f.address_history],
            [[p, "mobile"] for p in f.mobiles] + [[p, "landline"] for p in f.landlines], sorted(f.emails),
            [[s, v] for s, vs in f.identifiers.items() for v in vs], sorted(f.schools),
            [[u, k, True] for u, k in f.related.items()], f.street_address, None]
