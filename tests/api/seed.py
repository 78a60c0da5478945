"""Hand-made multi-agency records with known answers, loaded and resolved for real.

Markers (``Qz...`` values, unique per run) sit in places some callers must never see:
  * ``police_name``     the family name on a police-only person's record (criminal offence data)
  * ``held_name``       the middle name on a police record of Ava that police marked held-not-disclosed
  * ``owner_name``      the middle name on Zak's social care record marked owner-restricted
  * ``restricted_line`` the address line of Lily, whose health record is flagged restricted (FHIR R)
  * ``secret_attr``     an extra field the policy does not categorise (never disclosed to anyone)
  * ``gp_code``         Ava's GP practice (health details: special category)
  * ``pnc``             a PNC id on Dan's police record (criminal offence data)
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph_model.db import Database
from graph_model.ingest import ingest_file
from resolvers.pipeline import ResolveOptions, resolve_all

HOME = {"line1": "10 High Street", "town": "Leeds", "postcode": "LS6 2AB"}
LANDLINE = "0113 496 0000"
ZAK_PHONE = "07700 900333"  # only on Zak's owner-restricted social care record


def _marker(prefix: str) -> str:
    # Letters only, so the marker survives name normalisation untouched.
    return "Qz" + prefix + "".join(secrets.choice("bcdfghjkmnpqrstvwxz") for _ in range(10))


@dataclass
class Seeded:
    markers: dict[str, str]
    person_of: dict[str, str]  # record uid -> person id
    household_of: dict[str, str] = field(default_factory=dict)  # person id -> household id

    def person(self, uid: str) -> str:
        return self.person_of[uid]


def records(markers: dict[str, str]) -> list[dict[str, Any]]:
    def rec(source: str, source_id: str, given: str, family: str, dob: str | None, **extra: Any) -> dict[str, Any]:
        record: dict[str, Any] = {"source": source, "source_id": source_id, "given_name": given,
                                  "family_name": family, "dob": dob}
        if "addresses" not in extra:
            record["addresses"] = [HOME]
        record.update(extra)
        return record

    lily_home = {"line1": f"7 {markers['restricted_line']} Grove", "town": "Leeds", "postcode": "LS8 4QT",
                 "from": "2023-09-01"}
    return [
        # The Khan family at 10 High Street.
        rec("health", "H-SARA", "Sara", "Khan", "1985-03-12", sex="F", phones=["07700 900111", LANDLINE],
            identifiers={"nhs_number": "4010232137"}),
        rec("housing", "T-SARA", "Sarah", "Khan", "12/03/1985", sex="F", phones=[LANDLINE]),
        rec("education", "C-SARA", "Sara", "Khan", None, phones=["07700 900111"],
            relationships=[{"type": "parent_of", "source_id": "P-AVA"}, {"type": "parent_of", "source_id": "P-ZAK"}]),
        rec("health", "H-DAN", "Daniel", "Khan", "1983-07-01", sex="M", phones=["07700 900222"]),
        rec("police", "N-DAN", "Dan", "Khan", "1983-07-01", sex="M", identifiers={"pnc_id": markers["pnc"]}),
        rec("health", "H-AVA", "Ava", "Khan", "2016-05-20", sex="F", identifiers={"nhs_number": "9434765919"},
            gp_ods_code=markers["gp_code"], consent="given"),
        rec("education", "P-AVA", "Ava", "Khan", "2016-05-20", sex="F", school={"urn": "107999", "name": "Meanwood"},
            identifiers={"upn": "A123456789012"}, secret_note=markers["secret_attr"]),
        rec("social_care", "S-AVA", "Ava", "Khan", "2016-05-20", sex="F"),
        rec("police", "N-AVA", "Ava", "Khan", "2016-05-20", sex="F", middle_names=markers["held_name"]),
        rec("health", "H-ZAK", "Zakariya", "Khan", "2012-11-02", sex="M"),
        rec("education", "P-ZAK", "Zak", "Khan", "2012-11-02", sex="M", school={"urn": "107999", "name": "Meanwood"}),
        rec("social_care", "S-ZAK", "Zak", "Khan", "2012-11-02", sex="M", middle_names=markers["owner_name"],
            phones=[ZAK_PHONE]),
        # A man police alone know, sharing the Khans' landline (a network edge only police may see).
        rec("police", "N-CONNOR", "Connor", markers["police_name"], "1990-02-14", sex="M", phones=[LANDLINE],
            addresses=[{"line1": "3 Mill Lane", "town": "Leeds", "postcode": "LS9 8AA"}]),
        # Lily: her health record is restricted (her address must not be disclosed).
        rec("health", "H-LILY", "Lily", "Fenwick", "2012-06-14", sex="F", identifiers={"nhs_number": "9993909963"},
            addresses=[lily_home], restricted=True, confidentiality="R"),
        rec("education", "P-LILY", "Lily", "Fenwick", "2012-06-14", sex="F", addresses=[lily_home],
            school={"urn": "107999", "name": "Meanwood"}),
        rec("social_care", "S-JOAN", "Joan", "Fenwick", "1980-01-30", sex="F", addresses=[lily_home],
            relationships=[{"type": "parent_of", "source_id": "S-LILY"}]),
        rec("social_care", "S-LILY", "Lily", "Fenwick", "2012-06-14", sex="F", addresses=[lily_home]),
    ]


def load(db: Database, tmp_path: Path, rows: list[dict[str, Any]], name: str = "records.jsonl") -> None:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    summary = ingest_file(db, path)
    assert summary.rejected == 0, summary.rejection_counts


def resolve(db: Database, tmp_path: Path) -> None:
    resolve_all(db, ResolveOptions(model_path=tmp_path / "model.json"))


def assignments(db: Database) -> tuple[dict[str, str], dict[str, str]]:
    rows, _, _ = db.driver.execute_query(
        "MATCH (r:Record)-[:RESOLVES_TO]->(p:Person) OPTIONAL MATCH (p)-[:MEMBER_OF]->(h:Household) "
        "RETURN r.uid AS uid, p.id AS pid, h.id AS hid")
    return ({row["uid"]: row["pid"] for row in rows},
            {row["pid"]: row["hid"] for row in rows if row["hid"]})


def mark(db: Database, uid: str, kind: str, agency: str) -> None:
    db.run("policy/set_mark", {"uid": uid, "kind": kind, "contact": f"{agency} desk", "agency": agency,
                               "user": "seed"})


def seed_family(db: Database, tmp_path: Path, extra: list[dict[str, Any]] | None = None) -> Seeded:
    db.run("admin/delete_all_batch", {"batch_size": 10000})
    db.ensure_schema()
    markers = {name: _marker(name[:3]) for name in ("police_name", "held_name", "owner_name", "restricted_line",
                                                    "secret_attr", "gp_code")}
    markers["pnc"] = "09/0011111Z"
    load(db, tmp_path, records(markers) + list(extra or ()))
    resolve(db, tmp_path)
    mark(db, "police:N-AVA", "held_not_disclosed", "police")
    mark(db, "social_care:S-ZAK", "owner_restricted", "social_care")
    person_of, household_of = assignments(db)
    return Seeded(markers=markers, person_of=person_of, household_of=household_of)
