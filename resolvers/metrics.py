"""Accuracy of a clustering against ground truth: pairwise and B-cubed precision, recall, F1."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

__all__ = ["Scores", "b_cubed", "pairwise"]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return f"P {self.precision:.4f}  R {self.recall:.4f}  F1 {self.f1:.4f}"


def _pairs_in(labels: Mapping[Hashable, Hashable]) -> int:
    sizes = Counter(labels.values())
    return sum(s * (s - 1) // 2 for s in sizes.values())


def pairwise(predicted: Mapping[Hashable, Hashable], truth: Mapping[Hashable, Hashable]) -> Scores:
    """Pairs of items put together: precision over predicted pairs, recall over true pairs."""
    items = predicted.keys() & truth.keys()
    together = Counter((predicted[i], truth[i]) for i in items)
    true_positive = sum(c * (c - 1) // 2 for c in together.values())
    predicted_pairs = _pairs_in({i: predicted[i] for i in items})
    true_pairs = _pairs_in({i: truth[i] for i in items})
    return Scores(true_positive / predicted_pairs if predicted_pairs else 1.0,
                  true_positive / true_pairs if true_pairs else 1.0)


def b_cubed(predicted: Mapping[Hashable, Hashable], truth: Mapping[Hashable, Hashable]) -> Scores:
    """Per-item precision and recall of its cluster, averaged over items."""
    items = list(predicted.keys() & truth.keys())
    if not items:
        return Scores(1.0, 1.0)
    predicted_size: Counter[Hashable] = Counter(predicted[i] for i in items)
    truth_size: Counter[Hashable] = Counter(truth[i] for i in items)
    overlap: defaultdict[tuple[Hashable, Hashable], int] = defaultdict(int)
    for i in items:
        overlap[(predicted[i], truth[i])] += 1
    precision = sum(overlap[(predicted[i], truth[i])] / predicted_size[predicted[i]] for i in items) / len(items)
    recall = sum(overlap[(predicted[i], truth[i])] / truth_size[truth[i]] for i in items) / len(items)
    return Scores(precision, recall)
