"""What the ingest workers send back survives pickling unchanged (they use graph_model.pickling)."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from graph_model.ingest.preparing import Prepared, Rejection
from graph_model.ingest.readers import SourceItem
from graph_model.pickling import fast_pickling
from graph_model.records import prepare

RAW = {
    "source": "health", "source_id": "H-1", "given_name": "Ava", "family_name": "Khan", "dob": "2016-05-20",
    "sex": "F", "addresses": [{"line1": "Flat 2, 10 High Street", "town": "Leeds", "postcode": "LS6 2AB"}],
    "phones": ["0113 496 0000"], "emails": ["ava@example.org"], "identifiers": {"nhs_number": "9434765919"},
    "relationships": [{"type": "sibling_of", "source_id": "H-2"}],
}


@pytest.mark.parametrize("protocol", [2, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
def test_outcomes_round_trip(protocol: int) -> None:
    outcomes = [Prepared(7, prepare(RAW)),
                Rejection("in.jsonl", 8, "bad_type", "field 'dob' must be a string", "health", "H-9", '{"dob": 1}')]
    back = pickle.loads(pickle.dumps(outcomes, protocol=protocol))
    assert back == outcomes
    assert back[0].record.addresses and back[0].record.phones  # nested values came along
    with pytest.raises(dataclasses.FrozenInstanceError):
        back[1].line = 9  # type: ignore[misc]


@pytest.mark.parametrize("protocol", [2, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
def test_items_sent_to_workers_round_trip(protocol: int) -> None:
    items = [SourceItem(3, raw=b'{"source": "health"}'), SourceItem(4, record={"source": "police"}),
             SourceItem(5, error="not valid JSON: unexpected character", text="{oops", reason="unreadable")]
    # the state is one tuple of the fields (fast_pickling), not the dataclasses module's list built per item
    assert items[0].__getstate__() == (3, None, None, None, "unreadable", b'{"source": "health"}')
    back = pickle.loads(pickle.dumps(items, protocol=protocol))
    assert back == items
    with pytest.raises(dataclasses.FrozenInstanceError):
        back[0].line = 9  # type: ignore[misc]


def test_only_for_dataclasses_with_several_fields() -> None:
    @dataclasses.dataclass(slots=True)
    class One:
        value: int

    with pytest.raises(TypeError):
        fast_pickling(One)
