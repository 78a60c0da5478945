"""The review queue against the real graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_model.db import Database
from resolvers.pipeline import ResolveOptions
from resolvers.review import ReviewQueue
from resolvers.steward import StewardActor, Stewardship
from tests.resolvers.helpers import load, resolve
from tests.resolvers.test_pipeline import rec


def test_uncertain_links_are_queued_by_impact_and_leave_once_decided(db: Database, tmp_path: Path) -> None:
    # Same name and birth year, different day and town: could be one girl, could be two.
    load(db, tmp_path, [
        rec("health", "H1", "Maya", "Osei", "2014-06-01", identifiers={"nhs_number": "9434765919"}),
        rec("education", "E1", "Maya", "Osei", "2014-01-06", addresses=[{"line1": "3 Mill Lane", "postcode": "BD1 1AA"}]),
        rec("police", "P1", "Maya", "Osei", "2014", addresses=[]),
    ])
    resolve(db, tmp_path)
    queue = ReviewQueue(db, lower=-10, upper=40)
    items = queue.links(first=10)
    assert items, "expected uncertain pairs"
    assert [i.impact for i in items] == sorted((i.impact for i in items), reverse=True)
    first = items[0]
    assert set(first.records) == {first.a, first.b}
    assert first.records[first.a]["given_name"] == "Maya"
    assert {e["comparison"] for e in first.explanation} >= {"given_name", "dob"}
    Stewardship(db, ResolveOptions(model_path=tmp_path / "m.json")).reject_link(
        first.a, first.b, "different girls", StewardActor("s", "social_care"))
    assert (first.a, first.b) not in {(i.a, i.b) for i in queue.links(first=10)}
    assert len(queue.links(first=1)) <= 1


def test_suspicious_people_list_adults_in_several_households(db: Database, tmp_path: Path) -> None:
    new_home = {"line1": "5 Oak Road", "town": "Leeds", "postcode": "LS7 1AA", "from": "2025-06-01"}
    load(db, tmp_path, [
        rec("health", "H-MUM", "Amy", "Reed", "1990-01-01"),
        rec("health", "H-KID", "Leo", "Reed", "2018-02-02"),
        rec("health", "H-DAD", "Tom", "Reed", "1988-04-04", addresses=[new_home]),
        rec("police", "N-DAD", "Tom", "Reed", "1988-04-04"),
    ])
    resolve(db, tmp_path)
    suspicious = ReviewQueue(db).suspicious()
    assert [s.reasons for s in suspicious] == [["linked_to_several_households"]]


def test_thresholds_must_be_ordered(db: Database) -> None:
    with pytest.raises(ValueError):
        ReviewQueue(db, lower=5, upper=1)
