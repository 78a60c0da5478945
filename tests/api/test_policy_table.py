"""The sharing policy as a decision table: role x purpose x category (for every agency), parametrised.

The expectations below are written from the requirements, independently of the policy file; every
combination not listed must come out deny.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from api.errors import PolicyInvalid
from api.policy import (
    DEFAULT_POLICY,
    OPERATIONS,
    Effect,
    PolicyDecisionPoint,
    RedactionReason,
    Subject,
    category_rows,
    load_policy,
    operation_rows,
    parse_policy,
)

POLICY = load_policy()
PDP = PolicyDecisionPoint(POLICY)
AGENCIES = list(POLICY.agencies)
PARTNERS = ["police", "health", "education", "social_care", "housing", "probation", "mash"]
SAFEGUARDING = ["mash_enquiry", "s47_enquiry", "s17_assessment", "early_help"]
ALL = "*"

# (agencies, roles, purposes, categories, owner_only, effect) as the requirements state them.
EXPECTED_RULES: list[tuple[list[str] | str, list[str], list[str], list[str], bool, Effect]] = [
    # Ordinary records: partner practitioners for every safeguarding purpose.
    (PARTNERS, ["practitioner"], SAFEGUARDING, ["ordinary"], False, Effect.PERMIT),
    # MASH and s47 enquiries: every agency's records for practitioners and analysts.
    (ALL, ["practitioner", "analyst"], ["mash_enquiry", "s47_enquiry"],
     ["ordinary", "special_category_health", "criminal_offence"], False, Effect.PERMIT),
    # Police and probation see criminal offence records for s17 and early help.
    (["police", "probation"], ["practitioner"], ["s17_assessment", "early_help"], ["criminal_offence"], False,
     Effect.PERMIT),
    # Social workers in s17: police records exist but are redacted.
    (["social_care"], ["practitioner"], ["s17_assessment"], ["criminal_offence"], False, Effect.REDACT),
    # Health records outside MASH/s47: health sees them; other partners see who health knows.
    (["health"], ["practitioner"], ["s17_assessment", "early_help"], ["special_category_health"], False, Effect.PERMIT),
    (["police", "education", "social_care", "housing", "probation", "mash"], ["practitioner"],
     ["s17_assessment", "early_help"], ["special_category_health"], False, Effect.PERMIT),
    # Stewards see what review needs.
    (ALL, ["steward"], ["data_stewardship"], ["ordinary", "special_category_health", "criminal_offence"], False,
     Effect.PERMIT),
    # Owner-restricted records: the owning agency's own staff only.
    (ALL, ["practitioner", "analyst", "steward"], [*SAFEGUARDING, "data_stewardship"], ["owner_restricted"], True,
     Effect.PERMIT),
    # Agency systems: their own records when submitting.
    (ALL, ["system"], ["data_submission"],
     ["ordinary", "special_category_health", "criminal_offence", "owner_restricted"], True, Effect.PERMIT),
]


def expected(agency: str, role: str, purpose: str, category: str, owner: bool) -> Effect:
    found: Effect | None = None
    strictness = {Effect.PERMIT: 0, Effect.REDACT: 1, Effect.DENY: 2}
    for agencies, roles, purposes, categories, owner_only, effect in EXPECTED_RULES:
        matches = ((agencies == ALL or agency in agencies) and role in roles and purpose in purposes
                   and category in categories and (owner or not owner_only))
        if matches and (found is None or strictness[effect] > strictness[found]):
            found = effect
    return found or Effect.DENY


@pytest.mark.parametrize(("role", "purpose", "category"),
                         list(itertools.product(POLICY.roles, POLICY.purposes, POLICY.categories)))
def test_decision_table(role: str, purpose: str, category: str) -> None:
    """Every agency, owning the record or not: the listed decision, and deny for anything unlisted."""
    for agency, owner in itertools.product(AGENCIES, (False, True)):
        decision = PDP.record_access(Subject("u", agency, role, purpose), category, owner=owner)
        want = expected(agency, role, purpose, category, owner)
        assert decision.effect is want, (agency, role, purpose, category, owner, decision)
        if want is Effect.DENY:
            assert decision.reason is RedactionReason.NOT_PERMITTED


def test_every_listed_combination_is_in_the_printed_table() -> None:
    rows = {(r.agency, r.role, r.purpose, r.category, r.owner): r.record for r in category_rows(PDP)}
    for agency, role, purpose, category, owner in itertools.product(AGENCIES, POLICY.roles, POLICY.purposes,
                                                                    POLICY.categories, (False, True)):
        want = expected(agency, role, purpose, category, owner)
        if want is not Effect.DENY and not owner:
            assert rows[(agency, role, purpose, category, False)] is want


def test_a_record_of_an_unknown_source_or_field_is_most_restrictive() -> None:
    subject = Subject("u", "police", "practitioner", "s47_enquiry")
    assert PDP.category_of("ambulance") is None
    assert PDP.record_access(subject, None).effect is Effect.DENY
    decision = PDP.field(subject, "ordinary", "attribute.never_categorised")
    assert decision.effect is Effect.DENY and decision.reason is RedactionReason.UNCATEGORISED_FIELD


@pytest.mark.parametrize(("agency", "role", "purpose", "category", "field", "effect"), [
    # Health details are redacted outside s47 and MASH enquiries, identity stays.
    ("education", "practitioner", "early_help", "special_category_health", "givenName", Effect.PERMIT),
    ("education", "practitioner", "early_help", "special_category_health", "addresses", Effect.REDACT),
    ("education", "practitioner", "early_help", "special_category_health", "attribute.gp_ods_code", Effect.REDACT),
    ("social_care", "practitioner", "s17_assessment", "special_category_health", "identifier.nhs_number",
     Effect.REDACT),
    ("police", "practitioner", "s47_enquiry", "special_category_health", "attribute.gp_ods_code", Effect.PERMIT),
    ("health", "practitioner", "early_help", "special_category_health", "attribute.gp_ods_code", Effect.PERMIT),
    # A PNC id is criminal offence data whoever holds it.
    ("education", "practitioner", "early_help", "ordinary", "identifier.pnc_id", Effect.DENY),
    ("police", "practitioner", "early_help", "ordinary", "identifier.pnc_id", Effect.PERMIT),
    # Health details on a police record carry both categories: permitted only where both are.
    ("police", "practitioner", "early_help", "criminal_offence", "attribute.gp_ods_code", Effect.REDACT),
    # Stewards: identity yes, health details never (minimum necessary).
    ("mash", "steward", "data_stewardship", "special_category_health", "dob", Effect.PERMIT),
    ("mash", "steward", "data_stewardship", "special_category_health", "attribute.gp_ods_code", Effect.DENY),
    ("mash", "steward", "data_stewardship", "ordinary", "attribute.consent", Effect.DENY),
    # Social workers in s17 see police records only as redacted shells.
    ("social_care", "practitioner", "s17_assessment", "criminal_offence", "sourceId", Effect.REDACT),
])
def test_field_decisions(agency: str, role: str, purpose: str, category: str, field: str, effect: Effect) -> None:
    assert PDP.field(Subject("u", agency, role, purpose), category, field).effect is effect


def test_restricted_address_needs_a_clearance_and_the_right_purpose() -> None:
    with_clearance = Subject("u", "police", "practitioner", "s47_enquiry", frozenset({"restricted_address"}))
    assert PDP.restricted_address(with_clearance).effect is Effect.PERMIT
    without = Subject("u", "police", "practitioner", "s47_enquiry")
    decision = PDP.restricted_address(without)
    assert decision.effect is Effect.DENY and decision.reason is RedactionReason.ADDRESS_RESTRICTED
    wrong_purpose = Subject("u", "health", "practitioner", "early_help", frozenset({"restricted_address"}))
    assert PDP.restricted_address(wrong_purpose).effect is Effect.DENY


def test_break_glass_lifts_only_what_the_policy_lets_it() -> None:
    subject = Subject("u", "education", "practitioner", "early_help")
    assert PDP.record_access(subject, "criminal_offence").effect is Effect.DENY
    lifted = PDP.record_access(subject, "criminal_offence", break_glass=True)
    assert lifted.effect is Effect.PERMIT and lifted.break_glass and lifted.rule == "break-glass"
    assert PDP.field(subject, "special_category_health", "attribute.gp_ods_code", break_glass=True).permitted
    assert PDP.record_access(subject, "owner_restricted", break_glass=True).effect is Effect.DENY
    assert PDP.record_access(subject, None, break_glass=True).effect is Effect.DENY
    assert PDP.field(subject, "ordinary", "attribute.unlisted", break_glass=True).effect is Effect.DENY


EXPECTED_OPERATIONS = {
    ("practitioner", p): {"person", "searchPeople", "household", "record"} for p in SAFEGUARDING
} | {("analyst", p): {"person", "searchPeople", "household", "record"} for p in SAFEGUARDING}
for _role in ("practitioner", "analyst"):
    for _purpose in ("mash_enquiry", "s47_enquiry"):
        EXPECTED_OPERATIONS[(_role, _purpose)] = EXPECTED_OPERATIONS[(_role, _purpose)] | {"network", "path"}
for _purpose in ("s17_assessment", "early_help"):
    EXPECTED_OPERATIONS[("practitioner", _purpose)] = EXPECTED_OPERATIONS[("practitioner", _purpose)] | {"breakGlass"}
for _purpose in SAFEGUARDING:
    EXPECTED_OPERATIONS[("practitioner", _purpose)].add("markRecord")
for _purpose in SAFEGUARDING:
    for _role in ("practitioner", "analyst"):
        EXPECTED_OPERATIONS[(_role, _purpose)].add("personChanges")
EXPECTED_OPERATIONS[("steward", "data_stewardship")] = {
    "person", "searchPeople", "household", "record", "network", "path", "markRecord", "matchRecord", "personChanges",
    "reviewQueue", "stewardDecisions", "confirmLink", "rejectLink", "splitPerson", "mergePersons", "revokeDecision"}
EXPECTED_OPERATIONS[("system", "data_submission")] = {"record", "ingestRecords", "matchRecord", "personChanges"}


@pytest.mark.parametrize(("role", "purpose"), list(itertools.product(POLICY.roles, POLICY.purposes)))
def test_operation_table(role: str, purpose: str) -> None:
    for agency in AGENCIES:
        permitted = {op for op in OPERATIONS if PDP.operation(Subject("u", agency, role, purpose), op).permitted}
        want = set(EXPECTED_OPERATIONS.get((role, purpose), set()))
        if role == "ig_lead" and purpose == "audit_review" and agency == "governance":
            want = {"auditTrail", "breakGlassGrants", "reviewBreakGlass"}
        assert permitted == want, (agency, role, purpose)
    assert {r.operation for r in operation_rows(PDP) if r.role == role and r.purpose == purpose} <= (
        set(EXPECTED_OPERATIONS.get((role, purpose), set())) | {"auditTrail", "breakGlassGrants", "reviewBreakGlass"})


MINIMAL = """
policy_format: 1
version: "t1"
agencies: {a: {sources: [s], contact: c}, b: {sources: [t], contact: c}}
roles: {r: x}
purposes: {p: x}
categories: {ordinary: x, special: x}
sources: {s: ordinary, t: special}
field_groups: {record: {fields: [sourceId]}, identity: {fields: [givenName]}}
rules:
  - {id: P1, agencies: ["*"], roles: [r], purposes: [p], categories: [ordinary, special], effect: permit}
  - {id: D1, agencies: [b], roles: [r], purposes: [p], categories: [special], effect: deny}
  - {id: R1, agencies: [a], roles: [r], purposes: [p], categories: [special], fields: [identity], effect: redact}
