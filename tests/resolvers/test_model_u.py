"""u from random pairs, less the true matches among them (LinkageModel.correct_u_for_matches)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from resolvers.blocking import candidate_pairs
from resolvers.comparisons import COMPARISONS
from resolvers.model import LinkageModel
from resolvers.scoring import compute_levels
from tests.resolvers.helpers import features

_DOB = [c.name for c in COMPARISONS].index("dob")
_CENTURY_OF_DAYS = 36_525


def _population(people: int, records_each: int, seed: int = 3) -> list:  # type: ignore[type-arg]
    """``people`` people with a random date of birth over a century, ``records_each`` records each,
    all of one person's records sharing a case id (so m is anchored) and a date of birth."""
    rng = random.Random(seed)
    out = []
    for person in range(people):
        dob = (date(1920, 1, 1) + timedelta(days=rng.randrange(_CENTURY_OF_DAYS))).isoformat()
        given, family = f"given{person % 97}", f"family{person % 89}"
        for copy in range(records_each):
            out.append(features(source_id=f"{person}-{copy}", given_name=given, family_name=family, dob=dob,
                                identifiers={"case_id": f"C{person:07d}"}))
    return out


def _estimated(records: list) -> LinkageModel:  # type: ignore[type-arg]
    pairs, _masks, _report = candidate_pairs(records)
    return LinkageModel.estimate(records, compute_levels(records, pairs, processes=1))


def test_matches_among_random_pairs_no_longer_count_as_chance_agreement() -> None:
    # 400 people, 5 records each: one random pair in 500 is a match (FEBRL is as dense), and a match
    # always has the same date of birth, so random pairs share one about 80 times as often as chance.
    model = _estimated(_population(400, 5))
    counts = model.u_counts[_DOB]
    raw_share = counts[0] / counts.sum()
    assert raw_share > 50 / _CENTURY_OF_DAYS
    true_matches_sampled = model.trained_on["u_pairs"] * (400 * 10) / (2000 * 1999 / 2)
    assert abs(model.trained_on["u_matches_removed"] - true_matches_sampled) < 0.1 * true_matches_sampled
    # What is left is chance plus the sample's noise (the matches drawn vary by about 20 around 400).
    assert model.u[_DOB][0] < raw_share / 8


def test_without_matches_among_random_pairs_u_is_as_counted() -> None:
    # One record per person: no random pair is a match, and the correction changes next to nothing.
    model = _estimated(_population(2000, 1))
    counts = model.u_counts[_DOB]
    as_counted = (counts + 1.0) / (counts.sum() + len(counts))
    assert abs(model.u[_DOB][0] - as_counted[0]) < 0.05 * as_counted[0]


def test_a_loaded_model_keeps_its_u(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = _estimated(_population(400, 5))
    model.save(tmp_path / "model.json")
    loaded = LinkageModel.load(tmp_path / "model.json")
    before = [list(u) for u in loaded.u]
    loaded.correct_u_for_matches()  # nothing to correct from: the counts are not saved
    assert loaded.u == before
