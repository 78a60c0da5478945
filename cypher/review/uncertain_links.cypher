// Purpose: scored pairs in the uncertain band (between two weights), not cannot-links and with no active
//          steward decision, with both records' people, sources and sharing marks (who may see them), ordered
//          by impact: how many records and agencies a decision would join or separate
// Parameters: $lower, $upper, $skip, $limit
MATCH (a:Record)-[s:SIMILAR_TO]->(b:Record)
WHERE s.weight >= $lower AND s.weight < $upper AND s.cannot_link IS NULL
  AND NOT EXISTS { MATCH (d:StewardDecision {active: true})-[:ABOUT]->(a) WHERE (d)-[:ABOUT]->(b) }
MATCH (a)-[:RESOLVES_TO]->(pa:Person), (b)-[:RESOLVES_TO]->(pb:Person)
WITH a, b, s, pa, pb,
     pa.record_count + CASE WHEN pa = pb THEN 0 ELSE pb.record_count END AS records,
     size(pa.sources + [x IN pb.sources WHERE NOT x IN pa.sources]) AS agencies
RETURN a.uid AS a, b.uid AS b, pa.id AS person_a, pb.id AS person_b, pa = pb AS same_person,
       s.weight AS weight, s.probability AS probability, s.explanation AS explanation, s.rules AS rules,
       a.source AS a_source, b.source AS b_source,
       [(a)<-[:MARKS]-(m:SharingMark) | m.kind][0] AS a_mark, [(b)<-[:MARKS]-(m:SharingMark) | m.kind][0] AS b_mark,
       records, agencies, records + agencies * 2 AS impact
ORDER BY impact DESC, a, b
SKIP $skip LIMIT $limit
