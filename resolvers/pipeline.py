"""Full resolution: records in the graph -> people and households, every link explained.

Stages (each timed and counted in the summary): fetch features, blocking, model (estimate or load),
scoring, similarity edges, components (GDS WCC or networkx), clustering, people, households.
The same model, comparisons and constraints serve single-record resolution.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

import cypher
from graph_model.db import Database, driver_errors
from graph_model.errors import DatabaseError
from graph_model.gc_policy import collections_paused, rare_full_collections
from graph_model.gds import gds_available
from resolvers.blocking import BLOCKING_RULES, BlockingReport, candidate_pairs, distinct_sorted
from resolvers.clustering import Constraints, agglomerate, components_igraph, components_networkx
from resolvers.features import COLUMNS, RecordFeatures, SharedValues, features_from_values
from resolvers.golden import person_properties, retirements
from resolvers.households import form_households, place_of
from resolvers.link_evidence import encode_levels, with_term_frequency
from resolvers.model import LinkageModel
from resolvers.scoring import (
    CANNOT_LINK_REASONS,
    build_constraints,
    cannot_link_codes,
    compute_levels,
    enabled_inferences,
    related_pairs,
)
from resolvers.vectorised import EncodedRecords

DEFAULT_MODEL = Path(__file__).parent / "data" / "default_model.json"
MIN_RECORDS_TO_TRAIN = 2000

__all__ = ["PreviousIds", "ResolveOptions", "ResolveSummary", "resolve_all", "stable_ids"]


@dataclass(frozen=True)
class ResolveOptions:
    model_path: Path | None = None  # where the model is saved / read
    retrain: bool = False  # re-estimate even if a model file exists
    link_threshold: float = 2.0  # bits: pairs at or above may be merged (probability 0.8; see bench/README.md)
    edge_threshold: float = -4.0  # bits: pairs at or above get a SIMILAR_TO edge (explainable near-misses)
    component_engine: str = "auto"  # "gds", "igraph" (in memory) or "networkx"; "auto": GDS when the server has it
    # "constrained" (default): agglomeration inside components that respects cannot-links;
    # "components": plain connected components (the classic failure: chains families together);
    # "leiden": GDS weighted Leiden communities, each then split along cannot-links.
    clustering: str = "constrained"
    processes: int | None = None
    # Rows a write transaction: a transaction's state lives on the server's heap until it commits, and with
    # 10,000 people a batch it outlived young collections, which copied it again and again (creating the
    # 110,619 people of the 200k bench: Neo4j CPU 11.9-12.6 s with 10,000, of it 4.7-5.0 s in its garbage
    # collector; 8.6-8.8 s with 2,000 or 1,000, 0.5-0.7 s collecting).
    batch_size: int = 2_000


@dataclass
class ResolveSummary:
    records: int = 0
    candidate_pairs: int = 0
    edges: int = 0
    links: int = 0
    cannot_links: int = 0
    components: int = 0
    people: int = 0
    households: int = 0
    component_engine: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    blocking: BlockingReport | None = None
    refused_merges: dict[str, int] = field(default_factory=dict)
    cannot_link_reasons: dict[str, int] = field(default_factory=dict)
    identity_events: dict[str, int] = field(default_factory=dict)
    flagged_several_households: int = 0
    steward_decisions: int = 0


class _Stages:
    def __init__(self, summary: ResolveSummary, on_stage: Callable[[str], None]) -> None:
        self.summary, self.on_stage = summary, on_stage
        self.name: str | None = None
        self.started = 0.0

    def __call__(self, name: str) -> _Stages:
        self.name = name
        return self

    def __enter__(self) -> None:
        self.on_stage(self.name or "")
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.summary.seconds[self.name or ""] = round(time.perf_counter() - self.started, 3)


def fetch_features(db: Database) -> list[RecordFeatures]:
    """Every record's features, sorted by uid."""
    return fetch_records(db)[0]


# Records a row of resolve/fetch_records: the driver's cost is per Bolt message (a socket read with its
# timeout set, a record object) as much as per value; 200k records in 1,000-record rows took 2.2-2.6 s of the
# driver's Python CPU instead of 3.9 (5,000 a row was slower again: 3.6-4.0, the buffer grows for each).
FETCH_BATCH_SIZE = 1_000


@dataclass
class PreviousIds:
    """The people and households the records resolved to before this run: re-runs keep their ids (stable_ids)."""

    person_of: dict[str, str] = field(default_factory=dict)  # record uid -> person id
    household_of: dict[str, str] = field(default_factory=dict)  # person id -> household id


