"""searchPeople: "do we know this child?" Ranked candidates with a score and the reasons for it.

The search criteria become a partial record, normalised like any ingested record, and are compared
with candidate records by the same linkage model resolution uses. Only what the caller may see
takes part: hidden records are not candidates, and fields the caller may not read (a withheld
identifier, a restricted address, a redacted health record's details) are blanked before scoring,
so a score never reflects a value the caller could not see.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from api.errors import InvalidArgument
from api.service.scope import RequestScope
from api.service.views import Evidence, PersonView, RecordView, Withheld
from graph_model.normalise import normalise_postcode, parse_date
from graph_model.records import RecordRejected, prepare
from resolvers.features import RecordFeatures, features_from_row

__all__ = ["Match", "SearchCriteria", "rank_people", "search_people"]


@dataclass(frozen=True, slots=True)
class SearchCriteria:
    given_name: str | None = None
    family_name: str | None = None
    dob: str | None = None
    postcode: str | None = None
    identifier_scheme: str | None = None
    identifier_value: str | None = None

    def requested_fields(self) -> list[str]:
        """Which criteria were given (field names only, for the audit)."""
        return [name for name in ("given_name", "family_name", "dob", "postcode", "identifier_scheme")
                if getattr(self, name)]


@dataclass(frozen=True, slots=True)
class Match:
    person: PersonView
    weight: float
    probability: float
    evidence: tuple[Evidence, ...]
    record_uids: tuple[str, ...]


def _query_features(criteria: SearchCriteria) -> tuple[RecordFeatures, dict[str, object]]:
    raw: dict[str, object] = {"source": "search", "source_id": "query"}
    if criteria.given_name:
        raw["given_name"] = criteria.given_name
    if criteria.family_name:
        raw["family_name"] = criteria.family_name
    if criteria.dob:
        raw["dob"] = criteria.dob
    if criteria.identifier_scheme and criteria.identifier_value:
        raw["identifiers"] = {criteria.identifier_scheme: criteria.identifier_value}
    try:
        prepared = prepare(raw)
    except RecordRejected as exc:
        raise InvalidArgument(f"the search criteria cannot be used: {exc.reason}",
                              hint="give a family name or an identifier, and optionally a date of birth and "
                                   "postcode") from None
    props = prepared.props
    postcode = normalise_postcode(criteria.postcode) if criteria.postcode else None
    if criteria.postcode and (postcode is None or not postcode.valid or not postcode.value):
        raise InvalidArgument("the postcode is not a valid UK postcode")
    dob = parse_date(criteria.dob) if criteria.dob else None
    if criteria.dob and (dob is None or not dob.usable):
        raise InvalidArgument("the date of birth is not a usable date (YYYY-MM-DD, YYYY-MM or YYYY)")
    postcode_value = postcode.value if postcode else None
    row = {
        "uid": "search:query", "source": "search", "given": props.get("given_norm"),
        "given_canon": props.get("given_canon"), "given_groups": props.get("given_groups"),
        "middle": None, "family": props.get("family_norm"), "family_parts": props.get("family_parts"),
        "family_phonetic": props.get("family_phonetic"), "dob": props.get("dob"), "sex": None,
        # A postcode alone has no address key that could equal a real one: it compares as same postcode.
        # Rows as resolve/fetch_records gives them: key, postcode, other postcode, from, to, current.
        "addresses": [[f"search-postcode:{postcode_value}", postcode_value, None, None, None, True]]
        if postcode_value else [],
        "identifiers": [[i["scheme"], i["value"]] for i in prepared.identifiers if i["valid"]],
    }
    parameters = {
        "family": props.get("family_norm"), "phonetic": props.get("family_phonetic"),
        "dob": props.get("dob") if props.get("dob_precision") == "day" else None,
        "identifier": prepared.identifiers[0]["key"] if prepared.identifiers else None,
        "postcode": postcode_value,
    }
    return features_from_row(row), parameters


def _visible_features(features: RecordFeatures, record: RecordView) -> RecordFeatures:
    """The candidate as the caller may see it: withheld fields take no part in the score."""
    changes: dict[str, object] = {}
    if isinstance(record.given_name, Withheld):
        changes.update(given=None, given_canon=None, given_groups=frozenset())
    if isinstance(record.family_name, Withheld):
        changes.update(family=None, family_parts=(), family_phonetic=None)
    if isinstance(record.middle_names, Withheld):
        changes.update(middle=None)
    if isinstance(record.dob, Withheld):
        changes.update(dob=parse_date(None))
    if isinstance(record.sex, Withheld):
        changes.update(sex=None)
    if isinstance(record.addresses, Withheld):
        changes.update(address_keys=frozenset(), current_address=None, postcodes=frozenset(), address_history=(),
                       other_postcodes=frozenset(), street_address=None)
    if isinstance(record.phones, Withheld):
        changes.update(mobiles=frozenset(), landlines=frozenset())
    if isinstance(record.emails, Withheld):
        changes.update(emails=frozenset())
    if isinstance(record.school, Withheld):
        changes.update(schools=frozenset())
    permitted = {scheme for scheme, _, _ in record.identifiers}
    changes["identifiers"] = {k: v for k, v in features.identifiers.items() if k in permitted}
    changes["related"] = {}
    return replace(features, **changes)  # type: ignore[arg-type]


async def search_people(scope: RequestScope, criteria: SearchCriteria, *, min_probability: float) -> list[Match]:
    """Candidates the caller may see, best first, each scored on what the caller may see."""
    if not (criteria.family_name or (criteria.identifier_scheme and criteria.identifier_value)):
        raise InvalidArgument("give a family name or an identifier (scheme and value) to search by")
    query, parameters = _query_features(criteria)
    rows = await scope.db.read("api/search_candidates",
                               {**parameters, "limit": scope.settings.search_max_candidates})
    candidates = {row["uid"]: row["person_id"] for row in rows}
    return await rank_people(scope, query, candidates, min_probability=min_probability)


async def rank_people(scope: RequestScope, query: RecordFeatures, candidates: Mapping[str, str], *,
                      min_probability: float, scored: Mapping[str, tuple[float, list[dict[str, Any]]]] | None = None,
                      features: Mapping[str, RecordFeatures] | None = None) -> list[Match]:
    """Candidate records ({uid: person id}) as people the caller may see, best first, each scored on what the
    caller may see of it. ``scored`` (weight, explanation) and ``features`` may come with the candidates (the
    real-time resolver's dry run); a score is reused only when the caller sees every field behind it."""
    person_ids = list(dict.fromkeys(candidates.values()))
    views = {pid: view for pid, view in zip(person_ids, await scope.people(person_ids), strict=True)
             if view is not None and view.id == pid}
    visible_uids = [uid for uid, pid in candidates.items() if pid in views]
    if not visible_uids:
        return []
    if features is None:
        feature_rows = await scope.db.read("resolve/fetch_records_by_uid", {"uids": visible_uids})
        features = {row["uid"]: features_from_row(row) for row in feature_rows}
    model = scope.services.linkage_model
    best: dict[str, tuple[float, list[dict[str, object]], list[str]]] = {}
    for uid in visible_uids:
        person_id = candidates[uid]
        record = next((r for r in views[person_id].records if r.uid == uid), None)
        full = features.get(uid)
        if record is None or full is None:
            continue
        candidate = _visible_features(full, record)
        if scored is not None and uid in scored and replace(candidate, related=full.related) == full:
            weight, explanation = scored[uid]
        else:
            score = model.explain(query, candidate)
            weight, explanation = score.weight, score.explanation()
        current = best.get(person_id)
        if current is None or weight > current[0]:
            best[person_id] = (weight, explanation, [uid])
        elif math.isclose(weight, current[0]):
            current[2].append(uid)
    floor = math.log2(min_probability / (1 - min_probability)) if 0 < min_probability < 1 else -math.inf
    matches = [
        Match(person=views[pid], weight=round(weight, 3), probability=_probability(weight),
              evidence=tuple(Evidence(str(e["comparison"]), str(e["level"]), float(e["weight"]))  # type: ignore[arg-type]
                             for e in explanation if e["level"] != "missing"),
              record_uids=tuple(sorted(uids)))
        for pid, (weight, explanation, uids) in best.items() if weight >= floor
    ]
    matches.sort(key=lambda m: (-m.weight, m.person.id))
    return matches


def _probability(weight: float) -> float:
    return round(1.0 / (1.0 + 2.0 ** (-weight)), 6)
