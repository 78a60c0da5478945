// Purpose: steward actions, newest first: each groups the constraints it stored (a split stores several),
//          with who decided, why, when, whether it is still obeyed, and the records it is about
// Parameters: $active_only, $ids (null: every action; else only these action ids), $skip, $limit
MATCH (d:StewardDecision)
WHERE (NOT $active_only OR d.active) AND ($ids IS NULL OR coalesce(d.decision, d.id) IN $ids)
WITH coalesce(d.decision, d.id) AS id, collect(d) AS parts
WITH id, parts, parts[0] AS first
RETURN id, coalesce(first.action, CASE first.kind WHEN 'must_link' THEN 'confirm_link' ELSE 'reject_link' END) AS kind,
       first.reason AS reason, first.user AS user, first.agency AS agency, toString(first.at) AS at,
       any(p IN parts WHERE p.active) AS active,
       COLLECT { UNWIND parts AS p MATCH (p)-[:ABOUT]->(r:Record) RETURN DISTINCT r.uid } AS records
ORDER BY at DESC, id
SKIP $skip LIMIT $limit
