"""Real-time resolution of single records against the existing graph, with the full run's model,
comparisons and constraints.

For a new or changed record: find its candidates in the graph (shared identifier nodes, name and date
keys), score them, take the people it links to, and re-cluster just that component (those people's
records plus the new one) with the same constrained agglomeration as a full run. Person ids follow the
same stability rule and journal; the households of the people involved, and of anyone at the record's
addresses, are formed again. Everything happens in one write transaction that first takes a lock node,
so concurrent pushes touching the same people are serialised and cannot duplicate or corrupt anything.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import neo4j
import numpy as np

from graph_model.db import Database, run_in
from graph_model.ingest.loader import write_records
from graph_model.records import PreparedRecord
from resolvers.blocking import BLOCKING_RULES
from resolvers.clustering import agglomerate
from resolvers.features import RecordFeatures, features_from_prepared, features_from_row
from resolvers.golden import person_properties, retirements
from resolvers.households import form_households, place_of
from resolvers.link_evidence import encode_levels
from resolvers.model import LinkageModel, PairScore, probability
from resolvers.pipeline import DEFAULT_MODEL, ResolveOptions, stable_ids
from resolvers.scoring import build_constraints, cannot_link_reason, enabled_inferences
from resolvers.vectorised import EncodedRecords, vector_levels

__all__ = ["RULES_WITHOUT_REAL_TIME_CANDIDATES", "CandidateMatch", "IncrementalResolver", "RecordResolution"]

# The full run's blocking caps, by the names resolve/incremental_candidates and candidates_for_values use: a key held
# by more records than its rule's cap gives no candidates there, so it gives none here either (the same pairs are
# compared, and a common surname or a hostel's address cannot flood one resolve with hundreds of candidates).
_CAPS = {rule.name: rule.cap for rule in BLOCKING_RULES} | {
    "identifier": max(rule.cap for rule in BLOCKING_RULES if rule.name in ("nhs_number", "upn", "pnc_id",
                                                                          "other_identifier"))}
_CANDIDATE_LIMIT = 500  # a backstop only: the caps keep candidates far below it
#: Full-run blocking rules the real-time statements do not query (yet); a pushed record's pair that only these find
#: is scored at the next full run. bench/realtime_blocking_gap.py measures what they add: on 97,777 synthetic records
#: (20,000 households) 18 of the full run's 60,840 links come from these rules alone (all by names_any_order), none of
#: them a true match. names_any_order and name_postcode (for keyed addresses) could use the family_norm and postcode
#: indexes; identifiers one edit apart and the given name + postcode district have no index to use.
RULES_WITHOUT_REAL_TIME_CANDIDATES = frozenset({
    "other_identifier_one_edit", "names_any_order", "name_postcode", "given_birth_year_district"})
# Term frequencies: counting a name's records walks its index entries, thousands for a common name, on every resolve.
# A name held by this many records is counted again only when its count is this old: a few more records change its
# share by about 1% (a hundredth of a bit), while rare names, whose share a single record moves, are always counted.
_COMMON_NAME_RECORDS = 200
_COMMON_NAME_SECONDS = 300.0


class _CommonNameCounts:
    """Records per common given name and surname, as last counted (shared by the resolutions of one process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, dict[str, tuple[int, float]]] = {"givens": {}, "families": {}}

    def known(self) -> dict[str, dict[str, int]]:
        """The counts still fresh: {"givens": {name: records}, "families": {...}}."""
        oldest = time.monotonic() - _COMMON_NAME_SECONDS
        with self._lock:
            for counts in self._counts.values():
                for name in [n for n, (_c, at) in counts.items() if at < oldest]:
                    del counts[name]
            return {kind: {name: count for name, (count, _at) in counts.items()} for kind, counts in self._counts.items()}

    def learn(self, givens: dict[str, int], families: dict[str, int]) -> None:
        now = time.monotonic()
        with self._lock:
            for kind, counted in (("givens", givens), ("families", families)):
                self._counts[kind].update({name: (count, now) for name, count in counted.items()
                                           if count >= _COMMON_NAME_RECORDS})


