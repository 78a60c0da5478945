"""Search scores a candidate only on what the caller may see: withheld addresses take every place
evidence with them, including the street and postcode of an address that has no dwelling key."""

from __future__ import annotations

from api.policy import Decision, Effect, RedactionReason
from api.service.search import _visible_features
from api.service.views import RecordView, Withheld
from resolvers.comparisons import COMPARISONS, MISSING
from tests.resolvers.helpers import features

_LOCATION = next(c for c in COMPARISONS if c.name == "location")
_WITHHELD = Withheld(RedactionReason.NOT_PERMITTED, "test")


def _view(addresses_withheld: bool) -> RecordView:
    return RecordView(
        uid="t:b", source="t", category=None, owned=False, person_id="P1",
        access=Decision(Effect.PERMIT, "test"), source_id="b", recorded_at=None, given_name="Jacob",
        middle_names=None, family_name="Tilley", dob=None, sex=None,
        addresses=_WITHHELD if addresses_withheld else (), phones=(), emails=(), identifiers=(),
        identifiers_withheld=(), school=(), relationships=(), flags=(), attributes=(), attributes_withheld=(),
        mark=None, rules=frozenset(), break_glass=False)


def test_withheld_addresses_leave_no_street_or_postcode_to_score() -> None:
    query = features(source_id="a", given_name="Jacob", family_name="Tilley",
                     addresses=[{"line1": "Studley Street", "town": "Riverwood", "postcode": "4869"}])
    candidate = features(source_id="b", given_name="Jacob", family_name="Tilley",
                         addresses=[{"line1": "Studley St", "town": "Riverwood", "postcode": "4869"}])
    assert candidate.street_address and candidate.other_postcodes  # what there is to withhold
    assert _LOCATION.level(query, _visible_features(candidate, _view(addresses_withheld=False))) != MISSING
    hidden = _visible_features(candidate, _view(addresses_withheld=True))
    assert hidden.street_address is None and not hidden.other_postcodes and not hidden.postcodes
    assert _LOCATION.level(query, hidden) == MISSING