def fetch_records(db: Database) -> tuple[list[RecordFeatures], ElementIds, PreviousIds]:
    """Every record's features, sorted by uid, each one's elementId (same order), and the ids of the people and
    households they resolved to before. The writes find records by elementId, a seek, where a lookup by uid in a
    write transaction is a locking unique-index seek that opened a fresh index reader each time (about 15% of the
    server's CPU in a full run at 200k records)."""
    shared = SharedValues()
    features: list[RecordFeatures] = []
    element_ids = ElementIds()
    previous = PreviousIds()
    width = len(COLUMNS) + 3  # the features' values, then the elementId, the person's and the household's ids
    with collections_paused():  # millions of lasting objects, no cycles: see graph_model.gc_policy
        for (batch,) in _stream_values(db, "resolve/fetch_records", {"batch_size": FETCH_BATCH_SIZE}, ("records",)):
            for values in batch:
                if len(values) != width:
                    raise DatabaseError(f"resolve/fetch_records must give {width} values a record")
                household_id, person_id = values.pop(), values.pop()
                element_ids.append(values.pop())
                record = features_from_values(values, shared)
                features.append(record)
                if person_id is not None:
                    previous.person_of[record.uid] = person_id
                    if household_id is not None:
                        previous.household_of[person_id] = household_id
    del shared  # the features hold what they need; the lookup tables go
    # One sort of positions by uid orders both (uids are unique): Python's sort of str keys, where numpy's
    # argsort of an object array compared them through the object protocol (0.34 vs 0.07 s at 200k records).
    uids = [f.uid for f in features]
    order = sorted(range(len(uids)), key=uids.__getitem__)
    del uids
    element_ids.reorder(np.array(order, dtype=np.int64))
    features[:] = [features[i] for i in order]
    return features, element_ids, previous


class ElementIds:
    """Records' elementIds by position, compactly: the element ids of one database's nodes share everything
    up to their last colon, then a number, so they are kept as that prefix and an int64 each (a Python string
    each was about 100 bytes a record and, held through the run, raised its peak memory by about 90 MB at
    200k records). Ids of any other shape are kept as they are."""

    def __init__(self) -> None:
        self.prefix: str | None = None
        self.read: array[int] = array("q")  # as read, until reordered into ``numbers``
        self.numbers = np.zeros(0, dtype=np.int64)
        self.strings: list[str] | None = None  # only if some id is not prefix:number

    def append(self, element_id: str) -> None:
        if self.strings is None:
            prefix, _, number = element_id.rpartition(":")
            if self.prefix is None:
                self.prefix = prefix
            if prefix == self.prefix and number.isdecimal() and number == str(int(number)):
                self.read.append(int(number))
                return
            self.strings = [f"{self.prefix}:{n}" for n in self.read]
            self.read = array("q")
        self.strings.append(element_id)

    def reorder(self, order: np.ndarray) -> None:
        """Put the ids in this order of their positions (as the records are sorted)."""
        if self.strings is None:
            self.numbers = np.frombuffer(self.read, dtype=np.int64)[order]
            self.read = array("q")
        else:
            self.strings = [self.strings[i] for i in order.tolist()]

    def of(self, positions: np.ndarray | list[int]) -> list[str]:
        """The element ids of the records at these positions."""
        if self.strings is not None:
            return [self.strings[i] for i in np.asarray(positions).tolist()]
        return [f"{self.prefix}:{n}" for n in self.numbers[positions].tolist()]


def _stream_values(db: Database, name: str, parameters: dict[str, Any] | None = None,
                   columns: tuple[str, ...] | None = None) -> Iterator[list[Any]]:
    """Rows of statement ``name`` as plain value lists: for hundreds of thousands of rows, the driver's
    per-row dictionaries (``Record.data()``) cost more than the query itself."""
    with driver_errors(name), db.driver.session(database=db.database, fetch_size=10_000) as session:
        result = session.run(cypher.text(name), parameters or {})
        if columns is not None and tuple(result.keys()) != columns:
            raise DatabaseError(f"{name} must return the columns {', '.join(columns)}")
        for record in result:
            yield record.values()


def resolve_all(db: Database, options: ResolveOptions = ResolveOptions(),
                on_stage: Callable[[str], None] = lambda _s: None) -> ResolveSummary:
    with rare_full_collections():
        return _resolve_all(db, options, on_stage)


