"""Scoring candidate pairs with the linkage model, in parallel worker processes for large inputs."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from resolvers.clustering import Constraints
from resolvers.comparisons import COMPARISONS
from resolvers.features import RecordFeatures
from resolvers.model import LinkageModel
from resolvers.vectorised import EncodedRecords, vector_levels

__all__ = ["ALL_INFERENCES", "CANNOT_LINK_REASONS", "build_constraints", "cannot_link_codes", "cannot_link_reason",
           "cannot_link_reasons", "compute_levels", "enabled_inferences", "related_pairs"]

_PARALLEL_MIN_PAIRS = 200_000

_INDEX = {c.name: i for i, c in enumerate(COMPARISONS)}
_GIVEN, _DOB = _INDEX["given_name"], _INDEX["dob"]
_DOB_FAR = COMPARISONS[_DOB].levels.index("far")
_NATIONAL_IDS = ("nhs_number", "upn", "pnc_id")
_GIVEN_ELSE = COMPARISONS[_GIVEN].levels.index("else")


# An inference "this level means different people" is enforced only where the data bears it out:
# among true matches (pairs anchored by a shared identifier) the level must be this rare. In
# safeguarding data unrelated given names with one date of birth are twins (m ~ 1.6%); in data whose
# names are routinely replaced (FEBRL's m is ~24%) the same rule would split people.
INFERENCE_MAX_M = {"dob_far_apart": 0.02, "twins_same_dob_different_given_name": 0.05}


def enabled_inferences(model: LinkageModel) -> frozenset[str]:
    """The cannot-link inferences this model's data supports (see INFERENCE_MAX_M)."""
    m_far = model.m[_DOB][_DOB_FAR]
    m_else = model.m[_GIVEN][_GIVEN_ELSE]
    enabled = set()
    if m_far <= INFERENCE_MAX_M["dob_far_apart"]:
        enabled.add("dob_far_apart")
    if m_else <= INFERENCE_MAX_M["twins_same_dob_different_given_name"]:
        enabled.add("twins_same_dob_different_given_name")
    return frozenset(enabled)


ALL_INFERENCES = frozenset(INFERENCE_MAX_M)


def cannot_link_reason(levels: Sequence[int], inferences: frozenset[str] = ALL_INFERENCES) -> str | None:
    """Why a pair with these levels can never be one person, or None.

    Two different valid national identifiers always separate. The inferences from dates and names
    (far-apart dates of birth; the same date of birth with unrelated given names, as twins have) apply
    when enabled for the data (:func:`enabled_inferences`), and give way when the records share an
    identifier: then the date or the name is the typo.
    """
    for name in _NATIONAL_IDS:
        if levels[_INDEX[name]] == 1:
            return f"different_{name}"
    if any(levels[_INDEX[name]] == 0 for name in (*_NATIONAL_IDS, "other_identifier")):
        return None
    if levels[_DOB] == _DOB_FAR and "dob_far_apart" in inferences:
        return "dob_far_apart"
    # Same full date of birth but unrelated given names: twins (or triplets), not one person.
    if levels[_GIVEN] == _GIVEN_ELSE and levels[_DOB] == 0 and "twins_same_dob_different_given_name" in inferences:
        return "twins_same_dob_different_given_name"
    return None


_worker_encoded: EncodedRecords | None = None
_worker_pairs: np.ndarray | None = None


def _work(bounds: tuple[int, int]) -> np.ndarray:
    assert _worker_encoded is not None and _worker_pairs is not None
    start, stop = bounds
    return vector_levels(_worker_encoded, _worker_pairs[start:stop])


def compute_levels(features: Sequence[RecordFeatures], pairs: np.ndarray, processes: int | None = None,
                   encoded: EncodedRecords | None = None) -> np.ndarray:
    """The level matrix for ``pairs``; large inputs are split over worker processes (fork shares
    the features and the pairs without copying), so the same code uses every core of a bigger machine.
    ``encoded``: the records already encoded (encoding is the costly part of small inputs)."""
    processes = processes or os.cpu_count() or 1
    encoded = encoded or EncodedRecords(features)
    if processes <= 1 or len(pairs) < _PARALLEL_MIN_PAIRS or "fork" not in mp.get_all_start_methods():
        return vector_levels(encoded, pairs)
    global _worker_encoded, _worker_pairs
    _worker_encoded, _worker_pairs = encoded, pairs
    # Workers get index ranges, not pickled copies of the pairs, and each part is copied into the one
    # result as it arrives: the parts and their concatenation were never all held at once (at a
    # million records, pairs and levels are hundreds of MB each).
    edges = np.linspace(0, len(pairs), processes * 4 + 1).astype(np.int64).tolist()
    bounds = list(pairwise(edges))
    out = np.empty((len(pairs), len(COMPARISONS)), dtype=np.int8)
    try:
        with mp.get_context("fork").Pool(processes) as pool:
            for (start, stop), part in zip(bounds, pool.imap(_work, bounds), strict=True):
                out[start:stop] = part
    finally:
        _worker_encoded, _worker_pairs = None, None
    return out


