"""Helpers for resolution tests: hand-made records in, people and households out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph_model.db import Database
from graph_model.ingest import ingest_file
from resolvers.features import RecordFeatures, features_from_record
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
    return features_from_record({"source": "t", "source_id": fields.pop("source_id", "1"), **fields})
