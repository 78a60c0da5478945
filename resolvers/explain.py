"""Why two records are, or are not, the same person: field by field, with any cannot-link."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph_model.db import Database
from graph_model.errors import InputError
from resolvers.features import features_from_row
from resolvers.model import LinkageModel
from resolvers.pipeline import DEFAULT_MODEL
from resolvers.scoring import cannot_link_reason, enabled_inferences

__all__ = ["PairExplanation", "explain_pair"]


@dataclass
class PairExplanation:
    a: str
    b: str
    weight: float
    probability: float
    contributions: list[dict[str, Any]]
    cannot_link: str | None
    same_person: bool | None  # as currently resolved (None: not resolved yet)
    person_ids: tuple[str | None, str | None]


def explain_pair(db: Database, uid_a: str, uid_b: str, model_path: Path) -> PairExplanation:
    rows = {row["uid"]: row for row in db.run("resolve/fetch_records_by_uid", {"uids": [uid_a, uid_b]})}
    for uid in (uid_a, uid_b):
        if uid not in rows:
            raise InputError(f"no record {uid}", hint="give records as SOURCE:ID, e.g. health:EMIS-000123")
    a, b = features_from_row(rows[uid_a]), features_from_row(rows[uid_b])
    # The model the last resolve used: its saved file, or the shipped default it starts from.
    model = LinkageModel.load(model_path if model_path.exists() else DEFAULT_MODEL)
    given: Counter[str] = Counter()
    family: Counter[str] = Counter()
    for row in db.run("resolve/name_frequencies"):
        if row["given"]:
            given[row["given"]] += row["records"]
        if row["family"]:
            family[row["family"]] += row["records"]
    names = [c.name for c in model.comparisons]
    model.tf = {"given_name": model.smoothed_frequencies(names.index("given_name"), given),
                "family_name": model.smoothed_frequencies(names.index("family_name"), family)}
    score = model.explain(a, b)
    levels = [c.level(a, b) for c in model.comparisons]
    reason = cannot_link_reason(levels, enabled_inferences(model))
    if reason is None and (uid_b in a.related or uid_a in b.related):
        reason = f"recorded_relationship_{a.related.get(uid_b) or b.related.get(uid_a)}"
    persons = {row["uid"]: row["person_id"] for row in db.run("resolve/person_of_records", {"uids": [uid_a, uid_b]})}
    pa, pb = persons.get(uid_a), persons.get(uid_b)
    return PairExplanation(
        a=uid_a, b=uid_b, weight=score.weight, probability=score.probability,
        contributions=[{"comparison": "prior", "level": "base rate", "weight": round(model.prior_weight, 3)},
                       *score.explanation()],
        cannot_link=reason, same_person=(pa == pb) if pa and pb else None, person_ids=(pa, pb),
    )
