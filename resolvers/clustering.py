"""Records into people: components, then constrained agglomeration inside each component.

Stage 1 splits the work: connected components of the links above the threshold, computed by Neo4j Graph
Data Science (WCC) where the server has it, else in memory with igraph, or by networkx on request; all three
give the same partition.

Stage 2 clusters each component. Plain connected components chain errors (mother-child via a shared
name, twins via one similar pair) into families; modularity methods (Louvain/Leiden) split by density
and know nothing of "cannot be the same person". So links are merged strongest first (average-linkage
agglomeration), and a merge is refused when it would put a cannot-link pair in one person: two
different valid NHS numbers / UPNs / PNC ids, full dates of birth far apart, a recorded relationship
between the records, a steward's rejection, or when the two clusters disagree on average
(mean match weight of their scored pairs below zero). Steward confirmations are merged first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import igraph
import networkx as nx
import numpy as np

from graph_model.normalise import dob_relation
from resolvers.features import RecordFeatures

__all__ = ["ClusterResult", "Constraints", "agglomerate", "components_igraph", "components_networkx"]

_STRONG_IDS = ("nhs_number", "upn", "pnc_id")


@dataclass
class Constraints:
    """Pairwise must-link and cannot-link, by record index, with the reason for each cannot-link."""

    cannot: dict[int, dict[int, str]] = field(default_factory=dict)
    must: list[tuple[int, int]] = field(default_factory=list)
    dob_far_separates: bool = True  # off where the data shows far-apart dates among true matches

    def add_cannot(self, i: int, j: int, reason: str) -> None:
        self.cannot.setdefault(i, {})[j] = reason
        self.cannot.setdefault(j, {})[i] = reason


@dataclass
class ClusterResult:
    labels: dict[int, int]  # record index -> cluster label (a member's index), for the records it saw
    refused_merges: dict[str, int] = field(default_factory=dict)  # reason -> how many merges were refused


def components_igraph(n: int, edges: np.ndarray) -> np.ndarray:
    """Connected-component label per record, from an (m, 2) array of record index pairs. igraph's C code:
    0.1 s of CPU for 200k records and 150k links, where networkx took 1.4 s and the GDS round trip (project the
    links back out of Neo4j, stream a label per record) several seconds of both Python and Neo4j."""
    graph = igraph.Graph(n=n, edges=np.asarray(edges, dtype=np.int64).reshape(-1, 2).tolist())
    return np.asarray(graph.connected_components().membership, dtype=np.int64)


def components_networkx(n: int, edges: Iterable[tuple[int, int]]) -> np.ndarray:
    """Connected-component label per record (networkx: the reference the faster engines are tested against)."""
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges)
    labels = np.empty(n, dtype=np.int64)
    for label, component in enumerate(nx.connected_components(graph)):
        for node in component:
            labels[node] = label
    return labels


class _Clusters:
    """Union-find with the per-cluster facts the merge constraints need."""

    def __init__(self, features: Sequence[RecordFeatures], constraints: Constraints) -> None:
        # State is created on first touch, so clustering one component costs its size, not the whole input.
        self.features = features
        self.parent: dict[int, int] = {}
        self.members: dict[int, list[int]] = {}
        self.ids: dict[int, dict[str, frozenset[str]]] = {}
        self.dobs: dict[int, list] = {}
        self.all_ids: dict[int, set[str]] = {}
        self.links: dict[int, dict[int, list[float]]] = {}  # root -> root -> [sum of weights, count]
        self.constraints = constraints

    def _touch(self, i: int) -> None:
        if i not in self.parent:
            feature = self.features[i]
            self.parent[i] = i
            self.members[i] = [i]
            self.ids[i] = {s: v for s, v in feature.identifiers.items() if s in _STRONG_IDS}
            self.dobs[i] = [feature.dob] if feature.full_dob else []
            self.all_ids[i] = {f"{s}:{v}" for s, vs in feature.identifiers.items() if s != "uprn" for v in vs}
            self.links[i] = {}

    def find(self, i: int) -> int:
        self._touch(i)
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def add_score(self, i: int, j: int, weight: float) -> None:
        self._touch(i)
        self._touch(j)
        for a, b in ((i, j), (j, i)):
            entry = self.links[a].setdefault(b, [0.0, 0])
            entry[0] += weight
            entry[1] += 1

    def conflict(self, a: int, b: int, check_average: bool = True) -> str | None:
        ids_a, ids_b = self.ids[a], self.ids[b]
        for scheme in _STRONG_IDS:
            x, y = ids_a.get(scheme), ids_b.get(scheme)
            if x and y and not (x & y):
                return f"different_{scheme}"
        if self.constraints.dob_far_separates and not self._share_identifier(a, b):
            for d1 in self.dobs[a]:
                for d2 in self.dobs[b]:
                    if dob_relation(d1, d2) == "far":
                        return "dob_far_apart"
        small, large = (a, b) if len(self.members[a]) <= len(self.members[b]) else (b, a)
        large_members = set(self.members[large])
        for record in self.members[small]:
            for other, reason in self.constraints.cannot.get(record, {}).items():
                if other in large_members:
                    return reason
        if check_average:
            total, count = self.links[a].get(b, (0.0, 0))
            if count and total / count < 0:
                return "clusters_disagree"
        return None

    def _share_identifier(self, a: int, b: int) -> bool:
        """Do the clusters share any identifier value? Then a far-apart date is a typo, not two people."""
        return bool(self.all_ids[a] & self.all_ids[b])

    def union(self, a: int, b: int) -> None:
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.parent[b] = a
        self.members[a].extend(self.members.pop(b))
        for scheme, values in self.ids.pop(b).items():
            self.ids[a][scheme] = self.ids[a].get(scheme, frozenset()) | values
        self.dobs[a].extend(self.dobs.pop(b))
        self.all_ids[a] |= self.all_ids.pop(b)
        for other, (total, count) in self.links.pop(b).items():
            if other == a:
                continue
            entry = self.links[a].setdefault(other, [0.0, 0])
            entry[0] += total
            entry[1] += count
            back = self.links[other]
            moved = back.pop(b)
            entry_back = back.setdefault(a, [0.0, 0])
            entry_back[0] += moved[0]
            entry_back[1] += moved[1]
        self.links[a].pop(b, None)


def agglomerate(
    features: Sequence[RecordFeatures],
    pairs: np.ndarray,
    weights: np.ndarray,
    threshold: float,
    constraints: Constraints,
) -> ClusterResult:
    """Cluster records: must-links first, then scored pairs at or above ``threshold``, strongest first.

    ``pairs``/``weights`` are all scored candidate pairs (including those below the threshold: they
    count in the average-linkage check). The result does not depend on the order of ``pairs``.
    """
    clusters = _Clusters(features, constraints)
    pair_list, weight_list = pairs.tolist(), weights.tolist()
    for (i, j), w in zip(pair_list, weight_list, strict=True):
        clusters.add_score(i, j, w)
    refused: dict[str, int] = {}
    for i, j in constraints.must:
        a, b = clusters.find(i), clusters.find(j)
        if a != b:
            reason = clusters.conflict(a, b, check_average=False)
            if reason is None:
                clusters.union(a, b)
            else:
                refused[f"must_link_{reason}"] = refused.get(f"must_link_{reason}", 0) + 1
    # Strongest first; ties broken by the pair itself so the result is deterministic. Sorted by Python: a full run
    # agglomerates tens of thousands of components of a few pairs each, where numpy's per-call cost dominated.
    strong = sorted((-w, i, j) for (i, j), w in zip(pair_list, weight_list, strict=True) if w >= threshold)
    for _w, i, j in strong:
        a, b = clusters.find(i), clusters.find(j)
        if a == b:
            continue
        reason = clusters.conflict(a, b)
        if reason is None:
            clusters.union(a, b)
        else:
            refused[reason] = refused.get(reason, 0) + 1
    labels = {i: clusters.find(i) for i in list(clusters.parent)}
    return ClusterResult(labels=labels, refused_merges=refused)
