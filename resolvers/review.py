"""The data steward's review queue: uncertain links and suspicious people, most impactful first.

Uncertain links are scored pairs whose match weight falls between two thresholds (defaults: 4 bits
either side of the 2-bit link threshold) that are not cannot-links and have no active
steward decision. A decision on one joins or separates two people, so impact is the number of
records plus twice the number of agencies involved. Suspicious people hold several valid NHS numbers,
UPNs or PNC ids (only a steward's confirmation can cause that), or are adults linked to several
households. Each link item carries both records side by side and the field-by-field explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph_model.db import Database
from resolvers.link_evidence import decode_explanation

__all__ = ["ReviewItem", "ReviewQueue", "SuspiciousPerson"]


@dataclass
class ReviewItem:
    a: str
    b: str
    person_a: str
    person_b: str
    same_person: bool
    weight: float
    probability: float
    explanation: list[dict[str, Any]]
    impact: int
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # uid -> stored record values
    sources: tuple[str, str] = ("", "")  # a's and b's, with their sharing marks: who may see them
    marks: tuple[str | None, str | None] = (None, None)
    rules: tuple[str, ...] = ()


@dataclass
class SuspiciousPerson:
    person_id: str
    reasons: list[str]
    impact: int
    seen_as: list[tuple[str, str | None]] = field(default_factory=list)  # each record's source and sharing mark


class ReviewQueue:
    def __init__(self, db: Database, lower: float = -2.0, upper: float = 6.0) -> None:
        if lower >= upper:
            raise ValueError("the lower review threshold must be below the upper one")
        self.db, self.lower, self.upper = db, lower, upper

    def links(self, first: int = 20, offset: int = 0, *, side_by_side: bool = True) -> list[ReviewItem]:
        """Uncertain links, most impactful first; ``side_by_side`` also reads both records' stored values."""
        rows = self.db.run("review/uncertain_links", {"lower": self.lower, "upper": self.upper,
                                                      "skip": offset, "limit": first})
        uids = sorted({r["a"] for r in rows} | {r["b"] for r in rows})
        records = ({r["uid"]: r for r in self.db.run("review/records_side_by_side", {"uids": uids})}
                   if uids and side_by_side else {})
        return [ReviewItem(a=r["a"], b=r["b"], person_a=r["person_a"], person_b=r["person_b"],
                           same_person=r["same_person"], weight=r["weight"], probability=r["probability"],
                           explanation=decode_explanation(r["explanation"]), impact=r["impact"],
                           records={u: records.get(u, {}) for u in (r["a"], r["b"])} if side_by_side else {},
                           sources=(r["a_source"], r["b_source"]), marks=(r["a_mark"], r["b_mark"]),
                           rules=tuple(r["rules"] or ())) for r in rows]

    def suspicious(self, first: int = 20, offset: int = 0) -> list[SuspiciousPerson]:
        return [SuspiciousPerson(r["person_id"], r["reasons"], r["impact"], [tuple(x) for x in r["seen_as"]])
                for r in self.db.run("review/suspicious_people", {"skip": offset, "limit": first})]
