"""The stored form of a SIMILAR_TO edge's explanation: what is written decodes to what was meant."""

from __future__ import annotations

import json

import numpy as np

from resolvers.blocking import candidate_pairs
from resolvers.comparisons import COMPARISONS
from resolvers.link_evidence import SCHEME, decode_explanation, encode_levels
from resolvers.model import LinkageModel
from resolvers.pipeline import DEFAULT_MODEL, _level_explanation
from resolvers.vectorised import EncodedRecords, vector_levels
from tests.resolvers.test_vectorised import _demo_features


def test_levels_decode_to_the_explanation_of_the_pair() -> None:
    feats = _demo_features(40)
    model = LinkageModel.load(DEFAULT_MODEL)
    model.estimate_tf(feats)
    pairs, _, _ = candidate_pairs(feats)
    levels = vector_levels(EncodedRecords(feats), pairs)
    table = model.level_weights()
    assert (levels < 0).any()  # missing values are among them
    for (i, _j), row in zip(pairs.tolist(), levels.tolist(), strict=True):
        score = model.explain_levels(row, feats[i], table)
        stored = encode_levels(row, [bits for _level, bits in score.contributions.values()])
        assert len(stored) < 120
        assert decode_explanation(stored) == [{**e, "weight": round(e["weight"], 3)} for e in score.explanation()]


def test_a_full_runs_explanation_keeps_the_names_frequency_apart() -> None:
    model = LinkageModel.load(DEFAULT_MODEL)
    table = model.level_weights()
    row = [0, 0, -1, 0, 3, 2, -1, -1, -1, 1]
    stored = f"{_level_explanation(row, table)};-1234"
    items = decode_explanation(stored)
    assert [e["comparison"] for e in items] == [*(c.name for c in COMPARISONS), "name_frequency"]
    assert items[-1] == {"comparison": "name_frequency", "level": "term_frequency_adjustment", "weight": -1.234}
    assert items[2] == {"comparison": "dob", "level": "missing", "weight": 0.0}
    assert items[4]["level"] == COMPARISONS[4].levels[3]
    assert items[4]["weight"] == round(float(table[4, 3]), 3)
    assert not np.isclose(items[4]["weight"], 0.0)


def test_explanations_stored_as_json_before_are_still_read() -> None:
    items = [{"comparison": "given_name", "level": "exact", "weight": 5.2}]
    assert decode_explanation(json.dumps(items)) == items


def test_what_cannot_be_decoded_gives_no_items() -> None:
    stored = encode_levels([0] * len(COMPARISONS), [1.0] * len(COMPARISONS))
    assert decode_explanation(stored)
    other_scheme = "0" * 8 if SCHEME != "0" * 8 else "1" * 8
    assert decode_explanation(other_scheme + stored[len(SCHEME):]) == []  # written for other comparisons
    assert decode_explanation(stored.rsplit(",", 1)[0]) == []  # a comparison short
    assert decode_explanation(stored.replace("0:", "99:", 1)) == []  # no such level
    assert decode_explanation(None) == [] and decode_explanation("") == [] and decode_explanation("[oops") == []