@dataclass
class RecordResolution:
    uid: str
    person_id: str | None
    household_id: str | None
    status: str  # "new_person", "linked", "merged", "split", "unchanged"
    candidates: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    component: list[str] = field(default_factory=list)  # the records re-clustered with it


@dataclass(frozen=True)
class CandidateMatch:
    """A stored record scored against a record that was not stored (matchRecord)."""

    uid: str
    person_id: str
    weight: float
    cannot_link: str | None
    features: RecordFeatures
    _explain: Callable[[], PairScore] = field(repr=False, compare=False)

    @cached_property
    def explanation(self) -> list[dict[str, Any]]:
        """Field by field; built when asked for (a caller shows only the best few of hundreds of candidates)."""
        return self._explain().explanation()


class _Reads:
    """What one resolution has read already in its transaction: record rows and name counts (each read once)."""

    def __init__(self, common: _CommonNameCounts) -> None:
        self.common = common
        self.known_counts = common.known()  # not counted again by the statements below
        self.rows: dict[str, dict[str, Any]] = {}
        self.given_counts: dict[str, int] = dict(self.known_counts["givens"])
        self.family_counts: dict[str, int] = dict(self.known_counts["families"])
        self.records = 0
        self.decisions: dict[str, dict[str, Any]] = {}  # id -> {id, kind, a, b}

    def add(self, read: dict[str, Any]) -> None:
        """Take in what a statement read: feature rows, name counts, the number of records, steward decisions."""
        self.rows.update({row["uid"]: row for row in read.get("rows") or ()})
        givens, families = dict(read.get("given_counts") or ()), dict(read.get("family_counts") or ())
        self.given_counts.update(givens)
        self.family_counts.update(families)
        self.common.learn(givens, families)
        if read.get("records") is not None:
            self.records = read["records"]
        for decision in read.get("decisions") or ():
            # A decision is about two records (as steward/active_decisions reads them).
            if len(decision["uids"]) == 2:
                a, b = decision["uids"]
                self.decisions[decision["id"]] = {"id": decision["id"], "kind": decision["kind"], "a": a, "b": b}