def _resolve_all(db: Database, options: ResolveOptions, on_stage: Callable[[str], None]) -> ResolveSummary:
    summary = ResolveSummary()
    stage = _Stages(summary, on_stage)
    with stage("fetch"):
        features, element_ids, previous = fetch_records(db)
    summary.records = len(features)
    index_of = {f.uid: i for i, f in enumerate(features)}

    # The SIMILAR_TO edges already in place are read while the records are blocked and scored and the model is
    # estimated, when the server has nothing else to do: the edge writes keep the ones the run finds again and delete
    # the rest (before, every run deleted all of them first: 205,264 at 200k records, ~5 s of the server's CPU).
    in_place = _Background(_read_similarity, db, index_of, options.batch_size)
    try:
        with stage("blocking"):
            # The records' value columns key the blocking rules and serve scoring and the model.
            encoded = EncodedRecords(features)
            pairs, rule_masks, report = candidate_pairs(features, encoded=encoded)
        summary.blocking, summary.candidate_pairs = report, len(pairs)

        with stage("scoring"):
            levels = compute_levels(features, pairs, options.processes, encoded=encoded)
        with stage("model"):
            model = _model(features, levels, options, encoded)
        # The encoded columns serve scoring and the model only: freed before the later stages raise the peak.
        del encoded
        with stage("weights"):
            weights = model.score_levels(levels) + model.tf_adjustments(features, pairs, levels)
            inferences = enabled_inferences(model)
            codes = cannot_link_codes(levels, inferences)
            linkable = (weights >= options.link_threshold) & (codes == 0)
            summary.links = int(linkable.sum())
            summary.cannot_link_reasons = {CANNOT_LINK_REASONS[code]: count
                                           for code, count in enumerate(np.bincount(codes).tolist()) if code and count}
            decisions = db.run("steward/active_decisions")

        # The edges are written by a background thread while the components, clustering and households are computed
        # here (Neo4j writes on one core, Python computes on the other); every later read of SIMILAR_TO, and the
        # people's writes (which lock the same records), wait for it.
        with stage("edges"):
            edge_rows = _EdgeRows.above(options.edge_threshold, pairs, rule_masks, levels, weights, codes)
            summary.edges = len(edge_rows.weights)
            edges = _Background(_write_edges, db, in_place, [f.uid for f in features], element_ids, edge_rows,
                                model, options)
            del edge_rows
    except BaseException:
        in_place.abandon()
        raise
    try:
        with stage("components"):
            engine = options.component_engine
            if engine == "auto":
                # GDS where the server has it (the design's engine, and the scale-out path: GDS on a dedicated
                # cluster member), igraph in memory where it does not.
                engine = "gds" if gds_available(db.driver, db.database) else "igraph"
            summary.component_engine = engine
            if engine == "gds":
                components = gds_components(db, len(features), pairs[linkable])
            elif engine == "networkx":
                components = components_networkx(len(features), map(tuple, pairs[linkable].tolist()))
            else:
                components = components_igraph(len(features), pairs[linkable])
            components = _join_must_links(components, _must_links(decisions, index_of))
            summary.components = len(np.unique(components))
            # Cannot-links matter only inside a component (clustering never joins two components): a full
            # run keeps those few instead of millions (household members with far-apart dates of birth).
            constraints, _ = build_constraints(features, pairs, levels, inferences, codes=codes, within=components,
                                               index_of=index_of)
            # Steward decisions: imported here, not at the top, because steward builds on this module.
            from resolvers.steward import add_decisions_to_constraints

            summary.steward_decisions = add_decisions_to_constraints(decisions, index_of, constraints)
            summary.cannot_links = _count_cannot_links(features, pairs, codes, constraints, index_of)

        with stage("clustering"):
            if options.clustering == "components":
                labels = components.copy()
            elif options.clustering == "leiden":
                edges.finish()
                labels = _leiden_then_constraints(db, features, index_of, pairs, weights, constraints, options,
                                                  summary)
            else:
                labels = _constrained(features, pairs, weights, components, constraints, options, summary)
        # The pairs and everything per pair serve up to clustering only: freed before the people and household
        # stages build their Python objects (hundreds of MB each at a million records), so the two never add up.
        del pairs, rule_masks, levels, weights, codes, linkable, components, constraints, index_of

        with stage("households_formed"):
            people: dict[int, list[int]] = defaultdict(list)
            for i, label in enumerate(labels.tolist()):
                people[label].append(i)
            places = {label: place_of([features[i] for i in members]) for label, members in people.items()}
            person_of_record = {features[i].uid: label for label, members in people.items() for i in members}
            households = form_households(people, features, person_of_record, places)
            flagged = set(households.flagged_several_households)
            # The old assignments were read with the records, before _write_people clears them (MEMBER_OF
            # included): person and household ids stay stable across re-runs only if they are known.
            identities = _person_identities(features, people, previous.person_of)
            household_rows = _household_rows(households, identities.ids, previous.household_of)
            relinked = _relinked_records(features, people, identities.ids, previous.person_of)
            del previous

        with stage("edges_written"):  # what is left of the background edge writes
            edges.finish()
    finally:
        edges.abandon()

    with stage("people"):
        _write_people(db, features, element_ids, people, flagged, identities, relinked, options)
        del element_ids
        summary.people = len(people)
        summary.identity_events = dict(Counter(e["kind"] for e in identities.events))

    # The identity journal is written by one writer, in order (a reader following it never sees an entry before
    # the ones under it), once the people it names exist; the households (other nodes) are written meanwhile. On a
    # first run it is one entry a person (110,619 at 200k records): alone, one writer kept one core busy and the
    # other idle.
    journal = _Background(_write_journal, db, identities.events, options.batch_size)
    try:
        with stage("households"):
            summary.households = _write_households(db, household_rows, options.batch_size)
            summary.flagged_several_households = len(flagged)
            journal.finish()
    finally:
        journal.abandon()
    return summary


def _join_must_links(components: np.ndarray, must: list[tuple[int, int]]) -> np.ndarray:
    """Put records a steward confirmed as one person into one component, whatever their scores."""
    if not must:
        return components
    return components_igraph(len(components), np.array([*must, *_component_chain(components)], dtype=np.int64))


def _component_chain(components: np.ndarray) -> list[tuple[int, int]]:
    first: dict[int, int] = {}
    edges = []
    for index, label in enumerate(components.tolist()):
        if label in first:
            edges.append((first[label], index))
        else:
            first[label] = index
    return edges


