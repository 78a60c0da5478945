"""A Fellegi-Sunter record-linkage model: m and u per comparison level, estimated without labels.

- u (chance of a level among non-matches) comes from random record pairs, which are almost all
  non-matches (as Splink's ``estimate_u_using_random_sampling``), less the share the true matches
  among them are expected to take once m and the prior are known (see :meth:`LinkageModel.correct_u_for_matches`).
- m (chance among matches) and the prior match rate come from EM over the candidate pairs, started
  from the comparisons' priors and smoothed towards them, so a level seen rarely keeps a sensible value.
- Exact name matches get a term-frequency adjustment: sharing a rare surname is stronger evidence
  than sharing Smith.

The model is saved as JSON (no personal values: only level names and probabilities) and reused.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from graph_model.errors import MashgraphError
from resolvers.comparisons import COMPARISONS, MISSING, Comparison
from resolvers.features import RecordFeatures

__all__ = ["LinkageModel", "PairScore", "compare_pair", "level_matrix"]

_MIN_PROB = 1e-6
_TF_CAP = 6.0  # bits; bounds the adjustment for very rare or very common values
_TF_PSEUDO_RECORDS = 500.0

_SCORE_CHUNK = 262_144  # candidate pairs scored at a time


def compare_pair(a: RecordFeatures, b: RecordFeatures, comparisons: Sequence[Comparison] = COMPARISONS) -> list[int]:
    return [c.level(a, b) for c in comparisons]


def level_matrix(features: Sequence[RecordFeatures], pairs: np.ndarray,
                 comparisons: Sequence[Comparison] = COMPARISONS) -> np.ndarray:
    """Levels for each pair (rows) and comparison (columns), as int8; MISSING is -1."""
    out = np.empty((len(pairs), len(comparisons)), dtype=np.int8)
    for row, (i, j) in enumerate(pairs):
        a, b = features[i], features[j]
        for col, comparison in enumerate(comparisons):
            out[row, col] = comparison.level(a, b)
    return out


@dataclass
class PairScore:
    """A scored pair: total match weight (bits), probability, and per-comparison contributions."""

    weight: float
    probability: float
    contributions: dict[str, tuple[str, float]]  # comparison -> (level, bits)

    def explanation(self) -> list[dict[str, Any]]:
        return [{"comparison": name, "level": level, "weight": round(bits, 3)}
                for name, (level, bits) in self.contributions.items()]


@dataclass
class LinkageModel:
    comparisons: tuple[Comparison, ...] = COMPARISONS
    m: list[list[float]] = field(default_factory=list)
    u: list[list[float]] = field(default_factory=list)
    prior: float = 1e-4  # P(match) for a random pair
    trained_on: dict[str, Any] = field(default_factory=dict)
    # Value frequencies for term-frequency adjustment: comparison name -> value -> share of records.
    tf: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)
    # Level counts among the random pairs u came from (per comparison), kept for correct_u_for_matches;
    # not saved: a loaded model's u is final.
    u_counts: list[np.ndarray] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.m:
            self.m = [list(c.m_prior) for c in self.comparisons]
        if not self.u:
            self.u = [[1.0 / len(c.levels)] * len(c.levels) for c in self.comparisons]

    # ------------------------------------------------------------------ weights
    def level_weights(self) -> np.ndarray:
        """log2(m/u) per comparison and level, padded into a matrix (comparisons x max levels)."""
        width = max(len(c.levels) for c in self.comparisons)
        table = np.zeros((len(self.comparisons), width + 1))  # last column: MISSING -> 0
        for ci, comparison in enumerate(self.comparisons):
            for li in range(len(comparison.levels)):
                table[ci, li] = math.log2(max(self.m[ci][li], _MIN_PROB) / max(self.u[ci][li], _MIN_PROB))
        return table

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))

    def tf_adjustment(self, comparison_index: int, value: str | None) -> float:
        """Extra bits for an exact match on ``value``: log2(u_exact / frequency(value)), capped."""
        comparison = self.comparisons[comparison_index]
        table = self.tf.get(comparison.name)
        if not table or value is None or value not in table:
            return 0.0
        u_exact = max(self.u[comparison_index][0], _MIN_PROB)
        return max(-_TF_CAP, min(_TF_CAP, math.log2(u_exact / max(table[value], _MIN_PROB))))

    def score_levels(self, levels: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Match weights (bits, prior included, no TF) for a level matrix."""
        weights = self.level_weights() if weights is None else weights
        out = np.empty(len(levels))
        comparisons = np.arange(len(self.comparisons))
        # In chunks: the per-level weights of all pairs at once were a float matrix of 80 bytes a pair
        # (236 MB for the 2.9 million candidate pairs of 200k records).
        for start in range(0, len(levels), _SCORE_CHUNK):
            chunk = levels[start:start + _SCORE_CHUNK]
            columns = np.where(chunk < 0, weights.shape[1] - 1, chunk)
            out[start:start + len(chunk)] = self.prior_weight + weights[comparisons, columns].sum(axis=1)
        return out

    def tf_adjustments(self, features: Sequence[RecordFeatures], pairs: np.ndarray, levels: np.ndarray) -> np.ndarray:
        """Term-frequency bits for each pair (only where a TF level was reached). The adjustment is
        the first record's value's (an exact match: both hold it), computed once per record."""
        total = np.zeros(len(pairs))
        for ci, comparison in enumerate(self.comparisons):
            if not comparison.tf_levels or comparison.name not in self.tf:
                continue
            hits = np.isin(levels[:, ci], list(comparison.tf_levels)).nonzero()[0]
            if not len(hits):
                continue
            by_value: dict[str | None, float] = {}
            record_bits = np.array([by_value[v] if (v := comparison.tf_value(f)) in by_value
                                    else by_value.setdefault(v, self.tf_adjustment(ci, v)) for f in features])
            total[hits] += record_bits[pairs[hits, 0]]
        return total

    def explain(self, a: RecordFeatures, b: RecordFeatures) -> PairScore:
        """Score one pair, field by field."""
        return self.explain_levels([comparison.level(a, b) for comparison in self.comparisons], a)

    def explain_levels(self, levels: Sequence[int], a: RecordFeatures, weights: np.ndarray | None = None) -> PairScore:
        """The same as :meth:`explain` for a pair whose comparison levels are known already (the vectorised
        levels of a scored pair; ``a``: its first record, whose names the term-frequency bits are for)."""
        weights = self.level_weights() if weights is None else weights
        contributions: dict[str, tuple[str, float]] = {}
        total = self.prior_weight
        for ci, (comparison, level) in enumerate(zip(self.comparisons, levels, strict=True)):
            if level == MISSING:
                contributions[comparison.name] = ("missing", 0.0)
                continue
            bits = float(weights[ci, level])
            if level in comparison.tf_levels:
                bits += self.tf_adjustment(ci, comparison.tf_value(a))
            contributions[comparison.name] = (comparison.levels[level], bits)
            total += bits
        return PairScore(weight=total, probability=probability(total), contributions=contributions)

    # ------------------------------------------------------------------ training
    @classmethod
    def estimate(cls, features: Sequence[RecordFeatures], levels: np.ndarray, encoded: Any = None) -> LinkageModel:
        """A model estimated from the records and their candidate pairs' levels, without labels:
        u from random pairs, m from identifier-anchored pairs (else EM), then the prior."""
        model = cls()
        model.estimate_u(features, encoded=encoded)
        if not model.estimate_m_from_anchors(levels):
            model.estimate_m(levels)
        # The prior depends on a pair through its levels only: it is estimated over the distinct level rows, each
        # weighted by how many pairs have it (thousands of rows, not millions of pairs: twice ten iterations
        # over the 2.9 million candidate pairs of 200k records took ~0.8 s).
        rows, counts = _distinct_rows(levels)
        model.estimate_prior(rows, len(features), counts)
        model.correct_u_for_matches()
        model.estimate_prior(rows, len(features), counts)
        return model

    def estimate_tf(self, features: Sequence[RecordFeatures]) -> None:
        for ci, comparison in enumerate(self.comparisons):
            if not comparison.tf_levels:
                continue
            counts = Counter(v for f in features if (v := comparison.tf_value(f)) is not None)
            self.tf[comparison.name] = self.smoothed_frequencies(ci, counts)

    def smoothed_frequencies(self, comparison_index: int, counts: Mapping[str, float],
                             total: float | None = None) -> dict[str, float]:
        """Value shares shrunk towards the model's average (u of an exact match) by _TF_PSEUDO_RECORDS
        pseudo-records: a name seen twice among ten records is not evidence that it is common.
        ``total``: records in the population when ``counts`` covers only some values."""
        n = sum(counts.values()) if total is None else total
        base = self.u[comparison_index][0]
        return {value: (count + base * _TF_PSEUDO_RECORDS) / (n + _TF_PSEUDO_RECORDS)
                for value, count in counts.items()}

    def estimate_u(self, features: Sequence[RecordFeatures], samples: int = 200_000, seed: int = 42,
                   encoded: Any = None) -> None:
        """u from random pairs of records (almost all non-matches). ``encoded``: the records as
        :class:`resolvers.vectorised.EncodedRecords`, when the caller has them already."""
        n = len(features)
        if n < 2:
            return
        rng = np.random.default_rng(seed)
        count = min(samples, n * (n - 1) // 2)
        left, right = rng.integers(0, n, count), rng.integers(0, n, count)
        keep = left != right
        pairs = np.stack([np.minimum(left, right)[keep], np.maximum(left, right)[keep]], axis=1).astype(np.int64)
        count = len(pairs)
        if self.comparisons == COMPARISONS:
            from resolvers.vectorised import EncodedRecords, vector_levels  # the fast path for the standard set

            levels = vector_levels(encoded or EncodedRecords(features), pairs)
        else:
            levels = level_matrix(features, pairs, self.comparisons)
        for ci, comparison in enumerate(self.comparisons):
            column = levels[:, ci]
            present = column[column >= 0]
            k = len(comparison.levels)
            # Add-one smoothing: a level never seen among random pairs is rare, not impossible.
            counts = np.bincount(present, minlength=k)[:k].astype(float)
            self.u_counts.append(counts)
            self.u[ci] = list((counts + 1.0) / (counts.sum() + k))
        self.trained_on["u_pairs"] = int(count)

    def correct_u_for_matches(self) -> None:
        """Take the true matches out of the random pairs u was counted from.

        A random pair is a match with chance ``prior``, and a match reaches level l with chance m[l]:
        of the n random pairs that reach a comparison, about n * prior * m[l] are matches at level l.
        Where records per person are few (millions of records) that is nothing; where they are many
        (FEBRL: 5,000 records of about 2,000 people, prior 5e-4) the matches are most of the random
        pairs that agree: 82 of 200,000 shared a social security number, about 88 matches were
        expected, so u of "same" was 20 times too high, and every agreeing level's weight too low
        (an exact date of birth came out 1 in 2,000 instead of about 1 in 36,500, the chance for
        dates over a century). Counts are floored at zero and add-one smoothed as in estimate_u;
        the prior is re-estimated afterwards by the caller, as the weights it rests on changed."""
        if not self.u_counts:
            return
        for ci, counts in enumerate(self.u_counts):
            present = counts.sum()
            if not present:
                continue  # never compared among random pairs: the default u stays
            matches = present * self.prior * np.array(self.m[ci])
            corrected = np.maximum(counts - matches, 0.0) + 1.0
            self.u[ci] = list(corrected / corrected.sum())
        self.trained_on["u_matches_removed"] = round(self.prior * self.trained_on.get("u_pairs", 0), 1)

    def estimate_m_from_anchors(self, levels: np.ndarray, prior_strength: float = 20.0,
                                min_pairs: int = 100) -> bool:
        """m from pairs that agree on a national identifier (NHS number, UPN, PNC id).

        Two records sharing a valid, check-digit-verified NHS number are the same person far more
        reliably than any score, and whether they agree on name, date of birth or address is roughly
        independent of the identifier: so these pairs estimate how often true matches reach each
        level of the other comparisons, without labels. Each identifier's own m comes from pairs
        anchored by the other identifiers; where those are too few (one identifier alone anchors, as
        a social security number does), from pairs that agree exactly on given name, family name and
        full date of birth (near-certain matches: twins differ in given name, father and son in date
        of birth), else from EM over all candidate pairs with the other comparisons' m held at their
        anchored values. Returns False (nothing changed) when there are too few.
        """
        names = [c.name for c in self.comparisons]
        anchored = np.zeros(len(levels), dtype=bool)
        anchors: list[int] = []
        # National identifiers first; where data has too few, another shared identifier (a local
        # person id, a social security number) serves, as long as enough pairs share one.
        for group in (("nhs_number", "upn", "pnc_id"), ("other_identifier",)):
            anchors = [names.index(s) for s in group if s in names]
            anchored = np.zeros(len(levels), dtype=bool)
            for ci in anchors:
                anchored |= levels[:, ci] == 0
            if anchored.sum() >= min_pairs:
                break
        else:
            return False
        by_em: list[int] = []
        by_name_dob: list[int] = []
        name_dob = self._name_and_dob_agree(levels)
        for ci, comparison in enumerate(self.comparisons):
            if ci in anchors:
                others = np.zeros(len(levels), dtype=bool)
                for cj in anchors:
                    if cj != ci:
                        others |= levels[:, cj] == 0
                rows = levels[others, ci]
                if (rows >= 0).sum() < min_pairs:
                    rows = levels[name_dob, ci]
                    (by_name_dob if (rows >= 0).sum() >= min_pairs else by_em).append(ci)
            else:
                rows = levels[anchored, ci]
            present = rows[rows >= 0]
            k = len(comparison.levels)
            counts = np.bincount(present, minlength=k)[:k].astype(float)
            prior = np.array(comparison.m_prior) * prior_strength
            self.m[ci] = list((counts + prior) / (counts.sum() + prior.sum()))
        if by_em:
            self.estimate_m(levels, only=by_em, prior_strength=prior_strength)
        self.trained_on["anchor_pairs"] = int(anchored.sum())
        method = "identifier_anchors:" + "+".join(names[ci] for ci in anchors)
        if by_name_dob:
            method += "; name_dob_anchors:" + "+".join(names[ci] for ci in by_name_dob)
        if by_em:
            method += "; em:" + "+".join(names[ci] for ci in by_em)
        self.trained_on["m_method"] = method
        return True

    def _name_and_dob_agree(self, levels: np.ndarray) -> np.ndarray:
        """Rows whose given name, family name and date of birth all agree exactly."""
        names = [c.name for c in self.comparisons]
        rows = np.ones(len(levels), dtype=bool)
        for name in ("given_name", "family_name", "dob"):
            if name not in names:
                return np.zeros(len(levels), dtype=bool)
            rows &= levels[:, names.index(name)] == 0
        return rows

    def estimate_prior(self, levels: np.ndarray, n_records: int, counts: np.ndarray | None = None) -> None:
        """P(match) for a random pair: pairs scored as matches among all n(n-1)/2 pairs. ``counts``: the
        pairs each row of ``levels`` stands for (distinct level rows, see _distinct_rows); one each without."""
        pairs_total = max(n_records * (n_records - 1) / 2, 1.0)
        self.prior = 0.5
        bits = self.score_levels(levels) - self.prior_weight  # likelihood ratio only
        # Iterate: the expected number of matches depends on the prior it sets.
        prior = max(1.0, n_records / 2) / pairs_total
        for _ in range(10):
            lr_prior = math.log2(prior / (1 - prior))
            p = 1.0 / (1.0 + np.power(2.0, -np.clip(bits + lr_prior, -60, 60)))
            expected = p.sum() if counts is None else float(p @ counts)
            prior = float(np.clip(expected / pairs_total, 1e-12, 0.5))
        self.prior = prior

    def estimate_m(self, levels: np.ndarray, iterations: int = 25, prior_strength: float = 50.0,
                   initial_prior: float | None = None, only: Sequence[int] | None = None) -> None:
        """EM over candidate pairs' levels: updates m and the candidates' match rate. ``only``: the
        comparisons whose m is estimated (the others' m are held as they are)."""
        if len(levels) == 0:
            return
        estimated = set(range(len(self.comparisons)) if only is None else only)
        lam = initial_prior or 0.3
        pairs = len(levels)
        # Pairs with the same levels are alike to EM: iterate over the distinct level rows (thousands,
        # not millions), each weighted by how many pairs have it.
        levels, counts = _distinct_rows(levels)
        k_max = max(len(c.levels) for c in self.comparisons)
        columns = np.where(levels < 0, k_max, levels)
        for _ in range(iterations):
            weights = self.level_weights()
            bits = math.log2(lam / (1 - lam)) + weights[np.arange(len(self.comparisons)), columns].sum(axis=1)
            p = 1.0 / (1.0 + np.power(2.0, -np.clip(bits, -60, 60)))
            lam = float(np.clip((p * counts).sum() / pairs, 1e-6, 1 - 1e-6))
            for ci, comparison in enumerate(self.comparisons):
                if ci not in estimated:
                    continue
                k = len(comparison.levels)
                column = levels[:, ci]
                mask = column >= 0
                sums = np.bincount(column[mask], weights=(p * counts)[mask], minlength=k)[:k]
                prior = np.array(comparison.m_prior) * prior_strength
                self.m[ci] = list((sums + prior) / (sums.sum() + prior.sum()))
        self.trained_on["em_pairs"] = pairs
        self.trained_on["candidate_match_rate"] = lam
        if only is None:
            self.trained_on["m_method"] = "em"

    # ------------------------------------------------------------------ persistence
    def to_json(self) -> dict[str, Any]:
        return {
            "format": "mashgraph-linkage-model/1",
            "prior": self.prior,
            "trained_on": self.trained_on,
            "comparisons": [
                {"name": c.name, "levels": [
                    {"level": level, "m": round(self.m[ci][li], 6), "u": round(self.u[ci][li], 6),
                     "weight": round(math.log2(max(self.m[ci][li], _MIN_PROB) / max(self.u[ci][li], _MIN_PROB)), 3)}
                    for li, level in enumerate(c.levels)]}
                for ci, c in enumerate(self.comparisons)
            ],
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> LinkageModel:
        try:
            document = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise MashgraphError(f"cannot read model file {path}: {exc}") from exc
        by_name = {c["name"]: c for c in document.get("comparisons", [])}
        model = cls(prior=document["prior"], trained_on=document.get("trained_on", {}))
        for ci, comparison in enumerate(model.comparisons):
            saved = by_name.get(comparison.name)
            if saved is None or [lv["level"] for lv in saved["levels"]] != list(comparison.levels):
                raise MashgraphError(f"model file {path} does not match comparison {comparison.name!r}",
                                     hint="re-estimate with `mashgraph resolve --retrain`")
            model.m[ci] = [lv["m"] for lv in saved["levels"]]
            model.u[ci] = [lv["u"] for lv in saved["levels"]]
        return model


def _distinct_rows(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a level matrix and how many times each occurs. Rows are packed into one
    integer (4 bits a comparison) when they fit: sorting integers is far faster than sorting rows."""
    if levels.shape[1] <= 15 and (len(levels) == 0 or int(levels.max()) < 15):
        keys = np.zeros(len(levels), dtype=np.int64)
        # A column at a time (MISSING, -1, becomes 0): widening the whole matrix to int64 at once took
        # 8 bytes per level (236 MB for the 2.9 million candidate pairs of 200k records).
        for column in range(levels.shape[1]):
            keys |= (levels[:, column].astype(np.int64) + 1) << (4 * column)
        _, first, counts = np.unique(keys, return_index=True, return_counts=True)
        return levels[first], counts
    rows, counts = np.unique(levels, axis=0, return_counts=True)
    return rows, counts


def probability(bits: float) -> float:
    return 1.0 / (1.0 + 2.0 ** (-max(-60.0, min(60.0, bits))))
