// Purpose: the identity journal after a position (created, merged, split, linked), oldest first, for systems
//          that keep person ids in sync
// Parameters: $since (journal position already seen; 0: from the start), $limit
MATCH (e:IdentityEvent)
WHERE e.seq > $since
RETURN e.seq AS seq, e.kind AS kind, e.from_ids AS from_ids, e.to_ids AS to_ids, toString(e.at) AS at,
       e.decision_id AS decision_id
ORDER BY seq
LIMIT $limit
