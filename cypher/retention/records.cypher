// Purpose: every (non-stub) record with what its retention depends on: source, the owner's mark, the
//          restriction flag, the day it was recorded (as the agency gave it) and the day it was last loaded,
//          and the person it resolves to
// Parameters: $restricted_marker (text that marks a restricted record's extra JSON)
MATCH (r:Record) WHERE r.stub IS NULL
RETURN r.uid AS uid, r.source AS source, r.recorded_at AS recorded_at,
       CASE WHEN r.ingested_at IS NULL THEN null ELSE toString(date(r.ingested_at)) END AS loaded_on,
       [(r)<-[:MARKS]-(m:SharingMark) | m.kind][0] AS mark,
       coalesce(r.extra CONTAINS $restricted_marker, false) AS restricted,
       [(r)-[:RESOLVES_TO]->(p:Person) | p.id][0] AS person_id
