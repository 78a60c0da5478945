"""Networks and paths: people, households, addresses, phones, emails and schools, and the edges between them.

Every edge comes from something the caller may see: a person's edge to an address exists only when
one of their visible records gives that address in a field the caller may read (and the address is
not restricted); a person appears only when they exist for the caller. The edges are computed from
the person views (the same policy decisions as the single view), whichever side they are reached
from, so a network cannot show what the single view hides. Expansion goes one layer at a time with
batched queries (no query per node); shared nodes with more records than the hub cap, and
placeholder addresses, are shown but not expanded.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from api.service.scope import RequestScope
from api.service.views import Golden, HeldNotice, HouseholdView, PersonView, Withheld

__all__ = ["EDGE_KINDS", "Edge", "Explorer", "Network", "Node"]

PERSON, HOUSEHOLD, ADDRESS, PHONE, EMAIL, SCHOOL = "PERSON", "HOUSEHOLD", "ADDRESS", "PHONE", "EMAIL", "SCHOOL"
EDGE_KINDS = ("MEMBER_OF", "LIVES_AT", "USES_PHONE", "USES_EMAIL", "ATTENDS", "RELATED", "LOCATED_AT")
_HUB_KINDS = {ADDRESS: "addresses", PHONE: "phones", EMAIL: "emails", SCHOOL: "schools", HOUSEHOLD: "households"}
_PREFIX = {ADDRESS: "adr_", PHONE: "tel_", EMAIL: "eml_", SCHOOL: "sch_"}

NodeKey = tuple[str, str]  # (kind, key): the key is internal (address key, e164, ...), never an output id


def node_id(kind: str, key: str) -> str:
    """An opaque, stable id for a network node (people and households keep their own ids)."""
    if kind in (PERSON, HOUSEHOLD):
        return key
    return _PREFIX[kind] + hashlib.sha256(f"{kind}:{key}".encode()).hexdigest()[:16]


@dataclass(slots=True)
class Node:
    kind: str
    key: str
    label: str
    truncated: bool = False  # not every neighbour is shown (a hub over the cap, or the size cap)
    # People only: what the single view would show about them, so a network page needs no request per person.
    agencies: tuple[str, ...] = ()
    held: tuple[HeldNotice, ...] = ()
    name_withheld: bool = False

    @property
    def id(self) -> str:
        return node_id(self.kind, self.key)


@dataclass(slots=True)
class Edge:
    source: NodeKey
    target: NodeKey
    kind: str
    evidence: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Network:
    nodes: dict[NodeKey, Node] = field(default_factory=dict)
    edges: dict[tuple[NodeKey, NodeKey, str], Edge] = field(default_factory=dict)
    truncated: bool = False

    def add_edge(self, edge: Edge) -> None:
        key = (edge.source, edge.target, edge.kind)
        if key in self.edges:
            self.edges[key].evidence |= edge.evidence
        else:
            # A copy: the explorer hands out the same edges of a person again (kept per request), unmerged.
            self.edges[key] = Edge(edge.source, edge.target, edge.kind, set(edge.evidence))


def person_label(view: PersonView) -> str:
    parts = [g.value for g in (view.given_name, view.family_name) if isinstance(g, Golden) and g.value]
    return " ".join(parts) or "Person (name withheld)"


def person_edges(view: PersonView, kinds: frozenset[str]) -> tuple[list[Edge], dict[NodeKey, str]]:
    """Edges from a visible person, and labels for the nodes they reach (from fields the caller may read)."""
    me: NodeKey = (PERSON, view.id)
    edges: dict[tuple[NodeKey, str], Edge] = {}
    labels: dict[NodeKey, str] = {}

    def add(target: NodeKey, kind: str, evidence: str, label: str | None = None) -> None:
        if kind not in kinds:
            return
        edge = edges.setdefault((target, kind), Edge(me, target, kind))
        edge.evidence.add(evidence)
        if label:
            labels.setdefault(target, label)

    if view.household_id:
        add((HOUSEHOLD, view.household_id), "MEMBER_OF", f"resolution:{view.household_evidence or 'member'}")
    for record in view.records:
        if not isinstance(record.addresses, Withheld):
            for link in record.addresses:
                if not link.placeholder:
                    add((ADDRESS, link.key), "LIVES_AT", f"{record.source}:{'current' if link.current else 'previous'}",
                        link.display or link.postcode or "Address")
        if not isinstance(record.phones, Withheld):
            for e164, kind in record.phones:
                add((PHONE, e164), "USES_PHONE", f"{record.source}:{kind or 'phone'}", e164)
        if not isinstance(record.emails, Withheld):
            for address in record.emails:
                add((EMAIL, address), "USES_EMAIL", f"{record.source}:email", address)
        if not isinstance(record.school, Withheld):
            for urn, name in record.school:
                add((SCHOOL, urn), "ATTENDS", f"{record.source}:pupil", name or f"School {urn}")
        if not isinstance(record.relationships, Withheld):
            for related in record.relationships:
                if related.person_id and related.person_id != view.id:
                    kind = related.type if related.outgoing else f"inverse_{related.type}"
                    add((PERSON, related.person_id), "RELATED", f"{record.source}:{kind}")
    return list(edges.values()), labels


class Explorer:
    """Expands nodes layer by layer for one request, through the request's loaders and policy."""

    def __init__(self, scope: RequestScope, kinds: Iterable[str] | None = None) -> None:
        self.scope = scope
        self.kinds = frozenset(kinds or EDGE_KINDS)
        self.settings = scope.settings
        self.views: dict[str, PersonView | None] = {}
        self.households: dict[str, HouseholdView | None] = {}
        self.labels: dict[NodeKey, str] = {}
        self.hubs_over_cap: set[NodeKey] = set()
        self.hub_rows: dict[NodeKey, list[dict[str, Any]]] = {}  # expansions of hubs already fetched
        self._edges: dict[str, tuple[PersonView, tuple[list[Edge], dict[NodeKey, str]]]] = {}

    def edges_of(self, view: PersonView) -> tuple[list[Edge], dict[NodeKey, str]]:
        """person_edges, once per person view and request (asked again for each hub and layer that reaches them)."""
        cached = self._edges.get(view.id)
        if cached is None or cached[0] is not view:
            cached = (view, person_edges(view, self.kinds))
            self._edges[view.id] = cached
        return cached[1]

    def keep_hub_rows(self, hubs: Iterable[NodeKey], rows: Iterable[dict[str, Any]]) -> None:
        for hub in hubs:
            self.hub_rows.setdefault(hub, [])
        for row in rows:
            self.hub_rows.setdefault((str(row["kind"]), str(row["key"])), []).append(row)

    async def people(self, ids: Iterable[str]) -> None:
        missing = [i for i in dict.fromkeys(ids) if i not in self.views]
        for person_id, view in zip(missing, await self.scope.people(missing), strict=True):
            # An old id (merged) resolves to someone else: in a network only current ids count.
            self.views[person_id] = view if view is not None and view.id == person_id else None

    async def neighbours(self, nodes: Iterable[NodeKey]) -> dict[NodeKey, list[tuple[Edge, NodeKey]]]:
        """Every visible edge at each node, with the node at its other end (one batched layer)."""
        nodes = list(nodes)
        persons = [key for kind, key in nodes if kind == PERSON]
        households = [key for kind, key in nodes if kind == HOUSEHOLD]
        hub_keys = [(kind, key) for kind, key in nodes if kind in _HUB_KINDS and kind != HOUSEHOLD]
        missing = [hub for hub in dict.fromkeys(hub_keys) if hub not in self.hub_rows]
        await self.people(persons)
        result: dict[NodeKey, list[tuple[Edge, NodeKey]]] = defaultdict(list)

        if missing:
            hubs: dict[str, list[str]] = defaultdict(list)
            for kind, key in missing:
                hubs[_HUB_KINDS[kind]].append(key)
            parameters: dict[str, object] = {name: hubs.get(name, []) for name in ("addresses", "phones", "emails",
                                                                                   "schools")}
            parameters["max_degree"] = self.settings.hub_max_degree
            fetched, _ = await asyncio.gather(self.scope.db.read("api/expand_hubs", parameters),
                                              self._households(households))
            self.keep_hub_rows(missing, fetched)
        else:
            await self._households(households)
        hub_rows = [row for hub in dict.fromkeys(hub_keys) for row in self.hub_rows[hub]]
        # People reached through hubs and relationships: their views decide their edges.
        reached = {str(row["person_id"]) for row in hub_rows if row.get("person_id")}
        for person_id in persons:
            view = self.views.get(person_id)
            if view is not None:
                edges, labels = self.edges_of(view)
                reached |= {key for kind, key in (e.target for e in edges) if kind == PERSON}
        await self.people(reached)

        for person_id in persons:
            view = self.views.get(person_id)
            if view is None:
                continue
            edges, labels = self.edges_of(view)
            self.labels.update({k: v for k, v in labels.items() if k not in self.labels})
            for edge in edges:
                if edge.target[0] == PERSON and self.views.get(edge.target[1]) is None:
                    continue  # a relationship to someone who does not exist for the caller
                result[(PERSON, person_id)].append((edge, edge.target))
        for row in hub_rows:
            kind, key = str(row["kind"]), str(row["key"])
            hub: NodeKey = (kind, key)
            if int(row["degree"] or 0) > self.settings.hub_max_degree:
                self.hubs_over_cap.add(hub)
            reached_id = row.get("person_id")
            if not reached_id or kind == HOUSEHOLD:
                continue
            view = self.views.get(str(reached_id))
            if view is None:
                continue
            edges, labels = self.edges_of(view)
            for edge in edges:
                if edge.target == hub:
                    self.labels.setdefault(hub, labels.get(hub, ""))
                    result[hub].append((edge, edge.source))
        for household_id in households:
            household = self.households.get(household_id)
            if household is None:
                continue
            me: NodeKey = (HOUSEHOLD, household_id)
            for member, evidence in household.members:
                self.views.setdefault(member.id, member)
                edge = Edge((PERSON, member.id), me, "MEMBER_OF", {f"resolution:{evidence or 'member'}"})
                if "MEMBER_OF" in self.kinds:
                    result[me].append((edge, (PERSON, member.id)))
            address = household.address
            if address is not None and not isinstance(address, Withheld) and "LOCATED_AT" in self.kinds:
                target: NodeKey = (ADDRESS, address.key)
                self.labels.setdefault(target, address.display or address.postcode or "Address")
                result[me].append((Edge(me, target, "LOCATED_AT", {"resolution:household_address"}), target))
        # Dedupe (a person reached twice through one hub by two records).
        return {node: list({(e.source, e.target, e.kind): (e, other) for e, other in pairs}.values())
                for node, pairs in result.items()}

    async def _households(self, ids: list[str]) -> None:
        missing = [i for i in ids if i not in self.households]
        views = await asyncio.gather(*(self.scope.household(i) for i in missing))
        self.households.update(zip(missing, views, strict=True))

    def node(self, key: NodeKey) -> Node:
        kind, raw = key
        if kind == PERSON:
            view = self.views.get(raw)
            if view is not None:
                return Node(kind, raw, person_label(view), truncated=key in self.hubs_over_cap, agencies=view.agencies,
                            held=view.held, name_withheld=isinstance(view.given_name, Withheld)
                            and isinstance(view.family_name, Withheld))
            label = "Person"
        elif kind == HOUSEHOLD:
            household = self.households.get(raw)
            label = f"Household of {household.size}" if household else "Household"
        else:
            label = self.labels.get(key) or kind.title()
        return Node(kind, raw, label, truncated=key in self.hubs_over_cap)

    # ------------------------------------------------------------------ network and path
    async def network(self, person_id: str, hops: int) -> Network | None:
        """The person's neighbourhood up to ``hops`` edges away; None when the person does not exist for the caller."""
        # One query loads the person's household and its members, and what their addresses, phones, emails and
        # schools lead to (the first two layers' nodes); the layers below take only what they can see of it.
        self.keep_hub_rows((), await self.scope.network_start(person_id))
        await self.people([person_id])
        start = self.views.get(person_id)
        if start is None:
            return None
        network = Network()
        start_key: NodeKey = (PERSON, start.id)
        visited: dict[NodeKey, None] = {start_key: None}
        capped: set[NodeKey] = set()
        frontier = [start_key]
        cap = self.settings.network_max_nodes
        for _hop in range(hops):
            if not frontier:
                break
            adjacency = await self.neighbours(frontier)
            following: list[NodeKey] = []
            for node in frontier:
                for edge, other in adjacency.get(node, []):
                    if other not in visited:
                        if len(visited) >= cap:
                            network.truncated = True
                            capped.add(node)
                            continue
                        visited[other] = None
                        following.append(other)
                    network.add_edge(edge)
            frontier = following
        await self._households([key for kind, key in visited if kind == HOUSEHOLD])
        self.close(network, visited)
        for key in visited:
            labelled = self.node(key)
            labelled.truncated = labelled.truncated or key in capped
            network.nodes[key] = labelled
        return network

    def close(self, network: Network, shown: dict[NodeKey, None]) -> None:
        """Add every edge between two shown nodes that expansion did not reach (those among the last layer).

        Each edge has a person or a household at one end, and the views of every shown person and household
        are already loaded (to decide that they may be shown), so this costs no query. Nodes of the last layer
        may still have neighbours beyond the network: ask again from them, or with more hops.
        """
        for kind, key in shown:
            if kind == PERSON:
                view = self.views.get(key)
                if view is None:
                    continue
                for edge in self.edges_of(view)[0]:
                    if edge.target in shown:
                        network.add_edge(edge)
            elif kind == HOUSEHOLD and "LOCATED_AT" in self.kinds:
                household = self.households.get(key)
                address = household.address if household is not None else None
                if address is not None and not isinstance(address, Withheld) and (ADDRESS, address.key) in shown:
                    network.add_edge(Edge((HOUSEHOLD, key), (ADDRESS, address.key), "LOCATED_AT",
                                          {"resolution:household_address"}))

    async def path(self, source_id: str, target_id: str, max_hops: int) -> Network | None:
        """A shortest path between two people (bidirectional breadth-first search); None if none within max_hops."""
        await self.people([source_id, target_id])
        if self.views.get(source_id) is None or self.views.get(target_id) is None:
            return None
        source: NodeKey = (PERSON, source_id)
        target: NodeKey = (PERSON, target_id)
        network = Network()
        if source == target:
            network.nodes[source] = self.node(source)
            return network
        parents: list[dict[NodeKey, tuple[NodeKey, Edge] | None]] = [{source: None}, {target: None}]
        frontiers: list[list[NodeKey]] = [[source], [target]]
        cap = self.settings.network_max_nodes
        for _step in range(max_hops):
            side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
            if not frontiers[side]:
                return None
            adjacency = await self.neighbours(frontiers[side])
            following: list[NodeKey] = []
            meeting: NodeKey | None = None
            for node in frontiers[side]:
                for edge, other in adjacency.get(node, []):
                    if other in parents[side]:
                        continue
                    if len(parents[0]) + len(parents[1]) >= cap:
                        return None
                    parents[side][other] = (node, edge)
                    following.append(other)
                    if other in parents[1 - side]:
                        meeting = other
                        break
                if meeting:
                    break
            if meeting is not None:
                for tree in parents:
                    walk: NodeKey | None = meeting
                    while walk is not None:
                        network.nodes[walk] = self.node(walk)
                        step = tree.get(walk)
                        if step is None:
                            break
                        walk, edge = step
                        network.add_edge(edge)
                return network
            frontiers[side] = following
        return None