def _must_links(decisions: Sequence[dict[str, Any]], index_of: dict[str, int]) -> list[tuple[int, int]]:
    from resolvers.steward import MUST_LINK  # steward builds on this module

    return [(index_of[d["a"]], index_of[d["b"]]) for d in decisions
            if d["kind"] == MUST_LINK and d["a"] in index_of and d["b"] in index_of]


def _count_cannot_links(features: Sequence[RecordFeatures], pairs: np.ndarray, codes: np.ndarray,
                        constraints: Constraints, index_of: dict[str, int]) -> int:
    """Distinct record pairs that can never be one person: from levels and recorded relationships
    anywhere, and steward decisions (those are all in ``constraints``, which holds only the pairs
    inside components)."""
    n = max(len(features), 1)
    # Each pair as one code i * n + j from the start, sorted in place: at a million records the cannot-link
    # pairs are millions, and their two-column copies, concatenation and products set the run's peak memory.
    rows = np.flatnonzero(codes)
    scored = pairs[rows, 0] * n
    scored += pairs[rows, 1]
    del rows
    related = np.fromiter((min(i, j) * n + max(i, j) for i, j, _ in related_pairs(features, index_of)),
                          dtype=np.int64)
    steward = np.fromiter((i * n + j for i, others in constraints.cannot.items() for j, reason in others.items()
                           if i < j and reason == "steward_rejected"), dtype=np.int64)
    everything = distinct_sorted(np.concatenate([scored, related, steward]))
    del scored, related, steward
    # A steward's confirmation lifts the model's cannot-link on that very pair (not a steward's rejection).
    lifted = distinct_sorted(np.array([min(i, j) * n + max(i, j) for i, j in constraints.must
                                       if constraints.cannot.get(i, {}).get(j) != "steward_rejected"],
                                      dtype=np.int64))
    return len(np.setdiff1d(everything, lifted, assume_unique=True))


def _constrained(features: Sequence[RecordFeatures], pairs: np.ndarray, weights: np.ndarray, components: np.ndarray,
                 constraints: Constraints, options: ResolveOptions, summary: ResolveSummary) -> np.ndarray:
    labels = np.arange(len(features), dtype=np.int64)
    # Pairs across components are below the threshold (or cannot-links): they never merge anything. The pairs
    # inside components are grouped by component with one sort (a Python loop over them took 0.8 s at 200k
    # records). Each component is agglomerated alone: one pass over all of them gives the same people, but its
    # tables of hundreds of thousands of clusters were slower to use than tens of thousands of small ones.
    inside = np.flatnonzero(components[pairs[:, 0]] == components[pairs[:, 1]])
    inside = inside[np.argsort(components[pairs[inside, 0]], kind="stable")]
    component_of_row = components[pairs[inside, 0]]
    rows_of: dict[int, tuple[int, int, bool]] = {}  # component -> its rows of inside, and whether one is a link
    if len(inside):
        starts = np.flatnonzero(np.r_[True, component_of_row[1:] != component_of_row[:-1]])
        strong = np.maximum.reduceat(weights[inside], starts) >= options.link_threshold
        rows_of = {component: (start, end, any_strong) for component, start, end, any_strong
                   in zip(component_of_row[starts].tolist(), starts.tolist(), [*starts[1:].tolist(), len(inside)],
                          strong.tolist(), strict=True)}
    must_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i, j in constraints.must:
        must_of[int(components[i])].append((i, j))
    for component in must_of:
        if component not in rows_of:
            rows_of[component] = (0, 0, True)
    for component, (start, end, any_strong) in rows_of.items():
        if component not in must_of and not any_strong:
            continue
        sub = inside[start:end]
        local = Constraints(cannot=constraints.cannot, must=must_of.get(component, []),
                            dob_far_separates=constraints.dob_far_separates)
        result = agglomerate(features, pairs[sub].reshape(-1, 2), weights[sub], options.link_threshold, local)
        for record, label in result.labels.items():
            labels[record] = label
        for reason, count in result.refused_merges.items():
            summary.refused_merges[reason] = summary.refused_merges.get(reason, 0) + count

    return labels


def _leiden_then_constraints(db: Database, features: Sequence[RecordFeatures], index_of: dict[str, int],
                             pairs: np.ndarray, weights: np.ndarray, constraints: Constraints,
                             options: ResolveOptions, summary: ResolveSummary) -> np.ndarray:
    """GDS Leiden communities on the link graph; a community holding a cannot-link pair is re-clustered
    with the constrained agglomeration, so no person ever holds one."""
    name = f"mashgraph-leiden-{uuid.uuid4().hex[:8]}"
    communities = np.arange(len(features), dtype=np.int64) + (1 << 40)
    try:
        projected = db.run("resolve/gds_project_links", {"graph_name": name, "threshold": options.link_threshold})
        if projected and projected[0]["nodes"]:
            for row in db.stream("resolve/gds_leiden_stream", {"graph_name": name, "seed": 42}):
                communities[index_of[row["uid"]]] = row["community"]
    finally:
        db.run("resolve/gds_drop_graph", {"graph_name": name})
    return _constrained(features, pairs, weights, communities, constraints, options, summary)


