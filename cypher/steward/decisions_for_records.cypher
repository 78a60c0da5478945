// Purpose: active steward decisions touching any of the given records (real-time resolution)
// Parameters: $uids
MATCH (d:StewardDecision {active: true})-[:ABOUT]->(r:Record)
WHERE r.uid IN $uids
WITH DISTINCT d
MATCH (d)-[:ABOUT]->(x:Record)
WITH d, collect(x.uid) AS uids
WHERE size(uids) = 2
RETURN d.id AS id, d.kind AS kind, uids[0] AS a, uids[1] AS b
