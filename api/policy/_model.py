"""The sharing policy as data: read from YAML, checked as a whole (every problem reported at once)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from dateutil.relativedelta import relativedelta

from api.errors import PolicyInvalid

__all__ = [
    "DEFAULT_POLICY",
    "EFFECTS",
    "OPERATIONS",
    "REQUIRED_PURPOSES",
    "REQUIRED_ROLES",
    "BreakGlassPolicy",
    "CategoryRule",
    "FieldGroup",
    "OperationRule",
    "Policy",
    "load_policy",
    "parse_policy",
]

POLICY_FORMAT = 1
#: A retention period: ISO 8601 years, months and days (P7Y, P6Y6M, P90D); calendar arithmetic, no hours.
RETENTION_PERIOD = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?")
EFFECTS = ("permit", "redact", "deny")
#: Every operation the API offers; operation rules name these.
OPERATIONS = ("person", "searchPeople", "household", "network", "path", "record", "breakGlass", "markRecord",
              "auditTrail", "breakGlassGrants", "reviewBreakGlass", "ingestRecords", "matchRecord", "personChanges",
              "reviewQueue", "stewardDecisions", "confirmLink", "rejectLink", "splitPerson", "mergePersons",
              "revokeDecision")
REQUIRED_ROLES = ("practitioner", "analyst", "steward", "system", "ig_lead")
REQUIRED_PURPOSES = ("mash_enquiry", "s47_enquiry", "s17_assessment", "early_help", "data_stewardship",
                     "data_submission")
REQUIRED_CATEGORIES = ("ordinary", "special_category_health", "criminal_offence", "owner_restricted")
#: The field group that decides whether a record exists for the caller at all.
RECORD_GROUP = "record"
WILDCARD = "*"


def _default_policy_path() -> Path:
    return Path(str(resources.files("api.policy").joinpath("default_policy.yaml")))


DEFAULT_POLICY = _default_policy_path()


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name: str
    sources: tuple[str, ...]
    contact: str


@dataclass(frozen=True, slots=True)
class FieldGroup:
    name: str
    fields: tuple[str, ...]
    category: str | None  # a category the fields carry besides their record's


@dataclass(frozen=True, slots=True)
class CategoryRule:
    id: str
    description: str
    agencies: frozenset[str]
    roles: frozenset[str]
    purposes: frozenset[str]
    categories: frozenset[str]
    fields: frozenset[str]
    owner: str  # "any" | "own"
    clearances: frozenset[str]
    effect: str
    agreement: str | None = None
    dpia: str | None = None


@dataclass(frozen=True, slots=True)
class OperationRule:
    id: str
    description: str
    operations: frozenset[str]
    agencies: frozenset[str]
    roles: frozenset[str]
    purposes: frozenset[str]
    effect: str


@dataclass(frozen=True, slots=True)
class BreakGlassPolicy:
    lifts: frozenset[str]
    ttl_minutes: int
    min_justification_chars: int


@dataclass(frozen=True)
class Policy:
    """A checked sharing policy. Build with :func:`load_policy` or :func:`parse_policy`."""

    version: str
    name: str
    source: str  # where it was read from
    digest: str  # sha256 of the file, recorded with the version
    agencies: Mapping[str, Agency]
    roles: Mapping[str, str]
    purposes: Mapping[str, str]
    categories: Mapping[str, str]
    sources: Mapping[str, str]  # source -> category
    field_groups: Mapping[str, FieldGroup]
    group_of_field: Mapping[str, str]
    restricted_flag: str | None
    restricted_category: str | None
    rules: tuple[CategoryRule, ...]
    operations: tuple[OperationRule, ...]
    break_glass: BreakGlassPolicy
    retention: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def retention_cutoff(self, category: str, today: date) -> date | None:
        """Records of ``category`` dated before this day have outlived its retention period (None: no period)."""
        period = self.retention.get(category)
        found = RETENTION_PERIOD.fullmatch(period) if period else None
        if found is None:
            return None
        years, months, days = (int(part or 0) for part in found.groups())
        return today - relativedelta(years=years, months=months, days=days)

    def owner_of(self, source: str) -> str | None:
        """The agency owning a source's records (None: no agency declares it)."""
        for agency in self.agencies.values():
            if source in agency.sources:
                return agency.code
        return None

    def contact_of(self, agency: str | None) -> str | None:
        found = self.agencies.get(agency or "")
        return found.contact if found else None