operations:
  - {id: O1, operations: [person], agencies: ["*"], roles: [r], purposes: [p], effect: permit}
  - {id: O2, operations: [person], agencies: [b], roles: [r], purposes: [p], effect: deny}
"""


def test_deny_beats_redact_beats_permit() -> None:
    pdp = PolicyDecisionPoint(parse_policy(MINIMAL))
    a, b = Subject("u", "a", "r", "p"), Subject("u", "b", "r", "p")
    assert pdp.record_access(a, "special").effect is Effect.PERMIT
    assert pdp.decide(a, "special", "identity").effect is Effect.REDACT
    denied = pdp.record_access(b, "special")
    assert denied.effect is Effect.DENY and denied.rule == "D1"
    assert pdp.operation(a, "person").permitted and not pdp.operation(b, "person").permitted
    assert pdp.operation(a, "network").rule == "default-deny"


def test_invalid_policy_lists_every_problem() -> None:
    broken = MINIMAL.replace("categories: [ordinary, special], effect: permit",
                             "categories: [ordinary, secret], effect: allow") \
        .replace("sources: {s: ordinary, t: special}", "sources: {s: ordinary, t: nonsense}") \
        .replace('version: "t1"', "") + "\nbreak_glass: {lifts: [special, nope], ttl_minutes: 0}\n"
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(broken, "broken.yaml")
    problems = "\n".join(caught.value.problems)
    for expected_problem in ("version is required", "unknown category 'secret'", "effect must be one of",
                             "sources.t: unknown category 'nonsense'", "break_glass.lifts: unknown category 'nope'",
                             "ttl_minutes"):
        assert expected_problem in problems
    assert len(caught.value.problems) >= 6


def test_break_glass_may_never_lift_owner_restrictions(tmp_path: Path) -> None:
    text = DEFAULT_POLICY.read_text().replace("lifts: [special_category_health, criminal_offence]",
                                              "lifts: [special_category_health, owner_restricted]")
    with pytest.raises(PolicyInvalid, match="must not include 'owner_restricted'"):
        parse_policy(text)


def test_override_by_config(tmp_path: Path) -> None:
    from api.config import ApiSettings
    from graph_model.config import Settings

    custom = tmp_path / "policy.yaml"
    custom.write_text(DEFAULT_POLICY.read_text().replace(f'version: "{POLICY.version}"', 'version: "local-7"'))
    settings = ApiSettings.from_mapping({"MASHGRAPH_ENV": "development", "MASHGRAPH_POLICY_FILE": str(custom)},
                                        database=Settings())
    assert load_policy(settings.policy_file).version == "local-7"
    assert load_policy().version == POLICY.version != "local-7"
