// Purpose: every active steward decision as a pair of record uids (obeyed by every resolve)
// Parameters: none
MATCH (d:StewardDecision {active: true})-[:ABOUT]->(r:Record)
WITH d, collect(r.uid) AS uids
WHERE size(uids) = 2
RETURN d.id AS id, d.kind AS kind, uids[0] AS a, uids[1] AS b