class IncrementalResolver:
    """Resolves records one at a time; create once (it loads the model) and reuse."""

    def __init__(self, db: Database, options: ResolveOptions = ResolveOptions()) -> None:
        self.db = db
        self.options = options
        path = options.model_path if options.model_path and options.model_path.exists() else DEFAULT_MODEL
        self.model = LinkageModel.load(Path(path))
        self.weights_table = self.model.level_weights()
        self.inferences = enabled_inferences(self.model)
        self.common_names = _CommonNameCounts()

    # ---------------------------------------------------------------- public
    def resolve(self, uid: str, *, decision_id: str | None = None) -> RecordResolution:
        """Resolve one stored record; ``decision_id`` names the steward decision that asked for it (journal)."""
        with self.db.driver.session(database=self.db.database) as session:
            return session.execute_write(self._resolve, uid, decision_id)

    def resolve_in(self, tx: neo4j.ManagedTransaction, uid: str) -> RecordResolution:
        """Resolve inside the caller's transaction (e.g. the one that stored the record)."""
        return self._resolve(tx, uid)

    def store_and_resolve(self, record: PreparedRecord) -> tuple[str, RecordResolution]:
        """Upsert one prepared record and resolve it, in one transaction behind the lock (so two pushes of the
        same record cannot both create it). Returns created, updated or unchanged, and where it resolves to; an
        unchanged record that is already resolved is not written at all."""
        with self.db.driver.session(database=self.db.database) as session:
            return session.execute_write(self._store_and_resolve, record)

    def _store_and_resolve(self, tx: neo4j.ManagedTransaction, record: PreparedRecord) -> tuple[str, RecordResolution]:
        # The lock first, and in the same round trip what is stored of the record already.
        [row] = run_in(tx, "resolve/lock_and_find_record", {"uid": record.uid})
        stored = row["found"] and not row["stub"]
        if stored and row["content_hash"] == record.props["content_hash"]:
            if row["person_id"]:
                return "unchanged", RecordResolution(record.uid, row["person_id"], row["household_id"], "unchanged")
            return "unchanged", self._resolve(tx, record.uid, locked=True)
        write_records(tx, [record], {record.uid} if row["found"] else set())
        return ("updated" if stored else "created"), self._resolve(tx, record.uid, locked=True)

    def match(self, record: PreparedRecord, *, limit: int = _CANDIDATE_LIMIT) -> list[CandidateMatch]:
        """Score a record that is not stored against its candidates in the graph; nothing is written.

        The same candidates, model and cannot-link rules as :meth:`resolve`; best first.
        """
        props = record.props
        parameters = {
            "identifiers": [i["key"] for i in record.identifiers if i["valid"]],
            "phones": [p["e164"] for p in record.phones], "emails": [e["address"] for e in record.emails],
            "addresses": [a["key"] for a in record.addresses if not a["node"].get("placeholder")],
            "family_phonetic": props.get("family_phonetic"), "dob": props.get("dob"),
            "family_norm": props.get("family_norm"), "given_groups": props.get("given_groups") or [],
            "given_norm": props.get("given_norm"), "caps": _CAPS, "limit": limit,
        }
        with self.db.driver.session(database=self.db.database) as session:
            return session.execute_read(self._match, record, parameters)

    def _match(self, tx: neo4j.ManagedTransaction, record: PreparedRecord,
               parameters: dict[str, Any]) -> list[CandidateMatch]:
        # One round trip: the candidates' feature rows with their people, and the name counts.
        reads = _Reads(self.common_names)
        reads.add(run_in(tx, "resolve/candidates_for_values",
                         {"input": {**parameters, "known_counts": reads.known_counts}})[0])
        if not reads.rows:
            return []
        others = [features_from_row(row) for _uid, row in sorted(reads.rows.items())]
        features = features_from_prepared(record)
        model = self._model_for(reads, [features, *others])
        scored = self._score(model, features, others)
        found = [CandidateMatch(o.uid, reads.rows[o.uid]["person_id"], round(weight, 3), reason, o,
                                partial(model.explain_levels, levels, features, self.weights_table))
                 for o, (weight, reason, levels) in zip(others, scored, strict=True)]
        found.sort(key=lambda m: (-m.weight, m.uid))
        return found

    # ---------------------------------------------------------------- steps
    def _resolve(self, tx: neo4j.ManagedTransaction, uid: str, decision_id: str | None = None, *,
                 locked: bool = False) -> RecordResolution:
        if not locked:
            run_in(tx, "resolve/lock_for_incremental")
        reads = _Reads(self.common_names)
        # One round trip: the record, its candidates (feature rows and people), their name counts, its decisions.
        found = run_in(tx, "resolve/incremental_candidates", {"uid": uid, "caps": _CAPS, "limit": _CANDIDATE_LIMIT,
                                                               "known_counts": reads.known_counts})
        if not found:
            raise KeyError(uid)
        rows = found[0]["rows"]
        reads.add(found[0])
        record = features_from_row(rows[0])
        others = [features_from_row(row) for row in rows[1:]]
        model = self._model_for(reads, [record, *others])

        # Score the record against its candidates; the people it links to form the affected component.
        scored = self._score(model, record, others)
        linked = [o.uid for o, (w, reason, _levels) in zip(others, scored, strict=True)
                  if w >= self.options.link_threshold and reason is None]
        # A steward's confirmed link pulls the other record's person in, whatever the score.
        partners = [d["b"] if d["a"] == uid else d["a"] for d in reads.decisions.values() if d["kind"] == "must_link"]
        old_person_of = {u: reads.rows[u]["person_id"] for u in [uid, *linked] if reads.rows[u].get("person_id")}
        old_person_of.update({row["uid"]: row["person_id"] for row in
                              run_in(tx, "resolve/person_of_records", {"uids": partners})} if partners else {})
        persons = sorted(set(old_person_of.values()))
        # One round trip: those people's records, the households around them and the record's addresses, the
        # rows not read yet, the component's decisions and name counts.
        around = run_in(tx, "resolve/incremental_component", {"input": {
            "person_ids": persons, "address_keys": sorted(record.address_keys), "known": sorted(reads.rows),
            "counted_givens": sorted(reads.given_counts), "counted_families": sorted(reads.family_counts)}})[0]
        reads.add(around)
        members = {u: person for u, person in around["members"]}
        old_person_of.update(members)
        component = [features_from_row(reads.rows[u]) for u in sorted({uid, *members}) if u in reads.rows]
        model = self._model_for(reads, component)

        people = self._cluster(model, component, list(reads.decisions.values()))
        groups = {label: [component[i].uid for i in idx] for label, idx in people.items()}
        person_ids, events = stable_ids(groups, old_person_of, "per_")

        label_of_record = next(label for label, idx in people.items() if any(component[i].uid == uid for i in idx))
        person_id = person_ids[label_of_record]
        if old_person_of.get(uid) is None and len(groups[label_of_record]) > 1 and not events:
            # A new record joined someone already known: systems syncing identities want to hear of it.
            events.append({"kind": "linked", "from_ids": [], "to_ids": [person_id], "records": 1})
        for event in events:
            event["decision_id"] = decision_id

        writes = {"uid": uid, "edges": self._edges(model, record, others, scored),
                  **self._people(component, people, person_ids, events)}
        assigned = {component[i].uid: person_ids[label] for label, idx in people.items() for i in idx}
        household_writes, household_id = self._households(reads, around, record, assigned, set(persons))
        run_in(tx, "resolve/incremental_write", {"input": {**writes, **household_writes}})

        kinds = {e["kind"] for e in events}
        status = ("split" if "split" in kinds else "merged" if "merged" in kinds
                  else "new_person" if old_person_of.get(uid) is None and len(groups[label_of_record]) == 1
                  else "linked" if old_person_of.get(uid) is None else "unchanged")
        return RecordResolution(uid, person_id, household_id, status, len(others), events,
                                [f.uid for f in component])

    def _score(self, model: LinkageModel, record: RecordFeatures,
               others: list[RecordFeatures]) -> list[tuple[float, str | None, list[int]]]:
        """(weight, cannot-link reason, comparison levels) of the record against each of ``others``."""
        if not others:
            return []
        feats = [record, *others]
        pairs = np.array([[0, k] for k in range(1, len(feats))], dtype=np.int64)
        levels = vector_levels(EncodedRecords(feats), pairs)
        weights = model.score_levels(levels, self.weights_table) + model.tf_adjustments(feats, pairs, levels)
        out = []
        for k, (other, row) in enumerate(zip(others, levels.tolist(), strict=True)):
            reason = cannot_link_reason(levels[k], self.inferences)
            if reason is None and (other.uid in record.related or record.uid in other.related):
                reason = "recorded_relationship"
            out.append((float(weights[k]), reason, row))
        return out

    def _model_for(self, reads: _Reads, features: list[RecordFeatures]) -> LinkageModel:
        """The model with term frequencies for just the names in play (counted from the graph's indexes by the
        statements that read them); a copy, so concurrent resolutions in one process never share it."""
        givens = {f.given for f in features if f.given}
        families = {f.family for f in features if f.family}
        names = [c.name for c in self.model.comparisons]
        model = copy.copy(self.model)
        model.tf = {
            "given_name": model.smoothed_frequencies(
                names.index("given_name"), {n: c for n, c in reads.given_counts.items() if n in givens},
                total=reads.records),
            "family_name": model.smoothed_frequencies(
                names.index("family_name"), {n: c for n, c in reads.family_counts.items() if n in families},
                total=reads.records),
        }
        return model

    def _cluster(self, model: LinkageModel, component: list[RecordFeatures],
                 decisions: list[dict[str, Any]]) -> dict[int, list[int]]:
        n = len(component)
        if n == 1:
            return {0: [0]}
        left, right = np.triu_indices(n, k=1)
        pairs = np.stack([left, right], axis=1).astype(np.int64)
        levels = vector_levels(EncodedRecords(component), pairs)
        weights = model.score_levels(levels, self.weights_table) + model.tf_adjustments(component, pairs, levels)
        constraints, _ = build_constraints(component, pairs, levels, self.inferences)
        index_of = {f.uid: i for i, f in enumerate(component)}
        from resolvers.steward import add_decisions_to_constraints  # steward builds on this module

        add_decisions_to_constraints(sorted(decisions, key=lambda d: d["id"]), index_of, constraints)
        result = agglomerate(component, pairs, weights, self.options.link_threshold, constraints)
        people: dict[int, list[int]] = defaultdict(list)
        for i in range(n):
            people[result.labels.get(i, i)].append(i)
        return people

    # ---------------------------------------------------------------- writes (parameters of resolve/incremental_write)
    def _edges(self, model: LinkageModel, record: RecordFeatures, others: list[RecordFeatures],
               scored: list[tuple[float, str | None, list[int]]]) -> list[dict[str, Any]]:
        edges = []
        for other, (weight, reason, levels) in zip(others, scored, strict=True):
            if weight < self.options.edge_threshold:
                continue  # as in a full run: pairs below the edge threshold, cannot-links too, are not stored
            # From the levels scoring computed (the same as model.explain, without comparing the pair again).
            contributions = model.explain_levels(levels, record, self.weights_table).contributions.values()
            explanation = encode_levels(levels, [bits for _level, bits in contributions])
            edges.append({"a": record.uid, "b": other.uid, "weight": round(weight, 3),
                          "probability": round(probability(weight), 6), "explanation": explanation,
                          "rules": ["incremental"], "cannot_link": reason})
        return edges

    @staticmethod
    def _people(component: list[RecordFeatures], people: dict[int, list[int]], person_ids: dict[int, str],
                events: list[dict[str, Any]]) -> dict[str, Any]:
        persons: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for label, idx in people.items():
            records = [component[i] for i in idx]
            # Flags are the full run's (they need every household); a real-time resolve keeps them.
            persons.append({"id": person_ids[label],
                            "props": person_properties(records)})
            links.extend({"uid": f.uid, "person_id": person_ids[label]} for f in records)
        return {"uids": [f.uid for f in component], "persons": persons, "links": links,
                "retired": retirements(events, set(person_ids.values())), "events": events}

    @staticmethod
    def _households(reads: _Reads, around: dict[str, Any], record: RecordFeatures, assigned: dict[str, str],
                    old_persons: set[str]) -> tuple[dict[str, Any], str | None]:
        """Re-form the households touching these people (``assigned``: their records, just re-clustered) and the
        record's addresses, from what ``resolve/incremental_component`` read (before the people were written: a
        record of theirs maps to its new person below, and retired people had no records left to add). ``old_persons``:
        the people before, some perhaps retired by a merge. Returns the write's parameters and the record's
        household."""
        person_of = {u: person for u, person, _household in around["household_members"]}
        person_of.update({u: person for u, person in around["neighbours"]})
        person_of.update(assigned)
        old_household_of = {person: household for _u, person, household in around["household_members"]}
        features = [features_from_row(reads.rows[u]) for u in sorted(person_of) if u in reads.rows]
        labels = {pid: n for n, pid in enumerate(sorted(set(person_of.values())))}
        people: dict[int, list[int]] = defaultdict(list)
        for i, f in enumerate(features):
            people[labels[person_of[f.uid]]].append(i)
        places = {label: place_of([features[i] for i in idx]) for label, idx in people.items()}
        result = form_households(people, features, {f.uid: labels[person_of[f.uid]] for f in features}, places)
        id_of_label = {n: pid for pid, n in labels.items()}
        groups: dict[int, list[str]] = defaultdict(list)
        for person, household in result.household_of.items():
            groups[household].append(id_of_label[person])
        household_ids, _ = stable_ids(groups, old_household_of, "hh_")
        writes = {
            # Retired people leave their households too (they have no records left to be re-formed with).
            "household_persons": sorted(set(id_of_label.values()) | old_persons),
            "households": [{"id": household_ids[label], "address_key": result.address_of.get(label), "size": len(m)}
                           for label, m in groups.items()],
            "memberships": [{"person_id": id_of_label[p], "household_id": household_ids[h],
                             "evidence": result.evidence[p]} for p, h in result.household_of.items()],
        }
        record_person = person_of.get(record.uid)
        household_id = next((household_ids[h] for p, h in result.household_of.items()
                             if id_of_label[p] == record_person), None)
        return writes, household_id