def _model(features: Sequence[RecordFeatures], levels: np.ndarray, options: ResolveOptions,
           encoded: EncodedRecords | None = None) -> LinkageModel:
    if options.model_path and options.model_path.exists() and not options.retrain:
        model = LinkageModel.load(options.model_path)
    elif len(features) < MIN_RECORDS_TO_TRAIN:
        # Too few records to estimate u or m: start from the shipped model (estimated on synthetic
        # multi-agency data; see resolvers/data/default_model.json) until there is enough data.
        model = LinkageModel.load(DEFAULT_MODEL)
    else:
        model = LinkageModel.estimate(features, levels, encoded)
        if options.model_path:
            model.save(options.model_path)
    model.estimate_tf(features)
    return model


@dataclass(frozen=True)
class _EdgeRows:
    """The scored pairs that get a SIMILAR_TO edge, with what each edge stores: a copy of those rows only, so the
    background writer does not keep every candidate pair's arrays alive into the people stage."""

    pairs: np.ndarray
    rule_masks: np.ndarray
    levels: np.ndarray
    weights: np.ndarray
    codes: np.ndarray

    @classmethod
    def above(cls, threshold: float, pairs: np.ndarray, rule_masks: np.ndarray, levels: np.ndarray,
              weights: np.ndarray, codes: np.ndarray) -> _EdgeRows:
        # Pairs far below the edge threshold, cannot-links included (mostly household members with far-apart
        # dates of birth), are not stored: they explain nothing a steward needs, and `explain` recomputes them.
        rows = np.nonzero(weights >= threshold)[0]
        return cls(pairs[rows], rule_masks[rows], levels[rows], weights[rows], codes[rows])