# Codes of :func:`cannot_link_codes`: 0 is "no reason", others index this tuple.
CANNOT_LINK_REASONS = ("", *(f"different_{name}" for name in _NATIONAL_IDS), "dob_far_apart",
                       "twins_same_dob_different_given_name")


def cannot_link_codes(levels: np.ndarray, inferences: frozenset[str] = ALL_INFERENCES) -> np.ndarray:
    """:func:`cannot_link_reason` for every row of a level matrix at once, as an int8 code per row
    (0: none; else an index into CANNOT_LINK_REASONS)."""
    codes = np.zeros(len(levels), dtype=np.int8)
    decided = np.zeros(len(levels), dtype=bool)
    for name in _NATIONAL_IDS:
        hit = ~decided & (levels[:, _INDEX[name]] == 1)
        codes[hit] = CANNOT_LINK_REASONS.index(f"different_{name}")
        decided |= hit
    for name in (*_NATIONAL_IDS, "other_identifier"):
        decided |= levels[:, _INDEX[name]] == 0
    if "dob_far_apart" in inferences:
        hit = ~decided & (levels[:, _DOB] == _DOB_FAR)
        codes[hit] = CANNOT_LINK_REASONS.index("dob_far_apart")
        decided |= hit
    if "twins_same_dob_different_given_name" in inferences:
        hit = ~decided & (levels[:, _GIVEN] == _GIVEN_ELSE) & (levels[:, _DOB] == 0)
        codes[hit] = CANNOT_LINK_REASONS.index("twins_same_dob_different_given_name")
    return codes


def cannot_link_reasons(levels: np.ndarray, inferences: frozenset[str] = ALL_INFERENCES) -> dict[int, str]:
    """:func:`cannot_link_reason` for every row of a level matrix at once: row -> reason."""
    codes = cannot_link_codes(levels, inferences)
    return {int(r): CANNOT_LINK_REASONS[codes[r]] for r in np.nonzero(codes)[0].tolist()}


def related_pairs(features: Sequence[RecordFeatures], index_of: dict[str, int]) -> list[tuple[int, int, str]]:
    """Record pairs with a recorded relationship between them (both records present): (i, j, kind)."""
    out = []
    for i, feature in enumerate(features):
        for other_uid, kind in feature.related.items():
            j = index_of.get(other_uid)
            if j is not None:
                out.append((i, j, kind))
    return out


def build_constraints(features: Sequence[RecordFeatures], pairs: np.ndarray, levels: np.ndarray,
                      inferences: frozenset[str], *, codes: np.ndarray | None = None,
                      within: np.ndarray | None = None,
                      index_of: dict[str, int] | None = None) -> tuple[Constraints, dict[int, str]]:
    """Cannot-links from scored pairs' levels and from recorded relationships between the records.
    Returns the constraints and, per pair row, the reason the pair can never be one person.

    ``codes``: the pairs' :func:`cannot_link_codes`, when the caller has them. ``within``: a label per
    record (link components); only cannot-links between records of one label are kept, as clustering
    never puts records of different labels together: a full run keeps millions fewer. ``index_of``: each
    record's position by uid, when the caller has it (a million records' index is ~70 MB)."""
    constraints = Constraints(dob_far_separates="dob_far_apart" in inferences)
    codes = cannot_link_codes(levels, inferences) if codes is None else codes
    rows = np.nonzero(codes)[0]
    if within is not None:
        rows = rows[within[pairs[rows, 0]] == within[pairs[rows, 1]]]
    cannot = {}
    for row, i, j, code in zip(rows.tolist(), pairs[rows, 0].tolist(), pairs[rows, 1].tolist(),
                               codes[rows].tolist(), strict=True):
        reason = CANNOT_LINK_REASONS[code]
        cannot[row] = reason
        constraints.add_cannot(i, j, reason)
    if index_of is None:
        index_of = {f.uid: i for i, f in enumerate(features)}
    for i, j, kind in related_pairs(features, index_of):
        if within is None or within[i] == within[j]:
            constraints.add_cannot(i, j, f"recorded_relationship_{kind}")
    return constraints, cannot
