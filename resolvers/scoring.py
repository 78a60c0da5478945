"""Scoring candidate pairs with the linkage model, in parallel worker processes for large inputs."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Sequence

import numpy as np

from resolvers.comparisons import COMPARISONS
from resolvers.features import RecordFeatures
from resolvers.vectorised import EncodedRecords, vector_levels

__all__ = ["CANNOT_LINK_LEVELS", "cannot_link_reason", "compute_levels"]

_PARALLEL_MIN_PAIRS = 200_000

_INDEX = {c.name: i for i, c in enumerate(COMPARISONS)}
# Levels that mean "never the same person", by comparison.
CANNOT_LINK_LEVELS = {
    "nhs_number": {1: "different_nhs_number"},
    "upn": {1: "different_upn"},
    "pnc_id": {1: "different_pnc_id"},
    "dob": {6: "dob_far_apart"},
}
_GIVEN, _DOB = _INDEX["given_name"], _INDEX["dob"]
_GIVEN_ELSE = COMPARISONS[_GIVEN].levels.index("else")


def cannot_link_reason(levels: Sequence[int]) -> str | None:
    """Why a pair with these levels can never be one person, or None."""
    for name, table in CANNOT_LINK_LEVELS.items():
        reason = table.get(int(levels[_INDEX[name]]))
        if reason:
            return reason
    # Same full date of birth but unrelated given names: twins (or triplets), not one person.
    if levels[_GIVEN] == _GIVEN_ELSE and levels[_DOB] == 0:
        return "twins_same_dob_different_given_name"
    return None


_worker_encoded: EncodedRecords | None = None


def _work(chunk: np.ndarray) -> np.ndarray:
    assert _worker_encoded is not None
    return vector_levels(_worker_encoded, chunk)


def compute_levels(features: Sequence[RecordFeatures], pairs: np.ndarray, processes: int | None = None) -> np.ndarray:
    """The level matrix for ``pairs``; large inputs are split over worker processes (fork shares
    the features without copying), so the same code uses every core of a bigger machine."""
    processes = processes or os.cpu_count() or 1
    encoded = EncodedRecords(features)
    if processes <= 1 or len(pairs) < _PARALLEL_MIN_PAIRS or "fork" not in mp.get_all_start_methods():
        return vector_levels(encoded, pairs)
    global _worker_encoded
    _worker_encoded = encoded
    try:
        chunks = np.array_split(pairs, processes * 4)
        with mp.get_context("fork").Pool(processes) as pool:
            parts = pool.map(_work, chunks)
    finally:
        _worker_encoded = None
    return np.concatenate(parts) if parts else np.empty((0, len(COMPARISONS)), dtype=np.int8)
