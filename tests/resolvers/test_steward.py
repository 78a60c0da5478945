"""Stewards' decisions stick: through full and real-time re-resolution, until revoked."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_model.db import Database
from graph_model.errors import InputError
from resolvers.pipeline import ResolveOptions
from resolvers.steward import StewardActor, Stewardship
from tests.resolvers.helpers import load, person_of, resolve
from tests.resolvers.test_incremental import push
from tests.resolvers.test_pipeline import family_records, rec

STEWARD = StewardActor(user="s.jones", agency="social_care")


def stewardship(db: Database, tmp_path: Path) -> Stewardship:
    return Stewardship(db, ResolveOptions(model_path=tmp_path / "model.json"))


def test_rejection_survives_full_and_incremental_resolution(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    assert person_of(db)["health:H-ZAK"] == person_of(db)["education:P-ZAK"]
    _, result = stewardship(db, tmp_path).reject_link("health:H-ZAK", "education:P-ZAK", "different boys", STEWARD)
    assert result.person_id == person_of(db)["health:H-ZAK"]
    assert person_of(db)["health:H-ZAK"] != person_of(db)["education:P-ZAK"]
    summary = resolve(db, tmp_path)
    assert summary.steward_decisions == 1
    assert person_of(db)["health:H-ZAK"] != person_of(db)["education:P-ZAK"]
    push(db, tmp_path, [rec("social_care", "S-ZAK", "Zakariya", "Khan", "2012-11-02", sex="M")], "more.jsonl")
    people = person_of(db)
    assert people["health:H-ZAK"] != people["education:P-ZAK"]


def test_confirmed_link_holds_when_scores_do_not_and_revoking_undoes_it(db: Database, tmp_path: Path) -> None:
    # A name change the model cannot see: same child, new given name after adoption.
    load(db, tmp_path, [rec("health", "H1", "Amelia", "Reed", "2015-01-01"),
                        rec("social_care", "S1", "Grace", "Okafor", "2015-01-01", addresses=[])])
    resolve(db, tmp_path)
    assert person_of(db)["health:H1"] != person_of(db)["social_care:S1"]
    steward = stewardship(db, tmp_path)
    [decision], result = steward.confirm_link("health:H1", "social_care:S1", "adoption order seen", STEWARD)
    assert person_of(db)["health:H1"] == person_of(db)["social_care:S1"] == result.person_id
    resolve(db, tmp_path)
    assert person_of(db)["health:H1"] == person_of(db)["social_care:S1"]
    steward.revoke(decision, "entered in error", STEWARD)
    resolve(db, tmp_path)
    assert person_of(db)["health:H1"] != person_of(db)["social_care:S1"]
    rows, _, _ = db.driver.execute_query("MATCH (d:StewardDecision {id: $id}) RETURN d.active AS active, "
                                         "d.revoked_by AS by, d.user AS user, d.reason AS reason", id=decision)
    assert rows[0]["active"] is False and rows[0]["by"] == "s.jones" and rows[0]["reason"] == "adoption order seen"


def test_split_person_keeps_the_id_for_the_larger_part_and_journals_it(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    sara = person_of(db)["health:H-SARA"]
    steward = stewardship(db, tmp_path)
    steward.split_person(sara, [["health:H-SARA", "housing:T-SARA"], ["education:C-SARA"]], "two women", STEWARD)
    people = person_of(db)
    assert people["health:H-SARA"] == people["housing:T-SARA"] == sara
    assert people["education:C-SARA"] != sara
    rows, _, _ = db.driver.execute_query("MATCH (e:IdentityEvent {kind: 'split'}) RETURN e.from_ids AS f, e.to_ids AS t")
    assert rows[0]["f"] == [sara] and set(rows[0]["t"]) == {sara, people["education:C-SARA"]}
    resolve(db, tmp_path)
    assert person_of(db)["education:C-SARA"] != person_of(db)["health:H-SARA"]


def test_merge_persons(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, [rec("health", "H1", "Amelia", "Reed", "2015-01-01"),
                        rec("police", "P1", "Millie", "Stone", None, addresses=[])])
    resolve(db, tmp_path)
    people = person_of(db)
    steward = stewardship(db, tmp_path)
    steward.merge_persons([people["health:H1"], people["police:P1"]], "same child, known alias", STEWARD)
    after = person_of(db)
    assert after["health:H1"] == after["police:P1"]
    retired = ({people["health:H1"], people["police:P1"]} - {after["health:H1"]}).pop()
    rows, _, _ = db.driver.execute_query("MATCH (p:Person {id: $id})-[:SUCCEEDED_BY]->(s) RETURN s.id AS s", id=retired)
    assert rows[0]["s"] == after["health:H1"]


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: s.reject_link("health:H-ZAK", "health:H-ZAK", "x", STEWARD), "two different records"),
    (lambda s: s.reject_link("health:H-ZAK", "education:P-ZAK", "  ", STEWARD), "needs a reason"),
    (lambda s: s.confirm_link("health:H-ZAK", "health:NOPE", "x", STEWARD), "unknown record"),
    (lambda s: s.merge_persons(["per_x"], "x", STEWARD), "at least two"),
    (lambda s: s.revoke("sd_missing", "x", STEWARD), "no active steward decision"),
])
def test_bad_decisions_are_refused_and_change_nothing(db: Database, tmp_path: Path, call, message: str) -> None:
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    before = person_of(db)
    with pytest.raises(InputError, match=message):
        call(stewardship(db, tmp_path))
    assert person_of(db) == before
    rows, _, _ = db.driver.execute_query("MATCH (d:StewardDecision) RETURN count(d) AS n")
    assert rows[0]["n"] == 0
