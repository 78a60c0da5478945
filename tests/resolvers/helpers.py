"""Helpers for resolution tests: hand-made records in, people and households out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph_model.db import Database
from graph_model.ingest import ingest_file
from resolvers.features import RecordFeatures, features_from_row
from resolvers.pipeline import ResolveOptions, ResolveSummary, resolve_all


def load(db: Database, tmp_path: Path, records: list[dict[str, Any]], name: str = "records.jsonl") -> None:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    summary = ingest_file(db, path)
    assert summary.rejected == 0, summary.rejection_counts


def resolve(db: Database, tmp_path: Path, **options: Any) -> ResolveSummary:
    return resolve_all(db, ResolveOptions(model_path=tmp_path / "model.json", **options))


def person_of(db: Database) -> dict[str, str]:
    rows, _, _ = db.driver.execute_query("MATCH (r:Record)-[:RESOLVES_TO]->(p:Person) RETURN r.uid AS uid, p.id AS pid")
    return {row["uid"]: row["pid"] for row in rows}


def household_of(db: Database) -> dict[str, str]:
    rows, _, _ = db.driver.execute_query(
        "MATCH (r:Record)-[:RESOLVES_TO]->(:Person)-[:MEMBER_OF]->(h:Household) RETURN r.uid AS uid, h.id AS hid")
    return {row["uid"]: row["hid"] for row in rows}


def features(**fields: Any) -> RecordFeatures:
    """Features for a comparison test, through the same normalisation as ingest."""
    from graph_model.records import prepare

    record = {"source": "t", "source_id": fields.pop("source_id", "1"), **fields}
    prepared = prepare(record)
    props = prepared.props
    row = {
        "uid": prepared.uid, "source": prepared.source, "given": props.get("given_norm"),
        "given_canon": props.get("given_canon"), "given_groups": props.get("given_groups"),
        "middle": props.get("middle_norm"), "family": props.get("family_norm"),
        "family_parts": props.get("family_parts"), "family_phonetic": props.get("family_phonetic"),
        "dob": props.get("dob"), "sex": props.get("sex"), "recorded_at": props.get("recorded_at"),
        "given_raw": props.get("given_name"), "family_raw": props.get("family_name"),
        "addresses": [{"key": a["key"], "postcode": a["node"]["postcode"], "from": a["from"], "to": a["to"],
                       "current": a["current"]} for a in prepared.addresses],
        "phones": [[p["e164"], p["kind"]] for p in prepared.phones],
        "emails": [e["address"] for e in prepared.emails],
        "identifiers": [[i["scheme"], i["value"]] for i in prepared.identifiers if i["valid"]],
        "schools": [prepared.school["urn"]] if prepared.school else [],
        "related": [[r["target_uid"], r["type"], True] for r in prepared.relationships],
    }
    return features_from_row(row)
