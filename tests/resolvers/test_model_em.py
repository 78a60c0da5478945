"""EM over distinct level rows weighted by their counts equals EM over every pair."""

from __future__ import annotations

import math

import numpy as np

from resolvers.comparisons import COMPARISONS
from resolvers.model import LinkageModel, _distinct_rows


def _levels(rows: int, distinct: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = np.stack([rng.integers(-1, len(c.levels), distinct) for c in COMPARISONS], axis=1).astype(np.int8)
    return base[rng.integers(0, distinct, rows)]


def test_distinct_rows_with_counts_rebuild_the_matrix() -> None:
    levels = _levels(5000, 40)
    rows, counts = _distinct_rows(levels)
    assert len(rows) == len({tuple(r) for r in levels.tolist()})
    rebuilt = sorted(map(tuple, np.repeat(rows, counts, axis=0).tolist()))
    assert rebuilt == sorted(map(tuple, levels.tolist()))


def _em_every_pair(model: LinkageModel, levels: np.ndarray, iterations: int = 25, strength: float = 50.0) -> float:
    """The textbook EM, one row per pair (the reference)."""
    lam = 0.3
    k_max = max(len(c.levels) for c in model.comparisons)
    columns = np.where(levels < 0, k_max, levels)
    for _ in range(iterations):
        weights = model.level_weights()
        bits = math.log2(lam / (1 - lam)) + weights[np.arange(len(model.comparisons)), columns].sum(axis=1)
        p = 1.0 / (1.0 + np.power(2.0, -np.clip(bits, -60, 60)))
        lam = float(np.clip(p.mean(), 1e-6, 1 - 1e-6))
        for ci, comparison in enumerate(model.comparisons):
            column = levels[:, ci]
            mask = column >= 0
            sums = np.bincount(column[mask], weights=p[mask], minlength=len(comparison.levels))[:len(comparison.levels)]
            prior = np.array(comparison.m_prior) * strength
            model.m[ci] = list((sums + prior) / (sums.sum() + prior.sum()))
    return lam


def test_em_over_distinct_rows_equals_em_over_every_pair() -> None:
    levels = _levels(20_000, 300)
    levels[:4000, :3] = 0  # a block of likely matches, so EM has something to find
    fast, reference = LinkageModel(), LinkageModel()
    fast.estimate_m(levels)
    rate = _em_every_pair(reference, levels)
    assert np.allclose(np.concatenate(fast.m), np.concatenate(reference.m), atol=1e-12)
    assert math.isclose(fast.trained_on["candidate_match_rate"], rate, abs_tol=1e-12)
    assert fast.trained_on["em_pairs"] == len(levels)


def test_scores_in_chunks_equal_the_whole_matrix_at_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import resolvers.model as model_module
    from resolvers.pipeline import DEFAULT_MODEL

    model = LinkageModel.load(DEFAULT_MODEL)
    rng = np.random.default_rng(11)
    levels = np.stack([rng.integers(-1, len(c.levels), 1000) for c in COMPARISONS], axis=1).astype(np.int8)
    table = model.level_weights()
    whole = model.prior_weight + table[np.arange(len(COMPARISONS)),
                                       np.where(levels < 0, table.shape[1] - 1, levels)].sum(axis=1)
    monkeypatch.setattr(model_module, "_SCORE_CHUNK", 7)  # many chunks, the last one short
    assert np.array_equal(model.score_levels(levels), whole)
    assert model.score_levels(levels[:0]).shape == (0,)


def test_prior_over_distinct_rows_equals_the_prior_over_every_pair() -> None:
    from resolvers.pipeline import DEFAULT_MODEL

    levels = _levels(20_000, 300, seed=3)
    levels[:500, :3] = 0  # some pairs that score as matches
    rows, counts = _distinct_rows(levels)
    fast, reference = LinkageModel.load(DEFAULT_MODEL), LinkageModel.load(DEFAULT_MODEL)
    fast.estimate_prior(rows, 5_000, counts)
    reference.estimate_prior(levels, 5_000)
    assert math.isclose(fast.prior, reference.prior, rel_tol=1e-12)
    assert reference.prior > 1e-6  # the matches count: not the floor