class _Background:
    """One call run by a background thread while the caller computes. ``finish`` waits for it and raises what it
    raised; ``abandon`` (on the way out, after an error elsewhere) asks it to stop at its next batch and waits,
    so no write of this run goes on once the run has ended."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self.stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="resolve-background")
        self._future = self._pool.submit(function, *args, self.stop)

    def finish(self) -> Any:
        try:
            return self._future.result()
        finally:
            self._pool.shutdown()

    def abandon(self) -> None:
        self.stop.set()
        self._pool.shutdown(wait=True)


@dataclass
class _EdgesInPlace:
    """The SIMILAR_TO edges a run found in place: ``codes`` (from position * records + to position, sorted) and
    their relationship elementIds in the same order; ``unread`` the elementIds of edges with a record the run did
    not read (deleted)."""

    codes: np.ndarray
    element_ids: ElementIds
    unread: list[str]


def _read_similarity(db: Database, index_of: dict[str, int], batch_size: int, stop: threading.Event) -> _EdgesInPlace:
    n = len(index_of)
    codes: array[int] = array("q")
    element_ids = ElementIds()
    unread: list[str] = []
    get = index_of.get
    for (batch,) in _stream_values(db, "resolve/similarity_in_place", {"batch_size": batch_size}, ("edges",)):
        if stop.is_set():
            break
        for a_uid, b_uid, element_id in batch:
            a, b = get(a_uid), get(b_uid)
            if a is None or b is None:
                unread.append(element_id)
            else:
                codes.append(a * n + b)
                element_ids.append(element_id)
    read = np.frombuffer(codes, dtype=np.int64)
    order = np.argsort(read, kind="stable")
    element_ids.reorder(order)
    return _EdgesInPlace(read[order], element_ids, unread)


def _write_edges(db: Database, in_place: _Background, uids: Sequence[str], element_ids: ElementIds, edges: _EdgeRows,
                 model: LinkageModel, options: ResolveOptions, stop: threading.Event) -> int:
    found: _EdgesInPlace = in_place.finish()
    # An edge the run finds again keeps its relationship (its properties set where they changed); the ones it no
    # longer finds are deleted; the others are created. A first run finds none: every edge is created.
    new_codes = edges.pairs[:, 0].astype(np.int64) * len(uids) + edges.pairs[:, 1]
    stale = np.ones(len(found.codes), dtype=np.bool_)
    again = np.zeros(len(new_codes), dtype=np.bool_)
    relationship_of = np.zeros(len(new_codes), dtype=np.int64)  # position in ``found`` of each edge found again
    if len(found.codes):
        at = np.minimum(np.searchsorted(found.codes, new_codes), len(found.codes) - 1)
        again = found.codes[at] == new_codes
        relationship_of[again] = at[again]
        stale[at[again]] = False
    gone = found.element_ids.of(np.flatnonzero(stale)) + found.unread
    _write_batches(db, "resolve/delete_similarity", "element_ids", gone, options.batch_size, stop=stop)
    table = model.level_weights()
    # Everything per edge is computed for a batch of edges at once (for all edges at once, its lists of
    # Python floats were about 100 MB a million edges); the stored explanation of each distinct level
    # combination and the rule names of each distinct rule mask are built once and shared.
    explanations: dict[bytes, str] = {}
    rule_names: dict[int, list[str]] = {}
    pairs, levels = edges.pairs, edges.levels

    def batches(indices: np.ndarray, found_again: bool) -> Iterator[list[dict[str, Any]]]:
        for start in range(0, len(indices), options.batch_size):
            if stop.is_set():
                return
            rows = indices[start:start + options.batch_size]
            relationships = found.element_ids.of(relationship_of[rows]) if found_again else None
            batch_weights = edges.weights[rows]
            tf_bits = (batch_weights - model.score_levels(levels[rows], table)).tolist()
            rounded = np.round(batch_weights, 3).tolist()
            probabilities = np.round(1.0 / (1.0 + np.power(2.0, -np.clip(batch_weights, -60.0, 60.0))), 6).tolist()
            a_elements = element_ids.of(pairs[rows, 0]) if relationships is None else []
            b_elements = element_ids.of(pairs[rows, 1]) if relationships is None else []
            # The batch's columns as Python values in one conversion each: indexing the arrays edge by edge made
            # a numpy scalar of every value (building the 205,264 edges' rows of the 200k bench: ~1.6 s, in the
            # writer thread, holding the interpreter lock against the clustering in the main thread).
            batch_levels = np.ascontiguousarray(levels[rows])
            level_keys = batch_levels.view(np.dtype((np.void, batch_levels.dtype.itemsize * batch_levels.shape[1])))
            # One bytes key per edge's row of levels (numpy's stubs type a void item as bytes or a tuple).
            keys = cast(list[bytes], level_keys.ravel().tolist())
            columns = zip(pairs[rows].tolist(), keys, edges.rule_masks[rows].tolist(), edges.codes[rows].tolist(),
                          strict=True)
            batch = []
            for k, ((a, b), key, mask, code) in enumerate(columns):
                explanation = explanations.get(key)
                if explanation is None:
                    explanation = explanations[key] = _level_explanation(batch_levels[k].tolist(), table)
                explanation = with_term_frequency(explanation, tf_bits[k])
                rules = rule_names.get(mask)
                if rules is None:
                    rules = rule_names[mask] = [rule.name for bit, rule in enumerate(BLOCKING_RULES) if mask >> bit & 1]
                row = {"a": uids[a], "b": uids[b], "weight": rounded[k], "probability": probabilities[k],
                       "explanation": explanation, "rules": rules, "cannot_link": CANNOT_LINK_REASONS[code] or None}
                if relationships is not None:
                    row["element_id"] = relationships[k]
                else:
                    row["a_element"], row["b_element"] = a_elements[k], b_elements[k]
                batch.append(row)
            yield batch

    # One writer: edges of one batch share records with the next, so two writers could lock each other;
    # the next batch is built while this one is written.
    _write_all(db, "resolve/update_similarity", "edges", batches(np.flatnonzero(again), True), writers=1)
    _write_all(db, "resolve/write_similarity", "edges", batches(np.flatnonzero(~again), False), writers=1)
    return len(edges.weights)


def _level_explanation(levels: list[int], table: np.ndarray) -> str:
    """The stored explanation of a pair's levels without the names' frequency adjustment (added per pair by
    ``with_term_frequency``)."""
    return encode_levels(levels, [float(table[ci, lv]) if lv >= 0 else 0.0 for ci, lv in enumerate(levels)])


def gds_components(db: Database, n: int, links: np.ndarray) -> np.ndarray:
    """Connected components of the link graph with GDS WCC (records without links are singletons).

    The graph is projected from the links the run holds in memory, as pairs of record positions: it needs
    neither the SIMILAR_TO edges written first (they are written meanwhile) nor a scan to read them back.
    """
    name = f"mashgraph-links-{uuid.uuid4().hex[:8]}"
    labels = np.arange(n, dtype=np.int64) + (1 << 40)  # singletons: labels that cannot clash with GDS's
    if not len(links):
        return labels
    try:  # the name is new: nothing to drop before projecting
        db.run("resolve/gds_project_pairs", {"graph_name": name, "pairs": links.tolist()})
        for row in db.run("resolve/gds_wcc_positions", {"graph_name": name}):
            labels[np.asarray(row["positions"], dtype=np.int64)] = np.asarray(row["components"], dtype=np.int64)
    finally:
        db.run("resolve/gds_drop_graph", {"graph_name": name})
    return labels


def stable_ids(new_groups: dict[int, list[str]], old_id_of: dict[str, str], prefix: str) \
        -> tuple[dict[int, str], list[dict[str, Any]]]:
    """Ids for new groups of members, keeping old ids where a group keeps most of an old group.

    An old id goes to the new group holding most of its members (ties: the larger group, then the
    smallest member); each group takes at most one old id. Returns ids and journal events: merged
    (old ids folded into a survivor), split (an old group spread over several new ones), created.
    """
    # Each group's old ids, with how many of its members held each, in the order first met (the ranking's last
    # tie-break, as a stable sort keeps it). The ranking's and the journal's other passes go over these few
    # counts, not again over every member (a full run's groups hold every record).
    get = old_id_of.get
    olds_of: dict[int, dict[str, int]] = {}
    for label, members in new_groups.items():
        counts: dict[str, int] = {}
        for member in members:
            old = get(member)
            if old is not None:
                counts[old] = counts.get(old, 0) + 1
        if counts:
            olds_of[label] = counts
    smallest = {label: min(members) for label, members in new_groups.items()}
    ranked = sorted(((label, old, count) for label, counts in olds_of.items() for old, count in counts.items()),
                    key=lambda row: (-row[2], -len(new_groups[row[0]]), smallest[row[0]]))
    assigned: dict[int, str] = {}
    taken: set[str] = set()
    for label, old, _count in ranked:
        if label not in assigned and old not in taken:
            assigned[label] = old
            taken.add(old)
    events: list[dict[str, Any]] = []
    minted = [label for label in sorted(new_groups, key=smallest.__getitem__) if label not in assigned]
    # 64 random bits a new id, for all of them in one call: uuid4() each (for its first 16 hex digits) was 60% of
    # this function's time on a first run (110,619 people at 200k records).
    fresh = os.urandom(8 * len(minted)).hex()
    for k, label in enumerate(minted):
        assigned[label] = f"{prefix}{fresh[16 * k:16 * k + 16]}"
        if label not in olds_of:
            events.append({"kind": "created", "from_ids": [], "to_ids": [assigned[label]],
                           "records": len(new_groups[label])})
    # Journal: where did each old id's members go?
    destinations: dict[str, set[str]] = defaultdict(set)
    for label, counts in olds_of.items():
        for old in counts:
            destinations[old].add(assigned[label])
    for old, targets in sorted(destinations.items()):
        if old in taken and targets == {old}:
            continue
        if old not in taken and len(targets) == 1:
            events.append({"kind": "merged", "from_ids": [old], "to_ids": sorted(targets), "records": 0})
        elif len(targets) > 1:
            events.append({"kind": "split", "from_ids": [old], "to_ids": sorted(targets), "records": 0})
    return assigned, events


@dataclass
class _PersonIdentities:
    ids: dict[int, str]  # person label -> person id, stable across runs (stable_ids)
    events: list[dict[str, Any]]  # the identity journal's new entries
    kept: set[str]  # ids people held before this run (their nodes exist)


def _person_identities(features: Sequence[RecordFeatures], people: dict[int, list[int]],
                       old_person_of: dict[str, str]) -> _PersonIdentities:
    """Each person's id, kept from the run before where the person keeps most of its records."""
    groups = {label: [features[i].uid for i in members] for label, members in people.items()}
    person_ids, events = stable_ids(groups, old_person_of, "per_")
    return _PersonIdentities(person_ids, events, set(old_person_of.values()))


