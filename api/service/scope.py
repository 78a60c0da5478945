"""The service layer: application-wide services, and one request's scope (caller, loaders, disclosures).

Resolvers call the scope; the scope loads through per-request DataLoaders (never shared between
users: a cache holds what one caller may see) and asks the policy decision point about everything
it hands back. What was disclosed, withheld and asked for is collected for the audit entry.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

from api.audit import AuditLog
from api.auth import Principal
from api.config import ApiSettings
from api.errors import Forbidden
from api.policy import Decision, Policy, PolicyDecisionPoint, Subject
from api.service.bundles import (
    HouseholdBundle,
    MemberSources,
    PersonBundle,
    household_members_from_row,
    parse_person_rows,
    person_from_row,
)
from api.service.coalesce import Coalescer, InFlight
from api.service.views import (
    HouseholdView,
    LinkView,
    PersonView,
    RecordView,
    Withheld,
    build_household,
    build_link,
    build_person,
    count_visible_members,
)
from api.store import AsyncDatabase
from graph_model.db import Database
from resolvers.model import LinkageModel

if TYPE_CHECKING:
    from resolvers.incremental import IncrementalResolver
    from resolvers.steward import Stewardship

__all__ = ["Disclosure", "RequestScope", "Services"]


class ResolverServices:
    """The resolvers the API calls (real-time resolution, stewards' decisions), created on first use.

    They run in worker threads with a synchronous driver of their own: their transactions are the
    resolvers' own. One real-time resolver (one linkage model in memory) serves the whole process."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._db: Database | None = None
        self._incremental: IncrementalResolver | None = None
        self._stewardship: Stewardship | None = None

    @property
    def db(self) -> Database:
        with self._lock:
            if self._db is None:
                from graph_model.db import connect

                self._db = Database(connect(self.settings.database), self.settings.database.neo4j_database)
            return self._db

    @property
    def incremental(self) -> IncrementalResolver:
        db = self.db
        with self._lock:
            if self._incremental is None:
                from resolvers.incremental import IncrementalResolver
                from resolvers.pipeline import ResolveOptions

                self._incremental = IncrementalResolver(db, ResolveOptions(model_path=self.settings.model_path))
            return self._incremental

    @property
    def stewardship(self) -> Stewardship:
        resolver = self.incremental
        with self._lock:
            if self._stewardship is None:
                from resolvers.steward import Stewardship

                self._stewardship = Stewardship(resolver.db, resolver=resolver)
            return self._stewardship

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.driver.close()
                self._db = None
                self._incremental = self._stewardship = None


@dataclass
class Services:
    """Built once per process (the Starlette lifespan, or a CLI command) and shared by requests."""

    settings: ApiSettings
    db: AsyncDatabase
    policy: Policy
    audit: AuditLog
    resolvers: ResolverServices | None = None  # kept by a policy reload (dataclasses.replace passes it on)
    pdp: PolicyDecisionPoint = field(init=False)
    # Requests being served (api.execution counts them): shared reads and audit appends wait briefly for them.
    in_flight: InFlight = field(default_factory=InFlight)
    # Concurrent requests' reads of one statement, sent as one (api/service/coalesce.py): raw rows, nothing kept.
    person_household_counts: Coalescer[str, list[dict[str, Any]]] = field(init=False)
    network_starts: Coalescer[str, dict[str, Any] | None] = field(init=False)
    # (user, purpose) -> person id -> grant id of the live break-glass grants: read once per event-loop turn for
    # every request then asking (a grant created before a request asks is committed before the read starts).
    break_glass_grants: Coalescer[tuple[str, str], Mapping[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        self.pdp = PolicyDecisionPoint(self.policy)
        if self.resolvers is None:
            self.resolvers = ResolverServices(self.settings)
        self.person_household_counts = Coalescer(_person_household_counts_reader(self.db, self.restricted_marker), [],
                                                 in_flight=self.in_flight)
        self.network_starts = Coalescer(_network_start_reader(self.db, self.settings.hub_max_degree,
                                                              self.restricted_marker), None, in_flight=self.in_flight)
        self.break_glass_grants = Coalescer(_break_glass_grants_reader(self.db), {}, in_flight=self.in_flight)

    @property
    def restricted_marker(self) -> str:
        # Records keep unknown fields as compact, key-sorted JSON (graph_model.records), so a flag set to
        # true reads exactly like this. A nested key of the same name only over-restricts (fails safe).
        flag = self.policy.restricted_flag or "restricted"
        return f'"{flag}":true'

    def _resolvers(self) -> ResolverServices:
        assert self.resolvers is not None  # set in __post_init__
        return self.resolvers

    @property
    def resolver_db(self) -> Database:
        return self._resolvers().db

    @property
    def incremental(self) -> IncrementalResolver:
        return self._resolvers().incremental

    @property
    def stewardship(self) -> Stewardship:
        return self._resolvers().stewardship

    def close(self) -> None:
        self._resolvers().close()

    @cached_property
    def linkage_model(self) -> LinkageModel:
        from resolvers.pipeline import DEFAULT_MODEL

        path = self.settings.model_path
        return LinkageModel.load(path if path.exists() else DEFAULT_MODEL)


@dataclass
class Disclosure:
    """What one request disclosed, withheld and asked for (ids, field names and codes only)."""

    subjects: set[str] = field(default_factory=set)
    requested: set[str] = field(default_factory=set)
    redactions: list[dict[str, Any]] = field(default_factory=list)
    rules: set[str] = field(default_factory=set)
    operations: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)
    operation: str = ""
    break_glass: bool = False
    grant: str = ""
    justification_sha256: str = ""
    refused: list[str] = field(default_factory=list)  # parts of the request the policy refused (record uids)

    def redact(self, path: Sequence[str | int], withheld: Withheld, field_name: str) -> None:
        self.redactions.append({"path": list(path), "reason": withheld.reason.value, "rule": withheld.rule,
                                "field": field_name})
        self.rules.add(withheld.rule)

    def disclose_person(self, view: PersonView) -> None:
        self.subjects.add(view.id)
        self.rules |= view.rules
        self.break_glass = self.break_glass or view.break_glass


class RequestScope:
    """One request: the caller, their purpose, loaders and what was disclosed."""

    def __init__(self, services: Services, principal: Principal, purpose: str, request_id: str) -> None:
        self.services = services
        self.principal = principal
        self.purpose = purpose
        self.request_id = request_id
        self.subject = Subject(principal.user, principal.agency, principal.role, purpose, principal.clearances)
        self.disclosure = Disclosure()
        self.pdp = services.pdp
        self.db = services.db
        self.settings = services.settings
        self._grants: asyncio.Future[Mapping[str, str]] | None = None
        self._people: dict[str, PersonView | None] = {}
        self._household_members: dict[str, tuple[MemberSources, ...]] = {}  # household id -> sources and marks
        # The loaders hold the database, never the scope: a scope they referred back to would make every request a
        # reference cycle, freed only by the cyclic garbage collector (which then took ~30% of the API's CPU).
        marker = services.restricted_marker
        self.person_bundles: DataLoader[str, list[PersonBundle]] = DataLoader(load_fn=_people_loader(self.db, marker))
        self.household_bundles: DataLoader[str, HouseholdBundle | None] = DataLoader(
            load_fn=_households_loader(self.db, marker))
        self.link_rows: DataLoader[str, list[dict[str, Any]]] = DataLoader(load_fn=_links_loader(self.db))
        self.record_people: DataLoader[str, tuple[bool, str | None]] = DataLoader(
            load_fn=_record_people_loader(self.db))

    # ------------------------------------------------------------------ policy
    def require(self, operation: str) -> Decision:
        """The operation must be permitted for this role and purpose; Forbidden otherwise."""
        self.disclosure.operations.add(operation)
        decision = self.pdp.operation(self.subject, operation)
        self.disclosure.rules.add(decision.rule)
        if not decision.permitted:
            raise Forbidden(f"the policy does not allow {operation} for role {self.subject.role} "
                            f"with purpose {self.subject.purpose}")
        return decision

    async def grants(self) -> Mapping[str, str]:
        """Person id -> grant id of this user's live break-glass grants (for this purpose); read once a request,
        together with other requests' (the same rows whoever asks: they depend on the user and purpose alone)."""
        if self._grants is None:
            # The future itself is kept, so callers that ask while the read is in flight wait for the same answer.
            if self.pdp.break_glass_allowed(self.subject).permitted:
                self._grants = self.services.break_glass_grants.future((self.subject.user, self.subject.purpose))
            else:
                self._grants = asyncio.get_running_loop().create_future()
                self._grants.set_result({})
        return await self._grants

    # ------------------------------------------------------------------ loaders
    async def person_and_household(self, person_id: str) -> PersonView | None:
        """The person when their household will be wanted too: one query loads the household with its members,
        the person among them (a person without a household, or an old id, takes the usual way)."""
        if person_id not in self._people:
            rows = await self.db.read("api/household_bundles", {"ids": [], "person_ids": [person_id],
                                                                 "restricted_marker": self.services.restricted_marker})
            for row in rows:
                self._prime_household(HouseholdBundle.from_row(row))
        return await self.person(person_id)

    async def person_and_household_count(self, person_id: str) -> PersonView | None:
        """The person when only their household's id and size will be wanted: one query loads the person and, for
        each household member, the sources and marks of their records, enough for :meth:`household_size` to count
        the members the caller may see without loading and judging every member's records."""
        if person_id not in self._people:
            # Read together with other requests' single views (the rows of this id only come back; nothing shared
            # is kept, and the policy judges them in this request).
            rows = await self.services.person_household_counts.load(person_id)
            for row in rows:
                if row["household_id"]:
                    self._household_members[row["household_id"]] = household_members_from_row(row)
            self.person_bundles.prime(person_id, parse_person_rows(rows).get(person_id, []))
        return await self.person(person_id)

    async def household_size(self, household_id: str) -> int | None:
        """How many of the household's members the caller may see, when :meth:`person_and_household_count` loaded
        their sources and marks (None otherwise: the household's view has to be built)."""
        members = self._household_members.get(household_id)
        if members is None:
            return None
        return count_visible_members(members, self.subject, self.pdp, await self.grants())

    def _prime_household(self, bundle: HouseholdBundle) -> None:
        """A household fetched with its members: both go into this request's loaders (no second query for them)."""
        self.household_bundles.prime(bundle.id, bundle)
        for member in bundle.people:
            self.person_bundles.prime(member.id, [member])

    async def network_start(self, person_id: str) -> list[dict[str, Any]]:
        """The first layers of a network around the person in one query: their household with its members, and
        the people attached to the addresses, phones, emails and schools on their records. The bundles go into
        this request's loaders (raw values: views are built from them, through the policy, only when asked for);
        returns the hub rows (as ``api/expand_hubs`` gives them) for every hub on the person's records."""
        # Read together with other requests' networks, as the single view's first read (Services).
        row = await self.services.network_starts.load(person_id)
        if row is None:
            return []
        for household in row["households"]:
            self._prime_household(HouseholdBundle.from_row(household))
        for person in row["people"]:
            self.person_bundles.prime(person["id"], [person_from_row(person)])
        return list(row["hubs"])

    # ------------------------------------------------------------------ people
    async def person(self, person_id: str) -> PersonView | None:
        """The person (or, for an old id, the survivor; for a split, the largest part) as this caller may see them."""
        if person_id in self._people:
            return self._people[person_id]
        bundles = await self.person_bundles.load(person_id)
        grants = await self.grants() if bundles else {}
        views = [view for bundle in bundles
                 if (view := build_person(bundle, self.subject, self.pdp,
                                          break_glass=bundle.id in grants or person_id in grants)) is not None]
        chosen: PersonView | None = None
        if views:
            # A split: the part holding most of what the caller can see, and the others named as successors.
            chosen = max(views, key=lambda v: (len(v.records) + len(v.held), v.id))
            if chosen.resolution.kind != "SAME":
                visible = tuple(sorted(v.id for v in views))
                chosen = _with_successors(chosen, visible)
        self._people[person_id] = chosen
        return chosen

    async def people(self, ids: Iterable[str]) -> list[PersonView | None]:
        # Gathered, so the DataLoader sends one query for all of them.
        return list(await asyncio.gather(*(self.person(i) for i in ids)))

    async def household(self, household_id: str) -> HouseholdView | None:
        bundle = await self.household_bundles.load(household_id)
        if bundle is None:
            return None
        self._prime_household(bundle)  # the members came with the household: no second query for them
        members = await self.people(person_id for person_id, _ in bundle.members)
        return build_household(bundle, zip(members, (e for _, e in bundle.members), strict=True),
                               self.subject, self.pdp)

    async def record(self, uid: str) -> RecordView | None:
        exists, person_id = await self.record_people.load(uid)
        if not exists or person_id is None:
            # Only resolved records are served: an unresolved one has no person to judge restrictions by.
            return None
        person = await self.person(person_id)
        if person is None or person.id != person_id:
            return None
        return next((r for r in person.records if r.uid == uid), None)

    async def links(self, person: PersonView) -> list[LinkView]:
        rows = await self.link_rows.load(person.id)
        by_uid = {r.uid: r for r in person.records}
        return [build_link(row, by_uid[row["a"]], by_uid[row["b"]]) for row in rows
                if row["a"] in by_uid and row["b"] in by_uid]


def _people_loader(db: AsyncDatabase, restricted_marker: str) -> Callable[[list[str]], Awaitable[list[list[PersonBundle]]]]:
    async def load(ids: list[str]) -> list[list[PersonBundle]]:
        rows = await db.read("api/person_bundles", {"ids": list(ids), "restricted_marker": restricted_marker})
        found = parse_person_rows(rows)
        return [found.get(i, []) for i in ids]

    return load


def _person_household_counts_reader(
        db: AsyncDatabase, restricted_marker: str) -> Callable[[list[str]], Awaitable[dict[str, list[dict[str, Any]]]]]:
    async def read(ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        rows = await db.read("api/person_household_counts", {"ids": ids, "restricted_marker": restricted_marker})
        found: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            found.setdefault(row["requested"], []).append(row)
        return found

    return read


def _break_glass_grants_reader(
        db: AsyncDatabase) -> Callable[[list[tuple[str, str]]], Awaitable[dict[tuple[str, str], Mapping[str, str]]]]:
    async def read(askers: list[tuple[str, str]]) -> dict[tuple[str, str], Mapping[str, str]]:
        rows = await db.read("policy/active_break_glass",
                             {"askers": [{"user": user, "purpose": purpose} for user, purpose in askers]})
        found: dict[tuple[str, str], dict[str, str]] = {}
        for row in rows:
            found.setdefault((row["user"], row["purpose"]), {})[row["person_id"]] = row["id"]
        return dict(found)

    return read


def _network_start_reader(db: AsyncDatabase, max_degree: int,
                          restricted_marker: str) -> Callable[[list[str]], Awaitable[dict[str, dict[str, Any] | None]]]:
    async def read(ids: list[str]) -> dict[str, dict[str, Any] | None]:
        rows = await db.read("api/network_start", {"person_ids": ids, "max_degree": max_degree,
                                                   "restricted_marker": restricted_marker})
        return {row["person_id"]: row for row in rows}

    return read


def _households_loader(db: AsyncDatabase,
                       restricted_marker: str) -> Callable[[list[str]], Awaitable[list[HouseholdBundle | None]]]:
    async def load(ids: list[str]) -> list[HouseholdBundle | None]:
        rows = await db.read("api/household_bundles", {"ids": list(ids), "person_ids": [],
                                                        "restricted_marker": restricted_marker})
        found = {row["id"]: HouseholdBundle.from_row(row) for row in rows}
        return [found.get(i) for i in ids]

    return load


def _links_loader(db: AsyncDatabase) -> Callable[[list[str]], Awaitable[list[list[dict[str, Any]]]]]:
    async def load(ids: list[str]) -> list[list[dict[str, Any]]]:
        rows = await db.read("api/person_links", {"ids": list(ids)})
        found: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            found.setdefault(row["person_id"], []).append(row)
        return [found.get(i, []) for i in ids]

    return load


def _record_people_loader(db: AsyncDatabase) -> Callable[[list[str]], Awaitable[list[tuple[bool, str | None]]]]:
    async def load(uids: list[str]) -> list[tuple[bool, str | None]]:
        rows = await db.read("api/record_people", {"uids": list(uids)})
        found = {row["uid"]: row["person_id"] for row in rows}
        return [(uid in found, found.get(uid)) for uid in uids]

    return load


def _with_successors(view: PersonView, successors: tuple[str, ...]) -> PersonView:
    resolution = replace(view.resolution, successor_ids=successors)
    return replace(view, resolution=resolution)

