"""Golden records: best values across a person's records, each with the records it came from."""

from __future__ import annotations

import dataclasses
import json

from resolvers.golden import _choose, _golden_ranked, golden_record, person_properties
from tests.resolvers.helpers import features
from tests.resolvers.test_vectorised import _demo_features

_VALUES = (lambda r: r.given_raw.strip().title() if r.given_raw else None, lambda r: r.sex,
           lambda r: r.dob.value if r.dob.usable else None, lambda r: r.family_raw)


def test_a_single_record_gives_its_own_values_as_the_ranking_would() -> None:
    # One record is its person's every value: the same as when a record without values stands beside it.
    for record in _demo_features(30):
        blank = dataclasses.replace(record, uid="zz:blank", given_raw=None, family_raw=None, sex=None,
                                    dob=features(source_id="blank", family_name="X").dob)
        for value in _VALUES:
            assert _choose([record], value) == _choose([record, blank], value)
    nothing = features(source_id="n", given_name=None, family_name="Khan")
    assert _choose([nothing], _VALUES[0]) == (None, [])


def test_agreement_then_trust_decide_and_provenance_names_the_records() -> None:
    a = features(source_id="a", given_name="Sara", family_name="Khan", dob="1985-03-12", sex="F")
    b = dataclasses.replace(features(source_id="b", given_name="Sarah", family_name="Khan", dob="1985-03-12"),
                            source="health")
    c = dataclasses.replace(features(source_id="c", given_name="Sara", family_name="Khan"), source="police")
    golden = golden_record([a, b, c], None)
    assert golden["given_name"] == "Sara" and golden["provenance"]["given_name"] == sorted([a.uid, c.uid])
    assert golden["aliases"] == ["Sarah Khan"]
    assert golden["dob"] == "1985-03-12" and golden["provenance"]["dob"] == sorted([a.uid, b.uid])
    assert golden_record([b, c], None)["given_name"] == "Sarah"  # one each: health is trusted more than police
    props = person_properties([a, b, c], "key-1", [])
    assert json.loads(props["provenance"]) == golden["provenance"]
    assert props["current_address"] == "key-1" and props["flags"] == [] and props["record_count"] == 3


def test_a_one_record_person_gets_what_the_ranking_gives() -> None:
    demo = _demo_features(40)
    blank_names = dataclasses.replace(demo[0], uid="zz:1", given_raw="  ", family_raw=None, sex=None)
    many = dataclasses.replace(demo[1], uid="zz:2", mobiles=frozenset({"+447700900111", "+447700900222"}),
                               landlines=frozenset({"+441134960000"}), emails=frozenset({"a@example.org"}),
                               identifiers={"nhs_number": frozenset({"9434765919"}), "upn": frozenset({"A1", "B2"})})
    for record in [*demo, blank_names, many]:
        assert golden_record([record], "key-9") == _golden_ranked([record], "key-9")
    assert golden_record([many], None)["provenance"]["phones"] == {p: ["zz:2"] for p in many.mobiles | many.landlines}