@dataclass
class _Relinked:
    """Which records' person changes in this run, by position: ``moved`` (a new person, or none before) and
    ``unlink`` (of those, the ones whose link to their old person must go first)."""

    moved: np.ndarray
    unlink: np.ndarray


def _relinked_records(features: Sequence[RecordFeatures], people: dict[int, list[int]], person_ids: dict[int, str],
                      old_person_of: dict[str, str]) -> _Relinked:
    """A record that stays with its person keeps its RESOLVES_TO link: a re-run where nothing changed deleted and
    recreated every one of them (~204,000 at 200k records, ~15 us of the server's CPU each)."""
    moved = np.ones(len(features), dtype=np.bool_)
    unlink = np.zeros(len(features), dtype=np.bool_)
    if not old_person_of:  # a first run: every record links to a new person, none has a link to drop
        return _Relinked(moved, unlink)
    get = old_person_of.get
    for label, members in people.items():
        person_id = person_ids[label]
        for i in members:
            old = get(features[i].uid)
            if old is not None:
                if old == person_id:
                    moved[i] = False
                else:
                    unlink[i] = True
    return _Relinked(moved, unlink)


def _write_people(db: Database, features: Sequence[RecordFeatures], element_ids: ElementIds,
                  people: dict[int, list[int]], flagged: set[int], identities: _PersonIdentities,
                  relinked: _Relinked, options: ResolveOptions) -> None:
    person_ids, events, kept_ids = identities.ids, identities.events, identities.kept
    unlink = np.flatnonzero(relinked.unlink).tolist()
    _write_batches(db, "resolve/unlink_records", "records",
                   [[features[i].uid, e] for i, e in zip(unlink, element_ids.of(unlink), strict=True)],
                   options.batch_size)
    moved = relinked.moved.tolist()
    updated: list[dict[str, Any]] = []
    links: list[dict[str, str]] = []

    def created_batches() -> Iterator[list[dict[str, Any]]]:
        """New people with their records, a batch at a time: each batch is built while the one before is
        written."""
        labels = list(people)
        for start in range(0, len(labels), options.batch_size):
            created = []
            batch_labels = labels[start:start + options.batch_size]
            # The batch's element ids as strings in one conversion, not one per person.
            batch_elements = iter(element_ids.of([i for label in batch_labels for i in people[label]]))
            for label in batch_labels:
                members = people[label]
                records = [features[i] for i in members]
                flags = ["linked_to_several_households"] if label in flagged else []
                person_id = person_ids[label]
                person: dict[str, Any] = {
                    "id": person_id, "props": person_properties(records, flags)}
                elements = [next(batch_elements) for _ in members]
                if person_id in kept_ids:
                    updated.append(person)
                    links.extend({"uid": features[i].uid, "element_id": e, "person_id": person_id}
                                 for i, e in zip(members, elements, strict=True) if moved[i])
                else:  # an id minted by this run: created with its records' links, no lookup
                    person["records"] = [[f.uid, e] for f, e in zip(records, elements, strict=True)]
                    created.append(person)
            if created:
                yield created

    # New people touch disjoint records and nodes no one else has, so two writers seldom wait for each other; their
    # records' relationship chains can still meet (an edge between records of two batches), and the rare deadlock
    # that makes is retried.
    _write_all(db, "resolve/create_persons", "persons", created_batches(), writers=2)
    _write_batches(db, "resolve/write_persons", "persons", updated, options.batch_size)
    _write_batches(db, "resolve/link_records_to_persons", "links", links, options.batch_size)
    retired = retirements(events, set(person_ids.values()))
    if retired:
        db.write("resolve/retire_persons", {"retired": retired})


