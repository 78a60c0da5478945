"""Pushing canonical records through the API (ingestRecords), and reading back what resolution made of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from api.policy import load_policy
from graph_model.db import Database
from tests.api.helpers import ApiServer

PUSH = """mutation Push($records: [RecordInput!]!) {
  ingestRecords(records: $records) { source sourceId personId householdId status warnings error { code message field } }
}"""
SYSTEM = {"role": "system", "purpose": "data_submission"}
STEWARD = {"agency": "mash", "role": "steward", "purpose": "data_stewardship", "user": "s.jones"}
_OWNER = {source: agency for agency, spec in load_policy().agencies.items() for source in spec.sources}


def as_input(record: Mapping[str, Any]) -> dict[str, Any]:
    """A canonical (snake_case) record as a GraphQL RecordInput (fields the input has no place for are dropped)."""
    out: dict[str, Any] = {"source": record["source"], "sourceId": record["source_id"]}
    for canonical, name in (("given_name", "givenName"), ("middle_names", "middleNames"), ("family_name", "familyName"),
                            ("dob", "dob"), ("sex", "sex"), ("phones", "phones"), ("emails", "emails"),
                            ("recorded_at", "recordedAt")):
        if record.get(canonical) is not None:
            out[name] = record[canonical]
    if record.get("addresses"):
        out["addresses"] = [{k: a.get(k) for k in ("line1", "line2", "town", "postcode", "from", "to")}
                            for a in record["addresses"] if a.get("line1")]
    if record.get("identifiers"):
        out["identifiers"] = [{"scheme": k, "value": str(v)} for k, v in record["identifiers"].items() if v]
    if record.get("school"):
        out["school"] = {"urn": record["school"].get("urn"), "name": record["school"].get("name")}
    if record.get("relationships"):
        out["relationships"] = [{"type": r["type"], "sourceId": r["source_id"]} for r in record["relationships"]]
    return out


def owner(source: str) -> str:
    return _OWNER[source]


def push(api: ApiServer, records: Iterable[Mapping[str, Any]], *, agency: str | None = None) -> list[dict[str, Any]]:
    """Push records in one ingestRecords call as their agency's system (in process, the audited path)."""
    records = list(records)
    agency = agency or owner(records[0]["source"])
    data = api.data(PUSH, variables={"records": [as_input(r) for r in records]}, agency=agency, **SYSTEM)
    return data["ingestRecords"]  # type: ignore[no-any-return]


def person_of(db: Database) -> dict[str, str]:
    rows, _, _ = db.driver.execute_query("MATCH (r:Record)-[:RESOLVES_TO]->(p:Person) RETURN r.uid AS uid, p.id AS pid")
    return {row["uid"]: row["pid"] for row in rows}


def audit_entry(db: Database, request_id: str) -> dict[str, Any]:
    rows, _, _ = db.driver.execute_query("MATCH (e:AuditEntry {request_id: $id}) RETURN properties(e) AS e",
                                         id=request_id)
    assert len(rows) == 1
    return dict(rows[0]["e"])


def counts(db: Database) -> dict[str, int]:
    rows, _, _ = db.driver.execute_query(
        "CALL () { MATCH (r:Record) RETURN count(r) AS records } CALL () { MATCH (p:Person) RETURN count(p) AS people } "
        "CALL () { MATCH ()-[s:SIMILAR_TO]->() RETURN count(s) AS edges } "
        "CALL () { MATCH (e:IdentityEvent) RETURN count(e) AS events } "
        "CALL () { MATCH (h:Household) RETURN count(h) AS households } "
        "RETURN records, people, edges, events, households")
    return dict(rows[0])