def load_policy(path: Path | None = None) -> Policy:
    """Read and check a policy file (the shipped default when ``path`` is None)."""
    path = path or DEFAULT_POLICY
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyInvalid(str(path), [f"cannot read the file: {exc.strerror or exc}"]) from exc
    return parse_policy(data, str(path))


def parse_policy(data: bytes | str, source: str = "<policy>") -> Policy:
    """Check a policy document and build it; raises :class:`PolicyInvalid` listing every problem."""
    raw = data.encode() if isinstance(data, str) else data
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise PolicyInvalid(source, [f"not valid YAML: {exc}"]) from exc
    problems: list[str] = []
    warnings: list[str] = []
    if not isinstance(document, Mapping):
        raise PolicyInvalid(source, ["the document must be a mapping of sections"])
    known_sections = {"policy_format", "version", "name", "owner", "agencies", "roles", "purposes", "categories",
                      "sources", "field_groups", "address_restriction", "rules", "operations", "break_glass",
                      "retention"}
    for key in document:
        if key not in known_sections:
            problems.append(f"unknown section {key!r}")
    if document.get("policy_format") != POLICY_FORMAT:
        problems.append(f"policy_format must be {POLICY_FORMAT}")
    version = document.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append("version is required (a string, e.g. \"2026.1\"): it is recorded in every audit entry")
        version = ""

    def names(section: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
        value = document.get(section)
        if not isinstance(value, Mapping) or not value:
            problems.append(f"{section} must be a non-empty mapping")
            return {}
        for needed in required:
            if needed not in value:
                warnings.append(f"{section} has no {needed!r} (expected by the API's documentation)")
        return {str(k): v for k, v in value.items()}

    roles = {k: str(v or "") for k, v in names("roles", REQUIRED_ROLES).items()}
    purposes = {k: str(v or "") for k, v in names("purposes", REQUIRED_PURPOSES).items()}
    categories = {k: str(v or "") for k, v in names("categories", REQUIRED_CATEGORIES).items()}

    agencies: dict[str, Agency] = {}
    for code, spec in names("agencies").items():
        if not isinstance(spec, Mapping):
            problems.append(f"agencies.{code} must be a mapping with name, sources, contact")
            continue
        owned = spec.get("sources") or []
        if not isinstance(owned, list) or not all(isinstance(s, str) for s in owned):
            problems.append(f"agencies.{code}.sources must be a list of source codes")
            owned = []
        if not spec.get("contact"):
            problems.append(f"agencies.{code}.contact is required (shown for held-not-disclosed records)")
        agencies[code] = Agency(code=code, name=str(spec.get("name") or code), sources=tuple(owned),
                                contact=str(spec.get("contact") or ""))
    owners: dict[str, str] = {}
    for agency in agencies.values():
        for source_code in agency.sources:
            if source_code in owners:
                problems.append(f"source {source_code!r} is owned by both {owners[source_code]!r} and {agency.code!r}")
            owners[source_code] = agency.code

    sources: dict[str, str] = {}
    for source_code, category in names("sources").items():
        if category not in categories:
            problems.append(f"sources.{source_code}: unknown category {category!r}")
        else:
            sources[source_code] = category
        if source_code not in owners:
            warnings.append(f"source {source_code!r} has no owning agency: its records cannot be marked")

    field_groups: dict[str, FieldGroup] = {}
    group_of_field: dict[str, str] = {}
    for group_name, spec in names("field_groups").items():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("fields"), list):
            problems.append(f"field_groups.{group_name} must be a mapping with a list of fields")
            continue
        category = spec.get("category")
        if category is not None and category not in categories:
            problems.append(f"field_groups.{group_name}: unknown category {category!r}")
        for field_name in spec["fields"]:
            if field_name in group_of_field:
                problems.append(f"field {field_name!r} is in both {group_of_field[field_name]!r} and {group_name!r}")
            group_of_field[str(field_name)] = group_name
        field_groups[group_name] = FieldGroup(group_name, tuple(str(f) for f in spec["fields"]), category)
    if field_groups and RECORD_GROUP not in field_groups:
        problems.append(f"field_groups must define {RECORD_GROUP!r} (it decides whether a record exists for the caller)")

    restriction = document.get("address_restriction") or {}
    restricted_flag = restricted_category = None
    if restriction:
        if not isinstance(restriction, Mapping):
            problems.append("address_restriction must be a mapping with flag and category")
        else:
            restricted_flag = restriction.get("flag")
            restricted_category = restriction.get("category")
            if not isinstance(restricted_flag, str) or not restricted_flag.isidentifier():
                problems.append("address_restriction.flag must be an attribute name such as 'restricted'")
            if restricted_category not in categories:
                problems.append(f"address_restriction.category: unknown category {restricted_category!r}")

    def name_set(where: str, value: Any, allowed: Mapping[str, Any] | tuple[str, ...], what: str) -> frozenset[str]:
        if value is None:
            problems.append(f"{where}: {what} is required (use [\"*\"] for all)")
            return frozenset()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{where}: {what} must be a list of names")
            return frozenset()
        for item in value:
            if item != WILDCARD and item not in allowed:
                singular = {"agencies": "agency", "categories": "category", "fields": "field group"}.get(
                    what, what[:-1] if what.endswith("s") else what)
                problems.append(f"{where}: unknown {singular} {item!r}")
        return frozenset(value)

    rules: list[CategoryRule] = []
    seen_ids: set[str] = set()

    def rule_id_of(where: str, spec: Mapping[str, Any]) -> str:
        """A rule's id, unique across category and operation rules (problems noted, never raised)."""
        rule_id = spec.get("id")
        if not isinstance(rule_id, str) or not rule_id:
            problems.append(f"{where}: id is required")
            rule_id = where
        elif rule_id in seen_ids:
            problems.append(f"{where}: duplicate rule id {rule_id!r}")
        seen_ids.add(rule_id)
        return rule_id
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.append("rules must be a non-empty list")
        raw_rules = []
    for index, spec in enumerate(raw_rules):
        where = f"rules[{index}]"
        if not isinstance(spec, Mapping):
            problems.append(f"{where} must be a mapping")
            continue
        rule_id = rule_id_of(where, spec)
        where = f"rule {rule_id}"
        unknown_keys = set(spec) - {"id", "description", "agencies", "roles", "purposes", "categories", "fields",
                                    "owner", "clearances", "effect", "agreement", "dpia"}
        for key in sorted(unknown_keys):
            problems.append(f"{where}: unknown key {key!r}")
        effect = spec.get("effect")
        if effect not in EFFECTS:
            problems.append(f"{where}: effect must be one of {list(EFFECTS)}")
        owner = spec.get("owner", "any")
        if owner not in ("any", "own"):
            problems.append(f"{where}: owner must be 'any' or 'own'")
        clearances = spec.get("clearances") or []
        if not isinstance(clearances, list) or not all(isinstance(c, str) for c in clearances):
            problems.append(f"{where}: clearances must be a list of names")
            clearances = []
        rules.append(CategoryRule(
            id=rule_id, description=str(spec.get("description") or ""),
            agencies=name_set(where, spec.get("agencies"), agencies, "agencies"),
            roles=name_set(where, spec.get("roles"), roles, "roles"),
            purposes=name_set(where, spec.get("purposes"), purposes, "purposes"),
            categories=name_set(where, spec.get("categories"), categories, "categories"),
            fields=name_set(where, spec.get("fields", [WILDCARD]), field_groups, "fields"),
            owner=str(owner), clearances=frozenset(clearances), effect=str(effect),
            agreement=spec.get("agreement"), dpia=spec.get("dpia"),
        ))

    operations: list[OperationRule] = []
    raw_ops = document.get("operations")
    if not isinstance(raw_ops, list) or not raw_ops:
        problems.append("operations must be a non-empty list")
        raw_ops = []
    for index, spec in enumerate(raw_ops):
        where = f"operations[{index}]"
        if not isinstance(spec, Mapping):
            problems.append(f"{where} must be a mapping")
            continue
        rule_id = rule_id_of(where, spec)
        where = f"operation rule {rule_id}"
        for key in sorted(set(spec) - {"id", "description", "operations", "agencies", "roles", "purposes", "effect"}):
            problems.append(f"{where}: unknown key {key!r}")
        effect = spec.get("effect")
        if effect not in ("permit", "deny"):
            problems.append(f"{where}: effect must be permit or deny")
        operations.append(OperationRule(
            id=rule_id, description=str(spec.get("description") or ""),
            operations=name_set(where, spec.get("operations"), OPERATIONS, "operations"),
            agencies=name_set(where, spec.get("agencies"), agencies, "agencies"),
            roles=name_set(where, spec.get("roles"), roles, "roles"),
            purposes=name_set(where, spec.get("purposes"), purposes, "purposes"),
            effect=str(effect),
        ))

    glass = document.get("break_glass") or {}
    if not isinstance(glass, Mapping):
        problems.append("break_glass must be a mapping")
        glass = {}
    lifts = glass.get("lifts") or []
    for category in lifts:
        if category not in categories:
            problems.append(f"break_glass.lifts: unknown category {category!r}")
        if category in ("owner_restricted", restricted_category):
            problems.append(f"break_glass.lifts must not include {category!r}: break-glass never overrides an "
                            "owner's restriction or a restricted address")
    ttl = glass.get("ttl_minutes", 240)
    if not isinstance(ttl, int) or not 1 <= ttl <= 24 * 60:
        problems.append("break_glass.ttl_minutes must be a whole number of minutes between 1 and 1440")
        ttl = 240
    min_chars = glass.get("min_justification_chars", 20)
    if not isinstance(min_chars, int) or min_chars < 1:
        problems.append("break_glass.min_justification_chars must be a positive whole number")
        min_chars = 20

    retention = document.get("retention") or {}
    if not isinstance(retention, Mapping):
        problems.append("retention must be a mapping of category to an ISO 8601 duration")
        retention = {}
    for category, period in retention.items():
        if category not in categories:
            problems.append(f"retention: unknown category {category!r}")
        if not isinstance(period, str) or RETENTION_PERIOD.fullmatch(period) is None or period == "P":
            problems.append(f"retention.{category}: {period!r} is not a period in years, months and days "
                            "(ISO 8601, e.g. P7Y or P6Y6M)")

    if problems:
        raise PolicyInvalid(source, problems)
    return Policy(
        version=str(version), name=str(document.get("name") or ""), source=source,
        digest=hashlib.sha256(raw).hexdigest(), agencies=agencies, roles=roles, purposes=purposes,
        categories=categories, sources=sources, field_groups=field_groups, group_of_field=group_of_field,
        restricted_flag=restricted_flag, restricted_category=restricted_category, rules=tuple(rules),
        operations=tuple(operations),
        break_glass=BreakGlassPolicy(frozenset(lifts), ttl, min_chars),
        retention={str(k): str(v) for k, v in retention.items()}, warnings=tuple(warnings),
    )