def _write_journal(db: Database, events: list[dict[str, Any]], batch_size: int, stop: threading.Event) -> None:
    """The identity journal's new entries, numbered after the last one, in order."""
    if not events:
        return
    seq = db.run("resolve/next_identity_seq")[0]["next"]
    for offset, event in enumerate(events):
        event["seq"] = seq + offset
    _write_batches(db, "resolve/write_identity_events", "events", events, batch_size, stop=stop)


@dataclass
class _HouseholdRows:
    created: list[dict[str, Any]]  # minted by this run: created with their address and members in one statement
    updated: list[dict[str, Any]]  # kept from the run before
    links: list[dict[str, Any]]  # memberships of the kept households
    count: int
    dropped: list[str] = field(default_factory=list)  # people whose household changes: their old link goes first


def _household_rows(result: Any, person_ids: dict[int, str], old_household_of: dict[str, str]) -> _HouseholdRows:
    """What the households stage writes, with ids kept from the run before where a household keeps most of its
    members: computed before the people are written (it needs only their ids), while the edges are written."""
    groups: dict[int, list[int]] = defaultdict(list)
    for person, household in result.household_of.items():
        groups[household].append(person)
    household_ids, _events = stable_ids({label: [person_ids[p] for p in members] for label, members in groups.items()},
                                        old_household_of, "hh_")
    kept_ids = set(old_household_of.values())
    rows = _HouseholdRows([], [], [], len(groups))
    if old_household_of:
        # A person who stays in its household keeps its link (the link statement sets the evidence if it changed); one
        # who moved, left every household or whose id retired loses the old one before the new ones are written.
        household_of = {person_ids[p]: household_ids[label] for label, members in groups.items() for p in members}
        rows.dropped = [person for person, old in old_household_of.items() if household_of.get(person) != old]
    for label, members in groups.items():
        entry: dict[str, Any] = {"id": household_ids[label], "address_key": result.address_of.get(label),
                                 "size": len(members)}
        memberships = [{"person_id": person_ids[p], "household_id": entry["id"], "evidence": result.evidence[p]}
                       for p in members]
        if entry["id"] in kept_ids:
            rows.updated.append(entry)
            rows.links.extend(memberships)
        else:
            entry["members"] = memberships
            rows.created.append(entry)
    return rows


def _write_households(db: Database, rows: _HouseholdRows, batch_size: int) -> int:
    _write_batches(db, "resolve/drop_memberships", "person_ids", rows.dropped, batch_size)
    # New households have their own addresses (one household per address) and disjoint members.
    _write_batches(db, "resolve/create_households", "households", rows.created, batch_size, writers=2)
    _write_batches(db, "resolve/write_households", "households", rows.updated, batch_size)
    _write_batches(db, "resolve/link_persons_to_households", "links", rows.links, batch_size)
    db.run("resolve/drop_orphan_memberships")
    db.run("resolve/delete_empty_households")
    return rows.count


def _write_batches(db: Database, statement: str, parameter: str, rows: Sequence[Any],
                   batch_size: int, writers: int = 1, stop: threading.Event | None = None) -> None:
    """``rows`` written ``batch_size`` a transaction; with ``stop`` (a background write), no batch after it is set."""
    _write_all(db, statement, parameter, (rows[start:start + batch_size] for start in range(0, len(rows), batch_size)
                                          if stop is None or not stop.is_set()), writers)


def _write_all(db: Database, statement: str, parameter: str, batches: Iterable[Sequence[Any]], writers: int) -> None:
    """Write each batch in its own transaction from ``writers`` background threads, while the caller's
    generator prepares the next batch (the server writes while Python computes). At most ``writers``
    batches wait, so memory stays bounded. Use more than one writer only for batches that touch
    disjoint nodes (or they may lock each other)."""
    def written(rows: list[Any], future: Future[list[dict[str, Any]]]) -> None:
        future.result()
        # The driver's transaction objects keep the parameters in reference cycles until a full collection,
        # which a run makes rare (graph_model.gc_policy): emptied here, a written batch's rows go at once
        # (at 200k records some 5 batches of edges, 60 MB, outlived the edges stage).
        rows.clear()

    with ThreadPoolExecutor(max_workers=writers, thread_name_prefix="resolve-write") as pool:
        pending: deque[tuple[list[Any], Future[list[dict[str, Any]]]]] = deque()
        for batch in batches:
            rows = list(batch)
            pending.append((rows, pool.submit(db.write, statement, {parameter: rows})))
            while len(pending) > writers:
                written(*pending.popleft())
        while pending:
            written(*pending.popleft())
